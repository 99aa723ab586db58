"""The numpy BM25 matrix equals the one bm25s builds (same IDF, term frequency and layout)."""

from __future__ import annotations

import random
from pathlib import Path

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
        col = post.indices[post.indptr[t] : post.indptr[t + 1]]
        assert list(col) == sorted(col)


def test_empty_corpus_and_empty_documents() -> None:
    assert bm25_matrix([]).num_docs == 0
    post = bm25_postings([[], ["a", "b"], []])
    assert post.num_docs == 3 and set(post.vocab) == {"a", "b"}
    assert set(int(d) for d in post.indices) == {1}


def test_incremental_rebuild_equals_a_fresh_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import shutil

    from skillforge import Router

    lib = tmp_path / "lib"
    shutil.copytree(Path(__file__).parent / "fixtures" / "route" / "library", lib)
    queries = [
        "npm ci fails with lockfile errors",
        "my commits vanished after rebasing",
        "test_checkout_total fails one run in five",
        "docker build reinstalls everything",
    ]
    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path / "home-a"))
    Router(lib)  # first build
    skill = lib / "skills" / "docker-build-cache" / "SKILL.md"
    skill.write_text(skill.read_text().replace("Speed up slow", "Accelerate sluggish rebuilt"))
    (lib / "skills" / "git-rebase-recovery").rename(lib / "skills" / "git-rebase-rescue")
    other = lib / "skills" / "npm-lockfile-repair" / "SKILL.md"
    other.write_text(other.read_text() + "\n## Mirrors\n\nA zebrafish registry mirror needs its own token.\n")
    prov = lib / ".skillforge" / "provenance.json"
    data = json.loads(prov.read_text())
    first = next(iter(data["skills"]))
    data["skills"][first]["tasks"] = ["a brand new past task about vanished lockfiles"]
    prov.write_text(json.dumps(data))
    incremental = Router(lib)
    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path / "home-b"))
    fresh = Router(lib)
    assert incremental.names == fresh.names
    assert "npm-lockfile-repair" in [m.name for m in incremental.route("zebrafish mirror", threshold=0.0)]
    for q in [*queries, "accelerate sluggish rebuilt docker", "vanished lockfiles", "zebrafish mirror token"]:
        a = incremental.route(q, k=5, threshold=0.0)
        b = fresh.route(q, k=5, threshold=0.0)
        assert [m.name for m in a] == [m.name for m in b]
        assert [m.score for m in a] == pytest.approx([m.score for m in b], rel=1e-5)
