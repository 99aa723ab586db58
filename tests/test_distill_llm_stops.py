"""When an LLM distill run stops and what it keeps, end to end through the real anthropic SDK against
the scripted server: an error every later call would repeat (a bad key, an unknown model, a rejected
request) stops the run at the first call, with its hint and exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.llm_server import Reply

FIX = Path(__file__).parent / "fixtures" / "distill"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")


def distill(cli: Any, server: Any, lib: Path, *extra: str) -> Any:
    return cli(
        "distill", str(FIX / "batch1"), "--labels", str(FIX / "labels.json"), "--library", str(lib),
        "--init", "--provider", "anthropic", "--base-url", server.anthropic_url, "--model", "test-model",
        *extra,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (401, "AuthenticationError", "check the API key variable"),
        (403, "PermissionDeniedError", "may not have access to this model"),
        (404, "NotFoundError", "check --model and --base-url"),
        (400, "BadRequestError", "check --model"),
    ],
)
def test_a_bad_key_or_model_stops_the_run_at_the_first_call(cli, tmp_path, llm_server, status, error, hint):
    # each trajectory sent its own doomed request and failed alone: 'warning: …' per trajectory without
    # the hint, exit 3 (partial) as for a rate limit
    llm_server.responder = lambda seen: Reply(status=status)
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    doc = orjson.loads(res.out)
    assert res.code == 2, res.err
    assert doc["status"] == "error" and error in doc["error"] and hint in doc["hint"]
    assert len(llm_server.requests) == 1 and not lib.exists()
    human = distill(cli, llm_server, lib, "--workers", "2")
    assert human.code == 2 and "warning:" not in human.err
    assert f"error: anthropic: {error}" in human.err and hint in human.err
