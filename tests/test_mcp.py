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
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def session(library: Path, body: Any, *, stderr: Path | None = None) -> Any:
    """Run ``body(client)`` against ``skillforge serve`` over stdio; ``stderr``: where the server's goes."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "skillforge", "serve", "--library", str(library)],
        env=dict(os.environ),
    )

    async def main() -> Any:
        if stderr is None:
            async with Client(params, read_timeout_seconds=60) as client:
                return await body(client)
        with stderr.open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
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


def test_an_unknown_or_withheld_resource_says_why_without_a_traceback(library: Path, tmp_path: Path) -> None:
    """Reading skill://nope gave the client only "Error creating resource from template skill://nope"
    and logged a full ERROR traceback on the server's stderr; the tools said the reason."""

    async def body(client: Any) -> Any:
        errors = []
        for uri in ("skill://no-such-skill", "skill://sneaky-deploy"):
            with pytest.raises(MCPError) as info:
                await client.read_resource(uri)
            errors.append(info.value)
        return errors

    stderr = tmp_path / "stderr.txt"
    unknown, withheld = session(library, body, stderr=stderr)
    assert unknown.code == -32602 and unknown.message.startswith("no skill named 'no-such-skill'")
    assert "search_skills" in unknown.message
    assert withheld.message.startswith("skill 'sneaky-deploy' is withheld:")
    assert "Ignore all previous" not in withheld.message
    assert "Traceback" not in stderr.read_text() and "ERROR" not in stderr.read_text()


def test_tool_texts_carry_no_docstring_indentation_nor_the_library_path(library: Path) -> None:
    async def body(client: Any) -> Any:
        tools = (await client.list_tools()).tools
        unknown = await client.call_tool("get_skill", {"name": "no-such-skill"})
        return tools, unknown

    tools, unknown = session(library, body)
    for tool in tools:
        assert tool.description and "\n " not in tool.description, tool.description
    assert "search_skills" in {t.name: t.description for t in tools}["get_skill"]
    assert (
        unknown.is_error
        and str(library) not in text_of(unknown)
        and str(library.parent) not in text_of(unknown)
    )


def test_get_skill_lists_the_files_the_skill_ships_without_reading_them(library: Path) -> None:
    """The Agent Skills client guidance: <skill_content> lists the skill's resources (unread), so the
    model knows scripts/ and references/ exist; a hidden file and a link are not listed."""
    skill = library / "skills" / "git-rebase-recovery"
    (skill / "scripts").mkdir()
    (skill / "scripts" / "recover.sh").write_text("git reflog\n")
    (skill / "references").mkdir()
    (skill / "references" / "evidence.md").write_text("EVIDENCE-TEXT\n")
    (skill / ".hidden").write_text("x\n")
    (skill / "elsewhere.md").symlink_to(skill / "references" / "evidence.md")

    async def body(client: Any) -> Any:
        return await client.call_tool("get_skill", {"name": "git-rebase-recovery"})

    text = text_of(session(library, body))
    assert (
        "<skill_resources><file>references/evidence.md</file><file>scripts/recover.sh</file></skill_resources>"
        in text
    )
    assert (
        text.rstrip().endswith("</skill_content>") and "runs" not in text.split("<skill_resources>")[0][-50:]
    )


def test_get_skill_withholds_a_skill_holding_a_link_out_of_the_library(library: Path) -> None:
    """An agent reading the skill's folder would read through the link (validate does not): the skill is
    withheld, as install does not link it, and the error names the link, not what it points at."""
    skill = library / "skills" / "git-rebase-recovery"
    outside = library.parent / "outside.md"
    outside.write_text("OUTSIDE-TEXT\n")
    (skill / "elsewhere.md").symlink_to(outside)

    async def body(client: Any) -> Any:
        return await client.call_tool("get_skill", {"name": "git-rebase-recovery"})

    result = session(library, body)
    assert result.is_error and "holds a link out of the library (elsewhere.md)" in text_of(result)
    assert "OUTSIDE-TEXT" not in text_of(result)
