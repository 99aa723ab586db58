"""``skillforge eval route``: routing quality on labelled queries, beside a description-only baseline.

Queries file: JSON Lines ``{"query": str, "expected": [skill names] (empty: nothing should match),
"repository"?: "owner/name", "languages"?: [..]}``. Metrics over answerable queries: Recall@1, Recall@3
(any expected skill in the top 3), MRR; over all queries: abstention precision and recall (abstaining =
returning nothing). The baseline ranks by BM25 over descriptions alone (how an agent picks from a skill
list) and abstains only when no term overlaps. ``calibrated_threshold`` is the abstention threshold
that maximises correct answers (hit in the top k, or abstention on a no-match query).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillforge.errors import InputError
from skillforge.route.rank import Context


def load_queries(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", "pass --queries FILE.jsonl") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            out.append({"query": str(rec["query"]), "expected": [str(x) for x in rec.get("expected") or []],
                        "repository": str(rec.get("repository") or ""),
                        "languages": [str(x) for x in rec.get("languages") or []]})
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}:{n}: not a query record", 'each line: {"query": "...", "expected": [...]}') from None
    if not out:
        raise InputError(f"{path}: no queries", 'each line: {"query": "...", "expected": [...]}')
    return out


def metrics(results: list[list[str]], queries: list[dict[str, Any]]) -> dict[str, float]:
    r1 = r3 = mrr = 0.0
    answerable = [(res, q) for res, q in zip(results, queries, strict=True) if q["expected"]]
    for res, q in answerable:
        ranks = [i for i, name in enumerate(res) if name in q["expected"]]
        if ranks:
            r1 += ranks[0] == 0
            r3 += ranks[0] < 3
            mrr += 1 / (ranks[0] + 1)
    n = max(len(answerable), 1)
    abstained = [not res for res in results]
    none_q = [not q["expected"] for q in queries]
    true_abst = sum(a and b for a, b in zip(abstained, none_q, strict=True))
    return {"recall@1": r1 / n, "recall@3": r3 / n, "mrr": mrr / n,
            "abstention_precision": true_abst / max(sum(abstained), 1),
            "abstention_recall": true_abst / max(sum(none_q), 1)}


def evaluate(library: Path, queries_file: Path, *, k: int = 3) -> dict[str, Any]:
    from skillforge.route import Router

    queries = load_queries(queries_file)
    router = Router(library, use_utility=False)
    scored = [router.route(q["query"], k=k, context=Context(q["repository"], q["languages"]), threshold=0.0)
              for q in queries]
    threshold, f1 = calibrate(scored, queries, k)
    routed = [[m.name for m in ms if m.score >= router.threshold] for ms in scored]
    baseline = description_baseline(router, queries, k)
    return {"queries": len(queries), "skills": len(router.names), "threshold": router.threshold,
            "router": metrics(routed, queries), "baseline": metrics(baseline, queries),
            "calibrated_threshold": threshold, "calibrated_f1": f1}


def calibrate(scored: list[Any], queries: list[dict[str, Any]], k: int) -> tuple[float, float]:
    """The threshold with the most correct outcomes, and its abstention F1."""
    best = (-1, 0.0, 0.0)
    for step in range(0, 101):
        t = step / 100
        correct = tp = fp = fn = 0
        for ms, q in zip(scored, queries, strict=True):
            names = [m.name for m in ms if m.score >= t][:k]
            if q["expected"]:
                correct += any(n in q["expected"] for n in names)
                fp += not names
            else:
                correct += not names
                tp += not names
                fn += bool(names)
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if correct > best[0]:
            best = (correct, t, f1)
    return best[1], best[2]


def description_baseline(router: Any, queries: list[dict[str, Any]], k: int) -> list[list[str]]:
    import bm25s
    import numpy as np

    from skillforge.route.text import tokenize

    names = router.names
    retriever = bm25s.BM25()
    retriever.index([tokenize(d) or ["\x00"] for d in router.index.descriptions], show_progress=False)
    out: list[list[str]] = []
    for q in queries:
        tokens = [t for t in tokenize(q["query"]) if t in retriever.vocab_dict]
        if not tokens:
            out.append([])
            continue
        scores = retriever.get_scores(tokens)
        order = [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]
        out.append([names[i] for i in order])
    return out
