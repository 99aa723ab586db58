"""``skillforge init``: make a folder a skill library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings

if TYPE_CHECKING:
    from skillforge.skills.init import InitReport


@dataclass(frozen=True)
class InitArgs:
    directory: Path


@dataclass(frozen=True)
class InitResult:
    report: InitReport
    exit_code: int = 0

    @property
    def status(self) -> str:
        return "ok" if self.report.commit else "already_done"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.report.to_dict())


def run(settings: Settings, args: InitArgs) -> InitResult:
    from skillforge.skills.init import init_library

    settings.require_templates()
    author = (settings.author_name, settings.author_email)
    return InitResult(init_library(args.directory, author, settings.base_branch, settings.templates))
