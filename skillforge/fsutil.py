"""Safe file writing: every write is atomic (temp file in the same folder, fsync, rename), and no path
may leave the folder it is meant for (``..``, absolute paths, symlinks out). ``agent_files`` lists what an
agent given a folder could open (validate's safety rules read them; route stamps them)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from skillforge.errors import SkillforgeError


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600 files; keep the old mode or honour umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would resolve outside ``root``."""
    if not relative or relative.startswith(("/", "\\")) or (len(relative) > 1 and relative[1] == ":"):
        raise SkillforgeError(
            f"path {relative!r} is not a relative path inside {root}", "use a relative path"
        )
    if any(part == ".." for part in Path(relative).parts):
        raise SkillforgeError(f"path {relative!r} leaves {root}", "remove '..' from the path")
    candidate = root / relative
    resolved_root = root.resolve()
    try:
        candidate.resolve().relative_to(resolved_root)
    except ValueError:
        raise SkillforgeError(
            f"path {relative!r} resolves outside {root} (through a symlink?)", "remove the symlink"
        ) from None
    return candidate


MAX_FILES = 10_000  # files listed per skill folder, links followed (a link to a big tree stops here)
_SKIPPED_DIRS = frozenset({".git", "__pycache__"})  # version control and bytecode: never read as text


def agent_files(folder: Path) -> Iterator[tuple[str, str]]:
    """(posix path relative to ``folder``, why it cannot be read or "") of every file an agent given
    the folder could open: dot files and dot folders, ``evals/`` and ``node_modules/`` included, and
    links followed (a link to a file is read as its target; a linked folder is walked once, and one that
    holds the skill folder itself is reported, not walked). Only ``.git`` and ``__pycache__`` are
    skipped. At most ``MAX_FILES`` files; past that, one entry says the rest is not read."""
    top = os.path.realpath(folder)
    seen, stack, count = {top}, [("", top)], 0
    while stack:
        here, here_real = stack.pop()
        try:
            with os.scandir(os.path.join(folder, here)) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        dirs: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{here}/{entry.name}" if here else entry.name
            if not _is_dir(entry):
                count += 1
                if count > MAX_FILES:
                    yield rel, f"is past the first {MAX_FILES} files of the skill folder: not read"
                    return
                yield rel, ""
            elif entry.name not in _SKIPPED_DIRS:
                link = entry.is_symlink()  # only a link needs realpath (a walk of every path part)
                real = os.path.realpath(entry.path) if link else os.path.join(here_real, entry.name)
                if link and (top + os.sep).startswith(real.rstrip(os.sep) + os.sep):
                    yield rel, "links a folder that holds the skill folder: not read"
                elif real not in seen:
                    seen.add(real)
                    dirs.append((rel, real))
        stack.extend(reversed(dirs))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through a link
    except OSError:
        return False
