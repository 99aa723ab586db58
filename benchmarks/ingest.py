"""Ingest throughput and peak memory against plain orjson parsing of the same bytes.

Builds a folder of logs (default ~1 GiB) by replicating the real logs in ../shared/corpus (mixed
formats: SWE-agent, mini-swe-agent, OpenHands, Claude Code, Codex), then measures, each in a fresh
process so that peak memory (``ru_maxrss``) is its own:

* raw: listing the folder (``os.walk``), then ``orjson.loads`` per line for JSONL files, per file for JSON documents;
* ingest: ``skillforge.ingest.read`` over the folder, consuming every trajectory.

A corpus format with less than ``--min-format-size`` MB (default 8) in that build (OpenHands: two
14 KB files) is also measured alone, its own logs copied to that size: on a few hundred KB the one-time
work of a process's first read is most of what is timed. ATIF is measured apart, on Harbor-shaped documents skillforge writes from the corpus's Claude Code and
Codex sessions (an eighth of ``--size``).

The formats with no real logs in the corpus (Gemini CLI JSON and JSONL, OpenCode's JSON tree, SQLite 1.2
and 2.x tables, Cursor's agent transcripts and ``state.vscdb``, Copilot CLI ``events.jsonl``, ATIF and
Harbor trials) are measured on synthetic logs (``ingest_synthetic.py``, ``--synthetic-size`` MB each), in
this process, in CPU seconds (``time.process_time``: the development machine is shared), raw and ingest
interleaved (the order alternates each round). Their raw baseline is: for JSONL, ``orjson.loads`` of
every line; for JSON documents, of every file; for SQLite, fetching every row the reader reads and
``orjson.loads`` of its JSON columns (``data`` / ``value``). Printed per format: medians of both CPU
times, the median of the rounds' ratios and their spread (min-max), and the wall-clock ratio.

Both clocks start after the imports. Prints MB/s for both (the fastest run of each), their ratio
(target: ingest within 3x of raw; the median over back-to-back pairs of runs) and ingest's peak memory
(target: under 300 MB), overall and then per format (each format's copies read on their own). The
ratio of CPU seconds is printed beside the wall-clock one: on a machine busy with other work it is the
steadier figure. Usage: ``python benchmarks/ingest.py [--size MB] [--corpus DIR] [--keep] [--no-formats] [--only-synthetic]
[--formats openhands,atif,cursor-jsonl,…]`` (``--formats``: only those, corpus or synthetic, each on its own).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LOGS = ("mini-swe-agent/trajs", "swe-agent", "openhands", "claude-code", "codex")
FORMATS = ("mini-swe-agent", "swe-agent", "openhands", "claude-code", "codex")  # top folders in LOGS
PUBLIC = ("claude-code/public", "codex/public")  # Claude Code 2.x / Codex 0.118+ real sessions, also alone
SUFFIXES = (".jsonl", ".traj", ".json")
JSONL_NAMES = ("raw_transcript",)  # JSONL without a suffix (the Entire CLI's v2 checkpoint layout)

RAW = """
import orjson, os, resource, sys, time
start, cpu = time.perf_counter(), time.process_time()
total = 0
for arg in sys.argv[1:]:
    for folder, _, names in os.walk(arg):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".jsonl") or name == "raw_transcript":
                with open(path, "rb") as fh:
                    for line in fh:
                        total += len(line)
                        if line.strip():
                            orjson.loads(line)
            else:
                with open(path, "rb") as fh:
                    data = fh.read()
                total += len(data)
                orjson.loads(data)
print(total, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
      time.process_time() - cpu)
"""

INGEST = """
import resource, sys, time
from skillforge.ingest import IngestReport, read, readers
readers()  # imported before the clock starts, as orjson is for the raw parse
report = IngestReport()
start, cpu = time.perf_counter(), time.process_time()
count = steps = 0
for traj in read(sys.argv[1:], report):
    count += 1
    steps += len(traj.steps)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
size = sum(s.bytes for s in report.formats.values())
print(size, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, cpu, count, steps,
      len(report.problems))
