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
from typing import Any, TypeGuard

from skillforge.skills.findings_cache import FindingsCache, content_key
from skillforge.skills.rules import minhash
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
    ids = {w: zlib.crc32(w.encode()) for w in set(words)}
    seq = list(map(ids.__getitem__, words))
    fast = minhash.window_hashes(seq, k)  # the same values, in numpy
    if fast is not None:
        return fast
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


similar_pairs = minhash.similar_pairs


def _body_entry(words: list[str]) -> tuple[str, set[int]]:
    """The exact-duplicate digest of a body's words ("" when it has none) and its shingles."""
    joined = " ".join(words)
    digest = hashlib.blake2b(joined.encode(), digest_size=16).hexdigest() if joined else ""
    return digest, word_shingles(words)


def _valid_entry(value: object) -> TypeGuard[list[Any]]:
    """A cached ``[digest, signature]``: the file is data, any other shape means "compute again"."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and len(value[1]) in (0, minhash.PERMS)
        and bool(value[0]) == bool(value[1])  # a body has a signature exactly when it has words
        and all(type(v) is int and 0 <= v < 2**64 for v in value[1])
    )


def body_signatures(bodies: Sequence[str], cache: FindingsCache | None) -> tuple[list[str], Any]:
    """Each body's exact-duplicate digest and MinHash signature (a ``len x 64`` array; rows of bodies
    without shingles are unused), looked up in ``cache`` by the body's content first."""
    import numpy as np

    digests = [""] * len(bodies)
    sigs = np.zeros((len(bodies), minhash.PERMS), dtype=np.uint64)
    keys = [content_key("dup-body", body) for body in bodies] if cache is not None else []
    todo: list[int] = []
    for i in range(len(bodies)):
        value = cache.get(keys[i]) if cache is not None else None
        if _valid_entry(value):
            digests[i] = value[0]
            if value[1]:
                sigs[i] = value[1]
        else:
            todo.append(i)
    entries = [_body_entry(_words(bodies[i])) for i in todo]
    shingled = [i for i, (_, items) in zip(todo, entries, strict=True) if items]
    if shingled:
        sigs[shingled] = minhash.signatures([items for _, items in entries if items])
    for i, (digest, items) in zip(todo, entries, strict=True):
        digests[i] = digest
        if cache is not None:
            cache.put(keys[i], [digest, sigs[i].tolist() if items else []])
    return digests, sigs


def check_library(
    files: Sequence[SkillFile], reported: set[str], cache: FindingsCache | None = None
) -> Iterator[Finding]:
    """Findings for the files whose path is in ``reported`` (the others only serve for comparison).
    ``cache`` keeps each body's digest and signature, so unchanged bodies are not shingled again."""
    loaded = [sf for sf in files if sf.data is not None]
    yield from _names(loaded, reported)
    digests, sigs = body_signatures([sf.body for sf in loaded], cache)
    exact: set[tuple[int, int]] = set()
    by_hash: dict[str, int] = {}
    for i, digest in enumerate(digests):
        if not digest:
            continue
        if digest in by_hash:
            exact.add((by_hash[digest], i))
            yield from _report(DUP_BODY, loaded, by_hash[digest], i, reported, "has the same body as")
        else:
            by_hash[digest] = i
    for a, b, score in _near_pairs(loaded, digests, sigs, cache):
        if (a, b) not in exact:
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


def _near_pairs(
    loaded: Sequence[SkillFile], digests: list[str], sigs: Any, cache: FindingsCache | None
) -> list[tuple[int, int, float]]:
    """(a, b, Jaccard) of bodies at least NEAR_THRESHOLD alike but not the same words: only LSH
    candidates are split into words and shingled again, and each pair's Jaccard is kept in ``cache``
    under the two bodies' digests."""
    shingled: dict[int, set[int]] = {}

    def items(i: int) -> set[int]:
        if i not in shingled:
            shingled[i] = word_shingles(_words(loaded[i].body))
        return shingled[i]

    members = [i for i, digest in enumerate(digests) if digest]
    pairs = []
    for a, b in minhash.candidates(sigs[members], members):
        if digests[a] == digests[b]:  # the same words: an exact duplicate, not a near one
            continue
        key = content_key("dup-pair", digests[a], digests[b]) if cache is not None else ""
        score = cache.get(key) if cache is not None else None
        if type(score) is not float or not 0.0 <= score <= 1.0:
            score = len(items(a) & items(b)) / len(items(a) | items(b))
            if cache is not None:
                cache.put(key, score)
        if score >= NEAR_THRESHOLD:
            pairs.append((a, b, score))
    return pairs


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
