"""Map-stage throughput of the offline provider, local executor versus Ray, and the driver's memory.

    python benchmarks/distill_scale.py [--runs 1000 10000] [--workers 2] [--corpus ../shared/corpus]

The corpus is read once (every format skillforge reads) and replicated lazily to N runs, each copy with
its own trajectory id, streamed into ``executor.map(MapTask(OfflineMapper()), …)`` with no cache (every
run is mined). Each (executor, N, mode) runs in a fresh process, so peak RSS is that run's own:

* ``fold``: the driver folds each result into counters and drops it (the executor's own footprint);
* ``keep``: the driver keeps every MapResult (what ``distill`` did before streaming reduce);
* ``pipeline``: what ``distill`` does, map then reduce to lessons: a mapper with a streaming
  ``reducer()`` is fed each result's facts and the result is dropped; otherwise every MapResult is kept
  and ``reduce`` runs on them sorted by trajectory id. Peak RSS includes the reduce.

Prints runs/s and the driver's RSS (after setup, the highest sampled during the map, and the growth\nbetween them) per configuration.
Target: driver memory flat in the number of runs (``fold``); ``keep`` grows by the results' size.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def base_set(corpus: Path) -> list:
    from skillforge.ingest import read
    from skillforge.safety.trajectory_redaction import redact_trajectory

    trajs = list(read([str(corpus)]))
    for t in trajs:
        redact_trajectory(t)  # as distill's prepare stage does before the map
    return trajs


def replicate(base: list, runs: int) -> Iterator:
    for n in range(runs):
        t = base[n % len(base)]
        yield dataclasses.replace(t, id=f"{t.id}-r{n // len(base)}")


def one(executor: str, runs: int, mode: str, workers: int, corpus: Path, chunk: int) -> dict:
    """One measured configuration (run in its own process)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    from skillforge.distill.executors import LocalExecutor, MapTask, RayExecutor
    from skillforge.distill.offline import OfflineMapper

    base = base_set(corpus)
    ex = LocalExecutor(workers) if executor == "local" else RayExecutor(workers, chunk=chunk)
    if executor == "ray":  # start the instance before the clock and the memory baseline
        import ray

        ray.init(
            address=None,
            include_dashboard=False,
            num_cpus=workers,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
            logging_level="ERROR",
        )
        list(ex.map(MapTask(OfflineMapper()), replicate(base, workers * 2)))  # warm the workers
    setup = high = rss_mb()
    kept, mined, errors = [], 0, 0
    mapper = OfflineMapper()
    fold = mapper.reducer() if mode == "pipeline" and hasattr(mapper, "reducer") else None
    start = time.perf_counter()
    for n, result in enumerate(ex.map(MapTask(mapper), replicate(base, runs))):
        errors += result.error is not None
        mined += bool(result.facts)
        if fold is not None and result.error is None:
            fold.add(result.facts)
        elif mode in ("keep", "pipeline"):
            kept.append(result)
        if n % 50 == 0:
            high = max(high, rss_mb())
    lessons = -1
    if mode == "pipeline":
        found = (
            fold.lessons() if fold is not None else mapper.reduce(sorted(kept, key=lambda r: r.trajectory_id))
        )
        lessons = len(found)
    high = max(high, rss_mb())
    seconds = time.perf_counter() - start
    return {
        "executor": executor,
        "runs": runs,
        "mode": mode,
        "workers": workers,
        "base": len(base),
        "seconds": round(seconds, 2),
        "runs_per_s": round(runs / seconds, 1),
        "errors": errors,
        "setup_mb": round(setup, 1),
        "peak_mb": round(high, 1),
        "growth_mb": round(high - setup, 1),
        "mined": mined,
        "lessons": lessons,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--executors", nargs="+", default=["local", "ray"])
    parser.add_argument("--modes", nargs="+", default=["fold", "keep", "pipeline"])
    parser.add_argument("--chunk", type=int, default=8, help="trajectories per Ray task")
    parser.add_argument("--one", nargs=3, metavar=("EXECUTOR", "RUNS", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus} (pass --corpus)", file=sys.stderr)
        return 2
    if args.one:
        print(
            json.dumps(one(args.one[0], int(args.one[1]), args.one[2], args.workers, args.corpus, args.chunk))
        )
        return 0
    print(
        f"{'executor':8} {'mode':5} {'runs':>6} {'seconds':>8} {'runs/s':>8} {'setup MB':>9} "
        f"{'peak MB':>8} {'growth MB':>9} {'lessons':>7}"
    )
    for executor in args.executors:
        for mode in args.modes:
            for runs in args.runs:
                cmd = [
                    sys.executable,
                    __file__,
                    "--one",
                    executor,
                    str(runs),
                    mode,
                    "--workers",
                    str(args.workers),
                    "--corpus",
                    str(args.corpus),
                    "--chunk",
                    str(args.chunk),
                ]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"{executor:8} {mode:5} {runs:>6} {r['seconds']:>8} {r['runs_per_s']:>8} "
                    f"{r['setup_mb']:>9} {r['peak_mb']:>8} {r['growth_mb']:>9} {r['lessons']:>7}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
