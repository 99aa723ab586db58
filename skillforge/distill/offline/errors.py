"""Error → recovery miner: a failing action followed later by a successful action of the same class
(running tests, installing, building, running a script, editing). The failure is grouped by its
normalised signature; the lesson says what worked and in how many runs.

A recovery only counts when something other than code changes made the difference: the succeeding
command differs from the failing one, or an install/build step ran in between. A test that fails,
gets fixed in the code and then passes is ordinary development, not a lesson.
"""

from __future__ import annotations

import re
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
from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import BUILD, CHECK, EDIT, INSTALL, REPRODUCE, TEST
from skillforge.distill.offline.evidence import (
    Facts,
    cite,
    confidence,
    evidence,
    render,
    repo_scope,
)
from skillforge.model import Lesson, LessonKind, Level, Scope, Trajectory

RECOVERABLE = (TEST, BUILD, INSTALL, CHECK, REPRODUCE, EDIT)
MAX_PER_RUN = 20
LOOKAHEAD = 60  # actions searched for the recovery of one failure (keeps long runs linear)


def family(sig: str, exc: str) -> str:
    """The error family a signature belongs to (a tool/error skill's theme), or ''."""
    low = sig.lower()
    if "no module named" in low or exc in ("ImportError", "ModuleNotFoundError"):
        return "python-import-errors"
    if exc in ("SyntaxError", "IndentationError", "TabError"):
        return "python-syntax-errors"
    if "command not found" in low:
        return "shell-command-not-found"
    if exc in ("sed", "git", "pip", "npm", "make", "patch"):
        return f"{exc}-errors"
    return ""


_CD_ROOT = re.compile(r"^(?:cd (?:/testbed|/workspace|/repo)/? && )+")  # a cd to the repository root only
_CODE_FAILURE = re.compile(r"^(?:AssertionError|pytest: tests failed|FAILED|E\s)")


def _helper(act: Act) -> str:
    """An install or build step that ran between a failure and its fix, as the agent ran it (a cd to
    the repository root dropped), whole: a command too long to quote (``Act.cmd`` ends in "…") is
    given by its recipe, never cut mid-command (a cut command is another command)."""
    cmd = _CD_ROOT.sub("", act.cmd)
    return act.recipe if cmd.endswith("…") else cmd


def _fix_text(act: Act) -> str:
    return act.recipe or act.program or act.cls


_ENVIRONMENT = re.compile(
    r"No module named|ModuleNotFoundError|ImportError|command not found|could not be found|not installed"
    r"|cannot open shared object|DLL load failed|library not loaded|Permission denied",
    re.I,
)


def _worth_mining(fail: Act) -> bool:
    """A failure whose recovery may teach something: not a test that simply failed on the code, and,
    for a script or ``python -c``, only an environment failure (a missing module, command or tool):
    a script's own exception is the bug it reproduces or a probe of a library's behaviour, and what
    ran next is no fix for it."""
    if not fail.failed or not fail.sig or fail.cls not in RECOVERABLE:
        return False
    if fail.cls == REPRODUCE:
        return bool(_ENVIRONMENT.search(fail.sig))
    return not (fail.cls == TEST and _CODE_FAILURE.match(fail.sig))


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, fail in enumerate(acts):
        if not _worth_mining(fail) or (fail.cls, fail.sig) in seen:
            continue
        between: list[str] = []
        for later in acts[i + 1 : i + 1 + LOOKAHEAD]:
            if later.cls in (INSTALL, BUILD) and later.worked and later.cls != fail.cls and later.recipe:
                between.append(_helper(later))
            if later.cls != fail.cls or not later.worked:
                continue
            same = (_fix_text(later) == _fix_text(fail) and later.cmd == fail.cmd) or (
                later.recipe and later.recipe == fail.recipe
            )
            if (same or _fix_text(later) == _fix_text(fail) or later.cls == REPRODUCE) and not between:
                break  # fixed in the code, or retried unchanged: not an environment lesson
            seen.add((fail.cls, fail.sig))
            steps = [fail.call, later.call] + ([fail.result] if fail.result is not None else [])
            found.append(
                cite(
                    traj,
                    steps,
                    f"{fail.sig_raw} → {later.cmd}",
                    sig=fail.sig,
                    exc=fail.exc,
                    cls=fail.cls,
                    failed_cmd=_fix_text(fail),
                    fix=_fix_text(later),
                    between=sorted(set(between))[:3],
                )
            )
            break
        if len(found) >= MAX_PER_RUN:
            break
    return found


