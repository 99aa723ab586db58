"""A run's review branch as its commits record it: the branch prefix and trailers skillforge writes, the
:class:`RunResult` a run reports (its branch, commit, and the commands to push it and open its pull
request), the pull request's title, what a run's commit changed, and the steps a command that made a
review branch prints next (distill's and prune's: review, merge, publish). Plain functions of git
objects; :mod:`skillforge.skills.store` writes the commits.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from skillforge.errors import LibraryError
from skillforge.model import SkillChange
from skillforge.skills import gitrepo

BRANCH_PREFIX = "skillforge/"
RUN_TRAILER = "Skillforge-Run"
BASE_TRAILER = "Skillforge-Base"
CHANGE_TRAILER = "Skillforge-Change"
EVIDENCE_FILE = "references/evidence.md"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass
class RunResult:
    branch: str
    commit: str
    base: str
    pr_body_path: Path
    push_command: str
    pr_command: str
    changes: list[SkillChange] = field(default_factory=list)
    already_done: bool = False


def run_commit(repo: git.Repo, tip: git.Commit, run_id: str, depth: int = 50) -> git.Commit | None:
    """The commit of run ``run_id`` among the last ``depth`` commits of ``tip`` (by its run trailer)."""
    for commit in repo.iter_commits(tip, max_count=depth):
        if gitrepo.trailer(str(commit.message), RUN_TRAILER) == run_id:
            return commit
    return None


def changes_in(commit: git.Commit, prefix: str) -> list[SkillChange]:
    """The skills a run's commit added, updated or removed (for the title of a re-run's pull request);
    ``prefix``: the library's folder inside the work tree."""
    if not commit.parents:
        return []
    verbs = {"A": "added", "D": "removed"}
    names: dict[str, str] = {}
    for diff in commit.parents[0].diff(commit, paths=f"{prefix}skills"):
        parts = (diff.b_path or diff.a_path or "").removeprefix(prefix).split("/")
        if len(parts) == 3 and parts[2] == "SKILL.md":
            names[parts[1]] = verbs.get(diff.change_type or "M", "updated")
    return [SkillChange(name, action, "") for name, action in sorted(names.items())]


def pr_title(changes: list[SkillChange]) -> str:
    verbs = {"added": "add", "updated": "update", "removed": "remove"}
    parts = []
    for action in ("added", "updated", "removed"):
        names = [c.name for c in changes if c.action == action]
        if names:
            parts.append(f"{verbs[action]} {', '.join(names)}")
    title = "skills: " + "; ".join(parts) if parts else "skills: update library files"
    return title if len(title) <= 72 else title[:69] + "..."


def check_run_id(run_id: str) -> None:
    if not _RUN_ID.match(run_id) or ".." in run_id or run_id.endswith((".lock", ".")):
        raise LibraryError(f"run id {run_id!r} cannot name a branch", "use letters, digits, '.', '_' and '-'")


def run_result(
    branch: str, commit: str, base: str, body: Path, changes: list[SkillChange], done: bool
) -> RunResult:
    """What a committed run reports: its branch and commit, and how to push it and open its PR."""
    title = pr_title(changes)
    return RunResult(
        branch=branch,
        commit=commit,
        base=base,
        pr_body_path=body,
        push_command=f"git push -u origin {branch}",
        pr_command=(
            f"gh pr create --base {shlex.quote(base)} --head {branch} "
            f"--title {shlex.quote(title)} --body-file {shlex.quote(str(body))}"
        ),
        changes=list(changes),
        already_done=done,
    )


def next_steps(lib: Any, result: Any) -> list[dict[str, str]]:
    """Review, merge locally, publish: the push and ``gh pr create`` only when the library has a remote,
    else how to add one."""
    root = shlex.quote(str(lib.root))
    branch = result.branch
    steps = [
        _step("review the skills it adds, changes or removes", f"skillforge diff {branch} --library {root}"),
        _merge_step(lib, root, branch, result.base),
    ]
    remotes = lib.remotes()
    if not remotes:
        what = "to publish for review, first add a remote (the library has none)"
        return [*steps, _step(what, f"git -C {root} remote add origin <URL of an empty repository>")]
    remote = "origin" if "origin" in remotes else remotes[0]
    base = shlex.quote(result.base) if result.base else ""
    if base and not lib.has_upstream(result.base):  # a new remote: the PR needs its base there first
        what = f"publish the base branch first ({result.base} is not on {remote} yet)"
        steps.append(_step(what, f"git -C {root} push -u {remote} {base}"))
    steps.append(_step("or publish it as a pull request", f"git -C {root} push -u {remote} {branch}"))
    if result.pr_body_path:
        body = shlex.quote(str(result.pr_body_path))
        title = shlex.quote(pr_title(result.changes)) if result.changes else "'skills: skillforge run'"
        base_opt = f" --base {base}" if base else ""
        command = f"cd {root} && gh pr create{base_opt} --head {branch} --title {title} --body-file {body}"
        steps.append(_step("", command))
    return steps


def _merge_step(lib: Any, root: str, branch: str, base: str) -> dict[str, str]:
    """Merge into the checked-out branch; with a detached HEAD (a CI checkout) into the base branch."""
    if lib.repo.head.is_detached and base:
        switch = f"git -C {root} switch {shlex.quote(base)}"
        return _step(
            f"or merge it into {base} to use the skills now", f"{switch} && git -C {root} merge {branch}"
        )
    return _step(
        "or merge it into your checked-out branch to use the skills now", f"git -C {root} merge {branch}"
    )


def _step(what: str, command: str) -> dict[str, str]:
    return {"what": what, "command": command}
