"""Small shared helpers for the miners: cited items on the map side (JSON-safe dicts with step
indices, a short quote, the first step's file:line and the least trusted cited step) and Evidence /
Lesson construction on the reduce side."""

from __future__ import annotations

import re
from typing import Any

from skillforge import templates
from skillforge.distill.offline.actions import least_trusted
from skillforge.distill.offline.signature import shorten
from skillforge.model import Evidence, Outcome, Scope, ScopeKind, Trajectory, Trust

Facts = dict[str, Any]


def cite(traj: Trajectory, steps: list[int], quote: str, **extra: Any) -> dict[str, Any]:
    """A map-side citation: small and JSON-serialisable."""
    steps = sorted({s for s in steps if traj.step(s) is not None})
    item: dict[str, Any] = {
        "steps": steps,
        "quote": shorten(quote, 200),
        "src": sources(traj, steps),
        "trust": least_trusted(traj, steps),
    }
    item.update(extra)
    return item


def sources(traj: Trajectory, steps: list[int]) -> str | None:
    """Where the cited steps are in the log, for a reviewer: ``file#messages[14], messages[15]`` (each
    distinct record or line once), or ``file:12`` for line-based logs."""
    found = [step.source for i in steps if (step := traj.step(i)) is not None and step.source is not None]
    if not found:
        return None
    places = list(
        dict.fromkeys(
            s.record or (f"line {s.line}" if s.line is not None else "")
            for s in found
            if s.file == found[0].file
        )
    )
    if found[0].record is None:
        return str(found[0])
    return f"{found[0].file}#{', '.join(p for p in places if p)}"


def relative_source(src: str | None, roots: list[str]) -> str | None:
    """A log path relative to the input it was found under (``trajs/x/x.traj.json#messages[3]`` for the
    input ``/data/trajs``), never an absolute local path; unchanged when no input contains it."""
    if not src:
        return src
    m = _WHERE.match(src)
    path, rest = (m.group(1), m.group(2)) if m else (src, "")
    for root in sorted((_glob_base(r) for r in roots), key=len, reverse=True):
        base = root.rstrip("/")
        if path == base:
            return base.rsplit("/", 1)[-1] + rest
        if path.startswith(base + "/"):
            name = base.rsplit("/", 1)[-1]
            inner = path[len(base) + 1 :]
            return (f"{name}/{inner}" if name not in ("", ".", "..") else inner) + rest
    return src


def _glob_base(root: str) -> str:
    """The folder a glob input searches (``/data/trajs`` for ``/data/trajs/[a-l]*``); a path as it is."""
    parts = root.split("/")
    magic = next((i for i, part in enumerate(parts) if any(ch in part for ch in "*?[")), None)
    return root if magic is None else "/".join(parts[:magic]) or "."


_WHERE = re.compile(r"^(.*?)((?::\d+)?(?:#.*)?)$", re.S)  # path, then ':line' and/or '#record'


def evidence(meta: Facts, item: dict[str, Any]) -> Evidence:
    return Evidence(
        trajectory_id=meta["id"],
        steps=list(item["steps"]),
        quote=item["quote"],
        source=item.get("src"),
        outcome=Outcome(meta["outcome"]),
        task=meta["task"],
        trust=Trust(item["trust"]),
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
