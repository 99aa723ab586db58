"""Where shell commands sit in markdown or prose: fenced shell blocks, inline code and command-like lines.

``snippets(text)`` yields (offset, command text) for the parts of ``text`` worth parsing as a shell;
:mod:`skillforge.safety.shell` parses them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from skillforge.safety.phrasing import NEW_BLOCK
from skillforge.safety.prefilter import any_in, fence_matches, hits, lowered
from skillforge.safety.shell_rules import BUCKET_TOOLS, DECODERS, DOWNLOADERS, NETWORK
from skillforge.safety.shell_uploads import GATE_KEYS


def _program_key(name: str) -> str:
    """The key for a program's name: a short name with the space that follows it (``xh ``, ``http ``:
    ``http`` alone is in every URL)."""
    return name if len(name) > 5 else f"{name} "


_LITERAL_KEYS = (
    "curl",
    "wget",
    "fetch",
    "iwr",
    "irm",
    "invoke-",
    "base64",
    "xxd",
    "sslverify",
    "ssl_no_verify",
    "strict-ssl",
    "tls_reject",
    "trusted-host",
    "index-url",
    "registry",
    "no-check-certificate",
    "printenv",
    "openssl",
    "uudecode",
    "httpsverify",
    "ssl_verify",
    "netcat",
    "ncat",
    "socat",
    "/.aws/",
    "/.ssh",
    "index_url",
    "trusted_host",
    "config_registry",
    "insecure_host",
    "insecure-host",
    *("uv_index", "scp ", "rsync ", ".netrc", ".kube/config", ".git-credentials", ".npmrc", ".pypirc"),
    "exec(",  # python -c "…exec(urlopen(…))", node -e "…then(eval)", perl -e 'eval get(…)'
    "eval",
    "http://",  # an index over plain http in any flag's spelling: pip -i, uv --index, -f (find-links)
    *("subprocess", "child_process", "system(", "popen"),  # inline code that runs what it fetched
    *("gzip", "bzip2", "xz -", "zstd", "unxz", "xzcat", "bzcat"),  # decoders: gzip -dc … | sh
    *("s3 cp", "gsutil", "gcloud storage", "gh api", "gh gist", "gh release"),  # buckets, GitHub
    *("strict_ssl", "strictssl", "--insecure", "verify-peer", "verify-host", "secure-http", "disable-tls"),
    *(
        "--tr",
        "--ext",
        "--in",
        "--fi",
        "-index",
        "environ",
        "/.config/",
        "/.azure",
        "pypi-mirror",
    ),  # pip: --trusted
    *("nogpgcheck", "nosignature", "no-gpg-checks", "nodigest", "trusted=yes", "unauthenticated"),  # yum, apt
    *("allowinsecurerepositories", "allow-insecure-repositories", "goinsecure", "gosumdb", "gonosum"),
    *("goflags", "goprivate", "verify=false", "verify = false", "rejectunauthorized", "unverified_context"),
    *("cert_none", "verify_none"),
)
# the gate in front of the shell rules: a snippet holding none of these is not parsed. The programs come
# from the rules' own lists (a downloader, decoder or network command added there is looked for here)
SNIPPET_KEYS = tuple(
    dict.fromkeys(
        (
            *_LITERAL_KEYS,
            *(_program_key(n) for n in sorted(DOWNLOADERS | DECODERS | NETWORK | BUCKET_TOOLS)),
            *GATE_KEYS,
        )
    )
)
_SHELL_LANGS = frozenset(
    {
        "",
        "bash",
        "sh",
        "shell",
        "zsh",
        "console",
        "shell-session",
        "terminal",
        "text",
        "cmd",
        "powershell",
        "ps1",
        "pwsh",
        "dockerfile",
        "docker",
        "yaml",
        "yml",
        "makefile",
    }
)
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n]*$", re.M)
# the look-behind after the first backtick (same matches as ``(?<!`)`…``) lets re jump between backticks;
# a code span may cross the line breaks of its paragraph (CommonMark: they read as spaces), not a blank
# line or a new block; on one line the look-ahead asks what ``[^`\n]{4,}`` did (the same pairs)
_INLINE = re.compile(rf"`(?<!``)((?=[^`]{{4}})[^`\n]*+(?:\n(?!{NEW_BLOCK})[^`\n]*+)*+)`(?!`)")
_SPAN_BREAK = re.compile(r"\r?\n[ \t]*+(?:>[ \t]?)*+")  # a line break in a code span, and its quote markers
_RUNS_FILE = re.compile(r"(?:^|[;&|]\s*)\s*(?:sudo\s+)?(?:ba|z|da)?sh\s+[\w./~-]|(?:^|\s)\./[\w.-]", re.M)
_CMD_START = re.compile(  # where a command starts in a line of prose ("then curl … | sh")
    r"(?:^|(?<=\s))\.\s+<\(|(?<![\w./-])(?:[A-Z_]+=\S*\s+)*(?:sudo\s+)?(?:curl|wget|git|pip3?|uv|npm|yarn|pnpm|echo|env|printenv|"
    r"export|eval|source|bash|sh|python3?|base64|cat|iwr|irm|fetch|http)\b"
)


def snippets(text: str) -> Iterator[tuple[int, str]]:
    """(offset, command text) of shell blocks, inline code and command-like lines outside code."""
    parts: list[str] = []
    pos = 0
    has_key = _KeyIndex(text).within
    for start, body_start, end, lang in _fences(text):
        body = text[body_start:end]
        if lang in _SHELL_LANGS and (has_key(body_start, end) or _runs_file(body)):
            yield body_start, body
        parts += [text[pos:start], _blank(text[start:end])]  # offsets and lines kept
        pos = end
    rest = "".join(parts) + text[pos:] if parts else text
    inline = list(_INLINE.finditer(rest))
    for m in inline:  # an inline span never takes a blanked character: each is a slice of ``text``
        if has_key(m.start(1), m.end(1)) or _runs_file(m.group(1)):
            yield m.start(1), _SPAN_BREAK.sub(lambda b: " " * len(b.group()), m.group(1))
    rest = _blank_spans(rest, inline)
    done = -1
    for at in _key_starts(text, rest):
        if at < done:
            continue
        start = rest.rfind("\n", 0, at) + 1
        end = rest.find("\n", at)
        done = end = len(rest) if end == -1 else end
        line = rest[start:end]
        if not line.lstrip().startswith("|"):
            cut = _CMD_START.search(line)
            if cut:
                yield start + cut.start(), line[cut.start() :]


def _key_starts(text: str, rest: str) -> list[int]:
    """Where a key occurs in the lowered ``rest`` (``text`` with code blanked, same offsets): the keys
    found in the whole text (one cached pass) whose characters were not blanked (no key holds a
    space or a newline)."""
    found = hits(lowered(text), SNIPPET_KEYS)
    return sorted(
        {
            at
            for key in SNIPPET_KEYS
            for at in found.get(key, ())
            if rest.startswith(text[at : at + len(key)], at)
        }
    )


def _has_key(low: str) -> bool:
    return any_in(low, SNIPPET_KEYS)


def _runs_file(code: str) -> bool:
    """``_RUNS_FILE.search(code)``: every match holds "sh" or "./", so most pieces skip the regex."""
    return ("sh" in code or "./" in code) and _RUNS_FILE.search(code) is not None


class _KeyIndex:
    """Where the snippet keys occur in ``text`` (from the one cached keyword pass over the lowered text),
    to test pieces of it without lowering and scanning each piece again."""

    def __init__(self, text: str) -> None:
        found = hits(lowered(text), SNIPPET_KEYS)
        spans = sorted((at, at + len(key)) for key in SNIPPET_KEYS for at in found.get(key, ()))
        self.text = text
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]

    def within(self, start: int, end: int) -> bool:
        """``_has_key(text[start:end].lower())``. An ASCII piece lowers as the whole text does there
        (ASCII case is context-free), so a key is in it when one found in the text lies inside it;
        any other piece is lowered and scanned on its own (İ lowers to two characters)."""
        piece = self.text[start:end]
        if not piece.isascii():
            return _has_key(piece.lower())
        i = bisect_left(self.starts, start)
        while i < len(self.starts) and self.starts[i] < end:
            if self.ends[i] <= end:
                return True
            i += 1
        return False


def _blank(text: str) -> str:
    """Every character but newlines replaced by a space (same length, same lines)."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _blank_spans(text: str, found: list[re.Match[str]]) -> str:
    """``text`` with each match in ``found`` (in order, not overlapping) replaced by spaces."""
    if not found:
        return text
    parts: list[str] = []
    pos = 0
    for m in found:
        parts += [text[pos : m.start()], _blank(m.group())]  # lines kept
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def _fences(text: str) -> Iterator[tuple[int, int, int, str]]:
    """(start, body start, end, language) of each fenced block (an unclosed one runs to the end)."""
    opened: tuple[int, int, str, str] | None = None  # (start, body start, fence, language)
    for m in fence_matches(_FENCE_LINE, text):
        fence = m.group(1)
        if opened is None:
            opened = (m.start(), min(len(text), m.end() + 1), fence, m.group(2).lower())
        elif fence[0] == opened[2][0] and len(fence) >= len(opened[2]) and not m.group(2):
            yield opened[0], opened[1], m.start(), opened[3]
            opened = None
    if opened is not None:
        yield opened[0], opened[1], len(text), opened[3]
