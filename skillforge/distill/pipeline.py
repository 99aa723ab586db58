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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.config import Settings
from skillforge.distill import commit, dryrun, gates, runid, runs
from skillforge.distill import inputs as inputs_mod
from skillforge.distill.base import DistillReport, Mapper
from skillforge.distill.cache import MapCache
from skillforge.distill.finish import finish
from skillforge.distill.run import STOPPED_EARLY, Progress, Run, note_usage, progress_bar, trust_codes
from skillforge.errors import LibraryError
from skillforge.model import Trajectory
from skillforge.providers.base import Provider

OFFLINE_NOTE = "no LLM provider configured: using the offline miner"


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


def distill(paths: Sequence[str], settings: Settings, options: DistillOptions | None = None) -> DistillReport:
    """The whole run. A library that ``--init`` creates is removed again when the run fails."""
    from skillforge.ingest import input_paths

    options = options or DistillOptions()
    inputs = input_paths(paths, options.from_agents)
    inputs_mod.check_inputs(inputs)  # before anything is created
    inputs_mod.check_clean_for_init(settings, options)
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
    budget, mapper, consolidator = _engine(settings, provider, report, inputs)
    _check_options(options, provider, mapper)  # a dry run refuses what the real run would
    lib = _existing_library(settings) if options.dry_run else _library(settings, options)
    run = _start(report, lib, options)
    run.roots = list(inputs)
    labels, label_source = load_labels(options.labels)
    ingest = IngestReport()
    stream = read(
        inputs, ingest, fmt=options.fmt, labels=labels, labels_source=label_source, exclude=labels.files
    )
    if options.dry_run:  # skipped inputs too: a dry run exits as the real run would (3: partial)
        dryrun.dry_run(report, _prepare(run, stream), settings, provider, mapper, options.batch)
        inputs_mod.ingest_notes(report, ingest)
        return report
    if options.batch or options.resume:
        batch_mapper = _batch_mode(run, stream, mapper, budget, lib, options)
        if batch_mapper is None:  # batches submitted or still running: the report says which
            return _submitted(report, ingest)
        mapper = batch_mapper
    if (
        provider is not None
        and lib is not None
        and runid.done_before_map(run, lib, settings, inputs, options, (mapper, consolidator))
    ):
        return report  # a re-run of LLM calls already paid for (another path or cache): nothing is called
    run.reducer = mapper.reducer()
    _map_all(run, _prepare(run, stream, _Cached(run, mapper, MapCache())), mapper, settings, options)
    inputs_mod.ingest_notes(report, ingest)
    note_usage(report, budget)
    if not run.input_ids:
        inputs_mod.nothing_to_do(report, inputs, ingest)
        return report
    if lib is None:  # --init: the library is made only now that the run has something to write
        lib = _library(settings, options, now=True)
    return finish(run, lib, settings, (mapper, consolidator, budget), options.progress)


def _submitted(report: DistillReport, ingest: Any) -> DistillReport:
    report.status = "submitted"
    inputs_mod.ingest_notes(report, ingest)
    return report


# --------------------------------------------------------------------------------------------- setup


def _start(report: DistillReport, lib: Any, options: DistillOptions) -> Run:
    """The run's state, with the runs the library records as distilled already."""
    record = commit.read_file(lib, runs.DISTILLED_FILE) if lib is not None else None
    if runs.other_ids(record):
        report.notes.append(
            f"{runs.DISTILLED_FILE} was written by an older skillforge, whose trajectory ids "
            "differ: the runs it lists are not recognised and are distilled again this once "
            "(with an LLM, see the cost first with --dry-run)"
        )
    return Run(report, runs.parse(record), options.allow_dirty)


def _engine(
    settings: Settings, provider: Provider | None, report: DistillReport, inputs: list[str]
) -> tuple[Any, Mapper, Any]:
    """(budget, mapper, consolidator): the offline miner when no provider is configured (its evidence
    paths are written relative to the ``inputs``)."""
    if provider is None:
        from skillforge.distill.offline import OfflineConsolidator, OfflineMapper

        report.provider = "offline"
        report.notes.append(OFFLINE_NOTE)
        miner = OfflineMapper(inputs)
        return None, miner, OfflineConsolidator(str(settings.templates or ""), miner.read, miner.mapped)
    from skillforge.distill.cost import Budget
    from skillforge.distill.llm import build

    budget = Budget(settings.max_cost, settings.max_tokens)
    mapper, consolidator = build(settings, provider, budget)
    report.provider = provider.name
    report.model = provider.model or str(settings.model or "")
    return budget, mapper, consolidator


