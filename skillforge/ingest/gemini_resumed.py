"""Gemini CLI sessions saved twice: resuming a <= 0.38 ``.json`` conversation (0.39 on) writes a
``session-*-<id8>.jsonl`` log beside it, with the same session id and the history, and the log is the one
to read (trajectory-formats-more.md, Gemini CLI pitfalls).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import HEAD_BYTES


def resumed_as_jsonl(path: Path, doc: dict[str, Any]) -> bool:
    """Whether a ``session-*-<id8>.jsonl`` log beside this ``.json`` conversation has its session id:
    resuming a ≤ v0.38 session writes such a log, history included, and the log is the one to read."""
    sid = doc.get("sessionId")
    if type(sid) is not str or len(sid) < 8 or path.suffix.lower() != ".json":
        return False
    folder = str(path.parent)
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return False
    for name in _session_logs(folder, changed).get(sid[:8], ()):
        try:
            with open(os.path.join(folder, name), "rb") as fh:
                header = orjson.loads(fh.readline(HEAD_BYTES))
        except (OSError, orjson.JSONDecodeError):
            continue
        if type(header) is dict and header.get("sessionId") == sid:
            return True
    return False


@functools.lru_cache(maxsize=16)
def _session_logs(folder: str, changed: int) -> dict[str, tuple[str, ...]]:
    """The ``session-*-<id8>.jsonl`` logs of a chats folder by ``<id8>``, listed once per folder and
    change time (``changed``): a glob per ``.json`` made a folder of them quadratic (Gemini JSON ingest
    went from 2.8 to 4.2 times the raw parse)."""
    found: dict[str, list[str]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name  # session-<anything>-<id8>.jsonl, as the glob session-*-<id8>.jsonl
                if (
                    len(name) >= 23
                    and name.startswith("session-")
                    and name.endswith(".jsonl")
                    and name[-15] == "-"
                ):
                    found.setdefault(name[-14:-6], []).append(name)
    except OSError:
        return {}
    return {id8: tuple(sorted(names)) for id8, names in found.items()}
