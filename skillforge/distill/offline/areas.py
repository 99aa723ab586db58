"""Code areas: files (and the functions/classes in them, from ``codeloc``) that runs on several tasks of
the same repository changed. They tell the next run where such tasks usually land; the same task run
again (replays, retries) points nowhere new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Runs,
    Sample,
    entry,
    evidence_of,
    regroup,
    runs_if_sampled,
)
from skillforge.distill.offline.evidence import Facts, evidence, render, repo_scope
from skillforge.model import Lesson, LessonKind, Level, Scope

MIN_RUNS = 2
MAX_PER_REPO = 8


@dataclass
class _Group:
    runs: Runs = field(default_factory=Runs)
    symbols: Counter[str] = field(default_factory=Counter)
    tasks: Counter[str] = field(default_factory=Counter)  # the runs' task keys (a run without one: its id)
    sample: Sample = field(default_factory=Sample)  # one citation of the run's edits to the file


@dataclass
class Acc:
    """Streaming reduce: per (scope, file), the runs that changed it and the symbols they changed (each
    symbol counted once per run, however many hunks of the run touched it)."""

    k: int = K
    groups: dict[tuple[Scope, str], _Group] = field(default_factory=dict)

    def _group(self) -> _Group:
        return _Group(sample=Sample(self.k))

    def add(self, f: Facts, meta: Facts) -> None:
        per_file: dict[str, list[dict[str, Any]]] = {}
        for e in f.get("edits", []):
            if e.get("lang") and "/" in e["file"]:
                per_file.setdefault(e["file"], []).append(e)
        scope = repo_scope(f)
        for path, edits in per_file.items():
            g = entry(self.groups, (scope, path), self._group)
            g.runs.add(f["outcome"])
            g.tasks[f.get("task_key") or f["id"]] += 1
            g.symbols.update({e["symbol"] for e in edits if e.get("symbol")})  # once a run: "×3" is 3 runs
            g.sample.add(meta, _cite(edits))

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        groups = {(str(s), path): (s, g) for (s, path), g in regroup(self.groups, resolve).items()}
        by_scope: dict[str, list[Lesson]] = {}
        for (scope_name, path), (scope, g) in sorted(groups.items()):
            if len(g.tasks) < MIN_RUNS or (g.runs.known and not g.runs.wins):
                continue  # one task replayed (SWE-agent's demonstrations), or only failed runs: no pointer
            body = render(
                "lesson_code_area",
                file=path,
                n=g.runs.n,
                runs=g.runs.phrase(),
                symbols=sorted(g.symbols.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
            )
            by_scope.setdefault(scope_name, []).append(
                Lesson(
                    title=f"Code area: {path}",
                    trigger=f"when a task touches {path}",
                    body=body,
                    kind=LessonKind.SUCCESS_PATTERN,
                    level=Level.FUNCTIONAL,
                    scope=scope,
                    evidence=evidence_of(g.sample, evidence),
                    confidence=0.5,
                    signature=f"area:{path}",
                    runs=runs_if_sampled(g.runs.n, g.sample),
                )
            )
        out: list[Lesson] = []
        for _scope, found in sorted(by_scope.items()):
            found.sort(key=lambda le: (-le.support, le.signature))
            out.extend(found[:MAX_PER_REPO])
        return out


def _cite(edits: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "steps": sorted({e["step"] for e in edits}),
        "quote": ", ".join(sorted({e["symbol"] or e["file"] for e in edits}))[:200],
        "src": edits[0].get("src"),
        "trust": "agent",
    }
