"""Safe file writing: every write is atomic (temp file in the same folder, fsync, rename), and no path
may leave the folder it is meant for (``..``, absolute paths, symlinks out)."""

from __future__ import annotations

import contextlib
import os
import tempfile
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
