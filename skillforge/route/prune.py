"""``skillforge prune``: propose removing skills that do not earn their place, as a review branch.

Candidates: skills used at least ``min_uses`` times whose utility (``.skillforge/utility.json``) is at
or below ``max_utility``, and skills route never returned in at least ``min_calls`` logged route calls
on this library (``config.home()/route-matches.jsonl``). Locked skills (``skillforge-locked: "true"``)
are never proposed. The proposal is a ``SkillChange(action="removed")`` per skill committed by the
store on branch ``skillforge/prune-<date>``; nothing on the user's branch changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.route.feedback import load_utility, match_counts


@dataclass(frozen=True)
class Proposal:
    """A prune proposal's review branch (``result.already_done``: proposed by an earlier prune) and
    the steps to review, merge and publish it."""

    result: Any  # skillforge.skills.review.RunResult
    next_steps: list[dict[str, str]]


@dataclass(slots=True)
class Candidate:
    name: str
    reason: str
    uses: int = 0
    utility: float | None = None
    matched: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reason": self.reason,
            "uses": self.uses,
            "utility": self.utility,
            "matched": self.matched,
        }


def candidates(
    library: Path, *, min_uses: int = 5, max_utility: float = 0.3, min_calls: int = 50
) -> list[Candidate]:
    from skillforge.route import Router

    router = Router(library, use_utility=False)
    utility = load_utility(library)
    counts, calls = match_counts(library)
    locked = _locked(router)
    out: list[Candidate] = []
    for name in router.names:
        if name in locked:
            continue
        entry = utility.get(name, {})
        uses, q = int(entry.get("uses", 0)), float(entry.get("q", 0.5))
        if uses >= min_uses and q <= max_utility:
            out.append(
                Candidate(name, f"used {uses} times with utility {q:.2f}", uses, q, counts.get(name, 0))
            )
        elif calls >= min_calls and counts.get(name, 0) == 0:
            out.append(Candidate(name, f"never matched in {calls} route calls", uses, None, 0))
    return out


def _locked(router: Any) -> set[str]:
    from skillforge.skills.document import DocumentError, load

    locked = set()
    for name, path in zip(router.index.names, router.index.paths, strict=True):
        try:
            if load(Path(path).parent).locked:
                locked.add(name)
        except (DocumentError, OSError):
            continue
    return locked


def propose(
    library: Path,
    found: list[Candidate],
    author: tuple[str, str] = ("skillforge", "skillforge@localhost"),
    template_dir: str = "",
    base: str = "",
) -> Proposal:
    """Commit the removals on a review branch by ``author`` (name, e-mail), its pull-request body from
    ``template_dir`` when it overrides it, starting from ``base`` (the base_branch setting; empty: the
    checked-out branch). When a prune branch not merged into the base proposes removing the same
    skills already, that branch is the proposal (``already_done``) and nothing is committed."""
    from skillforge.model import SkillChange
    from skillforge.skills.review import next_steps
    from skillforge.skills.store import Library

    lib = Library.open(library, author, template_dir, base)
    result = _proposed(lib, {c.name for c in found}, lib.base_branch(base))
    if result is None:
        run_id = _new_run_id(lib)
        changes = [SkillChange(name=c.name, action="removed", reason=c.reason) for c in found]
        result = lib.commit_run(
            run_id,
            changes,
            message=f"skillforge prune: remove {len(changes)} skill(s)",
            trailers={"Skillforge-Prune": ", ".join(c.name for c in found)},
            pr_context={"prune": [c.to_dict() for c in found]},
            allow_dirty=True,
        )
    return Proposal(result, next_steps(lib, result))


def _new_run_id(lib: Any) -> str:
    """``prune-<time>``, with ``-2``, ``-3``… when a prune of another set made that branch this second."""
    from skillforge.skills.review import BRANCH_PREFIX

    stamp = "prune-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    taken = set(lib.review_branches())
    run_id, n = stamp, 1
    while BRANCH_PREFIX + run_id in taken:
        n += 1
        run_id = f"{stamp}-{n}"
    return run_id


def _proposed(lib: Any, names: set[str], base: str) -> Any:
    """The run of an unmerged ``skillforge/prune-*`` branch removing exactly ``names``, or None."""
    from skillforge.skills.review import BRANCH_PREFIX

    base_commit = lib.repo.commit(f"refs/heads/{base}")
    for branch in lib.review_branches():
        run_id = branch[len(BRANCH_PREFIX) :]
        if not run_id.startswith("prune-"):
            continue
        if lib.repo.is_ancestor(lib.repo.commit(f"refs/heads/{branch}"), base_commit):
            continue  # merged: what it removed is gone from the base already
        done = lib.find_run(run_id)
        if done is not None and {c.name for c in done.changes if c.action == "removed"} == names:
            return done
    return None
