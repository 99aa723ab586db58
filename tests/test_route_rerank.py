"""``skillforge route --rerank``: the provider reorders and drops candidates (scripted LLM server)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.llm_server import Reply, ScriptedLLM

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"
QUERY = "the rebase lost commits and the docker build is slow AKIAABCDEFGHIJKLMNOP"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def test_rerank_follows_the_model_and_ignores_invented_names(
    cli,
    library: Path,
    llm_server: ScriptedLLM,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", llm_server.anthropic_url)
    llm_server.push(Reply(json={"ranking": ["made-up-skill", "docker-build-cache", "git-rebase-recovery"]}))
    result = cli("route", QUERY, "-L", str(library), "--rerank", "--json")
    assert result.code == 0, result.err
    names = [m["name"] for m in json.loads(result.out)["matches"]]
    assert names == ["docker-build-cache", "git-rebase-recovery"]
    sent = json.dumps(llm_server.requests[0].body)
    assert "AKIAABCDEFGHIJKLMNOP" not in sent and "git-rebase-recovery" in sent


def test_rerank_without_a_provider_is_a_clear_error(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", QUERY, "-L", str(library), "--rerank")
    assert result.code == 2 and "--rerank needs an LLM provider" in " ".join(result.err.split())
