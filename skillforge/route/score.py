"""Scoring: weighted BM25 of a :class:`~skillforge.route.query.Query` over skills and over past tasks.

``combined = meta / ref_meta + BODY_WEIGHT · body / ref_body + TASK_WEIGHT · best_past_task / ref_task``
where each ``ref`` is the query's reference mass on that index
(:func:`skillforge.route.query.reference_mass`): name and description weigh most (what generalises
across libraries and prompt styles), the body adds the evidence a technical task meets there. Skills that are
withheld (safety findings) are dropped *before* the best ``pool`` are chosen, so asking for k skills
gives k whenever k qualify. numpy scores the Python API and the MCP server; a one-shot process scores
in pure Python over ``array.array`` postings (see :mod:`skillforge.route.index`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skillforge.route.index import Index, Postings
from skillforge.route.intent import KIND_WEIGHT
from skillforge.route.query import MAX_TERMS, Query, keep_informative, reference_mass

TASK_WEIGHT = 1.2
BODY_WEIGHT = 0.5


@dataclass(slots=True)
class Scores:
    """The scores of the best ``pool`` skills: combined, description-only, and their best past task."""

    combined: dict[int, float]
    meta: dict[int, float]
    best_task: dict[int, int]
    # skill -> the bonus in its combined score and the kinds of work that raised it, the strongest first
    # (route.intent); its bonus is the strongest kind's
    kinds: dict[int, tuple[float, tuple[str, ...]]]


def _weighted_ids(post: Postings, query: Query) -> tuple[list[tuple[int, float]], float]:
    """(term id, weight) of the query terms this index knows, and the query's reference mass on it."""
    ids = [(post.vocab[t], w) for t, w in query.weights.items() if t in post.vocab]
    idf = {t: post.idf(post.vocab[t]) for t in query.weights if t in post.vocab}
    return ids, reference_mass(query, idf, post.unknown_idf())


def kind_bonus(index: Index, query: Query) -> dict[int, tuple[float, tuple[str, ...]]]:
    """For each kind of work the task asks for, the one skill whose name and description best describe
    that work (holding at least ``MIN_KIND_WORDS`` of its words): skill -> (bonus, the kinds' names). One
    skill per kind, so a kind adds at most one pointer; a skill two kinds raise gets the larger bonus
    and both names, the stronger first (whatever order the kinds were found in). Skills scoped to a
    repository are left out: they are raised in their repository by the scope, not by what any task
    asks for."""
    out: dict[int, tuple[float, tuple[str, ...]]] = {}
    if not query.kinds:  # most tasks: nothing to build on the hot path
        return out
    post = index.meta
    skip = set(index.withheld).union(*index.repo_skills.values())
    for name, words in query.kinds:
        ids, ref = _weighted_ids(post, Query(words))
        if len(ids) < MIN_KIND_WORDS:
            continue
        best, score = (_best_plain if index.plain else _best_numpy)(post, ids, skip)
        score *= KIND_WEIGHT / ref
        if best < 0:
            continue
        held, names = out.get(best, (0.0, ()))
        out[best] = (score, (name, *names)) if score > held else (held, (*names, name))
    return out


MIN_KIND_WORDS = 2  # one shared word ("code", "work") does not say a skill does that kind of work


def _best_plain(post: Postings, ids: list[tuple[int, float]], skip: set[int]) -> tuple[int, float]:
    """The best-scoring document holding ``MIN_KIND_WORDS`` of the terms and not in ``skip`` (the
    lowest index on a tie), and its score; (-1, 0) when none."""
    scores = bm25_plain(post, ids, 1.0)
    held: dict[int, int] = {}
    for t, _ in ids:
        for doc in post.indices[post.indptr[t] : post.indptr[t + 1]]:
            held[doc] = held.get(doc, 0) + 1
    docs = (i for i in scores if i not in skip and held.get(i, 0) >= MIN_KIND_WORDS)
    best = max(docs, key=lambda i: (scores[i], -i), default=-1)
    return best, scores.get(best, 0.0)


def _best_numpy(post: Postings, ids: list[tuple[int, float]], skip: set[int]) -> tuple[int, float]:
    import numpy as np

    scores = bm25(post, ids)
    held = np.zeros(post.num_docs, dtype=np.int32)
    for t, _ in ids:
        held[post.indices[post.indptr[t] : post.indptr[t + 1]]] += 1
    scores[held < MIN_KIND_WORDS] = 0
    if skip:
        scores[list(skip)] = 0
    best = int(scores.argmax())  # the first of the best: the lowest index on a tie
    return (best, float(scores[best])) if scores[best] > 0 else (-1, 0.0)


def bm25(post: Postings, ids: list[tuple[int, float]]) -> Any:
    import numpy as np

    scores = np.zeros(post.num_docs, dtype=np.float32)
    for t, w in ids:
        start, end = post.indptr[t], post.indptr[t + 1]
        scores[post.indices[start:end]] += np.float32(w) * post.data[start:end]
    return scores


