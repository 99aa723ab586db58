"""Skill library store speed: ``commit_run`` (a review branch with N changed skills) and
``skills()`` (read every committed skill) on a library of S skills, plus ``branch_diff``.

    python benchmarks/store.py [--skills 2000] [--changes 50] [--repeat 3]

Builds the library in a temporary folder (one commit made with git itself), then prints the median
seconds of each operation. The checkout is never touched by commit_run, so its cost should depend on
the number of changes, not on the size of the library.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from skillforge.model import Skill, SkillChange
from skillforge.skills.history import branch_diff
from skillforge.skills.store import Library


def skill(name: str, version: int) -> Skill:
    s = Skill(
        name=name,
        description=f"Use when {name} comes up (v{version}).",
        body=f"# {name}\n\n## Steps\n\n1. step {version}\n",
    )
    s.set_meta("evidence", version)
    s.files["references/evidence.md"] = f"- session {version}\n"
    return s


def build(root: Path, count: int) -> Library:
    lib = Library.init(root)
    for i in range(count):
        folder = lib.skills_dir / f"skill-{i:05d}"
        (folder / "references").mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: skill-{i:05d}\ndescription: Use when {i}.\n---\n# S\n")
        (folder / "references" / "evidence.md").write_text("- a\n")
    env = {
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "skills"], cwd=root, check=True, env=env)
    return lib


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skills", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lib = build(Path(tmp) / "lib", args.skills)
        commits, reads, diffs = [], [], []
        for r in range(args.repeat):
            changes = [
                SkillChange(f"skill-{i:05d}", "updated", "bench", r + 2, skill(f"skill-{i:05d}", r + 2))
                for i in range(0, args.skills, max(1, args.skills // args.changes))
            ][: args.changes]
            commits.append(
                timed(
                    lambda r=r, changes=changes: lib.commit_run(
                        f"bench-{r}", changes, message="bench", trailers={}, pr_context={}
                    )
                )
            )
            reads.append(timed(lambda: lib.skills()))
            diffs.append(timed(lambda r=r: branch_diff(lib, f"skillforge/bench-{r}")))
    print(f"library: {args.skills} skills; run: {args.changes} updated skills")
    print(f"commit_run   {statistics.median(commits):.3f} s")
    print(
        f"skills()     {statistics.median(reads):.3f} s  ({args.skills / statistics.median(reads):.0f} skills/s)"
    )
    print(f"branch_diff  {statistics.median(diffs):.3f} s")


if __name__ == "__main__":
    main()
