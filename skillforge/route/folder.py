"""The one check every way into a library makes first: the path is a folder (not a file, not missing).
A leaf module: the router imports it on every prompt's path, so it imports only the error type."""

from __future__ import annotations

from pathlib import Path

from skillforge.errors import SkillforgeError


def require_folder(library: Path) -> None:
    """Raise when ``library`` is a file or missing (one stat when it is a folder: route runs per prompt)."""
    if library.is_dir():
        return
    if library.is_file():
        raise SkillforgeError(
            f"{library} is a file, not a folder", "pass the library's folder with --library"
        )
    raise SkillforgeError(
        f"{library}: no such skill library", "pass --library PATH or set SKILLFORGE_LIBRARY"
    )
