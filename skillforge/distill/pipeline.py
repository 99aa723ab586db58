"""``distill(paths, settings, options)``: the whole distill run, from logs to a review branch.

    ingest ─▶ prepare (redact, skip already distilled) ─▶ map (parallel, cached) ─▶ reduce
      ─▶ gates (support, trust) ─▶ consolidate ─▶ write (targeted patches) ─▶ validate ─▶ commit_run

The driver never holds whole trajectories; a mapper with a streaming ``reducer()`` (the offline miner)
gets each result's facts as it arrives, which are then dropped, else the small :class:`MapResult`
objects are kept for ``mapper.reduce``. Nothing is written to the library before the final
``commit_run``; map results are cached per trajectory (atomically), so an interrupted or budget-stopped
run resumes where it stopped. Returns a :class:`DistillReport` for the CLI.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from skillforge.config import Settings
from skillforge.console import NullProgress
from skillforge.distill import commit, dryrun, gates, runid, runs
from skillforge.distill import inputs as inputs_mod
from skillforge.distill.base import DistillReport, MapResult
from skillforge.distill.cache import MapCache
from skillforge.distill.write import apply_edits
from skillforge.errors import LibraryError
from skillforge.model import Trajectory, Trust
from skillforge.safety.trust import trusted

OFFLINE_NOTE = "no LLM provider configured: using the offline miner"
Progress = Callable[[str, int | None], contextlib.AbstractContextManager[Any]]


@dataclass
class DistillOptions:
    labels: list[str] = field(default_factory=list)
    from_agents: list[str] = field(default_factory=list)
    fmt: str | None = None
    init: bool = False
    dry_run: bool = False
    allow_dirty: bool = False
    progress: Progress | None = None  # the CLI passes console.progress
    executor: str = "local"  # where the map stage runs: local (threads) or ray
    ray_address: str | None = None  # None: start a local Ray instance
    batch: bool = False  # submit the analysis calls through the provider's batch API
    resume: bool = False  # collect finished batches and finish the run


@dataclass
class _Run:
    """Per-run state shared by the stages (small: ids and map results, no trajectories; with a
    streaming ``reducer``, ``results`` keeps only the successful ids, for the distilled-runs record)."""

    report: DistillReport
    distilled: dict[str, str]
    allow_dirty: bool = False
    input_ids: list[str] = field(default_factory=list)
    repositories: dict[str, str] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    results: list[MapResult | _Folded] = field(default_factory=list)
    step_trust: dict[str, str] = field(default_factory=dict)  # trajectory id -> one trust code per step
    copied: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> URLs/hosts copied (provenance)
    stop: threading.Event = field(default_factory=threading.Event)
    reducer: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, result: MapResult) -> None:
        """Record one map result: fold it into the reducer when there is one, else keep it."""
        with self.lock:  # cached results arrive from the thread that feeds the executor
            if self.reducer is None:
                self.results.append(result)
            elif result.error is None:
                self.reducer.add(result.facts)
                self.results.append(_Folded(result.trajectory_id))


@dataclass(slots=True)
class _Folded:
    """What the commit stage reads of a result whose facts went into the streaming reducer."""

    trajectory_id: str
    error: None = None


def distill(paths: Sequence[str], settings: Settings, options: DistillOptions | None = None) -> DistillReport:
    """The whole run. A library that ``--init`` creates is removed again when the run fails."""
    from skillforge.ingest import input_paths

    options = options or DistillOptions()
    inputs = input_paths(paths, options.from_agents)
    inputs_mod.check_inputs(inputs)  # before anything is created
    created = inputs_mod.created_by_init(settings, options)
    inputs_mod.check_library_links(settings)
    try:
        report = _distill(inputs, settings, options)
    except BaseException:
        inputs_mod.remove_created(created)
        raise
    if report.status == "no_input":
        inputs_mod.remove_created(created)
    return report


def _distill(inputs: list[str], settings: Settings, options: DistillOptions) -> DistillReport:
    from skillforge.ingest import IngestReport, read
    from skillforge.ingest.labels import load_labels
    from skillforge.providers import resolve

    report = DistillReport(
        dry_run=options.dry_run, status="dry_run" if options.dry_run else "nothing_changed"
    )
    provider = resolve(settings)
    budget, mapper, consolidator = _engine(settings, provider, report)
    if isinstance(getattr(mapper, "roots", None), list):
        mapper.roots = [str(p) for p in inputs]  # offline evidence paths: relative to these inputs
    lib = _existing_library(settings) if options.dry_run else _library(settings, options)
    record = commit.read_file(lib, runs.DISTILLED_FILE) if lib is not None else None
    run = _Run(report, runs.parse(record), options.allow_dirty)
    if runs.other_ids(record):
        report.notes.append(
            f"{runs.DISTILLED_FILE} was written by an older skillforge, whose trajectory ids "
            "differ: the runs it lists are not recognised and are distilled again this once "
            "(with an LLM, see the cost first with --dry-run)"
        )
    labels, label_source = load_labels(options.labels)
    ingest = IngestReport()
    stream = read(
        inputs, ingest, fmt=options.fmt, labels=labels, labels_source=label_source, exclude=options.labels
    )
    if options.dry_run:
        return dryrun.dry_run(report, _prepare(run, stream), settings, provider, mapper, options.batch)
    if options.batch or options.resume:
        mapper = _batch_mode(run, stream, mapper, budget, lib, options)
        if mapper is None:  # batches submitted or still running: the report says which
            report.status = "submitted"
            inputs_mod.ingest_notes(report, ingest)
            return report
    if (
        provider is not None
        and lib is not None
        and runid.done_before_map(run, lib, settings, inputs, options, (mapper, consolidator))
    ):
        return report  # a re-run of LLM calls already paid for (another path or cache): nothing is called
    run.reducer = mapper.reducer() if callable(getattr(mapper, "reducer", None)) else None
    _map_all(run, _prepare(run, stream, _Cached(run, mapper, MapCache())), mapper, settings, options)
    inputs_mod.ingest_notes(report, ingest)
    _usage(report, budget)
    if not run.input_ids:
        inputs_mod.nothing_to_do(report, inputs)
        return report
    if lib is None:  # --init: the library is made only now that the run has something to write
        lib = _library(settings, options, now=True)
    return _finish(run, lib, settings, (mapper, consolidator, budget), options.progress)


def _usage(report: DistillReport, budget: Any) -> None:
    """LLM usage so far: the total and, in ``report.plan["usage_by_stage"]``, per stage."""
    if budget is not None:
        report.usage = budget.total
        report.plan["usage_by_stage"] = {k: vars(v) for k, v in budget.usage.items()}


# --------------------------------------------------------------------------------------------- setup


def _engine(settings: Settings, provider: Any, report: DistillReport) -> tuple[Any, Any, Any]:
    """(budget, mapper, consolidator): the offline miner when no provider is configured."""
    if provider is None:
        from skillforge.distill.offline import OfflineConsolidator, OfflineMapper

        report.provider = "offline"
        report.notes.append(OFFLINE_NOTE)
        miner = OfflineMapper()
        return None, miner, OfflineConsolidator(str(settings.templates or ""), miner.read)
    from skillforge.distill.cost import Budget
    from skillforge.distill.llm import build

    budget = Budget(settings.max_cost, settings.max_tokens)
    mapper, consolidator = build(settings, provider, budget)
    report.provider = str(getattr(provider, "name", "llm"))
    report.model = str(getattr(provider, "model", "") or settings.model)
    return budget, mapper, consolidator


def _author(settings: Settings) -> tuple[str, str]:
    return settings.author_name, settings.author_email


def _existing_library(settings: Settings) -> Any:
    """The library when it exists (a dry run creates nothing), else None."""
    from skillforge.skills.store import Library

    try:
        return Library.open(Path(settings.library).expanduser(), _author(settings), settings.templates)
    except LibraryError:
        return None


def _library(settings: Settings, options: DistillOptions, now: bool = False) -> Any:
    """The library to write to. With ``--init`` a library that does not exist yet is created only when
    the run has trajectories to distill (``now``; batch runs need it at once): a run that fails on its
    inputs leaves no library behind and never touches a folder that was there before."""
    from skillforge.skills.store import Library

    path = Path(settings.library).expanduser()
    if not options.init:
        return Library.open(path, _author(settings), settings.templates)
    if now or options.batch or options.resume:
        return Library.init(path, _author(settings), settings.base_branch, settings.templates)
    return _existing_library(settings)


# ------------------------------------------------------------------------------------- prepare & map


def _prepare(run: _Run, stream: Iterator[Trajectory], cached: _Cached | None = None) -> Iterator[Trajectory]:
    """Drop trajectories already distilled into this library, take cached map results as they are
    (their text is never used again), redact the rest before anything reads them; stop on budget."""
    from skillforge.safety.redact import redact_trajectory, scrub

    for traj in stream:
        if run.stop.is_set():
            return
        run.report.trajectories += 1
        if traj.id in run.distilled:
            run.report.skipped_trajectories += 1
            continue
        run.input_ids.append(traj.id)
        run.formats[traj.format] = run.formats.get(traj.format, 0) + 1
        if traj.repository:  # goes into provenance.json: never a credential from a remote URL
            run.repositories[traj.id] = scrub(traj.repository)[0]
        run.step_trust[traj.id] = _trust_codes(traj)
        run.copied[traj.id] = gates.copied_targets(traj)
        if cached is not None and cached.take(traj):
            continue
        counts = dict(redact_trajectory(traj))
        run.report.redactions.update(counts)
        if cached is not None:
            cached.cache.put_redactions(traj.id, counts)
        yield traj


@dataclass
class _Cached:
    """Map results already in the cache, taken before redaction and before the executor."""

    run: _Run
    mapper: Any
    cache: MapCache

    def take(self, traj: Trajectory) -> bool:
        counts = self.cache.redactions(traj.id)
        hit = self.cache.get(str(self.mapper.cache_key(traj))) if counts is not None else None
        if hit is None or counts is None:
            return False
        self.run.report.redactions.update(counts)
        self.run.keep(hit)
        return True


_TRUST_CODES = {t: t.value[0] for t in Trust}
_CODE_TRUST = {code: t for t, code in _TRUST_CODES.items()}


def _trust_codes(traj: Trajectory) -> str:
    """Each step's trust as one character (index = step index), kept instead of the trajectory."""
    codes = ["a"] * (max((s.index for s in traj.steps), default=-1) + 1)
    for step in traj.steps:
        codes[step.index] = _TRUST_CODES[step.trust]
    return "".join(codes)


