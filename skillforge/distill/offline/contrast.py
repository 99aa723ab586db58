"""Contrast miner: actions and touched-file patterns markedly more frequent in failed runs than in
resolved runs of the same repository (or the same agent), tested with a one-sided Fisher exact test
(hand-written hypergeometric tail) and a Benjamini–Hochberg correction within each group. Only runs
whose outcome is known take part. Results become warnings."""

from __future__ import annotations

import re
from math import comb
from typing import Any

from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import EDIT, REPRODUCE, TEST
from skillforge.distill.offline.evidence import Facts, evidence, render, repo_scope
from skillforge.model import Lesson, LessonKind, Level, Outcome, Scope, ScopeKind

ALPHA = 0.05
MIN_FAILED_WITH = 2  # the feature must appear in at least this many failed runs
MIN_RATIO = 2.0  # failed-run rate at least this multiple of the resolved-run rate
MIN_RUNS_EACH = 2  # at least this many failed and resolved runs in a group
_CONFIG = re.compile(r"(?:^|/)(?:setup\.py|setup\.cfg|pyproject\.toml|tox\.ini|requirements[\w.-]*\.txt|package\.json|conftest\.py)$")
_TESTFILE = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[\w]+\.py$|_test\.\w+$|\.(?:test|spec)\.\w+$")
_REVERT = re.compile(r"\bgit\s+(?:checkout|restore|stash)\b")


def mine(acts: list[Act], edited: list[str]) -> dict[str, int]:
    """Feature -> first step index where this run shows it."""
    feats: dict[str, int] = {}

    def add(key: str, step: int) -> None:
        feats.setdefault(key, step)

    for a in acts:
        if a.recipe:
            add(f"ran:{a.recipe}", a.call)
        if a.cls == EDIT and a.program:
            add(f"edit-with:{a.program}", a.call)
        if a.failed and a.sig:
            add(f"hit:{a.sig}", a.call)
        if _REVERT.search(a.cmd):
            add("reverted-files", a.call)
        for path in a.writes:
            if _CONFIG.search(path):
                add("edited:config", a.call)
    for path in edited:
        if _CONFIG.search(path):
            add("edited:config", acts[-1].call if acts else 0)
        if _TESTFILE.search(path):
            add("edited:test-files", acts[-1].call if acts else 0)
    if acts and not any(a.cls == TEST for a in acts):
        add("never-ran-tests", acts[-1].call)
    if acts and not any(a.cls == REPRODUCE for a in acts):
        add("never-reproduced", acts[-1].call)
    return dict(sorted(feats.items()))


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided Fisher exact p: the chance of at least ``a`` feature runs among the failed ones."""
    n_fail, with_f, total = a + b, a + c, a + b + c + d
    denom = comb(total, n_fail)
    tail = sum(comb(with_f, k) * comb(total - with_f, n_fail - k) for k in range(a, min(with_f, n_fail) + 1))
    return min(1.0, tail / denom) if denom else 1.0


def phrase(feature: str) -> tuple[str, str]:
    """(what the runs did, an example command) for a feature key."""
    kind, _, value = feature.partition(":")
    return {
        "ran": (f"ran `{value}`", ""), "edit-with": (f"edited files with `{value}`", ""),
        "hit": (f"hit `{value}`", ""), "edited": ({"config": "edited packaging/config files (setup.py, pyproject.toml, conftest.py…)",
                                                    "test-files": "edited existing test files"}.get(value, value), ""),
        "reverted-files": ("reverted files with git checkout/restore", ""),
        "never-ran-tests": ("never ran the test suite", ""), "never-reproduced": ("never ran a reproduction script", ""),
    }.get(kind, (feature, ""))


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    known = [f for f in all_facts if f["outcome"] in (Outcome.SUCCESS.value, Outcome.FAILURE.value)]
    groups: dict[str, tuple[Scope, list[Facts]]] = {}
    for f in known:
        scope = repo_scope(f)
        groups.setdefault(str(scope), (scope, []))[1].append(f)
        if f.get("repo") and f.get("agent"):
            agent = Scope(ScopeKind.TOOL, f["agent"])
            groups.setdefault(str(agent), (agent, []))[1].append(f)
    out: list[Lesson] = []
    repo_sets = {frozenset(f["id"] for f in m) for s, m in groups.values() if s.kind is ScopeKind.REPOSITORY}
    for _name, (scope, members) in sorted(groups.items()):
        if scope.kind is ScopeKind.TOOL and frozenset(f["id"] for f in members) in repo_sets:
            continue  # an agent seen on one repository only: the repository's warnings say it all
        out.extend(_group_lessons(scope, sorted(members, key=lambda f: f["id"])))
    return out


def _group_lessons(scope: Scope, members: list[Facts]) -> list[Lesson]:
    failed = [f for f in members if f["outcome"] == Outcome.FAILURE.value]
    won = [f for f in members if f["outcome"] == Outcome.SUCCESS.value]
    if len(failed) < MIN_RUNS_EACH or len(won) < MIN_RUNS_EACH:
        return []
    features = sorted({k for f in failed for k in f.get("features", {})})
    tests: list[tuple[float, str, int, int]] = []
    for feat in features:
        a = sum(1 for f in failed if feat in f["features"])
        c = sum(1 for f in won if feat in f["features"])
        if a < MIN_FAILED_WITH or a / len(failed) < MIN_RATIO * c / len(won):
            continue
        tests.append((fisher_greater(a, len(failed) - a, c, len(won) - c), feat, a, c))
    out: list[Lesson] = []
    for p_adj, feat, a, c in _bh(tests, len(features)):
        what, _ = phrase(feat)
        where = f"on {scope.value}" if scope.kind is ScopeKind.REPOSITORY else f"with {scope.value}"
        cited = [f for f in failed if feat in f["features"]]
        body = render("lesson_warning", phrase=what, where=where, a=a, n_fail=len(failed), c=c,
                      n_success=len(won), p=f"{p_adj:.3g}", example="")
        out.append(Lesson(
            title=f"Warning: runs that {what} failed more often", trigger=f"before you {what.split(' ', 1)[-1]}",
            body=body, kind=LessonKind.WARNING, level=Level.FUNCTIONAL, scope=scope,
            evidence=[evidence(f, _cite(f, feat)) for f in cited], confidence=round(1 - p_adj, 3),
            signature=f"contrast:{feat}",
        ))
    return out


def _cite(f: Facts, feat: str) -> dict[str, Any]:
    item: dict[str, Any] = f["features"][feat]
    return item


def _bh(tests: list[tuple[float, str, int, int]], m: int) -> list[tuple[float, str, int, int]]:
    """Benjamini–Hochberg over the ``m`` features tested in a group; keep those under ALPHA."""
    ranked = sorted(tests)
    kept: list[tuple[float, str, int, int]] = []
    prev = 1.0
    adjusted: list[float] = []
    for i in range(len(ranked) - 1, -1, -1):
        prev = min(prev, ranked[i][0] * m / (i + 1))
        adjusted.append(prev)
    adjusted.reverse()
    for (_, feat, a, c), p_adj in zip(ranked, adjusted, strict=True):
        if p_adj <= ALPHA:
            kept.append((p_adj, feat, a, c))
    return sorted(kept, key=lambda t: (t[0], t[1]))
