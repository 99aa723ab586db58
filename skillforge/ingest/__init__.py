"""Reading agent logs: find files, recognise each one's format by its content, and stream normalised
:class:`~skillforge.model.Trajectory` objects, counting what was skipped and why.

``read(paths)`` is the one entry point. Readers are registered in ``READERS`` (most specific first);
each lives in its own module of this package (see ``base.py`` for the contract).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

from skillforge.errors import UsageError
from skillforge.ingest import walk
from skillforge.ingest.base import BOM, HEAD_BYTES, FolderReader, ParseContext, Problem, Reader, is_binary
from skillforge.ingest.companions import companion_reason
from skillforge.ingest.locations import DEFAULT_FOLDERS, default_folder, default_paths, input_paths
from skillforge.ingest.opening import (
    READ_FLAGS,
    folder_size,
    gunzipped,
    is_gzip_head,
    not_regular,
    read_upto,
    regular_size,
    rename_source,
    shown_name,
)
from skillforge.ingest.outcome import infer_from_tests
from skillforge.ingest.report import FormatStats, IngestReport
from skillforge.ingest.tools import decode_actions
from skillforge.ingest.unrecognised import pass_over, report_unrecognised, summarise_unrecognised

__all__ = [
    "DEFAULT_FOLDERS",
    "FormatStats",
    "IngestReport",
    "default_folder",
    "default_paths",
    "detect",
    "discover",
    "input_paths",
    "read",
    "readers",
]
from skillforge.model import Outcome, Trajectory
from skillforge.model.trajectory import FAILING_TESTS
from skillforge.safety.redact import redact_message

# module names under skillforge.ingest, in detection order (most specific first)
READER_MODULES = (
    "claude_code",
    "codex",
    "gemini",
    "copilot",
    "opencode",
    "cursor",
    "mini_swe_agent",
    "swe_agent",
    "openhands",
    "interchange",
    "atif",
    "aider",
)

LOG_SUFFIXES = {".jsonl", ".json", ".traj", ".md", ".ndjson"}


@functools.cache
def _reader_modules() -> tuple[Reader, ...]:
    return tuple(readers_uncached())


@functools.cache
def _folder_readers() -> tuple[FolderReader, ...]:
    """The readers of folders (an isinstance check against a Protocol costs ~50 us: done once)."""
    return tuple(m for m in _reader_modules() if isinstance(m, FolderReader))


def readers() -> list[Reader]:
    """The reader modules that exist (a missing module is simply not offered); imported once."""
    return list(_reader_modules())


def readers_uncached() -> list[Reader]:
    found = []
    for name in READER_MODULES:
        try:
            found.append(cast(Reader, importlib.import_module(f"skillforge.ingest.{name}")))
        except ModuleNotFoundError as exc:
            if exc.name != f"skillforge.ingest.{name}":
                raise
    return found


_FIRST_BYTE = re.compile(rb"[ \t\n\r\x0b\x0c]*(.?)", re.DOTALL)  # what bytes.lstrip() passes over


@functools.cache
def _asked(first: bytes) -> tuple[Reader, ...]:
    """The readers, in detection order, whose ``detect`` may accept content whose first non-whitespace
    byte is ``first`` (their ``OPENS``; all, without it): an OpenHands event list (``[``) is then not
    put to the eight readers of JSON objects before it."""
    return tuple(m for m in _reader_modules() if first in getattr(m, "OPENS", first))


def reader_for(name: str) -> Reader:
    for mod in readers():
        if name == mod.FORMAT:
            return mod
    raise UsageError(f"unknown log format {name!r}", f"use one of: {', '.join(m.FORMAT for m in readers())}")


def discover(paths: Iterable[str | Path], outside: list[str] | None = None) -> Iterator[Path]:
    """Expand files, folders (recursively, in sorted order) and globs into candidate log paths
    (``walk.discover``, with the registered folder readers; symlinks out of a named folder go to
    ``outside``)."""
    return walk.discover(paths, list(_folder_readers()), outside)


def _suffix(name: str) -> str:
    """``Path(name).suffix.lower()`` without building a Path."""
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


def detect(path: Path, head: bytes | None = None) -> Reader | None:
    """The reader whose ``detect`` accepts this file's content, or None. ``head``: the file's first
    ``HEAD_BYTES`` when the caller has read them already."""
    if head is None:
        if path.is_dir():
            return next((m for m in _folder_readers() if m.detect_dir(path, None)), None)
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    head = head[len(BOM) :] if head.startswith(BOM) else head
    if is_binary(head):  # a database some readers know (OpenCode's, Cursor's), else not a log
        return next(
            (m for m in readers() if hasattr(m, "detect_binary") and m.detect_binary(path, head)), None
        )
    if not head or head.isspace():
        return None
    found = _detect_text(path, head)
    if found is None and (latin1 := _latin1_as_utf8(head)) is not None:
        found = _detect_text(path, latin1)  # the readers read such lines as Latin-1: detection does too
    return found


def _detect_text(path: Path, head: bytes) -> Reader | None:
    for mod in _asked(_FIRST_BYTE.match(head).group(1)):  # type: ignore[union-attr]
        try:
            if mod.detect(path, head):
                return mod
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            continue  # content this reader's test did not expect (a list where a name goes): not its format
    return None


def _latin1_as_utf8(head: bytes) -> bytes | None:
    """``head`` decoded as Latin-1 and encoded as UTF-8 when it is not UTF-8 (a character cut at its
    end aside), else None. Asked only when no reader recognised the head as it is."""
    if head.isascii():
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(head) and exc.reason == "unexpected end of data":
            return None  # a multi-byte character cut by the head's end: UTF-8 after all
        return head.decode("latin-1").encode("utf-8")
    return None


def read(
    paths: Iterable[str | Path],
    report: IngestReport | None = None,
    *,
    fmt: str | None = None,
    labels: dict[str, Outcome] | None = None,
    labels_source: str = "labels",
    exclude: Iterable[str | Path] = (),
) -> Iterator[Trajectory]:
    """Stream trajectories from files, folders and globs. Problems go to ``report``; nothing raises
    for a bad file (only for a path that does not exist). Files at or under ``exclude`` (the label
    files given with ``--labels``) are passed over when met in a folder walk."""
    report = report if report is not None else IngestReport()
    report.labels = len(labels or {})
    forced = reader_for(fmt) if fmt else None
    paths = list(paths)
    named = {str(Path(p)) for p in paths}
    excluded = {os.path.realpath(p) for p in exclude}
    others: list[str] = []  # text files met while walking folders that are not agent logs
    outside: list[str] = []  # symlinks out of a named folder: not followed, each said
    for path in discover(paths, outside):
        if excluded and str(path) not in named and _under(os.path.realpath(path), excluded):
            continue
        yield from _read_one(
            path, report, forced, labels, labels_source, None if str(path) in named else others
        )
    if others:
        summarise_unrecognised(others, report)
    if outside:  # counted, not a problem: a link such as `latest -> ../run-42` is no bad input
        report.passed_over[walk.OUTSIDE] += len(outside)


def _under(path: str, roots: set[str]) -> bool:
    return path in roots or any(path.startswith(root + os.sep) for root in roots)


def _read_one(
    path: Path,
    report: IngestReport,
    forced: Reader | None,
    labels: dict[str, Outcome] | None,
    labels_source: str,
    others: list[str] | None = None,
) -> Iterator[Trajectory]:
    special, size = regular_size(path)  # a FIFO would block: never opened here
    head, data = (None, None) if special else _head(path, size)  # the gzip test and detection share it
    if special or (head is not None and is_gzip_head(head)):  # a .jsonl.gz is read decompressed
        yield from _read_special(path, report, forced, labels, labels_source, others)
        return
    companion = companion_reason(path) if others is not None and not forced else None
    if companion is not None:  # met in a walk and kept beside logs (some look like logs: Gemini checkpoints)
        report.passed_over[companion] += 1
        return
    try:
        mod = forced or detect(path, head)
    except OSError as exc:
        report.problems.append(Problem(str(path), f"cannot read: {exc.strerror or exc}", fatal=True))
        return
    if mod is None:
        if others is None or not pass_over(path, report, _suffix(path.name) in LOG_SUFFIXES):
            report_unrecognised(path, report, others)
        return
    ctx = ParseContext(path=path, format=mod.FORMAT, head=head, data=data, named=others is None)
    yield from _parse(ctx, mod, report, labels, labels_source)


WHOLE_BYTES = 1 << 20  # a file this small is read whole with its head: one open and read per file


def _head(path: Path, size: int | None) -> tuple[bytes | None, bytes | None]:
    """A file's first ``HEAD_BYTES`` and, for a file of at most ``WHOLE_BYTES`` (``size``, as a stat
    gave it), all its bytes (else None); (None, None) for a folder or a file that cannot be opened
    (detection or the reader reports it). Read through the file descriptor (``read_upto``): a buffered
    file object costs a small file more than its read."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError:
        return None, None
    try:
        if size is None or size > WHOLE_BYTES:
            return read_upto(fd, HEAD_BYTES), None
        data = read_upto(fd, size + 1)  # sized by the stat: a larger buffer costs small files dearly
        if len(data) > size:  # grown since the stat: its head only, as for a large file
            data += read_upto(fd, max(0, HEAD_BYTES - len(data)))
            return data[:HEAD_BYTES], None
    except OSError:  # a folder opens, and fails to read
        return None, None
    finally:
        os.close(fd)
    return (data if len(data) <= HEAD_BYTES else data[:HEAD_BYTES]), data


