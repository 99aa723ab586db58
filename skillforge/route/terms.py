"""Term ids of every indexed document, kept between builds so a rebuild maps only what changed.

Each cache folder holds, beside the BM25 matrices, the term ids of the skill documents and of the
past-task documents (``meta_ids.bin`` / ``meta_lens.bin``, ``task_ids.bin`` / ``task_lens.bin``) in
the ids of that build's vocabulary. The next build of the same library starts from that vocabulary,
takes the unchanged skills' ids as they are (a slice), maps only the changed skills' tokens, and
renumbers at the end (:func:`skillforge.route.matrix.compact`), so one changed skill costs a few
numpy passes instead of re-reading every token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from skillforge.route.index import read_array, read_words

FILES = {
    "meta_ids": "indices",
    "meta_lens": "indptr",
    "body_ids": "indices",
    "body_lens": "indptr",
    "task_ids": "indices",
    "task_lens": "indptr",
}


@dataclass(slots=True)
class Documents:
    """Documents as term ids of one vocabulary, built one document at a time."""

    vocab: dict[str, int]
    chunks: list[Any] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)

    def add_tokens(self, tokens: list[str]) -> None:
        import numpy as np

        vocab = self.vocab
        ids = list(map(vocab.get, tokens))  # known terms: one C-level pass
        if None in ids:
            for i, term in enumerate(tokens):
                if ids[i] is None:
                    ids[i] = vocab.setdefault(term, len(vocab))
        self.chunks.append(np.asarray(ids, dtype=np.int64))
        self.lengths.append(len(tokens))

    def add_ids(self, ids: Any, lengths: Any = None) -> None:
        """Documents already in ids of this vocabulary: one, or several one after the other (``lengths``,
        an array)."""
        self.chunks.append(ids)
        if lengths is None:
            self.lengths.append(len(ids))
        else:
            self.lengths.extend(lengths.tolist())

    def arrays(self) -> tuple[Any, Any]:
        import numpy as np

        ids = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int64)
        return ids.astype(np.int64, copy=False), np.asarray(self.lengths, dtype=np.int64)


@dataclass(slots=True)
class Previous:
    """The last build of a library: its records and each skill's document and past-task ids."""

    records: dict[str, Any]
    meta_vocab: dict[str, int]
    task_vocab: dict[str, int]
    meta: dict[str, Any]  # skill -> ids of its document
    tasks: dict[str, Any]  # skill -> ids of its past tasks, one after the other
    task_lens: dict[str, Any]  # skill -> the length of each of its past tasks
    provenance: str = ""  # (mtime, size) of provenance.json when that build read it
    body_vocab: dict[str, int] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)  # skill -> ids of its body document
    words: dict[str, int] | None = None  # the library's raw word frequencies (None: not kept)

    @classmethod
    def empty(cls) -> Previous:
        return cls({}, {}, {}, {}, {}, {})


def previous(folder: Path, version: str) -> Previous:
    """The newest other cache folder of the same library, if it was built by this index version."""
    parent = folder.parent
    if not parent.is_dir():
        return Previous.empty()
    candidates = sorted(
        (p for p in parent.iterdir() if p.is_dir() and (p / "records.json").is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for candidate in candidates:
        try:
            return _load(candidate, version)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return Previous.empty()


def _load(folder: Path, version: str) -> Previous:
    import numpy as np

    doc = orjson.loads((folder / "records.json").read_bytes())  # holds names and vocabularies too
    if doc.get("version") != version:
        raise ValueError("another index version")
    names: list[str] = doc["names"]
    arrays = {name: read_array(folder, name, kind, False) for name, kind in FILES.items()}
    task_ptr = read_array(folder, "task_ptr", "task_ptr", False)
    task_ids, task_lens = arrays["task_ids"], arrays["task_lens"]
    task_end = np.cumsum(task_lens).tolist()
    if len(task_ptr) != len(names) + 1 or len(task_end) != int(task_ptr[-1]):
        raise ValueError("term ids do not match the index")
    if task_end and task_end[-1] != len(task_ids):
        raise ValueError("lengths do not add up")
    task_start = [0, *task_end]
    ptr = task_ptr.tolist()
    return Previous(
        dict(doc["records"]),
        doc["meta_vocab"],
        doc["task_vocab"],
        _per_skill(names, arrays["meta_ids"], arrays["meta_lens"]),
        {name: task_ids[task_start[ptr[i]] : task_start[ptr[i + 1]]] for i, name in enumerate(names)},
        {name: task_lens[ptr[i] : ptr[i + 1]] for i, name in enumerate(names)},
        str(doc.get("provenance", "")),
        doc["body_vocab"],
        _per_skill(names, arrays["body_ids"], arrays["body_lens"]),
        read_words(folder),
    )


def _per_skill(names: list[str], ids: Any, lens: Any) -> dict[str, Any]:
    """One document per skill, laid one after the other: skill -> its slice of ``ids``."""
    import numpy as np

    end = np.cumsum(lens).tolist()
    if len(end) != len(names) or (end and end[-1] != len(ids)):
        raise ValueError("term ids do not match the index")
    start = [0, *end[:-1]]
    return {name: ids[start[i] : end[i]] for i, name in enumerate(names)}
