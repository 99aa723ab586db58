"""Provenance of commands: the notable shell commands the agent ran after reading them in untrusted text.

A README, an issue or a web page can carry an install line (``pip install --pre ledgr-compat-shim``,
``npx some-tool``, ``echo … | base64 -d | sh``) that names no URL at all. When the agent runs it,
:func:`copied_commands` lists it (and the ``pip install <package>`` prefix of each package it installs),
so :func:`skillforge.safety.provenance.copied_in` quarantines a lesson that recommends it, as it does for a
copied URL.

Only *notable* commands count: those that reach outside the repository for code or trust —

* an install or run of a named package from a registry (pip, uv, pipx, npm/npx, yarn, pnpm, bun, gem,
  cargo, go, apt, brew, conda, composer, poetry; ``docker pull/run``; ``git clone``), unless every
  package is a local path (``.``, ``-e .``, ``-r requirements.txt``) or a well-known development tool
  (:data:`WELL_KNOWN`);
* an install option naming a source (``--index-url``, ``--extra-index-url``, ``--trusted-host``,
  ``--find-links``, ``--registry``, a conda channel);
* a download (curl, wget …), a pipe into an interpreter, TLS verification switched off, an untrusted index.

``pytest -x``, ``git status``, ``make test`` or ``pip install -e .`` copied from a README hands an
attacker nothing (the agent runs the project's own code anyway), so they are never marked.

A command is copied when its normalised text (lower case, quotes and backticks dropped, whitespace and
pipes collapsed, ``python -m pip``/``pip3``/``uv pip`` read as ``pip``), with or without its noise flags
(``-q``, ``-y``, ``-U`` …), occurs whole-word in the task text or an earlier tool output or injected
text, and no person wrote it before. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from skillforge.model import Shell, StepKind, Trajectory, Trust
from skillforge.safety.shell_interpreters import base, is_interpreter
from skillforge.safety.shell_packages import tls_off, untrusted_index
from skillforge.safety.shell_rules import is_downloader
from skillforge.safety.shell_tree import raw_words, words
from skillforge.text import parse

_UNTRUSTED = frozenset({Trust.TOOL_OUTPUT, Trust.INJECTED})
INSTALLERS: dict[str, frozenset[str]] = {  # program -> subcommands that fetch a named package ("" = any)
    "pip": frozenset({"install", "download", "wheel"}),
    "pipx": frozenset({"install", "run", "inject"}),
    "uv": frozenset({"add", "tool"}),
    "uvx": frozenset({""}),
    "npx": frozenset({""}),
    "pnpx": frozenset({""}),
    "bunx": frozenset({""}),
    "npm": frozenset({"install", "i", "add", "exec"}),
    "pnpm": frozenset({"install", "i", "add", "dlx"}),
    "yarn": frozenset({"add", "dlx"}),
    "bun": frozenset({"add", "install", "x"}),
    "gem": frozenset({"install"}),
    "cargo": frozenset({"install", "add"}),
    "go": frozenset({"install", "get"}),
    "apt": frozenset({"install"}),
    "apt-get": frozenset({"install"}),
    "brew": frozenset({"install", "tap"}),
    "conda": frozenset({"install", "create"}),
    "mamba": frozenset({"install", "create"}),
    "composer": frozenset({"require"}),
    "poetry": frozenset({"add", "source"}),
    "docker": frozenset({"pull", "run"}),
    "podman": frozenset({"pull", "run"}),
    "git": frozenset({"clone", "submodule"}),
}
SOURCE_OPTIONS = frozenset(
    {"--index-url", "--extra-index-url", "--trusted-host", "--find-links", "--registry", "--index"}
    | {"--default-index", "--source", "--channel", "--repo"}
)
_PIP_SOURCE = frozenset({"-i", "-f"})  # short source options only pip has (npm -f is --force)
_VALUE_OPTIONS = frozenset(  # options whose next word is a value, not a package
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--prefix"}
    | {"--path", "-p", "--python", "--name", "-n", "--platform", "--entrypoint"}
    | SOURCE_OPTIONS
)
_ONE_PACKAGE = frozenset({"docker", "podman", "uvx", "npx", "pnpx", "bunx", "git", "pipx"})
NOISE = frozenset({"-q", "--quiet", "-y", "--yes", "-u", "--upgrade", "--user", "--no-cache-dir", "-v"})
WELL_KNOWN = frozenset(  # development tools whose copied install hands an attacker nothing
    [
        "pip",
        "setuptools",
        "wheel",
        "build",
        "pytest",
        "pytest-cov",
        "pytest-xdist",
        "pytest-mock",
        "pytest-asyncio",
        "coverage",
        "tox",
        "nox",
        "ruff",
        "black",
        "isort",
        "flake8",
        "pylint",
        "mypy",
        "pre-commit",
        "hypothesis",
        "twine",
        "hatch",
        "hatchling",
        "poetry",
        "uv",
        "ipython",
        "typescript",
        "eslint",
        "prettier",
        "jest",
        "tsc",
        "tsx",
        "ts-node",
        "next",
        "vite",
        "vitest",
        "mocha",
    ]
)
_KEYWORDS = re.compile(
    r"install|\badd\b|\bget\b|clone|submodule|\bx\b|dlx|exec|\brun\b|pull|tap|require|source|npx|uvx|bunx|"
    r"pnpx|curl|wget|\||ssl|verify|tls|registry|index|config|export",
    re.I,
)
_PIP = re.compile(r"\b(?:python[0-9.]*\s+-m\s+pip|uv\s+pip|pip[0-9.]*)\s")
_SPACE = re.compile(r"\s+")
_PIPE = re.compile(r"\s*\|\s*")
_DROP = str.maketrans("", "", "\"'`")
_NAME_END = re.compile(r"[<>=!~\[@;:,]")


def normalise(text: str) -> str:
    """``text`` as commands are compared: lower case, no quotes or backticks, one space, pip spelt ``pip``."""
    low = text.lower().translate(_DROP)
    low = _SPACE.sub(" ", _PIPE.sub(" | ", low))
    return _PIP.sub("pip ", low)


_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash"})
_DEPTH = 3  # nested ``bash -c "eval '…'"`` looked into at most this deep


def notable(command: str) -> list[tuple[str, ...]]:
    """For each notable part of one command line: its normalised forms (full, without noise flags) and
    the ``program subcommand package`` prefixes of the packages it fetches. The script of ``bash -c`` /
    ``sh -lc`` and the words of ``eval`` are command lines of their own and are looked into."""
    return _notable(command, 0, set())


def _notable(command: str, depth: int, seen: set[str]) -> list[tuple[str, ...]]:
    """:func:`notable` at ``depth`` strings deep; ``seen``: the inner scripts parsed so far (the walk of
    a parse already meets every nested ``eval "$(…)"``, so each inner script is parsed once, not once
    per level that contains it)."""
    if depth > _DEPTH or not _KEYWORDS.search(command):
        return []
    root = parse("bash", command)
    found: list[tuple[str, ...]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "pipeline":
            cmds = [words(c) for c in node.children if c.type == "command"]
            if len(cmds) > 1 and cmds[-1] and is_interpreter(cmds[-1]):
                found.append((" | ".join(normalise(" ".join(ws)) for ws in cmds),))
        elif node.type == "command":
            ws = words(node)
            forms = _forms(ws)
            if forms:
                found.append(forms)
            inner = _inner_script(node, ws)
            if inner and inner not in seen:
                seen.add(inner)
                found.extend(_notable(inner, depth + 1, seen))
        stack.extend(node.children)
    return list(dict.fromkeys(found))  # eval "$(curl …)": the substitution is also a command of its own


def _inner_script(node: Any, ws: list[str]) -> str:
    """The command line a shell runs from a string: ``bash -c SCRIPT`` (``-lc``, ``-o pipefail -c``,
    ``--norc -c``, ``-c -- SCRIPT`` …) or ``eval WORDS``; one layer of quotes removed (``words``
    strips every quote at the ends)."""
    if not ws or base(ws[0]) not in _SHELLS | {"eval"}:
        return ""
    raw = [_unquote(word) for word in raw_words(node)[-len(ws) :]]  # past the wrappers words() dropped
    if base(ws[0]) == "eval":
        return " ".join(raw[1:])
    at = _script_at(ws)
    return raw[at] if 0 < at < len(raw) else ""


_VALUED = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})  # shell options taking a value


def _script_at(ws: list[str]) -> int:
    """Where the ``-c`` string is among a shell's words (0: none, the shell runs a file or stdin)."""
    i = 1
    while i < len(ws):
        w = ws[i]
        if w == "--" or not w.startswith(("-", "+")):
            return 0
        if w[0] == "-" and not w.startswith("--") and "c" in w[1:]:
            return i + 2 if i + 1 < len(ws) and ws[i + 1] == "--" else i + 1
        i += 2 if w in _VALUED or (not w.startswith("--") and w[-1] in "oO") else 1
    return 0


