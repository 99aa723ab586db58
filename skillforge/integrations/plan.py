"""The state of one ``skillforge install`` run: the actions it reports, what earlier installs recorded
(files, containers, folders and links they created), the folders it makes and removes, and how it
reads and writes a settings file (a symlinked one, as dotfiles managers make, is written at its
target and stays a link)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.errors import SkillforgeError
from skillforge.fsutil import atomic_write

CHANGES = {"create", "merge", "update", "link", "remove", "unlink"}


@dataclass(slots=True)
class Action:
    action: str  # create | merge | update | link | remove | unlink | skip
    path: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"action": self.action, "path": self.path, "detail": self.detail}


@dataclass(slots=True)
class Plan:
    library: Path
    base: Path  # the project folder, or the home folder for --user
    user: bool
    dry_run: bool
    state: dict[str, Any]  # what earlier installs recorded; {} when nothing is known
    actions: list[Action]
    known: bool = True  # False: no record of an earlier install (lost, or written elsewhere)
    libraries: set[Path] = field(default_factory=set)  # libraries named by the entries uninstall removed
    adopt_links: bool = False  # the record is an older version's, which did not record links
    shared_dirs: set[str] = field(default_factory=set)  # folders other agents' installs here created
    recorded: frozenset[str] = frozenset()  # the settings files earlier installs recorded (not this run's)
    memo: dict[str, Any] = field(default_factory=dict)  # worked out once per install (the servable skills)

    def __post_init__(self) -> None:
        self.adopt_links = self.known and bool(self.state) and "links" not in self.state
        self.recorded = frozenset(self.state.get("json", {}))

    def act(self, action: str, path: Path, detail: str = "") -> None:
        self.actions.append(Action(action, str(path), detail))


def status(actions: list[Action], *, uninstall: bool, dry_run: bool) -> str:
    """installed | already_installed | uninstalled | not_installed | dry_run."""
    if dry_run:
        return "dry_run"
    changed = any(a.action in CHANGES for a in actions)
    if uninstall:
        return "uninstalled" if changed else "not_installed"
    return "installed" if changed else "already_installed"


def read_text(path: Path) -> str | None:
    """The file's text (None when it does not exist); a one-line error when it cannot be read, or when
    it is a symlink to nothing (writing would replace the link, or create a file where it points)."""
    if path.is_symlink() and not path.exists():
        raise SkillforgeError(
            f"{path}: a symlink to {os.path.realpath(path)}, which does not exist",
            "create that file (or remove the link), then run install again; nothing was changed",
        )
    try:
        # bytes decoded as they are: no newline translation, so a CRLF file is written back CRLF
        return path.read_bytes().decode("utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise SkillforgeError(
            f"{path}: cannot read it ({exc})",
            "fix its permissions or encoding (UTF-8), then run install again; nothing was changed",
        ) from None


def write_text(path: Path, text: str) -> None:
    """Write ``path`` atomically; through a symlink, the file it points to is replaced (in its own
    folder) and the link stays, so a settings file kept in a dotfiles repository gets the change."""
    atomic_write(Path(os.path.realpath(path)), text)


def make_dirs(plan: Plan, folder: Path) -> None:
    """Create ``folder`` and record, for uninstall, the folders that did not exist and those that
    another agent's install created (``.claude/`` is cline's for the skill links, then claude's for
    its settings): whichever agent is uninstalled last removes them once they are empty."""
    missing = []
    current = folder
    while current != plan.base and current != current.parent:
        if current.exists() and str(current) not in plan.shared_dirs:
            break
        missing.append(str(current))
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    dirs = plan.state.setdefault("dirs", [])
    dirs.extend(d for d in missing if d not in dirs)


def remove_created_dirs(plan: Plan, folder: Path) -> None:
    """Remove ``folder`` and its parents while install created them and they are empty. Without a
    record, the empty folders up to the project (or home) folder count as install's, except
    ``~/Documents``."""
    created = set(plan.state.get("dirs", []))
    current = folder
    while current.is_dir() and current != plan.base and current.is_relative_to(plan.base):
        ours = str(current) in created if plan.known else current != plan.base / "Documents"
        if not ours or any(current.iterdir()):
            return
        current.rmdir()
        current = current.parent
