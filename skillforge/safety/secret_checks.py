"""The building blocks of the secret rules: the :class:`Rule` type and the Python checks that keep false
positives out (git SHAs, UUIDs, ids in logs, variable names, placeholders), plus the keyword assignment
scanner. :mod:`skillforge.safety.secret_rules` lists the rules themselves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from skillforge.safety.prefilter import contains_any, finditer_from, folds_apart, hits
from skillforge.safety.secret_names import (
    _DOTTED_IDENT,
    _IDENT,
    _WORDISH,
    is_secret_name,
    shannon_entropy,
)

Check = Callable[[str, re.Match[str]], "str | None"]  # (text, match) -> kind, or None to drop
Span = tuple[int, int, str]

_B = r"(?<![A-Za-z0-9_])"  # left boundary for tokens
_E = r"(?![A-Za-z0-9_])"  # right boundary


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]  # lower case; the rule runs only if one occurs in the lowered text
    check: Check | None = None
    exact: bool = False  # keywords are case-sensitive and tested against the text itself
    starts: tuple[str, ...] = ()  # lower case; when set, every match starts with one of these in the
    # lowered text, so the pattern is tried only there (see :func:`skillforge.safety.prefilter.finditer_from`);
    # a case-insensitive pattern reads İ and ı as i and ſ as s, which lower to other characters: a text
    # holding one is scanned whole (:func:`~skillforge.safety.prefilter.folds_apart`)
    finder: Callable[[re.Pattern[str], str], Iterable[re.Match[str]]] | None = None  # when set: the
    # pattern's matches in a text, as finditer gives them, found faster by a prefilter

    def applies(self, text: str, lowered: str) -> bool:
        if self.exact:
            return any(k in text for k in self.keywords)
        return contains_any(lowered, self.keywords)

    def applies_given(self, text: str, found: dict[str, list[int]]) -> bool:
        """:meth:`applies` when ``found`` is the lowered text's hits of every rule's keywords lowered
        (one pass for all rules; a case-sensitive ASCII keyword can occur in the text only where its
        lower case occurs in the lowered text, so that gates the ``str.find`` per keyword)."""
        if self.exact:
            return any(k.lower() in found for k in self.keywords) and any(k in text for k in self.keywords)
        return not found.keys().isdisjoint(self.keywords)

    def spans(
        self, text: str, lowered: str | None = None, found: Iterable[re.Match[str]] | None = None
    ) -> Iterator[Span]:
        """``found``: the pattern's matches in ``text`` when a prefilter has them (same as finditer)."""
        if found is None and self.finder is not None:
            found = self.finder(self.pattern, text)
        elif found is None:
            found = (
                finditer_from(self.pattern, text, self.starts, lowered)
                if self.starts and lowered is not None and not folds_apart(lowered)
                else self.pattern.finditer(text)
            )
        group = "s" if "s" in self.pattern.groupindex else 0
        for m in found:
            kind = self.check(text, m) if self.check is not None else self.kind
            if kind is not None:
                start, end = m.span(group)
                yield start, end, kind


