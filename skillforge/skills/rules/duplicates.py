"""Duplicates across a library: the same name twice, identical bodies, near-duplicate bodies and two
descriptions that claim the same trigger.

Near duplicates are found without comparing every pair: each body becomes a set of hashed 5-word
shingles, each set a 64-value MinHash signature, and only skills that share a band of 4 values (LSH,
16 bands: pairs above ~0.5 Jaccard almost surely collide) are compared exactly. The "Use when…" part
of each description is treated the same way with single words.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from skillforge.skills.rules.base import Finding, Rule, SkillFile, finding, rule
from skillforge.skills.rules.spec import TRIGGER_RE

DUP_NAME = rule("SF301", "duplicate-name", "error", "give each skill a unique name")
DUP_BODY = rule("SF302", "duplicate-skill", "error", "delete one of the two skills")
NEAR_DUP = rule("SF303", "near-duplicate", "warning", "merge the two skills into one")
TRIGGER_OVERLAP = rule(
    "SF304", "trigger-overlap", "warning", "make each description's 'Use when…' specific, or merge the skills"
)

NEAR_THRESHOLD = 0.8
TRIGGER_THRESHOLD = 0.7
_PERMS, _BANDS = 64, 16
_ROWS = _PERMS // _BANDS
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "this",
        "to",
        "use",
        "used",
        "using",
        "when",
        "whenever",
        "while",
        "with",
        "you",
        "your",
        "skill",
        "skills",
        "user",
        "asks",
        "asked",
        "wants",
        "need",
        "needs",
    ]
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stable_hash(words: Sequence[str]) -> int:
    """A hash that is the same in every process (``hash()`` of a str is salted per process)."""
    return zlib.crc32(" ".join(words).encode())


def shingles(text: str, k: int = 5) -> set[int]:
    """32-bit hashes of the text's ``k``-word shingles. Each distinct word is hashed once (crc32), and a
    shingle is the hash of its words' ints: the same in every process (an int tuple's hash is not
    salted), and about twice as fast as hashing the joined words."""
    return word_shingles(_words(text), k)


def word_shingles(words: list[str], k: int = 5) -> set[int]:
    """:func:`shingles` of a text already split into words (by ``_words``)."""
    if len(words) < k:
        return {_stable_hash(words)} if words else set()
    ids: dict[str, int] = {}
    seq = [ids[w] if w in ids else ids.setdefault(w, zlib.crc32(w.encode())) for w in words]
    tuples = zip(*(seq[j:] for j in range(k)), strict=False)  # each k-word window, shorter tails cut off
    return {hash(t) & 0xFFFFFFFF for t in tuples}


def trigger_words(description: str) -> set[str]:
    """Content words of the description's "Use when…" part (empty when it has none)."""
    m = TRIGGER_RE.search(description)
    if not m:
        return set()
    return {w for w in _words(description[m.start() :]) if w not in _STOP and len(w) > 2}


def distinctive_triggers(triggers: Sequence[set[str]]) -> list[set[int]]:
    """Drop the words most triggers share (a library's own template: "working in", "running its
    tests"), so two skills overlap only on what sets them apart; hash what is left."""
    df: dict[str, int] = defaultdict(int)
    for words in triggers:
        for w in words:
            df[w] += 1
    common = max(2, len([t for t in triggers if t]) // 5)
    out: list[set[int]] = []
    for words in triggers:
        kept = {_stable_hash([w]) for w in words if df[w] <= common}
        out.append(kept if len(kept) >= 3 else set())
    return out


@cache
def _permutations() -> tuple[Any, Any]:
    """MinHash's random multipliers and offsets (numpy is imported only when duplicates are checked)."""
    import numpy as np

    rng = np.random.default_rng(20261122)
    return (
        rng.integers(1, 2**63 - 1, size=_PERMS, dtype=np.uint64) | np.uint64(1),
        rng.integers(0, 2**63 - 1, size=_PERMS, dtype=np.uint64),
    )


def _signature(items: set[int]) -> Any:
    import numpy as np

    a, b = _permutations()
    x = np.fromiter(items, dtype=np.uint64, count=len(items))  # 32-bit hashes: never negative
    with np.errstate(over="ignore"):
        return (np.outer(a, x) + b[:, None]).min(axis=1)


def similar_pairs(sets: Sequence[set[int]], threshold: float) -> list[tuple[int, int, float]]:
    """(i, j, Jaccard) for pairs of non-empty sets with Jaccard ≥ threshold, via MinHash LSH buckets."""
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for i, items in enumerate(sets):
        if not items:
            continue
        sig = _signature(items)
        for band in range(_BANDS):
            buckets[(band, sig[band * _ROWS : (band + 1) * _ROWS].tobytes())].append(i)
    candidates = {
        (a, b)
        for members in buckets.values()
        if len(members) > 1
        for n, a in enumerate(members)
        for b in members[n + 1 :]
    }
    pairs = []
    for a, b in sorted(candidates):
        score = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
        if score >= threshold:
            pairs.append((a, b, score))
    return pairs


def check_library(files: Sequence[SkillFile], reported: set[str]) -> Iterator[Finding]:
    """Findings for the files whose path is in ``reported`` (the others only serve for comparison)."""
    loaded = [sf for sf in files if sf.data is not None]
    yield from _names(loaded, reported)
    words = [_words(sf.body) for sf in loaded]
    bodies = [" ".join(w) for w in words]
    exact: set[tuple[int, int]] = set()
    by_hash: dict[str, int] = {}
    for i, body in enumerate(bodies):
        if not body:
            continue
        digest = hashlib.blake2b(body.encode(), digest_size=16).hexdigest()
        if digest in by_hash:
            exact.add((by_hash[digest], i))
            yield from _report(DUP_BODY, loaded, by_hash[digest], i, reported, "has the same body as")
        else:
            by_hash[digest] = i
    for a, b, score in similar_pairs([word_shingles(w) for w in words], NEAR_THRESHOLD):
        if (a, b) not in exact and bodies[a] != bodies[b]:
            yield from _report(NEAR_DUP, loaded, a, b, reported, f"is {score:.0%} similar to")
    triggers = distinctive_triggers(
        [trigger_words(str((sf.data or {}).get("description", ""))) for sf in loaded]
    )
    for a, b, score in similar_pairs(triggers, TRIGGER_THRESHOLD):
        yield from _report(
            TRIGGER_OVERLAP,
            loaded,
            a,
            b,
            reported,
            f"claims the same trigger ({score:.0%} overlap) as",
            key="description",
        )


def _names(files: Sequence[SkillFile], reported: set[str]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, sf in enumerate(files):
        name = (sf.data or {}).get("name")
        if not isinstance(name, str) or not name:
            continue
        if name in first:
            yield from _report(DUP_NAME, files, first[name], i, reported, "has the same name as", key="name")
        else:
            first[name] = i


def _report(
    r: Rule, files: Sequence[SkillFile], a: int, b: int, reported: set[str], what: str, key: str | None = None
) -> Iterator[Finding]:
    """One finding, on the second skill of the pair when it is reported, else on the first."""
    for this, other in ((b, a), (a, b)):
        sf = files[this]
        if sf.path in reported:
            line = sf.line_of(key) if key else sf.body_line
            yield finding(r, sf.path, line, f"this skill {what} {files[other].path}")
            return
