"""``skillforge init``: everything a library needs, written once, committed as skillforge."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import git
import pytest
import yaml

from skillforge import __version__
from skillforge.errors import LibraryError
from skillforge.model import Skill, SkillChange
from skillforge.skills.init import init_library, left_uncommitted, source_ref
from skillforge.skills.store import Library

PROJECT = Path(__file__).resolve().parents[1]


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_init_creates_repository_files_and_commit(tmp_path: Path) -> None:
    report = init_library(tmp_path / "lib")
    root = tmp_path / "lib"
    assert report.created_repo and report.branch == "main"
    assert sorted(report.committed) == sorted(
        [
            "skillforge.toml",
            "README.md",
            ".github/workflows/skills.yml",
            ".pre-commit-config.yaml",
            "skills/.gitkeep",
        ]
    )
    assert sh(root, "status", "--porcelain") == ""
    head = git.Repo(root).head.commit
    assert (
        head.hexsha == report.commit
        and head.author.name == "skillforge"
        and head.committer.name == "skillforge"
    )


def test_generated_workflow_validates_skills_on_pull_requests(tmp_path: Path) -> None:
    init_library(tmp_path)
    flow = yaml.safe_load((tmp_path / ".github/workflows/skills.yml").read_text())
    assert flow[True]["pull_request"]["paths"] == ["skills/**", "skillforge.toml"]  # YAML 1.1: on -> True
    steps = flow["jobs"]["validate"]["steps"]
    # not the package index's unrelated "skillforge": skillforge's own action at this release's tag
    assert not any("skillforge==" in str(step) for step in steps)
    action = next(step for step in steps if str(step.get("uses", "")).startswith("skillforge/skillforge@"))
    assert action["uses"] == f"skillforge/skillforge@{source_ref()}" and action["with"]["path"] == "skills"
    # from this checkout: the commit it runs from (no release tag may exist yet); installed: the tag
    assert source_ref() in (git.Repo(Path(__file__).parents[1]).head.commit.hexsha, f"v{__version__}")


def test_the_action_installs_skillforge_from_its_own_source_by_default() -> None:
    action = yaml.safe_load((Path(__file__).parents[1] / "action.yml").read_text())
    assert action["inputs"]["version"]["default"] == ""
    env = action["runs"]["steps"][-1]["env"]
    assert env["SKILLFORGE_SPEC"] == "${{ inputs.version || github.action_path }}"
    assert 'uvx --from "$SKILLFORGE_SPEC" skillforge validate' in action["runs"]["steps"][-1]["run"]


def test_generated_pre_commit_and_config_parse(tmp_path: Path) -> None:
    init_library(tmp_path)
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"] == [{"id": "skillforge-validate"}]
    config = tomllib.loads((tmp_path / "skillforge.toml").read_text())["skillforge"]
    assert config["author_name"] == "skillforge" and config["base_branch"] == ""


def test_init_is_idempotent(tmp_path: Path) -> None:
    first = init_library(tmp_path)
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git" not in p.parts}
    second = init_library(tmp_path)
    assert second.commit is None and second.created == [] and second.notes == []
    assert git.Repo(tmp_path).head.commit.hexsha == first.commit
    assert {p: p.read_bytes() for p in files} == files


def test_init_in_existing_repo_keeps_user_files_and_staged_work(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path, initial_branch="trunk")
    (tmp_path / "app.py").write_text("print(1)\n")
    sh(tmp_path, "add", "app.py")
    sh(tmp_path, "commit", "-q", "-m", "app")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    (tmp_path / "staged.txt").write_text("wip\n")
    sh(tmp_path, "add", "staged.txt")
    report = init_library(tmp_path)
    assert report.branch == "trunk" and not report.created_repo
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert any("skillforge-validate" in note for note in report.notes)
    assert "staged.txt" not in sh(tmp_path, "ls-tree", "--name-only", "HEAD").split()
    assert sh(tmp_path, "status", "--porcelain").splitlines() == [
        "A  staged.txt",
        "?? .pre-commit-config.yaml",
    ]
    assert repo.head.commit.parents[0].message.strip() == "app"


def test_library_in_a_subfolder_of_a_repository(tmp_path: Path) -> None:
    git.Repo.init(tmp_path, initial_branch="main")
    lib = Library.init(tmp_path / "agent" / "library")
    flow = yaml.safe_load((tmp_path / ".github/workflows/skills.yml").read_text())
    assert flow[True]["pull_request"]["paths"][0] == "agent/library/skills/**"
    assert flow["jobs"]["validate"]["steps"][-1]["with"]["path"] == "agent/library/skills"
    skill = Skill(name="sub-skill", description="Use when nested.", body="# Nested\n")
    result = lib.commit_run(
        "s1", [SkillChange("sub-skill", "added", "why", 1, skill)], message="m", trailers={}, pr_context={}
    )
    assert "agent/library/skills/sub-skill/SKILL.md" in sh(
        tmp_path, "ls-tree", "-r", "--name-only", result.branch
    )
    assert [s.path for s in lib.skills(result.branch)] == ["skills/sub-skill"]


def test_library_init_returns_an_open_library(tmp_path: Path) -> None:
    lib = Library.init(tmp_path / "lib")
    assert lib.skills_dir == (tmp_path / "lib" / "skills").resolve()
    assert lib.skills() == [] and lib.base_branch() == "main"


def test_project_action_and_pre_commit_hook_manifest() -> None:
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert all("shell" in step for step in action["runs"]["steps"] if "run" in step)
    assert any("skillforge validate" in step.get("run", "") for step in action["runs"]["steps"])
    (hook,) = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "skillforge-validate" and hook["entry"] == "skillforge validate"


def test_init_recreates_a_deleted_file_and_commits_it(tmp_path: Path) -> None:
    init_library(tmp_path)
    repo = git.Repo(tmp_path)
    first = repo.head.commit
    (tmp_path / "README.md").unlink()
    sh(tmp_path, "rm", "-q", "--cached", "README.md")
    sh(tmp_path, "commit", "-q", "-m", "drop readme")
    second = init_library(tmp_path)
    assert second.created == ["README.md"] and second.committed == ["README.md"]
    assert repo.head.commit.parents[0].message.strip() == "drop readme" and first != repo.head.commit
    assert sh(tmp_path, "status", "--porcelain") == ""


def test_init_commits_its_own_files_left_by_an_interrupted_init(tmp_path: Path) -> None:
    init_library(tmp_path / "a")
    git.Repo.init(tmp_path / "b", initial_branch="main")
    (tmp_path / "b" / "app.py").write_text("x\n")
    sh(tmp_path / "b", "add", "app.py")
    sh(tmp_path / "b", "commit", "-q", "-m", "app")
    # an earlier init wrote this file, then was killed before committing
    (tmp_path / "b" / "skillforge.toml").write_bytes((tmp_path / "a" / "skillforge.toml").read_bytes())
    report = init_library(tmp_path / "b")
    assert "skillforge.toml" not in report.created and "skillforge.toml" in report.committed
    assert sh(tmp_path / "b", "status", "--porcelain") == ""


def test_left_uncommitted_is_what_a_run_would_refuse_after_init(tmp_path: Path) -> None:
    """Found before anything is created, it matches Library.dirty_paths once init has run: the user's
    files under skills/, never the empty skills/.gitkeep init commits itself."""
    folder = tmp_path / "mine"
    (folder / "skills" / "foo").mkdir(parents=True)
    (folder / "skills" / ".gitkeep").write_text("")
    (folder / "notes.txt").write_text("mine\n")
    assert left_uncommitted(folder) == ([], False)
    (folder / "skills" / "foo" / "SKILL.md").write_text("---\nname: foo\n---\n")
    assert left_uncommitted(folder) == (["skills/foo/SKILL.md"], False)
    assert not (folder / ".git").exists()
    init_library(folder)
    assert Library.open(folder).dirty_paths() == ["skills/foo/SKILL.md"]
    assert left_uncommitted(folder) == (["skills/foo/SKILL.md"], True)


def test_a_file_in_the_way_of_a_generated_file_is_a_clear_error(tmp_path: Path) -> None:
    git.Repo.init(tmp_path, initial_branch="main")
    (tmp_path / ".github").write_text("not a folder\n")
    with pytest.raises(LibraryError, match=r"cannot write .*\.github/workflows/skills\.yml"):
        init_library(tmp_path)
    assert (tmp_path / ".github").read_text() == "not a folder\n"


def test_the_action_keeps_the_findings_cache_where_validate_writes_it() -> None:
    # a CI re-run on unchanged skills is a warm validate: the cached folder is SKILLFORGE_HOME's cache
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    (restore,) = [step for step in steps if str(step.get("uses", "")).startswith("actions/cache@")]
    home = steps[-1]["env"]["SKILLFORGE_HOME"]
    assert restore["with"]["path"] == f"{home}/cache/findings"
    assert restore["if"] == "inputs.cache == 'true'" and action["inputs"]["cache"]["default"] == "true"
    assert steps.index(restore) < len(steps) - 1  # restored before validate runs


def test_a_folder_where_git_cannot_make_a_repository_is_a_one_line_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # git init failing (a read-only folder; here a broken .git file) gave a GitCommandError traceback
    (tmp_path / ".git").write_text("garbage\n")
    result = cli("init", str(tmp_path))
    assert result.code == 1 and "Traceback" not in result.err
    assert str(tmp_path) in result.err and "invalid gitfile format" in result.err and "hint:" in result.err
