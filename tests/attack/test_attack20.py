"""Held-out attack measurement (attack20): the secrets it found leaking, as regression tests.

Each case is a small agent run written through the real log readers (interchange format) and
distilled offline, or a hand-written skill validated; the secret (invented, vendor-shaped) must reach
none of: committed files on any branch (quarantine files included), the pull-request body, the
report, stdout or stderr."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from skillforge.model import Evidence, Lesson, LessonKind
from skillforge.safety import quarantine
from tests.attack import builders as b
from tests.attack.conftest import Outcome, collect, write_logs

# R1: a Twilio key counts as a secret only next to the vendor's name: the run names it once
# (TWILIO_API_KEY=…, redacted there) and prints it bare in an error line
TWILIO = "SKc9ecb66bd37908a20def39349f91ec72"


def _runs(failure: str, recovery: str, n: int = 2) -> list[b.Run]:
    """``n`` runs where the tests fail with ``failure`` and ``recovery`` makes them pass."""
    return [
        b.Run(
            f"acme-{i}",
            "Fix the failing API test.",
            [
                b.call(f"python -m pytest tests/test_a{i}.py -q"),
                b.result(f"E   acme.errors.AuthError: {failure}\n1 failed in 0.2s", 1),
                b.call(f"{recovery} python -m pytest tests/test_a{i}.py -q"),
                b.result("3 passed in 0.3s"),
            ],
        )
        for i in range(n)
    ]


def _distill(cli: Callable[..., Any], tmp_path: Path, runs: Sequence[b.Run]) -> Outcome:
    """Offline distill of ``runs`` without --json (the console's warnings printed), collected."""
    logs = write_logs(tmp_path / "logs", "interchange", runs)
    lib = tmp_path / "lib"
    res = cli("distill", logs, "--library", lib, "--init", "--provider", "offline")
    out = collect(res.code, "", res.err, lib, [])
    pr = sorted((lib / ".git" / "skillforge" / "pr").glob("*.md"))
    out.pr_body = "\n".join(p.read_text() for p in pr)
    out.err = res.out + res.err
    return out


def _nowhere(out: Outcome, secret: str) -> None:
    places = out.leaks(secret)
    if secret in out.err:
        places.append("console")
    assert not places, f"{secret} leaked to {places}"


def test_r1_quarantined_secret_is_redacted_in_quarantine_pr_body_and_console(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = _distill(cli, tmp_path, _runs(f"rejected credential {TWILIO}", f"TWILIO_API_KEY={TWILIO}"))
    assert out.code == 0, out.err
    _nowhere(out, TWILIO)


def test_r1_quarantine_record_and_summary_read_the_lesson_as_a_whole() -> None:
    """The home of every quarantine note: the vendor's name in the body makes the bare key in the
    title, trigger and signature a secret there too."""
    lesson = Lesson(
        title=f"AuthError: rejected credential {TWILIO} (test)",
        trigger=f"when a test command fails with: AuthError: rejected credential {TWILIO}",
        body="- what worked: `TWILIO_API_KEY=<redacted:twilio-key> python -m pytest <tests>`",
        kind=LessonKind.ERROR_RECOVERY,
        evidence=[Evidence("t1", [1, 2], quote=f"rejected credential {TWILIO}")],
        signature=f"error:test:AuthError: rejected credential {TWILIO}|family:",
    )
    reason = "failed safety check SF501: twilio-key secret (SKc9****(34 chars))"
    files = quarantine.files([(lesson, reason)], "run1")
    rows = quarantine.summary([(lesson, reason)])
    assert files and rows
    assert all(TWILIO not in text for text in files.values())
    assert TWILIO not in repr(rows)
    assert "<redacted:twilio-key>" in rows[0]["title"]
