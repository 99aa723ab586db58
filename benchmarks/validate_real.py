"""Validation on real public skills: precision per rule, agreement with skills-ref, and speed.

Runs ``validate_paths`` over every skill folder of ``../shared/skills-corpus/skills`` (609 real public
skills; override with the first argument) and reports, per rule, how many skills it flags with an error
and with a warning, and how many of its error verdicts the reference validator skills-ref calls valid
(``pip install skills-ref``: a benchmark dependency, never a runtime one). Then times both validators
per skill in one process (repeated, interleaved; CPU and wall medians and spread): skillforge cold
(every file scanned) and warm (findings cache filled by an earlier run), and skills-ref. Writes every
flagged finding to a JSON file (``--dump FILE``) for hand review.

Usage: python benchmarks/validate_real.py [CORPUS] [--repeat N] [--dump flagged.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from skillforge.skills.rules import spec
from skillforge.skills.rules.base import SkillFile
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


def spec_only(folder: Path) -> list[object]:
    """skillforge's specification rules alone on one SKILL.md: the work skills-ref does."""
    path = folder / "SKILL.md"
    sf = SkillFile(str(path), path.read_text(encoding="utf-8"), folder)
    return [*spec.read(sf), *spec.check(sf)]


def timed(corpus: Path, folders: list[Path], repeat: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per run over all folders, in this one process, runs interleaved: skillforge's
    validate of the corpus cold (every file scanned: no findings cache, in-process caches cleared) and
    warm (the findings cache on disk filled by an earlier run, as in CI or pre-commit on unchanged
    skills; the specification, structure, link and duplicate rules still run), skillforge's
    specification rules alone (skills-ref's share of the work), and skills-ref's validate of each
    folder (it reads only each SKILL.md's front matter)."""
    runs: dict[str, list[tuple[float, float]]] = {
        "skillforge cold": [],
        "skillforge warm": [],
        "skillforge spec": [],
        "skills-ref": [],
    }
    try:
        from skills_ref import validate as ref_validate
    except ImportError:
        ref_validate = None
    os.environ["SKILLFORGE_HOME"] = tempfile.mkdtemp(prefix="sf-validate-real-")
    validate_paths([corpus], use_cache=True)  # fills the findings cache for the warm runs

    def clock(label: str, run: Callable[[], object]) -> None:
        clear_cache()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        runs[label].append((time.perf_counter() - wall, time.process_time() - cpu))

    for _ in range(repeat):
        clock("skillforge cold", lambda: validate_paths([corpus]))
        clock("skillforge warm", lambda: validate_paths([corpus], use_cache=True))
        clock("skillforge spec", lambda: [spec_only(folder) for folder in folders])
        if ref_validate is not None:
            clock("skills-ref", lambda: [ref_validate(folder) for folder in folders])
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
    for name, pairs in runs.items():
        if pairs:
            walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
            print(
                f"time {name:15} CPU median {statistics.median(cpus):.2f} s "
                f"({min(cpus):.2f}-{max(cpus):.2f}) = {1000 * statistics.median(cpus) / len(folders):.2f} ms/skill; "
                f"wall median {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f})"
            )


if __name__ == "__main__":
    main()
