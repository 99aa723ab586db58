"""What agents did: Trajectory and its Steps (with where each came from and who wrote it).

Readers (``skillforge.ingest``) turn every log format into :class:`Trajectory`; each tool call carries a
typed :mod:`~skillforge.model.actions` action decoded at ingest. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

from skillforge.model.actions import Action, action_from_dict, action_to_dict


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
    structured arguments as the log wrote them; ``action`` is what the call did, typed (see
    :mod:`skillforge.model.actions`): read that, never the agent's tool names or argument keys. A call and its result point at each other through ``pair`` (step index) and
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
    action: Action | None = None  # a tool call's typed action, decoded by the reader

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
        if self.action is not None:
            d["action"] = action_to_dict(self.action)
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
            action=action_from_dict(d["action"]) if "action" in d else None,
        )


GUESSED_SOURCES = frozenset({"tests", "llm-judge"})  # outcome sources that infer rather than record
FAILING_TESTS = "failing_tests"  # the metadata key of a SWE-bench report's failing tests (see failing_tests)
# formats whose native id is an agent session's own id (a uuid): one session read from two copies is one
# session. Not SWE-agent or mini-swe-agent (an instance id, shared by every run of that task), nor ATIF
# (``session_id`` is whatever the writer chose, "run-42" in the reference)
SESSION_FORMATS = frozenset({"claude-code", "codex", "gemini-cli", "copilot-cli", "opencode", "cursor"})


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
    _digest: str = field(default="", repr=False, compare=False)  # digest(), once computed

    @property
    def outcome_guessed(self) -> bool:
        """True when the outcome was inferred (the last test run, a judge), not labelled or stated by
        the log itself: tables and JSON mark such outcomes as guesses."""
        return self.outcome is not Outcome.UNKNOWN and (self.outcome_source or "") in GUESSED_SOURCES

    @property
    def labelled(self) -> bool:
        """True when ``--labels`` set the outcome (``outcome_source`` ``labels:<file>``)."""
        return (self.outcome_source or "").startswith("labels")

    @property
    def failing_tests(self) -> dict[str, list[str]]:
        """What a SWE-bench report passed with ``--labels`` says the run's patch left failing
        (``metadata["failing_tests"]``): ``{"not_fixed": [...], "broke": [...]}``, lists of test ids;
        empty when there is none or the metadata holds something of another shape."""
        found = self.metadata.get(FAILING_TESTS)
        if not isinstance(found, dict):
            return {}
        out = {
            kind: [t for t in found.get(kind) or [] if isinstance(t, str)]
            for kind in ("not_fixed", "broke")
            if isinstance(found.get(kind) or [], list)
        }
        return out if any(out.values()) else {}

    @property
    def session(self) -> str:
        """The agent session this run belongs to, for counting independent runs: a subagent's (or a
        forked thread's) is the session that started it, ``<format>:<parent id>``; a top-level session's
        is ``<format>:<its id>`` in :data:`SESSION_FORMATS`; replays of one recorded demonstration
        (``metadata["replay_of"]``) are one; any other run is its own (its ``id``)."""
        if self.parent_id:
            return f"{self.format}:{self.parent_id}"
        replay_of = self.metadata.get("replay_of")
        if replay_of:
            return f"{self.format}:replay:{replay_of}"
        if self.native_id and self.format in SESSION_FORMATS:
            return f"{self.format}:{self.native_id}"
        return self.id

    @property
    def known_outcome(self) -> Outcome:
        """The outcome when a label or the log itself states it; UNKNOWN when it is only a guess. What
        distill learns from: the last test run agrees with a benchmark's verdict about half the time
        (docs/formats), too weak to call a run resolved or to set failed runs against resolved ones."""
        return Outcome.UNKNOWN if self.outcome_guessed else self.outcome

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

    def digest(self) -> str:
        """A hash of the run as it was read: task, repository, outcome, metadata and every step (with its
        line in the log), but not where the log lies. ``id`` hashes the log's bytes, so a label given
        later or a newer reader that reads the same bytes differently keeps the id; caches of what was
        learnt from a run key on this too. Computed once, at the first call: distill asks before it
        redacts the run in place, so a run's key is the same before and after redaction."""
        if not self._digest:
            self._digest = self._content_hash()
        return self._digest

    def _content_hash(self) -> str:
        head = (self.format, self.agent, self.task, self.task_id, self.cwd, self.repository)
        h = hashlib.sha1(usedforsecurity=False)
        for part in (*head, self.outcome.value, self.outcome_source, self.metadata):
            h.update(repr(part).encode("utf-8", "surrogatepass"))
        for s in self.steps:
            h.update(s.text.encode("utf-8", "surrogatepass"))
            where = (s.source.line, s.source.record) if s.source is not None else None
            rest = (len(s.text), s.index, s.role, s.kind, s.tool_name, s.input, s.call_id, s.pair, s.is_error)
            h.update(repr((*rest, s.exit_code, s.trust, s.action, where)).encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:16]

    def to_dict(self, steps: bool = True) -> dict[str, Any]:
        """The JSON form; without ``steps`` (``steps=False``) for callers that write them one by one."""
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
        if steps:
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
