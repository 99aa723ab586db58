"""Shell command lines as text: split a line into its simple commands (and tell whether a later one
owns the line's exit status), strip wrappers (``timeout N``, ``sudo``, pipes into output filters), take
heredoc bodies out, follow ``cd`` chains to the working folder, tell scratch folders and files, and
normalise a command into a reusable recipe (test ids become ``<tests>``, packages ``<package>``,
verbosity flags go). Regex-based and linear in the line's length.
"""

from __future__ import annotations

import re

from skillforge.distill.offline.classes import CHECK, INSTALL, TEST
from skillforge.distill.offline.runners import program_start, task_start

_LIST = re.compile(r"\s*(&&|\|\||;|\n)\s*")  # list operators, kept by re.split

# a pipe: ' | ' or ' |& ', and an unspaced '|' or '|&' before an output filter ('pytest -q|tail -3'); never
# a '||', nor a '|' inside a word such as a grep pattern ("a|b")
_PIPE = re.compile(
    r"\s+\|&?\s+|(?<!\|)\|&?\s*(?=(?:head|tail|grep|less|more|cat|tee|sort|uniq|wc|cut|awk|sed|nl|column)\b)"
)

# a heredoc's start (``<<EOF``, ``<<-'EOF'``, ``<<\EOF``), not a here-string (``<<<``) nor a shift (``1 << 4``)
_HEREDOC = re.compile(r"(?<!<)<<(?!<)-?[ \t]*(?:'([^'\n]+)'|\"([^\"\n]+)\"|\\?([A-Za-z_][\w.-]*))")

_REDIRECT = re.compile(r"(?<![0-9&<>])>>?\s*([^\s;&|<>]+)")

_ENV = re.compile(r"^(?:[A-Za-z_]\w*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)+")

_TIMEOUT = re.compile(r"^(?:timeout|gtimeout)\s+(?:-\S+\s+)*\d+[smh]?\s+")

_WRAPPERS = re.compile(r"^(?:sudo|time|nohup|exec|command|env)\s+")

_VALUE_OPTIONS = frozenset(
    {"-W", "-p", "-n", "-c", "-o", "--rootdir", "--settings", "--parallel", "--ds", "--maxfail"}
)

_VERBOSITY = re.compile(
    r"^-(?:[vqsxlr]+|-tb=\S+|rA|-no-header|-color=\S+|p\s+no:cacheprovider|-verbose|-quiet|-noinput)$"
)

_WORD = re.compile(r"(?:'[^']*'|\"(?:\\.|[^\"\\])*\"|[^\s'\"]+)+|\S+")

REPO_ROOTS = ("/testbed", "/workspace", "/repo", "/app", "/src", "/code")

_SCRATCH_PART = re.compile(
    r"^(?:reproduc\w*|repro\w*|debug\w*|scratch\w*|tmp\w*|temp(?!lat)\w*|sandbox\w*|demo\w*"
    r"|test_?(?:project|proj|app|site|env|dir|docs|pkg)\w*|my_?\w*project\w*|example_project\w*)$",
    re.I,
)

_SCRATCH_FILE = re.compile(
    r"^/tmp/|(?:^|/)(?:reproduc\w*|repro_\w*|debug_\w*|verify_\w*|check_\w*|scratch\w*)\.(?:py|sh)$"
)


