"""A semantic signal from a model that ships inside a package: WordLlama (``pip install wordllama``; its
wheel carries ``weights/l2_supercat_256.safetensors``, 16 MB, and the tokenizer config), measured
against the lexical router (see docs/routing.md, "Semantic signal: WordLlama").

``WordLlama.load()`` in wordllama 0.4.0.post1 looks for the tokenizer under ``wordllama/tokenizer/``
while the wheel ships it under ``wordllama/tokenizers/``, so with no network it tries Hugging Face and
fails; :func:`load` builds the same ``WordLlamaInference`` from the two packaged files directly, with
nothing downloaded. Embeddings are the mean of the token vectors (WordLlama's own pooling), L2-normalised.

Per library, each skill is embedded as ``name + description`` (``nd``), its body's first ``BODY_CHARS``
characters (``body``), and the normalised sum of the two (``ndb``). A query's cosine with each skill is used like benchmarks/route_semantic.py
uses the LSA cosine (its ``stat``/``rates``/``learn`` are reused unchanged, keyed by variant). The query is
embedded two ways: its text (its first ``MAX_QUERY`` characters), and ``/qw``, the router's kept query
terms each embedded alone and weighted ``(1 + ln tf) × IDF`` like the LSA fold-in:

  (a) re-ranking: ``lexical + w × cosine`` over the router's 20 best candidates plus the 5 best by cosine;
  (b) abstention: the best cosine over all skills, the top candidate's cosine, and
      ``top × exp(alpha × cosine of the top)``; every cut is learnt on the TUNING parts per library (the
      most no-fit prompts abstained with at most 5% of each set's answerable ones silenced) and applied
      unchanged to the held-out parts.

    python benchmarks/route_wordllama.py --part tune                    # choose on tune
    python benchmarks/route_wordllama.py --part heldout --only LABEL    # the chosen rule, once
    python benchmarks/route_wordllama.py --cost                         # load and embedding times
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import route_quality as rq
import route_semantic as rs

BODY_CHARS = 4000
POOL, EXTRA = rs.POOL, rs.EXTRA


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load() -> Any:
    """WordLlama's packaged 256-dimension model, read from the wheel's own files (no download)."""
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
        table = f.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer)


def embed(model: Any, texts: list[str]) -> np.ndarray:
    """L2-normalised mean-pooled embeddings (zero rows stay zero)."""
    if not texts:
        return np.zeros((0, 256), np.float32)
    e = model.embed(texts, batch_size=32)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def skill_texts(index: Any) -> tuple[list[str], list[str]]:
    from skillforge.route.skillfile import read
    from skillforge.skills.document import DocumentError

    nd, body = [], []
    for name, desc, path in zip(index.names, index.descriptions, index.paths, strict=True):
        nd.append(f"{name.replace('-', ' ')}: {desc}")
        try:
            body.append(read(Path(path).parent).body[:BODY_CHARS])
        except (DocumentError, OSError):  # a skill the index read but this reader cannot: no body
            body.append("")
    return nd, body


def skill_vectors(model: Any, index: Any) -> dict[str, np.ndarray]:
    nd_text, body_text = skill_texts(index)
    nd, body = embed(model, nd_text), embed(model, body_text)
    return {"nd": nd, "body": body, "ndb": _unit(nd + body)}


def record(router: Any, model: Any, vecs: dict[str, np.ndarray], q: dict[str, Any]) -> dict[str, Any]:
    from skillforge.route.evaluate import context_of
    from skillforge.route.rank import MAX_QUERY

    idx = router.index
    ms = router.route(q["query"], k=POOL, context=context_of(q), threshold=0.0)
    rec: dict[str, Any] = {"expected": q["expected"], "lex": [(m.name, m.score, m.anchored) for m in ms]}
    queries = {"": embed(model, [q["query"][:MAX_QUERY]])[0], "/qw": term_query(model, idx, q["query"])}
    withheld = set(idx.withheld)
    for (key, mat), (mode, qv) in product(vecs.items(), queries.items()):
        rec[key + mode] = rs.cosine_record(idx, ms, mat @ qv, withheld)
    return rec


def term_query(model: Any, idx: Any, text: str) -> np.ndarray:
    """The query as the router reads it: its kept terms' embeddings weighted ``(1 + ln tf) × IDF``."""
    from skillforge.route.query import parse
    from skillforge.route.rank import MAX_QUERY
    from skillforge.route.score import informative

    weights = informative(idx, parse(text[:MAX_QUERY])).weights
    if not weights:
        return np.zeros(256, np.float32)
    terms = list(weights)
    w = np.asarray([weights[t] * rs._idf(idx, t) for t in terms], np.float32)
    v = w @ embed(model, terms)
    return v / max(float(np.linalg.norm(v)), 1e-12)


def collect(work: Path, parts: list[str], model: Any) -> dict[str, Any]:
    from skillforge.route import Router

    out: dict[str, Any] = {}
    split = json.loads((rq.SETS / "swebench_split.json").read_text(encoding="utf-8"))["split"]
    lib = rq.swebench_library(work, split)
    for label, router in (
        ("swe", Router(lib, use_utility=False)),
        ("pool", Router(rq.SKILLS, use_utility=False)),
    ):
        vecs = skill_vectors(model, router.index)
        for part in parts:
            if label == "swe":
                for title, queries in rq.swebench_queries(work, lib, split, part).items():
                    name = "swe-folder" if title.startswith("with ") else "swe-nofolder"
                    out[f"{part}/{name}"] = [record(router, model, vecs, q) for q in queries]
            else:
                for name, file in (("public", "public_tasks.jsonl"), ("tune2", "tune2_tasks.jsonl")):
                    queries = rq.public_queries(part, file)
                    out[f"{part}/{name}"] = [record(router, model, vecs, q) for q in queries]
    return out


