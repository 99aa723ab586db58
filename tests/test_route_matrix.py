"""The numpy BM25 matrix equals the one bm25s builds (same IDF, term frequency and layout)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from skillforge.route.build import bm25_postings
from skillforge.route.matrix import as_dense, bm25_matrix


def _bm25s_dense(corpus: list[list[str]]) -> tuple[dict[str, int], np.ndarray]:
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(corpus, show_progress=False)
    s = retriever.scores
    vocab = {str(k): int(v) for k, v in retriever.vocab_dict.items() if int(v) < len(s["indptr"]) - 1}
    dense = np.zeros((len(corpus), len(vocab)), dtype=np.float32)
    for t in vocab.values():
        start, end = s["indptr"][t], s["indptr"][t + 1]
        dense[s["indices"][start:end], t] = s["data"][start:end]
    return vocab, dense


def test_matrix_matches_bm25s() -> None:
    rng = random.Random(3)
    words = [f"w{i}" for i in range(60)]
    corpus = [[rng.choice(words) for _ in range(rng.randint(1, 30))] for _ in range(80)]
    post = bm25_matrix(corpus)
    vocab, theirs = _bm25s_dense(corpus)
    mine = as_dense(post)
    order = [post.vocab[t] for t in vocab]  # bm25s numbers terms its own way
    assert mine[:, order] == pytest.approx(theirs, rel=1e-5)
    for t in range(len(post.vocab)):  # documents sorted within each term, as the query code expects
        col = post.indices[post.indptr[t]:post.indptr[t + 1]]
        assert list(col) == sorted(col)


def test_empty_corpus_and_empty_documents() -> None:
    assert bm25_matrix([]).num_docs == 0
    post = bm25_postings([[], ["a", "b"], []])
    assert post.num_docs == 3 and set(post.vocab) == {"a", "b"}
    assert set(int(d) for d in post.indices) == {1}
