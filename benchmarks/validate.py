"""Validation speed: generate a library of N skills (default 1,000; each with code blocks, a linked
reference and a script) in a temporary folder and time ``validate_paths`` over it.

Usage: python benchmarks/validate.py [N]     target: under 5 s for 1,000 skills
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from skillforge.skills.validate import validate_paths

WORDS = [
    "build",
    "test",
    "deploy",
    "cache",
    "docker",
    "python",
    "pytest",
    "migration",
    "schema",
    "index",
    "query",
    "retry",
    "timeout",
    "lint",
    "format",
    "branch",
    "merge",
    "rebase",
    "release",
    "tag",
    "version",
    "config",
    "log",
    "trace",
    "metric",
    "queue",
    "worker",
    "cron",
    "backup",
    "restore",
    "upload",
    "download",
    "parser",
    "fixture",
    "mock",
    "patch",
    "coverage",
    "profile",
    "memory",
    "thread",
    "async",
    "socket",
    "proxy",
    "header",
    "cookie",
    "session",
    "router",
    "template",
    "render",
    "bundle",
]


def skill_text(i: int, rng: random.Random) -> str:
    topic = " ".join(rng.sample(WORDS, 4))
    prose = "\n\n".join(
        " ".join(rng.choices(WORDS, k=rng.randint(25, 60))).capitalize() + "."
        for _ in range(rng.randint(4, 10))
    )
    return (
        f"---\nname: skill-{i:04d}\ndescription: Handle {topic} tasks in service {i}. Use when "
        f"{' '.join(rng.sample(WORDS, 5))} for component {i}.\nmetadata:\n  skillforge-level: functional\n"
        f'  skillforge-evidence: "{rng.randint(1, 9)}"\n  skillforge-updated: "2026-10-0{rng.randint(1, 9)}"\n'
        f"---\n# Skill {i}\n\n{prose}\n\n```python\ndef step_{i}(x):\n    return x + {i}\n```\n\n"
        f"```bash\nbash scripts/run.sh --id {i} | tee out.log\n```\n\n"
        f'```json\n{{"id": {i}, "topic": "{topic}"}}\n```\n\nSee [notes](references/notes.md).\n'
    )


def make_library(root: Path, n: int) -> None:
    """N skills; every 100th is a copy of the one before with one line changed (a planted near duplicate)."""
    rng = random.Random(7)
    previous = ""
    for i in range(n):
        folder = root / "skills" / f"skill-{i:04d}"
        (folder / "references").mkdir(parents=True)
        (folder / "scripts").mkdir()
        text = skill_text(i, rng)
        if i % 100 == 99:
            text = previous.replace(f"skill-{i - 1:04d}", f"skill-{i:04d}").replace(
                "# Skill", "# Copy of skill"
            )
        (folder / "SKILL.md").write_text(text)
        previous = text
        (folder / "references" / "notes.md").write_text(
            f"# Notes {i}\n\n{' '.join(rng.choices(WORDS, k=40))}\n"
        )
        (folder / "scripts" / "run.sh").write_text(f"#!/usr/bin/env bash\necho {i}\n")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_library(root, n)
        start, cpu = time.perf_counter(), time.process_time()
        report = validate_paths([root])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rules: dict[str, int] = {}
    for f in report.findings:
        rules[f.rule] = rules.get(f.rule, 0) + 1
    print(
        f"validate: {report.skills} skills in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({cpu / max(report.skills, 1) * 1000:.1f} ms CPU/skill)"
    )
    print(f"findings: {len(report.findings)} {rules or ''} (planted: {n // 100} near duplicates)")


if __name__ == "__main__":
    main()
