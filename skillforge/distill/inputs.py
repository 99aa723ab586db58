"""What a distill run does with its inputs before and around the pipeline: named log paths, and a folder
``--init`` would make a library of while it holds uncommitted skills, checked before anything is created;
skipped inputs summarised per reason, "nothing to do" told apart from "no logs", and a library that
``--init`` created removed again when the run fails (nothing the user had is touched)."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skillforge.config import Settings
from skillforge.distill.base import DistillReport
from skillforge.errors import InputError, LibraryError
from skillforge.ingest.report import NO_LOGS_HINT
from skillforge.ingest.walk import OUTSIDE


def check_inputs(inputs: Sequence[str]) -> None:
    """Raise for a named log path that does not exist, before the run creates or writes anything."""
    from skillforge.ingest import discover

    for path in inputs:
        next(iter(discover([path])), None)  # raises InputError naming the path when it is missing


def check_library_links(settings: Any) -> None:
    """Refuse a library whose ``skills/``, ``.skillforge/`` or ``.github/`` is a symbolic link before
    anything is read or written: a committed link would send the run's writes outside the library."""
    from skillforge.safety.paths import refuse_symlinks

    library = Path(settings.library)
    if library.is_dir():
        refuse_symlinks(library)


def check_clean_for_init(settings: Settings, options: Any) -> None:
    """Refuse ``--init`` on an existing folder that is not a library yet and holds uncommitted skills,
    before anything is created: the run would make the library (a git repository, an init commit of
    skillforge's own files) and only then refuse to commit over the user's files, leaving it behind."""
    from skillforge.skills.init import left_uncommitted
    from skillforge.skills.store import Library

    if not options.init or options.allow_dirty:  # a dry run too: it previews the real run's refusal
        return
    path = Path(settings.library)
    try:
        Library.open(path)
        return  # a library already: the run refuses uncommitted changes when it commits, as always
    except LibraryError:
        pass
    dirty, in_git = left_uncommitted(path)
    if dirty:
        raise _uncommitted_before_init(path.resolve(), dirty, in_git)


def _uncommitted_before_init(root: Path, dirty: list[str], in_git: bool) -> LibraryError:
    """The refusal, saying what to do: the files are the user's, and skillforge never commits them."""
    shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
    if in_git:
        return LibraryError(
            f"{root} has uncommitted changes ({shown}); --init created nothing",
            "commit or stash them first, then run distill again; or pass --allow-dirty (the run's "
            "branch starts from the last commit either way)",
        )
    lib = shlex.quote(str(root))
    return LibraryError(
        f"{root} holds skills that are in no git repository ({shown}); --init created nothing",
        f"to keep them in the library: skillforge init {lib} && git -C {lib} add skills && "
        f"git -C {lib} commit -m 'Add my skills', then run distill again; or pass --allow-dirty "
        "(the library is made without them; they stay uncommitted)",
    )


def nothing_to_do(report: DistillReport, inputs: Sequence[str], ingest: Any = None) -> None:
    if report.skipped_trajectories:
        report.status = "nothing_new"
        report.notes.append("nothing new: every trajectory was already distilled into this library")
        return
    report.status = "no_input"
    if report.skipped_inputs:  # every input was skipped: partial (exit 3), the report says why
        return
    hint = ingest.no_logs_hint() if ingest is not None else NO_LOGS_HINT
    raise InputError(f"no agent logs found in {', '.join(inputs)}", hint)


def created_by_init(settings: Settings, options: Any) -> Path | None:
    """The outermost folder that ``--init`` would create for the library (its missing parents
    included); None when the library folder exists already: a folder that was there before the run is
    never removed, whatever it holds."""
    if not options.init or options.dry_run:
        return None
    path = Path(settings.library).absolute()
    if os.path.lexists(path):
        return None
    outermost = path
    while not os.path.lexists(outermost.parent) and outermost.parent != outermost:
        outermost = outermost.parent
    return outermost


def remove_created(path: Path | None) -> None:
    """Remove the folders a failed ``--init`` run created (see :func:`created_by_init`)."""
    if path is not None and path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)


def ingest_notes(report: DistillReport, ingest: Any) -> None:
    """Skipped inputs, one entry per reason with its count (each one kept for ``-v``)."""
    report.skipped_inputs = ingest.problem_summary()
    report.skipped_input_lines = ingest.problem_lines()
    if ingest.label_warning:
        report.notes.append(ingest.label_warning)
    if ingest.passed_over.get(OUTSIDE):
        report.notes.append(f"{ingest.passed_over[OUTSIDE]} {OUTSIDE}")