# --- checks that keep false positives out ------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^(?:\$\{?\w*\}?|\{\{.*\}\}|<[^>]*>|%\(?\w*\)?s?|\*+|x+|\.+|-+|_+|null|none|nil|true|false|"
    r"changeme|example|placeholder|redacted|your[_-]?\w*|my[_-]?\w*|xxx+.*|\?+|undefined|string|str|int|"
    r"bool|required|optional|env|secret|password|token|value|test|dummy|fake|sample|\w*_here|postgres|admin|"
    r"root|guest|pass|none_set|unset|empty)$",
    re.I,
)
_MADE_UP = re.compile(  # placeholders inside a value: github_pat_xxxx, phc_development_key, sk-...
    r"(?i)x{4,}|\*{3,}|\.\.\.|…|^(?:[a-z]+[_-])+(?:key|token|secret|password|pass|here|value)$|development"
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_ID_KEY = re.compile(
    r"(?:^|[_.-])(?:ids?|uuid|guid|hash|sha\d*|h1|digest|checksum|etag|signature|sig|version|path|file|"
    r"dir|url|uri|href|name|type|model|commit|ref|branch|tag|rev|node|class|module|title|key_id|"
    r"fingerprint|integrity|image|cursor|slug|mime|encoding|format|session|request|trace|span|data)$",
    re.I,
)
# (h1: the hash of a module in go.sum, "v1.1.0 h1:<base64>")
# the same names as the last word of a camelCase key (toolUseID, parentToolUseId, requestId, sessionUuid)
_ID_KEY_CAMEL = re.compile(
    r"[a-z0-9](?:Id|ID|Ids|IDs|Uuid|UUID|Guid|GUID|Hash|Sha|Digest|Checksum|Etag|ETag|Version|Path|File|Dir|"
    r"Url|URL|Uri|URI|Href|Name|Type|Model|Commit|Ref|Branch|Tag|Rev|Node|Title|Fingerprint|Cursor|Slug|"
    r"Session|Request|Trace|Span)$"
)
_ID_PREFIX = re.compile(r"^(?:toolu|msg|req|call|chatcmpl|resp|file|run|srvtoolu|cs|fc|rs|asst|thread)[_-]")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:tokens|tokenizer|tokenize|_count|_len|_length|_type|_hash|_file|_path|_url|_env|_name|_id|"
    r"_ids|_policy|_prompt|_field|_header|_endpoint|_limit|_timeout|_expires?|_ttl|_usage)$"
)
# the same names written in camelCase (tokenUsage, CredentialOp, SecretName): a capital starts the last word
_NOT_SECRET_CAMEL = re.compile(
    r"[a-z0-9](?:Tokens|Count|Len|Length|Type|Hash|File|Path|Url|URL|Env|Name|Id|ID|Ids|IDs|Policy|Prompt|"
    r"Field|Header|Endpoint|Limit|Timeout|Expires?|Ttl|TTL|Usage|Op|Kind|Mode|Command|Cmd)$"
)
# except a UUID under a secret id: Vault AppRole's secret_id (secretId, SecretID) is the credential its
# login sends (AWS Secrets Manager's SecretId, a name or an ARN, stays a name)
_SECRET_ID_KEY = re.compile(r"(?i)secret[_-]?id$")
_PASSWORD_KEY = re.compile(r"(?i)pass|pwd|(?:^|[_.-])pw$")


def _secret(m: re.Match[str]) -> str:
    return m.group("s") if "s" in m.re.groupindex and m.group("s") is not None else m.group(0)


def _boundary(text: str, m: re.Match[str]) -> bool:
    """The token starts a word; ``__`` separates words too (an MCP tool ``mcp__vault__ghp_…``)."""
    at = m.start()
    return at == 0 or text[at - 1] not in _KEY_CHARS or text[at - 1] in ".-" or text[at - 2 : at] == "__"


def _when(kind: str, test: Callable[[str], bool], bounded: bool = False) -> Check:
    def check(text: str, m: re.Match[str]) -> str | None:
        if bounded and not _boundary(text, m):
            return None
        return kind if test(_secret(m)) else None

    return check


def _always(v: str) -> bool:
    return True


def _mixed(v: str) -> bool:
    return any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(c.islower() for c in v)


def _key_before(text: str, sep: int) -> str:
    """The identifier that ends just before ``sep`` (skipping spaces and a closing quote)."""
    i = sep
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i > 0 and text[i - 1] in "\"'":
        i -= 1
        if i > 0 and text[i - 1] == "\\":
            i -= 1
    end = i
    while i > 0 and end - i < 60 and text[i - 1] in _KEY_CHARS:
        i -= 1
    return text[i:end]


def _high_entropy(text: str, m: re.Match[str]) -> str | None:
    value = m.group("s")
    if _HEX.match(value) or _UUID.match(value) or _ID_PREFIX.match(value) or "redacted" in value:
        return None
    if value.count("/") > 1 or value.count(".") > 1 or value.count("-") > 3 or value.startswith("/"):
        return None
    if "__" in value or sum(len(w) for w in _WORDISH.findall(value)) > 0.4 * len(value):
        return None  # a path, an identifier or words, not a random string
    if not (
        any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
    ):
        return None
    key = _key_before(text, m.start())
    if not key or _ID_KEY.search(key) or _ID_KEY_CAMEL.search(key):
        return None
    return "high-entropy" if shannon_entropy(value) >= min(4.3, 0.87 * math.log2(len(value))) else None


