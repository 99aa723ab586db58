"""Interpreters, for the shell check: which program a command word runs (``python3.13t``, ``$PYTHON``,
``"${PYTHON:-python3}"`` run python), and where an interpreter takes its code from: a script file, code
given inline or a module, or what it reads on stdin (so ``curl … | bash -e`` runs the download and
``curl … | python3 -m json.tool`` does not).

An option's meaning depends on the interpreter: ``-c`` is inline code for the shells and python, ``-e``
for node, perl and ruby, ``-m`` a module for python only; ``bash -e`` is errexit, ``python3 -E``
ignores the environment, ``bash -m`` is monitor mode, and each still reads its script from stdin.
"""

from __future__ import annotations

import re
import shlex
from typing import NamedTuple

SHELLS = frozenset(
    {"sh", "bash", "rbash", "zsh", "dash", "ksh", "mksh", "lksh", "pdksh", "yash", "posh", "fish", "ash"}
    | {"csh", "tcsh"}
)
_POWERSHELLS = frozenset({"pwsh", "powershell"})
INTERPRETERS = (
    SHELLS
    | _POWERSHELLS
    | frozenset(
        {
            "python",
            "perl",
            "ruby",
            "node",
            "php",
            "iex",
            "invoke-expression",
            "eval",
            "source",
            ".",
            "deno",
            "bun",
        }
    )
)
# a versioned or built variant runs the same interpreter: python3.12, /usr/bin/python3.11, pypy3, ruby3.2,
# php8.2, python3.13t (free-threaded), python3.13-dbg (debug build); not python3.12-config
_VERSIONED = re.compile(r"(python|pypy|perl|ruby|php|node|bash|pwsh)[\d.]*t?(?:-dbg|-\d[\w.]*)?")
# a variable naming the interpreter: "$SHELL", $BASH, ${PYTHON}, "${PYTHON:-python3}" (its default counts)
_VARIABLE = re.compile(r"\$\{?(\w+)(?::?[-=]([^}]*))?\}?")
_VARIABLES = {"shell": "sh", "bash": "bash", "zsh": "zsh", "python": "python", "python3": "python"}
_VARIABLES |= {"py": "python", "pythonbin": "python", "perl": "perl", "ruby": "ruby", "node": "node"}


