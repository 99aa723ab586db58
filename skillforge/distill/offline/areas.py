"""Code areas: files (and the functions/classes in them, from ``codeloc``) that several runs on the
same repository changed. They tell the next run where such tasks usually land."""

from __future__ import annotations

from collections import Counter
from typing import Any

from skillforge.distill.offline.evidence import Facts, evidence, render, repo_scope, runs_phrase
from skillforge.model import Lesson, LessonKind, Level

MIN_RUNS = 2
MAX_PER_REPO = 8


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    groups: dict[tuple[str, str], list[tuple[Facts, list[dict[str, Any]]]]] = {}
    for f in all_facts:
        per_file: dict[str, list[dict[str, Any]]] = {}
        for e in f.get("edits", []):
            if e.get("lang") and "/" in e["file"]:
                per_file.setdefault(e["file"], []).append(e)
        for path, edits in per_file.items():
            groups.setdefault((str(repo_scope(f)), path), []).append((f, edits))
    by_scope: dict[str, list[Lesson]] = {}
    for (scope, path), pairs in sorted(groups.items()):
        if len(pairs) < MIN_RUNS:
            continue
        pairs.sort(key=lambda p: p[0]["id"])
        symbols = Counter(e["symbol"] for _, edits in pairs for e in edits if e.get("symbol"))
        body = render("lesson_code_area", file=path, n=len(pairs), runs=runs_phrase([f for f, _ in pairs]),
                      symbols=sorted(symbols.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        cites = [{"steps": sorted({e["step"] for e in edits}), "quote": ", ".join(
            sorted({e["symbol"] or e["file"] for e in edits}))[:200], "src": edits[0].get("src"),
            "trust": "agent"} for _, edits in pairs]
        by_scope.setdefault(scope, []).append(Lesson(
            title=f"Code area: {path}", trigger=f"when a task touches {path}", body=body,
            kind=LessonKind.SUCCESS_PATTERN, level=Level.FUNCTIONAL, scope=repo_scope(pairs[0][0]),
            evidence=[evidence(f, c) for (f, _), c in zip(pairs, cites, strict=True)],
            confidence=0.5, signature=f"area:{path}",
        ))
    out: list[Lesson] = []
    for _scope, found in sorted(by_scope.items()):
        found.sort(key=lambda le: (-le.support, le.signature))
        out.extend(found[:MAX_PER_REPO])
    return out