def _url_credentials(text: str, m: re.Match[str]) -> str | None:
    value = m.group("s")
    if (
        _PLACEHOLDER.match(value)
        or value.isdigit()
        or value.startswith(("$", "{", "<", "%"))
        or "redacted" in value.lower()
    ):
        return None
    if "/" in value and (value.split("/", 1)[0].isdigit() or value.endswith("/")):
        return None  # a port and a path (http://host:8080/users/@me): a password may hold "/", not these
    i = m.start()
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "+.-"):
        i -= 1
    scheme = text[i : m.start()].lower().split("+")[0]
    if not scheme or not scheme[0].isalpha():
        return None
    return "connection-string" if scheme in _DB_SCHEMES else "url-password"


def _cli_password(text: str, m: re.Match[str]) -> str | None:
    """A password given on a command line (``curl -u u:p``, ``sshpass -p``, ``mysql -pX``) or in .netrc."""
    value = m.group("s")
    if (
        _PLACEHOLDER.match(value)
        or _MADE_UP.search(value)
        or value.startswith(("$", "{", "<", "%", "`"))
        or "redacted" in value.lower()
    ):
        return None
    return "cli-password"


_DB_SCHEMES = frozenset(
    [
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongodb",
        "rediss",
        "redis",
        "amqp",
        "amqps",
        "mssql",
        "sqlserver",
        "oracle",
        "cockroachdb",
        "clickhouse",
        "jdbc",
    ]
)

# --- secret assignments: KEY=value, KEY: value, "KEY": "value", ["KEY"] = "value", f("KEY", "value") ---

_ASSIGN_KEYWORDS = ("pass", "pwd", "_pw", "secret", "token", "credential", "key")
_KEY_PREFIXES = tuple(
    f"{p}{sep}"
    for p in ("api", "access", "private", "auth", "session", "signing", "encryption")
    for sep in ("_", "-", "")
)


def _keyword_ends(text: str, lowered: str) -> list[int]:
    """End offsets of the secret-key keywords, found by fast literal search (no alternation); "key"
    after a known prefix (``api_key``) or ending a name's word (``RAILS_MASTER_KEY``, ``appKey``)."""
    ends: list[int] = []
    found = hits(lowered, _ASSIGN_KEYWORDS)
    for keyword in _ASSIGN_KEYWORDS:
        for start in _non_overlapping(found.get(keyword, ()), len(keyword)):
            if (
                keyword != "key"
                or lowered[max(0, start - 11) : start].endswith(_KEY_PREFIXES)
                or (start and (text[start - 1] in "_-" or (text[start] == "K" and text[start - 1].islower())))
            ):
                ends.append(start + len(keyword))
    return sorted(set(ends))


def _non_overlapping(starts: Iterable[int], size: int) -> Iterator[int]:
    """The starts ``re.finditer`` of a literal reports: each at least ``size`` after the last kept."""
    after = -1
    for start in starts:
        if start >= after:
            after = start + size
            yield start


MAX_QUOTED = 200  # characters of a quoted value looked through for its closing quote
_ASSIGN_TAIL = re.compile(
    r"[A-Za-z0-9_.-]{0,40}+(?:(?P<cq>\\?[\"'])(?P<br>\])?)?\s*(?P<op>=|:=|:|=>|,)\s*(?P<q>\\?[\"'])?"
    r"(?P<s>[^\s\"'\\,;&<>(){}\[\]`]++)"
)