"""


def sources(corpus: Path, formats: set[str] | None = None) -> list[Path]:
    """Corpus log files (JSON/JSONL), not the predictions, patches, label files and Entire metadata
    beside them; only those of ``formats`` (top folders, as in ``FORMATS``) when given."""
    found: list[Path] = []
    for folder in LOGS:
        if formats is not None and folder.split("/")[0] not in formats:
            continue
        found += [
            p
            for p in sorted((corpus / folder).rglob("*"))
            if p.is_file()
            and (p.suffix in SUFFIXES or p.name in JSONL_NAMES)
            and p.name not in ("all_preds.jsonl", "metadata.json")
        ]
    return found


def build(corpus: Path, target: int, out: Path, formats: set[str] | None = None) -> int:
    """Copy corpus logs (of ``formats`` only, when given) round-robin into ``out`` until ``target``
    bytes; returns the bytes written."""
    files = sources(corpus, formats)
    if not files:
        sys.exit(f"no logs under {corpus}")
    written, copy = 0, 0
    while written < target:
        folder = out / f"copy{copy:04d}"
        for src in files:
            dest = folder / src.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            written += dest.stat().st_size
            if written >= target:
                break
        copy += 1
    return written


def build_atif(corpus: Path, target: int, out: Path) -> int:
    """ATIF documents as Harbor writes them (``<trial>/agent/trajectory.json``, indented), converted by
    skillforge from the corpus's Claude Code and Codex sessions, copied until ``target`` bytes."""
    import orjson

    from skillforge.ingest import read
    from skillforge.ingest.atif_write import to_atif

    docs = [orjson.dumps(to_atif(t), option=orjson.OPT_INDENT_2) for t in read([corpus / p for p in PUBLIC])]
    written, copy = 0, 0
    while written < target:
        for n, doc in enumerate(docs):
            dest = out / f"trial-{copy:04d}-{n:03d}" / "agent" / "trajectory.json"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(doc)
            written += len(doc)
        copy += 1
    return written


def run_once(script: str, paths: list[Path]) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)], capture_output=True, text=True, check=True
    )
    return [float(x) for x in out.stdout.split()]


def compare(paths: list[Path], repeat: int) -> dict[str, float]:
    """Raw parse against ingest over ``paths``: ``repeat`` pairs of fresh-process runs, raw then ingest
    back to back. The ratio is the median of the pairs' ratios: on a machine whose speed drifts (a
    shared VM), each pair sees about the same machine, where the fastest run of each need not. The
    first run also warms the page cache."""
    pairs = [(run_once(RAW, paths), run_once(INGEST, paths)) for _ in range(repeat)]
    raws, ingests = [r for r, _ in pairs], [i for _, i in pairs]
    raw_bytes, raw_s, raw_rss, _ = min(raws, key=lambda r: r[1])
    size, ing_s, _, _, count, steps, problems = min(ingests, key=lambda r: r[1])
    return {
        "bytes": size,
        "trajectories": int(count),
        "steps": int(steps),
        "problems": int(problems),
        "raw_mb_s": round(raw_bytes / 2**20 / raw_s, 1),
        "ingest_mb_s": round(size / 2**20 / ing_s, 1),
        "ratio": round(statistics.median(i[1] / r[1] for r, i in pairs), 2),
        "cpu_ratio": round(statistics.median(i[3] / r[3] for r, i in pairs), 2),
        "raw_peak_mb": round(raw_rss / 2**20),
        "ingest_peak_mb": round(max(i[2] for i in ingests) / 2**20),
    }


def raw_files(root: Path) -> None:
    """The raw baseline for files: ``orjson.loads`` of every JSONL line and every JSON document."""
    import orjson

    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith((".jsonl", ".ndjson")):
                with open(os.path.join(folder, name), "rb") as fh:
                    for line in fh:
                        if line.strip():
                            orjson.loads(line)
            elif name.endswith(".json"):
                with open(os.path.join(folder, name), "rb") as fh:
                    orjson.loads(fh.read())


