"""Secret redaction: every kind, in the places secrets turn up in logs, with typed placeholders and
counts; no false positives on SHAs, UUIDs and hashes; private keys removed whole; paths normalised."""

from __future__ import annotations

import json

import pytest

from skillforge.ingest.tools import decode_actions
from skillforge.model import Patch, Role, Shell, Step, StepKind, Trajectory
from skillforge.safety.redact import find_secrets, mask, redact, scrub, scrub_tree
from skillforge.safety.trajectory_redaction import redact_trajectory

GH = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"
SECRETS = {
    "aws-access-key": "AKIAQWERTYUIOPASDFGH",
    "gcp-api-key": "AIza" + "SyD4x9Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6Lm",
    "azure-client-secret": "abc8Q~" + "Xy7Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0AeQ",
    "github-token": GH,
    "gitlab-token": "glpat-" + "Xy7Zq2Lm9Pw4Rt6Vb8Nc",
    "slack-token": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack-webhook": "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXxxxxYYYYyyyyZZZZzzzz",
    "stripe-key": "sk_live_" + "51HxYzAbCdEfGhIjKlMnOpQr",
    "anthropic-key": "sk-ant-api03-" + "Xy7Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0Ae",
    "openai-key": "sk-proj-" + "T3BlbkFJx9Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6",
    "huggingface-token": "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "npm-token": "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "pypi-token": "pypi-AgEIcHlwaS5vcmc" + "CJDk4ZTUxNTdmLTQ0OWUtNGNmYy04ZmY5LTg5",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0Ae\n"
    "Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6LmN9bV2cX4zA1sD3fG5hJ7kL9\n-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_each_token_kind_in_tool_output(kind: str) -> None:
    secret = SECRETS[kind]
    text = f"$ deploy --verbose\nusing credential {secret} for upload\ndone\n"
    cleaned, counts = redact(text)
    assert secret not in cleaned
    assert f"<redacted:{kind}>" in cleaned
    assert counts == {kind: 1}
    assert cleaned.startswith("$ deploy --verbose\nusing credential <redacted:")


@pytest.mark.parametrize(
    ("text", "kind", "kept"),
    [
        ("DB_PASSWORD=hunter22\n", "password", "DB_PASSWORD="),
        ("export API_KEY=abc123def456\n", "secret", "export API_KEY="),
        ("password: Tr0ub4dor&3\n", "password", "password: "),
        ('{"client_secret": "s3cr3t-value-123"}', "secret", '{"client_secret": "'),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "aws-secret-key",
            "aws_secret_access_key = ",
        ),
        ("postgres://app:Sup3rS3cret@db.internal:5432/app", "connection-string", "postgres://app:"),
        ("mongodb+srv://root:Pa55word9@cluster0.example.net/db", "connection-string", "mongodb+srv://root:"),
        ("redis://:r3d1sPass@cache:6379/0", "connection-string", "redis://:"),
        ("git clone https://bob:tok3nValue@git.example.com/repo.git", "url-password", "https://bob:"),
        (
            "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + "A1b2" * 22 + "==;",
            "azure-storage-key",
            "AccountKey=",
        ),
        ('config = {"signing": "Zk3Lq9Xv2Rt7Wm4Np8Bc6Hd1Jf5Gs0Ka"}', "high-entropy", '"signing": "'),
        ('curl -H "Authorization: Bearer abcDEF1234567890xyzXYZ" https://api', "bearer-token", "Bearer "),
    ],
)
def test_assignments_urls_and_entropy_keep_the_key(text: str, kind: str, kept: str) -> None:
    cleaned, counts = redact(text)
    assert counts == {kind: 1}
    assert kept + f"<redacted:{kind}>" in cleaned


def test_env_dump_redacts_secret_lines_only() -> None:
    dump = (
        "HOME=/home/dev\nPATH=/usr/bin:/bin\nGITHUB_TOKEN=" + GH + "\nSTRIPE_SECRET_KEY=sk_live_"
        "51HxYzAbCdEfGhIjKlMnOpQr\nDATABASE_PASSWORD=correct-horse-9\nLANG=C.UTF-8\n"
    )
    cleaned, counts = redact(dump)
    assert counts == {"github-token": 1, "stripe-key": 1, "password": 1}
    assert "PATH=/usr/bin:/bin\n" in cleaned and "LANG=C.UTF-8" in cleaned
    assert "DATABASE_PASSWORD=<redacted:password>" in cleaned


