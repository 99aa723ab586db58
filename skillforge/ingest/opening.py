"""Opening log files that may be hostile or odd, before any reader sees them.

* A FIFO, socket or device is refused with a one-line reason (opening a FIFO would block forever).
* A gzip file (``.jsonl.gz``) is decompressed, streaming and size-limited, into a private temporary
  file that the readers parse like any other; the trajectories then name the ``.gz`` file.
* A head with a few NUL bytes is still text (:func:`skillforge.text.is_binary`): one corrupt line of a JSONL log is
  skipped and counted by its reader, not the whole file.
* A file name that is not valid UTF-8 (bytes the file system keeps, Python's surrogate escapes) is shown
  and stored with those bytes escaped (``bad\\xffname.jsonl``), so JSON output and the console never
  fail on it.
"""

from __future__ import annotations

import gzip
import os
import stat
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skillforge.model import Trajectory
from skillforge.text import is_binary as is_binary
from skillforge.text import looks_utf16 as looks_utf16

GZIP_MAGIC = b"\x1f\x8b"
MAX_GUNZIPPED = 4 << 30  # a decompressed log larger than this is refused (a gzip bomb)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be read as a log file without blocking (a FIFO, a socket, a device), or None."""
    return regular_size(path)[0]


def regular_size(path: Path) -> tuple[str | None, int | None]:
    """:func:`not_regular`'s reason, and the size of a regular file (None for anything else), from one
    stat."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None  # the reader's own open reports it
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None, st.st_size
    for test, what in _KINDS:
        if test(mode):
            return f"{what}, not a regular file; copy its content to a file and read that", None
    return None, None


READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows, which would translate line ends


def read_upto(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``fd``, fewer only at the end of the file: what a buffered file's
    ``read(size)`` returns, without building the file objects (``os.read`` may return less than asked)."""
    data = os.read(fd, size)
    if not data or len(data) == size:
        return data
    parts, got = [data], len(data)
    while got < size:
        more = os.read(fd, size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts) if len(parts) > 1 else data


def is_gzip_head(head: bytes) -> bool:
    """Whether a file's first bytes are gzip's magic number."""
    return head[:2] == GZIP_MAGIC


@contextmanager
def gunzipped(path: Path, limit: int = MAX_GUNZIPPED) -> Iterator[Path]:
    """A temporary decompressed copy of ``path`` (named like it, without ``.gz``), removed afterwards.
    Raises ``ValueError`` with a one-line reason for a broken or oversized archive."""
    name = shown_name(path.name)
    inner = name[:-3] if name.lower().endswith(".gz") else name + ".out"
    with tempfile.TemporaryDirectory(prefix="skillforge-gz-") as tmp:
        target = Path(tmp) / (inner or "log")
        try:
            with gzip.open(path, "rb") as src, target.open("wb") as dst:
                copied = 0
                while chunk := src.read(1 << 20):
                    copied += len(chunk)
                    if copied > limit:
                        raise ValueError(f"decompresses to more than {limit >> 20} MiB; unpack it yourself")
                    dst.write(chunk)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"broken gzip file ({exc}); check the download or unpack it yourself") from None
        yield target


def shown_name(text: str) -> str:
    """``text`` with bytes that are not UTF-8 (surrogate escapes from the file system) written as
    ``\\xNN``: printable, and valid in JSON."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")


def rename_source(traj: Trajectory, parsed: str, shown: str) -> None:
    """Name the file the user has (``shown``) wherever the trajectory names the one that was parsed."""
    if parsed == shown:
        return
    if traj.source == parsed or traj.source.startswith(parsed):
        traj.source = shown + traj.source[len(parsed) :]
    for step in traj.steps:
        if step.source is not None and step.source.file and step.source.file.startswith(parsed):
            step.source.file = shown + step.source.file[len(parsed) :]


def folder_size(root: str) -> int:
    """The bytes of the files under a folder read as one log (OpenCode's storage), symlinked folders not
    followed; one stat per file (``rglob`` with ``is_file`` and ``stat`` took three)."""
    total, stack = 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file():
                        total += entry.stat().st_size
        except OSError:
            continue
    return total