def raw_db(path: Path, queries: tuple[str, ...]) -> None:
    """The raw baseline for SQLite: fetch every row the reader reads, ``orjson.loads`` its JSON columns."""
    import sqlite3

    import orjson

    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        for query in queries:
            cur = db.execute(query)
            json_cols = [n for n, d in enumerate(cur.description) if d[0] in ("data", "value")]
            for row in cur:
                for n in json_cols:
                    if row[n] is not None:
                        orjson.loads(row[n])
    finally:
        db.close()


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of one call, after a collection (so that neither pays for the other's garbage)."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def synthetic(
    size: int, repeat: int, tmp: Path, quiet: bool = False, names: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """Each synthetic format: raw and ingest timed ``repeat`` rounds each, interleaved in this process."""
    from ingest_synthetic import FORMATS

    from skillforge.ingest import IngestReport, read, readers

    readers()
    figures: dict[str, dict[str, float]] = {}
    for name, (build_fmt, baseline) in FORMATS.items():
        if names is not None and name not in names:
            continue
        path = build_fmt(tmp / name, size)
        nbytes = (
            path.stat().st_size
            if path.is_file()
            else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        )
        report = IngestReport()

        def raw(p: Path = path, b: object = baseline) -> None:
            raw_files(p) if b == "files" else raw_db(p, b)  # type: ignore[arg-type]

        def ingest(p: Path = path, r: IngestReport = report) -> None:
            for traj in read([p], r):
                len(traj.steps)

        rounds = []
        for n in range(repeat):
            pair = (timed(raw), timed(ingest)) if n % 2 == 0 else tuple(reversed((timed(ingest), timed(raw))))
            rounds.append(pair)
        ratios = [i[0] / r[0] for r, i in rounds]
        stats = report.formats[next(iter(report.formats))]
        figures[name] = {
            "mb": round(nbytes / 2**20, 1),
            "trajectories": stats.trajectories // repeat,
            "steps": stats.steps // repeat,
            "problems": len(report.problems),
            "raw_cpu_s": round(statistics.median(r[0] for r, _ in rounds), 3),
            "ingest_cpu_s": round(statistics.median(i[0] for _, i in rounds), 3),
            "cpu_ratio": round(statistics.median(ratios), 2),
            "cpu_ratio_min": round(min(ratios), 2),
            "cpu_ratio_max": round(max(ratios), 2),
            "wall_ratio": round(statistics.median(i[1] / r[1] for r, i in rounds), 2),
        }
        if not quiet:
            show_synthetic(name, figures[name])
    return figures


def show_synthetic(name: str, f: dict[str, float]) -> None:
    print(
        f"{name:14s} {f['mb']:6.1f} MB  raw {f['raw_cpu_s']:6.3f} s  ingest {f['ingest_cpu_s']:6.3f} s CPU (medians)  "
        f"ratio {f['cpu_ratio']:4.2f}x [{f['cpu_ratio_min']:4.2f}-{f['cpu_ratio_max']:4.2f}] (wall "
        f"{f['wall_ratio']:4.2f}x)  {f['trajectories']} trajectories, {f['steps']} steps",
        flush=True,
    )


def show(name: str, f: dict[str, float]) -> None:
    print(
        f"{name:19s} {f['bytes'] / 2**20:7.0f} MB  raw {f['raw_mb_s']:7.1f} MB/s  ingest "
        f"{f['ingest_mb_s']:7.1f} MB/s  ratio {f['ratio']:5.2f}x (cpu {f['cpu_ratio']:5.2f}x)  "
        f"peak {f['ingest_peak_mb']} MB"
    )


def corpus_figures(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    """The corpus measurement: all formats together, then each (subprocess pairs, see ``compare``);
    with ``--formats``, only the formats named, each on its own."""
    only = _named(args.formats)
    tops = None if only is None else {f.split("/")[0] for f in only}
    written = (
        sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
        if args.logs
        else build(args.corpus, args.size * 2**20, tmp, tops)
        if tops is None or tops & set(FORMATS)
        else 0
    )
    os.sync()  # the copies written out now, not by writeback while the clocks run
    figures = compare([tmp], args.repeat) if only is None else {}
    per_format = (
        {}
        if args.no_formats
        else {
            fmt: compare(paths, args.repeat)
            for fmt in FORMATS + PUBLIC
            if (only is None or fmt in only) and (paths := sorted(tmp.glob(f"copy*/{fmt}")))
        }
    )
    if not args.no_formats and not args.logs:
        per_format.update(_topped_up(args, tmp, per_format, only))
    if not args.no_formats and not args.logs and (only is None or "atif" in only):
        build_atif(args.corpus, args.size * 2**20 // 8, tmp / "atif")
        per_format["atif"] = compare([tmp / "atif"], args.repeat)
    if not args.json:
        if figures:
            print(
                f"built {written / 2**20:.0f} MB: {figures['trajectories']} trajectories, "
                f"{figures['steps']} steps, {figures['problems']} problems"
            )
            show("all", figures)
        for fmt, f in per_format.items():
            show(fmt, f)
        if figures:
            print(
                f"ingest takes {figures['ratio']}x the raw parse time (target <= 3x); peak "
                f"{figures['ingest_peak_mb']} MB (target < 300 MB)"
            )
    return {**figures, "written": written, "formats": per_format}


def _topped_up(
    args: argparse.Namespace, tmp: Path, per_format: dict[str, dict[str, float]], only: set[str] | None
) -> dict[str, dict[str, float]]:
    """A corpus format whose share of the mixed build is under ``--min-format-size`` MB (OpenHands: two
    14 KB files, a few hundred KB in all) is measured again on a folder of its own logs alone, copied
    to that size: on a few hundred KB, the one-time work of a process's first read (the
    interpreter's warm-up and first-use caches: about 2 ms) is much of what is timed, where a user's folder
    of such logs pays it once. Both figures are printed."""
    extra: dict[str, dict[str, float]] = {}
    floor = args.min_format_size * 2**20
    for fmt in FORMATS:
        if fmt in per_format and per_format[fmt]["bytes"] < floor and (only is None or fmt in only):
            alone = tmp / "alone" / fmt
            build(args.corpus, floor, alone, {fmt})
            os.sync()
            extra[f"{fmt} ({args.min_format_size} MB alone)"] = compare([alone], args.repeat)
    return extra


def _named(names: str | None) -> set[str] | None:
    return None if names is None else {n.strip() for n in names.split(",") if n.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="MB of logs to build (default 1024)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--keep", action="store_true", help="keep the built folder")
    parser.add_argument("--logs", type=Path, help="measure a folder built before (with --keep) instead")
    parser.add_argument("--repeat", type=int, default=5, help="pairs of runs (raw, ingest) per measurement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--min-format-size",
        type=int,
        default=8,
        help="MB: a corpus format with less in the mixed build is also measured alone at this size",
    )
    parser.add_argument("--no-formats", action="store_true", help="skip the per-format measurements")
    parser.add_argument("--synthetic-size", type=int, default=20, help="MB per synthetic format (default 20)")
    parser.add_argument("--only-synthetic", action="store_true", help="measure only the synthetic formats")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic formats")
    parser.add_argument("--synthetic", metavar="NAMES", help="only these synthetic formats (comma-separated)")
    parser.add_argument(
        "--formats",
        metavar="NAMES",
        help="only these formats, corpus or synthetic (comma-separated: openhands, claude-code/public, "
        "atif, cursor-jsonl, …; the all-formats figure is skipped)",
    )
    args = parser.parse_args()
    if args.formats:  # "atif" names both the corpus's ATIF and the synthetic one
        from ingest_synthetic import FORMATS as SYNTHETIC

        corpus_names = set(FORMATS + PUBLIC) | {"atif"}
        named = _named(args.formats) or set()
        if unknown := named - corpus_names - set(SYNTHETIC):
            parser.error(
                f"unknown formats {', '.join(sorted(unknown))}: use {', '.join([*FORMATS, *PUBLIC, *SYNTHETIC])}"
            )
        args.synthetic = ",".join(sorted(named & set(SYNTHETIC))) or None
        args.only_synthetic = args.only_synthetic or not (named & corpus_names)
        args.no_synthetic = args.no_synthetic or args.synthetic is None
    tmp = args.logs or Path(tempfile.mkdtemp(prefix="skillforge-bench-"))
    try:
        out: dict[str, object] = {} if args.only_synthetic else corpus_figures(args, tmp)
        if not args.no_synthetic and not args.logs:
            if not args.json:
                print(
                    f"synthetic formats ({args.synthetic_size} MB each, {args.repeat} rounds, CPU seconds):"
                )
            names = args.synthetic.split(",") if args.synthetic else None
            out["synthetic"] = synthetic(
                args.synthetic_size * 2**20, args.repeat, tmp / "synthetic", args.json, names
            )
        if args.json:
            print(json.dumps(out))
    finally:
        if args.keep or args.logs:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
