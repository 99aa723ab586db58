"""A distill run's identity: its run id (trajectories by content, engine, base commit), and the check,
before any LLM call, that a run with that id is on its review branch already."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skillforge.config import DEFAULT_MIN_SUPPORT, Settings
from skillforge.distill import commit
from skillforge.model import Trajectory, content_id


def run_id_of(
    input_ids: list[str],
    engine: tuple[Any, Any],
    base: str,
    labelled: Mapping[str, str] | None = None,
    min_support: int = DEFAULT_MIN_SUPPORT,
    left_out: Iterable[str] = (),
    held: Iterable[str] = (),
) -> str:
    """The run id: the trajectories read (by content), the engine (mapper, consolidator) and the base
    commit, so the same logs from any path or cache make the same run; the outcomes ``--labels`` gave
    (``labelled``: id -> outcome) and a ``--min-support`` other than the default, so that a run asked
    for with other labels or another gate is a new run, not "already done"; and the trajectories whose
    map failed (``left_out``: a rate limit, a malformed answer, the budget) and those with a lesson
    that was not applied (``held``: its merge call was refused or failed, its edit did not apply),
    so that a partial run is not the run that completes it: the next run does what is missing
    instead of saying "already done"."""
    outcomes = sorted(f"{i}={o}" for i, o in (labelled or {}).items())  # none: the ids of older versions
    gate = [f"min-support={min_support}"] if min_support != DEFAULT_MIN_SUPPORT else []
    failed = [f"left-out={i}" for i in sorted(set(left_out))]  # none: a complete run's id is unchanged
    failed += [f"not-applied={i}" for i in sorted(set(held))]
    mapper, consolidator = engine
    return content_id(
        "distill",
        *sorted(input_ids),
        _fingerprint(mapper),
        _fingerprint(consolidator),
        base,
        *outcomes,
        *gate,
        *failed,
    )


def label_of(traj: Trajectory) -> str:
    """What ``--labels`` said of a run, for the run id: its outcome, and the failing tests a SWE-bench
    report listed (adding the reports to runs labelled before is a new run, not "already done")."""
    tests = traj.failing_tests
    return f"{traj.outcome.value}:{content_id(repr(sorted(tests.items())))}" if tests else traj.outcome.value


def _fingerprint(obj: Any) -> str:
    parts = [type(obj).__module__, type(obj).__name__, str(getattr(obj, "name", ""))]
    for attr in ("fingerprint", "config", "model"):
        value = getattr(obj, attr, None)
        if value is not None and not callable(value):
            parts.append(repr(value))
    return "/".join(parts)


def base_commit(lib: Any, base: str) -> str:
    try:
        return str(lib.repo.commit(f"refs/heads/{base}").hexsha)
    except Exception:  # not a branch name we can resolve: the name itself still identifies the base
        return base or ""


def done_before_map(
    run: Any, lib: Any, settings: Settings, inputs: list[str], options: Any, engine: tuple[Any, Any]
) -> bool:
    """With an LLM, find out before any call whether this run is on its review branch already: one
    extra pass over the logs for their ids (ingest costs far less than one analyst call). Only a
    complete run is found: a partial one's id names what it left out, so those are tried again."""
    from skillforge.ingest import IngestReport, read
    from skillforge.ingest.labels import load_labels

    labels, source = load_labels(options.labels)
    ids, labelled = [], {}
    for t in read(
        inputs, IngestReport(), fmt=options.fmt, labels=labels, labels_source=source, exclude=labels.files
    ):
        if t.id not in run.distilled:
            ids.append(t.id)
            if t.labelled:
                labelled[t.id] = label_of(t)
    if not ids:
        return False
    base = base_commit(lib, lib.base_branch(settings.base_branch))
    run_id = run_id_of(ids, engine, base, labelled, int(settings.min_support))
    done = lib.find_run(run_id)
    if done is None:
        return False
    run.report.run_id, run.report.trajectories = run_id, len(ids)
    commit.record_result(run.report, lib, done)
    return True
