"""Shell commands and tool calls: split a command line into its parts, classify each action
(test / build / install / edit / explore / reproduce / submit / other), find the files it writes, and
normalise commands into reusable recipes. Normalisation abstracts arguments (test ids become
``<tests>``, packages ``<package>``, verbosity flags go) and drops what does not change the command
(``timeout N``, pipes into ``head``/``tail``, a ``cd`` to the repository root); it keeps what does: the
working folder of a ``cd`` chain, the interpreter as typed (``/usr/bin/python3`` is not ``python``) and
environment assignments. A command run in a scratch folder or on scratch files is marked ``scratch``.

Everything is regex-based and linear in the command's length; results are cached per command text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

TEST, BUILD, INSTALL, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER = (
    "test",
    "build",
    "install",
    "edit",
    "explore",
    "reproduce",
    "submit",
    "other",
)
ACTION_CLASSES = (TEST, BUILD, INSTALL, EDIT, EXPLORE, REPRODUCE, SUBMIT, OTHER)

SHELL_TOOLS = frozenset(
    {
        "bash",
        "shell",
        "execute_bash",
        "exec_command",
        "local_shell",
        "run_shell_command",
        "terminal",
        "cmd",
        "run",
        "run_command",
        "container.exec",
        "bash_tool",
        "execute_command",
        "cmdrunaction",
    }
)
_TOOL_CLASS = {
    EXPLORE: (
        "read",
        "view",
        "grep",
        "glob",
        "ls",
        "search",
        "find",
        "open",
        "goto",
        "scroll",
        "webfetch",
        "websearch",
        "list",
        "filesearch",
    ),
    EDIT: (
        "edit",
        "write",
        "multiedit",
        "apply_patch",
        "create",
        "insert",
        "notebookedit",
        "patch",
        "replace",
        "fileeditaction",
        "filewriteaction",
    ),
    SUBMIT: ("submit", "finish", "task_complete", "agentfinishaction"),
}
_SUBMIT_MARKERS = ("COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "MINI_SWE_AGENT_FINAL_OUTPUT")

_SPLIT = re.compile(r"\s*(?:&&|\|\||;|\n)\s*")
_PIPE = re.compile(r"\s+\|\s+")
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
_REDIRECT = re.compile(r"(?<![0-9&<>])>>?\s*([^\s;&|<>]+)")
_ENV = re.compile(r"^(?:[A-Za-z_]\w*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)+")
_TIMEOUT = re.compile(r"^(?:timeout|gtimeout)\s+(?:-\S+\s+)*\d+[smh]?\s+")
_WRAPPERS = re.compile(r"^(?:sudo|time|nohup|exec|command|env)\s+")
_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|testing|spec)(?:/|$)|(?:^|/)test_[\w.-]*\.py\b|_test\.(?:py|go|js|ts)\b|\.(?:test|spec)\.[jt]sx?\b"
)

_TEST_PROGRAMS = re.compile(
    r"^(?:\S*/)?(?:py\.test|pytest|tox|nox|nosetests|jest|vitest|mocha|ava|rspec|phpunit|ctest|runtests(?:\.py)?"
    r"|trial)\b|^(?:\S*/)?python[\d.]*\s+(?:-\S+\s+)*-m\s+(?:pytest|unittest|nose|tox|django\s+test)\b"
    r"|^(?:\.?/)?bin/test\b|^(?:\S*/)?python[\d.]*\s+(?:\S*/)?(?:runtests|manage)\.py\s+(?:test\b)?"
    r"|^(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?test\b|^(?:go|cargo|mvn|gradle|\./gradlew|dotnet|swift|mix)\s+test\b"
    r"|^make\s+(?:test|check)\b|^django-admin\s+test\b"
)
_INSTALL = re.compile(
    r"^(?:\S*/)?(?:pip[\d.]*|uv\s+pip|python[\d.]*\s+-m\s+pip)\s+install\b|^uv\s+(?:sync|add)\b"
    r"|^(?:poetry|pdm|pipenv|bundle|composer)\s+(?:install|add)\b|^(?:npm|yarn|pnpm|bun)\s+(?:install|ci|add|i)\b"
    r"|^(?:apt-get|apt|apk|yum|dnf|brew)\s+(?:-\S+\s+)*(?:install|add)\b|^conda\s+install\b|^gem\s+install\b"
    r"|^cargo\s+(?:add|install)\b|^go\s+(?:get|mod\s+download)\b|^(?:\S*/)?python[\d.]*\s+setup\.py\s+(?:develop|install)\b"
)
_BUILD = re.compile(
    r"^(?:\S*/)?python[\d.]*\s+setup\.py\s+(?:build|build_ext|sdist|bdist\w*)\b|^(?:\S*/)?python[\d.]*\s+-m\s+build\b"
    r"|^(?:npm|yarn|pnpm|bun)\s+run\s+build\b|^(?:tsc|cmake|ninja|gcc|g\+\+|clang|javac|sphinx-build|meson)\b"
    r"|^(?:cargo|go|dotnet|swift)\s+build\b|^make\b|^pip[\d.]*\s+wheel\b|^(?:mvn|gradle)\s+(?:package|compile|build)\b"
)
_EDIT = re.compile(
    r"^(?:sed|gsed)\s+(?:-\S+\s+)*-i|^sed\s+-i|^perl\s+-\S*i|^(?:patch|ed|ex)\b|^git\s+(?:apply|am|checkout\s+--|restore)\b"
    r"|^(?:cat|echo|printf|tee)\b.*(?:>|\btee\b)|^tee\b"
)
_EXPLORE = re.compile(
    r"^(?:cat|less|more|head|tail|grep|egrep|rg|ag|ack|find|fd|ls|tree|nl|awk|wc|pwd|which|whereis|file|stat"
    r"|diff|du|echo|printf|sed|true|type|env|printenv|locate|xxd|od|sort|uniq|cut|readlink|realpath|basename|dirname)\b"
    r"|^git\s+(?:log|show|diff|status|blame|grep|ls-files|branch|rev-parse|remote)\b|^(?:pip[\d.]*|conda)\s+(?:show|list|freeze)\b"
)
_REPRODUCE = re.compile(r"^(?:\S*/)?(?:python[\d.]*|node|ruby|bash|sh|zsh|deno|go\s+run|php)\b|^\./\S+")
_VALUE_OPTIONS = frozenset(
    {"-W", "-p", "-n", "-c", "-o", "--rootdir", "--settings", "--parallel", "--ds", "--maxfail"}
)
_VERBOSITY = re.compile(
    r"^-(?:[vqsxlr]+|-tb=\S+|rA|-no-header|-color=\S+|p\s+no:cacheprovider|-verbose|-quiet|-noinput)$"
)


@dataclass(slots=True)
class Action:
    """One tool call, understood: its class, the main program, what it writes, its recipe form."""

    cls: str
    program: str = ""
    recipe: str = ""  # normalised main command ('' for non-shell tools)
    classes: list[str] = field(default_factory=list)  # every segment's class, in order
    writes: list[str] = field(default_factory=list)  # files written (edit targets)
    heredoc: str = ""  # body of a `cat <<EOF > file` write, for code locations
    cwd: str = ""  # working folder of the main command, relative to the repository ('' = its root)
    scratch: bool = False  # ran in a scratch folder (/tmp, reproduce_issue/…) or on scratch files


def classify_call(text: str, tool_name: str | None = None, tool_input: Any = None) -> Action:
    """Classify one tool call from its readable text, its tool name and its structured input."""
    name = (tool_name or "bash").lower().replace("-", "_")
    if name in SHELL_TOOLS or name.endswith("bash") or name.endswith("shell"):
        command = text
        if isinstance(tool_input, dict) and isinstance(tool_input.get("command"), str | list):
            cmd = tool_input["command"]
            command = cmd if isinstance(cmd, str) else " ".join(str(c) for c in cmd)
        return parse_command(command or "")
    return _tool_action(name, text, tool_input)


def _tool_action(name: str, text: str, tool_input: Any) -> Action:
    inp = tool_input if isinstance(tool_input, dict) else {}
    sub = str(inp.get("command") or "").lower()
    path = str(inp.get("path") or inp.get("file_path") or inp.get("filename") or "")
    if "str_replace" in name or name == "editor" or name.endswith("editor"):
        cls = EXPLORE if sub in ("view", "") else EDIT
        return Action(cls, name, classes=[cls], writes=[path] if cls == EDIT and path else [])
    for cls, words in _TOOL_CLASS.items():
        if any(name == w or name.startswith(w) for w in words):
            writes = [path] if cls == EDIT and path else []
            if cls == EDIT and not writes and "*** Update File:" in text:
                writes = re.findall(r"\*\*\* (?:Update|Add) File: (\S+)", text)
            return Action(cls, name, classes=[cls], writes=writes)
    return Action(OTHER, name, classes=[OTHER])


CACHE_MAX_CHARS = 2000


@lru_cache(maxsize=8192)
def _parse(command: str) -> Action:
    body, heredoc, heredoc_target = _split_heredoc(command.replace("\\\n", " "))
    segments = [s for s in _SPLIT.split(body) if s.strip()]
    classes: list[str] = []
    writes: list[str] = [heredoc_target] if heredoc_target else []
    main, main_cls, main_ctx = "", OTHER, ("", "")
    cwd, exported = "", ""
    for raw in segments:
        seg = strip_wrappers(raw)
        if re.match(r"^(?:cd|pushd)\b", seg):
            cwd = change_dir(cwd, seg.split(None, 1)[1] if " " in seg else "")
            continue
        if re.match(r"^export\s+\w+=", seg):
            exported = f"{exported} {seg.split(None, 1)[1]}".strip()
            continue
        if not seg or seg.startswith("#") or re.match(r"^(?:popd|source|\.|export|set)\b", seg):
            continue
        cls = segment_class(seg)
        classes.append(cls)
        writes.extend(_writes(seg, cls))
        if _takes_over(cls, main_cls):
            main, main_cls, main_ctx = seg, cls, (cwd, f"{exported} {env_prefix(raw)}".strip())
    if heredoc_target and main_cls in (EXPLORE, OTHER):
        main_cls = EDIT
    program = _program(main)
    recipe = ""
    if main_cls in (TEST, BUILD, INSTALL):
        recipe = with_context(normalise_recipe(main, main_cls, main_ctx[0]), *main_ctx)
    scratch = is_scratch_dir(main_ctx[0]) or any(is_scratch_file(w) for w in _safe_split(main)[1:])
    return Action(
        main_cls, program, recipe, classes or [OTHER], _dedupe(writes), heredoc, main_ctx[0], scratch
    )


# Command context: one small decoder of a shell line's working folder, environment and scratch use, kept
# apart so it can move to the log readers (a typed shell action with its working directory).
REPO_ROOTS = ("/testbed", "/workspace", "/repo", "/app", "/src", "/code")
_SCRATCH_PART = re.compile(
    r"^(?:reproduc\w*|repro\w*|debug\w*|scratch\w*|tmp\w*|temp\w*|sandbox\w*|demo\w*"
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
    """The ``VAR=value`` assignments in front of a simple command, as typed."""
    m = _ENV.match(_TIMEOUT.sub("", segment.strip().strip("()").strip()))
    return m.group(0).strip() if m else ""


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


def _takes_over(cls: str, main_cls: str) -> bool:
    """Whether a later segment becomes the command's main action (submit wins; actions beat looking)."""
    if cls == SUBMIT:
        return True
    if main_cls == SUBMIT or (cls == OTHER and main_cls == EXPLORE):
        return False
    return cls not in (EXPLORE, OTHER) or main_cls in (EXPLORE, OTHER)


