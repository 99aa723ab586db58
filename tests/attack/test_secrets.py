"""Secrets of every kind, in tool outputs, user messages, environment dumps, diffs, commands, meta
text and the agent's own words, in every log format: none may reach an LLM request, a skill file,
a quarantine file, the pull-request body or any blob in git history, offline or through a provider
whose (parrot) model copies into the skill whatever it was shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from tests.attack import builders as b
from tests.attack.conftest import Parrot, standard_runs, write_logs

PRIVATE_KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    + PRIVATE_KEY_BODY
    + "\nQyNTUxOQAAACBd4rGwFv9Q2m8yZb7Kp1Lx3Vn5Tc6Rr0Ww2Xy4Zz8AAAAJgqL9xGKi/c\n"
    "-----END OPENSSH PRIVATE KEY-----"
)


@dataclass(frozen=True)
class Case:
    id: str
    fmt: str
    secrets: tuple[str, ...]  # the strings that must appear nowhere
    events: Callable[[int], Sequence[b.Ev]]
    marker: str  # text next to the secret, so the parrot copies that step
    task: str = "Fix the CSV export header bug in ledgerkit"


CASES = [
    Case(
        "env-dump-aws-keys",
        "claude-code",
        ("AKIAQYLPMN5HHHFPZAM2", "Zq8vB2nR4tY6uI8oP0aS2dF4gH6jK8lZ1xC3vB5n"),
        lambda i: [
            b.call("env"),
            b.result(
                "ENVDUMP HOME=/home/dev\nAWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\n"
                "AWS_SECRET_ACCESS_KEY=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"
            ),
        ],
        "ENVDUMP",
    ),
    Case(
        "env-dump-github-token",
        "codex",
        ("ghp_R8aZ2bY7cX6dW5eV4fU3gT2hS1iQ0jP9kO8l",),
        lambda i: [
            b.call("printenv | sort"),
            b.result("ENVDUMP GITHUB_TOKEN=ghp_R8aZ2bY7cX6dW5eV4fU3gT2hS1iQ0jP9kO8l\nPATH=/usr/bin"),
        ],
        "ENVDUMP",
    ),
    Case(
        "user-message-anthropic-key",
        "claude-code",
        ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876",),
        lambda i: [
            b.user(
                "USERNOTE use my key sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876 for the smoke test"
            )
        ],
        "USERNOTE",
    ),
    Case(
        "user-message-openai-key",
        "interchange",
        ("sk-proj-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6Nm8",),
        lambda i: [b.user("USERNOTE here is OPENAI_API_KEY=sk-proj-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6Nm8")],
        "USERNOTE",
    ),
    Case(
        "diff-stripe-key",
        "mini-swe-agent",
        ("sk_live_51Hq8ZxT2vB9nM4kL7pR3sW6y",),
        lambda i: [
            b.call("git diff"),
            b.result(
                "DIFFOUT --- a/.env\n+++ b/.env\n@@ -1 +1 @@\n"
                "-STRIPE_KEY=\n+STRIPE_KEY=sk_live_51Hq8ZxT2vB9nM4kL7pR3sW6y"
            ),
        ],
        "DIFFOUT",
    ),
    Case(
        "diff-db-password",
        "swe-agent",
        ("Tr0ub4dor-Horse-Battery-91",),
        lambda i: [
            b.call("git diff settings.py"),
            b.result("DIFFOUT +DB_PASSWORD=Tr0ub4dor-Horse-Battery-91\n+DEBUG = False"),
        ],
        "DIFFOUT",
    ),
    Case(
        "command-bearer-jwt",
        "interchange",
        (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbi0xMjM0NSIsInJvbGUiOiJyb290In0.Q9v8X7w6Y5z4A3b2C1d0E9f8G7h6I5j4",
        ),
        lambda i: [
            b.call(
                "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbi0xMjM0NSIsInJvbGUiOiJyb290In0"
                ".Q9v8X7w6Y5z4A3b2C1d0E9f8G7h6I5j4' http://localhost:8000/api/health"
            ),
            b.result('CURLOUT {"ok": true}'),
        ],
        "Bearer",
    ),
    Case(
        "task-text-slack-token",
        "openhands",
        ("xoxb-2048193847-9283746501-AbCdEfGhIjKlMnOpQrStUv",),
        lambda i: [b.call("python notify.py"), b.result("NOTIFY sent")],
        "NOTIFY",
        task="Fix the CSV export header bug in ledgerkit and post to slack with xoxb-2048193847-9283746501-AbCdEfGhIjKlMnOpQrStUv",
    ),
    Case(
        "cat-private-key",
        "claude-code",
        (PRIVATE_KEY_BODY,),
        lambda i: [b.call("cat ~/.ssh/id_ed25519"), b.result("KEYOUT\n" + PRIVATE_KEY)],
        "KEYOUT",
    ),
    Case(
        "meta-text-connection-string",
        "codex",
        ("Rk7vQ2mZp9Lx",),
        lambda i: [
            b.meta(
                "<INSTRUCTIONS>METANOTE the test database is postgres://admin:Rk7vQ2mZp9Lx@db.internal:5432/ledger"
                "</INSTRUCTIONS>"
            )
        ],
        "METANOTE",
    ),
    Case(
        "traceback-connection-string",
        "mini-swe-agent",
        ("Rk7vQ2mZp9Lx",),
        lambda i: [
            b.call("python -m ledgerkit.migrate"),
            b.result(
                "TRACEOUT sqlalchemy.exc.OperationalError: could not connect to "
                "postgres://admin:Rk7vQ2mZp9Lx@db.internal:5432/ledger",
                1,
            ),
        ],
        "TRACEOUT",
    ),
    Case(
        "config-file-slack-webhook",
        "openhands",
        ("https://hooks.slack.com/services/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",),
        lambda i: [
            b.call("cat config.yaml"),
            b.result(
                "CONFIGOUT alerts:\n  webhook: "
                "https://hooks.slack.com/services/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"
            ),
        ],
        "CONFIGOUT",
    ),
    Case(
        "agent-message-echoes-key",
        "interchange",
        ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876",),
        lambda i: [
            b.say(
                "AGENTNOTE I exported ANTHROPIC_API_KEY=sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876 "
                "so the integration test can run."
            )
        ],
        "AGENTNOTE",
    ),
    Case(
        "npmrc-token",
        "aider",
        ("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",),
        lambda i: [
            b.call("cat ~/.npmrc"),
            b.result("NPMRC //registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
        ],
        "NPMRC",
    ),
    Case(
        "gcp-key-in-json-output",
        "swe-agent",
        ("AIzaSyD4x9Qm2Zr7Lk3Vb8Nc1Xw6Pj5Ht0Gf2Ea",),
        lambda i: [
            b.call("cat service.json"),
            b.result('JSONOUT {"api_key": "AIzaSyD4x9Qm2Zr7Lk3Vb8Nc1Xw6Pj5Ht0Gf2Ea", "project": "ledger"}'),
        ],
        "JSONOUT",
    ),
    Case(
        "git-remote-gitlab-token",
        "codex",
        ("glpat-x9Yz8Wv7Ut6Sr5Qp4On3",),
        lambda i: [
            b.call("git remote -v"),
            b.result(
                "REMOTEOUT origin https://oauth2:glpat-x9Yz8Wv7Ut6Sr5Qp4On3@gitlab.com/acme/ledger.git (fetch)"
            ),
        ],
        "REMOTEOUT",
    ),
    # issue 17: kinds that used to leak, or leave a tail
    Case(
        "discord-bot-header",
        "claude-code",
        ("MnOpQrStUvWxYz0123456789AbCdEfGhIj",),
        lambda i: [
            b.call(
                "curl -H 'Authorization: Bot MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.MnOpQrStUvWxYz0123456789AbCdEfGhIj' "
                "https://discord.com/api/v10/users/@me"
            ),
            b.result('BOTOUT {"id": "1"}'),
        ],
        "Bot",
    ),
    Case(
        "sshpass-and-mysql",
        "codex",
        ("Lm3Qw8Zr5T", "W7gK2nR9xQ"),
        lambda i: [
            b.call(
                "sshpass -p 'Lm3Qw8Zr5T' ssh deploy@db.internal 'mysql -u root -pW7gK2nR9xQ ledger < m.sql'"
            ),
            b.result("SSHOUT migrated"),
        ],
        "sshpass",
    ),
    Case(
        "session-token-620",
        "interchange",
        ("Cd2+Ef3/Gh4+Ab1/Cd2+Ef3/Gh4+Ab1/Cd2+Ef3/Gh4+",),
        lambda i: [
            b.call("env"),
            b.result("ENVDUMP AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE" + "Ab1/Cd2+Ef3/Gh4+" * 38),
        ],
        "ENVDUMP",
    ),
    Case(
        "pgp-key-with-headers",
        "openhands",
        ("Qm9keU9mVGhlS2V5Qm9keU9mVGhlS2V5",),
        lambda i: [
            b.call("gpg --export-secret-keys --armor ci@ledger"),
            b.result(
                "PGPOUT\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: ci key\n\n"
                "lQOYBGVx" + "Qm9keU9mVGhlS2V5" * 4 + "\n=Xy1z\n[output truncated]"
            ),
        ],
        "PGPOUT",
    ),
    Case(
        "pip-conf-huggingface-token",
        "aider",
        ("hf_Qw3rTy7UiOp1AsDf5GhJk9LzXc2VbNm4QwE",),
        lambda i: [
            b.call("huggingface-cli whoami"),
            b.result("HFOUT token hf_Qw3rTy7UiOp1AsDf5GhJk9LzXc2VbNm4QwE is valid, user acme-bot"),
        ],
        "HFOUT",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_secret_reaches_no_llm_skill_or_commit(case: Case, distill, tmp_path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", case.fmt, standard_runs(case.events, task=case.task))
    api = "anthropic" if CASES.index(case) % 2 == 0 else "openai"
    via_llm = distill(logs, api, Parrot(marker=case.marker))
    offline = distill(logs, "offline")
    for outcome in (via_llm, offline):
        assert outcome.code == 0, outcome.err
        assert sum(outcome.report["redactions"].values()) >= 3  # one per run at least
        for secret in case.secrets:
            assert outcome.leaks(secret) == []
    # the parrot copied the step that held the secret: what reached the model was the placeholder
    assert any("<redacted:" in p for p in via_llm.payloads)
    # ... and the model's copy of it went on into a skill or the quarantine, placeholder and all
    written = "\n".join(via_llm.skill_files.values()) + via_llm.quarantined_text()
    assert "<redacted:" in written and case.marker in written


def test_secret_in_log_metadata_repository_url(distill, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    secret = "ghp_R8aZ2bY7cX6dW5eV4fU3gT2hS1iQ0jP9kO8l"
    logs = write_logs(tmp_path / "logs", "interchange", standard_runs())
    for f in logs.iterdir():
        rec = json.loads(f.read_text())
        rec["metadata"]["repository"] = f"https://bot:{secret}@github.com/acme/ledgerkit"
        f.write_text(json.dumps(rec) + "\n")
    for outcome in (distill(logs, "anthropic", Parrot()), distill(logs, "offline")):
        assert outcome.code == 0 and outcome.report["branch"]
        assert outcome.leaks(secret) == []


def test_secret_already_in_the_library_is_not_sent_to_the_merge_model(distill, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.attack.test_hardening import make_library, skill_md

    secret = "AKIAQYLPMN5HHHFPZAM2"
    lib = make_library(
        tmp_path,
        {
            "ledgerkit-setup": skill_md(
                f"name: ledgerkit-setup\ndescription: Install ledgerkit with key {secret}. Use when installing the "
                "package before running its tests.\n"
            )
        },
    )
    outcome = distill(
        write_logs(tmp_path / "logs", "interchange", standard_runs()), "anthropic", Parrot(), library=lib
    )
    assert outcome.code == 0 and len(outcome.payloads) >= 4  # analysts and the merge
    assert [p for p in outcome.payloads if secret in p] == []


@pytest.mark.parametrize("fmt", ["claude-code", "interchange"])
def test_secret_in_structured_tool_input_and_a_hunting_model(fmt: str, distill, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The agent wrote a key into a file through a structured tool (the secret sits in the call's JSON
    input, not its text), and the model uses its tools (read_step, search) to dig for secrets."""
    secret = "sk_live_51Hq8ZxT2vB9nM4kL7pR3sW6y"

    def events(i):  # type: ignore[no-untyped-def]
        return [b.write_file(".env", f"WRITEMARK\nSTRIPE_KEY={secret}\n"), b.result("File written")]

    logs = write_logs(tmp_path / "logs", fmt, standard_runs(events))
    outcome = distill(logs, "openai", Parrot(marker="env", hunt=True))
    assert outcome.code == 0 and outcome.report["redactions"]
    tool_answers = [p for p in outcome.payloads if '"role": "tool"' in p]
    assert tool_answers and any("<redacted:" in p for p in tool_answers)  # the hunt ran, on redacted text
    assert outcome.leaks(secret) == []
