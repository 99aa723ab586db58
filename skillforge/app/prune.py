"""``skillforge prune``: propose removing skills used often with low utility, or never matched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings

if TYPE_CHECKING:
    from skillforge.route.prune import Candidate


@dataclass(frozen=True)
class PruneArgs:
    min_uses: int = 5
    max_utility: float = 0.3
    min_calls: int = 50
    dry_run: bool = False


@dataclass(frozen=True)
class PruneResult:
    candidates: tuple[Candidate, ...]
    branch: str | None
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"candidates": [c.to_dict() for c in self.candidates], "branch": self.branch}


def run(settings: Settings, args: PruneArgs) -> PruneResult:
    from skillforge.route.command import check_library
    from skillforge.route.prune import candidates, propose

    lib = Path(settings.library)
    check_library(lib)
    if not args.dry_run:
        settings.require_templates()
    found = candidates(lib, min_uses=args.min_uses, max_utility=args.max_utility, min_calls=args.min_calls)
    author = (settings.author_name, settings.author_email)
    branch = (
        None
        if args.dry_run or not found
        else propose(lib, found, author, settings.templates, settings.base_branch)
    )
    return PruneResult(tuple(found), branch)
