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
from tests.attack.redteam import safety, skill_folder, validate

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


# R2: a value the rules recognise only by its name (CF_API_TOKEN=…: 40 random letters and digits) is
# printed bare by the same run, before and after it is named
CF_TOKEN = "uwGDSv0cZnZtedWktYpF5yCzchwGbSabCrSxkFJa"


def test_r2_a_value_named_a_secret_once_is_masked_where_the_run_echoes_it_bare(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    runs = _runs(f"rejected credential {CF_TOKEN}", f"CF_API_TOKEN={CF_TOKEN}")
    out = _distill(cli, tmp_path, runs)
    assert out.code == 0, out.err
    _nowhere(out, CF_TOKEN)
    assert any("rejected credential <redacted:" in text for text in out.skill_files.values())
    logs = tmp_path / "logs"
    for args in (("ingest", logs, "--json"), ("ingest", logs, "--to", "atif")):
        res = cli(*args)
        assert res.code == 0, res.err
        assert "rejected credential <redacted:" in res.out
        assert CF_TOKEN not in res.out + res.err


def test_r2_llm_requests_never_carry_the_echoed_value(
    distill: Callable[..., Outcome], tmp_path: Path
) -> None:
    from tests.attack.conftest import Parrot

    logs = write_logs(
        tmp_path / "logs",
        "interchange",
        _runs(f"rejected credential {CF_TOKEN}", f"CF_API_TOKEN={CF_TOKEN}", 3),
    )
    out = distill(logs, provider="anthropic", parrot=Parrot(marker="rejected credential"))
    assert out.payloads
    assert not out.leaks(CF_TOKEN)


def test_r2_short_values_are_not_masked_elsewhere() -> None:
    """A short password named once is not wiped from every word that contains it."""
    from skillforge.model import Role, Step, StepKind, Trajectory
    from skillforge.safety.trajectory_redaction import redact_trajectory

    traj = Trajectory(
        id="t",
        source="x",
        format="interchange",
        agent="a",
        task="t",
        steps=[
            Step(0, Role.ASSISTANT, StepKind.TOOL_CALL, "DB_PASSWORD=Zq7x9k ./migrate"),
            Step(1, Role.TOOL, StepKind.TOOL_RESULT, "logged in with Zq7x9k; comZq7x9k3 ready"),
        ],
    )
    redact_trajectory(traj)
    assert "Zq7x9k" not in traj.steps[0].text
    assert traj.steps[1].text == "logged in with Zq7x9k; comZq7x9k3 ready"


# R3: passwords on SQL Server's and OpenLDAP's command lines, a token alone as a URL's user part
SQL_PW = "Sql7y68hV7JS7dbtj!1"
LDAP_PW = "MjQROM68m8gyb3XMoB"
URL_TOKEN = "337f2cb371f17d069b54e84d48e202cb01d0b06e"
R3_COMMANDS = {
    SQL_PW: f"sqlcmd -S db.acme-corp.internal -U sa -P '{SQL_PW}' -i schema.sql",
    LDAP_PW: f"ldapsearch -x -H ldaps://ldap.acme-corp.internal -D 'cn=admin,dc=acme' -w '{LDAP_PW}' '(uid=ci)'",
    URL_TOKEN: f"pip install git+https://{URL_TOKEN}@github.com/acme/private-lib.git",
}


def _r3_runs() -> list[b.Run]:
    runs = []
    for i in range(2):
        events = []
        for command in R3_COMMANDS.values():
            events += [
                b.call(f"python -m pytest tests/test_a{i}.py -q"),
                b.result("E   ModuleNotFoundError: No module named 'acme'\n1 error in 0.1s", 1),
                b.call(f"{command} && python -m pip install -e ."),
                b.result("Successfully installed acme-0.1"),
            ]
        events += [b.call(f"python -m pytest tests/test_a{i}.py -q"), b.result("3 passed in 0.3s")]
        runs.append(b.Run(f"acme-{i}", "Fix the failing API test.", events))
    return runs


def test_r3_command_line_passwords_and_url_user_tokens_are_redacted(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = _distill(cli, tmp_path, _r3_runs())
    assert out.code == 0, out.err
    for secret in R3_COMMANDS:
        _nowhere(out, secret)
    logs = tmp_path / "logs"
    res = cli("ingest", logs, "--json")
    assert res.code == 0 and res.out
    assert not [s for s in R3_COMMANDS if s in res.out + res.err]
    res = cli("scan", logs, "--json")
    assert "cli-password" in res.out and "url-token" in res.out
    assert not [s for s in R3_COMMANDS if s in res.out + res.err]


def test_r3_validate_errs_on_each_form(cli: Callable[..., Any], tmp_path: Path) -> None:
    for n, (secret, command) in enumerate(R3_COMMANDS.items()):
        root = skill_folder(tmp_path / str(n), f"```bash\n{command}\n```")
        findings, printed = validate(cli, root)
        assert [f["rule"] for f in safety(findings, "error")] == ["SF501"], command
        assert secret not in printed


def test_r3_look_alikes_are_not_secrets() -> None:
    from skillforge.safety.redact import find_secrets

    for text in (
        "ldapsearch -x -D cn=admin,dc=acme -W -b dc=acme",  # -W prompts
        "sqlcmd -S db -U sa -P $SA_PASSWORD -Q 'select 1'",
        "git clone https://git@github.com/acme/lib.git",
        "git clone https://deploybot2024@gitlab.com/acme/lib.git",
        "see https://MyServiceAccountName2@host.example/x",
    ):
        assert find_secrets(text) == [], text


# R12 (precision): jwt.io's well-known example token is documentation, not a secret
JWT_IO = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def test_r12_jwt_io_example_token_is_no_validate_error(cli: Callable[..., Any], tmp_path: Path) -> None:
    body = f"A JWT has three parts. The jwt.io example token:\n\n`{JWT_IO}`\n\nDecode the middle part with `base64 -d`."
    findings, _ = validate(cli, skill_folder(tmp_path, body))
    assert not safety(findings, "error")
    assert [f["rule"] for f in safety(findings)] == ["SF501"]  # still a warning, and still redacted


def test_r12_a_real_looking_jwt_is_still_an_error(cli: Callable[..., Any], tmp_path: Path) -> None:
    token = (
        JWT_IO.split(".")[0]
        + ".eyJzdWIiOiJzdmMtbGVkZ2VyIiwicm9sZSI6ImFkbWluIn0.k3Jd8sLq0ZxWv7Yt2NmPqRsTuVwXyZaQ9eFgHiJkLm"
    )
    findings, printed = validate(cli, skill_folder(tmp_path, f"`Authorization: Bearer {token}`"))
    assert [f["rule"] for f in safety(findings, "error")] == ["SF501"]
    assert token not in printed


def test_route_never_prints_a_secret_the_skill_repeats_bare(cli: Callable[..., Any], tmp_path: Path) -> None:
    """attack20 re-run (S30, S38, S51, S55, S63): a hand-written skill set a token in a bash block
    (found, a warning, so the skill is served) and repeated the value alone in a text block, which
    route printed in clear. redact() now removes a value it found wherever the same text repeats it."""
    from skillforge.safety.redact import redact
    from tests.attack.test_hardening import make_library, skill_md

    body = (
        "# Deploy the worker\n\n```bash\nexport CF_API_TOKEN=" + CF_TOKEN + "\nwrangler deploy\n```\n\n"
        "If wrangler asks for the token, paste it:\n\n```text\n" + CF_TOKEN + "\n```\n"
    )
    text = skill_md(
        "name: deploy-worker\ndescription: Deploy the worker. Use when deploying the worker.\n", body
    )
    lib = make_library(tmp_path, {"deploy-worker": text})
    out = cli("route", "deploy the worker with wrangler", "--library", str(lib), "--max-tokens", "4000").out
    assert "deploy-worker" in out and CF_TOKEN not in out
    redacted, counts = redact(body)
    assert CF_TOKEN not in redacted and sum(counts.values()) == 2