def _check_options(options: DistillOptions, provider: Provider | None, mapper: Mapper) -> None:
    """Refuse options the run cannot honour, before anything is planned, read or created; the one
    check of them for the real run and the dry run alike. ``--batch`` only submits (no map stage: the
    mapper never goes to the executor); ``--resume`` maps the answers with the executor."""
    from skillforge.distill.executors import check
    from skillforge.providers.batch import check_batch

    if options.batch or options.resume:
        check_batch(provider)
    check(options.executor, options.ray_address, None if options.batch else mapper)


def _author(settings: Settings) -> tuple[str, str]:
    return settings.author_name, settings.author_email


def _existing_library(settings: Settings) -> Any:
    """The library when it exists (a dry run creates nothing), else None."""
    from skillforge.skills.store import Library

    try:
        return Library.open(
            Path(settings.library), _author(settings), settings.templates, settings.base_branch
        )
    except LibraryError:
        return None


def _library(settings: Settings, options: DistillOptions, now: bool = False) -> Any:
    """The library to write to. With ``--init`` a library that does not exist yet is created only when
    the run has trajectories to distill (``now``; batch runs need it at once): a run that fails on its
    inputs leaves no library behind and never touches a folder that was there before."""
    from skillforge.skills.store import Library

    path = Path(settings.library)
    if not options.init:
        return Library.open(path, _author(settings), settings.templates, settings.base_branch)
    if now or options.batch or options.resume:
        return Library.init(path, _author(settings), settings.base_branch, settings.templates)
    return _existing_library(settings)


# ------------------------------------------------------------------------------------- prepare & map


def _prepare(run: Run, stream: Iterator[Trajectory], cached: _Cached | None = None) -> Iterator[Trajectory]:
    """Drop trajectories already distilled into this library, take cached map results as they are
    (their text is never used again), redact the rest before anything reads them; stop on budget."""
    from skillforge.safety.redact import scrub
    from skillforge.safety.trajectory_redaction import redact_trajectory

    seen: dict[tuple[str, str], tuple[str, str]] = {}  # for gates.note_session
    for traj in stream:
        if run.stop.is_set():
            return
        run.report.trajectories += 1
        gates.note_session(run.sessions, seen, traj)
        if traj.id in run.distilled:
            run.report.skipped_trajectories += 1
            continue
        run.input_ids.append(traj.id)
        if traj.labelled:
            run.labelled[traj.id] = runid.label_of(traj)
        run.formats[traj.format] = run.formats.get(traj.format, 0) + 1
        if traj.repository:  # goes into provenance.json: never a credential from a remote URL
            run.repositories[traj.id] = scrub(traj.repository)[0]
        run.step_trust[traj.id] = trust_codes(traj)
        run.copied[traj.id] = gates.copied_targets(traj)
        traj.digest()  # cache keys hash the run as read: computed before it is redacted in place
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

    run: Run
    mapper: Mapper
    cache: MapCache

    def take(self, traj: Trajectory) -> bool:
        counts = self.cache.redactions(traj.id)
        hit = self.cache.get(str(self.mapper.cache_key(traj))) if counts is not None else None
        if hit is None or counts is None:
            return False
        self.run.report.redactions.update(counts)
        self.run.keep(hit)
        return True


def _map_all(
    run: Run, items: Iterator[Trajectory], mapper: Mapper, settings: Settings, options: DistillOptions
) -> None:
    from skillforge.distill.executors import MapTask, create

    executor = create(options.executor, max(1, int(settings.workers)), options.ray_address)
    task = MapTask(mapper, MapCache(), run.stop)
    with progress_bar(options.progress, "mapping trajectories", None) as bar:
        for result in executor.map(task, items):
            run.keep(result)
            if result.error is not None:
                run.report.failures.append(f"{result.trajectory_id}: {result.error}")
            bar.advance()
    if run.stop.is_set():
        run.report.notes.append(
            f"{STOPPED_EARLY}: the budget was reached; finished items are kept and cached"
        )


def _batch_mode(
    run: Run, stream: Iterator[Trajectory], mapper: Any, budget: Any, lib: Any, options: DistillOptions
) -> Any:
    """--batch: collect finished batches, submit the rest (None: come back with --resume).
    --resume: collect; the mapper that reads the answers once no batch is left waiting, else None."""
    from skillforge.distill import batchmap
    from skillforge.distill.batchstate import BatchState
    from skillforge.providers.batch import batch_api

    api, state = batch_api(mapper.provider), BatchState.for_library(Path(lib.root))
    batchmap.describe(run.report, collected=batchmap.collect(api, state))
    if options.batch:
        batchmap.describe(run.report, sent=batchmap.submit(_prepare(run, stream), mapper, api, state, budget))
        return None
    return None if state.pending() else batchmap.BatchMapper(mapper, state)
