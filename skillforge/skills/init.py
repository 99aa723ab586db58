"""``skillforge init``: make a folder a skill library, idempotently.

Creates the git repository if the folder is in none (branch ``main``), then writes whatever is
missing of: ``skills/``, ``skillforge.toml``, ``.github/workflows/skills.yml`` (CI validation on pull
requests touching skills), ``.pre-commit-config.yaml`` (the ``skillforge-validate`` hook) and a README.
Existing files are never overwritten (a note says what to add by hand). Files skillforge wrote that
are not committed yet are committed on the checked-out branch with skillforge's identity, built from
git objects so that anything else the user has staged stays staged and uncommitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import git

from skillforge import templates
from skillforge.config import LIBRARY_CONFIG
from skillforge.errors import LibraryError
from skillforge.fsutil import atomic_write
from skillforge.skills import gitrepo
from skillforge.skills.lock import clear_stale_git_locks, library_lock
from skillforge.version import __version__

REPO_URL = "https://github.com/skillforge/skillforge"
WORKFLOW = ".github/workflows/skills.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
HOOK_ID = "skillforge-validate"
GITKEEP = "skills/.gitkeep"


def source_ref() -> str:
    """The git reference of skillforge's own repository that generated workflows and pre-commit hooks
    pin: the commit this skillforge runs from when it runs from a git checkout (no release of it may
    exist yet), else the tag of the installed release, ``v<version>``."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / ".git").exists():
        try:
            sha = git.Repo(checkout).head.commit.hexsha
        except (git.GitError, ValueError):
            sha = ""
        if sha:
            return sha
    return f"v{__version__}"


@dataclass
class InitReport:
    root: Path
    branch: str
    created_repo: bool = False
    created: list[str] = field(default_factory=list)  # paths relative to the repository
    committed: list[str] = field(default_factory=list)
    commit: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "branch": self.branch,
            "created_repo": self.created_repo,
            "created": self.created,
            "committed": self.committed,
            "commit": self.commit,
            "notes": self.notes,
        }


def init_library(
    path: Path,
    author: tuple[str, str] = ("skillforge", "skillforge@localhost"),
    base_branch: str = "",
    template_dir: str = "",
) -> InitReport:
    """Make ``path`` a library; commits as ``author`` (name, e-mail); ``base_branch`` goes into its
    skillforge.toml; ``template_dir`` (the templates setting) may override the files written."""
    root = Path(path).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise LibraryError(f"{root} is a file, not a folder", "pass a folder for the library")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot create {root}: {exc.strerror or exc}", "pass a folder you can write to"
        ) from None
    repo, created_repo = _repo(root)
    if repo.head.is_detached:
        raise LibraryError(
            f"HEAD is detached in {root}", "check out a branch, then run skillforge init again"
        )
    work = Path(repo.working_tree_dir or root).resolve()
    rel = root.relative_to(work).as_posix()
    prefix = "" if rel == "." else rel + "/"
    report = InitReport(root=root, branch=str(repo.head.reference.name), created_repo=created_repo)
    files = _files(root, prefix, base_branch, template_dir)
    for target, text in files.items():
        _write_missing(work, target, text, report)
    # ours: written now, or left by an init that stopped before committing; never the user's own files
    ours = [t for t, text in files.items() if t in report.created or _same(work / t, text)]
    with library_lock(Path(repo.common_dir).resolve()):
        clear_stale_git_locks(Path(repo.common_dir).resolve(), work)
        _commit_new(repo, work, ours, report, author)
    return report


def left_uncommitted(path: Path) -> tuple[list[str], bool]:
    """(files, in_git): what would stay uncommitted in the library after :func:`init_library` made
    ``path`` one (what a distill run then refuses to commit over), found without creating anything.
    In a git repository: :meth:`Library.dirty_paths` (repository-relative) less the empty
    ``skills/.gitkeep`` init commits itself. In a folder outside git: every file under ``skills/``
    (``path``-relative), since init commits only its own files, never the user's."""
    from skillforge.skills.store import Library

    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        return [], False
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        files = [p for p in (root / "skills").rglob("*") if p.is_file() or p.is_symlink()]
        rels = sorted(p.relative_to(root).as_posix() for p in files)
        return [r for r in rels if not (r == GITKEEP and _same(root / r, ""))], False
    if repo.bare or repo.working_tree_dir is None:
        return [], True
    lib = Library(repo, root)
    return [
        r for r in lib.dirty_paths() if not (r == lib.prefix + GITKEEP and _same(root / GITKEEP, ""))
    ], True