VARIANTS = tuple(f"{v}{m}" for v in ("nd", "body", "ndb") for m in ("", "/qw"))


def configs(weights: list[float], alphas: list[float]) -> list[tuple[str, tuple[Any, ...]]]:
    out: list[tuple[str, tuple[Any, ...]]] = [("lexical (shipped rule, cut learnt)", ("top", None, 0.0, 0.0))]
    for v in VARIANTS:
        out += [(f"wl-{v} rerank w={w}", ("top", v, w, 0.0)) for w in weights]
        out += [(f"wl-{v} abstain on best cosine", ("maxcos", v, 0.0, 0.0))]
        out += [(f"wl-{v} abstain on top's cosine", ("topcos", v, 0.0, 0.0))]
        out += [(f"wl-{v} abstain top*exp({a}*cos)", ("expcos", v, 0.0, a)) for a in alphas]
    return out


def show(recs: dict[str, Any], part: str, weights: list[float], alphas: list[float], only: str) -> None:
    sets = rs.SETS
    tune = {s: recs[f"tune/{s}"] for s in sets}
    here = {s: recs[f"{part}/{s}"] for s in sets}
    if not only:
        print(f"\nAUC on the {part} parts (answerable above no-fit, unanchored): " + "  ".join(sets))
        for v in (None, *VARIANTS):
            for kind in ("top",) if v is None else ("maxcos", "topcos"):
                cells = []
                for s in sets:
                    vals = [(rs.stat(r, kind, v, 0.0, 0.0), bool(r["expected"])) for r in here[s]]
                    vals = [(x, a) for x, a in vals if x != rs.INF]
                    cells.append(rs.auc([x for x, a in vals if a], [x for x, a in vals if not a]))
                print(f"  {kind + ('' if v is None else '/' + v):<16}" + "".join(f"{c:>8.2f}" for c in cells))
    print(f"\n{part} parts: R@1 / R@3 / no-fit abstained / answerable abstained (cut learnt on tune)")
    print(f"  {'config':<38}{'cut swe':>8}{'pool':>8}" + "".join(f"{s:>26}" for s in sets))
    fixed = ("top", None, 0.0, 0.0)
    row = "".join(rs._cell(rs.rates(here[s], 0.25, fixed)) for s in sets)
    print(f"  {'lexical, shipped threshold 0.25':<38}{0.25:>8.3f}{0.25:>8.3f}{row}")
    for label, cfg in configs(weights, alphas):
        if only and label not in (only, "lexical (shipped rule, cut learnt)"):
            continue
        cuts = {lib: rs.learn({s: tune[s] for s in ss}, cfg) for lib, ss in rs.LIBRARIES.items()}
        cells = "".join(rs._cell(rs.rates(here[s], cuts[rs._library(s)], cfg)) for s in sets)
        print(f"  {label:<38}{cuts['swe']:>8.3f}{cuts['pool']:>8.3f}{cells}")


def cost(runs: int) -> None:
    """Import + load, and embedding the skills-corpus skills and one query (CPU time, this process)."""
    from skillforge.route import Router

    c0, t0 = cpu(), time.perf_counter()
    model = load()
    print(f"import + load: CPU {1000 * (cpu() - c0):.0f} ms, wall {1000 * (time.perf_counter() - t0):.0f} ms")
    index = Router(rq.SKILLS, use_utility=False).index
    nd, body = skill_texts(index)
    for label, texts in (("name+description", nd), (f"body ({BODY_CHARS} chars)", body)):
        times = []
        for _ in range(runs):
            c0 = cpu()
            embed(model, texts)
            times.append(cpu() - c0)
        print(f"{len(texts)} skills, {label}: CPU median {1000 * sorted(times)[runs // 2]:.0f} ms")
    query = "the stripe webhook handler in our flask app returns 400 on signature verification " * 3
    per = []
    for _ in range(300):
        c0 = cpu()
        embed(model, [query])
        per.append(cpu() - c0)
    per.sort()
    print(f"one query embedded: CPU p50 {1e3 * per[150]:.3f} ms, p99 {1e3 * per[297]:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="tune", choices=["tune", "heldout"])
    parser.add_argument("--weights", default="0.1,0.5")
    parser.add_argument("--alphas", default="2,4,8")
    parser.add_argument("--only", default="", help="held out: print this config (and the lexical rows) only")
    parser.add_argument("--cost", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.cost:
        cost(args.runs)
        return
    weights = [float(w) for w in args.weights.split(",")]
    alphas = [float(a) for a in args.alphas.split(",")]
    try:
        model = load()
    except ImportError:
        raise SystemExit(
            "route_wordllama.py: wordllama is not installed; run `pip install wordllama`"
        ) from None
    with tempfile.TemporaryDirectory(prefix="sf-route-wordllama-") as tmp:
        os.environ["SKILLFORGE_HOME"] = str(Path(tmp) / "home")
        parts = ["tune"] if args.part == "tune" else ["tune", "heldout"]
        recs = collect(Path(tmp), parts, model)
    show(recs, args.part, weights, alphas, args.only)


if __name__ == "__main__":
    main()