def _step_trust(run: _Run) -> gates.StepTrust | None:
    """How the trust gate reads evidence: offline lessons (written only from the agent's commands and
    error lines) are trusted when a cited step is the agent's or a person's; for LLM lessons the least
    trusted text decides (None: the gate uses ``Evidence.trust``)."""
    if run.report.provider != "offline":
        return None

    def lookup(trajectory_id: str, steps: Sequence[int]) -> set[Trust] | None:
        codes = run.step_trust.get(trajectory_id)
        if codes is None:
            return None
        found = {_CODE_TRUST[codes[i]] for i in steps if 0 <= i < len(codes)}
        return found or None

    return lookup


def _map_all(
    run: _Run, items: Iterator[Trajectory], mapper: Any, settings: Settings, options: DistillOptions
) -> None:
    from skillforge.distill.executors import MapTask, create

    executor = create(options.executor, max(1, int(settings.workers)), options.ray_address)
    task = MapTask(mapper, MapCache(), run.stop)
    with _bar(options.progress, "mapping trajectories", None) as bar:
        for result in executor.map(task, items):
            run.keep(result)
            if result.error is not None:
                run.report.failures.append(f"{result.trajectory_id}: {result.error}")
            bar.advance()
    if run.stop.is_set():
        run.report.notes.append("stopped early: the budget was reached; finished items are kept and cached")


