"""The BM25 score matrix, built with numpy in a few vectorised passes.

The same matrix bm25s builds (its default "lucene" method: IDF ``ln(1 + (N − df + 0.5) / (df + 0.5))``,
term frequency ``tf / (tf + k1·(1 − b + b·dl/avgdl))``; CSC layout term → documents, documents sorted
within a term), but without bm25s's per-document Python loop, so rebuilding the whole matrix
after one skill changed costs tens of milliseconds at 10,000 skills. ``tests/test_route_matrix.py``
checks it against bm25s itself.
"""

from __future__ import annotations

from typing import Any

from skillforge.route.index import Postings

K1, B = 1.2, 0.75


def bm25_matrix(corpus: list[list[str]], k1: float = K1, b: float = B) -> Postings:
    """The BM25 postings of ``corpus`` (one token list per document)."""
    import numpy as np

    vocab: dict[str, int] = {}
    setdefault = vocab.setdefault
    ids = np.asarray([setdefault(t, len(vocab)) for doc in corpus for t in doc], dtype=np.int64)
    lengths = np.fromiter((len(doc) for doc in corpus), dtype=np.int64, count=len(corpus))
    return bm25_from_ids(vocab, ids, lengths, k1, b)


def compact(vocab: dict[str, int], ids: Any) -> tuple[dict[str, int], Any]:
    """Drop the terms no document uses any more and renumber the ids (order kept)."""
    import numpy as np

    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) and bool(np.bincount(ids, minlength=len(vocab)).all()):  # every term still used: O(n)
        return vocab, ids
    used, renumbered = np.unique(ids, return_inverse=True)
    if len(used) == len(vocab):
        return vocab, ids
    keep = {int(t): j for j, t in enumerate(used)}
    return {w: keep[i] for w, i in vocab.items() if i in keep}, renumbered.astype(np.int64)


def bm25_from_ids(vocab: dict[str, int], ids: Any, lengths: Any, k1: float = K1, b: float = B) -> Postings:
    """The BM25 postings of documents given as term ids of ``vocab`` (``ids``: every document's ids one
    after the other, ``lengths``: how many belong to each document)."""
    import numpy as np

    n, v = len(lengths), len(vocab)
    if not len(ids):
        return Postings({}, np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(1, np.int64), n)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keys, tf = np.unique(np.asarray(ids, dtype=np.int64) * n + doc, return_counts=True)  # term-major
    t_of, d_of = keys // n, keys % n
    df = np.bincount(t_of, minlength=v)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    avgdl = max(float(lengths.mean()), 1e-9)
    tf = tf.astype(np.float64)
    norm = k1 * (1 - b + b * lengths[d_of] / avgdl)
    data = idf[t_of] * tf / (tf + norm)
    indptr = np.zeros(v + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return Postings(vocab, data.astype(np.float32), d_of.astype(np.int32), indptr, n)


def as_dense(post: Postings) -> Any:
    """The (documents × terms) matrix as a dense numpy array (for tests and debugging)."""
    import numpy as np

    out = np.zeros((post.num_docs, len(post.vocab)), dtype=np.float32)
    for t in range(len(post.vocab)):
        start, end = int(post.indptr[t]), int(post.indptr[t + 1])
        out[post.indices[start:end], t] = post.data[start:end]
    return out
