"""Small shared helpers for the miners: cited items on the map side (JSON-safe dicts with step
indices, a short quote, the first step's file:line and the least trusted cited step) and Evidence /
Lesson construction on the reduce side."""

from __future__ import annotations

from typing import Any

from skillforge import templates
from skillforge.distill.offline.actions import least_trusted, source_of
from skillforge.distill.offline.signature import shorten
from skillforge.model import Evidence, Outcome, Scope, ScopeKind, Trajectory, Trust

Facts = dict[str, Any]


def cite(traj: Trajectory, steps: list[int], quote: str, **extra: Any) -> dict[str, Any]:
    """A map-side citation: small and JSON-serialisable."""
    steps = sorted({s for s in steps if traj.step(s) is not None})
    item: dict[str, Any] = {
        "steps": steps, "quote": shorten(quote, 200), "src": source_of(traj, steps[0]) if steps else None,
        "trust": least_trusted(traj, steps),
    }
    item.update(extra)
    return item


def evidence(meta: Facts, item: dict[str, Any]) -> Evidence:
    return Evidence(
        trajectory_id=meta["id"], steps=list(item["steps"]), quote=item["quote"], source=item.get("src"),
        outcome=Outcome(meta["outcome"]), task=meta["task"], trust=Trust(item["trust"]),
    )


def repo_scope(meta: Facts) -> Scope:
    if meta.get("repo"):
        return Scope(ScopeKind.REPOSITORY, meta["repo"])
    return Scope(ScopeKind.TOOL, meta.get("agent") or "agent")


def render(name: str, **context: Any) -> str:
    return templates.render(f"offline/{name}.j2", **context).strip()


def confidence(support: int, total: int) -> float:
    """A simple, deterministic confidence: support smoothed by the number of runs that could show it."""
    return round((support + 1) / (total + 2), 3) if total else 0.5
