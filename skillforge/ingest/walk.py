"""Finding log files: paths, folders and globs expanded into the files (and folder-shaped logs) to
read, in sorted order, without following symlinks out of a named folder or into tool folders
(``.git``, ``node_modules`` …). Which format a file holds is decided later, by its content.
"""

from __future__ import annotations

import glob
import operator
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skillforge.errors import InputError
from skillforge.ingest.base import FolderReader


def discover(paths: Iterable[str | Path], dir_readers: list[FolderReader]) -> Iterator[Path]:
    """Expand files, folders (recursively, in sorted order) and globs into candidate log paths.

    A folder that one of ``dir_readers`` recognises (an OpenHands event folder) is yielded as the
    folder itself. Symlinks are not followed out of the folder that was named.
    """
    for raw in paths:
        text = str(raw)
        matches = sorted(glob.glob(os.path.expanduser(text), recursive=True)) if _is_glob(text) else [text]
        if not matches:
            raise InputError(
                f"{text}: no such file or folder", "check the path, or quote a glob for skillforge"
            )
        for match in matches:
            path = Path(match)
            if path.is_dir():
                real = os.path.realpath(path)
                yield from _walk(path, real, _Walk(real, dir_readers))
            elif path.exists():
                yield path
            else:
                raise InputError(f"{path}: no such file or folder", "check the path")


_TOOL_FOLDERS = {".git", "node_modules", "__pycache__", ".venv"}
_NAME = operator.attrgetter("name")


@dataclass
class _Walk:
    """One named folder's walk: its real path (symlinks are not followed out of it), the folder readers,
    and the real paths walked so far (a folder reached again through a symlink is walked once, and a
    symlink loop ends)."""

    root: str
    dir_readers: list[FolderReader]
    seen: set[str] = field(default_factory=set)


def _walk(here: Path, real: str, walk: _Walk) -> Iterator[Path]:
    """``real`` is ``here`` with symlinks resolved: computed, not asked of the file system, for every
    folder that is not itself a symlink. Paths below ``here`` are made as its children (``here / name``
    parses the one name, where ``Path(entry.path)`` parses the whole path again)."""
    if real in walk.seen:
        return
    walk.seen.add(real)
    try:
        with os.scandir(here) as found:
            entries = sorted(found, key=_NAME)
    except OSError:
        return
    if walk.dir_readers:
        names = {e.name for e in entries}
        reader = next((m for m in walk.dir_readers if m.detect_dir(here, names)), None)
        if reader is not None:
            yield here
            owned = reader.FOLDER_FILES  # None: the whole folder is one log (OpenCode's storage)
            if owned is None or here.name == "events":
                return
            entries = [e for e in entries if e.name not in owned]  # logs beside an event folder are read
    for entry in entries:
        target = None  # the entry's real path: worked out for folders and symlinks only
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if not _inside(target, walk.root):
                continue
        if _is_dir(entry):
            if entry.name not in _TOOL_FOLDERS:
                yield from _walk(here / entry.name, target or os.path.join(real, entry.name), walk)
        elif _is_file(entry):  # every file: logs are recognised by content, whatever their names
            yield here / entry.name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")
