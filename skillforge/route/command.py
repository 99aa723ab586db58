"""Checks the route commands share: is a folder a skill library at all, and which review branches wait
in it (read from git's refs files: no git process on the route fast path)."""

from __future__ import annotations

import contextlib
import shlex
from pathlib import Path

from skillforge.errors import SkillforgeError
from skillforge.route.folder import require_folder


def check_library(library: Path) -> None:
    """Raise when ``library`` is no skill library at all: no ``skills/`` folder and no skill folders."""
    library = library.absolute()
    require_folder(library)
    inner = library / "skills"
    if inner.is_dir() and not any(inner.glob("*/SKILL.md")) and _is_library(inner):
        raise SkillforgeError(  # the folder above a library (~ when the library is ~/skills)
            f"{library} is not a skill library, but {inner} is (its skills are in {inner / 'skills'})",
            f"pass --library {shlex.quote(str(inner))} or set SKILLFORGE_LIBRARY",
        )
    if inner.is_dir() or (library / "SKILL.md").is_file() or any(library.glob("*/SKILL.md")):
        return
    raise SkillforgeError(
        f"{library} is not a skill library (no skills/ folder and no skill folders in it)",
        "pass --library PATH, set SKILLFORGE_LIBRARY, or make one: skillforge distill LOGS "
        "--library PATH --init",
    )


def _is_library(folder: Path) -> bool:
    """A skill library by its marks: skills in its skills/ folder, or a new one's skills/ folder with
    its skillforge.toml or git repository beside it."""
    inner = folder / "skills"
    if any(inner.glob("*/SKILL.md")):
        return True
    return inner.is_dir() and ((folder / "skillforge.toml").is_file() or (folder / ".git").exists())


def _git_dir(library: Path) -> Path | None:
    """The ``.git`` folder of the repository holding ``library`` (it may be a sub-folder of one)."""
    for folder in (library, *library.parents):
        if (folder / ".git").is_dir():
            return folder / ".git"
    return None


def review_branches(library: Path) -> list[str]:
    """The ``skillforge/*`` review branches of the library's git repository, newest first, read from its
    refs files (no git process, no GitPython: this runs on the route fast path)."""
    git_dir = _git_dir(library.absolute())
    if git_dir is None:
        return []
    found: dict[str, float] = {}
    heads = git_dir / "refs" / "heads"
    with contextlib.suppress(OSError):
        for loose in (heads / "skillforge").rglob("*"):
            if loose.is_file() and not loose.name.endswith(".lock"):
                found[loose.relative_to(heads).as_posix()] = loose.stat().st_mtime
    with contextlib.suppress(OSError):
        for line in (git_dir / "packed-refs").read_text(encoding="utf-8", errors="replace").splitlines():
            ref = line.partition(" ")[2]
            if ref.startswith("refs/heads/skillforge/"):
                found.setdefault(ref.removeprefix("refs/heads/"), 0.0)
    return sorted(found, key=lambda name: (-found[name], name))


def empty_library_note(library: Path, unreadable: int = 0) -> str:
    """Why an empty checked-out library routes nothing: skills it cannot read, no skills at all, or
    skills that wait on review branches."""
    if unreadable:
        return (
            f"{library}: {unreadable} skill folder(s) could not be read, so none is served; "
            f"skillforge validate {shlex.quote(str(library))} says why"
        )
    branches = review_branches(library)
    if not branches:
        return f"{library} has no skills yet (no skill folder with a SKILL.md in it)"
    lib = shlex.quote(str(library.absolute()))
    return (
        f"the checked-out branch of {library} has no skills yet; {len(branches)} review "
        f"branch(es) wait ({branches[0]}{', …' if len(branches) > 1 else ''}): review with "
        f"skillforge diff {branches[0]} --library {lib}, then merge: git -C {lib} merge {branches[0]}"
    )
