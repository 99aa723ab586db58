"""The skill library: a git repository holding ``skills/<name>/SKILL.md``, read from committed trees and
written only on review branches ``skillforge/<run-id>``.

Why plumbing rather than a temporary ``git worktree``: a run's branch is built from git objects
(``skillforge.skills.gitrepo``: blobs, then trees rebuilt only along changed paths, then a commit with
skillforge's identity, then ``git update-ref`` creating the branch only if it does not exist). The
user's HEAD, index and working tree are never read for writing nor touched, there is no second
checkout to clean up after a crash, no index to lock, and a killed run leaves only unreferenced
objects. Reads (``skills``, ``read_file``) use committed trees too, so uncommitted edits never leak
into a run. Writers serialise on skillforge's own lock (``skillforge.skills.lock``), under which stale
git lock files left by killed processes are removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import git

from skillforge.errors import LibraryError
from skillforge.fsutil import atomic_write
from skillforge.model import Skill, SkillChange
from skillforge.skills import gitrepo
from skillforge.skills.document import SKILL_FILE, DocumentError, parse, render
from skillforge.skills.gitrepo import FileChange
from skillforge.skills.lock import clear_stale_git_locks, library_lock
from skillforge.skills.review import (
    BASE_TRAILER,
    BRANCH_PREFIX,
    CHANGE_TRAILER,
    EVIDENCE_FILE,
    RUN_TRAILER,
    RunResult,
    changes_in,
    check_run_id,
    run_commit,
    run_result,
)

_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,128}$")
# where a base branch is named: every command reads the setting; log and diff also take --base
BASE_SETTING = "SKILLFORGE_BASE_BRANCH or base_branch in skillforge.toml (log and diff: --base)"


class Library:
    """A skill library inside a git repository (``root`` may be a sub-folder of the work tree)."""

    lock_timeout = 30.0
    DEFAULT_AUTHOR = ("skillforge", "skillforge@localhost")

    def __init__(
        self,
        repo: git.Repo,
        root: Path,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        template_dir: str = "",
        base: str = "",
    ):
        self.repo = repo
        self.author = author  # (name, e-mail) of skillforge's commits: settings author_name/author_email
        self.template_dir = template_dir  # the templates setting: overrides of the pull-request body
        self.base = base  # the base_branch setting: reads and review branches start there (empty: HEAD's)
        self.root = root
        self.skills_dir = root / "skills"
        work = Path(repo.working_tree_dir or root).resolve()
        rel = root.resolve().relative_to(work).as_posix()
        self.prefix = "" if rel == "." else rel + "/"
        self.git_dir = Path(repo.common_dir).resolve()

    # -- opening ------------------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        base_branch: str = "",
        template_dir: str = "",
    ) -> Library:
        """Create (or complete) a library at ``path``; see :mod:`skillforge.skills.init`."""
        from skillforge.skills.init import init_library

        init_library(path, author, base_branch, template_dir)
        return cls.open(path, author, template_dir, base_branch)

    @classmethod
    def open(
        cls, path: Path, author: tuple[str, str] = DEFAULT_AUTHOR, template_dir: str = "", base: str = ""
    ) -> Library:
        root = Path(path).expanduser().resolve()
        if root.is_file():
            raise LibraryError(f"{root} is a file, not a folder", "pass the library's folder with --library")
        try:
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            repo = None
        looks_like_one = (root / "skillforge.toml").is_file() or (root / "skills").is_dir()
        if repo is None and looks_like_one:  # init keeps the files and adds the repository
            raise LibraryError(
                f"{root} is not a skill library (not in a git repository)", f"run skillforge init {path}"
            )
        if repo is None or repo.bare or not looks_like_one:
            raise LibraryError(f"{root} is not a skill library", f"run skillforge init {path}")
        return cls(repo, root, author, template_dir, base)

    # -- reading committed state ---------------------------------------------------------------------

    def base_branch(self, configured: str = "") -> str:
        """``configured`` if given, else the library's ``base`` setting (either must exist), else the
        checked-out branch (for a checked-out review branch, the base it was made from). With a
        configured base a detached HEAD (a CI checkout) does not matter: nothing reads it."""
        configured = configured or self.base
        if configured:
            if gitrepo.resolve_commit(self.repo, f"refs/heads/{configured}") is None:
                raise LibraryError(
                    f"base branch {configured!r} does not exist in {self.root}",
                    f"create it (e.g. git branch {configured} origin/{configured}), or name a branch that "
                    f"exists in {BASE_SETTING}",
                )
            return configured
        if self.repo.head.is_detached:
            raise LibraryError(
                f"HEAD is detached in {self.root}, and no base branch is set",
                f"check out a branch (git switch {self._detached_at()}), or name the branch review branches "
                f"start from in {BASE_SETTING}",
            )
        name = str(self.repo.head.reference.name)
        if name.startswith(BRANCH_PREFIX):  # a review branch is checked out: use the branch it came from
            tip = gitrepo.resolve_commit(self.repo, f"refs/heads/{name}")
            recorded = gitrepo.trailer(str(tip.message), BASE_TRAILER) if tip else None
            if recorded and gitrepo.resolve_commit(self.repo, f"refs/heads/{recorded}"):
                return recorded
        if gitrepo.resolve_commit(self.repo, f"refs/heads/{name}") is None:
            raise LibraryError(
                f"branch {name!r} in {self.root} has no commits yet", f"run skillforge init {self.root}"
            )
        return str(name)

    def _detached_at(self) -> str:
        """A branch to suggest for a detached HEAD: one whose tip is HEAD's commit, else ``<branch>``."""
        here = self.repo.head.commit
        for head in self.repo.heads:
            if not head.name.startswith(BRANCH_PREFIX) and head.commit == here:
                return str(head.name)
        return "<branch>"

    def _commit(self, ref: str | None) -> git.Commit:
        name = ref or self.base_branch()
        commit = gitrepo.resolve_commit(self.repo, f"refs/heads/{name}") or gitrepo.resolve_commit(
            self.repo, name
        )
        if commit is None:
            raise LibraryError(f"branch or commit {name!r} does not exist in {self.root}", "check the name")
        return commit

    def skills_report(self, ref: str | None = None) -> tuple[list[Skill], list[DocumentError]]:
        """Every readable skill committed on ``ref``, and the errors of the unreadable ones."""
        tree = gitrepo.subtree(self._commit(ref).tree, f"{self.prefix}skills")
        skills: list[Skill] = []
        errors: list[DocumentError] = []
        for folder in sorted((t for t in (tree or []) if isinstance(t, git.Tree)), key=lambda t: t.name):
            raw = gitrepo.read_blob(folder, SKILL_FILE)
            if raw is None:
                continue
            rel = f"skills/{folder.name}"
            try:
                skill = parse(raw.decode("utf-8"), f"{rel}/{SKILL_FILE}")
            except UnicodeDecodeError:
                errors.append(DocumentError("SKILL.md is not UTF-8 text", f"{rel}/{SKILL_FILE}"))
                continue
            except DocumentError as exc:
                errors.append(exc)
                continue
            skill.path = rel
            skills.append(skill)
        return skills, errors

    def skills(self, ref: str | None = None) -> list[Skill]:
        return self.skills_report(ref)[0]

    def read_file(self, rel: str, ref: str | None = None) -> str | None:
        raw = gitrepo.read_blob(self._commit(ref).tree, self.prefix + rel.lstrip("/"))
        return None if raw is None else raw.decode("utf-8", "replace")

    def review_branches(self) -> list[str]:
        """Local ``skillforge/*`` branches, newest first."""
        heads = [h for h in self.repo.heads if h.name.startswith(BRANCH_PREFIX)]
        heads.sort(key=lambda h: h.commit.committed_date, reverse=True)
        return [h.name for h in heads]

    # -- writing a run -------------------------------------------------------------------------------

    def commit_run(
        self,
        run_id: str,
        changes: list[SkillChange],
        *,
        message: str,
        trailers: dict[str, str],
        pr_context: dict[str, Any],
        extra_files: dict[str, str | None] | None = None,
        allow_dirty: bool = False,
        base: str | None = None,
        lock_timeout: float | None = None,
    ) -> RunResult:
        """Commit a run's changes on a new branch ``skillforge/<run_id>`` (see the module docstring)."""
        check_run_id(run_id)
        files = self._file_changes(changes, extra_files or {})
        if not files:
            raise LibraryError(f"run {run_id} has no changes to commit", "nothing was written")
        base_name = self.base_branch(base or "")
        branch = BRANCH_PREFIX + run_id
        timeout = self.lock_timeout if lock_timeout is None else lock_timeout
        with library_lock(self.git_dir, timeout):
            clear_stale_git_locks(self.git_dir, Path(self.repo.working_tree_dir or self.root))
            commit, done = self._existing(branch, run_id, files)
            if commit is None:
                commit, done = self._merged(base_name, run_id, files)
            fresh = commit is None
            if commit is None:
                if not allow_dirty:
                    self._refuse_dirty()
                commit = self._new_commit(base_name, files, message, trailers, run_id, changes)
            body = self._write_pr_body(run_id, base_name, changes, pr_context, commit)
            if (
                fresh
            ):  # the branch appears only once its pull-request body is written (a failing template: none)
                gitrepo.create_ref(
                    self.repo, f"refs/heads/{branch}", commit.hexsha, reason=f"skillforge {run_id}"
                )
        return run_result(branch, commit.hexsha, base_name, body, changes, done)

    def _file_changes(
        self, changes: list[SkillChange], extra: dict[str, str | None]
    ) -> dict[str, FileChange]:
        files: dict[str, FileChange] = {}
        for change in changes:
            if not _NAME.match(change.name) or change.name in (".", ".."):
                raise LibraryError(f"skill name {change.name!r} cannot name a folder", "fix the skill's name")
            folder = f"{self.prefix}skills/{change.name}"
            if change.action == "removed":
                files[folder] = FileChange(None)
                continue
            skill = change.skill
            if skill is None or skill.name != change.name:
                raise LibraryError(
                    f"change to {change.name!r} carries no matching skill document", "a bug in the caller"
                )
            files[f"{folder}/{SKILL_FILE}"] = FileChange(render(skill).encode("utf-8"))
            for rel, text in skill.files.items():
                exe = rel.startswith("scripts/") and text.startswith("#!")
                files[f"{folder}/{rel.lstrip('/')}"] = FileChange(text.encode("utf-8"), exe)
        for rel, maybe_text in extra.items():
            data = None if maybe_text is None else maybe_text.encode("utf-8")
            files[self.prefix + rel.lstrip("/")] = FileChange(data)
        return files

    def _existing(
        self, branch: str, run_id: str, files: dict[str, FileChange]
    ) -> tuple[git.Commit | None, bool]:
        """The branch's run commit when this run is already on it (whatever was committed on top in
        review, and whatever paths its evidence names); errors when the branch holds another run."""
        tip = gitrepo.resolve_commit(self.repo, f"refs/heads/{branch}")
        if tip is None:
            return None, False
        found = run_commit(self.repo, tip, run_id)
        if found is not None:
            return found, True
        raise LibraryError(
            f"branch {branch} already exists in {self.root} and holds no commit of run {run_id}",
            f"review or delete it (git branch -D {branch})",
        )

    def find_run(self, run_id: str) -> RunResult | None:
        """The review branch of run ``run_id`` when it exists already (a re-run of the same logs from
        any path or cache: same trajectories, engine and base make the same run id)."""
        branch = BRANCH_PREFIX + run_id
        tip = gitrepo.resolve_commit(self.repo, f"refs/heads/{branch}")
        commit = None if tip is None else run_commit(self.repo, tip, run_id)
        if commit is None:
            return None
        body = self.git_dir / "skillforge" / "pr" / f"{run_id}.md"
        base = gitrepo.trailer(str(commit.message), BASE_TRAILER) or ""
        return RunResult(
            branch=branch,
            commit=commit.hexsha,
            base=base,
            pr_body_path=body,
            push_command="",
            pr_command="",
            changes=changes_in(commit, self.prefix),
            already_done=True,
        )

    def remotes(self) -> list[str]:
        return [r.name for r in self.repo.remotes]

    def has_upstream(self, branch: str) -> bool:
        """True when ``branch`` tracks a remote branch (it was pushed with ``-u`` or cloned)."""
        try:
            return self.repo.heads[branch].tracking_branch() is not None
        except (IndexError, ValueError):
            return False

    def _merged(self, base: str, run_id: str, files: dict[str, FileChange]) -> tuple[git.Commit | None, bool]:
        """The run's commit when it was merged into ``base`` (and its branch deleted) and the base
        still holds exactly what the run would write."""
        pattern = f"^{RUN_TRAILER}: {run_id.replace('.', '[.]')}$"
        found = self.repo.git.log(
            "-1", "--format=%H", f"--grep={pattern}", f"refs/heads/{base}", "--"
        ).strip()
        if not found:
            return None, False
        tip = self._commit(base)
        if gitrepo.build_tree(self.repo, tip.tree, files) != tip.tree.hexsha:
            return None, False
        return self.repo.commit(found), True

    def _refuse_dirty(self) -> None:
        dirty = self.dirty_paths()
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise LibraryError(
                f"the library {self.root} has uncommitted changes ({shown})",
                "commit or stash them first, or pass --allow-dirty (the run's branch starts from the "
                "last commit either way)",
            )

    def dirty_paths(self) -> list[str]:
        """Uncommitted changes under the library: tracked files changed (staged or not) and untracked
        files under skills/."""
        out = self.repo.git.execute(
            [
                "git",
                "--no-optional-locks",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                self.prefix or ".",
            ],
            strip_newline_in_stdout=False,
        )
        paths = []
        records = iter(str(out).split("\0"))
        for rec in records:
            if len(rec) < 4:
                continue
            status, path = rec[:2], rec[3:]
            if status[0] in "RC":
                next(records, None)  # the rename's source path
            if status == "??" and not path.startswith(f"{self.prefix}skills/"):
                continue
            paths.append(path)
        return paths

    def _new_commit(
        self,
        base_name: str,
        files: dict[str, FileChange],
        message: str,
        trailers: dict[str, str],
        run_id: str,
        changes: list[SkillChange],
    ) -> git.Commit:
        base_commit = self._commit(base_name)
        tree = gitrepo.build_tree(self.repo, base_commit.tree, files)
        pairs = [(RUN_TRAILER, run_id)]
        pairs += [(k, v) for k, v in trailers.items() if k.lower() != RUN_TRAILER.lower()]
        pairs.append((BASE_TRAILER, base_name))
        pairs += [(CHANGE_TRAILER, f"{c.action} {c.name}: {c.reason}") for c in changes]
        actor = git.Actor(*self.author)
        return gitrepo.commit_tree(
            self.repo, tree, gitrepo.format_message(message, pairs), [base_commit], actor
        )

    def _write_pr_body(
        self, run_id: str, base: str, changes: list[SkillChange], ctx: dict[str, Any], commit: git.Commit
    ) -> Path:
        from skillforge import templates

        rows = []
        skills_tree = gitrepo.subtree(commit.tree, f"{self.prefix}skills")  # parsed once, not per change
        for c in changes:
            evidence = f"{self.prefix}skills/{c.name}/{EVIDENCE_FILE}"
            has_evidence = (
                skills_tree is not None
                and gitrepo.read_blob(skills_tree, f"{c.name}/{EVIDENCE_FILE}") is not None
            )
            rows.append(
                {
                    "name": c.name,
                    "action": c.action,
                    "reason": c.reason,
                    "evidence_count": c.evidence_count,
                    "evidence": evidence if has_evidence else None,
                    "description": c.skill.description if c.skill else "",
                }
            )
        text = templates.render(
            "pr_body.md.j2",
            self.template_dir,
            run_id=run_id,
            base=base,
            branch=BRANCH_PREFIX + run_id,
            commit=commit.hexsha,
            changes=rows,
            ctx=ctx or {},
        )
        path = self.git_dir / "skillforge" / "pr" / f"{run_id}.md"
        atomic_write(path, text)
        return path