@dataclass
class _Group:
    runs: Runs = field(default_factory=Runs)
    sample: Sample = field(default_factory=Sample)
    fixes: Counter[str] = field(default_factory=Counter)
    helpers: Counter[str] = field(default_factory=Counter)
    failed_cmds: Counter[str] = field(default_factory=Counter)


@dataclass
class Acc:
    """Streaming reduce: one group per (scope, class, signature), plus runs with a failure per scope."""

    k: int = K
    groups: dict[tuple[Scope, str, str], _Group] = field(default_factory=dict)
    failing: dict[tuple[Scope], int] = field(default_factory=dict)

    def _group(self) -> _Group:
        return _Group(sample=Sample(self.k))

    def add(self, f: Facts, meta: Facts) -> None:
        items = f.get("errors") or []
        if not items:
            return
        scope = repo_scope(f)
        self.failing[(scope,)] = self.failing.get((scope,), 0) + 1  # a run with several failures counts once
        seen: set[tuple[str, str]] = set()
        for it in items:
            g = entry(self.groups, (scope, it["cls"], it["sig"]), self._group)
            if (it["cls"], it["sig"]) not in seen:
                seen.add((it["cls"], it["sig"]))
                g.runs.add(f["outcome"])
            g.sample.add(meta, it)
            g.fixes[it["fix"]] += 1
            g.helpers.update(it["between"])
            g.failed_cmds[it["failed_cmd"]] += 1

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        failing = {str(k[0]): n for k, n in regroup(self.failing, resolve).items()}
        groups = {f"{s}\x00{c}\x00{sig}": (s, g) for (s, c, sig), g in regroup(self.groups, resolve).items()}
        return [
            _lesson(scope, g, failing.get(str(scope), 0))
            for _key, (scope, g) in sorted(groups.items())
            if recommendable(g.runs)
        ]


def recommendable(runs: Runs) -> bool:
    """A recovery is advice only if a resolved run used it, when outcomes are known: a "fix" seen only
    in failed runs may be the very mistake that sank them (a reproduction switched to an input that no
    longer hits the bug)."""
    return runs.wins > 0 or runs.known < runs.n


def _lesson(scope: Scope, g: _Group, failing: int) -> Lesson:
    first = g.sample.first()[1]
    fix, fix_n = ranked_by_count(g.fixes)[0]
    body = render(
        "lesson_error_recovery",
        sig=first["sig"],
        cls=first["cls"],
        fix=fix,
        fix_n=fix_n,
        failed_cmd=ranked_by_count(g.failed_cmds)[0][0],
        also=ranked_by_count(g.failed_cmds)[1:3],
        helpers=ranked_by_count(g.helpers)[:2],
        runs=g.runs.phrase(),
        total=g.runs.n,
    )
    return Lesson(
        title=f"{first['sig']} ({first['cls']})",
        trigger=f"when a {first['cls']} command fails with: {first['sig']}",
        body=body,
        kind=LessonKind.ERROR_RECOVERY,
        level=Level.ATOMIC,
        scope=scope,
        evidence=evidence_of(g.sample, evidence),
        confidence=confidence(fix_n, failing),
        signature=f"error:{first['cls']}:{first['sig']}|family:{family(first['sig'], first['exc'])}",
        runs=runs_if_sampled(g.runs.n, g.sample),
    )


def ranked_by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
