"""Why labelled runs failed, from the SWE-bench report a user passes with ``--labels``: a failed run
either left the issue's own tests failing (``FAIL_TO_PASS``: not fixed) or broke tests that passed
before its patch (``PASS_TO_PASS``: a regression). For a regression the log tells how the agent missed
it, judged by its runs of the test file that broke (:mod:`.testfiles`): its last run of that file
failed and it submitted, or changed code and submitted without running it again; that run timed out;
it changed code after a passing run; it ran only other tests of the file; it never ran the file; or
its final diff changed existing lines of that test file (the evaluation runs the repository's
version). The reduce pools the runs per agent into one warning that
states each count, and per repository into one that names the test file to run.
"""

from __future__ import annotations

import re
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
from skillforge.distill.offline.commands import EDIT, REPRODUCE, TEST
from skillforge.distill.offline.contrast import file_diffs
from skillforge.distill.offline.evidence import Facts, cite, evidence, render
from skillforge.distill.offline.harness import TIMEOUT, complaint
from skillforge.distill.offline.signature import tests_failed
from skillforge.distill.offline.testfiles import Run, file_of_test, path_of, runs_of
from skillforge.model import Lesson, LessonKind, Level, Outcome, Scope, ScopeKind, Shell, Trajectory

MIN_RUNS = 2  # regressions a warning needs
SAW, SAW_CHANGED, TIMED_OUT = "saw-failures", "saw-failures-then-changed", "timed-out"
BASELINE = "failed-without-the-change"
STALE, PART, PASSED = "not-rerun", "part", "passed"
NEVER, EDITED, UNKNOWN = "never-ran", "edited-test", "?"
_SUMMARY = re.compile(r"^.*(?:\b\d+ (?:failed|passed|errors?)\b|^FAILED \(|^OK\b|^Ran \d+ tests?).*$", re.M)
_NOT_CODE = re.compile(
    r"\.(?:md|rst|txt|adoc)$|(?:^|/)(?:CHANGES|CHANGELOG|AUTHORS|NEWS|HISTORY)[^/]*$", re.I
)


def mine(traj: Trajectory, acts: list[Act], diff: str) -> dict[str, Any] | None:
    """Why this failed run failed, when its report is known: {"kind": "broke" | "not_fixed", "how",
    "tests", "file", and a citation}; None for other runs. ``diff``: the run's final diff."""
    tests = traj.failing_tests
    if traj.known_outcome is not Outcome.FAILURE or not tests:
        return None
    broke, not_fixed = tests.get("broke", []), tests.get("not_fixed", [])
    last = acts[-1].call if acts else 0
    if not broke:
        return cite(traj, [last], not_fixed[0], kind="not_fixed", how="", tests=not_fixed[:2], file="")
    where = next((f for f in map(file_of_test, broke) if f), "")
    how, run = _how(acts, where, diff)
    quote = (
        (run.output.strip().split("\n", 1)[0] if how == TIMED_OUT else _summary(run.output)) if run else ""
    )
    steps = [run.call, run.result] if run is not None and run.result is not None else [last]
    return cite(traj, steps, quote or broke[0], kind="broke", how=how, tests=broke[:2], file=where)


def _how(acts: list[Act], where: str, diff: str) -> tuple[str, Act | None]:
    """How the run missed the regression in ``where`` and its last run of that file (None: none)."""
    if not where:
        return UNKNOWN, None
    if _changed_lines_of(diff, where):
        return EDITED, None
    runs = [
        (a, r)
        for a in acts
        if a.cls in _RUNS and (r := runs_of(_command(a), where, runner_only=False)).covers
    ]
    if not runs:
        return NEVER, None
    last_run, how = runs[-1]
    baseline = [a for a, r in runs if _without_change(a, r, acts) and _failed(a)]
    if baseline and _failed(last_run):  # it fails without the change too: maybe the environment
        return BASELINE, baseline[-1]
    if complaint(last_run.output) == TIMEOUT:  # killed by the harness: it never saw the result
        return TIMED_OUT, last_run
    changed = any(a.call > last_run.call and _changes_code(a) for a in acts)
    if _failed(last_run):
        return (SAW_CHANGED if changed else SAW), last_run
    if changed:
        return STALE, last_run
    return (PART if how.part else PASSED), last_run


_RUNS = (TEST, REPRODUCE)  # the commands that can run a test file (not an install, a cat or a heredoc)
_REVERT = re.compile(r"\bgit\s+(?:checkout|restore|stash)\b(?!\s+(?:-b|pop|apply|list|show)\b)")


def _failed(a: Act) -> bool:
    return a.failed or tests_failed(a.output)


def _without_change(run: Act, found: Run, acts: list[Act]) -> bool:
    """Whether ``run`` tested the code as it was before the run's change: no code edit came before it,
    or a ``git checkout``/``restore``/``stash`` did (in its own line before the tests ran, or since the
    last edit)."""
    if _REVERT.search(found.before):
        return True
    before = [a for a in acts if a.call < run.call]
    edits = [a.call for a in before if _changes_code(a)]
    if not edits:
        return True
    return any(a.call > edits[-1] and _REVERT.search(_command(a)) for a in before)


def _command(a: Act) -> str:
    """The whole command line (``Act.cmd`` is cut to one line of 160 characters)."""
    return a.action.command if isinstance(a.action, Shell) else a.cmd


def _changes_code(a: Act) -> bool:
    """An edit of the repository's code, not of its docs or changelog, nor a scratch file."""
    return a.cls == EDIT and not a.scratch and not (a.writes and all(_NOT_CODE.search(w) for w in a.writes))


def _changed_lines_of(diff: str, where: str) -> bool:
    """Whether the final diff changes, removes or renames lines of the test file ``where`` (adding a new
    test to it is no edit of the tests that broke). The file whose path is ``where`` wins over one
    that only ends with it (Django's ``migrations/test_loader.py`` lives under ``tests/``)."""
    path = path_of(where)
    blocks = {name: block for old, new, block in file_diffs(diff) for name in (new, old)}
    found = blocks.get(path) or next((b for f, b in blocks.items() if f.endswith("/" + path)), "")
    if not found:
        return False
    hunks = found[found.find("\n@@") :] if "\n@@" in found else ""
    return bool(re.search(r"^rename from ", found, re.M)) or re.search(r"^-", hunks, re.M) is not None


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
        more_files=max(0, len(g.files) - 3),
        tests=[name for name, _ in ranked(g.tests)[:2]],
        saw=g.how[SAW],
        saw_quote=g.quote(SAW) or g.quote(SAW_CHANGED),
        saw_changed=g.how[SAW_CHANGED],
        baseline=g.how[BASELINE],
        baseline_quote=g.quote(BASELINE),
        unknown=g.how[UNKNOWN],
        stale=g.how[STALE],
        timed_out=g.how[TIMED_OUT],
        part=g.how[PART],
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
