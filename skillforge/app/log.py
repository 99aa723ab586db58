"""``skillforge log``: a skill's history, or every skillforge run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import SkillforgeError

if TYPE_CHECKING:
    from skillforge.skills.history import LogEntry
    from skillforge.skills.store import Library


@dataclass(frozen=True)
class LogArgs:
    skill: str | None = None


@dataclass(frozen=True)
class LogResult:
    entries: tuple[LogEntry, ...]
    skill: str | None
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries]}


def open_library(settings: Settings) -> Library:
    from skillforge.skills.store import Library

    author = (settings.author_name, settings.author_email)
    return Library.open(Path(settings.library), author, base=settings.base_branch)


def run(settings: Settings, args: LogArgs) -> LogResult:
    from skillforge.skills.history import run_log, skill_log

    lib = open_library(settings)
    base = settings.base_branch
    entries = skill_log(lib, args.skill, base) if args.skill else run_log(lib, base)
    if args.skill and not entries and not (lib.skills_dir / args.skill).is_dir():
        raise SkillforgeError(  # a typo said "no history" and exit 0, as if the skill had none
            f"no skill named {args.skill!r} in {lib.root}, now or in its history",
            f"the library's skills are the folders of {lib.skills_dir}; skillforge log lists every run",
        )
    return LogResult(tuple(entries), args.skill)
