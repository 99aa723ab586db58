"""Same findings before and after a speed change: dump every finding of ``validate`` as JSON, or compare.

Writes the full findings of ``validate_paths`` on a corpus (default ``../shared/skills-corpus/skills``)
as canonical JSON, one finding per line (file, line, rule, severity, message, ...), and with
``--compare OLD`` checks the new dump equals OLD byte for byte, printing the first differences. Run the
old code with ``PYTHONPATH=<checkout of the old commit>`` to make OLD.

Usage: python benchmarks/findings_same.py OUT.json [CORPUS] [--compare OLD.json] [--warm]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from same_dump import compare

from skillforge.skills.rules.safety import clear_cache
from skillforge.skills.validate import validate_paths

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "skills-corpus" / "skills"


def dump(corpus: Path, warm: bool = False) -> str:
    """Every finding of ``corpus``, one canonical JSON object a line, in report order. ``warm``: from a
    second run with the findings cache (in a fresh SKILLFORGE_HOME) filled by a first."""
    if warm:
        os.environ["SKILLFORGE_HOME"] = tempfile.mkdtemp(prefix="sf-findings-same-")
        validate_paths([corpus], use_cache=True)
        clear_cache()
    report = validate_paths([corpus], use_cache=warm)
    return "".join(
        json.dumps(f.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for f in report.findings
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--warm", action="store_true", help="dump a warm run (findings cache filled)")
    args = ap.parse_args()
    start = time.process_time()
    text = dump(args.corpus, args.warm)
    print(f"{text.count(chr(10))} findings in {time.process_time() - start:.1f} s CPU")
    args.out.write_text(text, encoding="utf-8")
    if args.compare is None:
        return
    compare(text, args.compare, "findings")


if __name__ == "__main__":
    main()
