"""Injected instructions: text that tries to steer an agent rather than teach it.

``find_injections(text)`` returns :class:`InjectionFinding` objects (rule, severity, message, 1-based
line) for: instruction overrides ("ignore previous instructions", "you are now", "new instructions:"),
requests for credentials or tools (read ``~/.ssh`` or ``.env``, print the environment, send tokens),
URLs to hosts outside an allowlist (warning; with a query string carrying data: error), piping a
download into a shell, long base64 blobs, hidden or bidirectional unicode, and markdown images whose
URL carries data (exfiltration). Used by ``skillforge validate`` and by distill before writing a skill.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

DEFAULT_ALLOWED_HOSTS: frozenset[str] = frozenset({
    "github.com", "raw.githubusercontent.com", "gist.github.com", "docs.github.com", "gitlab.com",
    "docs.python.org", "python.org", "pypi.org", "peps.python.org", "readthedocs.io", "readthedocs.org",
    "npmjs.com", "nodejs.org", "developer.mozilla.org", "rust-lang.org", "docs.rs", "crates.io", "go.dev",
    "pkg.go.dev", "stackoverflow.com", "wikipedia.org", "agentskills.io", "anthropic.com", "claude.com",
    "openai.com", "djangoproject.com", "pytest.org", "docker.com", "kubernetes.io", "example.com",
    "example.org", "example.net", "localhost", "127.0.0.1", "::1", "0.0.0.0", "astral.sh", "pre-commit.com",
    "git-scm.com", "typescriptlang.org", "react.dev", "nextjs.org", "vitejs.dev", "numpy.org", "pydata.org",
    "scipy.org", "postgresql.org", "sqlite.org", "mypy-lang.org", "semver.org", "json-schema.org",
    "yaml.org", "toml.io", "learn.microsoft.com", "docs.aws.amazon.com", "cloud.google.com",
    "registry.npmjs.org", "nginx.org", "redis.io", "mongodb.com", "terraform.io", "hashicorp.com",
})

SEVERITY = {
    "instruction-override": "error", "credential-request": "error", "unknown-host": "warning",
    "url-data": "error", "pipe-to-shell": "error", "base64-blob": "warning", "hidden-unicode": "error",
    "image-exfiltration": "error",
}


@dataclass(frozen=True, slots=True)
class InjectionFinding:
    rule: str  # one of SEVERITY's keys
    severity: str  # "error" | "warning"
    message: str
    line: int


# All patterns below run on the lowered text (same offsets), so none needs re.IGNORECASE, and each
# runs only when one of its keywords occurs in it. Every repeat that can span a line is bounded, so a
# megabyte-long line costs linear time (no quadratic rescans).
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of)\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system|original|former|all|safety)\s+"
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|messages?|context)\b"
    r"|\bdisregard\s+(?:the\s+|your\s+)?system\s+prompt\b"
    r"|\byou\s+are\s+now\b"
    r"|\bnew\s+(?:system\s+)?instructions?\s*:"
    r"|\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to)\s+the\s+user\b"
)
_OVERRIDE_KEYS = ("ignore", "disregard", "forget", "override", "bypass", "you are now", "instruction", "tell",
                  "inform", "mention")
_SENSITIVE = re.compile(
    r"~/\.ssh\b|\.ssh/|id_rsa|id_ed25519|\.env\b|\.aws/credentials|\bcredentials(?:\.json)?\b|"
    r"\.netrc|\.npmrc|\.pypirc|\.git-credentials|/etc/shadow|\.kube/config|\.docker/config\.json|keychain"
)
_SENSITIVE_KEYS = (".ssh", "id_rsa", "id_ed25519", ".env", "credentials", ".netrc", ".npmrc", ".pypirc", "shadow",
                   ".kube", ".docker", "keychain")
_READ_VERB = re.compile(
    r"\b(?:cat|less|more|head|tail|read|print|type|open|show|upload|send|post|exfiltrate|copy|scp|"
    r"display|dump|base64|curl|include|paste|share|attach)\b"
)
_ASK_SECRETS = re.compile(
    r"\b(?:print|dump|echo|send|post|upload|share|reveal|leak|output|list|show)\s+"
    r"(?:out\s+)?(?:(?:the|all|your|any|every)\s+)*(?:env(?:ironment)?\s+variables|environment\b|env\b|"
    r"(?:api[ _-]?)?tokens?\b|api[ _-]?keys?\b|secrets?\b|credentials\b|passwords?\b|private\s+keys?\b)"
    r"|\b(?:printenv|env|set)\s*\|\s*(?:curl|wget|nc|netcat)\b"
)
_ASK_KEYS = ("env", "token", "key", "secret", "credential", "password")
_PIPE_SHELL = re.compile(
    r"\b(?:curl|wget|fetch)\b(?:(?!curl|wget|fetch)[^\n|;]){0,300}\|\s*(?:sudo\s+)?(?:(?:ba|z|k|da|fi)?sh|python3?|perl|ruby|node)\b"
    r"|\b(?:ba|z)?sh\s+(?:-c\s+)?[\"']?\$\(\s*(?:curl|wget)\b"
    r"|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b"
    r"|\biex\s*\(?\s*\(?\s*(?:iwr|irm|invoke-webrequest|invoke-restmethod|new-object\s+net\.webclient)\b"
    r"|\b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b(?:(?!iwr|irm|invoke-)[^\n|]){0,300}\|\s*iex\b"
)
_PIPE_KEYS = ("curl", "wget", "fetch", "iex", "iwr", "irm", "invoke-")
_URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+", re.I)
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\(\s*<?([^)\s>]+)|<img\b[^<>]{0,300}\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_BASE64 = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")
LONG_BLOB = 120  # a blob this long is a warning even when it decodes to nothing suspicious
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
_INTERPOLATION = re.compile(r"\$\{|\$\(|\{\{|%7[bB]|\$[A-Z_]{2,}|<[A-Za-z_]+>")


def find_injections(text: str, allowed_hosts: Iterable[str] | None = None) -> list[InjectionFinding]:
    """Every injected-instruction pattern in ``text``, in line order."""
    hosts = DEFAULT_ALLOWED_HOSTS | frozenset(h.lower() for h in (allowed_hosts or ()))
    starts = _line_starts(text)
    low = _lowered(text)
    found = [
        *_simple(text, low, starts, _OVERRIDE, _OVERRIDE_KEYS, "instruction-override",
                 "tries to override the agent's instructions"),
        *_credential_files(text, low, starts),
        *_simple(text, low, starts, _ASK_SECRETS, _ASK_KEYS, "credential-request",
                 "asks for credentials or secrets"),
        *_simple(text, low, starts, _PIPE_SHELL, _PIPE_KEYS, "pipe-to-shell",
                 "pipes a download straight into a shell"),
        *_urls(text, starts, hosts),
        *_images(text, starts, hosts),
        *_blobs(text, starts, hosts),
        *_hidden(text, starts),
    ]
    unique = {(f.line, f.rule): f for f in found}  # one finding per rule and line
    return sorted(unique.values(), key=lambda f: (f.line, f.rule))


def _lowered(text: str) -> str:
    """``text.lower()`` with the same offsets (characters whose lower case is longer are kept)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _line(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset)


