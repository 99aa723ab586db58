"""What the library's history says, in skill terms: ``skill_log`` (commits touching one skill, with the
run id and reason from skillforge's trailers), ``run_log`` (every skillforge run, merged or awaiting
review) and ``branch_diff`` (what a review branch adds, updates and removes relative to its base:
descriptions, sections and evidence counts). Everything is read from commits, never the working tree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import git

from skillforge.errors import LibraryError
from skillforge.model import Skill
from skillforge.skills import gitrepo
from skillforge.skills.document import SKILL_FILE, DocumentError, parse
from skillforge.skills.review import BASE_TRAILER, BRANCH_PREFIX, CHANGE_TRAILER, RUN_TRAILER
from skillforge.skills.sections import section_map
from skillforge.skills.store import Library

_SEP, _END = "\x1f", "\x1e"


@dataclass
class LogEntry:
    commit: str
    date: str
    author: str
    subject: str
    run_id: str | None = None
    where: str = ""  # the base branch when merged, else the review branch holding it
    merged: bool = True
    action: str = ""  # for a skill's history: added | updated | removed | edited
    reason: str = ""
    source: str = ""
    provider: str = ""
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def skill_log(lib: Library, name: str, base: str = "") -> list[LogEntry]:
    """Commits touching ``skills/<name>`` on the base branch and on review branches, newest first."""
    entries = _log(lib, base, [f"{lib.prefix}skills/{name}"], grep=None)
    for entry, message in entries:
        for value in gitrepo.trailer_values(message, CHANGE_TRAILER):
            action, _, rest = value.partition(" ")
            skill, _, reason = rest.partition(": ")
            if skill == name:
                entry.action, entry.reason = action, reason
        if not entry.action:
            entry.action, entry.reason = "edited", entry.subject
    return [e for e, _ in entries]


def run_log(lib: Library, base: str = "") -> list[LogEntry]:
    """Every commit made by a skillforge run (it carries a ``Skillforge-Run`` trailer), newest first."""
    return [e for e, _ in _log(lib, base, [], grep=f"^{RUN_TRAILER}:")]


def _log(lib: Library, base: str, paths: list[str], grep: str | None) -> list[tuple[LogEntry, str]]:
    base_name = lib.base_branch(base)
    branches = lib.review_branches()
    args = ["--date-order", f"--format=%H{_SEP}%an{_SEP}%aI{_SEP}%B{_END}"]
    if grep:
        args += ["-E", f"--grep={grep}"]
    out = lib.repo.git.log(*args, base_name, *branches, "--", *paths)
    merged = set(lib.repo.git.rev_list(base_name, "--", *paths).split())
    pending: dict[str, str] = {}
    for branch in branches:
        for sha in lib.repo.git.rev_list(f"{base_name}..{branch}", "--").split():
            pending.setdefault(sha, branch)
    result = []
    for record in out.split(_END):
        parts = record.strip("\n").split(_SEP)
        if len(parts) != 4:
            continue
        sha, author, date, message = parts
        entry = LogEntry(
            commit=sha,
            date=date,
            author=author,
            subject=message.strip().splitlines()[0] if message.strip() else "",
            run_id=gitrepo.trailer(message, RUN_TRAILER),
            merged=sha in merged,
            where=base_name if sha in merged else pending.get(sha, ""),
            source=gitrepo.trailer(message, "Skillforge-Source")
            or gitrepo.trailer(message, "Skillforge-Sources")
            or "",
            provider=gitrepo.trailer(message, "Skillforge-Provider") or "",
            changes=gitrepo.trailer_values(message, CHANGE_TRAILER),
        )
        result.append((entry, message))
    return result


# ---------------------------------------------------------------------------------------------------
# diff


@dataclass
class SkillDiff:
    name: str
    action: str  # added | updated | removed
    description_before: str | None = None
    description_after: str | None = None
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    sections_changed: list[str] = field(default_factory=list)
    evidence_before: int | None = None
    evidence_after: int | None = None
    files: list[str] = field(default_factory=list)  # changed files inside the skill's folder

    @property
    def description_changed(self) -> bool:
        return self.action == "updated" and self.description_before != self.description_after

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "description_changed": self.description_changed}


@dataclass
class BranchDiff:
    branch: str
    base: str
    merge_base: str
    tip: str
    run_id: str | None
    skills: list[SkillDiff] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)

    @property
    def merged(self) -> bool:
        """The branch's tip is in its base already (merged): nothing is left to review."""
        return self.merge_base == self.tip

    def to_dict(self) -> dict[str, Any]:
        return {
            "branch": self.branch,
            "base": self.base,
            "merge_base": self.merge_base,
            "tip": self.tip,
            "run_id": self.run_id,
            "merged": self.merged,
            "skills": [s.to_dict() for s in self.skills],
            "other_files": self.other_files,
        }


