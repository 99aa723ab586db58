"""skillforge's own writer lock on a library, and recovery of git lock files left by killed writers.

``library_lock(git_dir)`` holds ``<git-dir>/skillforge.lock`` (filelock: an OS lock that dies with its
process, so it is never stale) and records who holds it in ``skillforge.lock.owner`` so that a second
writer that gives up can name the other process. Under that lock, ``clear_stale_git_locks`` removes
``index.lock`` files (the repository's and its worktrees') and ref locks under ``refs/heads/skillforge/``
that no live git process owns: a SIGKILLed git leaves them behind and every later git write fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import filelock

from skillforge.errors import LibraryError

LOCK_NAME = "skillforge.lock"
STALE_AFTER = 120.0  # seconds: an index.lock this old is stale when live processes cannot be listed


@contextlib.contextmanager
def library_lock(git_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold skillforge's lock on the library whose git directory is ``git_dir``."""
    path = git_dir / LOCK_NAME
    owner = git_dir / f"{LOCK_NAME}.owner"
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LibraryError(
            f"the library is locked by another skillforge writer ({path}{_describe(owner)})",
            f"wait for it to finish, or stop it; gave up after {timeout:g} s",
        ) from None
    except OSError as exc:
        raise LibraryError(
            f"cannot create the lock {path}: {exc.strerror or exc}",
            "check that you may write to the library's .git folder",
        ) from None
    try:
        with contextlib.suppress(OSError):  # who holds it is only a courtesy to a waiting writer
            owner.write_text(json.dumps(_me()), encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


def _me() -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": time.time(),
        "command": " ".join(sys.argv[:4]),
    }


def _describe(owner: Path) -> str:
    try:
        info = json.loads(owner.read_text(encoding="utf-8"))
        return f", held by pid {info['pid']} on {info['host']}: {info.get('command', '')}".rstrip(": ")
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def clear_stale_git_locks(git_dir: Path, work_tree: Path | None) -> list[Path]:
    """Remove lock files that a killed git left behind; return what was removed.

    A lock is stale when no live git process works in this repository (our own child processes, such
    as GitPython's ``cat-file`` helpers, do not count) and it is either ours (same user) or older than
    :data:`STALE_AFTER`. Where processes cannot be listed (no ``/proc``), only the age decides.
    """
    candidates = [git_dir / "index.lock", git_dir / "packed-refs.lock"]
    candidates += list((git_dir / "worktrees").glob("*/index.lock"))
    candidates += list((git_dir / "refs" / "heads" / "skillforge").rglob("*.lock"))
    present = [p for p in candidates if p.is_file()]
    if not present:
        return []
    live = live_git_processes([git_dir, *([work_tree] if work_tree else [])])
    removed = []
    for path in present:
        if _stale(path, live):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            removed.append(path)
    return removed


def _stale(path: Path, live: list[int] | None) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    old = time.time() - st.st_mtime > STALE_AFTER
    if live is None:
        return old
    mine = hasattr(os, "getuid") and st.st_uid == os.getuid()
    return not live and (old or mine)


def live_git_processes(places: list[Path]) -> list[int] | None:
    """Pids of git processes (not our children) whose working folder is inside one of ``places``;
    None when this system does not let us list processes."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    roots = [p.resolve() for p in places]
    me = os.getpid()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if not (entry / "comm").read_text().strip().startswith("git"):
                continue
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cwd = Path(os.readlink(entry / "cwd")).resolve()
        except (OSError, ValueError, IndexError):
            continue
        if ppid != me and any(cwd == r or r in cwd.parents for r in roots):
            found.append(int(entry.name))
    return found
