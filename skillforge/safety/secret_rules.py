"""The secret rules behind :mod:`skillforge.safety.redact`: gitleaks-style patterns, most specific first.

Each rule has lower-case keywords and runs only when one of them occurs in the lowered text. Rules
whose pattern starts with a literal (``://``, ``-----BEGIN``) or search the lowered text for keywords
let the regex engine skip clean text at C speed; the Python checks below keep false positives (git
SHAs, UUIDs, ids in logs, variable names, placeholders) out.
"""

import re

from skillforge.safety.prefilter import anchored_matches, token_head_matches
from skillforge.safety.secret_checks import (
    _B,
    _E,
    Rule,
    _always,
    _cli_password,
    _high_entropy,
    _mixed,
    _url_credentials,
    _when,
    shannon_entropy,
)
from skillforge.safety.secret_commands import COMMAND_RULES
from skillforge.safety.secret_formats import FORMAT_RULES
from skillforge.safety.secret_names import _letters_and_digits
from skillforge.safety.secret_vendors import VENDOR_RULES

# --- the rules, most specific first ------------------------------------------------------------------
_CLI_VALUE = r"(?P<s>[^\s\"']+)"


def _cli_password_word(text: str, m: re.Match[str]) -> str | None:
    """:func:`_cli_password` for a match that must start a word (``curl``, not ``libcurl``)."""
    at = m.start()
    if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
        return None
    return _cli_password(text, m)


# where the kube-credential keys start, from "-data" and "-token" (the keys' own "i", "k" and "s" could
# match characters that lower to something else: ı, ſ)
_KUBE_ANCHORS = {"-data": (10, 18), "-token": (2, 7, 13)}
_CLIENTS = {"curl": (0,), "wget": (0,), "http": (0,)}  # every match of the curl/wget -u rule starts so


_PAGING = re.compile(r"-(?:page|next|starting|continuation|pagination|cursor|resume|sync)-")


def _cli_flag_value(text: str, m: re.Match[str]) -> str | None:
    """A flag's value that reads as a random token: letters and digits, no path, no word (``--token
    my-project-name`` and ``--password-file ./pw`` are not)."""
    value = m.group("s")
    if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"):
        return None  # inside a longer word
    if _PAGING.search(m.group(0).split(None, 1)[0]):
        return None  # a page's cursor: aws --starting-token / --next-token, gcloud --page-token
    if value.count("/") > 1 or value.startswith((".", "/", "~", "-")) or "redacted" in value.lower():
        return None
    token = _mixed(value) or (len(value) >= 32 and value.isalnum() and _letters_and_digits(value))
    if not token or shannon_entropy(value) < 3.0:
        return None
    return "cli-password" if "password" in m.group(0).split(None, 1)[0] else "cli-token"


def _url_token(text: str, m: re.Match[str]) -> str | None:
    """A URL's user part that reads as a random token: letters and digits, 32 or more hex digits or
    mixed case, no word-like name (``https://deploybot2024@…`` is a user)."""
    value = m.group("s")
    if not _letters_and_digits(value) or shannon_entropy(value) < 3.0 or _made_of_words(value):
        return None
    if not (len(value) >= 32 and _HEX_ONLY.match(value)) and not _mixed(value):
        return None
    return "url-token" if _url_credentials(text, m) else None


_HEX_ONLY = re.compile(r"^[0-9a-fA-F]+$")


def _cased(v: str) -> bool:
    return any(c.isupper() for c in v) and any(c.islower() for c in v)


