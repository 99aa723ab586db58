"""Contrast miner: actions and touched-file patterns markedly more frequent in failed runs than in
resolved runs of the same repository (or the same agent), tested with a one-sided Fisher exact test
(hand-written hypergeometric tail) and a Benjamini–Hochberg correction within each group. Only runs
whose outcome is known take part. Results become warnings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from math import comb

from skillforge.distill.offline.accumulate import (
    K,
    Sample,
    entry,
    evidence_of,
    regroup,
    runs_if_sampled,
)
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


@dataclass
class _Feature:
    failed: int = 0  # failed runs that show it
    won: int = 0  # resolved runs that show it
    sample: Sample = field(default_factory=Sample)  # failed runs that show it


@dataclass
class _Group:
    failed: int = 0
    won: int = 0
    features: dict[str, _Feature] = field(default_factory=dict)
    agents: Counter[str] = field(default_factory=Counter)  # repository group: its runs' agents
    repos: Counter[str] = field(default_factory=Counter)  # agent group: its runs' repositories
    no_repo: int = 0  # agent group: runs without a repository


@dataclass
class Acc:
    """Streaming reduce: per repository and per agent, runs and feature counts by outcome."""

    k: int = K
    groups: dict[tuple[Scope], _Group] = field(default_factory=dict)

    def _feature(self) -> _Feature:
        return _Feature(sample=Sample(self.k))

    def add(self, f: Facts, meta: Facts) -> None:
        if f["outcome"] not in (Outcome.SUCCESS.value, Outcome.FAILURE.value):
            return
        scope = repo_scope(f)
        g = self._member(scope, f, meta)
        if scope.kind is ScopeKind.REPOSITORY:
            g.agents[f.get("agent") or ""] += 1
        else:
            g.no_repo += 1
        if f.get("repo") and f.get("agent"):
            self._member(Scope(ScopeKind.TOOL, f["agent"]), f, meta).repos[f["repo"]] += 1

    def _member(self, scope: Scope, f: Facts, meta: Facts) -> _Group:
        g = entry(self.groups, (scope,), _Group)
        failed = f["outcome"] == Outcome.FAILURE.value
        g.failed += failed
        g.won += not failed
        for feat, item in f.get("features", {}).items():
            fe = entry(g.features, feat, self._feature)
            if failed:
                fe.failed += 1
                fe.sample.add(meta, item)
            else:
                fe.won += 1
        return g

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        groups = {str(s): (s, g) for (s,), g in regroup(self.groups, resolve).items()}
        out: list[Lesson] = []
        for _name, (scope, g) in sorted(groups.items()):
            if scope.kind is ScopeKind.TOOL and _same_as_repository(scope, g, groups, resolve):
                continue  # an agent seen on one repository only: the repository's warnings say it all
            out.extend(_group_lessons(scope, g))
        return out


def _same_as_repository(agent: Scope, g: _Group, groups: dict[str, tuple[Scope, _Group]],
                        resolve: Callable[[Scope], Scope]) -> bool:
    """Whether an agent's runs are exactly one repository's runs."""
    repos = {str(resolve(Scope(ScopeKind.REPOSITORY, r))) for r in g.repos}
    if g.no_repo or len(repos) != 1 or next(iter(repos)) not in groups:
        return False
    return set(groups[next(iter(repos))][1].agents) == {agent.value}


def _group_lessons(scope: Scope, g: _Group) -> list[Lesson]:
    if g.failed < MIN_RUNS_EACH or g.won < MIN_RUNS_EACH:
        return []
    features = sorted(k for k, fe in g.features.items() if fe.failed)
    tests: list[tuple[float, str, int, int]] = []
    for feat in features:
        a, c = g.features[feat].failed, g.features[feat].won
        if a < MIN_FAILED_WITH or a / g.failed < MIN_RATIO * c / g.won:
            continue
        tests.append((fisher_greater(a, g.failed - a, c, g.won - c), feat, a, c))
    out: list[Lesson] = []
    for p_adj, feat, a, c in _bh(tests, len(features)):
        what, _ = phrase(feat)
        where = f"on {scope.value}" if scope.kind is ScopeKind.REPOSITORY else f"with {scope.value}"
        cited = g.features[feat].sample
        body = render("lesson_warning", phrase=what, where=where, a=a, n_fail=g.failed, c=c,
                      n_success=g.won, p=f"{p_adj:.3g}", example="")
        out.append(Lesson(
            title=f"Warning: runs that {what} failed more often", trigger=f"before you {what.split(' ', 1)[-1]}",
            body=body, kind=LessonKind.WARNING, level=Level.FUNCTIONAL, scope=scope,
            evidence=evidence_of(cited, evidence), confidence=round(1 - p_adj, 3),
            signature=f"contrast:{feat}", runs=runs_if_sampled(a, cited),
        ))
    return out




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
