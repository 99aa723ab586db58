"""What distill learnt: Lesson, its Evidence pointing back into trajectories, and its Scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from skillforge.model.trajectory import Outcome, Trust, content_id


class LessonKind(StrEnum):
    SUCCESS_PATTERN = "success_pattern"
    FAILURE_TRIGGER = "failure_trigger"
    COMPARATIVE_INSIGHT = "comparative_insight"
    # produced by the offline miners
    ERROR_RECOVERY = "error_recovery"
    ENVIRONMENT_RECIPE = "environment_recipe"
    WARNING = "warning"
    ANTI_PATTERN = "anti_pattern"
    WORKFLOW = "workflow"


class Level(StrEnum):
    """SkillX's three tiers."""

    PLAN = "plan"
    FUNCTIONAL = "functional"
    ATOMIC = "atomic"


class ScopeKind(StrEnum):
    REPOSITORY = "repository"
    LANGUAGE = "language"
    TOOL = "tool"
    GENERAL = "general"


@dataclass(slots=True, frozen=True)
class Scope:
    kind: ScopeKind = ScopeKind.GENERAL
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}" if self.value else self.kind.value


@dataclass(slots=True)
class Evidence:
    """A pointer back into a trajectory: which steps support a lesson, with a short quote."""

    trajectory_id: str
    steps: list[int] = field(default_factory=list)
    quote: str = ""
    source: str | None = None  # file:line of the first cited step, for people
    outcome: Outcome = Outcome.UNKNOWN
    task: str = ""  # the trajectory's task text (shortened): route's past-task signal
    trust: Trust = Trust.AGENT  # the least trusted text this evidence relies on
    vouched: bool = False  # a run that read the cited steps found one written by the agent or a person
    session: str = ""  # the trajectory's session when it is not its own (gates.session_mark: a digest)

    @property
    def run(self) -> str:
        """What support counts: the trajectory's session (a subagent and the session that started it
        are one run, :attr:`Trajectory.session`), else the trajectory."""
        return self.session or self.trajectory_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "steps": list(self.steps),
            "quote": self.quote,
            "source": self.source,
            "outcome": self.outcome.value,
            "task": self.task,
            "trust": self.trust.value,
            **({"vouched": True} if self.vouched else {}),
            **({"session": self.session} if self.session else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        return cls(
            trajectory_id=str(d["trajectory_id"]),
            steps=[int(i) for i in d.get("steps", [])],
            quote=str(d.get("quote", "")),
            source=d.get("source"),
            outcome=Outcome(d.get("outcome", "unknown")),
            task=str(d.get("task", "")),
            trust=Trust(d.get("trust", "agent")),
            vouched=d.get("vouched") is True,
            session=str(d.get("session") or ""),
        )


@dataclass(slots=True)
class Lesson:
    """One thing learnt from one or more trajectories."""

    title: str
    trigger: str  # when to use it
    body: str  # the lesson itself, as imperative markdown
    kind: LessonKind
    level: Level = Level.FUNCTIONAL
    scope: Scope = field(default_factory=Scope)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.5
    signature: str = ""  # grouping key: lessons with the same signature and scope are the same lesson
    runs: int = 0  # supporting trajectories when ``evidence`` is only a sample of them (0: count evidence)

    @property
    def support(self) -> int:
        """How many distinct runs support this lesson (a subagent's trajectory counts with its session,
        :attr:`Evidence.run`)."""
        return self.runs or len({e.run for e in self.evidence})

    @property
    def key(self) -> str:
        return content_id(self.signature or self.title.lower(), str(self.scope))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "trigger": self.trigger,
            "body": self.body,
            "kind": self.kind.value,
            "level": self.level.value,
            "scope": {"kind": self.scope.kind.value, "value": self.scope.value},
            "evidence": [e.to_dict() for e in self.evidence],
            "confidence": self.confidence,
            "signature": self.signature,
            **({"runs": self.runs} if self.runs else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Lesson:
        scope = d.get("scope") or {}
        if isinstance(scope, str):
            kind, _, value = scope.partition(":")
            scope = {"kind": kind, "value": value}
        return cls(
            title=str(d["title"]),
            trigger=str(d.get("trigger", "")),
            body=str(d.get("body", "")),
            kind=LessonKind(d["kind"]),
            level=Level(d.get("level", "functional")),
            scope=Scope(ScopeKind(scope.get("kind", "general")), str(scope.get("value", ""))),
            evidence=[Evidence.from_dict(e) for e in d.get("evidence", [])],
            confidence=float(d.get("confidence", 0.5)),
            signature=str(d.get("signature", "")),
            runs=int(d.get("runs", 0)),
        )


def supporting_runs(lessons: Iterable[Lesson]) -> int:
    """Distinct trajectories behind these lessons: the agent runs a skill's texts count, subagents
    included, as its bullets' "seen in N runs" do (the support gate counts sessions, :attr:`Lesson.support`).
    Exact when every lesson lists all its evidence; when some evidence is a sample (``Lesson.runs``), the
    largest single lesson's true support bounds it."""
    group = list(lessons)
    ids = {e.trajectory_id for lesson in group for e in lesson.evidence}
    return max([len(ids), *(lesson.runs for lesson in group)])


def is_sampled(lessons: Iterable[Lesson]) -> bool:
    """True when some lesson's evidence is only a sample of its supporting trajectories."""
    return any(lesson.runs > len({e.trajectory_id for e in lesson.evidence}) for lesson in lessons)
