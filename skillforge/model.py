"""The nouns of skillforge, in one place: Trajectory and Step (what agents did), Lesson and Evidence
(what we learnt from it), Skill and SkillEdit (what we write).

Readers (``skillforge.ingest``) turn every log format into :class:`Trajectory`; distill turns
trajectories into :class:`Lesson` objects and lessons into :class:`SkillEdit` objects applied to
:class:`Skill` documents. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

# ---------------------------------------------------------------------------------------------------
# Trajectories


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    SYSTEM = "system"


class StepKind(StrEnum):
    USER_MESSAGE = "user_message"
    ASSISTANT_MESSAGE = "assistant_message"
    THOUGHT = "thought"
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"


class Trust(StrEnum):
    """Who wrote a step's text. Only PERSON and AGENT text may support a lesson on its own."""

    PERSON = "person"  # typed by a user
    AGENT = "agent"  # the model's own messages, thoughts and actions
    TOOL_OUTPUT = "tool_output"  # files, web pages, command output: untrusted
    INJECTED = "injected"  # meta text: system prompts, CLAUDE.md, reminders, skill bodies, summaries


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


# Steps and their locations are msgspec Structs, not dataclasses: a GB of logs yields about 600,000 steps
# and Struct construction runs in C (the dataclass __init__ was a seventh of a reader's per-step work).
# ``gc=False``: they never take part in reference cycles (a step refers to strings, plain JSON values and
# its location), so the cyclic collector need not track every step of a large ingest.


class SourceLocation(msgspec.Struct, gc=False):
    """Where a step came from: a file and a 1-based line (JSONL) or a record path (JSON)."""

    file: str
    line: int | None = None
    record: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.record is not None:
            return f"{self.file}#{self.record}"
        return self.file


