"""The files an ATIF document refers to, found and checked: external subagent trajectories
(``subagent_trajectory_ref[].trajectory_path``) and continuations (``continued_trajectory_ref``: Harbor's
Terminus writes ``trajectory.cont-1.json``, ``-2`` … when it summarises its context). A path must stay
inside the document's folder (absolute paths, ``..`` and symlinks out are refused with one line), each
file is read once, and in a folder walk a file some ``trajectory.json`` refers to is read only through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillforge.ingest.base import MAX_JSON_FILE, ParseContext, as_list
from skillforge.ingest.reading import loads_doc

MARK = b'"ATIF-v'
_CONT = re.compile(r"trajectory\.cont-\d+\.json")  # Harbor Terminus's continuation files


def ref_paths(doc: Any) -> list[str]:
    """The ``trajectory_path`` of every ``subagent_trajectory_ref`` in a document's tool results
    (refs by ``trajectory_id`` alone name embedded ``subagent_trajectories``, read with the document)."""
    found: list[str] = []
    for step in as_list(doc.get("steps")) if isinstance(doc, dict) else []:
        observation = step.get("observation") if isinstance(step, dict) else None
        results = observation.get("results") if isinstance(observation, dict) else None
        for result in results if isinstance(results, list) else []:
            if isinstance(result, dict):
                add_refs(result.get("subagent_trajectory_ref"), found)
    return found


def add_refs(refs: Any, found: list[str]) -> None:
    """The ``trajectory_path`` of each of one result's ``subagent_trajectory_ref``, added to ``found``."""
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, dict) and _str(ref.get("trajectory_path")):
            found.append(ref["trajectory_path"])


def external(path: Path, refs: list[str], ctx: ParseContext, line: int | None) -> Iterator[Path]:
    """The external subagent files a document names (``refs``, as :func:`ref_paths` finds them), inside
    its folder (see :func:`_inside`)."""
    for ref in refs:
        target = _inside(path, ref, ctx, line, "subagent trajectory")
        if target is not None:
            yield target


def _inside(path: Path, ref: str, ctx: ParseContext, line: int | None, what: str) -> Path | None:
    """``ref`` beside ``path`` when it is a file inside ``path``'s folder; a path that leaves it
    (absolute, ``..``, a symlink out) is refused, and a missing file counted, each with one line."""
    target = _resolved(path.parent, ref)
    if target is None:
        ctx.skip(f"{what} path unusable", line, ref[:200])
    elif not target.is_relative_to(path.parent.resolve()):
        ctx.skip(f"{what} path outside the log's folder", line, f"{ref} refused")
    elif not target.is_file():
        ctx.skip(f"{what} file not found", line, ref)
    else:
        return target
    return None


def continuations(path: Path, doc: Any, ctx: ParseContext, line: int | None) -> Iterator[tuple[Path, Any]]:
    """The documents a trajectory goes on in (``continued_trajectory_ref``: Harbor's Terminus writes
    ``trajectory.cont-1.json``, ``-2`` … when it summarises its context), in order, each file once,
    inside the document's folder (as subagent files); a bad one ends the chain with one line."""
    seen: set[Path] | None = None  # resolved only for a document that goes on (a syscall per level)
    while isinstance(doc, dict) and _str(doc.get("continued_trajectory_ref")):
        seen = seen if seen is not None else {path.resolve()}
        target = _inside(path, doc["continued_trajectory_ref"], ctx, line, "continued trajectory")
        if target is None or target in seen:
            return
        seen.add(target)
        loaded = load_sub(target, ctx, line, "continued trajectory")
        if loaded is None:
            return
        doc = loaded[1]
        yield target, doc


def _family(first: Path) -> tuple[frozenset[Path], frozenset[Path]]:
    """The continuation files of the document ``first`` and the external subagent files it and they
    name, resolved, inside its folder (no counting: see :func:`continues` and :func:`referred_by`);
    cached by the file's size and time, so a walk past many segments reads the chain once."""
    try:
        info = first.stat()
    except OSError:
        return frozenset(), frozenset()
    return _family_of(first, info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=8)
def _family_of(first: Path, size: int, mtime: int) -> tuple[frozenset[Path], frozenset[Path]]:
    try:
        doc = loads_doc(first.read_bytes()) if size <= MAX_JSON_FILE else None  # a BOM, Latin-1 read too
    except (OSError, ValueError):
        return frozenset(), frozenset()
    quiet, base = ParseContext(first), first.parent.resolve()
    segments = [(first, doc), *continuations(first, doc, quiet, None)]
    subs = (_resolved(path.parent, ref) for path, part in segments for ref in ref_paths(part))
    inside = frozenset(t for t in subs if t is not None and t.is_relative_to(base))  # refused: not read
    return frozenset(path for path, _ in segments[1:]), inside


def _resolved(folder: Path, ref: str) -> Path | None:
    """``folder / ref`` resolved, or None for a path the system refuses (a NUL byte, too long, a loop)."""
    try:
        target = (folder / ref).resolve()
        target.is_file()  # raises on a name too long for the system
    except (OSError, ValueError, RuntimeError):
        return None
    return target


def load_sub(
    path: Path, ctx: ParseContext, line: int | None, what: str = "subagent trajectory"
) -> tuple[bytes, Any] | None:
    """An external subagent (or continuation) file's bytes and document; a bad one is skipped with one
    line (the document naming it is still read)."""
    try:
        if path.stat().st_size > MAX_JSON_FILE:
            raise ValueError(f"over {MAX_JSON_FILE // 2**20} MiB")
        data = path.read_bytes()
        return data, loads_doc(data)
    except (OSError, ValueError) as exc:  # orjson.JSONDecodeError is a ValueError
        ctx.skip(f"unreadable {what}", line, f"{path.name}: {exc}")
        return None


def continues(path: Path) -> Path | None:
    """The ``trajectory.json`` beside a ``trajectory.cont-N.json`` that continues in it (directly or
    through another continuation): its steps are read as the end of that trajectory, never twice."""
    if not _CONT.fullmatch(path.name):
        return None
    first = path.parent / "trajectory.json"
    return first if first.is_file() and path.resolve() in _family(first)[0] else None


def referred_by(path: Path) -> Path | None:
    """The ``trajectory.json`` beside or above ``path`` whose refs (or its continuations' refs) name it
    (Harbor keeps a trial's trajectory there): such a file is read through that document, never twice."""
    if path.name == "trajectory.json":
        return None
    me: Path | None = None  # resolved only when a document beside or above may name it
    for parent in (path.parent / "trajectory.json", path.parent.parent / "trajectory.json"):
        if parent.is_file():
            me = me or path.resolve()
            if me in _family(parent)[1]:
                return parent
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
