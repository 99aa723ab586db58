"""Environment recipes: how a repository's tests are run, how it is built and how its dependencies
are installed, from the commands that succeeded there. One lesson per repository and kind, naming
the dominant normalised command (most runs) and the alternatives that also worked."""

from __future__ import annotations

from collections import Counter
from typing import Any

from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import BUILD, INSTALL, TEST
from skillforge.distill.offline.evidence import (
    Facts,
    cite,
    confidence,
    evidence,
    render,
    repo_scope,
    runs_phrase,
)
from skillforge.model import Lesson, LessonKind, Level, Trajectory

KINDS = {TEST: ("Run the tests", "ran tests"), BUILD: ("Build", "built"), INSTALL: ("Install", "installed")}


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """The first successful use of each (kind, recipe) in this run."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for a in acts:
        if a.cls not in KINDS or a.failed or a.result is None or not a.recipe or (a.cls, a.recipe) in seen:
            continue
        seen.add((a.cls, a.recipe))
        out.append(cite(traj, [a.call], a.cmd, kind=a.cls, recipe=a.recipe))
    return out[:30]


def dominant(all_facts: list[Facts], scope: str, kind: str) -> str:
    """The recipe of this kind used by the most runs in this scope ('' when none)."""
    counts = Counter(
        it["recipe"] for f in all_facts if str(repo_scope(f)) == scope for it in f.get("recipes", [])
        if it["kind"] == kind
    )
    return _ranked(counts)[0][0] if counts else ""


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    groups: dict[tuple[str, str], list[tuple[Facts, dict[str, Any]]]] = {}
    for f in all_facts:
        for it in f.get("recipes", []):
            groups.setdefault((str(repo_scope(f)), it["kind"]), []).append((f, it))
    out: list[Lesson] = []
    for (_scope, kind), pairs in sorted(groups.items()):
        pairs.sort(key=lambda p: (p[0]["id"], p[1]["steps"]))
        counts = Counter(it["recipe"] for _, it in pairs)
        ranked = _ranked(counts)
        recipe, n = ranked[0]
        chosen = [(f, it) for f, it in pairs if it["recipe"] == recipe]
        total = len({f["id"] for f, _ in pairs})
        verb, did = KINDS[kind]
        meta = chosen[0][0]
        body = render(
            "lesson_recipe", verb=verb, recipe=recipe, n=n, total=total, did=did,
            alternatives=[(r, c) for r, c in ranked[1:4] if c >= 2], runs=runs_phrase([f for f, _ in chosen]),
            example=chosen[0][1]["quote"] if "<" in recipe else "",
        )
        out.append(Lesson(
            title=f"{verb}: {recipe}", trigger=f"when you need to {verb.lower()} in {meta.get('repo') or 'this project'}",
            body=body, kind=LessonKind.ENVIRONMENT_RECIPE, level=Level.ATOMIC, scope=repo_scope(meta),
            evidence=[evidence(f, it) for f, it in chosen], confidence=confidence(n, total),
            signature=f"recipe:{kind}",
        ))
    return out