def test_secret_in_a_diff_and_in_a_user_message() -> None:
    diff = (
        '--- a/settings.py\n+++ b/settings.py\n@@ -1,2 +1,2 @@\n-SECRET_KEY = "dev"\n'
        '+SECRET_KEY = "k8Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0AeQw"\n'
    )
    cleaned, counts = redact(diff)
    assert counts == {"secret": 1} and "k8Zq2" not in cleaned and '-SECRET_KEY = "dev"' in cleaned
    cleaned, counts = redact(f"here is my key {SECRETS['anthropic-key']} please use it")
    assert counts == {"anthropic-key": 1}


def test_raw_json_with_duplicate_keys_is_scanned() -> None:
    raw = '{"token": "placeholder", "token": "' + GH + '"}'
    assert json.loads(raw)["token"] == GH  # parsing keeps only the last value; the scan sees both
    cleaned, counts = redact(raw)
    assert GH not in cleaned and counts["github-token"] == 1


def test_json_escaped_env_line_inside_a_log_record() -> None:
    record = json.dumps({"output": "OPENAI_API_KEY=" + SECRETS["openai-key"] + "\nDEBUG=1"})
    cleaned, counts = redact(record)
    assert counts == {"openai-key": 1}
    assert json.loads(cleaned)["output"] == "OPENAI_API_KEY=<redacted:openai-key>\nDEBUG=1"


def test_private_key_removed_whole() -> None:
    text = f"key file:\n{PRIVATE_KEY}\nafter\n"
    cleaned, counts = redact(text)
    assert cleaned == "key file:\n<redacted:private-key>\nafter\n"
    assert counts == {"private-key": 1}


def test_private_key_escaped_in_json_and_truncated() -> None:
    cleaned, _ = redact(json.dumps({"content": PRIVATE_KEY}))
    assert json.loads(cleaned) == {"content": "<redacted:private-key>"}
    truncated = PRIVATE_KEY.split("-----END")[0]
    cleaned, _ = redact(truncated + "\n\n$ ls\n")
    assert "MIIE" not in cleaned and "Qw2Er5" not in cleaned and cleaned.endswith("$ ls\n")