RULES: list[Rule] = [
    Rule(
        "private-key",
        re.compile(
            r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:(?:(?!-----BEGIN).){0,200000}?-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            r"|(?:(?:\s|\\+[nr])*(?:[A-Za-z0-9+/=]{16,}|=[A-Za-z0-9+/]{4}|[A-Za-z][A-Za-z0-9-]{0,40}:[^\n\\]{0,300}))*)",
            re.S,
        ),
        ("-----begin",),
    ),
    Rule(
        "aws-access-key",
        re.compile(r"A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z2-7]{16}" + _E),
        ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        _when("aws-access-key", _always, bounded=True),
        exact=True,
    ),
    Rule(
        "aws-secret-key",
        re.compile(
            r"(?i)aws[\w.-]{0,30}?(?:secret|sk)[\w.-]{0,20}(?:\\?[\"'])?(?:\s*(?:=|:|=>)\s*|[ \t]+)(?:\\?[\"'])?"
            r"(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
        ("aws",),
        starts=("aws",),
    ),
    Rule(
        "gcp-api-key",
        re.compile(r"AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_-])"),
        ("aiza",),
        _when("gcp-api-key", _always, bounded=True),
    ),
    Rule(  # a connection string's AccountKey=, az … --account-key, AZURE_STORAGE_KEY=
        "azure-storage-key",
        re.compile(
            r"(?i)(?:AccountKey=|--account-key[ \t=]+[\"']?|AZURE_STORAGE_(?:ACCOUNT_)?(?:ACCESS_)?KEY\\?[\"']?"
            r"\s*[=:]\s*\\?[\"']?)(?P<s>[A-Za-z0-9+/]{80,100}={0,2})(?![A-Za-z0-9+/=])"
        ),
        ("accountkey", "account-key", "azure_storage_"),
    ),
    Rule(
        "azure-client-secret", re.compile(_B + r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}" + _E), ("q~",)
    ),
    Rule(
        "github-token",
        re.compile(r"g(?:h[pousr]_[A-Za-z0-9]{36,255}|ithub_pat_[A-Za-z0-9_]{22,255})"),
        ("ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"),
        _when("github-token", _always, bounded=True),
    ),
    Rule(
        "gitlab-token",
        re.compile(r"gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_\-]{20,}"),
        ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-"),
        _when("gitlab-token", _always, bounded=True),
    ),
    Rule(
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,}"),
        ("hooks.slack.com",),
    ),
    Rule(
        "slack-token",
        re.compile(r"(?:xox[baprse]|xapp)-[A-Za-z0-9-]{10,}"),
        ("xox", "xapp-"),
        _when("slack-token", _always, bounded=True),
    ),
    Rule(
        "discord-webhook",
        re.compile(r"https://(?:canary\.|ptb\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}"),
        ("discord",),
    ),
    Rule(
        "discord-bot-token",
        re.compile(r"[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}" + _E),
        ("discord", "bot"),
        _when("discord-bot-token", _mixed, bounded=True),
        finder=lambda pattern, text: token_head_matches(pattern, text, 24, 28, "."),
    ),
    Rule(
        "sendgrid-key",
        re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E),
        ("SG.",),
        _when("sendgrid-key", _always, bounded=True),
        exact=True,
    ),
    Rule(
        "docker-token",
        re.compile(r"dckr_pat_[A-Za-z0-9_-]{20,}"),
        ("dckr_pat_",),
        _when("docker-token", _always, bounded=True),
    ),
    Rule(
        "google-oauth-secret",
        re.compile(r"GOCSPX-[A-Za-z0-9_-]{20,}"),
        ("GOCSPX-",),
        _when("google-oauth-secret", _always, bounded=True),
        exact=True,
    ),
    *VENDOR_RULES,
    Rule("azure-sas-signature", re.compile(r"[?&;]sig=(?P<s>[A-Za-z0-9%+/=]{20,})"), ("sig=",)),
    Rule(
        "kube-credential",
        re.compile(
            r"(?i)(?:client-key-data|client-certificate-data|id-token|refresh-token|auth-provider-token)"
            r"\s*:\s*[\"']?(?P<s>[A-Za-z0-9+/=._-]{16,})"
        ),
        ("client-key-data", "client-certificate-data", "-token"),
        finder=lambda pattern, text: anchored_matches(pattern, text, _KUBE_ANCHORS),
    ),
    # a password on a command line or in .netrc: one rule per command, each starting with a literal so
    # that the regex engine skips clean text fast (one alternation of all five was 8 times slower)
    Rule(
        "cli-password",
        re.compile(
            r"(?:curl|wget|http)\b[^\n|;]{0,200}?\s(?:-u|--user)\s*[\"']?[^\s:\"'/]{1,100}:" + _CLI_VALUE
        ),
        ("-u", "--user"),
        _cli_password_word,
        finder=lambda pattern, text: anchored_matches(pattern, text, _CLIENTS, cased=True),
    ),
    Rule(
        "cli-password",
        re.compile(r"sshpass\s+(?:-[a-oq-zA-Z]\s*\S*\s+)*-p\s*[\"']?" + _CLI_VALUE),
        ("sshpass",),
        _cli_password_word,
    ),
    Rule(
        "cli-password",
        re.compile(
            r"(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;]{0,200}?\s-p(?=[^\s-])[\"']?"
            + _CLI_VALUE
        ),
        ("mysql", "mariadb"),
        _cli_password_word,
    ),
    Rule(
        "cli-password",
        re.compile(
            r"(?:(?:docker|podman|buildah|skopeo|nerdctl|oras)\s+login|helm\s+(?:repo\s+add|registry\s+login))"
            r"\b[^\n|;]{0,200}?\s(?:-p|--password)(?:[ \t]+|=)[\"']?" + _CLI_VALUE
        ),
        ("docker", "podman", "buildah", "skopeo", "nerdctl", "oras", "helm"),
        _cli_password_word,
        starts=("docker", "podman", "buildah", "skopeo", "nerdctl", "oras", "helm"),
    ),
    Rule(
        "cli-password",
        re.compile(r"machine\s+\S+\s+(?:>\s*)*(?:login\s+\S+\s+(?:>\s*)*)?password\s+" + _CLI_VALUE),
        ("machine",),
        _cli_password_word,
    ),
    Rule(
        "cli-password",
        re.compile(r"^\s*password\s+(?=\S+\s*$)" + _CLI_VALUE, re.M),
        ("password",),
        _cli_password,
    ),
    Rule(  # a token given to a CLI by flag, with a space (vercel --token X, tailscale --authkey X)
        "cli-token",
        re.compile(
            r"--(?:[a-z0-9]+-)*(?:token|api-?key|auth-?key|auth-token|access-token|secret|password)"
            r"[ \t]+[\"']?(?P<s>[A-Za-z0-9_~.+/=-]{12,256})(?![A-Za-z0-9_~.+/=-])"
        ),
        ("token", "key", "secret", "password"),
        _cli_flag_value,
    ),
    Rule(
        "stripe-key",
        re.compile(r"[sr]k_(?:live|test|prod)_[A-Za-z0-9]{16,}"),
        ("k_live_", "k_test_", "k_prod_"),
        _when("stripe-key", _always, bounded=True),
    ),
    Rule(
        "anthropic-key",
        re.compile(r"sk-ant-[A-Za-z0-9_\-]{20,}"),
        ("sk-ant-",),
        _when("anthropic-key", _always, bounded=True),
    ),
    Rule(
        "openai-key",
        re.compile(r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}"),
        ("sk-",),
        _when("openai-key", _mixed, bounded=True),
    ),
    Rule(
        "huggingface-token",
        re.compile(r"hf_[A-Za-z0-9]{30,}" + _E),
        ("hf_",),
        _when("huggingface-token", _cased, bounded=True),
    ),
    Rule(
        "npm-token",
        re.compile(r"npm_[A-Za-z0-9]{36}" + _E),
        ("npm_",),
        _when("npm-token", _letters_and_digits, bounded=True),
    ),
    Rule(  # any PyPI macaroon (pypi.org's AgEIcHlwaS5vcmc…, test.pypi.org's AgENdGVzdC5weXBpLm9yZw…)
        "pypi-token", re.compile(r"pypi-AgE[A-Za-z0-9_\-]{46,}"), ("pypi-age",)
    ),
    Rule(
        "jwt",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("eyj",),
        _when("jwt", _always, bounded=True),
    ),
    Rule(
        "bearer-token",
        re.compile(
            r"(?i)\b(?:bearer|token|basic|bot)\s+(?P<s>[A-Za-z0-9._~+/-]{16,}={0,2})(?![A-Za-z0-9._~+/=-])"
        ),
        ("bearer", "authorization", "basic ", "bot "),
        _when("bearer-token", _letters_and_digits),
        starts=("bearer", "to", "ba", "bot"),  # "token", "basic" cut before k and s
    ),
    *FORMAT_RULES,
    *COMMAND_RULES,
    Rule(  # a token alone as a URL's user part (https://<40 hex>@github.com: git's form for a token)
        "url-token",
        re.compile(r"://(?P<s>[A-Za-z0-9]{20,255})@"),
        ("://",),
        _url_token,
    ),
    Rule(  # the password may hold "/" but ends at the next "://": each "://" reads up to the next (linear)
        "url-password",
        re.compile(r"://[^\s:/@\"'<>\\]{0,200}:(?P<s>[^\s/@\"'<>\\](?:(?!://)[^\s@\"'<>\\])*+)@"),
        ("://",),
        _url_credentials,
    ),
]
ENTROPY_RULE = Rule(
    "high-entropy",
    re.compile(r"[=:]\s*(?:\\?[\"'])?(?P<s>[A-Za-z0-9+/_~.-]{20,}+={0,2})(?![A-Za-z0-9+/_=~.-])"),
    ("=", ":"),
    _high_entropy,
)

