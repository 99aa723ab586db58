"""Workflow skeletons: the order in which resolved runs on a repository first explored, reproduced,
edited, tested, set up and submitted, with median step counts per phase. The most common order
among resolved runs becomes a plan-level lesson."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import BUILD, EDIT, EXPLORE, INSTALL, REPRODUCE, SUBMIT, TEST
from skillforge.distill.offline.evidence import Facts, confidence, evidence, render, repo_scope
from skillforge.distill.offline.recipes import dominant
from skillforge.model import Lesson, LessonKind, Level, Outcome, Trajectory

PHASE = {EXPLORE: "explore", REPRODUCE: "reproduce", EDIT: "edit", TEST: "test", SUBMIT: "submit",
         BUILD: "setup", INSTALL: "setup"}
_SCRATCH = re.compile(r"^(?:\./)?(?:/tmp/)?(?:repro|reproduc|check|debug|verify|demo|scratch|tmp|temp|example|issue|test_)[\w.-]*$")
PHASE_ORDER = ("explore", "setup", "reproduce", "edit", "test", "submit")


def mine(traj: Trajectory, acts: list[Act]) -> dict[str, Any]:
    order: list[str] = []
    counts: Counter[str] = Counter()
    first_steps: list[int] = []
    for a in acts:
        scratch = bool(a.writes) and all(_SCRATCH.search(w) for w in a.writes)
        for cls in a.classes:
            phase = "reproduce" if scratch and cls == EDIT else PHASE.get(cls)
            if phase is None:
                continue
            counts[phase] += 1
            if phase not in order:
                order.append(phase)
                first_steps.append(a.call)
    quote = " → ".join(order)
    return {"order": order, "counts": dict(sorted(counts.items())), "steps": first_steps, "quote": quote,
            "src": None, "trust": "agent"}


def _median(values: list[int]) -> int:
    values = sorted(values)
    return values[len(values) // 2] if values else 0


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    groups: dict[str, list[Facts]] = {}
    for f in all_facts:
        if f.get("workflow", {}).get("order"):
            groups.setdefault(str(repo_scope(f)), []).append(f)
    out: list[Lesson] = []
    for scope_name, members in sorted(groups.items()):
        members.sort(key=lambda f: f["id"])
        won = [f for f in members if f["outcome"] == Outcome.SUCCESS.value]
        failed = [f for f in members if f["outcome"] == Outcome.FAILURE.value]
        if len(won) < 2:
            continue
        orders = Counter(tuple(f["workflow"]["order"]) for f in won)
        best, n = sorted(orders.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if n < 2 or len(best) < 3:
            continue
        cited = [f for f in won if tuple(f["workflow"]["order"]) == best]
        medians = [(p, _median([f["workflow"]["counts"].get(p, 0) for f in won])) for p in PHASE_ORDER if p in best]
        body = render(
            "lesson_workflow", skeleton=" → ".join(best), n=n, total=len(won),
            failed_n=sum(1 for f in failed if tuple(f["workflow"]["order"]) == best), failed_total=len(failed),
            medians=medians, test_recipe=dominant(won, scope_name, TEST) if "test" in best else "",
        )
        out.append(Lesson(
            title=f"Workflow: {' → '.join(best)}", trigger=f"when planning a change in {cited[0].get('repo') or scope_name}",
            body=body, kind=LessonKind.WORKFLOW, level=Level.PLAN, scope=repo_scope(cited[0]),
            evidence=[evidence(f, f["workflow"]) for f in cited], confidence=confidence(n, len(won)),
            signature="workflow",
        ))
    return out