@pytest.mark.parametrize(
    "text",
    [
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8\nAuthor: x",
        "id: 123e4567-e89b-12d3-a456-426614174000",
        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        '{"tool_use_id": "toolu_01A09q90qw90lq917835lq9", "uuid": "5c0375b4-57a5-4f26-b12d-d022ee4e51b7"}',
        '{"input_tokens": 1234, "max_tokens": 4096, "token_count": 17}',
        "password = getpass.getpass()\ntoken = response.json()['token']\npassword = ReadOnlyPasswordHashField(",
        "Set API_KEY=${API_KEY} or password: <your password>; token: ****",
        '  File "/usr/lib/python3.11/site-packages/_pytest/python.py", line 194: PytestRemovedIn8Warning',
        "integrity: sha512-Q2FkZ3VtZW50cyBhbmQgc2V0dGluZ3M=",
        "See https://docs.python.org/3/library/secrets.html and task-skill-risk-assessment-for-deploys",
        "A bearer token is required; pass it as a token such as your_personal_token_here_please.",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert find_secrets(text) == []
    assert redact(text) == (text, {})


def test_find_secrets_positions_and_masked_preview() -> None:
    text = "line one\nexport TOKEN_X=1\nuse " + GH + " now\n"
    [f] = find_secrets(text)
    assert (f.kind, f.line, f.column) == ("github-token", 3, 5)
    assert text[f.start : f.end] == GH
    assert GH not in f.preview and f.preview.startswith("ghp_") and "40 chars" in f.preview


def test_mask_never_shows_short_secrets() -> None:
    assert mask("hunter2") == "****(7 chars)"


def test_placeholders_are_not_redacted_again() -> None:
    once, _ = redact(f"API_KEY={GH}")
    assert redact(once) == (once, {})


def test_scrub_normalises_home_folders() -> None:
    text, counts = scrub("cd /Users/alice/src && ls /home/bob/.cache C:\\Users\\carol\\x")
    assert text == "cd ~/src && ls ~/.cache ~\\x"
    assert counts == {"home-path": 3}


def test_redact_trajectory_cleans_text_input_task_and_cwd() -> None:
    traj = Trajectory(
        id="t1",
        source="s.jsonl",
        format="test",
        agent="test",
        task=f"use {GH}",
        cwd="/home/alice/proj",
        steps=[
            Step(
                0,
                Role.ASSISTANT,
                StepKind.TOOL_CALL,
                text="env",
                tool_name="Bash",
                input={"command": f"curl -H 'Authorization: token {GH}' x"},
            ),
            Step(1, Role.TOOL, StepKind.TOOL_RESULT, text=f"AWS=AKIAQWERTYUIOPASDFGH\n{PRIVATE_KEY}"),
        ],
    )
    counts = redact_trajectory(traj)
    assert counts == {"github-token": 2, "aws-access-key": 1, "private-key": 1, "home-path": 1}
    assert traj.task == "use <redacted:github-token>" and traj.cwd == "~/proj"
    assert traj.steps[0].input == {"command": "curl -H 'Authorization: token <redacted:github-token>' x"}
    assert GH not in json.dumps(traj.to_dict()) and "MIIE" not in traj.steps[1].text


def test_columns_of_several_secrets_on_later_lines() -> None:
    text = "a\nbb " + GH + " and " + GH + "\nccc " + GH
    found = find_secrets(text)
    assert [(f.line, f.column) for f in found] == [(2, 4), (2, 4 + len(GH) + 5), (3, 5)]


def test_scrub_tree_cleans_nested_strings_and_keeps_keys() -> None:
    data = {"failures": [f"provider said: bad key {GH}"], "n": 3, "path": ("/home/alice/x",)}
    assert scrub_tree(data) == {
        "failures": ["provider said: bad key <redacted:github-token>"],
        "n": 3,
        "path": ["~/x"],
    }


def test_a_stack_trace_line_number_after_a_token_file_is_no_secret() -> None:
    from skillforge.safety.redact import find_secrets

    trace = "    (phoenix 1.8.3) lib/phoenix/token.ex:266: Phoenix.Token.get_endpoint_key_base/1\n"
    assert not [s for s in find_secrets(trace) if s.kind in ("secret", "password")]
    assert find_secrets('API_TOKEN: "s3cr3t-Value-9x"\n')  # a real assignment still is one


def test_redact_trajectory_cleans_the_typed_action_too() -> None:
    command = f"curl -H 'Authorization: token {GH}' x"
    call = Step(0, Role.ASSISTANT, StepKind.TOOL_CALL, command, tool_name="Bash", input={"command": command})
    body = f"*** Begin Patch\n*** Update File: a.py\n+KEY = '{GH}'\n*** End Patch"
    patch = Step(
        1, Role.ASSISTANT, StepKind.TOOL_CALL, "patch", tool_name="apply_patch", input={"input": body}
    )
    traj = Trajectory(
        id="t", source="s", format="test", agent="codex", cwd="/home/alice/p", steps=[call, patch]
    )
    decode_actions(traj)
    assert isinstance(call.action, Shell) and GH in call.action.command
    assert isinstance(patch.action, Patch) and GH in patch.action.text
    counts = redact_trajectory(traj)
    assert counts["github-token"] == 3  # the call's text and input, the patch's input: copies not counted
    assert call.action == Shell("curl -H 'Authorization: token <redacted:github-token>' x", "~/p")
    assert isinstance(patch.action, Patch) and GH not in patch.action.text
    assert "+KEY = '<redacted:github-token>'" in patch.action.text


@pytest.mark.parametrize(
    "text",
    [
        'CredentialOpFill    CredentialOp = "fill"',  # a Go constant of a credential helper's operations
        "usage: tokenUsage = prompt_tokens + completion_tokens",
        'TokenType = "bearer"',
        'SecretName = "db-creds"',
    ],
)
def test_a_camel_case_name_for_what_a_secret_is_is_no_secret(text: str) -> None:
    """Seen in ../shared/corpus (claude-code and codex): 28 'secret' findings, 12 of them values of
    camelCase names such as these; the snake_case forms (token_type, secret_name) were already passed."""
    assert find_secrets(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [('dbPassword = "hunter2x"', "password"), ('apiToken = "q7Rk2mWp9xLs4vNt"', "secret")],
)
def test_camel_case_secret_names_still_hold_secrets(text: str, kind: str) -> None:
    assert [f.kind for f in find_secrets(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        '"toolUseID":"agent_msg_01KPLrXq9mTz4VbN2wYc8HdJsF"',  # Claude Code's ids of subagent messages
        "github.com/spf13/pflag v1.0.9 h1:9exaQaMOCwffKiiiYk6/BndUBv+iRViNW+4lEMi0PvY=",  # a go.sum hash
        "credentials: { accessKeyId: env.R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY }",
    ],
)
def test_ids_and_hashes_under_camel_case_or_go_sum_keys_are_not_high_entropy_secrets(text: str) -> None:
    """Seen in ../shared/corpus (claude-code and codex): 83 high-entropy findings, 58 of them
    toolUseID/parentToolUseID values and most of the rest go.sum hashes."""
    assert [f.kind for f in find_secrets(text)] == []


def test_a_random_value_under_a_camel_case_secret_key_is_still_found() -> None:
    assert [f.kind for f in find_secrets('secretKey: "q7Rk2mWp9xLs4vNt8bYc3dFgZ1"')] != []


@pytest.mark.parametrize(
    "text",
    [
        "vault write auth/approle/login role_id=db02de05 secret_id=6a174c20-f6de-a53c-74d2-6018fcceff64",
        'await vault.approleLogin({ roleId, secretId: "3f9a1c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b" })',
        "SecretID: 3f9a1c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b",
    ],
)
def test_a_vault_secret_id_is_a_secret_though_its_key_ends_in_id(text: str) -> None:
    """A Vault AppRole secret_id (a UUID) is the credential its login sends; the _id/Id suffix that
    marks other keys as ids must not hide it."""
    assert [f.kind for f in find_secrets(text)] == ["secret"]


def test_an_aws_secrets_manager_secret_id_stays_a_name() -> None:
    assert (
        find_secrets('{"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod-db-AbC"}') == []
    )


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ('t.Setenv("GITSYNC_SOURCE_TOKEN", "SUPERSECRET")', "SUPERSECRET", "secret"),
        ('t.Setenv(\\"GITSYNC_SOURCE_TOKEN\\", \\"SUPERSECRET\\")', "SUPERSECRET", "secret"),  # in raw JSON
        ("monkeypatch.setenv('DB_PASSWORD', 'correcthorse')", "correcthorse", "password"),
        (
            'os.environ.setdefault("SECRET_KEY", "django-insecure-abc123xyz")',
            "django-insecure-abc123xyz",
            "secret",
        ),
        ('os.environ["API_TOKEN"] = "s3cr3tvalue99"', "s3cr3tvalue99", "secret"),
    ],
)
def test_an_environment_variable_set_in_code_holds_its_secret(text: str, value: str, kind: str) -> None:
    """A new user's probe: Go's t.Setenv("X_TOKEN", "…") in a Codex log went through ingest --json
    unredacted, while the shell's X_TOKEN=… was redacted."""
    assert [f.kind for f in find_secrets(text)] == [kind]
    assert value not in redact(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        'choose("token", "keyword")',
        'os.environ.get("API_TOKEN", "")',
        "the token, value pair",
        # a review found these redacted: items of a list, the next key of an object, a tuple of names
        'ENV_VARS = ["GITHUB_TOKEN", "NPM_TOKEN", "HOME"]',
        'required = ("AWS_SECRET_ACCESS_KEY", "AWS_REGION")',
        'pair("AWS_SECRET_ACCESS_KEY", "AWS_REGION")',
        '{ "binding": "API_KEY", "store_id": "abc123", "secret_name": "dev_api_key" }',
        'required_environment_variables: [{"name": "OPENROUTER_API_KEY", "prompt": "Your key"}]',
        "for secret in ['secret', 'password', 'your-256-bit-secret']:\n        try:",
        '<rtk-meeting [authToken]="authToken" (rtkLeave)="onLeave($event)"></rtk-meeting>',
    ],
)
def test_a_name_value_pair_is_a_secret_only_as_an_environment_variable(text: str) -> None:
    assert find_secrets(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "password: 'Tr0ub4dor&3'",
        'DB_PASSWORD="p@ss;word(1)"',
        '{\\"password\\": \\"a&b;c9\\"}',
    ],
)
def test_a_quoted_secret_is_redacted_to_its_closing_quote(text: str) -> None:
    """A quoted password holding '&', ';' or a space kept its tail in clear ('<redacted:password>&3')."""
    redacted = redact(text)[0]
    assert "<redacted:password>" in redacted
    assert redacted.split("<redacted:password>", 1)[1].lstrip("\\") in ("'", '"', '"}', "'}")