# --- confidence: a known token shape versus a keyword or entropy guess -----------------------------

LOW_KINDS = frozenset({"password", "secret", "high-entropy", "session-cookie"})  # a cookie: short-lived
# what marks a value as made up, in two parts: placeholder words (a private key's body is judged on these
# alone) and counting or filler words (a token whose own prefix is its vendor's name, on both)
_PLACEHOLDER_WORDS = r"example|sample|dummy|fake|placeholder|your|redacted|xxxx|\.\.\.|…"
_FILLER_WORDS = r"changeme|0000|1234|abcd|secret|letmein|admin|test"
_EXAMPLE = re.compile(
    rf"(?i){_PLACEHOLDER_WORDS}|{_FILLER_WORDS}|signature|payload|pass(?:word|wd)?\d*$|"
    r"(.)\1{4}|^[A-Z_]+$|^[a-z_-]+$"
)
_PEM_EXAMPLE = re.compile(f"(?i){_PLACEHOLDER_WORDS}")
_SELF_NAMED_EXAMPLE = re.compile(rf"(?i){_PLACEHOLDER_WORDS}|{_FILLER_WORDS}|token|here|(?-i:(.)\1{{4}})")
_SELF_NAMED = {"huggingface-token": 3, "age-secret-key": 16}  # kind -> length of its prefix


