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

    def to_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "actions": [a.to_dict() for a in self.actions]}


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
    return InstallResult(args.agent, tuple(actions), state, args.dry_run)
