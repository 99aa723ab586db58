"""The state of one ``skillforge install`` run: the actions it reports, what earlier installs recorded
(files, containers, folders and links they created), and the folders it makes and removes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.errors import SkillforgeError

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

    def __post_init__(self) -> None:
        self.adopt_links = self.known and bool(self.state) and "links" not in self.state

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
    """The file's text (None when it does not exist); a one-line error when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise SkillforgeError(
            f"{path}: cannot read it ({exc})",
            "fix its permissions or encoding (UTF-8), then run install again; nothing was changed",
        ) from None


def make_dirs(plan: Plan, folder: Path) -> None:
    """Create ``folder`` and record the folders that did not exist, for uninstall."""
    missing = []
    current = folder
    while not current.exists() and current != plan.base and current != current.parent:
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
