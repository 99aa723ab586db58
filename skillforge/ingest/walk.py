"""Finding log files: paths, folders and globs expanded into the files (and folder-shaped logs) to
read, in sorted order, without following symlinks out of a named folder or into tool folders
(``.git``, ``node_modules`` …). Which format a file holds is decided later, by its content.
"""

from __future__ import annotations

import glob
import operator
import os
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skillforge.errors import InputError
from skillforge.ingest.base import FolderReader


def discover(
    paths: Iterable[str | Path], dir_readers: list[FolderReader], outside: list[str] | None = None
) -> Iterator[Path]:
    """Expand files, folders (recursively, in sorted order) and globs into candidate log paths.

    A folder that one of ``dir_readers`` recognises (an OpenHands event folder) is yielded as the
    folder itself. Symlinks are not followed out of the folder that was named: each one met is added to
    ``outside`` (when given), so that the caller can say so.
    """
    hints = _hints(dir_readers)  # once: a benchmark names thousands of folders
    known: dict[str, str] = {}  # real paths of the named folders' parents (see _real_folder)
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
                real = _real_folder(str(path), known)
                yield from _walk(str(path), path.name, real, _Walk(real, dir_readers, hints, outside=outside))
            elif path.exists():
                yield path
            else:
                raise InputError(f"{path}: no such file or folder", "check the path")


# how the symlinks a walk did not follow out of the folder named are counted (IngestReport.passed_over)
OUTSIDE = "symlink(s) out of the folder named, not followed (name their targets to read them)"
_TOOL_FOLDERS = {".git", "node_modules", "__pycache__", ".venv"}
_NAME = operator.attrgetter("name")


@dataclass
class _Walk:
    """One named folder's walk: its real path (symlinks are not followed out of it), the folder readers,
    the names of which a folder needs one (its own or an entry's) for any of them to be asked about it
    (their ``DIR_NAMES``), and the real paths walked so far (a folder reached again through a symlink is
    walked once, and a symlink loop ends)."""

    root: str
    dir_readers: list[FolderReader]
    hints: frozenset[str] = frozenset()
    seen: set[str] = field(default_factory=set)
    outside: list[str] | None = None  # symlinks met that point out of the folder named (not followed)


def _real_folder(path: str, known: dict[str, str]) -> str:
    """``os.path.realpath(path)``, the real paths of its parents remembered in ``known`` across the
    folders named in one call (a benchmark names thousands side by side): a part that is not a symlink
    costs one ``lstat``, where ``realpath`` asks about every part of every path. POSIX only (Windows'
    ``realpath`` asks the file system for the whole path, the case of its names included). The parents
    are climbed in a loop, not by recursion: a folder named a thousand levels deep is read as before."""
    climbed: list[tuple[str, str]] = []  # (parent, name) from ``path`` up, none of them a symlink
    here = path
    while True:
        parent, name = os.path.split(here)
        if os.path is not posixpath or name in ("", ".", "..") or os.path.islink(here):
            real = os.path.realpath(here)
            break
        climbed.append((parent, name))
        known_parent = known.get(parent)
        if known_parent is not None:
            real = known_parent
            break
        if not parent:
            real = os.path.realpath(parent)
            break
        here = parent
    for parent, name in reversed(climbed):  # down again, each parent's real path remembered
        real = known.setdefault(parent, real)
        real = os.path.join(real, name)
    return real


def _hints(dir_readers: list[FolderReader]) -> frozenset[str]:
    return frozenset().union(*(m.DIR_NAMES for m in dir_readers))


def _walk(here: str, name: str, real: str, walk: _Walk) -> Iterator[Path]:
    """``here`` is the folder's path (normalised, as ``str(Path)`` writes it), ``name`` its last part and
    ``real`` its path with symlinks resolved: computed, not asked of the file system, for every folder
    that is not itself a symlink. Paths are kept as strings (``entry.path``): a ``Path`` is built for a
    file yielded and for a folder a reader is asked about, not for every folder passed through."""
    if real in walk.seen:
        return
    walk.seen.add(real)
    try:
        with os.scandir(here) as found:
            entries = sorted(found, key=_NAME)
    except OSError:
        return
    if walk.dir_readers and _may_claim(walk.hints, name, entries):
        folder = Path(here)
        names = {e.name for e in entries}
        reader = next((m for m in walk.dir_readers if m.detect_dir(folder, names)), None)
        if reader is not None:
            yield folder
            owned = reader.FOLDER_FILES  # None: the whole folder is one log (OpenCode's storage)
            if owned is None or name == "events":
                return
            entries = [e for e in entries if e.name not in owned]  # logs beside an event folder are read
    for entry in entries:
        target = None  # the entry's real path: worked out for folders and symlinks only
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if not _inside(target, walk.root):
                if walk.outside is not None:
                    walk.outside.append(entry.path)
                continue
        if _is_dir(entry):
            if entry.name not in _TOOL_FOLDERS:
                yield from _walk(entry.path, entry.name, target or os.path.join(real, entry.name), walk)
        elif _is_file(entry):  # every file: logs are recognised by content, whatever their names
            yield Path(entry.path)


def _may_claim(hints: frozenset[str], name: str, entries: list[os.DirEntry[str]]) -> bool:
    """Whether a folder reader could claim this folder: its name or one of its entries' is one of the
    readers' ``DIR_NAMES``."""
    if name in hints:
        return True
    for entry in entries:  # noqa: SIM110 - a loop: any() over a generator cost 6% more of the walk
        if entry.name in hints:
            return True
    return False


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
