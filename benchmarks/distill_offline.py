"""Offline distill end to end: the ``skillforge distill`` command (ingest, redaction, map cache, the
miners, consolidation, validation and the git commit) over the mini-swe-agent corpus replicated to N
runs (default 1,000), timed as a user would see it.

    python benchmarks/distill_offline.py [--runs 1000] [--repeats 3] [--workers 2] [--corpus ../shared/corpus]

Each copy gets its own instance id (so its own trajectory id and cache key) and its own label. The
replicated logs are written and synced to disk (``os.sync``) before any timing. Each repeat runs the CLI
as a subprocess twice: cold (a fresh library and an empty map cache) and warm (a fresh library, the
cache the cold run filled). Prints every timing, then the median and the spread (min–max) per mode.
Target: 1,000 runs in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def replicate(corpus: Path, runs: int, out: Path) -> Path:
    """Write ``runs`` copies of the corpus trajectories under ``out``; return the labels file."""
    sources = sorted((corpus / "mini-swe-agent" / "trajs").rglob("*.traj.json"))
    resolved = {
        row["instance_id"]: row["resolved"]
        for row in json.loads((corpus / "mini-swe-agent" / "labels.json").read_text())
    }
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


def run_cli(logs: Path, labels: Path, library: Path, home: Path, workers: int) -> tuple[float, dict]:
    """Wall seconds for one ``skillforge distill`` subprocess, and its JSON report (with ``_cpu``: the
    CPU seconds it used, user and system, which other load on the machine changes less)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "SKILLFORGE_PROVIDER", "SKILLFORGE_LIBRARY")
    }
    env["SKILLFORGE_HOME"] = str(home)
    cmd = [
        sys.executable,
        "-m",
        "skillforge",
        "distill",
        str(logs),
        "--labels",
        str(labels),
        "--provider",
        "offline",
        "--library",
        str(library),
        "--init",
        "--workers",
        str(workers),
        "--json",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 3):
        raise SystemExit(f"skillforge distill failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    report["_cpu"] = cpu
    return seconds, report


def summary(label: str, times: list[float], runs: int) -> str:
    med = statistics.median(times)
    return (
        f"{label}: median {med:.1f} s ({runs / med:.0f} runs/s), spread {min(times):.1f}–{max(times):.1f} s "
        f"over {len(times)} repeats"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not (args.corpus / "mini-swe-agent" / "trajs").is_dir():
        print(f"corpus not found at {args.corpus}: pass --corpus", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="sf-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        labels = replicate(args.corpus, args.runs, work / "logs")
        os.sync()
        size = sum(f.stat().st_size for f in (work / "logs").rglob("*.json")) / 2**20
        print(f"replicated {args.runs} runs ({size:.0f} MiB) in {time.perf_counter() - t0:.1f} s, synced")
        cold: list[float] = []
        warm: list[float] = []
        for i in range(args.repeats):
            home = work / f"home{i}"
            for mode, times in (("cold", cold), ("warm", warm)):
                lib = work / f"lib-{mode}{i}"
                seconds, report = run_cli(work / "logs", labels, lib, home, args.workers)
                times.append(seconds)
                print(
                    f"repeat {i + 1} {mode}: {report['trajectories']} runs in {seconds:.1f} s "
                    f"({report['_cpu']:.1f} CPU s, load {os.getloadavg()[0]:.1f}); lessons "
                    f"{report['lessons']}, kept {report['lessons_kept']}, skills {len(report['changes'])}, "
                    f"commit {str(report.get('commit') or '')[:12]}"
                )
                shutil.rmtree(lib, ignore_errors=True)
        print(summary("cold cache", cold, args.runs))
        print(summary("warm cache", warm, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
