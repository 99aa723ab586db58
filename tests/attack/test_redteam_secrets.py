"""Red-team secrets: token kinds from maintained rule sets (gitleaks' list), encrypted private keys,
service-account JSON, connection strings and passwords on command lines, written the way a real log
or a careless skill carries them (values generated here, random, of each kind's alphabet and length).

For each: the redaction pass that runs before every LLM request, file write and commit removes it;
``validate`` reports it in a skill folder (an error for a known token shape, as docs/validate.md
says); ``scan`` finds it and prints no secret; ``ingest --json`` prints none; and an offline
``distill`` over a log where the agent printed it puts it nowhere (skills, quarantine, pull-request
body, git history, console)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.attack import builders as b
from tests.attack.conftest import standard_runs, write_logs
from tests.attack.redteam import ALNUM, B64, HEX, UPPER_B32, URLSAFE, rand, safety, skill_folder, validate

LETTERS = ALNUM[:52]
PW = rand("pw", ALNUM, 22)


def _pem(kind: str, seed: str, headers: str = "", lines: int = 6) -> tuple[str, str]:
    body = [rand(f"{seed}{i}", B64, 64) for i in range(lines)]
    block = f"-----BEGIN {kind}-----\n{headers}" + "\n".join(body) + f"\n-----END {kind}-----"
    return block, body[2]


def _jwt() -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    claims = json.dumps({"sub": "svc-ledger", "role": "admin", "iat": 1760000000}).encode()
    payload = base64.urlsafe_b64encode(claims).rstrip(b"=").decode()
    return f"{head}.{payload}.{rand('jwt', URLSAFE, 43)}"


@dataclass(frozen=True)
class Case:
    id: str
    secret: str  # the value that must appear nowhere
    text: str  # how the log (and a careless skill) carries it
    high: bool = True  # a known token shape: validate must call it an error (else a warning will do)
    ran: bool = False  # the text is a command the agent ran (else output it printed)


GH_PAT = "github_pat_" + rand("ghpat", ALNUM, 22) + "_" + rand("ghpat2", ALNUM, 59)
GLPAT = "glpat-" + rand("glpat", ALNUM, 20)
SSH_BLOCK, SSH_LINE = _pem("OPENSSH PRIVATE KEY", "ssh")
EC_BLOCK, EC_LINE = _pem(
    "EC PRIVATE KEY",
    "ec",
    f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{rand('dek', HEX, 32).upper()}\n\n",
)
P8_BLOCK, P8_LINE = _pem("ENCRYPTED PRIVATE KEY", "p8")
GCP_BLOCK, GCP_LINE = _pem("PRIVATE KEY", "gcp", lines=8)
GCP_JSON = json.dumps(
    {
        "type": "service_account",
        "project_id": "ledgerkit-ci",
        "private_key_id": rand("gcpid", HEX, 40),
        "private_key": GCP_BLOCK + "\n",
        "client_email": "ci@ledgerkit-ci.iam.gserviceaccount.com",
    },
    indent=2,
)
AZ_KEY = rand("azkey", B64, 86) + "=="
AWS_SK = rand("awssk", ALNUM + "/+", 40)
JWT = _jwt()
TELEGRAM = "7481920365:AA" + rand("tg", URLSAFE, 33)

CASES = [
    Case(
        "github-fine-grained-pat",
        GH_PAT,
        f"git remote set-url origin https://x:{GH_PAT}@github.com/acme/l.git",
        ran=True,
    ),
    Case(
        "gitlab-pat-in-clone",
        GLPAT,
        f"git clone https://oauth2:{GLPAT}@gitlab.com/acme/ledgerkit.git",
        ran=True,
    ),
    Case(
        "gitlab-pat-header",
        GLPAT,
        f'curl -H "PRIVATE-TOKEN: {GLPAT}" https://gitlab.com/api/v4/projects',
        ran=True,
    ),
    Case("stripe-live", (s := "sk_live_51" + rand("stripe", ALNUM, 97)), f'stripe.api_key = "{s}"'),
    Case("stripe-restricted", (s := "rk_live_51" + rand("rk", ALNUM, 97)), f"STRIPE_RK={s}"),
    Case("npm-token-npmrc", (s := "npm_" + rand("npm", ALNUM, 36)), f"//registry.npmjs.org/:_authToken={s}"),
    Case(
        "pypi-token-pypirc",
        (s := "pypi-AgEIcHlwaS5vcmc" + rand("pypi", URLSAFE, 150)),
        f"[pypi]\n  password = {s}",
    ),
    Case(
        "pypi-twine",
        (s := "pypi-AgEIcHlwaS5vcmc" + rand("pypi2", URLSAFE, 150)),
        f"twine upload -u __token__ -p {s} dist/*",
        ran=True,
    ),
    Case(
        "huggingface-cli",
        (s := "hf_" + rand("hf", LETTERS, 34)),
        f"huggingface-cli login --token {s}",
        ran=True,
    ),
    Case("openai-project", (s := "sk-proj-" + rand("oai", URLSAFE, 156)), f"OPENAI_API_KEY={s}"),
    Case(
        "anthropic-header",
        (s := "sk-ant-api03-" + rand("ant", URLSAFE, 93) + "AA"),
        f'curl https://api.anthropic.com/v1/messages -H "x-api-key: {s}"',
        ran=True,
    ),
    Case("shopify-header", (s := "shpat_" + rand("shop", HEX, 32)), f"X-Shopify-Access-Token: {s}"),
    Case(
        "shopify-bare",
        (s := "shpss_" + rand("shop2", HEX, 32)),
        f"Shopify app secret is {s} (from the partner dashboard)",
    ),
    Case(
        "linear-authorization",
        (s := "lin_api_" + rand("lin", ALNUM, 40)),
        f'curl -H "Authorization: {s}" https://api.linear.app/graphql',
        ran=True,
    ),
    Case("vault-login", (s := "hvs." + rand("hvs", URLSAFE, 91)), f"vault login {s}", ran=True),
    Case(
        "vault-output",
        (s := "hvs." + rand("hvs2", URLSAFE, 91)),
        f"Key                  Value\n---                  -----\ntoken                {s}\ntoken_accessor       x",
    ),
    Case("doppler", (s := "dp.pt." + rand("dp", ALNUM, 43)), f"doppler configure set token {s}", ran=True),
    Case(
        "age-secret-key",
        (s := "AGE-SECRET-KEY-1" + rand("age", UPPER_B32, 58)),
        f"# created: 2025-01-01\n# public key: age1{rand('agepub', UPPER_B32, 58).lower()}\n{s}",
    ),
    Case(
        "twilio-api-key", (s := "SK" + rand("tw", HEX, 32)), f'client = twilio.rest.Client("{s}", api_secret)'
    ),
    Case(
        "mailgun-key", (s := "key-" + rand("mg", HEX, 32)), f'requests.post(MAILGUN_URL, auth=("api", "{s}"))'
    ),
    Case("jwt-in-query", JWT, f"GET https://api.ledgr.io/v1/export?access_token={JWT} 200"),
    Case("jwt-cookie", JWT, f"Set-Cookie: session={JWT}; Path=/; HttpOnly"),
    Case("openssh-encrypted", SSH_LINE, SSH_BLOCK),
    Case("ec-encrypted-pem", EC_LINE, EC_BLOCK),
    Case("pkcs8-encrypted", P8_LINE, P8_BLOCK),
    Case("gcp-service-account-json", GCP_LINE, GCP_JSON),
    Case(
        "azure-storage-connection",
        AZ_KEY,
        f"DefaultEndpointsProtocol=https;AccountName=ledgr;AccountKey={AZ_KEY};EndpointSuffix=core.windows.net",
    ),
    Case(
        "azure-sp-login",
        (s := rand("azsp", ALNUM, 3) + "8Q~" + rand("azsp2", ALNUM + "_~.-", 34)),
        f"az login --service-principal -u 1f2e3d4c -p {s} --tenant t",
        ran=True,
    ),
    Case("postgres-url", PW, f"DATABASE_URL=postgres://ledger:{PW}@db.internal:5432/ledger"),
    Case(
        "mongodb-srv",
        (s := rand("mongo", ALNUM, 18)),
        f'client = MongoClient("mongodb+srv://svc:{s}@cluster0.ab1cd.mongodb.net/ledger")',
    ),
    Case(
        "redis-empty-user",
        (s := rand("redis", ALNUM, 24)),
        f"redis-cli -u redis://:{s}@cache.internal:6379/0 ping",
        ran=True,
    ),
    Case("pgpass-line", (s := rand("pgpass", ALNUM, 20)), f"db.internal:5432:ledger:ledger:{s}", high=False),
    Case(
        "docker-login-p",
        (s := rand("dock", ALNUM, 20)),
        f"docker login -u ci-bot -p {s} registry.ledgr.io",
        ran=True,
        high=False,
    ),
    Case(
        "docker-login-password",
        (s := rand("dock2", ALNUM, 20)),
        f"docker login --username ci-bot --password {s} ghcr.io",
        ran=True,
        high=False,
    ),
    Case(
        "helm-repo-password",
        (s := rand("helm", ALNUM, 20)),
        f"helm repo add ledgr https://charts.ledgr.io --username bot --password {s}",
        ran=True,
        high=False,
    ),
    Case("aws-configure-set", AWS_SK, f"aws configure set aws_secret_access_key {AWS_SK}", ran=True),
    Case(
        "dotenv-export-token",
        (s := rand("envtok", ALNUM, 32)),
        f"export LEDGER_API_TOKEN={s}\nexport DEBUG=1",
        high=False,
    ),
    Case("dotenv-quoted-secret", (s := rand("envsec", ALNUM, 32)), f"LEDGER_CLIENT_SECRET='{s}'", high=False),
    Case("digitalocean", (s := "dop_v1_" + rand("do", HEX, 64)), f"doctl auth init -t {s}", ran=True),
    Case(
        "databricks",
        (s := "dapi" + rand("dbx", HEX, 32)),
        f"databricks configure --host https://x.cloud.databricks.com --token <<< {s}",
        ran=True,
    ),
    Case(
        "postman",
        (s := "PMAK-" + rand("pm", HEX, 24) + "-" + rand("pm2", HEX, 34)),
        f"newman run c.json --postman-api-key {s}",
        ran=True,
    ),
    Case(
        "grafana-service-account",
        (s := "glsa_" + rand("gr", ALNUM, 32) + "_" + rand("gr2", HEX, 8)),
        f"GF_SA={s}",
    ),
    Case(
        "sentry-user-token",
        (s := "sntryu_" + rand("sen", HEX, 64)),
        f"sentry-cli --auth-token {s} releases new 1.2",
        ran=True,
    ),
    Case(
        "newrelic-user-key",
        (s := "NRAK-" + rand("nr", "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 27)),
        f"newrelic profile add --apiKey {s}",
        ran=True,
    ),
    Case("pulumi", (s := "pul-" + rand("pul", HEX, 40)), f"pulumi login --token {s}", ran=True),
    Case("atlassian", (s := "ATATT3xFfGF0" + rand("atl", URLSAFE, 180)), f"jira init --token {s}", ran=True),
    Case(
        "planetscale",
        (s := "pscale_pw_" + rand("ps", URLSAFE, 43)),
        f"mysql://u:{s}@aws.connect.psdb.cloud/ledger",
    ),
    Case(
        "telegram-bot-url",
        TELEGRAM,
        f"curl https://api.telegram.org/bot{TELEGRAM}/sendMessage -d text=done",
        ran=True,
    ),
    Case(
        "terraform-cloud",
        (s := rand("tfc", ALNUM, 14) + ".atlasv1." + rand("tfc2", URLSAFE, 67)),
        f'credentials "app.terraform.io" {{\n  token = "{s}"\n}}',
    ),
]
IDS = [c.id for c in CASES]


def _events(case: Case):  # type: ignore[no-untyped-def]
    if case.ran:
        return lambda i: [b.call(case.text), b.result("done")]
    return lambda i: [b.call("cat .env.local ~/.config/ledgr/creds"), b.result(case.text)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_redaction_removes_it(case: Case) -> None:
    from skillforge.safety.redact import find_secrets, redact

    out, counts = redact(case.text)
    assert case.secret not in out and sum(counts.values()) >= 1
    assert find_secrets(case.text)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_validate_flags_it_in_a_skill(case: Case, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = skill_folder(tmp_path / "lib", f"Run this first:\n\n```bash\n{case.text}\n```")
    findings, printed = validate(cli, lib)
    secrets = [f for f in safety(findings, "error" if case.high else None) if f["rule"] == "SF501"]
    assert secrets, findings
    assert case.secret not in printed


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_scan_and_ingest_print_no_secret(case: Case, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", "claude-code", standard_runs(_events(case), n=1))
    scanned = cli("scan", str(logs), "--json")
    assert scanned.code == 4, scanned.out
    assert case.secret not in scanned.out + scanned.err
    ingested = cli("ingest", str(logs), "--json")
    assert ingested.code == 0 and "ledgerkit" in ingested.out
    assert case.secret not in ingested.out + ingested.err


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_offline_distill_writes_it_nowhere(case: Case, distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", "codex", standard_runs(_events(case)))
    outcome = distill(logs, "offline")
    assert outcome.code == 0, outcome.err
    assert sum(outcome.report["redactions"].values()) >= 3
    assert outcome.leaks(case.secret) == [] and case.secret not in outcome.err
    assert case.secret not in outcome.quarantined_text()


ROUTED = [
    c for c in CASES if c.id in ("vault-login", "shopify-header", "age-secret-key", "openssh-encrypted")
]
ROUTED += [c for c in CASES if c.id in ("digitalocean", "huggingface-cli", "gcp-service-account-json")]


@pytest.mark.parametrize("case", ROUTED, ids=[c.id for c in ROUTED])
def test_route_and_the_hook_withhold_a_skill_carrying_it(case: Case, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A known token shape is an error, so route (text, JSON) and the hook never hand the skill out."""
    import json as _json

    from tests.attack.test_route import CLEAN, TASK, make_library, poisoned

    lib = make_library(tmp_path, {"csv-export-header": CLEAN, "csv-export-fix": poisoned(case.text, "")})
    hook = _json.dumps({"prompt": TASK, "cwd": str(tmp_path)})
    outputs = [
        cli("route", TASK, "--library", str(lib), "--max-tokens", "4000").out,
        cli("route", TASK, "--library", str(lib), "--json").out,
        cli("route", "--hook", "claude", "--library", str(lib), stdin=hook).out,
    ]
    for out in outputs:
        assert "csv-export-header" in out
        assert "csv-export-fix" not in out and case.secret not in out
