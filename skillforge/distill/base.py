"""The contracts between distill's stages, so the offline miner and the LLM analysts are
interchangeable and both feed the same consolidation, writing and review path.

    trajectories ──prepare──▶ Mapper.map (per trajectory, parallel) ──▶ Mapper.reduce ──▶ lessons
    lessons ──gates (support, trust)──▶ Consolidator.consolidate(lessons, current skills) ──▶ edits
    edits ──write──▶ skills on a review branch + pull-request body

``Mapper.map`` must be a pure function of one trajectory (it may run in a thread, a process or a Ray
task) and return something small: the driver keeps only ``MapResult`` objects, never trajectories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from skillforge.model import Lesson, Skill, SkillChange, SkillEdit, Trajectory


@dataclass
class Usage:
    """Tokens and dollars spent by LLM calls (zero for the offline provider)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cost: float = 0.0

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cost += other.cost


@dataclass
class MapResult:
    """What one trajectory contributed. ``facts`` is mapper-specific and small (offline miners keep
    signatures and counts there); ``error`` is set when the item failed and the run went on;
    ``dropped`` counts what an LLM's answer held that did not check out (``lessons`` with no valid
    citation, ``quotes`` not in the cited steps)."""

    trajectory_id: str
    lessons: list[Lesson] = field(default_factory=list)
    facts: Any = None
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    dropped: dict[str, int] = field(default_factory=dict)


class Reducer(Protocol):
    """A streaming reduce: facts of one run at a time, the lessons at the end (any order, same result)."""

    def add(self, facts: Any) -> bool: ...

    def lessons(self) -> list[Lesson]: ...


class Mapper(Protocol):
    """The map stage: one trajectory -> facts (``map``, cached under ``cache_key``), then all facts ->
    lessons, streamed through ``reducer()`` when it gives one, else by ``reduce`` over every result."""

    name: str

    def cache_key(self, trajectory: Trajectory) -> str: ...

    def map(self, trajectory: Trajectory) -> MapResult: ...

    def reduce(self, results: Sequence[MapResult]) -> list[Lesson]: ...

    def reducer(self) -> Reducer | None: ...


class Consolidator(Protocol):
    def consolidate(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> list[SkillEdit]: ...


@dataclass
class DistillReport:
    """Everything a distill run did, for the CLI to render (table or --json)."""

    run_id: str = ""
    provider: str = "offline"
    model: str = ""
    trajectories: int = 0
    skipped_trajectories: int = 0  # already distilled (cache) or filtered
    lessons: int = 0
    lessons_kept: int = 0
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    redactions: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)  # LLM lessons and quotes that did not check out
    usage: Usage = field(default_factory=Usage)
    changes: list[SkillChange] = field(default_factory=list)
    branch: str | None = None
    commit: str | None = None
    pr_body_path: str | None = None
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    plan: dict[str, Any] = field(default_factory=dict)
    # what the run came to: committed, already_done, nothing_new, nothing_changed, not_committed (lessons
    # to write but none applied: the merge calls were refused or failed), dry_run, submitted
    status: str = "nothing_changed"
    next_steps: list[dict[str, str]] = field(
        default_factory=list
    )  # {"what", "command"}: review, merge, publish
    skipped_inputs: list[tuple[str, int, str]] = field(default_factory=list)  # (reason, files, first problem)
    skipped_input_lines: list[str] = field(default_factory=list)  # each skipped input (shown under -v)

    @property
    def partial(self) -> bool:
        """Some lesson was lost or some input skipped: exit 3, as ``ingest`` exits on the same inputs."""
        return bool(self.failures or self.skipped_inputs)