def default_branch(lib: Library) -> str:
    """The checked-out branch if it is a review branch, else the newest review branch."""
    head = lib.repo.head
    if not head.is_detached and str(head.reference.name).startswith(BRANCH_PREFIX):
        return str(head.reference.name)
    branches = lib.review_branches()
    if not branches:
        raise LibraryError(
            f"{lib.root} has no review branches (skillforge/*)", "name a branch, or run skillforge distill"
        )
    return branches[0]


def branch_diff(lib: Library, branch: str | None = None, base: str = "") -> BranchDiff:
    """What ``branch`` changes relative to where it left its base branch, skill by skill."""
    name = branch or default_branch(lib)
    tip = gitrepo.resolve_commit(lib.repo, f"refs/heads/{name}") or gitrepo.resolve_commit(lib.repo, name)
    if tip is None:
        raise LibraryError(
            f"branch {name!r} does not exist in {lib.root}", "see `git branch --list 'skillforge/*'`"
        )
    recorded = gitrepo.trailer(str(tip.message), BASE_TRAILER)
    if not base and recorded and gitrepo.resolve_commit(lib.repo, f"refs/heads/{recorded}"):
        base = recorded
    base_name = lib.base_branch(base)
    bases = lib.repo.merge_base(base_name, tip)
    if not bases or not isinstance(bases[0], git.Commit):
        raise LibraryError(f"{name} shares no history with {base_name}", "pass the right base with --base")
    fork = bases[0]
    result = BranchDiff(
        branch=name,
        base=base_name,
        merge_base=fork.hexsha,
        tip=tip.hexsha,
        run_id=gitrepo.trailer(str(tip.message), RUN_TRAILER),
    )
    touched: dict[str, list[str]] = {}
    skills_prefix = f"{lib.prefix}skills/"
    paths = {p for d in fork.diff(tip) for p in (d.a_path, d.b_path) if p}  # a rename changes both sides
    for path in sorted(paths):
        if path.startswith(skills_prefix) and "/" in path[len(skills_prefix) :]:
            skill, _, rest = path[len(skills_prefix) :].partition("/")
            touched.setdefault(skill, []).append(rest)
        else:
            result.other_files.append(path[len(lib.prefix) :] if path.startswith(lib.prefix) else path)
    before = gitrepo.subtree(fork.tree, skills_prefix.rstrip("/"))  # each parsed once, not per skill
    after = gitrepo.subtree(tip.tree, skills_prefix.rstrip("/"))
    for skill, files in sorted(touched.items()):
        diff = _skill_diff(skill, _read(before, skill), _read(after, skill))
        if diff is not None:
            diff.files = sorted(files)
            result.skills.append(diff)
    return result


def _read(skills_tree: git.Tree | None, name: str) -> Skill | None:
    raw = gitrepo.read_blob(skills_tree, f"{name}/{SKILL_FILE}") if skills_tree is not None else None
    if raw is None:
        return None
    try:
        return parse(raw.decode("utf-8", "replace"), f"skills/{name}/{SKILL_FILE}")
    except DocumentError:
        return Skill(name=name, description="(unreadable SKILL.md)")


def _skill_diff(name: str, before: Skill | None, after: Skill | None) -> SkillDiff | None:
    if before is None and after is None:
        return None
    action = "added" if before is None else "removed" if after is None else "updated"
    diff = SkillDiff(
        name=name,
        action=action,
        description_before=before.description if before else None,
        description_after=after.description if after else None,
        evidence_before=_evidence(before),
        evidence_after=_evidence(after),
    )
    old = section_map(before.body) if before else {}
    new = section_map(after.body) if after else {}
    diff.sections_added = [h for h in new if h not in old]
    diff.sections_removed = [h for h in old if h not in new]
    diff.sections_changed = [h for h in new if h in old and old[h] != new[h]]
    return diff


def _evidence(skill: Skill | None) -> int | None:
    if skill is None:
        return None
    try:
        return int(skill.meta("evidence"))
    except ValueError:
        return None
