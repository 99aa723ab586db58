"""Same trajectories before and after a speed change: dump what ingest reads as JSON, or compare.

Reads the synthetic logs of every format ``ingest_synthetic.py`` builds (written once to ``--logs``, a
fixed folder, so that source paths match between runs) and the real corpus (``../shared/corpus``), and
writes every trajectory (``Trajectory.to_dict``) and the ingest report (per-format counts, problems,
passed-over and unrecognised files) as canonical JSON, one object a line. With ``--compare OLD`` checks
the new dump equals OLD byte for byte. Run the old code with ``PYTHONPATH=<checkout of the old commit>``
to make OLD.

Usage: python benchmarks/ingest_same.py OUT.jsonl [--logs DIR] [--size MB] [--compare OLD.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ingest_synthetic import FORMATS
from same_dump import compare

from skillforge.ingest import IngestReport, read

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def build(logs: Path, size: int) -> list[Path]:
    """The synthetic logs, one folder per format, built unless already there."""
    paths = []
    for name, (build_fmt, _) in FORMATS.items():
        done = logs / name / ".built"
        if not done.exists():
            path = build_fmt(logs / name, size)
            done.write_text(str(path.relative_to(logs / name)), encoding="utf-8")
        paths.append(logs / name / done.read_text(encoding="utf-8"))
    return paths


def dump(paths: list[Path]) -> str:
    """Every trajectory read from ``paths`` (each path read on its own), then the report."""
    out = []
    for path in paths:
        report = IngestReport()
        for traj in read([path], report):
            out.append(json.dumps(traj.to_dict(), sort_keys=True, ensure_ascii=False, default=str))
        counts = {
            name: [s.files, s.bytes, s.trajectories, s.steps, dict(s.skipped), dict(s.ignored)]
            for name, s in sorted(report.formats.items())
        }
        problems = [[p.file, p.message, p.fatal] for p in report.problems]
        extra = [counts, problems, dict(report.passed_over), sorted(report.unrecognised)]
        out.append(json.dumps({"report": str(path), "figures": extra}, sort_keys=True, default=str))
    return "".join(line + "\n" for line in out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--logs", type=Path, default=Path("/tmp/skillforge-ingest-same"))
    ap.add_argument("--size", type=int, default=2, help="MB per synthetic format (default 2)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--compare", type=Path)
    args = ap.parse_args()
    paths = build(args.logs, args.size * 2**20)
    if args.corpus.is_dir():
        paths += sorted(p for p in args.corpus.iterdir() if p.is_dir())
    start = time.process_time()
    text = dump(paths)
    print(f"{text.count(chr(10))} lines in {time.process_time() - start:.1f} s CPU")
    args.out.write_text(text, encoding="utf-8")
    if args.compare is None:
        return
    compare(text, args.compare, "lines", shown=5)


if __name__ == "__main__":
    main()
