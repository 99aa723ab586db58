"""LLM distill quality: run ``skillforge distill`` against any OpenAI-compatible or Anthropic endpoint
and report what the library gained and what it cost.

    python benchmarks/distill_quality.py --base-url URL --model M [--provider P] [--labels F]
        [--min-support N] [--workers N] [--merge-fanout N] [--out report.json] RUNS...

``--provider`` defaults to ``anthropic`` when the URL looks like Anthropic's API, else
``openai-compatible`` (Ollama, vLLM, llama.cpp server, LM Studio: no key needed); ``openai`` and
``anthropic`` read their API key from the usual environment variable. Each run starts from a fresh
library and a fresh cache (a temporary ``SKILLFORGE_HOME``), first prints the ``--dry-run`` plan, then
distills and measures:

* lessons found and kept, skills added/updated, lessons per skill;
* near-duplicate skills by the validator's own rules (SF302 duplicate body, SF303 near-duplicate,
  SF304 trigger overlap) over the skills on the run's branch;
* losses: lessons not applied (merge answers unusable twice, edits that could not apply, skills that
  failed validation) and lessons left waiting in ``.skillforge/pending.json``;
* calls, input/output/cache-read tokens and dollars per stage, and the plan's error against them.

The report is printed as a table and written as JSON to ``--out`` (default ``distill_quality.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

DUPLICATE_RULES = ("SF302", "SF303", "SF304")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("runs", nargs="+", help="log files or folders to distill")
    parser.add_argument("--base-url", required=True, help="the endpoint (e.g. http://localhost:11434/v1)")
    parser.add_argument("--model", required=True)
    parser.add_argument("--provider", choices=["openai-compatible", "openai", "anthropic"], default=None)
    parser.add_argument("--labels", action="append", default=[], help="outcome labels (repeatable)")
    parser.add_argument("--min-support", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--merge-fanout", type=int, default=8, help="lessons per merge call")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per call (local models are slow)"
    )
    parser.add_argument("--out", default="distill_quality.json")
    return parser.parse_args(argv)


def provider_for(url: str, chosen: str | None) -> str:
    if chosen:
        return chosen
    return "anthropic" if "anthropic" in url else "openai-compatible"


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from skillforge.config import Settings
    from skillforge.distill.pipeline import DistillOptions, distill

    library = work / "library"
    overrides = {
        "library": str(library),
        "provider": provider_for(args.base_url, args.provider),
        "base_url": args.base_url,
        "model": args.model,
        "workers": args.workers,
        "min_support": args.min_support,
        "timeout": args.timeout,
        "merge_fanout": args.merge_fanout,
    }
    settings = Settings.load(overrides, library)
    planned = distill(args.runs, settings, DistillOptions(labels=args.labels, dry_run=True)).plan
    report = distill(args.runs, settings, DistillOptions(labels=args.labels, init=True))
    return measure(report, planned, library)


def measure(report: Any, planned: dict[str, Any], library: Path) -> dict[str, Any]:
    skills, pending = branch_files(library, report.branch)
    changed = [c for c in report.changes if c.action in ("added", "updated")]
    not_applied = sum(
        int(m.group(1)) for f in report.failures for m in [re.match(r"not applied: (\d+) lessons", f)] if m
    )
    dropped = [f for f in report.failures if f.startswith("skill ") and " dropped: " in f]
    usage = report.usage
    used_input = usage.input_tokens + usage.cache_read_tokens
    planned_calls = sum(planned.get("calls", {}).values())
    return {
        "provider": report.provider,
        "model": report.model,
        "trajectories": report.trajectories,
        "lessons": report.lessons,
        "lessons_kept": report.lessons_kept,
        "skills_added": sum(1 for c in changed if c.action == "added"),
        "skills_updated": sum(1 for c in changed if c.action == "updated"),
        "lessons_per_skill": round(report.lessons_kept / len(changed), 2) if changed else 0.0,
        "near_duplicates": near_duplicates(skills),
        "losses": {
            "not_applied_lessons": not_applied,
            "skills_dropped_invalid": len(dropped),
            "pending_lessons": pending,
            "failed_items": len(report.failures)
            - len(dropped)
            - sum(1 for f in report.failures if f.startswith("not applied")),
        },
        "usage": {
            "calls": usage.calls,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_read_tokens": usage.cache_read_tokens,
            "cost": round(usage.cost, 4),
            "by_stage": report.plan.get("usage_by_stage", {}),
        },
        "plan": {
            "calls": planned_calls,
            "input_tokens": planned.get("input_tokens", 0),
            "calls_error": _error(planned_calls, usage.calls),
            "input_tokens_error": _error(planned.get("input_tokens", 0), used_input),
        },
        "failures": report.failures[:20],
        "branch": report.branch,
    }


def branch_files(library: Path, branch: str | None) -> tuple[Path | None, int]:
    """The branch's ``skills/`` exported to a folder (for the validator) and the pending lessons."""
    if not branch:
        return None, 0
    import git

    tree = git.Repo(library).commit(branch).tree
    out = Path(tempfile.mkdtemp(prefix="sf-quality-")) / "skills"
    for blob in tree.traverse():
        if blob.type == "blob" and blob.path.startswith("skills/"):
            target = out.parent / blob.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.data_stream.read())
    pending = 0
    try:
        doc = json.loads((tree / ".skillforge/pending.json").data_stream.read())
        pending = len(doc.get("lessons", []))
    except KeyError:
        pass
    return (out if out.is_dir() else None), pending


def near_duplicates(skills: Path | None) -> list[dict[str, str]]:
    """Pairs the validator flags as duplicates (its own rules and thresholds)."""
    if skills is None:
        return []
    from skillforge.skills.validate import validate_paths

    found = validate_paths([skills]).findings
    return [
        {"rule": f.rule, "file": Path(f.file).parent.name, "message": f.message}
        for f in found
        if f.rule in DUPLICATE_RULES
    ]


def _error(planned: float, actual: float) -> float | None:
    return round((planned - actual) / actual, 3) if actual else None


def render(result: dict[str, Any]) -> str:
    u, p, losses = result["usage"], result["plan"], result["losses"]
    rows = [
        ("model", f"{result['provider']} {result['model']}"),
        ("trajectories", result["trajectories"]),
        ("lessons found / kept", f"{result['lessons']} / {result['lessons_kept']}"),
        ("skills added / updated", f"{result['skills_added']} / {result['skills_updated']}"),
        ("lessons per skill", result["lessons_per_skill"]),
        ("near-duplicate findings", len(result["near_duplicates"])),
        ("lessons not applied", losses["not_applied_lessons"]),
        ("skills dropped (invalid)", losses["skills_dropped_invalid"]),
        ("lessons pending", losses["pending_lessons"]),
        ("calls (plan)", f"{u['calls']} ({p['calls']}, error {p['calls_error']})"),
        (
            "input tokens (plan)",
            f"{u['input_tokens']} ({p['input_tokens']}, error {p['input_tokens_error']})",
        ),
        ("cache-read tokens", u["cache_read_tokens"]),
        ("output tokens", u["output_tokens"]),
        ("cost $", u["cost"]),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sf-quality-") as tmp:
        work = Path(tmp)
        old_home = os.environ.get("SKILLFORGE_HOME")
        os.environ["SKILLFORGE_HOME"] = str(work / "home")  # a fresh cache: every call is made
        try:
            result = run(args, work)
        finally:
            if old_home is None:
                os.environ.pop("SKILLFORGE_HOME", None)
            else:
                os.environ["SKILLFORGE_HOME"] = old_home
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
