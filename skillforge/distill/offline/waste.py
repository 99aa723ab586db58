"""Waste miner: the same action failing the same way three or more times, and edit → test loops that
keep failing with the same signature. Lessons are anti-patterns that name what resolved runs in the
same repository used instead."""

from __future__ import annotations

from typing import Any

from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import EDIT, EXPLORE, REPRODUCE, TEST
from skillforge.distill.offline.evidence import Facts, cite, evidence, render, repo_scope, runs_phrase
from skillforge.distill.offline.recipes import dominant
from skillforge.model import Lesson, LessonKind, Level, Outcome, Trajectory

MIN_REPEATS = 3


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
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
        if a is not None and a.failed and a.sig and streak and _key(a) == _key(streak[0]) and a.sig == streak[0].sig:
            streak.append(a)
            continue
        if len(streak) >= MIN_REPEATS:
            first = streak[0]
            out.append(cite(traj, [s.call for s in streak], f"{first.cmd} → {first.sig_raw}", kind="repeat",
                            cmd=first.recipe or first.cmd[:100], cls=first.cls, sig=first.sig, count=len(streak)))
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
        out.append(cite(traj, [r.call for r in rounds], f"{first.cmd} → {first.sig_raw}", kind="loop",
                        cmd=first.recipe or first.cmd[:100], cls=first.cls, sig=sig, count=len(rounds)))


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    groups: dict[tuple[str, str, str, str], list[tuple[Facts, dict[str, Any]]]] = {}
    for f in all_facts:
        for it in f.get("waste", []):
            key = (str(repo_scope(f)), it["kind"], it["cls"], it["sig"])
            groups.setdefault(key, []).append((f, it))
    resolved = [f for f in all_facts if f["outcome"] == Outcome.SUCCESS.value]
    out: list[Lesson] = []
    for (scope, kind, cls, sig), pairs in sorted(groups.items()):
        pairs.sort(key=lambda p: (p[0]["id"], p[1]["steps"]))
        meta, first = pairs[0]
        alternative = dominant(resolved, scope, cls) if cls == TEST else ""
        if alternative and alternative == first["cmd"]:
            alternative = ""
        body = render("lesson_anti_pattern", kind=kind, cmd=first["cmd"], sig=sig,
                      max_count=max(it["count"] for _, it in pairs), runs=runs_phrase([f for f, _ in pairs]),
                      alternative=alternative)
        title = f"Repeated failing {cls}: {sig}" if kind == "repeat" else f"Edit-test loop stuck on: {sig}"
        out.append(Lesson(
            title=title, trigger=f"when a {cls} command fails again with: {sig}", body=body,
            kind=LessonKind.ANTI_PATTERN, level=Level.FUNCTIONAL, scope=repo_scope(meta),
            evidence=[evidence(f, it) for f, it in pairs], confidence=0.6, signature=f"waste:{kind}:{cls}:{sig}",
        ))
    return out
