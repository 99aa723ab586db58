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
from typing import Any

from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.commands import BUILD, EDIT, INSTALL, REPRODUCE, TEST
from skillforge.distill.offline.evidence import (
    Facts,
    cite,
    confidence,
    evidence,
    group,
    render,
    repo_scope,
    runs_phrase,
)
from skillforge.model import Lesson, LessonKind, Level, Trajectory

RECOVERABLE = (TEST, BUILD, INSTALL, REPRODUCE, EDIT)
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


_CD = re.compile(r"^(?:cd \S+ && )+")
_CODE_FAILURE = re.compile(r"^(?:AssertionError|pytest: tests failed|FAILED|E\s)")


def _fix_text(act: Act) -> str:
    if act.recipe:
        return act.recipe
    return re.sub(r"^(python|pip|node)[\d.]+$", r"\1", act.program) or act.cls


def _worth_mining(fail: Act) -> bool:
    """A failure whose recovery may teach something: not a test that simply failed on the code."""
    if not fail.failed or not fail.sig or fail.cls not in RECOVERABLE:
        return False
    return not (fail.cls == TEST and _CODE_FAILURE.match(fail.sig))


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, fail in enumerate(acts):
        if not _worth_mining(fail) or (fail.cls, fail.sig) in seen:
            continue
        between: list[str] = []
        for later in acts[i + 1 : i + 1 + LOOKAHEAD]:
            if later.cls in (INSTALL, BUILD) and not later.failed and later.cls != fail.cls and later.recipe:
                between.append(_CD.sub("", later.cmd)[:100])
            if later.cls != fail.cls or later.failed:
                continue
            same = (_fix_text(later) == _fix_text(fail) and later.cmd == fail.cmd) or (
                later.recipe and later.recipe == fail.recipe
            )
            if (same or _fix_text(later) == _fix_text(fail) or later.cls == REPRODUCE) and not between:
                break  # fixed in the code, or retried unchanged: not an environment lesson
            seen.add((fail.cls, fail.sig))
            steps = [fail.call, later.call] + ([fail.result] if fail.result is not None else [])
            found.append(cite(
                traj, steps, f"{fail.sig_raw} → {later.cmd}", sig=fail.sig, exc=fail.exc, cls=fail.cls,
                failed_cmd=_fix_text(fail), fix=_fix_text(later), between=sorted(set(between))[:3],
            ))
            break
        if len(found) >= MAX_PER_RUN:
            break
    return found


def lessons(all_facts: list[Facts]) -> list[Lesson]:
    items = [(f, it) for f in all_facts for it in f.get("errors", [])]
    by_key: dict[str, list[tuple[Facts, dict[str, Any]]]] = {}
    for f, it in items:
        key = f"{repo_scope(f)}\x00{it['cls']}\x00{it['sig']}"
        by_key.setdefault(key, []).append((f, it))
    failing_runs = {f["id"]: f for f, _ in items}.values()  # a run with several failures counts once
    runs_with_failure = group(failing_runs, lambda f: str(repo_scope(f)))
    out: list[Lesson] = []
    for _key, pairs in sorted(by_key.items()):
        pairs.sort(key=lambda p: (p[0]["id"], p[1]["steps"]))
        meta, first = pairs[0]
        fixes = Counter(p[1]["fix"] for p in pairs)
        helpers = Counter(b for p in pairs for b in p[1]["between"])
        failed_cmds = Counter(p[1]["failed_cmd"] for p in pairs)
        fix, fix_n = sorted(fixes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        metas = [p[0] for p in pairs]
        body = render(
            "lesson_error_recovery", sig=first["sig"], cls=first["cls"], fix=fix, fix_n=fix_n,
            failed_cmd=sorted(failed_cmds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
            helpers=sorted(helpers.items(), key=lambda kv: (-kv[1], kv[0]))[:2], runs=runs_phrase(metas),
            total=len({m["id"] for m in metas}),
        )
        out.append(Lesson(
            title=f"{first['sig']} ({first['cls']})",
            trigger=f"when a {first['cls']} command fails with: {first['sig']}",
            body=body, kind=LessonKind.ERROR_RECOVERY, level=Level.ATOMIC, scope=repo_scope(meta),
            evidence=[evidence(m, it) for m, it in pairs],
            confidence=confidence(fix_n, len(runs_with_failure.get(str(repo_scope(meta)), []))),
            signature=f"error:{first['cls']}:{first['sig']}|family:{family(first['sig'], first['exc'])}",
        ))
    return out
