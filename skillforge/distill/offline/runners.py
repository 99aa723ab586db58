"""Commands that run another command: runners of another program (``uv run pytest``, ``npx vitest``,
``bundle exec rspec``, ``mise exec -- go test``) and task runners with a named task (``make -j4 test``,
``mise run test``, ``just lint``, ``task build``, ``npm run typecheck``). Both answer, from a command's
words, where the program or the task starts, skipping the runner's options and their values
(``uv run --with x pytest``, ``make -C dir test``); :mod:`~skillforge.distill.offline.classes` classes the
command by what it runs, :mod:`~skillforge.distill.offline.cmdline` keeps the runner in its recipe.
"""

from __future__ import annotations

# a runner's words before the program it runs (its options follow): ``uv run``, ``npx``
_PREFIXES = {
    **dict.fromkeys(("uv", "poetry", "pipenv", "pdm", "hatch", "rye"), ("run",)),
    "bundle": ("exec",),
    "pnpm": ("exec", "dlx"),
    "yarn": ("dlx",),
    "npx": (),
    "bunx": (),
}
# a task runner's words before its task: ``make``, ``mise run``, ``npm run``
_TASK_RUNNERS = {
    "make": (),
    "just": (),
    "task": (),
    "mise": ("run", "r"),
    **dict.fromkeys(("npm", "yarn", "pnpm", "bun"), ("run",)),
}
# options that take the next word as their value: never the program or the task
_VALUE_OPTIONS = frozenset(
    {
        *("--with", "--directory", "--project", "--python", "--package", "--from", "--group", "--extra"),
        *("-p", "-C", "-f", "--file", "--makefile", "--dir", "--cwd", "--env", "--filter", "-F"),
    }
)
_NUMBER_OPTIONS = frozenset({"-j", "--jobs", "-l", "--load-average"})  # a value only when it is a number


def program_start(words: list[str]) -> int | None:
    """Where the program run by a runner of another program starts (``uv run --with x pytest`` -> 4;
    ``mise exec -- go test`` -> 3), None when ``words`` do not start with such a runner or name no program."""
    if not words:
        return None
    first = words[0].rsplit("/", 1)[-1]
    if first == "mise" and len(words) > 1 and words[1] in ("exec", "x"):
        end = words.index("--") if "--" in words else -1
        return end + 1 if 0 < end < len(words) - 1 else None
    if first not in _PREFIXES:
        return None
    subcommands = _PREFIXES[first]
    if subcommands and (len(words) < 2 or words[1] not in subcommands):
        return None
    at = _past_options(words, 2 if subcommands else 1)
    return at if at < len(words) else None


def task_start(words: list[str]) -> int | None:
    """Where a task runner's task is (``make -j4 test`` -> 2, ``mise run --force test`` -> 3), None when
    ``words`` do not start with a task runner or name no task (``make``, ``just --list``)."""
    if not words or words[0] not in _TASK_RUNNERS:
        return None
    subcommands = _TASK_RUNNERS[words[0]]
    if subcommands and (len(words) < 2 or words[1] not in subcommands):
        return None
    at = _past_options(words, 2 if subcommands else 1)
    while at < len(words) and "=" in words[at] and words[0] == "make":  # make CC=gcc test
        at = _past_options(words, at + 1)
    return at if at < len(words) and not words[at].startswith("-") else None


def _past_options(words: list[str], at: int) -> int:
    """The first word from ``at`` that is neither an option nor an option's value (``--`` ends them)."""
    while at < len(words) and words[at].startswith("-"):
        word = words[at]
        at += 1
        if word == "--":
            break
        if word in _VALUE_OPTIONS or (word in _NUMBER_OPTIONS and at < len(words) and words[at].isdigit()):
            at += 1
    return at
