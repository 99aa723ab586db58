"""What a distill run does with its inputs before and around the pipeline: named log paths checked before
anything is created, skipped inputs summarised per reason, "nothing to do" told apart from "no logs", and
a library that ``--init`` created removed again when the run fails (nothing the user had is touched)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skillforge.distill.base import DistillReport
from skillforge.errors import InputError


def check_inputs(inputs: Sequence[str]) -> None:
    """Raise for a named log path that does not exist, before the run creates or writes anything."""
    from skillforge.ingest import discover

    for path in inputs:
        next(iter(discover([path])), None)  # raises InputError naming the path when it is missing


def nothing_to_do(report: DistillReport, inputs: Sequence[str]) -> None:
    if report.skipped_trajectories:
        report.status = "nothing_new"
        report.notes.append("nothing new: every trajectory was already distilled into this library")
        return
    report.status = "no_input"
    if report.skipped_inputs:  # every input was skipped: partial (exit 3), the report says why
        return
    raise InputError(f"no agent logs found in {', '.join(inputs)}",
                     "pass log files or folders (see docs/formats/README.md), or --from claude / --from codex")


def created_by_init(settings: Any, options: Any) -> Path | None:
    """The library folder that ``--init`` is about to create (None when it exists and holds files)."""
    if not options.init or options.dry_run:
        return None
    path = Path(settings.library).expanduser()
    if not path.exists():
        return path
    if path.is_dir() and not any(path.iterdir()):
        return path
    return None


def remove_created(path: Path | None) -> None:
    """Remove what ``--init`` created for a run that failed: nothing the user had is touched."""
    if path is None or not path.exists():
        return
    if any(path.iterdir()):
        for child in path.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    with contextlib.suppress(OSError):
        path.rmdir()


def ingest_notes(report: DistillReport, ingest: Any) -> None:
    """Skipped inputs, one entry per reason with its count (each one kept for ``-v``)."""
    report.skipped_inputs = ingest.problem_summary()
    report.skipped_input_lines = [str(p) for p in ingest.problems]