def bm25_plain(post: Postings, ids: list[tuple[int, float]], norm: float) -> dict[int, float]:
    """Pure-Python weighted BM25 over ``array.array`` postings: document -> score / ``norm``."""
    scores: dict[int, float] = {}
    get = scores.get
    for t, w in ids:
        start, end = post.indptr[t], post.indptr[t + 1]
        for doc, value in zip(post.indices[start:end], post.data[start:end], strict=True):
            scores[doc] = get(doc, 0.0) + w * value
    return {doc: value / norm for doc, value in scores.items()}


def informative(index: Index, query: Query) -> Query:
    """The query cut to its most informative terms on this index."""
    if len(query.weights) <= MAX_TERMS:
        return query
    idf: dict[str, float] = {}
    for post in (index.body, index.meta):  # a name or description term weighs as it does there
        if post is not None:
            idf.update((t, post.idf(post.vocab[t])) for t in query.weights if t in post.vocab)
    return keep_informative(query, idf, 0.0)


def score_all(index: Index, query: Query, pool: int, must: list[int] | None = None) -> Scores:
    """Scores of the ``pool`` best skills that may be handed out, plus those of ``must`` that score
    at all (skills anchored to the task's repository), numpy or pure Python."""
    query = informative(index, query)
    must = must or []
    if index.plain:
        return _score_plain(index, query, pool, must)
    import numpy as np

    n = len(index.names)
    meta_ids, meta_ref = _weighted_ids(index.meta, query)
    meta = bm25(index.meta, meta_ids) / np.float32(meta_ref) if meta_ids else np.zeros(n, np.float32)
    per_task = None
    combined = meta
    if index.body is not None:
        body_ids, body_ref = _weighted_ids(index.body, query)
        if body_ids:
            combined = meta + np.float32(BODY_WEIGHT / body_ref) * bm25(index.body, body_ids)
    kinds = kind_bonus(index, query)
    if kinds:
        combined = combined.copy()
        for i, (bonus, _) in kinds.items():
            combined[i] += np.float32(bonus)
    task_ids, task_ref = _weighted_ids(index.task, query) if len(index.tasks) else ([], 1.0)
    if task_ids:
        per_task = bm25(index.task, task_ids) / np.float32(task_ref)
        ptr = index.task_ptr
        has = ptr[1:] > ptr[:-1]
        best = np.zeros(n, dtype=np.float32)
        best[has] = np.maximum.reduceat(per_task, ptr[:-1][has])
        combined = combined + np.float32(TASK_WEIGHT) * best
    withheld = index.withheld
    if withheld:
        combined = combined.copy()
        combined[withheld] = 0
    candidates = np.flatnonzero(combined)
    if len(candidates) > pool:
        candidates = candidates[np.argpartition(-combined[candidates], pool)[:pool]]
    top = list(dict.fromkeys([int(i) for i in candidates] + [i for i in must if combined[i] > 0]))
    return Scores(
        {i: float(combined[i]) for i in top},
        {i: float(meta[i]) for i in top},
        {i: _best_task(index, per_task, i) for i in top},
        {i: kinds[i] for i in top if i in kinds},
    )


def _score_plain(index: Index, query: Query, pool: int, must: list[int]) -> Scores:
    import heapq

    meta_ids, meta_ref = _weighted_ids(index.meta, query)
    meta = bm25_plain(index.meta, meta_ids, meta_ref) if meta_ids else {}
    body: dict[int, float] = {}
    if index.body is not None:
        body_ids, body_ref = _weighted_ids(index.body, query)
        body = bm25_plain(index.body, body_ids, body_ref / BODY_WEIGHT) if body_ids else {}
    kinds = kind_bonus(index, query)
    best: dict[int, tuple[float, int]] = {}
    task_ids, task_ref = _weighted_ids(index.task, query) if len(index.tasks) else ([], 1.0)
    if task_ids:
        for task, value in bm25_plain(index.task, task_ids, task_ref).items():
            skill = index.task_skill[task]
            if value > best.get(skill, (0.0, -1))[0]:
                best[skill] = (value, task)
    withheld = set(index.withheld)
    combined = {
        i: meta.get(i, 0.0)
        + body.get(i, 0.0)
        + kinds.get(i, (0.0, ()))[0]
        + TASK_WEIGHT * best.get(i, (0.0, -1))[0]
        for i in meta.keys() | body.keys() | best.keys() | kinds.keys()
        if i not in withheld
    }
    top = heapq.nlargest(pool, combined, key=combined.__getitem__)
    top = list(dict.fromkeys(top + [i for i in must if combined.get(i, 0.0) > 0]))
    return Scores(
        {i: combined[i] for i in top},
        {i: meta.get(i, 0.0) for i in top},
        {i: best.get(i, (0.0, -1))[1] for i in top},
        {i: kinds[i] for i in top if i in kinds},
    )


def _best_task(index: Index, per_task: Any, i: int) -> int:
    if per_task is None:
        return -1
    start, end = int(index.task_ptr[i]), int(index.task_ptr[i + 1])
    if start == end:
        return -1
    j = start + int(per_task[start:end].argmax())
    return j if per_task[j] > 0 else -1