_ESCAPED = re.compile(r'\\([\\"$`])')


def _unquote(word: str) -> str:
    """One layer of shell quotes removed; inside double quotes, a backslash before a backslash, a double
    quote, a dollar or a backtick is dropped (the character it escapes is kept)."""
    if len(word) > 1 and word[0] == word[-1] == "'":
        return word[1:-1]
    if len(word) > 1 and word[0] == word[-1] == '"':
        return _ESCAPED.sub(r"\1", word[1:-1])
    return word


def _forms(raw: list[str]) -> tuple[str, ...]:
    ws = normalise(" ".join(raw)).split()
    if not ws:
        return ()
    full = " ".join(ws)
    quiet = " ".join(w for w in ws if w not in NOISE)
    packages = list(_packages(ws))
    risky = is_downloader(raw) or any(True for _ in tls_off(raw)) or any(True for _ in untrusted_index(raw))
    if not risky and not _has_source(ws) and all(_name(p) in WELL_KNOWN for p in packages):
        return ()  # nothing fetched (an empty list included) but well-known tools
    verb = " ".join((base(ws[0]), *_verbs(ws)))
    return tuple(dict.fromkeys((full, quiet, *(f"{verb} {_name(p)}" for p in packages))))


def _subcommand(ws: list[str]) -> str:
    subs = INSTALLERS.get(base(ws[0]), frozenset())
    return "" if "" in subs else next((w for w in ws[1:3] if w in subs), "")


