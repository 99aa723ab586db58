"""A semantic signal learnt per library with nothing downloaded: latent semantic analysis (LSA), measured
against the lexical router (measured, not shipped; see docs/routing.md, "what was tried").

fastembed, model2vec and sentence-transformers download their models at run time (WordLlama ships one in
its wheel: benchmarks/route_wordllama.py), so this measures the offline signal learnt from the library itself. Per
library, the skill × term matrix of the route index (BM25 weights, which carry IDF: name+description
+ 0.5 × body + 0.5 × the mean of the skill's past tasks, terms used by at least ``MIN_DF`` skills, rows
L2-normalised) is cut to its ``dims`` leading singular vectors by a randomised SVD (numpy only: bm25s
needs numpy alone, scipy is not installed). A query (its terms weighted ``(1 + ln tf) × IDF``) is folded
into that space; its cosine with each skill is

  (a) a re-ranking feature: ``lexical + w × cosine`` over the router's 20 best candidates plus the 5 best
      skills by cosine (which may share no word with the query);
  (b) an abstention signal: the best cosine (over all skills, or of the top candidate), and
      ``top × exp(alpha × cosine of the top)``; thresholds are learnt on the TUNING parts (per library: the cut that
      abstains on the most no-fit prompts while silencing at most 5% of each set's answerable ones,
      as route_abstention.py does) and applied unchanged to the held-out parts.

The lexical router (threshold 0.25) is the reference row. ``--cost N`` times the LSA build and a query's
fold-in + cosine on a generated library of N skills (benchmarks/route.py's generator).

    python benchmarks/route_semantic.py [--part tune|heldout] [--dims 50,100,200] [--weights 0.1,0.25,0.5,1]
    python benchmarks/route_semantic.py --cost 10000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import route_quality as rq

SETS = ("swe-folder", "swe-nofolder", "public", "tune2")
LIBRARIES = {"swe": ("swe-folder", "swe-nofolder"), "pool": ("public", "tune2")}  # cuts are per library
MIN_DF = 2
POOL, EXTRA = 20, 5
INF = float("inf")


def _coo(post: Any, col_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, shared column, value) of every entry of a CSC postings matrix."""
    counts = np.diff(np.asarray(post.indptr))
    terms = np.repeat(np.arange(len(counts)), counts)
    return np.asarray(post.indices, np.int64), col_of[terms], np.asarray(post.data, np.float64)


def term_matrix(index: Any) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
    """The skill × term matrix (COO, shared vocabulary of name+description, body and past tasks)."""
    vocab: dict[str, int] = {}
    parts = []
    posts = [(index.meta, 1.0), (index.body, 0.5)] + ([(index.task, 0.5)] if len(index.tasks) else [])
    for post, weight in posts:
        if post is None:
            continue
        col_of = np.asarray([vocab.setdefault(t, len(vocab)) for t in post.vocab], np.int64)
        rows, cols, vals = _coo(post, col_of) if len(col_of) else (np.zeros(0, np.int64),) * 3
        if post is index.task:  # a task document -> its skill, averaged over the skill's tasks
            skill = np.asarray(index.task_skill, np.int64)[rows]
            per = np.maximum(np.diff(np.asarray(index.task_ptr)), 1)[skill]
            rows, vals = skill, vals / per
        parts.append((rows, cols, vals * weight))
    n = len(index.names)
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    vals = np.concatenate([p[2] for p in parts])
    keys, inverse = np.unique(rows * len(vocab) + cols, return_inverse=True)
    vals = np.bincount(inverse, weights=vals)
    rows, cols = keys // len(vocab), keys % len(vocab)
    df = np.bincount(cols, minlength=len(vocab))
    keep = df >= MIN_DF
    new = np.cumsum(keep) - 1
    mask = keep[cols]
    rows, cols, vals = rows[mask], new[cols[mask]], vals[mask]
    norms = np.sqrt(np.bincount(rows, weights=vals**2, minlength=n))
    vals = vals / np.maximum(norms[rows], 1e-12)
    kept = {t: int(new[i]) for t, i in vocab.items() if keep[i]}
    return kept, rows, cols, vals, n, df


