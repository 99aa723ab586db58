"""One distill run's state, shared by its stages: the ids and map results kept (never whole
trajectories), each trajectory's step trust codes for the trust gate, the stop flag, and progress
bars and usage notes on the run's report."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skillforge.console import NullProgress
from skillforge.distill import gates
from skillforge.distill.base import DistillReport, MapResult, Reducer
from skillforge.model import Trajectory, Trust

Progress = Callable[[str, int | None], contextlib.AbstractContextManager[Any]]


@dataclass
class Run:
    """Per-run state shared by the stages (small: ids and map results, no trajectories; with a
    streaming ``reducer``, ``results`` keeps only the successful ids, for the distilled-runs record)."""

    report: DistillReport
    distilled: dict[str, str]
    allow_dirty: bool = False
    input_ids: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # the logs given: evidence names files relative to them
    labelled: dict[str, str] = field(default_factory=dict)  # id -> runid.label_of, for runs --labels set
    repositories: dict[str, str] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    results: list[MapResult | Folded] = field(default_factory=list)
    step_trust: dict[str, str] = field(default_factory=dict)  # trajectory id -> one trust code per step
    copied: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> URLs/hosts copied (provenance)
    sessions: dict[str, str] = field(default_factory=dict)  # id -> gates.session_mark, when not its own
    stop: threading.Event = field(default_factory=threading.Event)
    reducer: Reducer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, result: MapResult) -> None:
        """Record one map result: fold it into the reducer when there is one, else keep it."""
        with self.lock:  # cached results arrive from the thread that feeds the executor
            self.report.dropped.update(result.dropped)
            if self.reducer is None:
                self.results.append(result)
            elif result.error is None:
                self.reducer.add(result.facts)
                self.results.append(Folded(result.trajectory_id))


@dataclass(slots=True)
class Folded:
    """What the commit stage reads of a result whose facts went into the streaming reducer."""

    trajectory_id: str
    error: None = None


_TRUST_CODES = {t: t.value[0] for t in Trust}

_CODE_TRUST = {code: t for t, code in _TRUST_CODES.items()}


def trust_codes(traj: Trajectory) -> str:
    """Each step's trust as one character (index = step index), kept instead of the trajectory."""
    codes = ["a"] * (max((s.index for s in traj.steps), default=-1) + 1)
    for step in traj.steps:
        codes[step.index] = _TRUST_CODES[step.trust]
    return "".join(codes)


def step_trust_of(run: Run) -> gates.StepTrust | None:
    """How the trust gate reads evidence. The offline miner writes lesson text only from the agent's
    own commands and normalised error lines, so its evidence counts as trusted when a cited step was
    written by the agent or a person. An LLM may copy any text it was shown into a lesson, so for LLM
    lessons the evidence's least trusted text decides (None: the gate uses ``Evidence.trust``)."""
    if run.report.provider != "offline":
        return None

    def lookup(trajectory_id: str, steps: Sequence[int]) -> set[Trust] | None:
        codes = run.step_trust.get(trajectory_id)
        if codes is None:
            return None
        found = {_CODE_TRUST[codes[i]] for i in steps if 0 <= i < len(codes)}
        return found or None

    return lookup


def progress_bar(
    progress: Progress | None, label: str, total: int | None
) -> contextlib.AbstractContextManager[Any]:
    if progress is None:
        return contextlib.nullcontext(NullProgress())
    return progress(label, total)


STOPPED_EARLY = "stopped early"


def note_budget_stop(report: DistillReport, budget: Any, not_compared: int = 0) -> None:
    """Say once that the budget stopped the run (in any stage) and what it left undone: the
    comparative calls it refused are a failure (the run is partial); the merge calls it refused are
    reported as lessons not applied."""
    if budget is None or not budget.stopped:
        return
    if not_compared:
        report.failures.append(
            f"comparative analysis of {not_compared} groups of runs not done: budget: {budget.stopped}"
        )
    if not any(n.startswith(STOPPED_EARLY) for n in report.notes):
        report.notes.append(
            f"{STOPPED_EARLY}: the budget was reached ({budget.stopped}); finished calls are kept and cached"
        )


def note_dropped(report: DistillReport) -> None:
    """Say what the model's answers held that did not check out, so that "0 lessons found" after paid
    calls is not read as "the model found nothing"."""
    lessons, quotes = report.dropped["lessons"], report.dropped["quotes"]
    if lessons:
        report.notes.append(
            f"{lessons} lessons the model gave were dropped: none of their citations is a step of the "
            "log they name"
        )
    if report.dropped["secrets"]:
        report.notes.append(
            f"{report.dropped['secrets']} lessons the model gave were dropped: their text held a secret "
            "(never cached, sent again or written)"
        )
    if quotes:
        report.notes.append(
            f"{quotes} quotes the model gave were dropped: not in the steps they cite (their lessons "
            "are kept, with half the confidence)"
        )


def note_usage(report: DistillReport, budget: Any) -> None:
    """LLM usage so far: the total and, in ``report.plan["usage_by_stage"]``, per stage."""
    if budget is not None:
        report.usage = budget.total
        report.plan["usage_by_stage"] = {k: vars(v) for k, v in budget.usage.items()}
