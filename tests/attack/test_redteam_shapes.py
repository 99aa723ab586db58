"""Red-team secrets in shapes the first rules missed (attack19 B1-B3): hex keys under ``*_KEY`` names, short
passwords under ``*_PASS``/``*_PW`` names, tools' password options and arguments, secret-manager writes,
an ``Authorization`` header of any scheme, Maven's ``<password>``, Terraform's sensitive outputs, a
``docker inspect`` environment list, PuTTY keys, bare webhook secrets, SQL and Python call passwords, test
PyPI tokens, Azure account keys, a URL password holding ``/``, legacy Vault tokens, session cookies and
API keys in a header or query; and (review13 F8) the same formats as the tools print them: an indented
``terraform output -json``, a ``<password>`` on its own line, ``key=``/``name=`` and ``value=`` attributes,
MySQL 8's ``IDENTIFIED WITH … BY``, double quotes, ``ALTER ROLE … PASSWORD``, ``SET PASSWORD``, and a
signed URL's signature (values made up here, in each kind's shape).

For each: the redaction pass (:func:`redact`) removes it; ``ingest --json`` prints none; the trajectory as
read and redacted (:func:`redact_trajectory`, the pass before every LLM call) holds none; and for a
representative few an offline ``distill`` writes it nowhere (skills, git history, console)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.attack import builders as b
from tests.attack.conftest import standard_runs, write_logs

HEX32 = "9f2b7c41d8e0a6b3c5d7e9f1a2b4c6d8"
HEX40 = "4c1e9a7d2b8f0e3a6c5d9b1f7e2a8c4d0b6e3f19"
PW = "Xk9mP2qL7vR4"
CLI_PW = "Qw8rT5yU2iO9pA3sD6fG"
LONG = "Xk9mP2qL7vR4wT8zAbCdEf12GhIjKl34Mn56Op78"
AZ = "k3Jd9/Qx7+Lm2pZa/Vb8Nc4Rt6Yw1Ue5Io0PaSdFgHjKlZxCvBnM1q2W3e4R5t6Y7u8I9o0P1a2S3d4F5g6H7j8K9l0=="
PPK_LINE = "AAAAgQCq8Zp3Lm9Xv2Rt7Yk4Wj1Hs6Df0Gb5Nc8Qe3Ua2Io9Pl7Kx4Vm1Bz6Ty0Rw"
TEST_PYPI = "pypi-AgENdGVzdC5weXBpLm9yZwIkYjE3ZDk2ZGMtZTQ5Ni00OTlmLWFlNGItNTg2NzgxZGFkMmZkAAIqWzMsIjA"


@dataclass(frozen=True)
class Case:
    id: str
    secret: str  # the value that must appear nowhere
    text: str  # how the log carries it
    ran: bool = False  # the text is a command the agent ran (else output it printed)


CASES = [
    # B1: names that say what they hold, whatever the value's alphabet
    Case("rails-master-key", HEX32, f"export RAILS_MASTER_KEY={HEX32}", ran=True),
    Case("datadog-app-key", HEX40, f"DD_APP_KEY={HEX40} python -m pytest -q", ran=True),
    Case("newrelic-license-key", HEX40, f"NEW_RELIC_LICENSE_KEY={HEX40} npm start", ran=True),
    Case("algolia-admin-key", HEX32, f"ALGOLIA_ADMIN_KEY={HEX32}"),
    Case("db-pass-short", PW, f"export DB_PASS={PW}", ran=True),
    # (review13 F12 leaves data keys and test passes alone; these stay secrets beside them)
    Case(
        "app-key-base64-slash",
        "k3Jd9/Qx7Lm2pZa/Vb8Nc4Rt6Yw1Ue5Io0PaSdFgHj",
        "export MY_APP_KEY=k3Jd9/Qx7Lm2pZa/Vb8Nc4Rt6Yw1Ue5Io0PaSdFgHj",
        ran=True,
    ),
    Case("db-pass-word", "sunshine7", "DB_PASS=sunshine7 ./manage.py migrate", ran=True),
    Case("smtp-pass", PW, f"SMTP_PASS={PW} python send.py", ran=True),
    Case("docker-run-pw", PW, f"docker run -e DB_PW={PW} postgres", ran=True),
    Case(
        "redis-cli-a",
        CLI_PW,
        f"redis-cli -h cache.internal -a {CLI_PW} ping && pip install fancylib",
        ran=True,
    ),
    # B2: formats and code
    Case(
        "maven-settings",
        PW,
        f"<settings><servers><server><id>acme</id><username>deploy</username><password>{PW}</password>"
        "</server></servers></settings>",
    ),
    Case(
        "okta-ssws",
        "00" + LONG,
        f"curl -s -H 'Authorization: SSWS 00{LONG}' https://acme.okta.com/api/v1/users",
        ran=True,
    ),
    Case(
        "elastic-apikey",
        "VnVXbGJrb0JXeThfTTBDdkJ4OXg6dWk2VEZBYmJRZnk5cW1SdGtzS3VVZw==",
        'curl -H "Authorization: ApiKey VnVXbGJrb0JXeThfTTBDdkJ4OXg6dWk2VEZBYmJRZnk5cW1SdGtzS3VVZw==" https://es.acme.io/_cat',
        ran=True,
    ),
    Case(
        "deepl-auth-key",
        LONG[:20],
        f'curl -H "Authorization: DeepL-Auth-Key {LONG[:20]}" https://api.deepl.com/v2/usage',
        ran=True,
    ),
    Case(
        "terraform-sensitive",
        "Tf7pQ2wZ9xLm",
        '{"db_password": {"sensitive": true, "type": "string", "value": "Tf7pQ2wZ9xLm"}}',
    ),
    Case("docker-inspect-env", "Dk4rN8vB2mQz", '["PATH=/usr/bin","POSTGRES_PASS=Dk4rN8vB2mQz","HOME=/root"]'),
    Case(
        "putty-ppk",
        PPK_LINE,
        "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: deploy\nPublic-Lines: 1\n"
        f"AAAAB3NzaC1yc2EAAAADAQABAAABAQC\nPrivate-Lines: 1\n{PPK_LINE}\nPrivate-MAC: 7f1c9a",
    ),
    Case(
        "stripe-whsec-bare",
        "whsec_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "whsec_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    ),
    Case(
        "sql-alter-user", "Sq8lPw3dRt5y", "psql -c \"ALTER USER app WITH PASSWORD 'Sq8lPw3dRt5y';\"", ran=True
    ),
    Case("sql-identified-by", PW, f"CREATE USER 'app'@'%' IDENTIFIED BY '{PW}';"),
    Case(
        "requests-auth-tuple",
        "Rq5tW8yU1iO3",
        "python -c \"import requests; requests.get('https://api.acme.io/v1/me', auth=('deploy', 'Rq5tW8yU1iO3'))\"",
        ran=True,
    ),
    Case("http-basic-auth", PW, f"requests.get(url, auth=HTTPBasicAuth('deploy', '{PW}'))"),
    Case("smtp-login", PW, f'smtp.login("alerts@acme.io", "{PW}")'),
    Case("ftp-login", PW, f"ftp.login('deploy', '{PW}')"),
    # review13 F8: the formats as the tools print them (indented, on their own lines), other SQL spellings
    Case(
        "terraform-output-json-indented",
        "Tf7pQ2wZ9xLm",
        '{\n  "db_password": {\n    "sensitive": true,\n    "type": "string",\n    "value": "Tf7pQ2wZ9xLm"\n  }\n}',
    ),
    Case(
        "maven-password-own-line",
        PW,
        "<settings>\n  <servers>\n    <server>\n      <id>acme-releases</id>\n      <username>deploy</username>\n"
        f"      <password>\n        {PW}\n      </password>\n    </server>\n  </servers>\n</settings>",
    ),
    Case(
        "dotnet-config-add-key",
        PW,
        f'<appSettings>\n  <add key="SmtpPassword" value="{PW}"/>\n</appSettings>',
    ),
    Case("ant-property-password", PW, f'<property name="db.password" value="{PW}"/>'),
    Case(
        "mysql8-identified-with",
        "Sq8lPw3dRt5y",
        "mysql -u root -e \"CREATE USER 'app'@'%' IDENTIFIED WITH mysql_native_password BY 'Sq8lPw3dRt5y';\"",
        ran=True,
    ),
    Case("sql-double-quoted", PW, f'CREATE USER app IDENTIFIED BY "{PW}";'),
    Case("postgres-alter-role", PW, f"ALTER ROLE app PASSWORD '{PW}';"),
    Case("mysql-set-password", PW, f"SET PASSWORD FOR 'app'@'localhost' = '{PW}';"),
    Case(
        "signed-url-signature",
        "AKfycbx9mP2qL7vR4wT8zAbCdEf12",
        'curl "https://maps.example.com/api?client=abc&signature=AKfycbx9mP2qL7vR4wT8zAbCdEf12"',
        ran=True,
    ),
    Case(
        "s3-presigned-signature",
        HEX32 * 2,
        f"curl 'https://b.s3.amazonaws.com/k.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={HEX32 * 2}'",
        ran=True,
    ),
    # B3: tokens, keys and tools' password options
    Case(
        "test-pypi-token",
        TEST_PYPI,
        f"twine upload --repository testpypi -u __token__ -p {TEST_PYPI} dist/*",
        ran=True,
    ),
    Case(
        "azure-account-key-flag",
        AZ,
        f"az storage blob upload --account-name acct --account-key {AZ} -f x -c c",
        ran=True,
    ),
    Case("azure-storage-key-env", AZ, f"export AZURE_STORAGE_KEY={AZ}", ran=True),
    Case("mongosh-p", CLI_PW, f'mongosh "mongodb://cluster0.example.net" -u admin -p {CLI_PW}', ran=True),
    Case(
        "keytool-storepass",
        CLI_PW,
        f"keytool -genkeypair -keystore rel.jks -storepass {CLI_PW} -keypass {CLI_PW}",
        ran=True,
    ),
    Case("gpg-passphrase", CLI_PW, f"gpg --batch --passphrase {CLI_PW} -d secrets.gpg", ran=True),
    Case("zip-P", CLI_PW, f"zip -P {CLI_PW} backup.zip db.sqlite", ran=True),
    Case("sudo-S", CLI_PW, f"echo '{CLI_PW}' | sudo -S apt-get install -y libpq-dev", ran=True),
    Case("htpasswd-b", PW, f"htpasswd -b -c .htpasswd admin {PW}", ran=True),
    Case("htpasswd-nb", PW, f"htpasswd -nb admin {PW}", ran=True),
    Case("chpasswd", PW, f'echo "deploy:{PW}" | chpasswd', ran=True),
    Case("rabbitmqctl-add-user", PW, f"rabbitmqctl add_user app {PW}", ran=True),
    Case("lftp-u", PW, f"lftp -u deploy,{PW} sftp://files.acme.io", ran=True),
    Case("smbclient-U", PW, f"smbclient //fs/share -U deploy%{PW}", ran=True),
    Case("psql-W", CLI_PW, f"psql -h db -U app -W {CLI_PW}", ran=True),
    Case(
        "ssm-put-parameter",
        LONG,
        f"aws ssm put-parameter --name /prod/db --type SecureString --value {LONG}",
        ran=True,
    ),
    Case(
        "secretsmanager",
        LONG,
        f"aws secretsmanager create-secret --name prod/api --secret-string {LONG}",
        ran=True,
    ),
    Case("gcloud-here-string", LONG, f"gcloud secrets versions add api --data-file=- <<< {LONG}", ran=True),
    Case("vercel-here-string", LONG, f"vercel env add API_SECRET production <<< {LONG}", ran=True),
    Case("wrangler-pipe", LONG, f"printf '%s' {LONG} | wrangler secret put STRIPE_KEY", ran=True),
    Case("gh-secret-pipe", LONG, f"echo -n {LONG} | gh secret set API_TOKEN", ran=True),
    Case("gh-secret-body", LONG, f"gh secret set DEPLOY_KEY --body {LONG}", ran=True),
    Case(
        "url-password-with-slash",
        "Zx9/kq+Lm2Tb",
        "export DATABASE_URL=postgres://app:Zx9/kq+Lm2Tb@db.internal:5432/app",
        ran=True,
    ),
    Case(
        "vault-legacy-token", "s.Xk9mP2qL7vR4wT8zAbCdEf12", "vault login s.Xk9mP2qL7vR4wT8zAbCdEf12", ran=True
    ),
    Case(
        "sessionid-cookie",
        "8cn2kq9x7m4v1b6z3p0w5r8t2y4u6i9o",
        'curl -b "sessionid=8cn2kq9x7m4v1b6z3p0w5r8t2y4u6i9o" https://app.example.com/admin/',
        ran=True,
    ),
    Case(
        "connect-sid-cookie",
        "s%3AabcDEF123ghiJKL456.mnoPQR789stuVWX012yzaBCD345efgHIJ",
        'curl -H "Cookie: connect.sid=s%3AabcDEF123ghiJKL456.mnoPQR789stuVWX012yzaBCD345efgHIJ" http://localhost:3000/api',
        ran=True,
    ),
    Case(
        "apim-subscription-key",
        HEX32,
        f'curl -H "Ocp-Apim-Subscription-Key: {HEX32}" https://westus.api.cognitive.microsoft.com/x',
        ran=True,
    ),
    Case(
        "appid-query",
        HEX32,
        f"curl 'https://api.openweathermap.org/data/2.5/weather?q=London&appid={HEX32}'",
        ran=True,
    ),
]
IDS = [c.id for c in CASES]


def _events(case: Case):  # type: ignore[no-untyped-def]
    if case.ran:
        return lambda i: [b.call(case.text), b.result("done")]
    return lambda i: [b.call("cat deploy/config ~/.m2/settings.xml"), b.result(case.text)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_redaction_removes_it(case: Case) -> None:
    from skillforge.safety.redact import redact

    out, counts = redact(case.text)
    assert case.secret not in out and sum(counts.values()) >= 1, out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_ingest_and_the_redacted_trajectory_carry_none(case: Case, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from skillforge.ingest import read
    from skillforge.safety.trajectory_redaction import redact_trajectory

    logs = write_logs(tmp_path / "logs", "claude-code", standard_runs(_events(case), n=1))
    ingested = cli("ingest", str(logs), "--json")
    assert ingested.code == 0 and "ledgerkit" in ingested.out
    assert case.secret not in ingested.out + ingested.err
    (traj,) = list(read([logs]))
    assert case.secret in json.dumps(traj.to_dict())  # the log holds it before redaction
    assert sum(redact_trajectory(traj).values()) >= 1
    assert case.secret not in json.dumps(traj.to_dict())


DISTILLED = [
    c
    for c in CASES
    if c.id
    in (
        "rails-master-key",
        "db-pass-short",
        "redis-cli-a",
        "maven-settings",
        "okta-ssws",
        "sql-alter-user",
        "requests-auth-tuple",
        "test-pypi-token",
        "azure-account-key-flag",
        "sudo-S",
    )
]


@pytest.mark.parametrize("case", DISTILLED, ids=[c.id for c in DISTILLED])
def test_offline_distill_writes_it_nowhere(case: Case, distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", "interchange", standard_runs(_events(case)))
    outcome = distill(logs, "offline")
    assert outcome.code == 0, outcome.err
    assert sum(outcome.report["redactions"].values()) >= 3
    assert outcome.leaks(case.secret) == [] and case.secret not in outcome.err


def test_scan_and_ingest_agree_on_a_bare_webhook_secret(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``stripe listen --print-secret`` prints the secret alone: scan finds it and ingest hides it (scan
    found it in the raw JSON by entropy while the parsed text, with no ``:`` before it, went out clear)."""
    (case,) = [c for c in CASES if c.id == "stripe-whsec-bare"]
    logs = write_logs(tmp_path / "logs", "claude-code", standard_runs(_events(case), n=1))
    scanned = cli("scan", str(logs), "--json")
    assert scanned.code == 4 and "webhook-secret" in scanned.out
    assert case.secret not in scanned.out + cli("ingest", str(logs), "--json").out
