"""The gates between mined lessons and skills, applied to every lesson of a run.

* **Support**: a lesson seen in fewer than ``min_support`` distinct runs stays out. Support is counted
  over the lesson's group: lessons with the same key by default, or the clusters of similar lessons an
  LLM run finds (each analyst words the same lesson differently). A subagent's trajectory and the
  session that started it are one run (``Evidence.run``, stamped by :func:`stamp_sessions`): a session
  that spawned eight subagents to run the same tests is one run's evidence, not eight.
* **Trust**: the policy of :func:`skillforge.safety.trust.assess`. A lesson whose text (or the
  evidence it would quote) fails the safety checks, or that copies instructions from tool output, is
  quarantined whatever its support; a lesson with enough support that rests only on untrusted text
  (tool output, injected meta text) is quarantined too. Quarantined lessons never reach ``skills/``:
  they are written for review under ``.skillforge/quarantine/<key>.json`` (redacted, see
  :mod:`skillforge.safety.quarantine`) and listed in the pull-request body.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from skillforge.model import Lesson, Trajectory, Trust, content_id
from skillforge.safety import quarantine
from skillforge.safety.provenance import copied_targets
from skillforge.safety.trust import DROP, KEEP, assess, is_error

__all__ = [
    "GateResult",
    "Grouping",
    "StepTrust",
    "TextCheck",
    "apply",
    "by_key",
    "copied_targets",
    "is_error",
    "note_session",
    "quarantine_files",
    "session_mark",
    "stamp_sessions",
    "summary",
]

TextCheck = Callable[[str], Sequence[Any]]
Grouping = Callable[[Sequence[Lesson]], list[list[Lesson]]]
StepTrust = Callable[[str, Sequence[int]], set[Trust] | None]  # (trajectory id, step indices) -> trusts


@dataclass
class GateResult:
    kept: list[Lesson] = field(default_factory=list)
    below_support: list[Lesson] = field(default_factory=list)
    quarantined: list[tuple[Lesson, str]] = field(default_factory=list)  # (lesson, reason)


def by_key(lessons: Sequence[Lesson]) -> list[list[Lesson]]:
    """The default grouping: lessons with the same signature and scope are the same lesson."""
    groups: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        groups.setdefault(lesson.key, []).append(lesson)
    return list(groups.values())


def apply(
    lessons: Sequence[Lesson],
    min_support: int,
    check_text: TextCheck | None = None,
    step_trust: StepTrust | None = None,
    grouping: Grouping | None = None,
    copied: Mapping[str, Collection[str]] | None = None,
) -> GateResult:
    """Split lessons into kept, below support and quarantined.

    ``step_trust`` (for miners that write lesson text only from the agent's own actions) lets a cited
    step written by the agent or a person make evidence trusted; without it each evidence's least
    trusted text decides."""
    result = GateResult()
    for group in (grouping or by_key)(lessons):
        support = len({e.run for lesson in group for e in lesson.evidence})  # sessions, not subagents
        support = max(support, *(lesson.runs for lesson in group))  # evidence may be a sample (Lesson.runs)
        for lesson in group:
            verdict = assess(
                lesson,
                min_support,
                check_text=check_text,
                step_trust=step_trust,
                support=support,
                copied=copied,
            )
            if verdict.action == KEEP:
                result.kept.append(lesson)
            elif verdict.action == DROP:
                result.below_support.append(lesson)
            else:
                result.quarantined.append((lesson, verdict.reason))
    return result


def session_mark(session: str) -> str:
    """What evidence keeps of a trajectory's session (:attr:`Trajectory.session`): a digest, the same in
    every run. Not the agent's own id: ``pending.json`` is redacted, and an OpenCode id
    (``ses_65e3d0aa1ffeZ9xCvB3nMk1q``) reads as a high-entropy token there, so every OpenCode session
    would be written as the same ``<redacted:…>`` and count once; nor does a committed file need it."""
    return content_id("session", session)


def note_session(
    sessions: dict[str, str], seen: dict[tuple[str, str], tuple[str, str]], traj: Trajectory
) -> None:
    """Record ``traj``'s session mark in ``sessions`` (trajectory id -> mark) when it is not its own.
    A subagent takes the session of the trajectory it names when that was read before it (``seen``:
    (format, native id or id) -> (id, session), filled here): an ATIF document is its own session
    (:attr:`Trajectory.session`) but its subagents name it by its ``session_id``, so the two counted
    as two runs; the document is then marked too."""
    session = traj.session
    parent = seen.get((traj.format, traj.parent_id)) if traj.parent_id else None
    if parent is not None:
        parent_id, session = parent
        if session == parent_id:
            sessions[parent_id] = session_mark(session)
    seen[(traj.format, traj.native_id or traj.id)] = (traj.id, session)
    if session != traj.id:
        sessions[traj.id] = session_mark(session)


def stamp_sessions(lessons: Sequence[Lesson], sessions: Mapping[str, str]) -> None:
    """Mark each evidence with the session of its trajectory (``sessions``: trajectory id -> session,
    for those that are not their own), in place; evidence already marked (a lesson waiting from an
    earlier run) keeps its mark."""
    for lesson in lessons:
        for ev in lesson.evidence:
            if not ev.session:
                ev.session = sessions.get(ev.trajectory_id, "")


def quarantine_files(quarantined: Sequence[tuple[Lesson, str]], run_id: str) -> dict[str, str]:
    """``.skillforge/quarantine/<key>.json`` for each quarantined lesson (for ``extra_files``)."""
    return quarantine.files(quarantined, run_id)


def summary(quarantined: Sequence[tuple[Lesson, str]]) -> list[dict[str, Any]]:
    """One small redacted record per quarantined lesson, for the report and the pull-request body."""
    return quarantine.summary(quarantined)
