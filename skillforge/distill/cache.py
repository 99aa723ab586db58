"""The distill content cache: one JSON file per mapped trajectory, keyed by ``mapper.cache_key(traj)``
(which covers the trajectory's content, the mapper, its model and its prompt templates).

Files live under ``config.cache_dir()/distill/<key[:2]>/<key>.json`` (keys that are not safe file names are hashed) and are written atomically, one per
item as soon as it is mapped, so a re-run over the same logs makes no LLM call and an interrupted run
resumes where it stopped. Failed items are never cached. A corrupt entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import orjson

from skillforge.config import cache_dir
from skillforge.distill.base import MapResult, Usage
from skillforge.fsutil import atomic_write
from skillforge.model import Lesson

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.\-]{4,200}$")


class MapCache:
    """Get and put :class:`MapResult` objects by cache key."""

    def __init__(self, root: Path | None = None):
        self.root = root if root is not None else cache_dir() / "distill"
        self.hits = 0
        self.misses = 0

    def path(self, key: str) -> Path:
        """The entry's file: the key itself when it is a safe file name, else a hash of it."""
        name = key if _SAFE_KEY.match(key) else hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        return self.root / name[:2] / f"{name}.json"

    def get(self, key: str) -> MapResult | None:
        try:
            result = result_from_dict(orjson.loads(self.path(key).read_bytes()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        result.cached = True
        return result

    def put(self, key: str, result: MapResult) -> None:
        if result.error is not None:
            return
        atomic_write(self.path(key), orjson.dumps(result_to_dict(result), option=orjson.OPT_NON_STR_KEYS))

    def redactions(self, trajectory_id: str) -> dict[str, int] | None:
        """The redaction counts recorded for a trajectory (None when never recorded)."""
        try:
            raw = orjson.loads(self._counts_path(trajectory_id).read_bytes())
            return {str(k): int(v) for k, v in raw.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def put_redactions(self, trajectory_id: str, counts: dict[str, int]) -> None:
        atomic_write(self._counts_path(trajectory_id), orjson.dumps(dict(counts)))

    def _counts_path(self, trajectory_id: str) -> Path:
        name = hashlib.blake2b(trajectory_id.encode(), digest_size=16).hexdigest()
        return self.root / "redactions" / name[:2] / f"{name}.json"


def result_to_dict(result: MapResult) -> dict[str, Any]:
    u = result.usage
    return {
        "trajectory_id": result.trajectory_id,
        "lessons": [lesson.to_dict() for lesson in result.lessons],
        "facts": result.facts,
        "dropped": result.dropped,
        "usage": {
            "calls": u.calls,
            "input_tokens": u.input_tokens,
            "output_tokens": u.output_tokens,
            "cache_read_tokens": u.cache_read_tokens,
            "cost": u.cost,
        },
    }


def result_from_dict(d: dict[str, Any]) -> MapResult:
    return MapResult(
        trajectory_id=str(d["trajectory_id"]),
        lessons=[Lesson.from_dict(x) for x in d.get("lessons", [])],
        facts=d.get("facts"),
        usage=Usage(**d.get("usage", {})),
        dropped=dict(d.get("dropped") or {}),
    )
