"""The base_branch setting with a detached HEAD (a CI checkout) or another branch checked out:
review branches start from the base, the library is read from it, and a detached HEAD with no base
set says how to set one (user18 A8: the hint named a ``--base`` that distill does not have, and
SKILLFORGE_BASE_BRANCH did not help, since distill still read the skills from HEAD's branch)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import orjson
import pytest

from skillforge.skills.store import Library

FIX = Path(__file__).parent / "fixtures" / "distill"
SKILL = "---\nname: feature-only\ndescription: Use when the feature branch is checked out.\n---\n# Feature\n"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def library_on_feature(tmp_path: Path, detach: bool) -> Path:
    """A library whose main has no skill, with a branch ``feature`` one skill ahead, checked out
    (``detach``: HEAD detached at feature's tip, as a CI checkout)."""
    lib = Library.init(tmp_path / "lib").root
    sh(lib, "checkout", "-q", "-b", "feature")
    (lib / "skills" / "feature-only").mkdir(parents=True)
    (lib / "skills" / "feature-only" / "SKILL.md").write_text(SKILL)
    sh(lib, "add", "skills")
    sh(lib, "commit", "-q", "-m", "a skill on feature")
    sh(lib, "checkout", "-q", *(["--detach"] if detach else ["feature"]))
    return lib


@pytest.mark.parametrize("where", ["env", "library config"])
def test_a_detached_head_distills_from_the_configured_base_branch(cli, tmp_path, monkeypatch, where) -> None:
    lib = library_on_feature(tmp_path, detach=True)
    if where == "env":
        monkeypatch.setenv("SKILLFORGE_BASE_BRANCH", "main")
    else:  # committed on feature, where it is read: the checked-out folder's skillforge.toml
        toml = lib / "skillforge.toml"
        toml.write_text(toml.read_text().replace('base_branch = ""', 'base_branch = "main"'))
        sh(lib, "commit", "-q", "-am", "base main")
    head = sh(lib, "rev-parse", "HEAD")
    res = cli(
        "distill", str(FIX / "batch1"), "--labels", str(FIX / "labels.json"), "--library", str(lib), "--json"
    )
    assert res.code == 0, res.err
    report = orjson.loads(res.out)
    repo = git.Repo(lib)
    branch = repo.commit(report["branch"])
    assert branch.parents[0] == repo.commit("main")  # started from main, not from HEAD (feature)
    assert not any(p.startswith("skills/feature-only") for p in branch.stats.files)
    assert "feature-only" not in Path(report["pr_body"]).read_text()
    assert sh(lib, "rev-parse", "HEAD") == head and repo.head.is_detached  # the checkout is untouched
    merge = next(s for s in report["next_steps"] if "merge" in s["command"])
    assert "into main" in merge["what"] and "switch main" in merge["command"]


def test_a_detached_head_without_a_base_says_how_to_set_one(cli, tmp_path) -> None:
    lib = Library.init(tmp_path / "lib").root
    sh(lib, "checkout", "-q", "--detach")
    res = cli("distill", str(FIX / "batch1"), "--library", str(lib))
    assert res.code == 1 and "Traceback" not in res.err
    err = " ".join(res.err.split())
    assert "HEAD is detached" in err and "git switch main" in err  # main's tip is where HEAD is
    assert "SKILLFORGE_BASE_BRANCH or base_branch in skillforge.toml" in err
    assert "or pass --base" not in err  # distill has no --base
    assert not [h for h in git.Repo(lib).heads if h.name.startswith("skillforge/")]


def test_the_library_is_read_from_its_base_branch_not_from_head(tmp_path) -> None:
    root = library_on_feature(tmp_path, detach=False)
    assert [s.name for s in Library.open(root).skills()] == ["feature-only"]  # no base: HEAD's branch
    lib = Library.open(root, base="main")
    assert lib.skills() == [] and lib.read_file("skills/feature-only/SKILL.md") is None
    assert lib.base_branch() == "main"