def parse_command(command: str) -> Action:
    command = command.strip()
    # repeated short commands come from the cache; long ones (heredoc file writes) are rarely
    # repeated and would keep megabytes alive in it
    act = _parse(command) if len(command) <= CACHE_MAX_CHARS else _parse.__wrapped__(command)
    return Action(
        act.cls,
        act.program,
        act.recipe,
        list(act.classes),
        list(act.writes),
        act.heredoc,
        act.cwd,
        act.scratch,
    )


def _split_heredoc(command: str) -> tuple[str, str, str]:
    """Remove heredoc bodies from a command; return (command, first body, file the body is written to)."""
    m = _HEREDOC.search(command)
    if not m:
        return command, "", ""
    first_nl = command.find("\n", m.end())
    if first_nl < 0:
        return command, "", ""
    end = re.search(rf"^\s*{re.escape(m.group(1))}\s*$", command[first_nl + 1 :], re.M)
    if end is None:
        return command[:first_nl], command[first_nl + 1 :], _redirect_target(command[:first_nl])
    body = command[first_nl + 1 : first_nl + 1 + end.start()]
    rest = command[first_nl + 1 + end.end() :]
    head = command[:first_nl]
    return head + rest, body, _redirect_target(head)


def _redirect_target(head: str) -> str:
    m = _REDIRECT.search(head)
    if m and not m.group(1).startswith("/dev/"):
        return m.group(1).strip("'\"")
    m = re.search(r"\btee\s+(?:-a\s+)?(\S+)", head)
    return m.group(1).strip("'\"") if m else ""


