"""Reading another program's SQLite database without disturbing it (OpenCode's ``opencode.db``, Cursor's
``state.vscdb``): recognising one by its header and tables, and opening it so that the program that owns
it, maybe running, is never locked or written to.

A database with no write-ahead log beside it is opened ``immutable`` (no locks taken, nothing written).
One with a ``-wal`` file holds recent rows only in that log, which an immutable connection would miss:
the database and its log are copied into a temporary folder and the copy is opened, so the reader sees
what the program last wrote and the program never waits on the reader.
"""

from __future__ import annotations

import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite(head: bytes) -> bool:
    return head.startswith(SQLITE_HEADER)


def tables(path: Path) -> frozenset[str]:
    """The names of a database's tables (empty when it cannot be opened); cached per file version."""
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    return _tables(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _tables(path: str, _mtime: int, _size: int) -> frozenset[str]:
    try:
        with snapshot(Path(path)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except (sqlite3.Error, OSError):
        return frozenset()
    return frozenset(str(r[0]) for r in rows)


def readable(path: Path) -> bool:
    """Whether ``path`` opens as an SQLite database and its schema reads (with tables or none)."""
    try:
        with snapshot(path) as db:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.Error, OSError):
        return False
    return True


@contextmanager
def snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path`` that takes no lock on it (see the module's docstring)."""
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        with tempfile.TemporaryDirectory(prefix="skillforge-db-") as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(tmp) / wal.name)
            db = sqlite3.connect(copy)  # the copy's log is replayed into the copy, never the original
            try:
                db.execute("PRAGMA query_only = ON")
                yield db
            finally:
                db.close()
        return
    db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1", uri=True)
    try:
        yield db
    finally:
        db.close()
