"""Workflow skeletons: the order in which resolved runs on a repository first explored, reproduced,
edited, tested, set up and submitted, with median step counts per phase. The most common order
among resolved runs becomes a plan-level lesson. Files a run writes for itself, and tests it runs on
them, are reproduction (as for the recipes: :func:`skillforge.distill.offline.recipes.on_made`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Sample,
    entry,
    evidence_of,
    regroup,
    runs_if_sampled,
    top,
)
from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.cmdline import change_dir, is_scratch_dir
from skillforge.distill.offline.commands import BUILD, CHECK, EDIT, EXPLORE, INSTALL, REPRODUCE, SUBMIT, TEST
from skillforge.distill.offline.contrast import ALPHA, fisher_greater
from skillforge.distill.offline.evidence import Facts, confidence, evidence, render, repo_scope
from skillforge.distill.offline.recipes import made_by, on_made, tests_of
from skillforge.model import Lesson, LessonKind, Level, Outcome, Scope, ScopeKind, Trajectory

PHASE = {
    EXPLORE: "explore",
    REPRODUCE: "reproduce",
    EDIT: "edit",
    TEST: "test",
    CHECK: "test",  # a lint or type check verifies as a test run does
    SUBMIT: "submit",
    BUILD: "setup",
    INSTALL: "setup",
}
_SCRATCH = re.compile(
    r"^(?:\./)?(?:/tmp/)?(?:repro|reproduc|check|debug|verify|demo|scratch|tmp|temp|example|issue|test_)[\w.-]*$"
)
PHASE_ORDER = ("explore", "setup", "reproduce", "edit", "test", "submit")


def mine(traj: Trajectory, acts: list[Act]) -> dict[str, Any]:
    order: list[str] = []
    counts: Counter[str] = Counter()
    first_steps: list[int] = []
    made: set[str] = set()
    for a in acts:
        made.update(made_by(a))
        scratch = bool(a.writes) and all(_scratch_write(w) for w in a.writes)
        # tests run on files the run wrote for itself (`pytest reproduce_issue.py`) reproduce the bug
        own_test = a.cls == TEST and (a.scratch or on_made(a, made))
        for cls in a.classes:
            phase = "reproduce" if (scratch and cls == EDIT) or (own_test and cls == TEST) else PHASE.get(cls)
            if phase is None:
                continue
            counts[phase] += 1
            if phase not in order:
                order.append(phase)
                first_steps.append(a.call)
    quote = " → ".join(order)
    return {
        "order": order,
        "counts": dict(sorted(counts.items())),
        "steps": first_steps,
        "quote": quote,
        "src": None,
        "trust": "agent",
    }


def _scratch_write(path: str) -> bool:
    """A file the run writes for itself: a scratch-named file at the top (``reproduce.py``,
    ``/tmp/x.py``) or any file in a scratch folder at the repository's top (``reproduce_issue/conf.py``,
    ``/tmp/case/x.py``); a folder deeper in is the repository's own (``django/template/``). An absolute
    folder outside the known repository roots is not judged (an editor tool's own paths)."""
    if _SCRATCH.search(path):
        return True
    if path.startswith("/tmp/"):
        return True
    folder = change_dir("", path.rpartition("/")[0])  # /testbed/reproduce_issue -> reproduce_issue
    return bool(folder) and not folder.startswith(("/", "~")) and is_scratch_dir(folder.split("/")[0])


def _median(values: Counter[int]) -> int:
    """The upper median of a histogram of values (0 when empty)."""
    middle = sum(values.values()) // 2
    for value, n in sorted(values.items()):
        if middle < n:
            return value
        middle -= n
    return 0


MIN_SEPARATION = 0.25  # resolved-run share minus failed-run share a skeleton needs to be advice


@dataclass
class _Group:
    won: int = 0
    failed: int = 0
    orders: Counter[tuple[str, ...]] = field(default_factory=Counter)  # of resolved runs
    failed_orders: Counter[tuple[str, ...]] = field(default_factory=Counter)
    samples: dict[tuple[str, ...], Sample] = field(default_factory=dict)  # resolved runs by order
    phases: dict[str, Counter[int]] = field(
        default_factory=dict
    )  # phase -> histogram of resolved runs' counts
    tests: Counter[str] = field(default_factory=Counter)  # resolved runs' test recipes


@dataclass
class Acc:
    """Streaming reduce: per scope, the phase orders of resolved and failed runs and their step counts."""

    k: int = K
    groups: dict[tuple[Scope], _Group] = field(default_factory=dict)

    def _sample(self) -> Sample:
        return Sample(self.k)

    def add(self, f: Facts, meta: Facts) -> None:
        flow = f.get("workflow") or {}
        if not flow.get("order"):
            return
        g = entry(self.groups, (repo_scope(f),), _Group)
        order = tuple(flow["order"])
        if f["outcome"] == Outcome.FAILURE.value:
            g.failed += 1
            g.failed_orders[order] += 1
        if f["outcome"] != Outcome.SUCCESS.value:
            return
        g.won += 1
        g.orders[order] += 1
        entry(g.samples, order, self._sample).add(meta, flow)
        for phase in PHASE_ORDER:
            entry(g.phases, phase, Counter[int])[flow["counts"].get(phase, 0)] += 1
        g.tests.update(tests_of(f))

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        groups = {str(s): (s, g) for (s,), g in regroup(self.groups, resolve).items()}
        return [le for _n, (s, g) in sorted(groups.items()) if (le := _lesson(s, g)) is not None]


def _separates(won_n: int, won: int, failed_n: int, failed: int) -> bool:
    """Whether resolved runs followed a skeleton clearly more often than failed ones: by MIN_SEPARATION
    of their shares, and significantly (one-sided Fisher exact test at ALPHA, as the warnings are
    tested). Two readers of real runs found every workflow bullet short of that generic or misleading
    (2 of 3 resolved runs against 0 of 5 failed: p = 0.11)."""
    if failed_n / failed > won_n / won - MIN_SEPARATION:
        return False
    return fisher_greater(won_n, won - won_n, failed_n, failed - failed_n) <= ALPHA


def _lesson(scope: Scope, g: _Group) -> Lesson | None:
    if g.won < 2:
        return None
    best, n = sorted(g.orders.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    if n < 2 or len(best) < 3:
        return None
    if g.failed and not _separates(n, g.won, g.failed_orders[best], g.failed):
        return None  # failed runs followed it about as often, or too few runs to tell
    cited = g.samples[best]
    medians = [(p, _median(g.phases.get(p, Counter()))) for p in PHASE_ORDER if p in best]
    body = render(
        "lesson_workflow",
        skeleton=" → ".join(best),
        n=n,
        total=g.won,
        failed_n=g.failed_orders[best],
        failed_total=g.failed,
        medians=medians,
        test_recipe=top(g.tests) if "test" in best else "",
    )
    where = scope.value if scope.kind is ScopeKind.REPOSITORY else str(scope)
    return Lesson(
        title=f"Workflow: {' → '.join(best)}",
        trigger=f"when planning a change in {where}",
        body=body,
        kind=LessonKind.WORKFLOW,
        level=Level.PLAN,
        scope=scope,
        evidence=evidence_of(cited, evidence),
        confidence=confidence(n, g.won),
        signature="workflow",
        runs=runs_if_sampled(n, cited),
    )
