"""``skillforge diff``: what a review branch changes relative to its base, in skill terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skillforge.app.log import open_library
from skillforge.config import Settings

if TYPE_CHECKING:
    from skillforge.skills.history import BranchDiff


@dataclass(frozen=True)
class DiffArgs:
    branch: str | None = None


@dataclass(frozen=True)
class DiffResult:
    diff: BranchDiff
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.diff.to_dict())


def run(settings: Settings, args: DiffArgs) -> DiffResult:
    from skillforge.skills.history import branch_diff

    return DiffResult(branch_diff(open_library(settings), args.branch, settings.base_branch))