def assignment_spans(text: str, lowered: str) -> Iterator[Span]:
    """Values of secret-looking keys (found by keyword in the lowered text, then parsed in place)."""
    seen: set[int] = set()
    inside = -1  # the end of the last value: a keyword inside it ("secret=asecret=a…") is part of it
    for hit_end in _keyword_ends(text, lowered):
        if hit_end < inside:
            continue  # (each would match to the same end again: quadratic on one long token)
        m = _ASSIGN_TAIL.match(text, hit_end)
        if m is None or m.start("s") in seen:
            continue
        start = hit_end
        while start > 0 and hit_end - start < 60 and text[start - 1] in _KEY_CHARS:
            start -= 1
        end = _quoted_end(text, m)
        if (m.group("op") == "," and not _call_arguments(text, start, end, m)) or (
            m.group("br") and m.group("op") != "="  # ["KEY"] = "value" only (not ['a-secret']:\n try:)
        ):
            continue  # no pair: what follows is unread (the next item may be a secret's key)
        inside = m.end("s")
        value = text[m.start("s") : end]
        if len(value) < 4 or value.isdigit():
            continue
        seen.add(m.start("s"))
        key = text[start : m.start("cq") if m.group("cq") else m.start("op")].rstrip()
        if _is_secret_assignment(key, m, value):
            inside = end
            yield m.start("s"), end, "password" if _PASSWORD_KEY.search(key) else "secret"


def _quoted_end(text: str, m: re.Match[str]) -> int:
    """Where a quoted value ends: at its closing quote (a password holds ``&``, ``;`` or ``(``, and the
    part after one was left in clear), else where the unquoted match ends. Not past a space (quoted
    prose) nor into a reference (``"$(gh auth token)"``, ``"${{ secrets.X }}"``: the safe way to pass
    a secret, which must reach the agent as written)."""
    quote = m.group("q")
    if not quote or m.group("s").startswith("$"):
        return m.end("s")
    close = text.find(quote, m.end("s"), m.start("s") + MAX_QUOTED)
    if close < 0 or _NOT_IN_A_SECRET.search(text, m.end("s"), close):
        return m.end("s")
    return close


_NOT_IN_A_SECRET = re.compile(r"\s|\$|\{|`")  # quoted prose, or a reference to a secret


def _call_arguments(text: str, key_start: int, end: int, m: re.Match[str]) -> bool:
    """A (name, value) pair is a secret's only as a call's two arguments: ``Setenv("X_TOKEN", "…")``,
    not two items of a list (``["A_TOKEN", "HOME"]``) nor a key and the next key of an object."""
    before = text[max(0, key_start - 40) : key_start].rstrip("\"'\\").rstrip()
    after = text[end + len(m.group("q") or "") : end + len(m.group("q") or "") + 4].lstrip()
    value = text[m.start("s") : end]
    return bool(_CALL_OPEN.search(before)) and after.startswith(")") and not _ENV_NAME.match(value)


_CALL_OPEN = re.compile(r"[A-Za-z_][\w.]*\($")  # setenv( Setenv( os.environ.setdefault(
# the second of two names (a tuple of names), not a value: AWS_REGION, HOME (but SUPERSECRET is a value)
_ENV_NAME = re.compile(r"^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|HOME|PATH|USER|SHELL|PWD|LANG|TERM|TMPDIR)$")


def _is_secret_assignment(key: str, m: re.Match[str], value: str) -> bool:
    if not is_secret_name(key, value):
        return False
    if m.group("op") == "," and not (m.group("cq") and m.group("q") and key.lstrip("\"'").isupper()):
        return False  # a pair only as an environment variable's quoted name and value: Setenv("X_TOKEN", "…")
    vault_secret_id = _SECRET_ID_KEY.search(key) and _UUID.match(value)
    if (_NOT_SECRET_KEY.search(key) or _NOT_SECRET_CAMEL.search(key)) and not vault_secret_id:
        return False
    if (
        len(value) < 4
        or _PLACEHOLDER.match(value)
        or _MADE_UP.search(value)
        or value.isdigit()
        or "redacted" in value.lower()
    ):
        return False
    if m.group("op") == ":" and value.rstrip(":").isdigit():
        return False  # a file and line in a stack trace (lib/phoenix/token.ex:266:)
    if m.group("q") or (key.isupper() and m.group("op") == "="):
        return True  # quoted, or an env-style KEY=value line
    # unquoted in code, YAML or prose: must not look like a word, a name or an expression
    after = m.string[m.end("s") : m.end("s") + 1]
    return not (_IDENT.match(value) or _DOTTED_IDENT.match(value) or after in ("(", "[", "."))
