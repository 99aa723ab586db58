"""Offline miner throughput without the pipeline around it: ingest the mini-swe-agent corpus N/100
times (each pass gets its own trajectory ids), map every run, reduce, gate on support and consolidate.

    python benchmarks/offline_miners.py [--runs 1000] [--corpus ../shared/corpus]

Prints seconds per stage, runs per second and the facts' mean size. Target for the whole offline
distill: 1,000 runs in under 60 s on 2 cores including ingest.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--profile", action="store_true", help="print the 15 most expensive functions")
    parser.add_argument(
        "--halves",
        action="store_true",
        help="held-out check: mine each half of the corpus (split by a hash of the instance id) "
        "apart and print the outcome-contrast lessons each half gives",
    )
    args = parser.parse_args()
    if args.halves:
        return halves(args.corpus)
    from skillforge.distill.base import MapResult
    from skillforge.distill.offline import OfflineConsolidator, OfflineMapper
    from skillforge.ingest import read
    from skillforge.ingest.labels import load_labels

    mini = args.corpus / "mini-swe-agent"
    labels, _ = load_labels([mini / "labels.json"])
    mapper = OfflineMapper()
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    ingest = mapping = 0.0
    results: list[MapResult] = []
    passes = 0
    while len(results) < args.runs:
        start = time.perf_counter()
        trajs = list(read([mini / "trajs"], labels=labels))
        ingest += time.perf_counter() - start
        start = time.perf_counter()
        for traj in trajs[: args.runs - len(results)]:
            traj.id = f"{traj.id}-{passes}"
            results.append(mapper.map(traj))
        mapping += time.perf_counter() - start
        passes += 1
    start = time.perf_counter()
    lessons = [le for le in mapper.reduce(results) if le.support >= 2]
    reduce_s = time.perf_counter() - start
    start = time.perf_counter()
    edits = OfflineConsolidator().consolidate(lessons, [])
    consolidate_s = time.perf_counter() - start
    if prof:
        prof.disable()
    total = ingest + mapping + reduce_s + consolidate_s
    size = sum(len(json.dumps(r.facts)) for r in results) / max(1, len(results))
    print(
        f"runs: {len(results)}  ingest: {ingest:.2f} s  map: {mapping:.2f} s  reduce: {reduce_s:.2f} s  "
        f"consolidate: {consolidate_s:.2f} s  total: {total:.2f} s  ({len(results) / total:.0f} runs/s, one core)"
    )
    print(f"facts: {size / 1024:.1f} KiB per run  lessons kept: {len(lessons)}  skill edits: {len(edits)}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(15)
    return 0


def halves(corpus: Path) -> int:
    """Which outcome contrasts (warnings, harness lessons) each half of the corpus finds on its own."""
    import hashlib

    from skillforge.distill.offline import OfflineMapper
    from skillforge.ingest import read
    from skillforge.ingest.labels import load_labels

    mini = corpus / "mini-swe-agent"
    labels, source = load_labels([mini / "labels.json"])
    mapper = OfflineMapper()
    trajs = list(read([mini / "trajs"], labels=labels, labels_source=source))
    for half in (0, 1):
        part = [
            t
            for t in trajs
            if int(hashlib.sha1((t.task_id or t.native_id or t.id).encode()).hexdigest(), 16) % 2 == half
        ]
        won = sum(1 for t in part if t.outcome.value == "success")
        print(f"half {half}: {len(part)} runs, {won} resolved")
        for le in mapper.reduce([mapper.map(t) for t in part]):
            if le.kind.value == "warning" or le.signature.startswith("harness:"):
                print(f"  {le.scope}: {le.body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