class Step(msgspec.Struct, gc=False):
    """One event of a trajectory.

    ``text`` holds the content for every kind: a message, a thought, the readable form of a tool call
    (for shell tools, the command itself) or a tool result's output. ``input`` keeps a tool call's
    structured arguments. A call and its result point at each other through ``pair`` (step index) and
    share ``call_id``.
    """

    index: int
    role: Role
    kind: StepKind
    text: str = ""
    tool_name: str | None = None
    input: Any = None
    call_id: str | None = None
    pair: int | None = None
    is_error: bool = False
    exit_code: int | None = None
    timestamp: str | None = None
    source: SourceLocation | None = None
    trust: Trust = Trust.AGENT

    @property
    def output(self) -> str | None:
        """A tool result's output (None for other kinds)."""
        return self.text if self.kind is StepKind.TOOL_RESULT else None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, "role": self.role.value, "kind": self.kind.value}
        if self.text:
            d["text"] = self.text
        for key in ("tool_name", "input", "call_id", "pair", "exit_code", "timestamp"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.is_error:
            d["is_error"] = True
        if self.source is not None:
            d["source"] = {k: v for k, v in msgspec.structs.asdict(self.source).items() if v is not None}
        d["trust"] = self.trust.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        src = d.get("source")
        return cls(
            index=int(d["index"]),
            role=Role(d["role"]),
            kind=StepKind(d["kind"]),
            text=d.get("text", ""),
            tool_name=d.get("tool_name"),
            input=d.get("input"),
            call_id=d.get("call_id"),
            pair=d.get("pair"),
            is_error=bool(d.get("is_error", False)),
            exit_code=d.get("exit_code"),
            timestamp=d.get("timestamp"),
            source=SourceLocation(**src) if isinstance(src, dict) else None,
            trust=Trust(d.get("trust", Trust.AGENT.value)),
        )


GUESSED_SOURCES = frozenset({"tests", "llm-judge"})  # outcome sources that infer rather than record


@dataclass(slots=True)
class Trajectory:
    """One agent run on one task, normalised from any log format.

    ``id`` is a content hash (stable across machines and file moves); ``native_id`` is the log's own
    identifier (session uuid, SWE-bench instance id, …) which label files refer to.
    """

    id: str
    source: str
    format: str
    agent: str
    steps: list[Step] = field(default_factory=list)
    native_id: str | None = None
    agent_version: str | None = None
    model: str | None = None
    task: str = ""
    task_id: str | None = None
    cwd: str | None = None
    repository: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    outcome: Outcome = Outcome.UNKNOWN
    outcome_source: str | None = None  # "log:<field>", "labels:<file>", "tests", "llm-judge", …
    parent_id: str | None = None  # native id of the parent session, for subagents
    skills_used: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome_guessed(self) -> bool:
        """True when the outcome was inferred (the last test run, a judge), not labelled or stated by
        the log itself: tables and JSON mark such outcomes as guesses."""
        return self.outcome is not Outcome.UNKNOWN and (self.outcome_source or "") in GUESSED_SOURCES

    @property
    def tool_calls(self) -> list[Step]:
        return [s for s in self.steps if s.kind is StepKind.TOOL_CALL]

    @property
    def errors(self) -> list[Step]:
        return [s for s in self.steps if s.is_error]

    def step(self, index: int) -> Step | None:
        if 0 <= index < len(self.steps) and self.steps[index].index == index:
            return self.steps[index]
        return next((s for s in self.steps if s.index == index), None)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for key in (
            "id",
            "source",
            "format",
            "agent",
            "native_id",
            "agent_version",
            "model",
            "task",
            "task_id",
            "cwd",
            "repository",
            "started_at",
            "ended_at",
            "outcome_source",
            "parent_id",
        ):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        d["outcome"] = self.outcome.value
        d["outcome_guessed"] = self.outcome_guessed
        if self.skills_used:
            d["skills_used"] = list(self.skills_used)
        if self.metadata:
            d["metadata"] = self.metadata
        d["steps"] = [s.to_dict() for s in self.steps]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trajectory:
        return cls(
            id=d["id"],
            source=d.get("source", ""),
            format=d.get("format", ""),
            agent=d.get("agent", ""),
            steps=[Step.from_dict(s) for s in d.get("steps", [])],
            native_id=d.get("native_id"),
            agent_version=d.get("agent_version"),
            model=d.get("model"),
            task=d.get("task", ""),
            task_id=d.get("task_id"),
            cwd=d.get("cwd"),
            repository=d.get("repository"),
            started_at=d.get("started_at"),
            ended_at=d.get("ended_at"),
            outcome=Outcome(d.get("outcome", "unknown")),
            outcome_source=d.get("outcome_source"),
            parent_id=d.get("parent_id"),
            skills_used=list(d.get("skills_used", [])),
            metadata=dict(d.get("metadata", {})),
        )


def content_id(*parts: bytes | str) -> str:
    """A short, stable content hash used as an id (lessons, cache keys): 16 hex digits of SHA-1.
    Trajectory ids, which hash every byte of every log, use the faster ``skillforge.ingest.base.log_id``."""
    h = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------------
# Lessons


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
        """How many distinct trajectories support this lesson."""
        return self.runs or len({e.trajectory_id for e in self.evidence})

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
    """Distinct trajectories behind these lessons. Exact when every lesson lists all its evidence; when
    some evidence is a sample (``Lesson.runs``), the largest single lesson's true support bounds it."""
    group = list(lessons)
    ids = {e.trajectory_id for lesson in group for e in lesson.evidence}
    return max([len(ids), *(lesson.support for lesson in group)])


def is_sampled(lessons: Iterable[Lesson]) -> bool:
    """True when some lesson's evidence is only a sample of its supporting trajectories."""
    return any(lesson.runs > len({e.trajectory_id for e in lesson.evidence}) for lesson in lessons)


# ---------------------------------------------------------------------------------------------------
# Skills

SPEC_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")


@dataclass(slots=True)
class Skill:
    """An Agent Skill: ``skills/<name>/SKILL.md`` plus its folder's other files.

    ``metadata`` is the spec's string → string map; skillforge's bookkeeping lives there under
    ``skillforge-`` keys (see ``skillforge.skills.document``). ``extra`` keeps any other front-matter key
    found on disk so that reading and writing round-trip (validate reports such keys).
    """

    name: str
    description: str
    body: str = ""
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # the skill's folder, when it was read from disk
    files: dict[str, str] = field(default_factory=dict)  # other files to write: relative path -> text

    def meta(self, key: str, default: str = "") -> str:
        return self.metadata.get(f"skillforge-{key}", default)

    def set_meta(self, key: str, value: str | int | float) -> None:
        self.metadata[f"skillforge-{key}"] = str(value)

    @property
    def locked(self) -> bool:
        return self.meta("locked").lower() == "true"


class EditOp(StrEnum):
    ADD_SKILL = "add_skill"  # create a new skill (skill carries the full document)
    APPEND_SECTION = "append_section"  # add ``content`` under heading ``section`` (create it if missing)
    REPLACE_SECTION = "replace_section"  # replace the body of heading ``section``
    DELETE_SECTION = "delete_section"
    ADD_REFERENCE = "add_reference"  # write ``path`` (under references/) and link it from the body
    UPDATE_DESCRIPTION = "update_description"
    REMOVE_SKILL = "remove_skill"


@dataclass(slots=True)
class SkillEdit:
    """One targeted change to one skill, produced by consolidation and applied by the writer."""

    op: EditOp
    skill: str  # skill name
    reason: str  # one line, for the pull-request body
    section: str | None = None
    content: str = ""
    path: str | None = None
    new_skill: Skill | None = None
    lessons: list[Lesson] = field(default_factory=list)  # the evidence behind the edit

    @property
    def evidence_count(self) -> int:
        return supporting_runs(self.lessons)


@dataclass(slots=True)
class SkillChange:
    """One skill's change in a run, as the store commits it and the pull-request body lists it."""

    name: str
    action: str  # "added" | "updated" | "removed"
    reason: str  # one line
    evidence_count: int = 0
    skill: Skill | None = None  # the full document after the change (None when removed)
