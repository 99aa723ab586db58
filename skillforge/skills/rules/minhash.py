"""MinHash signatures and LSH candidate pairs for the duplicate rules (numpy, imported on first use).

A set of 32-bit hashes becomes a 64-value signature (one minimum per random affine permutation);
skills whose signatures share a band of 4 values (16 bands: pairs above ~0.5 Jaccard almost surely
collide) are candidates, and only candidates are compared exactly. Signatures are computed for many
sets at once (one matrix product and one ``minimum.reduceat`` per chunk), with the same values as
one set at a time, and banded with one ``unique`` per band.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

PERMS, BANDS = 64, 16
ROWS = PERMS // BANDS
_CHUNK = 40_000  # hashes per batch: a 64 x _CHUNK uint64 matrix (20 MB)


@cache
def _permutations() -> tuple[Any, Any]:
    """MinHash's random multipliers and offsets."""
    import numpy as np

    rng = np.random.default_rng(20261122)
    return (
        rng.integers(1, 2**63 - 1, size=PERMS, dtype=np.uint64) | np.uint64(1),
        rng.integers(0, 2**63 - 1, size=PERMS, dtype=np.uint64),
    )


def signatures(sets: Sequence[set[int]]) -> Any:
    """A ``len(sets) x 64`` uint64 array: the MinHash signature of each non-empty set (32-bit hashes)."""
    import numpy as np

    out = np.empty((len(sets), PERMS), dtype=np.uint64)
    start = 0
    while start < len(sets):
        end, total = start, 0
        while end < len(sets) and (end == start or total + len(sets[end]) <= _CHUNK):
            total += len(sets[end])
            end += 1
        out[start:end] = _batch(sets[start:end])
        start = end
    return out


def _batch(sets: Sequence[set[int]]) -> Any:
    import numpy as np

    a, b = _permutations()
    sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    x = np.fromiter((h for s in sets for h in s), dtype=np.uint64, count=int(sizes.sum()))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    with np.errstate(over="ignore"):
        values = np.outer(a, x) + b[:, None]
    return np.minimum.reduceat(values, starts, axis=1).T


# CPython's tuple hash (xxHash-based, Objects/tupleobject.c) on 64-bit builds
_XX1, _XX2, _XX5 = 11400714785074694791, 14029467366897019727, 2870177450012600261
_SAME_TUPLE_HASH = sys.hash_info.width == 64 and hash((1, 2)) == -3550055125485641917


def window_hashes(seq: list[int], k: int) -> set[int] | None:
    """``{hash(tuple(seq[i:i+k])) & 0xFFFFFFFF}`` for every window, computed in numpy with CPython's
    own tuple-hash arithmetic (items are non-negative ints below 2**61, whose hash is themselves);
    None where that arithmetic is not the interpreter's (the caller hashes the tuples itself)."""
    if not _SAME_TUPLE_HASH or len(seq) < k:
        return None
    import numpy as np

    s = np.asarray(seq, dtype=np.uint64)
    n = len(seq) - k + 1
    acc = np.full(n, _XX5, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc += s[j : j + n] * np.uint64(_XX2)
            acc = (acc << np.uint64(31)) | (acc >> np.uint64(33))
            acc *= np.uint64(_XX1)
        acc += np.uint64(k ^ (_XX5 ^ 3527539))
    acc[acc == np.uint64(2**64 - 1)] = 1546275796
    return set((acc & np.uint64(0xFFFFFFFF)).tolist())


def candidates(sigs: Any, members: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted pairs (i, j), i < j, of ``members`` (row i of ``sigs`` is member i's signature) that share
    at least one band."""
    import numpy as np

    found: set[tuple[int, int]] = set()
    if len(members) < 2:
        return []
    ids = np.asarray(members)
    for band in range(BANDS):
        part = np.ascontiguousarray(sigs[:, band * ROWS : (band + 1) * ROWS])
        _, inverse, counts = np.unique(part, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        for group in np.flatnonzero(counts > 1):
            same = ids[inverse == group].tolist()
            found.update((x, y) for n, x in enumerate(same) for y in same[n + 1 :])
    return sorted(found)


def similar_pairs(sets: Sequence[set[int]], threshold: float) -> list[tuple[int, int, float]]:
    """(i, j, Jaccard) for pairs of non-empty sets with Jaccard ≥ threshold, via MinHash LSH buckets."""
    members = [i for i, items in enumerate(sets) if items]
    if len(members) < 2:
        return []
    sigs = signatures([sets[i] for i in members])
    pairs = []
    for a, b in candidates(sigs, members):
        score = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
        if score >= threshold:
            pairs.append((a, b, score))
    return pairs
