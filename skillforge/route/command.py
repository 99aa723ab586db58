"""The ``skillforge route`` command's core, shared by the typer command and the fast path.

:func:`fast_main` is called by ``skillforge.cli`` before typer is imported: it understands the common
``route`` invocations (task, ``--library``, ``-k``, ``--format``, ``--max-tokens``, ``--hook``,
``--json``) and returns None for anything else, which then goes through typer as usual.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from skillforge.errors import ExitCode, SkillforgeError, UsageError

FORMATS = ("markdown", "json", "xml")


@dataclass(slots=True)
class RouteArgs:
    task: str | None = None
    library: str | None = None
    k: int | None = None
    fmt: str = "markdown"
    max_tokens: int | None = None
    hook: str | None = None
    cwd: str | None = None


def settings_for(library: str | None) -> tuple[Path, int, int]:
    """(library, default k, default token budget) from the settings chain."""
    from skillforge.config import Settings

    settings = Settings({"library": library}, Path(library) if library else None)
    return Path(str(settings.library)), int(settings.route_k), int(settings.route_max_tokens)


def read_task(task: str | None) -> str:
    if task is None or task == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise SkillforgeError(
                "no task given", 'pass it as an argument: skillforge route "TASK", or on stdin'
            )
        task = sys.stdin.read()
    if not task.strip():
        raise SkillforgeError("the task is empty", 'pass a task: skillforge route "fix the flaky test"')
    return task


def route_text(args: RouteArgs) -> str:
    """The rendered output of ``skillforge route`` (raises SkillforgeError for bad input)."""
    from skillforge.route import Router
    from skillforge.route.feedback import log_matches
    from skillforge.route.render import pointer_tokens, render, top_body

    if args.fmt not in FORMATS:
        raise UsageError(f"unknown --format {args.fmt!r}", "use markdown, json or xml")
    library, k, budget = settings_for(args.library)
    task = read_task(args.task)
    check_library(library)
    router = Router(library, one_shot=True)
    if not router.names:
        _note_review_branches(library)
    matches = router.route(task, k=args.k or k, cwd=args.cwd or ".")
    log_matches(router.library, "cli", [m.name for m in matches])
    max_tokens = budget if args.max_tokens is None else args.max_tokens
    body = top_body(router, matches, max_tokens, pointer_tokens(matches))
    return render(matches, args.fmt, body)


def check_library(library: Path) -> None:
    """Raise when ``library`` is no skill library at all: no ``skills/`` folder and no skill folders."""
    library = library.absolute()
    if not library.is_dir():
        raise SkillforgeError(
            f"{library}: no such skill library", "pass --library PATH or set SKILLFORGE_LIBRARY"
        )
    if (library / "skills").is_dir() or (library / "SKILL.md").is_file() or any(library.glob("*/SKILL.md")):
        return
    raise SkillforgeError(
        f"{library} is not a skill library (no skills/ folder and no skill folders in it)",
        "pass --library PATH, set SKILLFORGE_LIBRARY, or make one: skillforge distill LOGS "
        "--library PATH --init",
    )


def _git_dir(library: Path) -> Path | None:
    """The ``.git`` folder of the repository holding ``library`` (it may be a sub-folder of one)."""
    for folder in (library, *library.parents):
        if (folder / ".git").is_dir():
            return folder / ".git"
    return None


def review_branches(library: Path) -> list[str]:
    """The ``skillforge/*`` review branches of the library's git repository, newest first, read from its
    refs files (no git process, no GitPython: this runs on the route fast path)."""
    git_dir = _git_dir(library.absolute())
    if git_dir is None:
        return []
    found: dict[str, float] = {}
    heads = git_dir / "refs" / "heads"
    with contextlib.suppress(OSError):
        for loose in (heads / "skillforge").rglob("*"):
            if loose.is_file() and not loose.name.endswith(".lock"):
                found[loose.relative_to(heads).as_posix()] = loose.stat().st_mtime
    with contextlib.suppress(OSError):
        for line in (git_dir / "packed-refs").read_text(encoding="utf-8", errors="replace").splitlines():
            ref = line.partition(" ")[2]
            if ref.startswith("refs/heads/skillforge/"):
                found.setdefault(ref.removeprefix("refs/heads/"), 0.0)
    return sorted(found, key=lambda name: (-found[name], name))


def _note_review_branches(library: Path) -> None:
    """Say why an empty checked-out library routes nothing when skills wait on review branches."""
    branches = review_branches(library)
    if branches:
        lib = shlex.quote(str(library.absolute()))
        sys.stderr.write(
            f"skillforge: the checked-out branch of {library} has no skills yet; {len(branches)} review "
            f"branch(es) wait ({branches[0]}{', …' if len(branches) > 1 else ''}): review with "
            f"skillforge diff {branches[0]} --library {lib}, then merge: git -C {lib} merge {branches[0]}\n"
        )


_VALUE_OPTS = {
    "--library": "library",
    "-L": "library",
    "-k": "k",
    "--k": "k",
    "--format": "fmt",
    "--max-tokens": "max_tokens",
    "--hook": "hook",
    "--cwd": "cwd",
}


def parse_fast(argv: list[str]) -> RouteArgs | None:
    """RouteArgs for a plain ``route`` command line, or None when typer should handle it."""
    args = RouteArgs()
    json_flag = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=")
        if name in _VALUE_OPTS:
            if eq:
                value = inline
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                return None
            attr = _VALUE_OPTS[name]
            if attr in ("k", "max_tokens"):
                if not value.isdigit():
                    return None
                setattr(args, attr, int(value))
            else:
                setattr(args, attr, value)
        elif arg == "--json":
            json_flag = True
        elif arg.startswith("-") and arg != "-":
            return None  # --help, --rerank, …: typer's job
        elif args.task is None:
            args.task = arg
        else:
            return None
        i += 1
    if json_flag:
        if args.fmt not in ("markdown", "json"):
            return None  # two outputs asked for: typer's usage error says so
        args.fmt = "json"
    return args


def fast_main(argv: list[str]) -> int | None:
    """Run ``route`` without typer when the command line is simple; None means "not handled"."""
    args = parse_fast(argv)
    if args is None:
        if any(a == "--hook" or a.startswith("--hook=") for a in argv):
            from skillforge.route import hooks

            hooks.log_failure("route", ValueError(f"unusable hook command line: {' '.join(argv)}"))
            return 0  # a hook never fails closed, not even on its own command line
        return None
    if args.hook:
        from skillforge.route import hooks

        lib = args.library
        return hooks.run(args.hook, lib, args.k or 3, 1500 if args.max_tokens is None else args.max_tokens)
    try:
        text = route_text(args)
    except SkillforgeError as exc:
        sys.stderr.write(
            f"skillforge: error: {exc.message}\n" + (f"  hint: {exc.hint}\n" if exc.hint else "")
        )
        return int(exc.exit_code)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    try:
        sys.stdout.write(text + "\n")
    except (OSError, AttributeError):  # stdout closed or a broken pipe: nobody is reading
        return 0
    return 0
