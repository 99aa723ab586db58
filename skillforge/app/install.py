"""``skillforge install``: wire an agent to the library (hook, MCP server, skill links), or undo it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import UsageError

if TYPE_CHECKING:
    from skillforge.integrations.plan import Action


@dataclass(frozen=True)
class InstallArgs:
    agent: str
    cwd: Path
    user: bool = False
    project: bool = False
    dry_run: bool = False
    uninstall: bool = False


@dataclass(frozen=True)
class InstallResult:
    agent: str
    actions: tuple[Action, ...]
    status: str
    dry_run: bool
    exit_code: int = 0
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "actions": [a.to_dict() for a in self.actions],
            "notes": list(self.notes),
        }


def run(settings: Settings, args: InstallArgs) -> InstallResult:
    from skillforge.integrations.install import AGENTS, install
    from skillforge.integrations.plan import status
    from skillforge.route.command import check_library

    if args.project and args.user:
        raise UsageError("--project and --user exclude each other", "pass one of them")
    if args.agent not in AGENTS:
        raise UsageError(f"unknown agent {args.agent!r}", f"use one of: {', '.join(AGENTS)}")
    lib = Path(settings.library)
    if not args.uninstall:  # uninstall finds skillforge's entries without naming the library
        check_library(lib)
    actions = install(
        args.agent, lib.resolve(), args.cwd, user=args.user, dry_run=args.dry_run, uninstall=args.uninstall
    )
    state = status(actions, uninstall=args.uninstall, dry_run=args.dry_run)
    notes = () if args.user or args.uninstall else _committable_note(args.cwd, actions)
    return InstallResult(args.agent, tuple(actions), state, args.dry_run, notes=notes)


def _committable_note(project: Path, actions: list[Action]) -> tuple[str, ...]:
    """A project install writes this machine's paths (the skillforge it ran, the library) into files an
    agent shares through git: say which of them git would commit, so that they are kept out (a
    teammate's clone would run a command it does not have, on every prompt)."""
    import subprocess

    from skillforge.integrations.plan import CHANGES

    written: list[str] = []
    base = project.resolve()
    for a in actions:
        if a.action in CHANGES and a.action not in ("remove", "unlink"):
            path = Path(a.path)
            shown = path.parent if a.action == "link" else path  # the skills folder, once
            if shown.is_relative_to(base) and str(shown.relative_to(base)) not in written:
                written.append(str(shown.relative_to(base)))
    if not written:
        return ()
    try:
        done = subprocess.run(
            ["git", "-C", str(base), "check-ignore", "--stdin"],  # a tracked file is never ignored
            input="\n".join(written),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode not in (0, 1):  # 128: not in a git repository
        return ()
    ignored = set(done.stdout.splitlines())
    shared = [w for w in written if w not in ignored]
    if not shared:
        return ()
    return (
        f"{', '.join(shared)} name this machine's paths (the skillforge that ran install, the library): "
        "keep them out of commits (list them in .gitignore; git rm --cached those already committed), "
        "or install with --user",
    )
