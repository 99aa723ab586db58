"""Contrast miner: actions, the final submission's contents and harness complaints markedly more
frequent in failed runs than in resolved runs, per repository and pooled per agent (all its runs),
tested with a one-sided Fisher exact test (exact hypergeometric tail over ``math.comb``; scipy is no
dependency) and a Benjamini–Hochberg correction over the features tested in each group, with the rate
difference as effect size. Only runs whose outcome is known take part. Results become warnings that
state both rates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
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
MIN_DIFF = 0.15  # failed-run rate minus resolved-run rate (effect size) a warning needs
MIN_RUNS_EACH = 2  # at least this many failed and resolved runs in a group
MIN_WITH = 4  # runs (either outcome) a feature needs to be tested at all: independent filtering, which
# keeps rare features (that could never reach significance) out of the correction's hypothesis count
_CONFIG = re.compile(
    r"(?:^|/)(?:setup\.py|setup\.cfg|pyproject\.toml|tox\.ini|requirements[\w.-]*\.txt|package\.json|conftest\.py)$"
)
_TESTFILE = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[\w]+\.py$|_test\.\w+$|\.(?:test|spec)\.\w+$")
_REVERT = re.compile(r"\bgit\s+(?:checkout|restore|stash)\b")
_SCRATCH = re.compile(
    r"^[^/]+\.(?:py|sh)$|\.(?:orig|bak|rej|swp|pickle|png)$|~$|(?:^|/)(?:reproduc\w*|debug_\w*|verify_\w*|check_\w*)\.py$"
)


_FRAME = re.compile(r'File "([^"]+)", line')
_OWN_SCRIPT = re.compile(
    r"(?:^|/)(?:reproduc|repro|test_|check|verify|debug|apply|patch|fix|update|modify)\w*\.py$"
)


def _in_repository(output: str) -> bool:
    """Whether a syntax error's last frame is a repository file (an edit broke it), not the agent's
    own script or ``<string>``."""
    frames = _FRAME.findall(output[-4000:])
    if not frames:
        return False
    path = frames[-1]
    return (
        not path.startswith(("<", "/tmp/")) and not _OWN_SCRIPT.search(path) and "site-packages" not in path
    )


def file_diffs(diff: str) -> list[tuple[str, str, str]]:
    """(old path, new path, its part of the diff) for each file a git diff changes."""
    out = []
    for block in re.split(r"^diff --git ", diff, flags=re.M)[1:]:
        m = re.match(r"a/(\S+) b/(\S+)", block)
        if m:
            out.append((m.group(1), m.group(2), block))
    return out


def submission(diff: str) -> tuple[list[str], list[str]]:
    """(files the final diff changes, files it adds)."""
    files, added = [], []
    for _, path, block in file_diffs(diff):
        files.append(path)
        if re.search(r"^new file mode", block[:400], re.M):
            added.append(path)
    return files, added


def mine(
    acts: list[Act], edited: list[str], diff: str = "", complaints: list[dict] | None = None
) -> dict[str, int]:
    """Feature -> first step index where this run shows it."""
    feats: dict[str, int] = {}

    def add(key: str, step: int) -> None:
        feats.setdefault(key, step)

    last = acts[-1].call if acts else 0
    for it in complaints or []:
        add(f"harness:{it['kind']}", it["steps"][0] if it["steps"] else last)
    files, added = submission(diff)
    for path in added:
        add("submitted:added-file", last)
        if _SCRATCH.search(path):
            add("submitted:scratch-file", last)
    for path in files:
        if _TESTFILE.search(path) and path not in added:
            add("submitted:test-files", last)

    for a in acts:
        for key in _act_features(a):
            add(key, a.call)
    if not files:
        for path in edited:
            if _TESTFILE.search(path):
                add("edited:test-files", last)
    if acts and not any(a.cls == TEST for a in acts):
        add("never-ran-tests", acts[-1].call)
    if acts and not any(a.cls == REPRODUCE for a in acts):
        add("never-reproduced", acts[-1].call)
    return dict(sorted(feats.items()))


def _act_features(a: Act) -> Iterator[str]:
    """The features one action shows."""
    if a.recipe:
        yield f"ran:{a.recipe}"
    if a.cls == EDIT and a.program:
        yield f"edit-with:{a.program}"
    if a.failed and a.sig:
        yield f"hit:{a.sig}"
    if _REVERT.search(a.cmd):
        yield "reverted-files"
    if a.failed and a.exc in ("SyntaxError", "IndentationError", "TabError") and _in_repository(a.output):
        yield "broke-syntax"
    if any(_CONFIG.search(w) for w in a.writes):
        yield "edited:config"  # the agent's own edit, not one the environment had already made


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
        "ran": (f"ran `{value}`", ""),
        "edit-with": (f"edited files with `{value}`", ""),
        "hit": (f"hit `{value}`", ""),
        "edited": (
            {
                "config": "edited packaging/config files (setup.py, pyproject.toml, conftest.py…)",
                "test-files": "edited existing test files",
            }.get(value, value),
            "",
        ),
        "submitted": (
            {
                "added-file": "submitted a patch that adds a new file",
                "scratch-file": "left a scratch or backup file (reproduce.py, .orig, .png…) in the submitted patch",
                "test-files": "changed existing test files in the submitted patch",
            }.get(value, value),
            "",
        ),
        "harness": (
            {
                "malformed-action": "sent a reply the harness rejected as a malformed action",
                "output-truncated": "had command output cut by the harness",
                "timeout": "ran a command that timed out",
            }.get(value, value),
            "",
        ),
        "reverted-files": ("reverted files with git checkout/restore", ""),
        "broke-syntax": (
            "left a repository file unparsable after an edit (SyntaxError/IndentationError in it)",
            "",
        ),
        "never-ran-tests": ("never ran the test suite", ""),
        "never-reproduced": ("never ran a reproduction script", ""),
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


def _same_as_repository(
    agent: Scope, g: _Group, groups: dict[str, tuple[Scope, _Group]], resolve: Callable[[Scope], Scope]
) -> bool:
    """Whether an agent's runs are exactly one repository's runs."""
    repos = {str(resolve(Scope(ScopeKind.REPOSITORY, r))) for r in g.repos}
    if g.no_repo or len(repos) != 1 or next(iter(repos)) not in groups:
        return False
    return set(groups[next(iter(repos))][1].agents) == {agent.value}


def _group_lessons(scope: Scope, g: _Group) -> list[Lesson]:
    if g.failed < MIN_RUNS_EACH or g.won < MIN_RUNS_EACH:
        return []
    features = sorted(k for k, fe in g.features.items() if fe.failed and fe.failed + fe.won >= MIN_WITH)
    tests: list[tuple[float, str, int, int]] = []
    for feat in features:
        a, c = g.features[feat].failed, g.features[feat].won
        if a < MIN_FAILED_WITH or a / g.failed - c / g.won < MIN_DIFF:
            continue
        tests.append((fisher_greater(a, g.failed - a, c, g.won - c), feat, a, c))
    return [_warning(scope, g, test) for test in _bh(tests, len(features))]


def _warning(scope: Scope, g: _Group, test: tuple[float, str, int, int]) -> Lesson:
    """The warning lesson for one feature that failed runs show significantly more often."""
    p_adj, feat, a, c = test
    what, _ = phrase(feat)
    where = f"on {scope.value}" if scope.kind is ScopeKind.REPOSITORY else f"with {scope.value}"
    cited = g.features[feat].sample
    body = render(
        "lesson_warning",
        phrase=what,
        where=where,
        a=a,
        n_fail=g.failed,
        c=c,
        n_success=g.won,
        p=f"{p_adj:.3g}",
        diff=round(100 * (a / g.failed - c / g.won)),
        odds=_odds(a, g.failed - a, c, g.won - c),
        example="",
    )
    return Lesson(
        title=f"Warning: runs that {what} failed more often",
        trigger=f"before you {what.split(' ', 1)[-1]}",
        body=body,
        kind=LessonKind.WARNING,
        level=Level.FUNCTIONAL,
        scope=scope,
        evidence=evidence_of(cited, evidence),
        confidence=round(1 - p_adj, 3),
        signature=f"contrast:{feat}",
        runs=runs_if_sampled(a, cited),
    )


def _odds(a: int, b: int, c: int, d: int) -> str:
    """The odds ratio with the Haldane–Anscombe correction (0.5 added to each cell when one is 0)."""
    if 0 in (a, b, c, d):
        a, b, c, d = (x + 0.5 for x in (a, b, c, d))  # type: ignore[assignment]
    return f"{(a * d) / (b * c):.2g}"


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
