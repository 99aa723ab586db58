"""URLs in skill text: the host allowlist, URLs that carry data out in their query or host name, fetches
from unknown hosts, and markdown images that exfiltrate. Yields raw findings (rule, offset, message,
confidence) for :func:`skillforge.safety.injection.find_injections`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import SplitResult, parse_qsl, urlsplit

from skillforge.safety.context import made_up_host
from skillforge.safety.prefilter import finditer_from, lowered
from skillforge.safety.redact import redact

Raw = tuple[str, int, str, str]  # (rule, offset, message, confidence)

DEFAULT_ALLOWED_HOSTS: frozenset[str] = frozenset(
    {
        "github.com",
        "raw.githubusercontent.com",
        "gist.github.com",
        "docs.github.com",
        "gitlab.com",
        "docs.python.org",
        "python.org",
        "pypi.org",
        "peps.python.org",
        "readthedocs.io",
        "readthedocs.org",
        "npmjs.com",
        "nodejs.org",
        "developer.mozilla.org",
        "rust-lang.org",
        "docs.rs",
        "crates.io",
        "go.dev",
        "pkg.go.dev",
        "stackoverflow.com",
        "wikipedia.org",
        "agentskills.io",
        "anthropic.com",
        "claude.com",
        "openai.com",
        "djangoproject.com",
        "pytest.org",
        "docker.com",
        "kubernetes.io",
        "example.com",
        "example.org",
        "example.net",
        "localhost",
        "127.0.0.1",
        "::1",
        "0.0.0.0",
        "astral.sh",
        "pre-commit.com",
        "git-scm.com",
        "typescriptlang.org",
        "react.dev",
        "nextjs.org",
        "vitejs.dev",
        "numpy.org",
        "pydata.org",
        "scipy.org",
        "postgresql.org",
        "sqlite.org",
        "mypy-lang.org",
        "semver.org",
        "json-schema.org",
        "yaml.org",
        "toml.io",
        "learn.microsoft.com",
        "docs.aws.amazon.com",
        "cloud.google.com",
        "registry.npmjs.org",
        "nginx.org",
        "redis.io",
        "mongodb.com",
        "terraform.io",
        "hashicorp.com",
        # ecosystems' own installers (https, run by a shell): anaconda, conda, rustup, Homebrew, deno, bun
        "anaconda.com",
        "conda.io",
        "conda-forge.org",
        "rustup.rs",
        "brew.sh",
        "deno.land",
        "bun.sh",
    }
)
_URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+", re.I)
_IMAGE = re.compile(
    r"!\[[^\[\]\n]{0,300}\]\(\s*<?([^)\s>]+)|<img\b[^<>]{0,300}\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I
)
_INTERPOLATION = re.compile(r"\$\{|\$\(|\{\{|%7[bB]|\$[A-Z_]{2,}|<[A-Za-z_]+>")
_FETCHES = re.compile(  # a line that makes the agent contact the URL (not a link to read)
    r"\b(?:curl|wget|fetch|requests\.\w+|httpx\.\w+|urlopen|urlretrieve|aiohttp|axios|iwr|irm|"
    r"invoke-webrequest|invoke-restmethod|git\s+clone|pip3?\s+install|npm\s+install|npx|uvx|docker\s+pull|"
    r"http\.get|got\(|ky\(|web_?fetch|download)\b",
    re.I,
)
_TOKENISH = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-+/=.]+$")
_SECRET_REF = re.compile(r"(?i)[${<%][{(]?\w*(?:token|secret|passw|api_?key|access_?key|credential)")
# a shell variable named for a secret, anywhere in a URL: $GITHUB_TOKEN, ${DB_PASS}, $GH_PAT, $OPENAI_KEY
_SECRET_VAR = re.compile(
    r"(?i)\$\{?\w*(?:token|secret|passw|api_?key|access_?key|credential|(?:_key|_pass|_pat|_pwd)(?![a-z0-9]))"
)
_DYNAMIC = re.compile(r"\$\{|\$\(|\{\{|%7[bB]\{?|\$[A-Za-z_]{2,}|\+\s*\w|document\.cookie|localStorage")


def quote(snippet: str, limit: int = 60) -> str:
    """``snippet`` on one line, secrets redacted (before the cut: a cut token no rule knows any more), cut
    to ``limit`` characters and quoted, for a finding's message."""
    snippet = redact(" ".join(snippet.split()))[0]
    return repr(snippet if len(snippet) <= limit else snippet[: limit - 1] + "…")


