"""More attacks for issue 17, end to end where the earlier files test one function:

- every secret kind of the issue's recall list, planted in a tool output of three resolved runs,
  reaches no LLM request, skill file, quarantine file, pull-request body or git blob (offline and
  through a parrot model), and nothing of it is printed by ``ingest --json``, ``ingest --to atif``
  or ``scan`` on the console;
- the detector bypasses (``| tee f | sh``, ``| /bin/sh``, ``eval "$(curl …)"``, ``source <(curl …)``,
  ``curl … >i; bash i``, padded base64 piped to a shell, variation selectors) that an agent ran in
  resolved runs never reach ``skills/``;
- a library's committed ``skillforge.toml`` cannot send the user's API key to its own server or run
  its own templates;
- route, the hook and MCP never serve a skill that carries one of these secrets or bypasses.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.attack import builders as b
from tests.attack.conftest import Parrot, standard_runs, write_logs
from tests.attack.test_recall import SECRETS

KINDS = sorted(SECRETS)


def _planted(name: str) -> tuple[list[b.Run], str]:
    text, secret = SECRETS[name]
    events = [b.call("cat ~/.config/ledgerkit/deploy.cfg"), b.result(f"CFGOUT {text}")]
    return standard_runs(lambda i: events), secret


def _fmt(name: str) -> str:
    return b.FORMATS[KINDS.index(name) % len(b.FORMATS)]


# ------------------------------------------------------------------------------ secrets, end to end


@pytest.mark.parametrize("name", KINDS)
def test_secret_kind_reaches_no_llm_file_or_commit(name: str, distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runs, secret = _planted(name)
    logs = write_logs(tmp_path / "logs", _fmt(name), runs)
    api = "anthropic" if KINDS.index(name) % 2 else "openai"
    for outcome in (distill(logs, "offline"), distill(logs, api, Parrot(marker="CFGOUT"))):
        assert outcome.code == 0, outcome.err
        assert outcome.leaks(secret) == [] and secret not in outcome.err
        assert outcome.report["redactions"]
    assert any("CFGOUT" in p and "<redacted:" in p for p in outcome.payloads)  # the step was sent, redacted


@pytest.mark.parametrize("name", KINDS)
def test_secret_kind_is_not_printed_by_ingest_or_scan(name: str, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runs, secret = _planted(name)
    logs = write_logs(tmp_path / "logs", _fmt(name), runs[:1])
    for args in (["ingest", "--json"], ["ingest", "--to", "atif"], ["-v", "ingest"]):
        res = cli(*args, str(logs))
        assert res.code == 0, res.err
        assert secret not in res.out and secret not in res.err, args
    assert "<redacted:" in cli("ingest", "--json", str(logs)).out
    res = cli("scan", "--json", str(logs))
    assert res.code == 4 and json.loads(res.out)["findings"]  # found ...
    assert secret not in res.out and secret[:12] not in res.out and secret not in res.err  # ... masked
