"""Commands that run another command: runners of another program (``uv run pytest``, ``npx vitest``,
``bundle exec rspec``, ``mise exec -- go test``) and task runners with a named task (``make -j4 test``,
``mise run test``, ``just lint``, ``task build``, ``npm run typecheck``, ``yarn lint``). Both answer, from
a command's words, where the program or the task starts, skipping the runner's options and their values
(``uv run --with x pytest``, ``make -C dir test``, ``pnpm --filter web test``);
:mod:`~skillforge.distill.offline.classes` classes the command by what it runs,
:mod:`~skillforge.distill.offline.cmdline` keeps the runner in its recipe.
"""

from __future__ import annotations

from typing import NamedTuple


class _Runner(NamedTuple):
    subcommands: tuple[str, ...]  # the words before what it runs ("run"); () for none
    optional: bool  # whether those words may be left out (``yarn lint`` runs the lint script)
    values: frozenset[str]  # its options that take the next word as their value


def _runner(subcommands: tuple[str, ...], values: str, optional: bool = False) -> _Runner:
    return _Runner(subcommands, optional, frozenset(values.split()))


_UV = "--with --with-requirements --with-editable --directory --project --python -p --package --from --group "
_UV += "--extra --only-group --env-file --index --index-url --extra-index-url"
_PY_TOOLS = "-C --directory -P -p --project -e --env"
# runners of another program: ``uv run pytest``, ``npx vitest``, ``bundle exec rspec``
_PREFIXES = {
    "uv": _runner(("run",), _UV),
    "uvx": _runner((), _UV),
    "pipx": _runner(("run",), "--spec --python"),
    **{tool: _runner(("run",), _PY_TOOLS) for tool in ("poetry", "pipenv", "pdm", "hatch", "rye")},
    "bundle": _runner(("exec",), "--gemfile"),
    "pnpm": _runner(("exec", "dlx"), "--filter -F -C --dir"),
    "yarn": _runner(("dlx",), "--cwd -p --package"),
    "npx": _runner((), "-p --package -c --call -w --workspace"),
    "bunx": _runner((), "-p --package"),
}
# Python runners whose ``run`` also runs a script of the project's (``pdm run test``, ``hatch run lint``)
SCRIPT_RUNNERS = frozenset({"pdm", "hatch", "rye", "pipenv"})
# task runners: ``make test``, ``mise run lint``, ``npm run build``, ``yarn test:e2e``
_TASK_RUNNERS = {
    "make": _runner(
        (),
        "-C --directory -f --file --makefile -o --old-file --assume-old -I --include-dir -W --what-if "
        "--new-file --assume-new",
    ),
    "just": _runner((), "-f --justfile -d --working-directory --dotenv-path --dotenv-filename"),
    "task": _runner((), "-d --dir -t --taskfile -o --output"),
    "rake": _runner((), "-f --rakefile -C --directory"),
    "mise": _runner(("run", "r"), "-C --cd -E --env"),
    "npm": _runner(("run", "run-script"), "--prefix -w --workspace"),
    "yarn": _runner(("run",), "--cwd", optional=True),
    "pnpm": _runner(("run",), "--filter -F -C --dir", optional=True),
    "bun": _runner(("run",), "--cwd --filter -F", optional=True),
}
# what a package manager does itself, never a script's name (``yarn add x``, ``pnpm install``)
_BUILTINS = frozenset(
    [
        "add",
        "remove",
        "install",
        "i",
        "ci",
        "up",
        "upgrade",
        "update",
        "link",
        "unlink",
        "why",
        "info",
        "init",
        "create",
        "dlx",
        "exec",
        "x",
        "publish",
        "pack",
        "audit",
        "outdated",
        "list",
        "ls",
        "config",
        "cache",
        "store",
        "patch",
        "import",
        "rebuild",
        "prune",
        "dedupe",
        "global",
        "bin",
    ]
)
_NUMBER_OPTIONS = frozenset({"-j", "--jobs", "-l", "--load-average"})  # a value only when it is a number
_DRY_RUN = frozenset({"--dry-run", "--just-print", "--recon", "--question"})  # make runs nothing


def dry_run(words: list[str]) -> bool:
    """Whether a ``make`` command only prints or asks (``-n``, ``-q``, ``-sn``, ``--dry-run``)."""
    return any(
        word in _DRY_RUN
        or (
            word[:1] == "-"
            and word[1:2] != "-"
            and word[1:].isalpha()
            and not {"n", "q"}.isdisjoint(word[1:])
        )
        for word in words[1:]
    )


def program_start(words: list[str]) -> int | None:
    """Where the program run by a runner of another program starts (``uv run --with x pytest`` -> 4;
    ``mise exec -- go test`` -> 3), None when ``words`` do not start with such a runner or name no program."""
    if not words:
        return None
    first = words[0].rsplit("/", 1)[-1]
    if first == "mise" and len(words) > 1 and words[1] in ("exec", "x"):
        end = words.index("--") if "--" in words else -1
        return end + 1 if 0 < end < len(words) - 1 else None
    runner = _PREFIXES.get(first)
    if runner is None:
        return None
    at = _past_subcommand(words, runner)
    return at if at is not None and at < len(words) else None


def task_start(words: list[str]) -> int | None:
    """Where a task runner's task is (``make -j4 test`` -> 2, ``pnpm --filter web test`` -> 3), None when
    ``words`` do not start with a task runner, name no task (``make``, ``just --list``) or run nothing
    (``make -n test``)."""
    runner = _TASK_RUNNERS.get(words[0]) if words else None
    if runner is None:
        return None
    at = _past_subcommand(words, runner)
    if words[0] == "make":
        if dry_run(words):
            return None
        while at is not None and at < len(words) and "=" in words[at]:  # make CC=gcc test
            at = _past_options(words, at + 1, runner.values)
    if at is None or at >= len(words) or words[at].startswith("-"):
        return None
    return None if runner.optional and words[at] in _BUILTINS else at


def _past_subcommand(words: list[str], runner: _Runner) -> int | None:
    """The first word after the runner, its options and its subcommand (None: the subcommand is missing)."""
    at = _past_options(words, 1, runner.values)
    if runner.subcommands:
        if at < len(words) and words[at] in runner.subcommands:
            return _past_options(words, at + 1, runner.values)
        if not runner.optional:
            return None
    return at


def _past_options(words: list[str], at: int, values: frozenset[str]) -> int:
    """The first word from ``at`` that is neither an option nor an option's value (``--`` ends them)."""
    while at < len(words) and words[at].startswith("-"):
        word = words[at]
        at += 1
        if word == "--":
            break
        if word in values or (word in _NUMBER_OPTIONS and at < len(words) and words[at].isdigit()):
            at += 1
    return at