def _parse(
    ctx: ParseContext,
    mod: Reader,
    report: IngestReport,
    labels: dict[str, Outcome] | None,
    labels_source: str,
) -> Iterator[Trajectory]:
    """The trajectories ``mod`` reads from ``ctx.path``, with their actions decoded and outcomes settled;
    a reader's failure ends the file, counted, never a traceback. ``ctx.head``: the file's first bytes,
    as detection read them (readers sniff them instead of opening the file again); ``ctx.data``: all of
    them, when the file was small enough to be read whole."""
    path = ctx.path
    stats = report.stats(mod.FORMAT)
    stats.files += 1
    try:
        whole = ctx.whole(path)  # a small file read whole for detection: its size without a stat
        stats.bytes += _size(path) if whole is None else len(whole)
        for traj in mod.parse(path, ctx):
            rename_source(traj, str(path), shown_name(str(path)))
            decode_actions(traj)
            settle_outcome(traj, labels, labels_source)
            report.count(traj)
            yield traj
    except OSError as exc:
        ctx.fail(f"cannot read: {exc.strerror or exc}")
    except RecursionError:
        ctx.fail("too deeply nested to parse")
    except Exception as exc:  # a reader bug or content no reader expected: never a traceback
        ctx.fail(f"unexpected content, the rest of the file was skipped ({type(exc).__name__}: {exc})")
    if ctx.skipped:  # Counter.update is Python code, ~1 us even when there is nothing to add
        stats.skipped.update(_shown_reasons(ctx.skipped))
    if ctx.ignored:
        stats.ignored.update(_shown_reasons(ctx.ignored))
    report.problems.extend(ctx.problems)