def strip_wrappers(segment: str) -> str:
    """Drop env assignments, ``timeout N``, ``sudo``/``time`` and pipes into output filters."""
    seg = segment.strip().strip("()").strip()
    for _ in range(4):
        new = _WRAPPERS.sub("", _TIMEOUT.sub("", _ENV.sub("", seg)))
        if new == seg:
            break
        seg = new
    parts = _PIPE.split(seg)
    keep = [parts[0]]
    for part in parts[1:]:
        if re.match(r"^(?:head|tail|grep|less|more|cat|tee|sort|uniq|wc|cut|awk|sed|nl|column)\b", part):
            continue
        keep.append(part)
    seg = " | ".join(keep)
    return re.sub(r"\s*(?:2>&1|2>\s*/dev/null|>\s*/dev/null|1>&2)", "", seg).strip()


def segment_class(seg: str) -> str:
    """The class of one simple command (no ``&&``)."""
    if any(marker in seg for marker in _SUBMIT_MARKERS) or re.match(r"^submit\b", seg):
        return SUBMIT
    if re.search(r"\s(?:--version|--help|-V|-h)$", seg):
        return EXPLORE
    if _TEST_PROGRAMS.search(seg):
        return TEST
    if _INSTALL.search(seg):
        return INSTALL
    if _EDIT.search(seg):
        return EDIT
    if _BUILD.search(seg):
        return BUILD
    if re.match(r"^sed\s+-n\b", seg) or _EXPLORE.search(seg):
        return EXPLORE
    if _REPRODUCE.search(seg):
        return TEST if _runs_test_file(seg) else REPRODUCE
    return OTHER


