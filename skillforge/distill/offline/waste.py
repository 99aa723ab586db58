"""Waste miner: the same action failing the same way three or more times, and edit → test loops that
keep failing with the same signature. Lessons are anti-patterns that name what resolved runs in the
same repository used instead."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Runs,
    Sample,
    entry,
    evidence_of,
    regroup,
    runs_if_sampled,
    top,
)
from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import EDIT, EXPLORE, REPRODUCE, TEST
from skillforge.distill.offline.evidence import Facts, cite, evidence, render, repo_scope
from skillforge.distill.offline.recipes import tests_of
from skillforge.distill.offline.signature import shorten
from skillforge.model import Lesson, LessonKind, Level, Outcome, Scope, Trajectory

MIN_REPEATS = 3


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    acts = [a for a in acts if not a.scratch]  # a scratch project's loop says nothing about the repository
    out = _repeats(traj, acts) + _loops(traj, acts)
    return sorted(out, key=lambda it: (it["kind"], it["sig"], it["steps"]))[:10]


def _repeats(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """Runs of the same failing command (same text or recipe, same signature), explore steps between
    them ignored."""
    out: list[dict[str, Any]] = []
    streak: list[Act] = []
    for a in [*acts, None]:
        if a is not None and a.cls == EXPLORE and streak:
            continue
        if (
            a is not None
            and a.failed
            and a.sig
            and streak
            and _key(a) == _key(streak[0])
            and a.sig == streak[0].sig
        ):
            streak.append(a)
            continue
        if len(streak) >= MIN_REPEATS:
            first = streak[0]
            out.append(
                cite(
                    traj,
                    [s.call for s in streak],
                    f"{first.cmd} → {first.sig_raw}",
                    kind="repeat",
                    cmd=first.recipe or shorten(first.cmd, 100),
                    cls=first.cls,
                    sig=first.sig,
                    count=len(streak),
                )
            )
        streak = [a] if a is not None and a.failed and a.sig else []
    return out


def _key(a: Act) -> str:
    return a.recipe or a.cmd


def _loops(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """Edit → run cycles whose run keeps failing with one signature."""
    out: list[dict[str, Any]] = []
    sig, rounds, edited = "", [], False
    for a in acts:
        if a.cls == EDIT:
            edited = True
            continue
        if a.cls not in (TEST, REPRODUCE):
            continue
        if a.failed and a.sig and a.sig == sig and edited:
            rounds.append(a)
        elif a.failed and a.sig:
            _flush(traj, out, sig, rounds)
            sig, rounds = a.sig, [a]
        else:
            _flush(traj, out, sig, rounds)
            sig, rounds = "", []
        edited = False
    _flush(traj, out, sig, rounds)
    return out


def _flush(traj: Trajectory, out: list[dict[str, Any]], sig: str, rounds: list[Act]) -> None:
    if len(rounds) >= MIN_REPEATS:
        first = rounds[0]
        out.append(
            cite(
                traj,
                [r.call for r in rounds],
                f"{first.cmd} → {first.sig_raw}",
                kind="loop",
                cmd=first.recipe or shorten(first.cmd, 100),
                cls=first.cls,
                sig=sig,
                count=len(rounds),
            )
        )


@dataclass
class _Group:
    runs: Runs = field(default_factory=Runs)
    sample: Sample = field(default_factory=Sample)
    counts: Counter[int] = field(default_factory=Counter)  # how many repeats each item had


@dataclass
class Acc:
    """Streaming reduce: per (scope, kind, class, signature), plus the resolved runs' test recipes."""

    k: int = K
    groups: dict[tuple[Scope, str, str, str], _Group] = field(default_factory=dict)
    tests: dict[tuple[Scope], Counter[str]] = field(default_factory=dict)

    def _group(self) -> _Group:
        return _Group(sample=Sample(self.k))

    def add(self, f: Facts, meta: Facts) -> None:
        scope, seen = repo_scope(f), set()
        if f["outcome"] == Outcome.SUCCESS.value:
            entry(self.tests, (scope,), Counter[str]).update(tests_of(f))
        for it in f.get("waste", []):
            key = (scope, it["kind"], it["cls"], it["sig"])
            g = entry(self.groups, key, self._group)
            if key not in seen:
                seen.add(key)
                g.runs.add(f["outcome"])
            g.sample.add(meta, it)
            g.counts[it["count"]] += 1

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        tests = {str(k[0]): c for k, c in regroup(self.tests, resolve).items()}
        groups = {(str(s), *rest): (s, g) for (s, *rest), g in regroup(self.groups, resolve).items()}
        out: list[Lesson] = []
        for (scope_name, kind, cls, sig), (scope, g) in sorted(groups.items()):
            if g.runs.known == g.runs.n and g.runs.wins == g.runs.n:
                continue  # only resolved runs looped like this: persisting worked there, no warning
            first = g.sample.first()[1]
            alternative = top(tests.get(scope_name, Counter())) if cls == TEST else ""
            if alternative and alternative == first["cmd"]:
                alternative = ""
            body = render(
                "lesson_anti_pattern",
                kind=kind,
                cmd=first["cmd"],
                sig=sig,
                max_count=max(g.counts),
                runs=g.runs.phrase(),
                alternative=alternative,
            )
            title = (
                f"Repeated failing {cls}: {sig}" if kind == "repeat" else f"Edit-test loop stuck on: {sig}"
            )
            out.append(
                Lesson(
                    title=title,
                    trigger=f"when a {cls} command fails again with: {sig}",
                    body=body,
                    kind=LessonKind.ANTI_PATTERN,
                    level=Level.FUNCTIONAL,
                    scope=scope,
                    evidence=evidence_of(g.sample, evidence),
                    confidence=0.6,
                    signature=f"waste:{kind}:{cls}:{sig}",
                    runs=runs_if_sampled(g.runs.n, g.sample),
                )
            )
        return out