def base(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def program(word: str) -> str:
    """The interpreter or program a command word names, its version dropped (``/usr/bin/python3.11``
    and ``pypy3`` run python, ``nodejs`` runs node, ``$BASH`` runs bash)."""
    variable = _VARIABLE.fullmatch(word)
    if variable:
        known = _VARIABLES.get(variable[1].lower())
        return known or (program(variable[2]) if variable[2] else word.lower())
    name = base(word)
    versioned = _VERSIONED.fullmatch(name)
    if versioned:
        return versioned[1].replace("pypy", "python")
    return "node" if name == "nodejs" else name


def is_interpreter(ws: list[str]) -> bool:
    if not ws:
        return False
    if program(ws[0]) in INTERPRETERS:
        return not any(w in ("--version", "-V", "--help") for w in ws[1:])
    return False


class _Letters(NamedTuple):
    code: str  # short option letters whose value is code or a module (bash -c, perl -ne, python -Im)
    glued: str  # letters whose value is the rest of their word: a group ends there (perl -MLWP::Simple)
    long: frozenset[str] = frozenset()  # long options whose value is code (node --eval)


_CODE_OPTIONS = {  # program() name -> its code options
    **dict.fromkeys(SHELLS, _Letters("c", "oO", frozenset({"--command"}))),  # fish --command
    "python": _Letters("cm", "WXQ"),
    "node": _Letters("ep", "r", frozenset({"--eval", "--print"})),
    "bun": _Letters("ep", "", frozenset({"--eval", "--print"})),
    "perl": _Letters("eE", "MmIixdDCF"),
    "ruby": _Letters("e", "rIECxFKTWi"),
    "php": _Letters("rBRE", "dcz"),
}
_PWSH_CODE = frozenset({"-c", "-command", "-cwa", "-commandwithargs", "-e", "-ec", "-encodedcommand"})
# interpreters' options that take the next word (python -W ignore x.py, bash -o pipefail x.sh)
_VALUED = frozenset({"-W", "-X", "-o", "-O", "+o", "+O", "--rcfile", "--init-file", "-r", "--require", "-I"})
_PWSH_VALUED = frozenset({"-executionpolicy", "-ep", "-ex", "-workingdirectory", "-wd", "-inputformat"})
_PWSH_VALUED |= {"-if", "-outputformat", "-of", "-settingsfile", "-configurationname", "-version", "-v"}
STDIN_FILES = frozenset({"-", "/dev/stdin", "/proc/self/fd/0", "/dev/fd/0", "/proc/$$/fd/0"})


class CodeOption(NamedTuple):
    """An interpreter's option that gives it code or a module, at ``at`` in its words: ``letter``
    (``c``, ``m``, ``--eval``) and the code glued to it (``-cprint(1)``), or ''."""

    at: int
    letter: str
    glued: str


def code_option(name: str, word: str, index: int) -> CodeOption | None:
    """``word`` (at ``index``) as a code option of interpreter ``name``, or None."""
    if name in _POWERSHELLS:
        return CodeOption(index, word.lower(), "") if word.lower() in _PWSH_CODE else None
    letters = _CODE_OPTIONS.get(name)
    if letters is None or len(word) < 2 or word[0] != "-":
        return None
    flag, eq, value = word.partition("=")
    if flag in letters.long:
        return CodeOption(index, flag, value if eq else "")
    if word[1] == "-":
        return None
    for at, letter in enumerate(word[1:], 2):
        if letter in letters.code:
            return CodeOption(index, letter, word[at:])
        if letter in letters.glued or not letter.isalnum():
            return None
    return None


def _subcommand(name: str, args: list[str]) -> tuple[list[str], bool]:
    """``deno run -`` and ``bun run -`` run what follows ``run``; ``deno eval`` runs inline code."""
    if name not in ("deno", "bun"):
        return args, False
    verb = next((i for i, w in enumerate(args) if not w.startswith("-")), None)
    if verb is None:
        return args, False
    if args[verb] == "run":
        return args[:verb] + args[verb + 1 :], False
    return args, name == "deno" and args[verb] == "eval"


class Source(NamedTuple):
    """Where an interpreter takes its code from: ``kind`` is "file" (``name`` the script, stdin's names
    such as ``-`` kept whole), "code" (inline code or a module: ``option``) or "stdin"."""

    kind: str
    name: str = ""
    option: CodeOption | None = None


def source(ws: list[str]) -> Source:
    """Where interpreter command ``ws`` takes its code from: its first word that is no option nor an
    option's value is the script (``python summarize.py items.json`` runs summarize.py); a code option
    before it gives the code (``python -c …``, ``perl -ne …``), unless it is the last word (``xargs bash
    -c`` appends what it reads) or its value is ``-`` (``pwsh -Command -``); none of them: stdin."""
    name = program(ws[0])
    args, inline = _subcommand(name, ws[1:])
    if inline:
        return Source("code")
    shell = name in SHELLS
    skip = False
    for i, w in enumerate(args):
        option = code_option(name, w, i + 1)
        if skip:
            skip = False
        elif w == "--":
            return Source("file", _script_name(args[i + 1])) if i + 1 < len(args) else Source("stdin")
        elif option is not None:
            following = args[i + 1] if i + 1 < len(args) else None
            if not option.glued and (following is None or (name in _POWERSHELLS and following == "-")):
                return Source("stdin")
            if shell and not option.glued and _runs_stdin_too(following or ""):
                return Source("stdin")  # sh -c bash, su -c 'bash -s': the code is a shell reading stdin
            return Source("code", option=option)
        elif shell and len(w) > 1 and w[0] == "-" and w[1] != "-" and "s" in w:
            return Source("stdin")  # bash -s -- --yes: the script is stdin, the words its arguments
        elif (w.startswith("-") or (shell and w.startswith("+"))) and w != "-":
            skip = w in _VALUED or (name in _POWERSHELLS and w.lower() in _PWSH_VALUED)
        else:
            return Source("file", _script_name(w))
    return Source("stdin")


def _script_name(word: str) -> str:
    return word if word in STDIN_FILES else base(word)


def script(ws: list[str]) -> str:
    """The file an interpreter runs (see :func:`source`); '' when it runs inline code, a module or stdin."""
    found = source(ws)
    return found.name if found.kind == "file" else ""


def runs_stdin(ws: list[str]) -> bool:
    """An interpreter runs what it reads on stdin: no script file (``python3 -W ignore``, ``bash -e``),
    or one that is stdin (``bash /dev/stdin``, ``python3 -``, ``deno run -``), or ``-s`` (``bash -s --
    --yes``); not inline code nor a module (``python -c "…json.load(sys.stdin)…"``, ``python -m
    json.tool``)."""
    found = source(ws)
    return found.kind == "stdin" or (found.kind == "file" and found.name in STDIN_FILES)


def module(ws: list[str]) -> list[str]:
    """The words of the module python runs, or [] (``python3 -Im pip install x`` runs ``pip install x``)."""
    if program(ws[0]) != "python" and base(ws[0]) != "py":
        return []
    found = source(["python", *ws[1:]])
    option = found.option
    if found.kind != "code" or option is None or option.letter != "m":
        return []
    rest = ws[option.at + 1 :]
    return [option.glued, *rest] if option.glued else rest


def _runs_stdin_too(code: str) -> bool:
    """Code that is one command, an interpreter that reads stdin (``bash``, ``python3 -``, ``source
    /dev/stdin``); each level strips one layer of quotes, so nesting ends."""
    ws = split_command(code)
    return bool(ws) and is_interpreter(ws) and runs_stdin(ws)


def split_command(code: str) -> list[str]:
    """The words of a simple command given as a string (``sh -c "bash -s"``), or [] for a script with
    operators or expansions (read as a script elsewhere)."""
    if any(c in code for c in ";|&<>()$`\n"):
        return []
    try:
        return shlex.split(code)
    except ValueError:
        return []