def _batch_mode(
    run: _Run, stream: Iterator[Trajectory], mapper: Any, budget: Any, lib: Any, options: DistillOptions
) -> Any:
    """--batch: collect finished batches, submit the rest (None: come back with --resume).
    --resume: collect; the mapper that reads the answers once no batch is left waiting, else None."""
    from skillforge.distill import batchmap
    from skillforge.distill.batchstate import BatchState
    from skillforge.errors import ConfigError
    from skillforge.providers.batch import batch_api

    if run.report.provider == "offline":
        raise ConfigError(
            "--batch and --resume need an LLM provider",
            "set ANTHROPIC_API_KEY or OPENAI_API_KEY, or pass --provider anthropic|openai",
        )
    api, state = batch_api(mapper.provider), BatchState.for_library(Path(lib.root))
    batchmap.describe(run.report, collected=batchmap.collect(api, state))
    if options.batch:
        batchmap.describe(run.report, sent=batchmap.submit(_prepare(run, stream), mapper, api, state, budget))
        return None
    return None if state.pending() else batchmap.BatchMapper(mapper, state)


def _bar(progress: Progress | None, label: str, total: int | None) -> contextlib.AbstractContextManager[Any]:
    if progress is None:
        return contextlib.nullcontext(NullProgress())
    return progress(label, total)


