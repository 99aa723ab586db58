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
    """The candidates and, unless a dry run or none, the review branch proposing their removal
    (status ``already_done``: an earlier prune's unmerged branch proposes the same removals)."""

    candidates: tuple[Candidate, ...]
    branch: str | None
    status: str = "ok"
    exit_code: int = 0
    commit: str | None = None
    pr_body_path: str | None = None
    next_steps: tuple[dict[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "branch": self.branch,
            "commit": self.commit,
            "pr_body": self.pr_body_path,
            "next_steps": list(self.next_steps),
        }


def run(settings: Settings, args: PruneArgs) -> PruneResult:
    from skillforge.route.command import check_library
    from skillforge.route.prune import candidates, propose

    lib = Path(settings.library)
    check_library(lib)
    if not args.dry_run:
        settings.require_templates()
    found = candidates(lib, min_uses=args.min_uses, max_utility=args.max_utility, min_calls=args.min_calls)
    if args.dry_run or not found:
        return PruneResult(tuple(found), None)
    author = (settings.author_name, settings.author_email)
    proposal = propose(lib, found, author, settings.templates, settings.base_branch)
    result = proposal.result
    return PruneResult(
        tuple(found),
        result.branch,
        "already_done" if result.already_done else "committed",
        commit=result.commit,
        pr_body_path=str(result.pr_body_path) if result.pr_body_path else None,
        next_steps=tuple(proposal.next_steps),
    )
