"""A distill run's identity: its run id (trajectories by content, engine, base commit), and the check,
before any LLM call, that a run with that id is on its review branch already."""

from __future__ import annotations

from typing import Any

from skillforge.config import Settings
from skillforge.distill import commit
from skillforge.model import content_id


def run_id_of(input_ids: list[str], mapper: Any, consolidator: Any, base: str) -> str:
    """The run id: the trajectories read (by content), the engine and the base commit, so the same logs
    from any path or cache make the same run."""
    return content_id("distill", *sorted(input_ids), _fingerprint(mapper), _fingerprint(consolidator), base)


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
    extra pass over the logs for their ids (ingest costs far less than one analyst call)."""
    from skillforge.ingest import IngestReport, read

    ids = [
        t.id
        for t in read(inputs, IngestReport(), fmt=options.fmt, exclude=options.labels)
        if t.id not in run.distilled
    ]
    if not ids:
        return False
    run_id = run_id_of(ids, engine[0], engine[1], base_commit(lib, lib.base_branch(settings.base_branch)))
    done = lib.find_run(run_id)
    if done is None:
        return False
    run.report.run_id, run.report.trajectories = run_id, len(ids)
    commit.record_result(run.report, lib, done)
    return True