# ---------------------------------------------------------------------------------- reduce to commit


def _finish(
    run: _Run, lib: Any, settings: Settings, engine: tuple[Any, Any, Any], progress: Progress | None
) -> DistillReport:
    from skillforge.skills.validate import check_text

    mapper, consolidator, budget = engine
    report = run.report
    with _bar(progress, "reducing lessons", 1) as bar:
        lessons = _reduce(run, mapper)
        bar.advance()
    fresh_count = len(
        lessons
    )  # lessons an earlier run wrote (their runs were held back) are not merged twice
    lessons = runs.unwritten(lessons, runs.held(commit.read_file(lib, runs.DISTILLED_FILE)))
    if len(lessons) < fresh_count:
        report.notes.append(
            f"{fresh_count - len(lessons)} lessons are in the library already (an earlier run "
            "wrote them; their runs were held back for a lesson that was not applied)"
        )
    report.lessons = len(lessons)
    waiting = runs.pending(commit.read_file(lib, runs.PENDING_FILE))
    step_trust = _step_trust(run)
    gated = gates.apply(
        runs.with_waiting(waiting, lessons),
        int(settings.min_support),
        lambda text: check_text(text, "lesson"),
        step_trust,
        _grouping(run),
        run.copied,
    )
    _note_waiting(report, waiting, gated)
    report.lessons_kept = len(gated.kept)
    report.quarantined = gates.summary(gated.quarantined)
    if gated.below_support:
        report.notes.append(
            f"{len(gated.below_support)} lessons seen in fewer than {settings.min_support} "
            "trajectories were left out (--min-support)"
        )
    base = lib.base_branch(settings.base_branch)
    report.run_id = runid.run_id_of(run.input_ids, mapper, consolidator, runid.base_commit(lib, base))
    done = lib.find_run(report.run_id)
    if done is not None:  # the same logs, engine and base: this run is on its review branch already
        commit.record_result(report, lib, done)
        return report
    current = lib.skills()
    with _bar(progress, "consolidating skills", 1) as bar:
        edits = consolidator.consolidate(gated.kept, current) if gated.kept else []
        bar.advance()
    _usage(report, budget)
    with _bar(progress, "writing and validating", 1) as bar:
        written = apply_edits(
            edits,
            current,
            run_id=report.run_id,
            date=_today(),
            read_file=lambda rel: commit.read_file(lib, rel),
            template_dir=str(settings.templates or ""),
            quote_ok=lambda text: not any(gates.is_error(f) for f in check_text(text, "quote")),
        )
        commit.note_written(report, written)
        changes = commit.validated(report, written, lambda name: commit.committed_files(lib, base, name))
        bar.advance()
    report.changes = changes
    unapplied = commit.collect_unapplied(report, consolidator, written)
    if not changes and not gated.quarantined:
        report.status = "nothing_changed"
        report.notes.append("nothing changed: no skill to add or update, so no branch was created")
        return report
    fresh = {lesson.key for lesson in lessons}
    return commit.commit(
        run,
        lib,
        base,
        written,
        changes,
        gated,
        trusted=None if step_trust is None else lambda e: trusted(e, step_trust),
        older={lesson.key for lesson in waiting} - fresh,
        unapplied=unapplied,
    )


def _note_waiting(report: DistillReport, waiting: list[Any], gated: gates.GateResult) -> None:
    if not waiting:
        return
    keys = {lesson.key for lesson in waiting}
    admitted = len({lesson.key for lesson in gated.kept if lesson.key in keys})
    report.notes.append(
        f"{len(waiting)} lessons waiting from earlier runs ({runs.PENDING_FILE}): "
        f"{admitted} now have the support to be written"
    )


def _reduce(run: _Run, mapper: Any) -> list[Any]:
    """The lessons: from the streaming reducer (order-independent), else from the kept results."""
    if run.reducer is not None:
        return list(run.reducer.lessons())
    # completion order differs between runs and executors: reduce sees results sorted by trajectory id
    ok = sorted((r for r in run.results if r.error is None), key=lambda r: r.trajectory_id)
    return list(mapper.reduce(ok))


def _grouping(run: _Run) -> gates.Grouping | None:
    """LLM analysts word the same lesson differently: count support over clusters of similar lessons."""
    if run.report.provider == "offline":
        return None
    from skillforge.distill.llm.consolidate import cluster

    return cluster


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