def _runs_test_file(seg: str) -> bool:
    words = seg.split()
    target = next((w for w in words[1:] if not w.startswith("-")), "")
    return "/" in target and bool(_TEST_PATH.search(target))


def _writes(seg: str, cls: str) -> list[str]:
    if cls != EDIT:
        return []
    words = _safe_split(seg)
    if words and words[0] in ("sed", "gsed", "perl"):
        args = [w for w in words[1:] if not w.startswith("-")]
        has_e = any(w == "-e" or w.startswith("-e") for w in words[1:])
        files = args if has_e else args[1:]
        return [w for w in files if "/" in w or "." in w]
    target = _redirect_target(seg)
    return [target] if target else []


_WORD = re.compile(r"(?:'[^']*'|\"(?:\\.|[^\"\\])*\"|[^\s'\"]+)+|\S+")


def _safe_split(seg: str) -> list[str]:
    """Split like a shell (quotes kept together, then removed) with one regex: shlex is too slow."""
    return [_unquote(w) for w in _WORD.findall(seg)]


def _unquote(word: str) -> str:
    if "'" not in word and '"' not in word:
        return word
    return re.sub(
        r"'([^']*)'|\"((?:\\.|[^\"\\])*)\"",
        lambda m: m.group(1) if m.group(1) is not None else m.group(2),
        word,
    )


def _program(seg: str) -> str:
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


def normalise_recipe(seg: str, cls: str, cwd: str = "") -> str:
    """A command as a reusable recipe: test selections -> ``<tests>``, verbosity flags dropped,
    installed package names -> ``<package>``. The runner's words are kept as typed, except that a
    path into the repository (``/testbed/tests/runtests.py``) becomes relative when the command runs
    from the repository root (``cwd`` empty)."""
    words = _safe_split(seg)
    if not words:
        return ""
    start = _runner_length(words)
    out = [w if cwd else re.sub(r"^/testbed/", "", w) for w in words[:start]]
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
        if not (out and out[-1] == w and w in ("<tests>", "<package>")):
            out.append(w)
    return " ".join(out)[:200]


def _runner_length(words: list[str]) -> int:
    """How many leading words name the runner (``python -m pytest``, ``npm run test``, ``pip install``)."""
    n = 1
    if re.match(r"(?:\S*/)?python[\d.]*$", words[0]) and len(words) > 1:
        if words[1] == "-m" and len(words) > 2:
            n = 3
        elif not words[1].startswith("-"):
            n = 2
    elif words[0] in ("npm", "yarn", "pnpm", "bun") and len(words) > 1:
        n = 3 if words[1] == "run" and len(words) > 2 else 2
    elif (
        words[0]
        in (
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
        )
        and len(words) > 1
    ):
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


def _dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item.strip("'\""), None)
    return list(seen)
