"""Validation on real public skills: precision per rule, agreement with skills-ref, and speed.

Runs ``validate_paths`` over every skill folder of ``../shared/skills-corpus/skills`` (609 real public
skills; override with the first argument) and reports, per rule, how many skills it flags with an error
and with a warning, and how many of its error verdicts the reference validator skills-ref calls valid
(``pip install skills-ref``: a benchmark dependency, never a runtime one). Then times both validators
per skill in one process (repeated; median and spread) and writes every flagged finding to a JSON
file (``--dump FILE``) for hand review.

Usage: python benchmarks/validate_real.py [CORPUS] [--repeat N] [--dump flagged.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from skillforge.skills.rules.safety import clear_cache
from skillforge.skills.validate import validate_paths

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "skills-corpus" / "skills"


def reference_verdicts(folders: list[Path]) -> dict[str, bool] | None:
    """skill folder name -> skills-ref's verdict (True: valid); None when skills-ref is not installed."""
    try:
        from skills_ref import validate as ref_validate
    except ImportError:
        return None
    return {f.name: not ref_validate(f) for f in folders}


def per_rule(corpus: Path) -> tuple[dict[str, Counter[str]], dict[str, set[str]], list[dict[str, object]]]:
    """rule -> Counter(severity -> skills flagged), rule -> skills with an error, and the findings."""
    report = validate_paths([corpus])
    flagged: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = []
    for f in report.findings:
        skill = Path(f.file).resolve().relative_to(corpus.resolve()).parts[0]
        flagged[f.title][f.severity].add(skill)
        rows.append({"skill": skill, **f.to_dict()})
    counts = {r: Counter({sev: len(s) for sev, s in by.items()}) for r, by in flagged.items()}
    errors = {r: by["error"] for r, by in flagged.items() if by.get("error")}
    return counts, errors, rows


def timed(corpus: Path, folders: list[Path], repeat: int) -> dict[str, list[float]]:
    """Seconds per run over all folders, in this one process: skillforge's validate of the corpus (one
    call: every rule, duplicates across skills included) and skills-ref's validate of each folder."""
    runs: dict[str, list[float]] = {"skillforge": [], "skills-ref": []}
    try:
        from skills_ref import validate as ref_validate
    except ImportError:
        ref_validate = None
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        validate_paths([corpus])
        runs["skillforge"].append(time.perf_counter() - start)
        if ref_validate is not None:
            start = time.perf_counter()
            for folder in folders:
                ref_validate(folder)
            runs["skills-ref"].append(time.perf_counter() - start)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        sys.exit(f"{corpus}: no such folder (pass the skills corpus folder)")
    folders = sorted(p for p in corpus.iterdir() if (p / "SKILL.md").is_file())
    ref = reference_verdicts(folders)
    counts, errors, rows = per_rule(corpus)
    print(f"{len(folders)} skills; skills-ref calls {sum(ref.values()) if ref else '?'} valid")
    print(f"{'rule':34} {'error':>6} {'warn':>6} {'err&ref-valid':>14}")
    for rule in sorted(counts):
        c = counts[rule]
        agree = len([s for s in errors.get(rule, ()) if ref and ref.get(s)]) if ref else "?"
        print(f"{rule:34} {c['error']:6} {c['warning']:6} {agree!s:>14}")
    any_error = set().union(*errors.values()) if errors else set()
    safety_error = (
        set().union(*(s for r, s in errors.items() if r.startswith(("SF5", "SF6")))) if errors else set()
    )
    print(
        f"skills with any error: {len(any_error)} ({len(any_error) / len(folders):.1%}); "
        f"with a safety error (SF5xx/SF6xx): {len(safety_error)} ({len(safety_error) / len(folders):.1%})"
    )
    if ref:
        both = [s for s in any_error if ref.get(s)]
        print(f"errors on skills skills-ref calls valid: {len(both)}")
    if args.dump:
        args.dump.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    runs = timed(corpus, folders, args.repeat)
    for name, secs in runs.items():
        if secs:
            spread = f"{min(secs):.2f}-{max(secs):.2f}"
            print(
                f"time {name:11} median {statistics.median(secs):.2f} s (spread {spread}) "
                f"= {1000 * statistics.median(secs) / len(folders):.2f} ms/skill"
            )


if __name__ == "__main__":
    main()
