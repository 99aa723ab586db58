"""Which file a failing test lives in, and whether a command the agent ran runs that file.

``file_of_test`` reads the test ids of SWE-bench reports: pytest's ``path/test_x.py::Class::test`` and
unittest's (Django's) ``test (package.module.Class)`` or, from Python 3.11, ``test
(package.module.Class.test)``. ``runs_of(cmd, where)`` says whether a command runs the tests in
``where`` (a path, or a dotted module for unittest ids) and whether it ran only some tests of it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_UNITTEST_ID = re.compile(r"^(\w+) \(([\w.]+)\)$")
# a file's name, not a dotted module or a Rust module path ("tests" in "tests::it_works")
_PATHLIKE = re.compile(r"/|\.(?:py|pyx|js|jsx|mjs|cjs|ts|tsx|rb|go|rs|java|kt|php|cs|swift|ex|exs)$")
# where a test runner's arguments start: its own word (python -m pytest, ./tests/runtests.py, bin/test)
_RUNNERS = frozenset({"pytest", "py.test", "runtests.py", "nosetests", "nose2", "trial", "unittest"})
_VALUED = frozenset(  # runners' options whose value is the next word, not a test to run
    {"-k", "-m", "-p", "-W", "-o", "-c", "-n", "-e", "--tb", "--rootdir", "--settings", "--parallel"}
    | {"--durations", "--maxfail", "--timeout", "--verbosity", "--basetemp", "--confcutdir", "--log-level"}
)
_EXCLUDING = ("--ignore", "--deselect", "--ignore-glob")
_PYTHON = re.compile(r"python[\d.]*")
_ROOT = re.compile(r"^/(?:testbed|repo|workspace/[^/]+)(?=/|$)")
_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")", "\n"})


def file_of_test(test_id: str) -> str:
    """Where a test id lives: ``a/test_x.py`` for ``a/test_x.py::T::t``, the dotted module
    ``migrations.test_loader`` for ``t (migrations.test_loader.LoaderTests)`` and ``t
    (migrations.test_loader.LoaderTests.t)``; '' when the id does not say (sympy's bare ``test_foo``,
    Rust's ``tests::it_works``)."""
    if "::" in test_id:
        head = test_id.split("::", 1)[0]
        return head if _PATHLIKE.search(head) else ""
    m = _UNITTEST_ID.match(test_id.strip())
    if not m:
        return ""
    parts = m.group(2).split(".")
    if parts and parts[-1] == m.group(1):
        parts.pop()  # Python 3.11+: the test's own name ends the dotted path
    while parts and parts[-1][:1].isupper():
        parts.pop()  # the test case class
    return ".".join(parts)


@dataclass(frozen=True)
class Run:
    covers: bool  # the command runs tests of ``where``
    part: bool = False  # only some of them: it names tests inside the file, not the file
    named: bool = False  # it names ``where`` (or a folder, package or test in it), not the whole suite
    before: str = ""  # the simple commands of the line before the first that runs them ("git stash")


def runs_of(cmd: str, where: str, runner_only: bool = True) -> Run:
    """Whether ``cmd`` runs the tests in ``where``. A test runner that names no path or module runs the
    whole suite; with ``runner_only=False`` a command without a known runner (``python3
    test_requests.py``) counts when it names the file itself."""
    commands = _commands(cmd)
    found = [_part(words, where, runner_only) for words in commands]
    hits = [r for r in found if r.covers]
    if not hits:
        return Run(False)
    first = next(i for i, r in enumerate(found) if r.covers)
    before = " ; ".join(" ".join(words) for words in commands[:first])
    return Run(True, part=all(r.part for r in hits), named=any(r.named for r in hits), before=before)


def _commands(cmd: str) -> list[list[str]]:
    """The words of each simple command of a line (quotes respected: ``python -c "a; b"`` is one; a
    here-document's body is data, not commands)."""
    text = _HEREDOC.sub("", cmd).replace("\n", " ; ")  # a line ends a command
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token in _OPERATORS or set(token) <= set("&|;()<>"):
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError:  # an unbalanced quote: read the line as plain words
        return [text.split()]
    return [c for c in commands if c]


_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1[^\n]*\n.*?(?:^\s*\2\s*$|\Z)", re.S | re.M)
_WRAPPERS = frozenset({"env", "sudo", "nice", "time", "timeout", "xvfb-run", "stdbuf", "command", "exec"})
_INTERPRETER_VALUED = frozenset({"-W", "-X", "-c", "-m", "-O"})  # python's options with a value


def _part(words: list[str], where: str, runner_only: bool) -> Run:
    """Whether one simple command runs tests of ``where``: a test runner as the program it runs (past
    ``env``/``timeout 60``/assignments, or ``python -m pytest``, ``python tests/runtests.py``), or,
    unless ``runner_only``, a Python script that is the test file itself."""
    at, script = _program(words)
    if at is None:
        return Run(False)
    if not _is_runner(words, at):
        if runner_only or script is None:
            return Run(False)
        found = _matches(script, where)  # python3 test_requests.py: the file itself
        return Run(found is not None, part=bool(found), named=True)
    named, excluded, skip = [], [], False
    for i, w in enumerate(words[at + 1 :], at + 1):
        if skip:
            skip = False
        elif w.startswith(_EXCLUDING):
            value = w.split("=", 1)[1] if "=" in w else (words[i + 1] if i + 1 < len(words) else "")
            excluded.append(value)
            skip = "=" not in w
        elif w.startswith("-"):
            skip = w in _VALUED
        elif "=" not in w:
            named.append(w)
    if any(_matches(e, where) is False for e in excluded):
        return Run(False)  # --ignore tests/test_x.py: the file is left out
    if not named:
        return Run(True)  # the whole suite
    hits = [h for h in (_matches(a, where) for a in named) if h is not None]
    return Run(bool(hits), part=bool(hits) and all(hits), named=True)


def _program(words: list[str]) -> tuple[int | None, str | None]:
    """(index of the word that names what runs, the script a Python interpreter runs): past
    assignments and wrappers; for ``python [-W x] -m mod`` the module, for ``python script.py`` the
    script. (None, None) for an empty command."""
    i = 0
    while i < len(words) and (("=" in words[i] and not words[i].startswith("-")) or words[i] in _WRAPPERS):
        wrapper = words[i] in _WRAPPERS
        i += 1
        while wrapper and i < len(words) and (words[i].startswith("-") or words[i][:1].isdigit()):
            i += 1  # timeout 120, env -i, nice -n 5
    if i >= len(words):
        return None, None
    if not _PYTHON.fullmatch(words[i].rsplit("/", 1)[-1]):
        return i, None
    j = i + 1
    while j < len(words) and words[j].startswith("-") and words[j] != "-m":
        j += 2 if words[j] in _INTERPRETER_VALUED else 1
    if j < len(words) and words[j] == "-m":
        return (j + 1, None) if j + 1 < len(words) else (None, None)
    return (j, words[j]) if j < len(words) else (i, None)


def _is_runner(words: list[str], i: int) -> bool:
    word = words[i].rsplit("/", 1)[-1]
    if word == "test":  # bin/test (sympy), manage.py test: a runner only there (not go test)
        return words[i].endswith("bin/test") or (i > 0 and words[i - 1].endswith("manage.py"))
    if word == "manage.py":
        return i + 1 < len(words) and words[i + 1] == "test"
    return word in _RUNNERS or word == "tox"


def path_of(where: str) -> str:
    """The file of ``where``: itself when it is a path, ``a/b.py`` for the dotted module ``a.b``."""
    return where if _PATHLIKE.search(where) else where.replace(".", "/") + ".py"


def _matches(arg: str, where: str) -> bool | None:
    """None: ``arg`` does not name tests of ``where``; False: it names the file, a folder or a package
    above it (all its tests); True: it names some tests inside it (``file::test``, ``mod.Class``)."""
    inside = "::" in arg
    arg = arg.split("::", 1)[0].rstrip("/").removeprefix("./")
    path = path_of(where)
    dotted = path.removesuffix(".py").replace("/", ".")
    if "/" in arg or arg.endswith(".py"):
        root = _ROOT.match(arg)
        if root:  # the checkout (/testbed, /repo, /workspace/<x>): the rest is relative, or all of it
            arg = arg[root.end() :].lstrip("/")
            if not arg:
                return False
        elif arg.startswith("/"):  # another absolute path: its tail, never a scratch folder's
            if arg.startswith(("/tmp/", "/var/", "/dev/")):
                return None
            tails = ["/".join(arg.split("/")[i:]) for i in range(2, arg.count("/") + 1)]
            return next((inside for t in tails if t and (path == t or path.startswith(t + "/"))), None)
        if path == arg or path.startswith(arg + "/"):
            return inside
        if "/" not in arg and path.rsplit("/", 1)[-1] == arg:
            return inside  # cd into the tests' folder, then pytest test_x.py
        return None
    if dotted == arg or dotted.startswith(arg + "."):  # a module, or a package or app label above it
        return inside
    if arg.startswith(dotted + "."):
        return True  # a class or test inside the module
    return None
