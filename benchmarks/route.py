"""Route speed: in-process p50/p99 per query at 100, 1,000 and 10,000 skills, the wall time of a cold
``skillforge route`` process at 1,000 skills (index cache warm, as an installed hook finds it), index
builds at the largest size (full build with and without the findings cache, one changed skill), and the
first route with no cache at all on ../shared/skills-corpus (when present). Medians and spread
(min–max) over ``--build-runs`` repeats.

Synthetic libraries are generated under a temporary folder from the routing set's vocabulary (names,
descriptions, headings and past tasks recombined), so the term statistics look like real skills.

    python benchmarks/route.py [--sizes 100,1000,10000] [--queries 300] [--cold-runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROUTING_SET = HERE / "routing_set"


def corpus() -> tuple[list[str], list[str], list[str]]:
    """Descriptions, headings and past tasks of the routing set (the vocabulary to recombine)."""
    descriptions, headings = [], []
    for skill in sorted((ROUTING_SET / "skills").iterdir()):
        text = (skill / "SKILL.md").read_text(encoding="utf-8")
        descriptions += [
            line.split(":", 1)[1].strip().strip('"')
            for line in text.splitlines()
            if line.startswith("description:")
        ]
        headings += [line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("## ")]
    provenance = json.loads((ROUTING_SET / ".skillforge" / "provenance.json").read_text(encoding="utf-8"))
    tasks = [t for entry in provenance["skills"].values() for t in entry["tasks"]]
    return descriptions, headings, tasks


def generate(root: Path, n: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    descriptions, headings, tasks = corpus()
    words = " ".join(descriptions + tasks).split()
    (root / "skills").mkdir(parents=True)
    (root / ".skillforge").mkdir()
    provenance: dict[str, dict[str, list[str]]] = {}
    for i in range(n):
        name = f"skill-{i:05d}-" + "-".join(w.lower().strip(".,:;'\"()") or "x" for w in rng.sample(words, 2))
        name = "".join(c if c.isalnum() or c == "-" else "-" for c in name)[:60].strip("-")
        desc = (
            f"{rng.choice(descriptions).split('. Use when')[0]} {' '.join(rng.sample(words, 6))}. "
            f"Use when {' '.join(rng.sample(words, 8))}."
        )
        heads = rng.sample(headings, 3)
        body = "\n".join(f"## {h}\n\nStep.\n" for h in heads)
        folder = root / "skills" / name
        folder.mkdir()
        (folder / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {json.dumps(desc)}\n---\n# {name}\n\n{body}"
        )
        provenance[name] = {"tasks": [" ".join(rng.sample(words, 12)) for _ in range(3)]}
    (root / ".skillforge" / "provenance.json").write_text(json.dumps({"skills": provenance}))
    return root


def queries(limit: int) -> list[str]:
    lines = (ROUTING_SET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(line)["query"] for line in lines if line.strip()]
    return (qs * (limit // len(qs) + 1))[:limit]


def in_process(library: Path, n_queries: int) -> dict[str, float]:
    from skillforge.route import Router

    start = time.perf_counter()
    router = Router(library)
    load = time.perf_counter() - start
    qs = queries(n_queries)
    for q in qs[:20]:
        router.route(q)  # warm-up
    rounds = []
    for _ in range(3):  # three rounds; the least disturbed one is reported (other processes add noise)
        times, cpu = [], []
        for q in qs:
            t0, c0 = time.perf_counter(), time.thread_time()
            router.route(q, cwd=None)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        times.sort()
        cpu.sort()
        rounds.append(
            {
                "p50_ms": statistics.median(times),
                "p99_ms": times[int(len(times) * 0.99) - 1],
                "max_ms": times[-1],
                "cpu_p99_ms": cpu[int(len(cpu) * 0.99) - 1],
            }
        )
    best = min(rounds, key=lambda r: r["p99_ms"])
    return {"load_s": load, **best}


def cold(library: Path, runs: int) -> dict[str, float]:
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-m",
        "skillforge",
        "route",
        "docker build reinstalls pip requirements every time",
        "--library",
        str(library),
    ]
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # make sure the cache is warm
    import resource

    walls, pythons, cpus = [], [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        walls.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        pythons.append((time.perf_counter() - t0) * 1000)
    return {
        "cold_median_ms": statistics.median(walls),
        "cold_min_ms": min(walls),
        "cold_cpu_ms": statistics.median(cpus),
        "python_alone_ms": statistics.median(pythons),
    }


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f}, n={len(values)})"


def build_times(library: Path, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Full index builds (findings cache cold and warm) and one-changed-skill rebuilds: wall and CPU ms."""
    import shutil

    from skillforge.route import build as build_mod
    from skillforge.route.index import cache_root, load_or_build

    labels = ("full, findings cache cold", "full, findings cache warm", "one skill changed")
    out: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in labels}
    findings = build_mod.FINDINGS.path()
    skills = sorted((library / "skills").iterdir())
    one = skills[len(skills) // 2] / "SKILL.md"

    def timed(label: str) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        load_or_build(library)
        out[label][0].append((time.perf_counter() - t0) * 1000)
        out[label][1].append((time.process_time() - c0) * 1000)

    for run in range(runs):
        for label, keep in ((labels[0], False), (labels[1], True)):
            shutil.rmtree(cache_root(library), ignore_errors=True)
            if not keep:
                findings.unlink(missing_ok=True)
            build_mod.FINDINGS.data = None
            timed(label)
        for step in range(3):
            with one.open("a", encoding="utf-8") as f:
                f.write(f"\n## Note {run}.{step}\n\nOne more line.\n")
            timed(labels[2])
    return out


def first_route(library: Path, runs: int, home: Path) -> tuple[list[float], list[float]]:
    """Wall and CPU ms of ``skillforge route`` on ``library`` with an empty SKILLFORGE_HOME (no cache)."""
    import resource
    import shutil

    walls, cpus = [], []
    for i in range(runs):
        env = dict(os.environ, SKILLFORGE_HOME=str(home / f"first-{i}"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "skillforge",
                "route",
                "deploy my worker with wrangler",
                "--library",
                str(library),
            ],
            env=env,
            capture_output=True,
            check=False,
        )
        walls.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        shutil.rmtree(home / f"first-{i}", ignore_errors=True)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--build-runs", type=int, default=5)
    parser.add_argument("--skills-corpus", default=str(HERE.parent.parent / "shared" / "skills-corpus"))
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="sf-route-bench-") as tmp:
        os.environ["SKILLFORGE_HOME"] = str(Path(tmp) / "home")
        print(
            f"{'skills':>7} {'build+load s':>13} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU p99 ms':>11}"
        )
        libs = {}
        for size in (int(s) for s in args.sizes.split(",")):
            libs[size] = generate(Path(tmp) / f"lib{size}", size)
            r = in_process(libs[size], args.queries)
            print(
                f"{size:>7} {r['load_s']:>13.2f} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['max_ms']:>8.3f} "
                f"{r['cpu_p99_ms']:>11.3f}"
            )
        target = libs.get(1000) or next(iter(libs.values()))
        c = cold(target, args.cold_runs)
        print(
            f"cold `skillforge route` at {len(list((target / 'skills').iterdir()))} skills: "
            f"median {c['cold_median_ms']:.0f} ms, min {c['cold_min_ms']:.0f} ms, "
            f"CPU (user+sys) {c['cold_cpu_ms']:.0f} ms "
            f"(python alone {c['python_alone_ms']:.0f} ms)"
        )
        largest = libs[max(libs)]
        for label, (walls, cpus) in build_times(largest, args.build_runs).items():
            print(f"index build at {max(libs)} skills, {label}: wall {spread(walls)}; CPU {spread(cpus)}")
        corpus_lib = Path(args.skills_corpus)
        if (corpus_lib / "skills").is_dir():
            walls, cpus = first_route(corpus_lib, args.build_runs, Path(tmp))
            print(
                f"first `skillforge route` with no cache on {corpus_lib.name} "
                f"({len(list((corpus_lib / 'skills').iterdir()))} skills): wall {spread(walls)}; CPU {spread(cpus)}"
            )


if __name__ == "__main__":
    main()
