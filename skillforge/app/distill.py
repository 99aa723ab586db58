"""``skillforge distill``: turn agent logs into skill changes on a review branch."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import ExitCode

if TYPE_CHECKING:
    from skillforge.distill.pipeline import DistillReport


@dataclass(frozen=True)
class DistillArgs:
    paths: tuple[str, ...] = ()
    from_agents: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    init: bool = False
    dry_run: bool = False
    allow_dirty: bool = False
    executor: str = "local"
    ray_address: str | None = None
    batch: bool = False
    resume: bool = False
    progress: Callable[..., AbstractContextManager[Any]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DistillResult:
    report: DistillReport

    @property
    def status(self) -> str:
        return str(self.report.status)

    @property
    def exit_code(self) -> int:
        return int(ExitCode.PARTIAL if self.report.partial else ExitCode.OK)

    def to_dict(self) -> dict[str, Any]:
        r = self.report
        return {
            "run_id": r.run_id,
            "provider": r.provider,
            "model": r.model,
            "dry_run": r.dry_run,
            "plan": r.plan,
            "trajectories": r.trajectories,
            "skipped_trajectories": r.skipped_trajectories,
            "lessons": r.lessons,
            "lessons_kept": r.lessons_kept,
            "quarantined": r.quarantined,
            "dropped": {k: r.dropped[k] for k in ("lessons", "quotes", "secrets")},
            "failures": r.failures,
            "redactions": dict(r.redactions),
            "usage": vars(r.usage),
            "changes": [
                {"skill": c.name, "action": c.action, "reason": c.reason, "evidence": c.evidence_count}
                for c in r.changes
            ],
            "branch": r.branch,
            "commit": r.commit,
            "pr_body": r.pr_body_path,
            "commands": r.commands,
            "next_steps": r.next_steps,
            "notes": r.notes,
            "skipped_inputs": [
                {"reason": reason, "files": n, "detail": line} for reason, n, line in r.skipped_inputs
            ],
            "partial": r.partial,
        }


def run(settings: Settings, args: DistillArgs) -> DistillResult:
    from skillforge.distill.pipeline import DistillOptions, distill

    settings.require_templates()
    options = DistillOptions(
        labels=list(args.labels),
        from_agents=list(args.from_agents),
        init=args.init,
        dry_run=args.dry_run,
        allow_dirty=args.allow_dirty,
        progress=args.progress,
        executor=args.executor,
        ray_address=args.ray_address,
        batch=args.batch,
        resume=args.resume,
    )
    return DistillResult(distill(list(args.paths), settings, options))