def _finding(rule: str, message: str, line: int, severity: str | None = None) -> InjectionFinding:
    return InjectionFinding(rule, severity or SEVERITY[rule], message, line)


def _simple(text: str, low: str, starts: list[int], pattern: re.Pattern[str], keys: tuple[str, ...],
            rule: str, what: str) -> Iterator[InjectionFinding]:
    if not any(k in low for k in keys):
        return
    for m in pattern.finditer(low):
        yield _finding(rule, f"{what}: {_quote(text[m.start():m.end()])}", _line(starts, m.start()))


def _credential_files(text: str, low: str, starts: list[int]) -> Iterator[InjectionFinding]:
    """A sensitive file (``~/.ssh``, ``.env``, credentials) with a verb that reads or sends it before it
    on the same line."""
    if not any(k in low for k in _SENSITIVE_KEYS):
        return
    for m in _SENSITIVE.finditer(low):
        window = max(0, m.start() - 80)
        nl = low.rfind("\n", window, m.start())  # a bounded look-back: linear on a long line
        lo = window if nl == -1 else nl + 1
        verb = _READ_VERB.search(low, lo, m.start())
        if verb:
            snippet = text[verb.start():m.end()]
            yield _finding("credential-request", f"asks for credentials or secrets: {_quote(snippet)}",
                           _line(starts, m.start()))


def _quote(snippet: str, limit: int = 60) -> str:
    snippet = " ".join(snippet.split())
    return repr(snippet if len(snippet) <= limit else snippet[: limit - 1] + "…")