def _verbs(ws: list[str]) -> list[str]:
    """The subcommand words of an install (``install``; ``tool install``; none for ``npx``)."""
    sub = _subcommand(ws)
    if not sub:
        return []
    at = ws.index(sub)
    more = ws[at + 1 : at + 2]
    return [sub, *more] if more and more[0] in ("add", "install", "run") else [sub]


def _packages(ws: list[str]) -> Iterator[str]:
    """The non-local package arguments of an install (nothing when ``ws`` installs nothing)."""
    prog = base(ws[0])
    subs = INSTALLERS.get(prog)
    if subs is None:
        return
    rest = ws[1:] if "" in subs else ws[ws.index(_subcommand(ws)) + 1 :] if _subcommand(ws) else None
    if rest is None:
        return
    if rest and rest[0] in ("add", "install", "run"):  # uv tool install X, git submodule add URL
        rest = rest[1:]
    skip = False
    for w in rest:
        if skip or w.startswith("-"):
            skip = not skip and (w in _VALUE_OPTIONS or (prog == "pip" and w in _PIP_SOURCE))
            continue
        if _local(w):
            continue
        yield w
        if prog in _ONE_PACKAGE:
            break  # what follows is the program's own arguments


def _local(word: str) -> bool:
    return word.startswith((".", "/", "~", "$", "file:")) or word.endswith((".txt", ".toml", ".cfg", ".whl"))


def _has_source(ws: list[str]) -> bool:
    prog = base(ws[0])
    options = SOURCE_OPTIONS | _PIP_SOURCE if prog == "pip" else SOURCE_OPTIONS
    return prog in INSTALLERS and any(w.partition("=")[0] in options for w in ws[1:])


def _name(spec: str) -> str:
    if "://" in spec or spec.startswith("git+"):
        return spec
    return _NAME_END.split(spec, maxsplit=1)[0] or spec


def copied_commands(traj: Trajectory) -> frozenset[str]:
    """The normalised forms and package prefixes of the notable commands the agent ran after they
    appeared in the task text, a tool output or injected text, and before any person wrote them."""
    shown, person = _Texts([traj.task]), _Texts([])
    copied: set[str] = set()
    for step in traj.steps:
        if step.kind is StepKind.TOOL_CALL and step.trust is Trust.AGENT and isinstance(step.action, Shell):
            for forms in notable(step.action.command):
                if shown.has_any(forms) and not person.has_any(forms):
                    copied.update(forms)
        elif step.trust in _UNTRUSTED and step.text:
            shown.raw.append(step.text)
        elif step.trust is Trust.PERSON and step.text:
            person.raw.append(step.text)
    return frozenset(copied)


class _Texts:
    """Texts seen so far; a text is normalised only when it holds a command's longest word (so a large
    session is not copied whole to look for one install line)."""

    def __init__(self, raw: list[str]) -> None:
        self.raw = raw
        self._normal: dict[int, str] = {}

    def has_any(self, forms: tuple[str, ...]) -> bool:
        return any(self._has(form) for form in forms)

    def _has(self, form: str) -> bool:
        word = re.compile(re.escape(max(form.split(), key=len)), re.I)
        for i, text in enumerate(self.raw):
            if word.search(text) is None:
                continue
            if i not in self._normal:
                self._normal[i] = normalise(text)
            if bounded(self._normal[i], form) >= 0:
                return True
        return False


def bounded(text: str, needle: str) -> int:
    """Where ``needle`` occurs in ``text`` as whole words (not inside a longer name), else -1."""
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        dotted = after == "." and end + 1 < len(text) and not text[end + 1].isspace()  # foo.bar, not "foo."
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_/" or dotted):
            return at
        at = text.find(needle, at + 1)
    return -1
