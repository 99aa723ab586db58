"""What ingest says of the files it does not read as logs: those a folder walk passes over are counted by
reason (see :mod:`companions`); the others are reported, each with why and the fix (empty, UTF-16, an
SQLite file no reader knows, binary), or, found in a walk and merely unrecognised, summarised in one line
naming the folder they share (a lone one named itself).
"""

from __future__ import annotations

import os
from pathlib import Path

from skillforge.ingest.base import HEAD_BYTES, Problem, is_binary
from skillforge.ingest.companions import companion_reason, pass_over_reason
from skillforge.ingest.opening import looks_utf16
from skillforge.ingest.report import IngestReport
from skillforge.ingest.sqlite_store import is_sqlite, readable, tables

NOT_A_LOG = "not a known agent log format (see docs/formats/README.md; `skillforge ingest --format FORMAT FILE` reads it as one)"


def summarise_unrecognised(others: list[str], report: IngestReport) -> None:
    """One problem for the files a folder walk met that no reader recognised: a lone file is named with
    why it was not read; more are counted under the folder they share."""
    if len(others) == 1:
        report.problems.append(Problem(others[0], NOT_A_LOG))
        return
    names = ", ".join(Path(o).name for o in others[:3]) + (", …" if len(others) > 3 else "")
    report.problems.append(
        Problem(
            _common_folder(others), f"{len(others)} files are not agent logs ({names}); name one to see why"
        )
    )


def _common_folder(paths: list[str]) -> str:
    """The folder the files share: ``.`` for files named relative to the current folder alone, their
    absolute paths' when relative and absolute paths are mixed (or ``.`` on Windows across drives)."""
    try:
        return os.path.commonpath(paths) or "."
    except ValueError:  # relative and absolute paths mixed
        try:
            return os.path.commonpath([os.path.realpath(p) for p in paths])
        except ValueError:  # different drives
            return "."


def pass_over(path: Path, report: IngestReport, log_suffix: bool) -> bool:
    """Count a file met in a folder walk that is simply not a log (see ``companions``); False when it
    is named like a log (``log_suffix``) and must be reported."""
    reason = pass_over_reason(path, log_suffix)
    if reason is not None:
        report.passed_over[reason] += 1
    return reason is not None


def _sqlite_reason(path: Path) -> str:
    if not tables(path) and not readable(path):  # no tables at all is no damage
        return "an SQLite database that cannot be read (damaged, cut short, or still being written: copy it again)"
    return (
        "an SQLite database without the tables of an agent log (OpenCode's opencode.db: session, message, "
        "part or session_message; Cursor's state.vscdb: cursorDiskKV)"
    )


def report_unrecognised(path: Path, report: IngestReport, others: list[str] | None = None) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        head = b""
    if companion_reason(path):
        why = f"{companion_reason(path)}, not an agent log (read the transcript beside it)"
    elif not head.strip():
        why = "empty file"
    elif looks_utf16(head):
        why = (
            f"UTF-16 text, not UTF-8 (convert it: iconv -f UTF-16 -t UTF-8 '{path.name}' > "
            f"'{path.stem}.utf8{path.suffix}')"
        )
    elif is_sqlite(head):
        why = _sqlite_reason(path)
    elif is_binary(head):
        why = "binary file, not an agent log"
    else:
        why = NOT_A_LOG
        if others is not None:  # found while walking a folder: summarised in one line
            report.unrecognised.append(str(path))
            others.append(str(path))
            return
    report.unrecognised.append(str(path))
    report.problems.append(Problem(str(path), why, fatal=True))