# vendors' documented examples that carry no example word: jwt.io's example token, whatever its
# algorithm and signature (its claims: {"sub": "1234567890", "name": "John Doe", ...}); AWS's
# AKIAIOSFODNN7EXAMPLE and the like are caught by _EXAMPLE's words
_DOCUMENTED_JWT_CLAIMS = {"sub": "1234567890", "name": "John Doe"}


def _documented_example(value: str) -> bool:
    """A vendor's documented example value (jwt.io's example token)."""
    if not value.startswith("eyJ") or value.count(".") != 2:
        return False
    import base64
    import json

    payload = value.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # not base64 or not JSON (binascii.Error and UnicodeDecodeError are ValueErrors)
        return False
    return isinstance(claims, dict) and all(claims.get(k) == v for k, v in _DOCUMENTED_JWT_CLAIMS.items())


def looks_made_up(value: str) -> bool:
    """A value written as an example or placeholder (a vendor's example key, ``xxxx``, counting digits,
    words only)."""
    return _EXAMPLE.search(value) is not None


def confidence(kind: str, value: str) -> str:
    """ "high" for a known token shape that does not look like a documented example or placeholder
    (vendors' example keys, ``xxxx`` runs, counting digits, words); "low" for keyword and entropy
    guesses and for anything that looks made up. Redaction removes both; validate errs only on high."""
    if kind == "private-key":  # judged on its body: the armor's dashes are not a placeholder's
        real = len(re.findall(r"[A-Za-z0-9+/]{40,}", value)) >= 2 and not _PEM_EXAMPLE.search(value)
        return "high" if real else "low"
    if kind in _SELF_NAMED:  # letters only, or a word in the prefix, is the real shape here
        body = value[_SELF_NAMED[kind] :]
        return "low" if _SELF_NAMED_EXAMPLE.search(body) else "high"  # hf_MyTestTokenChangeMe…, hf_1234…
    if kind in LOW_KINDS or _EXAMPLE.search(value) or _documented_example(value):
        return "low"
    if kind in ("bearer-token", "auth-header"):
        return "high" if len(value) >= 20 and _mixed(value) and shannon_entropy(value) >= 4.0 else "low"
    if kind in ("url-password", "connection-string", "cli-password", "cli-token", "url-key", "url-token"):
        return (
            "high"
            if len(value) >= 8
            and _letters_and_digits(value)
            and shannon_entropy(value) >= 2.8
            and not (kind == "cli-token" and _made_of_words(value))  # people's passwords are words
            else "low"
        )
    return "high"


_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _made_of_words(value: str) -> bool:
    """A name written in camelCase or with separators from a few words, each with a vowel, and short
    numbers (``base64EncodedValue``, ``MyApiKey2``): what documentation writes where a token goes. A
    random token of that length changes case or digit every few characters. Not for passwords: people
    make theirs of words (``WelcomeHome2023``)."""
    parts = _PARTS.findall(value)
    words = [p for p in parts if p.isalpha()]
    return (
        len(words) >= 2
        and len(parts) <= 5
        and any(w[0].isupper() and w[1:].islower() for w in words[1:])  # camelCase: a capital starts a word
        and all(len(w) >= 2 and any(c in "aeiouyAEIOUY" for c in w) for w in words)
        and all(len(p) <= 4 for p in parts if p.isdigit())  # a version, a year
    )


KINDS: tuple[str, ...] = (
    *dict.fromkeys(rule.kind for rule in RULES),
    "connection-string",
    "password",
    "secret",
    "high-entropy",
)