def _shown_reasons(counts: dict[str, int]) -> dict[str, int]:
    """Skip reasons as the report shows them: a reason may name a record's type or a tool as the log
    spelled it (``unknown record type ghp_…``), so each is redacted and cut to one line, once per file."""
    shown: dict[str, int] = {}
    for reason, n in counts.items():
        key = redact_message(reason)
        shown[key] = shown.get(key, 0) + n
    return shown


def _read_special(
    path: Path,
    report: IngestReport,
    forced: Reader | None,
    labels: dict[str, Outcome] | None,
    labels_source: str,
    others: list[str] | None,
) -> Iterator[Trajectory]:
    """A FIFO or device gets its one-line problem; a gzip file is read from a decompressed copy, and what
    comes out of it (trajectories, problems, unrecognised files) names the ``.gz`` file."""
    shown = shown_name(str(path))
    reason = not_regular(path)
    if reason is not None:
        report.problems.append(Problem(shown, reason, fatal=True))
        return
    start, seen = len(report.problems), None if others is None else list[str]()
    try:
        with gunzipped(path) as tmp:
            for traj in _read_one(tmp, report, forced, labels, labels_source, seen):
                rename_source(traj, str(tmp), shown)
                yield traj
            for problem in report.problems[start:]:
                problem.file = problem.file.replace(str(tmp), shown)
            report.unrecognised = [shown if u == str(tmp) else u for u in report.unrecognised]
    except ValueError as exc:
        report.problems.append(Problem(shown, str(exc), fatal=True))
    if seen and others is not None:
        others.append(shown)


def settle_outcome(traj: Trajectory, labels: dict[str, Outcome] | None, labels_source: str) -> None:
    """Labels win over everything; an outcome the log states wins over the last test run's result."""
    if labels and apply_label(traj, labels, labels_source):
        return
    if traj.outcome is Outcome.UNKNOWN:
        inferred = infer_from_tests(traj.steps)
        if inferred is not None:
            traj.outcome, traj.outcome_source = inferred


def _size(path: Path) -> int:
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        return folder_size(str(path))
    return st.st_size


def apply_label(traj: Trajectory, labels: dict[str, Outcome], source: str) -> bool:
    """Set the outcome from a label file, matching the trajectory's ids or its file's stem."""
    stem = Path(traj.source).name.split(".")[0]
    for key in (traj.id, traj.native_id, traj.task_id, stem):
        if key and key in labels:
            traj.outcome = labels[key]
            traj.outcome_source = source
            tests = getattr(labels, "tests", {}).get(key)
            if tests:  # what a SWE-bench report says the patch left failing
                traj.metadata[FAILING_TESTS] = tests
            return True
    return False