def host_allowed(host: str, hosts: frozenset[str]) -> bool:
    """True when ``host`` or one of its parent domains is in ``hosts``."""
    host = host.lower().rstrip(".")
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(len(parts)))


def _url_part(url: str, part: str) -> str:
    """One part of a URL (``hostname``, ``query``). Real skills hold URLs that ``urlsplit`` refuses
    (``https://docs.[library].com``); those are split by hand, so that a malformed URL never hides the
    data its query carries (fail closed) and never raises."""
    try:
        return str(getattr(urlsplit(url), part) or "")
    except ValueError:
        rest = url.partition("://")[2]
        if part == "query":
            return rest.partition("?")[2].partition("#")[0]
        return re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2].lower()


def _carries_data(url: str) -> bool:
    """A query string or interpolation that can carry data out (``?q=${TOKEN}``, long values)."""
    if _INTERPOLATION.search(url):
        return True
    query = _url_part(url, "query")
    return any(len(v) >= 16 or _INTERPOLATION.search(v) for _, v in parse_qsl(query, keep_blank_values=True))


def _urls(text: str, starts: list[int], hosts: frozenset[str]) -> Iterator[InjectionFinding]:
    if "://" not in text:
        return
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:")
        host = _url_part(url, "hostname")
        if host and host_allowed(host, hosts):
            continue
        line = _line(starts, m.start())
        if _carries_data(url):
            yield _finding("url-data", f"URL to unknown host {host!r} carries data in its query: {_quote(url)}", line)
        else:
            yield _finding("unknown-host", f"URL to a host not in the allowlist: {host!r}", line)


def _images(text: str, starts: list[int], hosts: frozenset[str]) -> Iterator[InjectionFinding]:
    if "![" not in text and "<img" not in text.lower():
        return
    for m in _IMAGE.finditer(text):
        url = m.group(1) or m.group(2) or ""
        if "://" not in url and not _INTERPOLATION.search(url):
            continue
        host = _url_part(url, "hostname")
        if _INTERPOLATION.search(url) or (_url_part(url, "query") and not host_allowed(host, hosts)):
            yield _finding("image-exfiltration", f"image URL carries data (exfiltration): {_quote(url)}",
                           _line(starts, m.start()))


def _blobs(text: str, starts: list[int], hosts: frozenset[str]) -> Iterator[InjectionFinding]:
    """Base64 runs: an error when the decoded text (even of a cut-off piece) holds injected
    instructions, a warning when the run is long."""
    for m in _BASE64.finditer(text):
        blob = m.group(0)
        if not (any(c.isupper() for c in blob) and any(c.islower() for c in blob) and any(c.isdigit() for c in blob)):
            continue
        line = _line(starts, m.start())
        if _hides_instructions(blob, hosts):
            yield _finding("base64-blob", "base64 blob hides injected instructions", line, "error")
        elif len(blob) >= LONG_BLOB:
            yield _finding("base64-blob", f"long base64 blob ({len(blob)} chars): keep data out of skills", line)


def _hides_instructions(blob: str, hosts: frozenset[str]) -> bool:
    body = blob.rstrip("=")
    for shift in range(4):  # a piece cut out of a longer blob may start mid-quantum
        piece = body[shift:]
        decoded = _decode(piece[: len(piece) - len(piece) % 4])
        if decoded is not None and any(
            f.severity == "error" for f in find_injections(decoded, hosts) if f.rule != "base64-blob"
        ):
            return True
    return False


def _decode(blob: str) -> str | None:
    """The blob's text when it decodes to mostly printable UTF-8, else None."""
    if len(blob) < 16:
        return None
    try:
        text = base64.b64decode(blob, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    return text if text and printable / len(text) > 0.95 else None


def _hidden(text: str, starts: list[int]) -> Iterator[InjectionFinding]:
    body = text[1:] if text.startswith("\ufeff") else text
    offset = len(text) - len(body)
    reported = -1
    for m in _HIDDEN.finditer(body):
        if m.group(0) == "\u200d" and _between_emoji(body, m.start()):
            continue  # a zero-width joiner inside an emoji sequence
        line = _line(starts, m.start() + offset)
        if line == reported:
            continue  # one finding per line (the first character)
        reported = line
        code = f"U+{ord(m.group(0)):04X}"
        yield _finding("hidden-unicode", f"hidden or bidirectional unicode character {code}", line)


def _between_emoji(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and ord(text[i - 1]) >= 0x2600 and ord(text[i + 1]) >= 0x2600