def host_allowed(host: str, hosts: frozenset[str]) -> bool:
    """True when ``host`` or one of its parent domains is in ``hosts``."""
    host = host.lower().rstrip(".")
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(len(parts)))


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for a malformed URL (``https://docs.[x].com`` raises ValueError)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises only when read
    except ValueError:
        return None
    return parts


def url_host(url: str) -> str:
    """The URL's lower-cased host name, "" when it has none. A URL that ``urlsplit`` refuses is split by
    hand, so that its host is still named (and judged) rather than taken as no host at all."""
    parts = split_url(url)
    if parts is not None:
        return parts.hostname or ""
    netloc = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
    return netloc.rpartition("@")[2].lower()


def _carries_data(url: str) -> bool:
    """A query string or interpolation that can carry data out (``?q=${TOKEN}``, long values)."""
    if _INTERPOLATION.search(url):
        return True
    parts = split_url(url)
    query = parts.query if parts is not None else url.partition("?")[2]
    return any(len(v) >= 16 or _INTERPOLATION.search(v) for _, v in parse_qsl(query, keep_blank_values=True))


def url_findings(text: str, hosts: frozenset[str]) -> Iterator[Raw]:
    if "://" not in text:
        return
    line = (-1, -1, False)  # the last line looked at: start, end, whether it fetches (once per line)
    for m in finditer_from(_URL, text, ("http",), lowered(text)):  # every match starts with http
        url = m.group(0).rstrip(".,;:")
        host = url_host(url)
        whole = url + _rest_of_substitution(text, m.start() + len(url), url)
        if host and host_allowed(host, hosts):
            if host not in _LOOPBACK and _carries_secrets(whole):  # the allowlist quiets notices only
                yield "url-data", m.start(), f"URL carries a secret or the environment: {quote(url)}", "high"
            continue
        conf = _data_confidence(url, host, whole) if _carries_data(url) else None
        if conf:
            yield (
                "url-data",
                m.start(),
                f"URL to unknown host {host!r} carries data in its query or path: {quote(url)}",
                conf,
            )
        elif not made_up_host(
            host
        ):  # a URL with harmless interpolation is still a fetch from an unknown host
            if not line[0] <= m.start() < line[1]:  # many URLs on one line: the line is searched once
                start, end = _line_span(text, m.start())
                line = (start, end, bool(_FETCHES.search(text, start, end)))
            if line[2]:
                yield "unknown-host", m.start(), f"fetches from a host not in the allowlist: {host!r}", "high"


def _rest_of_substitution(text: str, end: int, url: str) -> str:
    """The rest of a ``$(…)`` the URL match stopped inside (at its first space: ``$(cat ~/.ssh/id_rsa)``),
    up to its ``)`` on the same line (at most 200 characters), so the command is judged whole."""
    if url.count("$(") <= url.count(")"):
        return ""
    close = text.find(")", end, end + 200)
    newline = text.find("\n", end, close)
    return text[end : close + 1] if close != -1 and newline == -1 else ""


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # data sent there stays on the machine
_ENVIRONMENT = re.compile(
    r"(?i)\$\(\s*(?:env|printenv|set|cat\s[^)]*(?:\.aws|\.ssh|\.netrc|credentials|\.env))\b|/proc/self/environ"
)


def _carries_secrets(url: str) -> bool:
    """A secret variable, the environment or a credential file anywhere in the URL (host name, path, query
    or fragment: each reaches the host or its logs): an error whatever the host (a library's allowlist
    must not let ``?t=$GITHUB_TOKEN`` or ``/r/$(env|base64)`` through). The placeholder forms of the
    query rule (``<token>``) count in the query and host name only: ``/bot<TOKEN>/getMe`` is a path in
    API docs."""
    rest = url.split("://", 1)[-1]
    return bool(_SECRET_REF.search(_outward(url)) or _SECRET_VAR.search(rest) or _ENVIRONMENT.search(rest))


def _outward(url: str) -> str:
    """The query and the host name of a URL (the parts where a placeholder such as ``<token>`` counts)."""
    parts = split_url(url)
    query = parts.query if parts is not None else url.partition("?")[2]
    return query + " " + url.split("://", 1)[-1].split("/", 1)[0]


def _data_confidence(url: str, host: str, whole: str = "") -> str | None:
    """ "high" when a secret, the environment or a credential file is anywhere in the URL, or a
    command's output is put into the query or host name; "low" for other interpolation in those or a
    token-like static value; None for a static query (fonts, search terms) and for interpolation in the
    path alone (``/v${VERSION}/``, ``/release/$(curl … stable.txt)/``: how downloads are named)."""
    parts = split_url(url)
    query = parts.query if parts is not None else url.partition("?")[2]
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    outward = query + " " + netloc
    if _carries_secrets(whole or url) or (("$(" in outward or "`" in outward) and not made_up_host(netloc)):
        return "high"
    if _DYNAMIC.search(outward) and not made_up_host(host):
        return "low"
    values = [v for _, v in parse_qsl(query, keep_blank_values=True)]
    if any(len(v) >= 20 and _TOKENISH.match(v) for v in values):
        return "low"
    return None


def _line_span(text: str, offset: int) -> tuple[int, int]:
    end = text.find("\n", offset)
    return text.rfind("\n", 0, offset) + 1, len(text) if end == -1 else end


def image_findings(text: str, hosts: frozenset[str]) -> Iterator[Raw]:
    if "![" not in text and "<img" not in lowered(text):
        return
    for m in _IMAGE.finditer(text):
        url = m.group(1) or m.group(2) or ""
        if "://" not in url and not _INTERPOLATION.search(url):
            continue
        host = url_host(url)
        parts = split_url(url)
        query = parts.query if parts is not None else url.partition("?")[2]
        if _INTERPOLATION.search(url) or (query and not host_allowed(host, hosts)):
            dynamic = (
                bool(_DYNAMIC.search(url))
                and "://" in url
                and (not made_up_host(host) or bool(_SECRET_REF.search(url)))
            )
            yield (
                "image-exfiltration",
                m.start(),
                f"image URL carries data (exfiltration): {quote(url)}",
                "high" if dynamic else "low",
            )