def lsa(index: Any, dims: int, seed: int = 0) -> dict[str, Any]:
    """Randomised truncated SVD (Halko et al., 2 power iterations) of the library's term matrix (dense
    float32: skills × terms used by at least ``MIN_DF`` skills)."""
    vocab, rows, cols, vals, n, _ = term_matrix(index)
    v = len(vocab)
    x = np.zeros((n, v), np.float32)
    x[rows, cols] = vals
    r = min(dims + 10, n, v)
    rng = np.random.default_rng(seed)
    y = x @ rng.standard_normal((v, r)).astype(np.float32)
    for _ in range(2):
        y = x @ _orth(x.T @ _orth(y))
    q = _orth(y)
    _, s, vt = np.linalg.svd(q.T @ x, full_matrices=False)
    k = min(dims, len(s))
    terms = np.ascontiguousarray(vt[:k].T, dtype=np.float32)  # v × k
    docs = x @ terms  # X V = U S
    docs /= np.maximum(np.linalg.norm(docs, axis=1, keepdims=True), 1e-12)
    idf = {t: _idf(index, t) for t in vocab}
    return {"vocab": vocab, "terms": terms, "docs": docs, "idf": idf, "dims": k}


def _orth(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of ``y``'s columns through the eigenvectors of its small Gram matrix
    (numpy's Householder QR of a tall 10,000 × 110 matrix took 0.7 s here)."""
    g = (y.T @ y).astype(np.float64)
    s, v = np.linalg.eigh(g)
    keep = s > s.max() * 1e-10
    return (y @ (v[:, keep] / np.sqrt(s[keep])).astype(np.float32)).astype(np.float32)


def _idf(index: Any, t: str) -> float:
    known = [p.idf(p.vocab[t]) for p in (index.meta, index.body) if p is not None and t in p.vocab]
    return max(known) if known else index.meta.unknown_idf()


def cosines(model: dict[str, Any], weights: dict[str, float]) -> np.ndarray:
    """The query's cosine with every skill in the latent space (zeros when no term is known)."""
    vocab, idf = model["vocab"], model["idf"]
    hits = [(vocab[t], w * idf[t]) for t, w in weights.items() if t in vocab]
    if not hits:
        return np.zeros(len(model["docs"]), np.float32)
    ids = np.fromiter((i for i, _ in hits), np.int64, len(hits))
    ws = np.fromiter((w for _, w in hits), np.float32, len(hits))
    q = ws @ model["terms"][ids]
    norm = float(np.linalg.norm(q))
    return model["docs"] @ (q / norm) if norm else np.zeros(len(model["docs"]), np.float32)


def record(router: Any, models: dict[int, Any], q: dict[str, Any]) -> dict[str, Any]:
    from skillforge.route.evaluate import context_of
    from skillforge.route.query import parse
    from skillforge.route.rank import MAX_QUERY
    from skillforge.route.score import informative

    idx = router.index
    ms = router.route(q["query"], k=POOL, context=context_of(q), threshold=0.0)
    weights = informative(idx, parse(q["query"][:MAX_QUERY])).weights
    rec: dict[str, Any] = {"expected": q["expected"], "lex": [(m.name, m.score, m.anchored) for m in ms]}
    withheld = set(idx.withheld)
    for dims, model in models.items():
        rec[dims] = cosine_record(idx, ms, cosines(model, weights), withheld)
    return rec


def cosine_record(idx: Any, ms: list[Any], cos: np.ndarray, withheld: set[int]) -> dict[str, Any]:
    """What a run keeps of one query's cosines with every skill: the lexical candidates', the best
    ``EXTRA`` others (withheld skills left out) and the highest."""
    order = [int(i) for i in np.argsort(-cos)[: EXTRA + len(withheld)] if int(i) not in withheld][:EXTRA]
    return {
        "cand": {m.name: float(cos[idx.position(m.name)]) for m in ms},
        "extra": [(idx.names[i], float(cos[i])) for i in order],
        "max": float(max((c for i, c in enumerate(cos) if i not in withheld), default=0.0)),
    }


def ranked(rec: dict[str, Any], dims: int | None, w: float) -> list[tuple[str, float, bool]]:
    """(name, mixed score, anchored), best first."""
    if dims is None or w == 0:
        return list(rec["lex"])
    sem = rec[dims]
    out = {name: (s + w * sem["cand"][name], a) for name, s, a in rec["lex"]}
    for name, c in sem["extra"]:
        out.setdefault(name, (w * c, False))
    return sorted(((n, s, a) for n, (s, a) in out.items()), key=lambda x: -x[1])


def stat(rec: dict[str, Any], kind: str, dims: int | None, w: float, alpha: float) -> float:
    """The abstention statistic of one query (INF: anchored, never abstains)."""
    rows = ranked(rec, dims, w)
    if any(a for _, _, a in rows[:3]):
        return INF
    if not rows:
        return 0.0
    top_name, top, _ = rows[0]
    if kind == "top":
        return top
    if kind == "maxcos":
        return rec[dims]["max"]
    if kind == "topcos":
        return rec[dims]["cand"].get(top_name, 0.0) if rec["lex"] else 0.0
    lex_top = rec["lex"][0][1] if rec["lex"] else 0.0
    c = rec[dims]["cand"].get(rec["lex"][0][0], 0.0) if rec["lex"] else 0.0
    return lex_top * math.exp(alpha * c)


def rates(recs: list[dict[str, Any]], t: float, cfg: tuple[Any, ...]) -> dict[str, float]:
    kind, dims, w, alpha = cfg
    r1 = r3 = nofit = nofit_abst = answer_abst = 0
    for rec in recs:
        abstain = stat(rec, kind, dims, w, alpha) < t
        names = [n for n, _, _ in ranked(rec, dims, w)][:3]
        if not rec["expected"]:
            nofit += 1
            nofit_abst += abstain
            continue
        answer_abst += abstain
        if not abstain and names:
            r1 += names[0] in rec["expected"]
            r3 += bool(set(names) & set(rec["expected"]))
    a = max(len(recs) - nofit, 1)
    return {"r1": r1 / a, "r3": r3 / a, "nofit": nofit_abst / max(nofit, 1), "answer": answer_abst / a}


def learn(by_set: dict[str, list[dict[str, Any]]], cfg: tuple[Any, ...]) -> float:
    kind, dims, w, alpha = cfg
    values = sorted({stat(r, kind, dims, w, alpha) for recs in by_set.values() for r in recs} - {INF})
    best, best_value = [0.0], -1.0
    for t in [(a + b) / 2 for a, b in pairwise([0.0, *values])]:
        per = [rates(recs, t, cfg) for recs in by_set.values()]
        if max(p["answer"] for p in per) > 0.05 + 1e-9:
            continue
        value = sum(p["nofit"] for p in per) / len(per)
        if value > best_value + 1e-9:
            best, best_value = [t], value
        elif abs(value - best_value) <= 1e-9:
            best.append(t)
    return best[len(best) // 2]


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def collect(work: Path, parts: list[str], dims: list[int]) -> tuple[dict[str, Any], dict[str, float]]:
    from skillforge.route import Router

    out: dict[str, Any] = {}
    build: dict[str, float] = {}
    split = json.loads((rq.SETS / "swebench_split.json").read_text(encoding="utf-8"))["split"]
    lib = rq.swebench_library(work, split)
    libs = [("swe", Router(lib, use_utility=False)), ("pool", Router(rq.SKILLS, use_utility=False))]
    for label, router in libs:
        t0 = time.perf_counter()
        models = {d: lsa(router.index, d) for d in dims}
        build[label] = (time.perf_counter() - t0) / len(dims)
        for part in parts:
            if label == "swe":
                for title, queries in rq.swebench_queries(work, lib, split, part).items():
                    name = "swe-folder" if title.startswith("with ") else "swe-nofolder"
                    out[f"{part}/{name}"] = [record(router, models, q) for q in queries]
            else:
                for name, file in (("public", "public_tasks.jsonl"), ("tune2", "tune2_tasks.jsonl")):
                    queries = rq.public_queries(part, file)
                    out[f"{part}/{name}"] = [record(router, models, q) for q in queries]
    return out, build


def configs(dims: list[int], weights: list[float], alphas: list[float]) -> list[tuple[str, tuple[Any, ...]]]:
    out: list[tuple[str, tuple[Any, ...]]] = [("lexical (shipped rule, cut learnt)", ("top", None, 0.0, 0.0))]
    for d in dims:
        out += [(f"lsa{d} rerank w={w}", ("top", d, w, 0.0)) for w in weights]
        out += [(f"lsa{d} abstain on best cosine", ("maxcos", d, 0.0, 0.0))]
        out += [(f"lsa{d} abstain on top's cosine", ("topcos", d, 0.0, 0.0))]
        out += [(f"lsa{d} abstain top*exp({a}*cos)", ("expcos", d, 0.0, a)) for a in alphas]
    return out


def show(recs: dict[str, Any], part: str, dims: list[int], weights: list[float], alphas: list[float]) -> None:
    tune = {s: recs[f"tune/{s}"] for s in SETS}
    here = {s: recs[f"{part}/{s}"] for s in SETS}
    print(f"\nAUC of the semantic features on the {part} parts (answerable above no-fit, unanchored)")
    for d in dims:
        line = f"  lsa{d}:"
        for kind in ("top", "maxcos", "topcos"):
            for s in SETS:
                vals = [(stat(r, kind, d, 0.0, 0.0), bool(r["expected"])) for r in here[s]]
                vals = [(v, a) for v, a in vals if v != INF]
                pos, neg = [v for v, a in vals if a], [v for v, a in vals if not a]
                line += f" {kind}/{s} {auc(pos, neg):.2f}"
        print(line)
    print(f"\n{part} parts: R@1 / R@3 / no-fit abstained / answerable abstained (cut learnt on tune)")
    print(f"  {'config':<36}{'cut swe':>7}{'pool':>7}" + "".join(f"{s:>26}" for s in SETS))
    fixed = ("top", None, 0.0, 0.0)
    row = "".join(_cell(rates(here[s], 0.25, fixed)) for s in SETS)
    print(f"  {'lexical, shipped threshold 0.25':<36}{0.25:>7.3f}{0.25:>7.3f}{row}")
    for label, cfg in configs(dims, weights, alphas):
        cuts = {lib: learn({s: tune[s] for s in sets}, cfg) for lib, sets in LIBRARIES.items()}
        cells = "".join(_cell(rates(here[s], cuts[_library(s)], cfg)) for s in SETS)
        print(f"  {label:<36}{cuts['swe']:>7.3f}{cuts['pool']:>7.3f}{cells}")


def _library(s: str) -> str:
    return next(lib for lib, sets in LIBRARIES.items() if s in sets)


def _cell(r: dict[str, float]) -> str:
    return f"{r['r1']:>8.2f}{r['r3']:>6.2f}{r['nofit']:>6.2f}{r['answer']:>6.2f}"


def cost(n: int, dims: int, runs: int) -> None:
    import route

    from skillforge.route.query import parse
    from skillforge.route.score import informative

    with tempfile.TemporaryDirectory(prefix="sf-route-semantic-") as tmp:
        os.environ["SKILLFORGE_HOME"] = str(Path(tmp) / "home")
        lib = route.generate(Path(tmp) / "lib", n)
        from skillforge.route import Router

        index = Router(lib, use_utility=False).index
        builds = []
        for _ in range(runs):
            t0 = time.perf_counter()
            model = lsa(index, dims)
            builds.append(time.perf_counter() - t0)
        size = model["terms"].nbytes + model["docs"].nbytes
        per = []
        for text in route.queries(300):
            weights = informative(index, parse(text)).weights
            t0 = time.perf_counter()
            cosines(model, weights)
            per.append((time.perf_counter() - t0) * 1000)
        per.sort()
        print(
            f"{n} skills, {len(model['vocab'])} terms, {dims} dims: LSA build median "
            f"{statistics.median(builds):.2f} s ({min(builds):.2f}-{max(builds):.2f}), cached arrays "
            f"{size / 1e6:.1f} MB; fold-in + cosine with every skill per query p50 "
            f"{per[len(per) // 2]:.3f} ms, p99 {per[int(len(per) * 0.99)]:.3f} ms (on top of BM25)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="tune", choices=["tune", "heldout"])
    parser.add_argument("--dims", default="50,100,200")
    parser.add_argument("--weights", default="0.1,0.25,0.5,1")
    parser.add_argument("--alphas", default="1,2,4")
    parser.add_argument("--cost", type=int, default=0, help="time build and query at this many skills")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dims = [int(d) for d in args.dims.split(",")]
    if args.cost:
        cost(args.cost, dims[0], args.runs)
        return
    weights = [float(w) for w in args.weights.split(",")]
    alphas = [float(a) for a in args.alphas.split(",")]
    with tempfile.TemporaryDirectory(prefix="sf-route-semantic-") as tmp:
        os.environ["SKILLFORGE_HOME"] = str(Path(tmp) / "home")
        parts = ["tune"] if args.part == "tune" else ["tune", "heldout"]
        recs, build = collect(Path(tmp), parts, dims)
    print("LSA build per library (s, mean over dims): " + ", ".join(f"{k} {v:.2f}" for k, v in build.items()))
    show(recs, args.part, dims, weights, alphas)


if __name__ == "__main__":
    main()
