"""What ``distill --batch`` left with a provider, so that ``distill --resume`` can collect it later,
from another shell or another day.

Everything lives in the library's own ``.git/skillforge/batches/`` (never committed, never pushed;
``config.cache_dir()/batches/<library hash>/`` when the library has no ``.git`` folder):

    pending/<batch id>.json      one per submitted batch: provider, model, the trajectory ids it covers
    answers/<id[:2]>/<id>.json   one per collected answer: the model's text and token usage, or the error
    done/<batch id>.json         a collected batch's record, kept for reference

Every file is written atomically; a batch record moves from ``pending`` to ``done`` only after all of
its answers are on disk, so an interrupted collection is simply repeated.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from skillforge.config import cache_dir
from skillforge.fsutil import atomic_write
from skillforge.providers.base import TokenUsage


@dataclass
class BatchRecord:
    id: str
    provider: str
    model: str
    trajectories: list[str] = field(default_factory=list)
    estimate: float = 0.0  # dollars, at the batch discount
    created: float = field(default_factory=time.time)


@dataclass
class Answer:
    trajectory_id: str
    batch: str
    text: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    error: str | None = None


class BatchState:
    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def for_library(cls, library: Path) -> BatchState:
        library = library.expanduser().resolve()
        if (library / ".git").is_dir():
            return cls(library / ".git" / "skillforge" / "batches")
        digest = hashlib.blake2b(str(library).encode(), digest_size=8).hexdigest()
        return cls(cache_dir() / "batches" / digest)

    # -- batches -----------------------------------------------------------------------------------

    def record(self, batch: BatchRecord) -> Path:
        path = self.root / "pending" / f"{batch.id}.json"
        atomic_write(path, orjson.dumps(asdict(batch), option=orjson.OPT_INDENT_2))
        return path

    def pending(self) -> list[BatchRecord]:
        """Submitted batches not yet collected, oldest first (unreadable records are skipped)."""
        found = []
        for path in sorted((self.root / "pending").glob("*.json")):
            record = _load_record(path)
            if record is not None:
                found.append(record)
        return sorted(found, key=lambda r: (r.created, r.id))

    def pending_ids(self) -> set[str]:
        return {tid for record in self.pending() for tid in record.trajectories}

    def close(self, batch_id: str) -> None:
        """Mark a batch collected: its record moves from pending/ to done/."""
        src = self.root / "pending" / f"{batch_id}.json"
        if src.is_file():
            atomic_write(self.root / "done" / src.name, src.read_bytes())
            src.unlink()

    # -- answers -----------------------------------------------------------------------------------

    def _answer_path(self, trajectory_id: str) -> Path:
        name = (
            hashlib.blake2b(trajectory_id.encode(), digest_size=16).hexdigest()
            if not trajectory_id.isalnum()
            else trajectory_id
        )
        return self.root / "answers" / name[:2] / f"{name}.json"

    def save(self, answer: Answer) -> None:
        atomic_write(self._answer_path(answer.trajectory_id), orjson.dumps(asdict(answer)))

    def answer(self, trajectory_id: str) -> Answer | None:
        try:
            data = orjson.loads(self._answer_path(trajectory_id).read_bytes())
            return Answer(
                data["trajectory_id"],
                data["batch"],
                data.get("text", ""),
                TokenUsage(**data.get("usage", {})),
                data.get("error"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _load_record(path: Path) -> BatchRecord | None:
    try:
        data: dict[str, Any] = orjson.loads(path.read_bytes())
        return BatchRecord(
            str(data["id"]),
            str(data["provider"]),
            str(data.get("model", "")),
            [str(t) for t in data.get("trajectories", [])],
            float(data.get("estimate", 0.0)),
            float(data.get("created", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
