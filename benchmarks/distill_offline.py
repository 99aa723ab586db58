"""Offline distill throughput: ``skillforge distill`` (offline miner) over the mini-swe-agent corpus
replicated to N runs (default 1,000), into a fresh library, with a cold and then a warm cache.

    python benchmarks/distill_offline.py [--runs 1000] [--workers 2] [--corpus ../shared/corpus]

Each copy gets its own instance id (so its own trajectory id and cache key) and its own label. Prints
runs per second for the cold run (everything mapped) and the warm re-run (every map result cached).
Target: 1,000 runs in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from skillforge.distill.base import DistillReport

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def replicate(corpus: Path, runs: int, out: Path) -> Path:
    """Write ``runs`` copies of the corpus trajectories under ``out``; return the labels file."""
    sources = sorted((corpus / "mini-swe-agent" / "trajs").rglob("*.traj.json"))
    resolved = {row["instance_id"]: row["resolved"]
                for row in json.loads((corpus / "mini-swe-agent" / "labels.json").read_text())}
    labels = {}
    texts = {src: src.read_text(encoding="utf-8") for src in sources}
    for n in range(runs):
        src = sources[n % len(sources)]
        iid = src.name.removesuffix(".traj.json")
        new_id = f"{iid}-r{n // len(sources)}"
        text = texts[src].replace(f'"instance_id": "{iid}"', f'"instance_id": "{new_id}"')
        target = out / new_id / f"{new_id}.traj.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        labels[new_id] = "success" if resolved.get(iid) else "failure"
    label_file = out.parent / "labels.json"
    label_file.write_text(json.dumps(labels))
    return label_file


def timed_distill(logs: Path, labels: Path, library: Path, workers: int) -> tuple[float, DistillReport]:
    from skillforge.config import Settings
    from skillforge.distill.pipeline import DistillOptions, distill

    settings = Settings({"library": str(library), "workers": workers}, library)
    start = time.perf_counter()
    report = distill([str(logs)], settings, DistillOptions(labels=[str(labels)], init=True))
    return time.perf_counter() - start, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not (args.corpus / "mini-swe-agent" / "trajs").is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="sf-bench-") as tmp:
        work = Path(tmp)
        os.environ["SKILLFORGE_HOME"] = str(work / "home")
        for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "SKILLFORGE_PROVIDER"):
            os.environ.pop(var, None)
        t0 = time.perf_counter()
        labels = replicate(args.corpus, args.runs, work / "logs")
        print(f"replicated {args.runs} runs in {time.perf_counter() - t0:.1f} s "
              f"({sum(f.stat().st_size for f in (work / 'logs').rglob('*.json')) / 2**20:.0f} MiB)")
        for label, lib in (("cold cache", work / "lib-cold"), ("warm cache", work / "lib-warm")):
            seconds, report = timed_distill(work / "logs", labels, lib, args.workers)
            r = report
            print(f"{label}: {r.trajectories} runs in {seconds:.1f} s = {r.trajectories / seconds:.1f} runs/s; "
                  f"lessons {r.lessons}, kept {r.lessons_kept}, quarantined {len(r.quarantined)}, "
                  f"skills changed {len(r.changes)}, failures {len(r.failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
