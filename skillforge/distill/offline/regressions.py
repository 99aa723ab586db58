"""Why labelled runs failed, from the SWE-bench report a user passes with ``--labels``: a failed run
either left the issue's own tests failing (``FAIL_TO_PASS``: not fixed) or broke tests that passed
before its patch (``PASS_TO_PASS``: a regression). For a regression the log then tells how the agent
missed it, judged by its runs of the test file that broke: it ran that file last and saw failures,
then submitted; it changed the code again after its last run of it; it never ran it; or it edited
the test so that it passed (the harness runs the repository's own tests). The reduce pools the runs
per agent into one warning that states each count, and per repository into one that names the test
file to run.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Sample,
    entry,
    evidence_of,
    ranked,
    regroup,
    runs_if_sampled,
)
from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import EDIT, TEST
from skillforge.distill.offline.evidence import Facts, cite, evidence, render
from skillforge.distill.offline.signature import tests_failed
from skillforge.model import Lesson, LessonKind, Level, Outcome, Scope, ScopeKind, Trajectory

MIN_RUNS = 2  # regressions an agent's warning needs
SAW, STALE, NEVER, EDITED, PASSED, UNKNOWN = (
    "saw-failures",
    "not-rerun",
    "never-ran",
    "edited-test",
    "passed",
    "?",
)
_DJANGO_ID = re.compile(r"^\w+ \(([\w.]+)\)$")  # "test_load_empty_dir (migrations.test_loader.LoaderTests)"
_SUMMARY = re.compile(r"^.*(?:\b\d+ (?:failed|passed|errors?)\b|^FAILED \(|^OK\b|^Ran \d+ tests?).*$", re.M)


def file_of_test(test_id: str) -> str:
    """Where a test id lives: ``a/test_x.py`` for pytest's ``a/test_x.py::T::t``, the dotted module
    ``migrations.test_loader`` for Django's ``t (migrations.test_loader.LoaderTests)``; '' for a bare
    name (sympy's reports give only ``test_foo``)."""
    if "::" in test_id:
        return test_id.split("::", 1)[0]
    m = _DJANGO_ID.match(test_id.strip())
    return m.group(1).rsplit(".", 1)[0] if m else ""


def covers(cmd: str, where: str) -> bool:
    """Whether a test command runs the tests in ``where`` (a file path or a dotted module): the part of
    the line that runs the tests names it, a folder or package above it, or a test inside it; or names
    no path or module at all (the whole suite)."""
    parts = [p for p in _SEPARATORS.split(cmd) if _RUNNER.search(p)] or [cmd]
    return any(_runs(part, where) for part in parts)


_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")
_RUNNER = re.compile(r"\b(?:pytest|py\.test|runtests\.py|bin/test|unittest|nose2?|tox|manage\.py\s+test)\b")


def _runs(part: str, where: str) -> bool:
    try:
        words = shlex.split(part)
    except ValueError:
        words = part.split()
    named = [w.split("::", 1)[0].rstrip("/") for w in words[1:] if _names_tests(w)]
    if not named:
        return True
    dotted = "/" not in where and not where.endswith(".py")
    return any(_within(where, arg, dotted) for arg in named)


def _names_tests(word: str) -> bool:
    return (
        not word.startswith("-")
        and ("/" in word or word.endswith(".py") or re.fullmatch(r"[A-Za-z_]\w*(?:\.\w+)+", word) is not None)
        and not word.endswith(("runtests.py", "/python", "/python3", "/pytest"))
        and not word.startswith(("/usr/", "/bin/"))
    )


def _within(where: str, arg: str, dotted: bool) -> bool:
    if dotted:  # Django: runtests.py migrations / migrations.test_loader / …LoaderTests.test_x
        return where == arg or where.startswith(arg + ".") or arg.startswith(where + ".")
    arg = arg.removeprefix("./").removeprefix("/testbed/")
    return where == arg or where.startswith(arg + "/") or where.rsplit("/", 1)[-1] == arg.rsplit("/", 1)[-1]


def mine(traj: Trajectory, acts: list[Act], submitted: list[str]) -> dict[str, Any] | None:
    """Why this failed run failed, when its report is known: {"kind": "broke" | "not_fixed", "how",
    "tests", "file", and a citation}; None for other runs. ``submitted``: files the final diff changes."""
    tests = traj.metadata.get("tests")
    if traj.known_outcome is not Outcome.FAILURE or not isinstance(tests, dict):
        return None
    broke, not_fixed = list(tests.get("broke") or []), list(tests.get("not_fixed") or [])
    last = acts[-1].call if acts else 0
    if not broke:
        return cite(
            traj,
            [last],
            not_fixed[0] if not_fixed else "",
            kind="not_fixed",
            how="",
            tests=not_fixed[:2],
            file="",
        )
    where = next((f for f in map(file_of_test, broke) if f), "")
    how, run = _how(acts, where, submitted)
    quote = _summary(run.output) if run is not None else broke[0]
    steps = [run.call, run.result] if run is not None and run.result is not None else [last]
    return cite(traj, steps, quote or broke[0], kind="broke", how=how, tests=broke[:2], file=where)


def _how(acts: list[Act], where: str, submitted: list[str]) -> tuple[str, Act | None]:
    """How the run missed the regression in ``where`` and the last run of that file (None: none)."""
    if not where:
        return UNKNOWN, None
    as_path = where if "/" in where or where.endswith(".py") else where.replace(".", "/") + ".py"
    if any(f == as_path or f.endswith("/" + as_path) for f in submitted):
        return EDITED, None
    runs = [a for a in acts if a.cls == TEST and covers(a.cmd, where)]
    if not runs:
        return NEVER, None
    last_run = runs[-1]
    if last_run.failed or tests_failed(last_run.output):
        return SAW, last_run
    edits = [a.call for a in acts if a.cls == EDIT and not a.scratch]
    if edits and edits[-1] > last_run.call:
        return STALE, last_run
    return PASSED, last_run


def _summary(output: str) -> str:
    """The test runner's summary line (``4 passed, 146 errors in 32.82s``), stripped of its rule."""
    found = _SUMMARY.findall(output[-4000:])
    return found[-1].strip(" =") if found else ""


@dataclass
class _Group:
    reported: int = 0  # failed runs whose report is known
    how: Counter[str] = field(default_factory=Counter)  # regressions by how they were missed
    files: Counter[str] = field(default_factory=Counter)  # the test files that broke
    tests: Counter[str] = field(default_factory=Counter)  # the tests that broke (each run's first)
    sample: Sample = field(default_factory=Sample)  # regression runs

    def quote(self, how: str) -> str:
        """The cited quote of the first sampled regression missed this way ('' if none is sampled)."""
        return next((item["quote"] for _, item in self.sample.pairs() if item["how"] == how), "")


@dataclass
class Acc:
    """Streaming reduce: per agent and per repository, failed runs with a report and their
    regressions by how they were missed."""

    k: int = K
    groups: dict[tuple[Scope], _Group] = field(default_factory=dict)

    def add(self, f: Facts, meta: Facts) -> None:
        item = f.get("verdict")
        if not item:
            return
        scopes = [Scope(ScopeKind.TOOL, f.get("agent") or "agent")]
        if f.get("repo"):
            scopes.append(Scope(ScopeKind.REPOSITORY, f["repo"]))
        for scope in scopes:
            g = entry(self.groups, (scope,), lambda: _Group(sample=Sample(self.k)))
            g.reported += 1
            if item["kind"] == "broke":
                g.how[item["how"]] += 1
                g.files.update([item["file"]] if item["file"] else [])
                g.tests.update(item["tests"][:1])
                g.sample.add(meta, item)

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        out = []
        for (scope,), g in sorted(regroup(self.groups, resolve).items(), key=lambda kv: str(kv[0][0])):
            broke = sum(g.how.values())
            if broke >= MIN_RUNS:
                out.append(_lesson(scope, g, broke))
        return out


def _lesson(scope: Scope, g: _Group, broke: int) -> Lesson:
    """The agent's warning (every count) or the repository's (the test file to run, and how runs missed it)."""
    body = render(
        "lesson_regression" if scope.kind is ScopeKind.TOOL else "lesson_regression_repo",
        broke=broke,
        reported=g.reported,
        files=[name for name, _ in ranked(g.files)[:3]],
        tests=[name for name, _ in ranked(g.tests)[:2]],
        saw=g.how[SAW],
        saw_quote=g.quote(SAW),
        stale=g.how[STALE],
        never=g.how[NEVER],
        edited=g.how[EDITED],
        passed=g.how[PASSED],
        not_fixed=g.reported - broke,
    )
    return Lesson(
        title="Warning: failed runs broke tests that passed before",
        trigger="before you submit a fix",
        body=body,
        kind=LessonKind.WARNING,
        level=Level.FUNCTIONAL,
        scope=scope,
        evidence=evidence_of(g.sample, evidence),
        confidence=round(broke / max(g.reported, 1), 3),
        signature="regression:broke",
        runs=runs_if_sampled(broke, g.sample),
    )
