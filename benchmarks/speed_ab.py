"""Before/after speed of two source trees, interleaved so the machine's load hits both alike.

Runs ``skillforge route`` with an empty SKILLFORGE_HOME (first route, no cache) or ``skillforge
validate --json`` on ``../shared/skills-corpus`` from each tree in turn (``PYTHONPATH=TREE``, run from
a neutral folder so the tree is what gets imported) and prints wall and CPU medians with min-max.
Make a tree of an old commit with ``git archive COMMIT | tar -x -C /tmp/old``.

Usage: python benchmarks/speed_ab.py route|validate OLD_TREE NEW_TREE [--runs 5] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "skills-corpus"


def command(kind: str, corpus: Path) -> list[str]:
    if kind == "route":
        return [
            sys.executable,
            "-m",
            "skillforge",
            "route",
            "deploy my worker with wrangler",
            "--library",
            str(corpus),
        ]
    return [sys.executable, "-m", "skillforge", "validate", "--json", str(corpus / "skills")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["route", "validate"])
    ap.add_argument("trees", nargs=2, type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    args = ap.parse_args()
    times: dict[Path, tuple[list[float], list[float]]] = {t: ([], []) for t in args.trees}
    tmp = Path(tempfile.mkdtemp(prefix="sf-ab-"))
    for i in range(args.runs):
        for n, tree in enumerate(args.trees):
            home = tmp / f"home-{i}-{n}"
            env = dict(os.environ, PYTHONPATH=str(tree.resolve()), SKILLFORGE_HOME=str(home))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                command(args.kind, args.corpus), env=env, cwd=tmp, capture_output=True, check=False
            )
            times[tree][0].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[tree][1].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    for tree, (walls, cpus) in times.items():
        print(
            f"{args.kind} {tree}: wall median {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}); "
            f"CPU median {statistics.median(cpus):.2f} s ({min(cpus):.2f}-{max(cpus):.2f}); n={args.runs}"
        )


if __name__ == "__main__":
    main()
