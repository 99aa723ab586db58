"""``distill --dry-run``: the plan of a run (trajectories to read and those already distilled, LLM calls
and tokens the run would make, the batch estimate), written nothing and called nothing."""

from __future__ import annotations

from collections.abc import Iterator

from skillforge.config import Settings
from skillforge.distill.base import DistillReport, Mapper
from skillforge.model import Trajectory
from skillforge.providers.base import Provider


def dry_run(
    report: DistillReport,
    items: Iterator[Trajectory],
    settings: Settings,
    provider: Provider | None,
    mapper: Mapper,
    batch: bool = False,
) -> DistillReport:
    summaries = [
        {
            "id": t.id,
            "format": t.format,
            "steps": len(t.steps),
            "tool_calls": len(t.tool_calls),
            "chars": sum(len(s.text) for s in t.steps) + len(t.task),
            "outcome": t.outcome.value,
            "task": t.task[:500],
            "task_id": t.task_id,
            "repository": t.repository,
            **({} if provider is None else {"index_tokens": _index_tokens(t, settings)}),
        }
        for t in items
    ]
    if provider is None:
        report.plan = {
            "trajectories": len(summaries),
            "already_distilled": report.skipped_trajectories,
            "provider": "offline",
            "llm_calls": 0,
            "miners": [mapper.name],
        }
    else:
        from skillforge.distill.llm import plan

        report.plan = dict(plan(summaries, settings))
        report.plan.setdefault("trajectories", len(summaries))
        report.plan["already_distilled"] = report.skipped_trajectories
        if batch:
            from skillforge.distill.batchmap import estimate

            report.plan["batch_analysis"] = estimate(summaries, settings)
    return report


def _index_tokens(traj: Trajectory, settings: Settings) -> int:
    """The size of the transcript an LLM analyst would get (the plan counts it, not a guess)."""
    from skillforge.distill.llm.plan import index_tokens

    return index_tokens(traj, int(settings.transcript_tokens))
