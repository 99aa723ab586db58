"""Shared test fixtures: every test gets its own SKILLFORGE_HOME and no API keys; ``cli`` runs the
real command line in-process and returns (exit code, stdout, stderr)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillforge import console

    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path_factory.mktemp("sfhome")))
    # an earlier in-process `--json` run leaves the console quiet: each test starts from the default
    monkeypatch.setattr(console, "_state", {"verbose": 0, "quiet": False})
    for var in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_BASE_URL",
        "SKILLFORGE_PROVIDER",
        "SKILLFORGE_LIBRARY",
        "SKILLFORGE_DEBUG",
    ):
        monkeypatch.delenv(var, raising=False)
    # identity for commits that tests themselves make in scratch repositories
    for var, value in (
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
    ):
        monkeypatch.setenv(var, value)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``skillforge ARGS…`` in-process through the real error boundary."""
    from skillforge.cli import run

    def invoke(*args: str, stdin: str | None = None) -> CliResult:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


pytest_plugins = ["tests.llm_server"]