def _repo(root: Path) -> tuple[git.Repo, bool]:
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        try:
            return git.Repo.init(root, initial_branch="main"), True
        except git.GitCommandError as exc:  # a read-only folder, a broken .git file
            why = (exc.stderr or "").strip().strip("'").removeprefix("stderr:").strip().strip("'")
            raise LibraryError(
                f"cannot create a git repository in {root}: {why or exc}", "pass a folder you can write to"
            ) from None
    if repo.bare:
        raise LibraryError(f"{root} is a bare git repository", "initialise a library in a checkout instead")
    return repo, False


def _files(root: Path, prefix: str, base_branch: str, template_dir: str) -> dict[str, str]:
    """Repository-relative path -> the text skillforge init writes there."""
    ctx = {
        "prefix": prefix,
        "version": __version__,
        "ref": source_ref(),
        "repo_url": REPO_URL,
        "action_repo": REPO_URL.removeprefix("https://github.com/"),
        "base_branch": base_branch,
    }
    files = {
        f"{prefix}{LIBRARY_CONFIG}": templates.render("init/skillforge.toml.j2", template_dir, **ctx),
        f"{prefix}README.md": templates.render("init/README.md.j2", template_dir, **ctx),
        WORKFLOW: templates.render("init/skills.yml.j2", template_dir, **ctx),
        PRE_COMMIT: templates.render("init/pre-commit-config.yaml.j2", template_dir, **ctx),
    }
    skills = root / "skills"
    if not skills.is_dir() or not any(skills.iterdir()) or (skills / ".gitkeep").is_file():
        files[f"{prefix}{GITKEEP}"] = ""
    return files


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _write_missing(work: Path, target: str, text: str, report: InitReport) -> None:
    path = work / target
    if not path.exists():
        try:
            atomic_write(path, text)
        except OSError as exc:
            raise LibraryError(
                f"cannot write {path}: {exc.strerror or exc}",
                "check that the folder is writable and that no file stands in its way",
            ) from None
        report.created.append(target)
        return
    existing = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    if target == PRE_COMMIT and HOOK_ID not in existing:
        report.notes.append(
            f"{PRE_COMMIT} exists and was left as it is; add the hook by hand:\n"
            f"  - repo: {REPO_URL}\n    rev: {source_ref()}\n    hooks:\n      - id: {HOOK_ID}"
        )
    elif target == WORKFLOW and existing != text:
        report.notes.append(f"{WORKFLOW} exists and was left as it is")


def _commit_new(
    repo: git.Repo, work: Path, targets: list[str], report: InitReport, author: tuple[str, str]
) -> None:
    """Commit the targets that HEAD lacks (and that the user has not staged differently)."""
    head = gitrepo.resolve_commit(repo, "HEAD")
    staged = (
        {str(p) for p, _stage in repo.index.entries} if (Path(repo.git_dir) / "index").exists() else set()
    )
    todo = [
        t for t in targets if (head is None or gitrepo.read_blob(head.tree, t) is None) and t not in staged
    ]
    if not todo:
        return
    changes = {t: gitrepo.FileChange((work / t).read_bytes()) for t in todo}
    tree = gitrepo.build_tree(repo, head.tree if head else None, changes)
    actor = git.Actor(*author)
    commit = gitrepo.commit_tree(
        repo, tree, "Initialise the skill library (skillforge init)\n", [head] if head else [], actor
    )
    gitrepo.create_ref(
        repo,
        f"refs/heads/{report.branch}",
        commit.hexsha,
        old=head.hexsha if head else gitrepo.ZERO,
        reason="skillforge init",
    )
    report.committed = todo
    report.commit = commit.hexsha
    try:  # the index now matches the new commit for these paths only
        repo.git.reset("-q", "--", *todo)
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        raise LibraryError(
            f"committed the library files as {commit.hexsha[:12]} on {report.branch}, but could not update "
            f"the index of {work}: {detail[-1] if detail else exc}",
            f"run `git reset -q -- {' '.join(todo)}` in {work}",
        ) from None