def change_dir(cwd: str, target: str) -> str:
    """The working folder after ``cd target`` ('' is the repository root; absolute paths outside it kept)."""
    target = target.strip().strip("'\"").rstrip("/")
    if target in ("", "~", "-", "."):
        return cwd
    for root in REPO_ROOTS:
        if target == root or target.startswith(root + "/"):
            return target[len(root) + 1 :]
    if target.startswith(("/", "~")):
        return target
    parts = [p for p in (cwd.split("/") if cwd else []) + target.split("/") if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == ".." and out and out[-1] != "..":
            out.pop()
        else:
            out.append(p)
    return "/".join(out)


def env_prefix(segment: str) -> str:
    """The ``VAR=value`` assignments in front of a simple command, as typed (``env VAR=value cmd``
    gives them too: the same command)."""
    m = _ENV.match(_ENV_COMMAND.sub("", _TIMEOUT.sub("", segment.strip().strip("()").strip())))
    return m.group(0).strip() if m else ""


_ENV_COMMAND = re.compile(r"^env\s+(?=[A-Za-z_]\w*=)")


def with_context(recipe: str, cwd: str, env: str) -> str:
    """A recipe with the working folder and environment it needs to mean the same command."""
    if recipe and env:
        recipe = f"{env} {recipe}"
    return f"cd {cwd} && {recipe}" if recipe and cwd else recipe


def is_scratch_dir(cwd: str) -> bool:
    """Whether a working folder is outside the repository or one an agent makes for itself."""
    if not cwd:
        return False
    return cwd.startswith(("/", "~")) or any(_SCRATCH_PART.match(p) for p in cwd.split("/"))


def is_scratch_file(word: str) -> bool:
    return bool(_SCRATCH_FILE.search(word.strip("'\"")))


def split_heredoc(command: str) -> tuple[str, str, str]:
    """Remove heredoc bodies from a command; return (command, first body, file the first body is written
    to). Every body goes (a second file written with ``cat > b <<EOF`` holds text, not commands)."""
    text, body, target, at = command, "", "", 0
    for count in range(50):  # bounded: each pass removes one body
        m = _HEREDOC.search(text, at)
        if not m:
            break
        newline = text.find("\n", m.end())
        if newline < 0:
            break
        word = m.group(1) or m.group(2) or m.group(3)
        end = re.compile(rf"^[ \t]*{re.escape(word)}[ \t]*$", re.M).search(text, newline + 1)
        if count == 0:
            body = text[newline + 1 : end.start() if end else len(text)]
            target = redirect_target(text[:newline])
        if end is None:  # an unclosed body runs to the end
            return text[:newline], body, target
        text, at = text[:newline] + text[end.end() :], m.end()  # a second heredoc may start on this line
    return text, body, target


def redirect_target(head: str) -> str:
    m = _REDIRECT.search(head)
    if m and not m.group(1).startswith("/dev/"):
        return m.group(1).strip("'\"")
    m = re.search(r"\btee\s+(?:-a\s+)?(\S+)", head)
    return m.group(1).strip("'\"") if m else ""


_FILTER = re.compile(r"^(?:head|tail|grep|less|more|cat|tee|sort|uniq|wc|cut|awk|sed|nl|column)\b")


def pipes_into_filter(segment: str) -> bool:
    """Whether a simple command's output goes through an output filter (``| tail -20``): its exit
    status is then the filter's, not the command's."""
    return any(_FILTER.match(part) for part in _split_outside_quotes(_PIPE, segment.strip())[1:])


def split_list(body: str) -> list[tuple[str, str]]:
    """A command line's simple commands, each with the list operator that follows it (``&&``, ``||``,
    ``;``, a new line; '' after the last), empty ones left out. An operator inside quotes is the
    program's text (``python -c "import a; a.run()"``), not the shell's."""
    parts = _split_outside_quotes(_LIST, body, keep=True)
    pairs = [(parts[i], parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    return [(seg, op) for seg, op in pairs if seg.strip()]


# what the shell does not split: a quoted string (over lines too: ``python -c '…'``, a commit message), a
# comment and an escaped character (``it\'s``), matched left to right so that each hides the others'
# quote characters (an apostrophe in a comment would otherwise hide the commands up to the next quote;
# heredoc bodies are taken out before, every one of them: see split_heredoc)
_QUOTED = re.compile(r"\\.|(?:^|(?<=[\s;&|(]))#[^\n]*|\$'(?:\\.|[^'\\])*'|'[^']*'|\"(?:\\.|[^\"\\])*\"", re.M)


def _split_outside_quotes(pattern: re.Pattern[str], text: str, keep: bool = False) -> list[str]:
    """``pattern.split(text)`` with the separators inside quoted strings ignored (the separators too
    with ``keep``, as a pattern with one group splits): found in a copy of ``text`` whose quoted
    strings are blanked (same offsets), then cut from ``text`` itself."""
    if "'" not in text and '"' not in text and "#" not in text:
        return pattern.split(text)
    masked = _QUOTED.sub(lambda m: "_" * len(m.group()), text)
    parts: list[str] = []
    pos = 0
    for m in pattern.finditer(masked):
        parts.append(text[pos : m.start()])
        if keep:
            parts.append(m.group(1))
        pos = m.end()
    parts.append(text[pos:])
    return parts


def status_hidden(parts: list[tuple[str, str]], at: int) -> bool:
    """Whether the exit status of the line may be a later command's when command ``at`` fails: one
    runs after it whatever it returned (``; echo done``, a new line) or because it failed
    (``|| true``). After ``&&`` alone a failure is still the line's status; so it is after
    ``|| exit 1`` (a failure exits with a failure), after ``; exit ${PIPESTATUS[0]}``, and under
    ``set -e`` for the commands that follow with ``;`` or a new line."""
    errexit = any(_ERREXIT.match(seg) for seg, _ in parts[:at])
    for i, (_, op) in enumerate(parts[at:-1], start=at):
        after = parts[i + 1][0].lstrip()
        if after.startswith("#") or _KEEPS_STATUS.match(after):
            continue
        if op == "||" and _FAILS.match(after):
            continue
        if op == "||" or (op in (";", "\n") and not errexit):
            return True
    return False


_ERREXIT = re.compile(r"\s*set\s+(?:-\w*e\w*\b|-o\s+errexit\b)")  # set -e, set -eo pipefail, set -o errexit
_FAILS = re.compile(r"(?:exit|return)\s+[1-9]\d*\s*$|false\s*$")  # || exit 1: a failure stays a failure
_KEEPS_STATUS = re.compile(r"exit\s+\$\{?PIPESTATUS\[0\]\}?\s*$")  # ; exit ${PIPESTATUS[0]}


def strip_wrappers(segment: str) -> str:
    """Drop env assignments, ``timeout N``, ``sudo``/``time`` and pipes into output filters."""
    seg = segment.strip().strip("()").strip()
    for _ in range(4):
        new = _WRAPPERS.sub("", _TIMEOUT.sub("", _ENV.sub("", seg)))
        if new == seg:
            break
        seg = new
    parts = _split_outside_quotes(_PIPE, seg)
    keep = [parts[0]]
    for part in parts[1:]:
        if _FILTER.match(part):
            continue
        keep.append(part)
    seg = " | ".join(keep)
    return re.sub(r"\s*(?:2>&1|2>\s*/dev/null|>\s*/dev/null|1>&2)", "", seg).strip()


def safe_split(seg: str) -> list[str]:
    """Split like a shell (quotes kept together, then removed) with one regex: shlex is too slow. Only
    the first ``SPLIT_CHARS`` are read (a recipe keeps 200): an unclosed quote in a long line made the
    regex quadratic (48 s for 118 KB of escaped JSON)."""
    return [_unquote(w) for w in _WORD.findall(seg[:SPLIT_CHARS])]


SPLIT_CHARS = 4000


def _unquote(word: str) -> str:
    if "'" not in word and '"' not in word:
        return word
    return re.sub(
        r"'([^']*)'|\"((?:\\.|[^\"\\])*)\"",
        lambda m: m.group(1) if m.group(1) is not None else m.group(2),
        word,
    )


def program(seg: str) -> str:
    words = seg.split()
    if not words:
        return ""
    if re.match(r"(?:\S*/)?python[\d.]*$", words[0]):  # interpreters as typed: /usr/bin/python3 is not python
        return f"{words[0]} -m {words[2]}" if len(words) > 2 and words[1] == "-m" else words[0]
    first = words[0].rsplit("/", 1)[-1]
    if (
        first in ("npm", "yarn", "pnpm", "git", "pip", "pip3", "go", "cargo", "uv", "apt-get", "conda")
        and len(words) > 1
    ):
        return f"{first} {words[1]}"
    return first


# ``./bin/test`` runs what ``bin/test`` runs (a word with a slash is a path either way): one recipe
_SAME_PATH = re.compile(r"^\./(?=[^/\s]+/)")


def normalise_recipe(seg: str, cls: str, cwd: str = "") -> str:
    """A command as a reusable recipe: test selections -> ``<tests>``, verbosity flags dropped,
    installed package names -> ``<package>``. The runner's words are kept as typed, except that a
    path into the repository (``/testbed/tests/runtests.py``) becomes relative when the command runs
    from the repository root (``cwd`` empty)."""
    words = safe_split(seg)
    if not words:
        return ""
    start = _runner_length(words)
    out = [_SAME_PATH.sub("", w if cwd else re.sub(r"^/testbed/", "", w)) for w in words[:start]]
    i = start
    while i < len(words):
        w = words[i]
        i += 1
        if cls == TEST:
            if w in ("-k", "-m") and i < len(words):
                out += [w, "<expr>"]
                i += 1
                continue
            if w in _VALUE_OPTIONS and i < len(words):
                out += [w, words[i]]
                i += 1
                continue
            if _VERBOSITY.match(w):
                continue
            if w.startswith("--") and "=" not in w and i < len(words) and _is_value(words[i]):
                out += [w, words[i]]
                i += 1
                continue
            if not w.startswith("-"):
                w = "<tests>"
        elif cls == INSTALL and not w.startswith("-") and not w.startswith(".") and "/" not in w:
            w = "<package>"
        elif cls == CHECK and w == "--":  # `cargo clippy -- -D warnings`: the rest is the tool's
            out += words[i - 1 :]
            break
        elif (
            cls == CHECK
            and _PATH_LIKE.search(w)
            and w not in _WHOLE_TREE
            and not w.startswith("-")
            and not (out and out[-1] in _CONFIG_OPTIONS)
        ):
            w = "<paths>"  # `ruff check src/a.py`: the files checked vary, the check does not
        if not (out and out[-1] == w and w in ("<tests>", "<package>", "<paths>")):
            out.append(w)
    return " ".join(out)[:200]


# a script run by the interpreter on the PATH is the script run as a program, its ``#!`` line naming that
# interpreter: ``python3 tests/runtests.py``, ``python tests/runtests.py`` and ``./tests/runtests.py`` are one
# command (django's runs typed both; counted apart, one library showed two "Run the tests" bullets for it)
_CONTEXT = re.compile(r"^(?:cd \S+ && )?(?:[A-Za-z_]\w*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)*")
_SCRIPT_RUN = re.compile(r"(?:python3?\s+(?=[^\s-]))?(\S+)")


def same_command(recipe: str) -> str:
    """What tells a recipe's command apart from another's: the recipe with a script run by ``python`` or
    ``python3`` written as the script run itself (``python3 tests/runtests.py <tests>`` and
    ``./tests/runtests.py <tests>`` -> ``tests/runtests.py <tests>``; ``python runtests.py`` ->
    ``./runtests.py``). Another interpreter (``/usr/bin/python3``, ``python3.9``) and ``python -m …`` stay
    as typed: they are other commands. A key to compare recipes by, never shown."""
    head = _CONTEXT.match(recipe)
    at = head.end() if head else 0
    m = _SCRIPT_RUN.match(recipe, at)
    if m is None or m.start(1) == at:  # no interpreter in front: the recipe as normalise_recipe wrote it
        return recipe
    script = m.group(1)
    script = (
        script.removeprefix("./") if "/" in script.removeprefix("./") else "./" + script.removeprefix("./")
    )
    return recipe[:at] + script + recipe[m.end() :]


_TWO_WORD_RUNNERS = frozenset(
    {
        "go",
        "cargo",
        "make",
        "mvn",
        "gradle",
        "dotnet",
        "swift",
        "mix",
        "uv",
        "pip",
        "pip3",
        "poetry",
        "conda",
        "apt-get",
        "apt",
        "gem",
        "bundle",
        "tox",
    }
)  # runners whose second word is part of the command: ``go test``, ``pip install``


# tools whose second word is a subcommand when it is one of these: ``golangci-lint run``, ``vitest run``
# (``vitest src/a.test.ts`` selects tests)
_SUBCOMMANDS = {
    "golangci-lint": ("run",),
    "ruff": ("check", "format"),
    "biome": ("check", "lint", "ci", "format"),
    "pre-commit": ("run",),
    "vitest": ("run", "watch", "related", "bench"),
}
_WHOLE_TREE = frozenset({".", "./...", "...", "./", "all"})  # a check of everything, kept as written
_CONFIG_OPTIONS = frozenset({"-p", "--project", "-c", "--config", "--config-file", "--rcfile", "--settings"})
_PATH_LIKE = re.compile(r"/|\.[A-Za-z]\w*$")  # src/a.py, a.py: a check's files (not `E501`, `ruff`)


def _runner_length(words: list[str]) -> int:
    """How many leading words name the runner (``python -m pytest``, ``npm run test``, ``pip install``,
    ``mise run test``, ``uv run pytest``)."""
    inner = program_start(words)
    if inner is not None:  # the runner, its options, then the program's own runner words
        return inner + _runner_length(words[inner:])
    task = task_start(words)
    if task is not None:  # make -j4 test: the task is part of the command
        return task + 1
    if len(words) > 1 and words[1] in _SUBCOMMANDS.get(words[0], ()):
        return 2
    n = 1
    if re.match(r"(?:\S*/)?python[\d.]*$", words[0]) and len(words) > 1:
        if words[1] == "-m" and len(words) > 2:
            n = 3
        elif not words[1].startswith("-"):
            n = 2
    elif words[0] in ("npm", "yarn", "pnpm", "bun") and len(words) > 1:
        n = 3 if words[1] == "run" and len(words) > 2 else 2
    elif words[0] in _TWO_WORD_RUNNERS and len(words) > 1:
        n = 2
    if n < len(words) and words[n - 1] == "pip" and words[n] == "install":
        n += 1
    if (
        n < len(words)
        and words[n - 1] in ("runtests.py", "manage.py", "django", "django-admin")
        and words[n] == "test"
    ):
        n += 1
    return min(n, len(words))


def _is_value(word: str) -> bool:
    return not word.startswith("-") and not any(ch in word for ch in "/.:")


def dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item.strip("'\""), None)
    return list(seen)
