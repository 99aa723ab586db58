"""Abstention features on real routing sets: how well each separates answerable from no-fit prompts,
and what a coverage-adjusted abstention score would do (measured, not shipped; see docs/routing.md).

For every query of the SWE-bench, public and tune2 sets (route_quality.py builds them) the router is run
with abstention off and these features of its best candidate are recorded: the top score, the margin to
the second, the query's length in terms, how many query terms hit the skill's name+description and its
body, and the *coverage*: the IDF share of the query's 3/6/10 most informative terms (weight × IDF) found
in the top skill's name+description (``cov_meta``), or in it, its body or its best past task (``cov_all``).
Queries anchored to their repository never abstain and are left out of the AUCs.

It prints each feature's AUC (answerable above no-fit) per set on the chosen part, then, for the
candidate score ``top × exp(alpha × cov_all6)``, the threshold learnt on the TUNING parts (most no-fit
abstentions, averaged over the sets, with at most 5% of each set's answerable prompts silenced) and the
abstention rates it gives on the tuning and held-out parts. ``alpha = 0`` is the shipped rule.

    python benchmarks/route_abstention.py [--part tune|heldout] [--alphas 0,0.5,0.82,1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

import route_quality as rq

SETS = ("swe-folder", "swe-nofolder", "public", "tune2")
INF = float("inf")


def features(router: Any, q: dict[str, Any]) -> dict[str, Any]:
    from skillforge.route.evaluate import context_of
    from skillforge.route.query import parse
    from skillforge.route.rank import MAX_QUERY, _contains
    from skillforge.route.score import informative, score_all
    from skillforge.text import tokenize

    idx = router.index
    ms = router.route(q["query"], k=10, context=context_of(q), threshold=0.0)
    parsed = informative(idx, parse(q["query"][:MAX_QUERY]))
    rec: dict[str, Any] = {"nofit": not q["expected"], "nterms": len(parsed.weights)}
    rec["scores"] = [m.score for m in ms] + [0.0, 0.0]
    rec["anchored"] = any(m.anchored for m in ms)
    if not ms:
        return rec

    def idf(t: str) -> float:
        known = [p.idf(p.vocab[t]) for p in (idx.meta, idx.body) if p is not None and t in p.vocab]
        return max(known) if known else idx.meta.unknown_idf()

    i = idx.position(ms[0].name)
    task = score_all(idx, parsed, 20, [i]).best_task.get(i, -1)
    task_terms = set(tokenize(idx.tasks[task])) if task >= 0 else set()
    in_meta = {t for t in parsed.weights if _contains(idx.meta, t, i)}
    in_body = {t for t in parsed.weights if idx.body is not None and _contains(idx.body, t, i)}
    ranked = sorted(parsed.weights, key=lambda t: -parsed.weights[t] * idf(t))
    for n in (3, 6, 10):
        best = ranked[:n]
        total = sum(idf(t) for t in best) or 1.0
        rec[f"cov_meta{n}"] = sum(idf(t) for t in best if t in in_meta) / total
        hit = in_meta | in_body | task_terms
        rec[f"cov_all{n}"] = sum(idf(t) for t in best if t in hit) / total
    rec["meta_hits"], rec["body_hits"] = len(in_meta), len(in_body)
    return rec


def derived(r: dict[str, Any]) -> dict[str, float]:
    s = r["scores"]
    out = {"top": s[0], "margin": s[0] - s[1], "ratio 2nd/top": s[1] / (s[0] or 1.0)}
    out["query terms"] = float(r["nterms"])
    for key in ("cov_meta3", "cov_meta6", "cov_meta10", "cov_all3", "cov_all6", "cov_all10"):
        out[key] = r.get(key, 0.0)
    out["meta hits"], out["body hits"] = r.get("meta_hits", 0), r.get("body_hits", 0)
    return out


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def collect(work: Path) -> list[dict[str, Any]]:
    from skillforge.route import Router

    rows = []
    split = json.loads((rq.SETS / "swebench_split.json").read_text(encoding="utf-8"))["split"]
    lib = rq.swebench_library(work, split)
    router = Router(lib, use_utility=False)
    for part in ("tune", "heldout"):
        for title, queries in rq.swebench_queries(work, lib, split, part).items():
            name = "swe-folder" if title.startswith("with ") else "swe-nofolder"
            rows += [{**features(router, q), "set": name, "part": part} for q in queries]
    router = Router(rq.SKILLS, use_utility=False)
    for name, file in (("public", "public_tasks.jsonl"), ("tune2", "tune2_tasks.jsonl")):
        for part in ("tune", "heldout"):
            rows += [
                {**features(router, q), "set": name, "part": part} for q in rq.public_queries(part, file)
            ]
    return rows


def stat(r: dict[str, Any], alpha: float) -> float:
    return INF if r["anchored"] else r["scores"][0] * math.exp(alpha * r.get("cov_all6", 0.0))


def rates(rows: list[dict[str, Any]], t: float, alpha: float) -> tuple[float, float]:
    nofit = [stat(r, alpha) < t for r in rows if r["nofit"]]
    answer = [stat(r, alpha) < t for r in rows if not r["nofit"]]
    return sum(nofit) / max(len(nofit), 1), sum(answer) / max(len(answer), 1)


def learn(rows: list[dict[str, Any]], alpha: float) -> float:
    values = sorted({stat(r, alpha) for r in rows} - {INF})
    best: list[float] = []
    best_value = -1.0
    for t in [(a + b) / 2 for a, b in pairwise(values)]:
        per = [rates([r for r in rows if r["set"] == s], t, alpha) for s in SETS]
        if max(a for _, a in per) > 0.05 + 1e-9:
            continue
        value = sum(n for n, _ in per) / len(per)
        if value > best_value + 1e-9:
            best, best_value = [t], value
        elif abs(value - best_value) <= 1e-9:
            best.append(t)
    return best[len(best) // 2] if best else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="tune", choices=["tune", "heldout"])
    parser.add_argument("--alphas", default="0,0.5,0.82,1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sf-route-abstain-") as tmp:
        os.environ["SKILLFORGE_HOME"] = str(Path(tmp) / "home")
        rows = collect(Path(tmp))
    part = [r for r in rows if r["part"] == args.part and not r["anchored"]]
    groups = {"public+tune2": [r for r in part if r["set"] in ("public", "tune2")]}
    groups.update({s: [r for r in part if r["set"] == s] for s in SETS})
    print(f"AUC on the {args.part} parts (answerable above no-fit; anchored queries left out)")
    print(f"{'feature':<16}" + "".join(f"{g:>14}" for g in groups))
    counts = [f"{sum(not r['nofit'] for r in g)}/{sum(r['nofit'] for r in g)}" for g in groups.values()]
    print(f"{'answerable/no-fit':<16}" + "".join(f"{c:>14}" for c in counts))
    for key in derived(part[0]):
        values = [
            auc([derived(r)[key] for r in g if not r["nofit"]], [derived(r)[key] for r in g if r["nofit"]])
            for g in groups.values()
        ]
        print(f"{key:<16}" + "".join(f"{v:>14.2f}" for v in values))
    print(
        "\ntop × exp(alpha × cov_all6): threshold learnt on the tuning parts; no-fit / answerable abstained"
    )
    tune = [r for r in rows if r["part"] == "tune"]
    for alpha in (float(a) for a in args.alphas.split(",")):
        t = learn(tune, alpha)
        line = f"alpha {alpha:<5} threshold {t:.3f} |"
        for name in ("tune", "heldout"):
            for s in SETS:
                n, a = rates([r for r in rows if r["part"] == name and r["set"] == s], t, alpha)
                line += f" {name} {s} {n:.2f}/{a:.2f}"
            line += " |"
        print(line)


if __name__ == "__main__":
    main()
