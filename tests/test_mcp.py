"""``skillforge serve``: driven over stdio by the MCP SDK's own client, as an agent would."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")
from mcp import Client
from mcp.client.stdio import StdioServerParameters

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def session(library: Path, body: Any) -> Any:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "skillforge", "serve", "--library", str(library)],
        env=dict(os.environ),
    )

    async def main() -> Any:
        async with Client(params, read_timeout_seconds=60) as client:
            return await body(client)

    return anyio.run(main)


def text_of(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def test_tools_are_listed_read_only(library: Path) -> None:
    async def body(client: Any) -> Any:
        return (await client.list_tools()).tools

    tools = {t.name: t for t in session(library, body)}
    assert set(tools) >= {"search_skills", "get_skill"}
    for tool in (tools["search_skills"], tools["get_skill"]):
        assert tool.annotations.read_only_hint is True and tool.annotations.open_world_hint is False
    assert "query" in tools["search_skills"].input_schema["properties"]


def test_the_server_says_its_name_and_version(library: Path) -> None:
    # serverInfo.version was "" (the SDK's default): a client could not tell which skillforge answered
    from skillforge import __version__

    async def body(client: Any) -> Any:
        return client.server_info

    info = session(library, body)
    assert (info.name, info.version) == ("skillforge", __version__)


def test_search_then_get_skill_and_resource(library: Path) -> None:
    async def body(client: Any) -> Any:
        found = await client.call_tool("search_skills", {"query": "lost commits after a rebase", "k": 2})
        got = await client.call_tool("get_skill", {"name": "git-rebase-recovery"})
        res = await client.read_resource("skill://git-rebase-recovery")
        none = await client.call_tool("search_skills", {"query": "bake a chocolate cake"})
        return found, got, res, none

    found, got, res, none = session(library, body)
    hits = found.structured_content["result"] if found.structured_content else json.loads(text_of(found))
    assert hits[0]["name"] == "git-rebase-recovery" and hits[0]["uri"] == "skill://git-rebase-recovery"
    assert hits[0]["path"].endswith("git-rebase-recovery/SKILL.md")
    assert text_of(got).startswith('<skill_content name="git-rebase-recovery">') and "git reflog" in text_of(
        got
    )
    assert "git reflog" in res.contents[0].text
    none_hits = none.structured_content["result"] if none.structured_content else json.loads(text_of(none))
    assert none_hits == []


def test_withheld_and_unknown_skills_are_tool_errors(library: Path) -> None:
    async def body(client: Any) -> Any:
        return (
            await client.call_tool("get_skill", {"name": "sneaky-deploy"}),
            await client.call_tool("get_skill", {"name": "no-such-skill"}),
        )

    withheld, unknown = session(library, body)
    assert withheld.is_error and "withheld" in text_of(withheld)
    assert "Ignore all previous" not in text_of(withheld)
    assert unknown.is_error and "no skill named" in text_of(unknown)


def test_serve_without_the_sdk_names_the_extra(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillforge.errors import SkillforgeError
    from skillforge.serve import build_server

    monkeypatch.setitem(sys.modules, "mcp.server", None)
    with pytest.raises(SkillforgeError) as info:
        build_server(library)
    assert info.value.hint == "pip install 'skillforge-distill[mcp]'"


def test_search_results_never_carry_a_secret(library: Path) -> None:
    skill = library / "skills" / "git-rebase-recovery" / "SKILL.md"
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"
    skill.write_text(
        skill.read_text().replace(
            "Recover from a rebase gone wrong.", f"Recover from a rebase gone wrong (token {token})."
        )
    )

    async def body(client: Any) -> Any:
        return await client.call_tool("search_skills", {"query": "lost commits after a rebase", "k": 1})

    found = session(library, body)
    assert token not in text_of(found) and token not in json.dumps(found.structured_content)