@pytest.mark.parametrize(
    "text",
    [
        'export GITHUB_TOKEN="$(gh auth token)"',
        'DB_PASSWORD="$(cat /run/secrets/db)"',
        'password: "${{ secrets.DB_PASSWORD }}"',
        'password = "your password here"',
        'secret: "see the vault entry for prod"',
    ],
)
def test_a_quoted_reference_or_prose_is_left_as_written(text: str) -> None:
    """The safe way to pass a secret (a command substitution, a CI secret) must reach the agent as the
    skill teaches it; a review found them redacted once quoted values ran to their closing quote."""
    assert redact(text)[0] == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"grant_type": "password", "password": "hunter2xyz99", "username": "bob"}', "hunter2xyz99"),
        ("Set the token, password: hunter2xyz99", "hunter2xyz99"),
        ("environment: [GITHUB_TOKEN, DB_PASSWORD=s3cr3tpass]", "s3cr3tpass"),
        ("scheme=token, access_token=Zq81kd02mA7xLp", "Zq81kd02mA7xLp"),
    ],
)
def test_a_secret_word_before_a_comma_does_not_hide_the_next_pair(text: str, value: str) -> None:
    """A re-review found these in clear: a word such as 'password' before a comma was taken as a
    (name, value) pair, refused, and the secret after it was never read (all redacted at 3822f03)."""
    assert value not in redact(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASS=$DB_PASS",  # references, placeholders and documented examples stay as written
        "export RAILS_MASTER_KEY=${RAILS_MASTER_KEY}",
        'curl -H "Authorization: SSWS ${OKTA_API_TOKEN}" https://acme.okta.com/api/v1/users',
        '  -H "Authorization: Bearer token123" \\',
        "<password>${env.MAVEN_PASSWORD}</password>",
        "- `<Password>HASH</Password>` with `<PasswordSalt>SALT</PasswordSalt>`",
        "<key>CFBundleIdentifier</key><string>com.acme.app</string>",
        "redis-cli -a $REDIS_PASSWORD ping",
        "keytool -list -keystore rel.jks -storepass:env STOREPASS",
        "gpg --batch --passphrase-file pw.txt -d secrets.gpg",
        'echo "secret-value" | wrangler secret put SECRET',
        "psql -h db -U app -W mydb",
        "CREATE USER app WITH PASSWORD '%s'",
        "requests.get(url, auth=(user, password))",
        "sshpass -p 'CRACKED_PASS' ssh user@target",
        "SORT_KEY=created_at",  # names, paths, public keys and ports are no secrets
        "SSH_KEY=~/.ssh/id_ed25519",
        "DEPLOY_KEY: ssh-ed25519",
        "NEXT_PUBLIC_ALGOLIA_SEARCH_KEY=9f2b7c41d8e0a6b3c5d7e9f1a2b4c6d8",
        "PARTITION_KEY=tenant_id",
        "--- PASS: TestGetGitAuthorFromRepo (0.01s)",
        "PASS: .a/foo.py was ignored",
        "- Low-pass: 10-20 Hz (remove high-frequency noise)",
        "    'encompass': 'include, cover, span',",
        "// Bypass: https://trusted.com.attacker.com",
        "see http://localhost:8080/users/@me for the profile",
        "Sec-WebSocket-Version: 13",
        "<password>\n  ${env.MAVEN_PASSWORD}\n</password>",  # the formats' multi-line and other spellings
        '<add key="PageSize" value="20"/>',
        '<property name="db.password" value="${db.password}"/>',
        '{\n  "api_url": {\n    "sensitive": false,\n    "type": "string",\n    "value": "https://api.acme.io"\n  }\n}',
        "ALTER ROLE app PASSWORD NULL;",
        "ALTER USER postgres PASSWORD 'postgres';",
        "SET PASSWORD FOR 'app'@'%' = PASSWORD('%s');",
        "CREATE USER app IDENTIFIED WITH caching_sha2_password BY '<password>';",
        "sign the URL and append it as the `signature=` query parameter",
        "GET /v1/verify?signature=invalid&t=1",
        "SECOND_PASS=completed",  # a pass of a process or a test, and keys that name data (review13 F12)
        "e2e_pass=41/41",
        "export LINT_PASS=98.5%",
        "S3_OBJECT_KEY=uploads/2024/a1b2c3d4e5f6.png",
        "UPLOAD_KEY=tenant-a/2024/06/9f2b7c41d8e0.json",
        "IDEMPOTENCY_KEY=9f2b7c41d8e0a6b3c5d7e9f1a2b4c6d8",
        "row_key=a1b2c3d4e5f6g7h8",
        "dedup_key: 4c1e9a7d2b8f0e3a6c5d",
        "const hashKey = 'x9f2b7c41d8e0';",
        '  "experiment_key": "0c4a1c4a9f2b7c41d8e0a6b3c5d7e9f1",',
        "REQUEST_KEY=order-2024-000123",
    ],
)
def test_new_shapes_leave_references_placeholders_and_names_alone(text: str) -> None:
    assert redact(text) == (text, {}), redact(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("export RAILS_MASTER_KEY=9f2b7c41d8e0a6b3c5d7e9f1a2b4c6d8", "secret"),
        ("export DB_PASS=Xk9mP2qL7vR4", "password"),
        ("docker run -e DB_PW=Xk9mP2qL7vR4 postgres", "password"),
        ("appKey: 9f2b7c41d8e0a6b3c5d7e9f1a2b4c6d8", "secret"),
        ("redis-cli -a Qw8rT5yU2iO9pA3sD6fG ping", "cli-password"),
        ('curl -H "Authorization: SSWS 00Xk9mP2qL7vR4wT8zAbCdEf12GhIj" https://acme.okta.com', "auth-header"),
        ("<password>Xk9mP2qL7vR4</password>", "password"),
        ("whsec_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "webhook-secret"),
        ("vault login s.Xk9mP2qL7vR4wT8zAbCdEf12", "vault-token"),
    ],
)
def test_new_shapes_are_redacted_with_their_kind(text: str, kind: str) -> None:
    assert redact(text)[1] == {kind: 1}, redact(text)


def test_a_url_password_ends_at_the_next_url() -> None:
    """The password of ``scheme://user:pw@`` may hold "/" but not "://": it read on through every later URL
    of the line (100 KB of ``://x:y`` took 5 s; ``benchmarks/safety_redos.py`` times it) and, refusing a
    value holding "://", hid the real credential of the next URL behind the first."""
    assert redact("http://x:y/ftp://deploy:Xk29pLq7@files.acme.io") == (
        "http://x:y/ftp://deploy:<redacted:url-password>@files.acme.io",
        {"url-password": 1},
    )
    for line in ("://x:y" * 20_000, "http://u:p" * 10_000):
        assert redact(line) == (line, {})


def test_a_session_cookie_is_redacted_but_low_confidence() -> None:
    """Security skills show sample cookies: validate warns (an error would withhold the skill)."""
    (found,) = find_secrets("Cookie: session=aXPdmjKkH7G8jDs9Kf3L2")
    assert (found.kind, found.confidence) == ("session-cookie", "low")
