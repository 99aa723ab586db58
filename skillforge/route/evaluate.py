"""``skillforge eval route``: routing quality on labelled queries, beside a description-only baseline.

Queries file: JSON Lines ``{"query": str, "expected": [skill names] (empty: nothing should match),
"repository"?: "owner/name", "cwd"?: folder, "languages"?: [..]}``; ``cwd`` (a working folder, read
like ``skillforge route --cwd``) is resolved against the queries file's folder. Metrics over answerable
queries: Recall@1, Recall@3 (any expected skill in the top 3), MRR; abstention (returning nothing)
on no-fit and on answerable queries. The baseline ranks by BM25 (bm25s) over name and description
alone (how an agent picks from a skill list) and abstains only when no term overlaps.
:mod:`skillforge.route.calibrate` turns the router's scores into a calibration table and a learnt
threshold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillforge.errors import InputError
from skillforge.route.rank import Context, Match

FORMAT = 'each line: {"query": "...", "expected": [...], "cwd"?: "...", "repository"?: "owner/name"}'


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
            cwd = str(rec.get("cwd") or "")
            out.append(
                {
                    "query": str(rec["query"]),
                    "expected": [str(x) for x in rec.get("expected") or []],
                    "repository": str(rec.get("repository") or ""),
                    "cwd": str(path.parent / cwd) if cwd else "",
                    "languages": [str(x) for x in rec.get("languages") or []],
                }
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError(f"{path}:{n}: not a query record", FORMAT) from None
    if not out:
        raise InputError(f"{path}: no queries", FORMAT)
    return out


def context_of(q: dict[str, Any]) -> Context:
    """The query's context: its working folder when given, else its repository and languages."""
    if q.get("cwd"):
        return Context.detect(q["cwd"])
    return Context(q.get("repository", ""), q.get("languages", []))


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
    false_abst = sum(a and not b for a, b in zip(abstained, none_q, strict=True))
    return {
        "recall@1": r1 / n,
        "recall@3": r3 / n,
        "mrr": mrr / n,
        "abstention_precision": true_abst / max(sum(abstained), 1),
        "abstention_recall": true_abst / max(sum(none_q), 1),
        "answerable_abstained": false_abst / n,
    }


def route_all(router: Any, queries: list[dict[str, Any]], k: int) -> list[list[Match]]:
    """Every query routed with abstention off (threshold 0): the scores calibration needs."""
    return [router.route(q["query"], k=k, context=context_of(q), threshold=0.0) for q in queries]


def evaluate(library: Path, queries_file: Path, *, k: int = 3, save: bool = False) -> dict[str, Any]:
    """The router beside the baseline on ``queries_file``; ``save`` stores the learnt threshold."""
    from skillforge.route import Router
    from skillforge.route.calibrate import calibration_table, learn_threshold, routed, save_threshold

    queries = load_queries(queries_file)
    router = Router(library, use_utility=False)
    scored = route_all(router, queries, k)
    learnt = learn_threshold(scored, queries)
    names = [routed(ms, router.threshold) for ms in scored]
    baseline = description_baseline(router, queries, k)
    if save:
        save_threshold(library, learnt, len(queries))
    return {
        "queries": len(queries),
        "skills": len(router.names),
        "threshold": router.threshold,
        "threshold_source": router.threshold_source,
        "router": metrics(names, queries),
        "baseline": metrics(baseline, queries),
        "learnt_threshold": learnt,
        "saved": save,
        "calibration": calibration_table(scored, queries, around=router.threshold),
    }


def description_baseline(router: Any, queries: list[dict[str, Any]], k: int) -> list[list[str]]:
    """bm25s over each skill's name and description, the query as one bag of words."""
    return baseline_rank(
        router.names, router.index.descriptions, [q["query"] for q in queries], k, skip=router.index.withheld
    )


def baseline_rank(
    names: list[str], descriptions: list[str], queries: list[str], k: int, skip: list[int] | None = None
) -> list[list[str]]:
    """The top ``k`` names per query by bm25s over name + description; ``skip``: withheld skills (the
    router never returns them either, so both choose from the same pool)."""
    import bm25s
    import numpy as np

    from skillforge.text import tokenize

    retriever = bm25s.BM25()
    docs = [
        tokenize(n.replace("-", " ") + " " + d) or ["\x00"] for n, d in zip(names, descriptions, strict=True)
    ]
    retriever.index(docs, show_progress=False)
    out: list[list[str]] = []
    for query in queries:
        tokens = [t for t in tokenize(query) if t in retriever.vocab_dict]
        if not tokens:
            out.append([])
            continue
        scores = retriever.get_scores(tokens)
        scores[skip or []] = 0
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        out.append([names[i] for i in order])
    return out
