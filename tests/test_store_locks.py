"""Writers serialise on skillforge's lock; git lock files left by killed writers are recovered."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import filelock
import git
import pytest

from skillforge.errors import LibraryError
from skillforge.model import Skill, SkillChange
from skillforge.skills.init import init_library
from skillforge.skills.lock import clear_stale_git_locks, live_git_processes
from skillforge.skills.store import Library

HOLDER = """
import sys, time
from pathlib import Path
from skillforge.skills.init import init_library
from skillforge.skills.lock import library_lock
with library_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def make_library(tmp_path: Path) -> Library:
    return Library.init(tmp_path / "lib")


def commit(lib: Library, run_id: str = "r1", **kw: object):
    skill = Skill(name="new-skill", description="Use when testing locks.", body="# Locks\n")
    change = SkillChange("new-skill", "added", "because", 1, skill)
    return lib.commit_run(run_id, [change], message="m", trailers={}, pr_context={}, **kw)  # type: ignore[arg-type]


def hold_in_subprocess(lib: Library) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lib.git_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_held_lock_makes_second_writer_fail_naming_the_lock(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    with (
        filelock.FileLock(str(lib.git_dir / "skillforge.lock")),
        pytest.raises(LibraryError, match=r"locked by another skillforge writer \(.*skillforge\.lock"),
    ):
        commit(lib, lock_timeout=0.2)
    assert "skillforge/r1" not in [h.name for h in lib.repo.heads]


def test_lock_error_names_the_other_process(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    proc = hold_in_subprocess(lib)
    try:
        with pytest.raises(LibraryError, match=f"held by pid {proc.pid}"):
            commit(lib, lock_timeout=0.2)
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_a_sigkilled_writer_does_not_block(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    proc = hold_in_subprocess(lib)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert commit(lib, lock_timeout=1).branch == "skillforge/r1"


def test_stale_index_lock_is_removed_and_the_run_proceeds(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.git_dir / "index.lock").write_text("")  # what a SIGKILLed `git add` leaves behind
    result = commit(lib)
    assert not (lib.git_dir / "index.lock").exists()
    assert lib.repo.commit(result.branch).hexsha == result.commit
    subprocess.run(["git", "add", "README.md"], cwd=lib.root, check=True)  # the user's git works again


def test_stale_worktree_and_ref_locks_are_removed(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.git_dir / "worktrees" / "wt").mkdir(parents=True)
    wt_lock = lib.git_dir / "worktrees" / "wt" / "index.lock"
    wt_lock.write_text("")
    ref_lock = lib.git_dir / "refs" / "heads" / "skillforge" / "r1.lock"
    ref_lock.parent.mkdir(parents=True)
    ref_lock.write_text("")
    commit(lib)
    assert not wt_lock.exists() and not ref_lock.exists()


@contextlib.contextmanager
def live_git(root: Path) -> Iterator[None]:
    """A git process working in ``root`` that is not our child (a shell sits in between)."""
    proc = subprocess.Popen(
        ["sh", "-c", "git cat-file --batch; true"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            if live_git_processes([root]):
                break
            time.sleep(0.02)
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()


NEEDS_PROC = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to list processes")


@NEEDS_PROC
def test_index_lock_of_a_live_git_process_is_kept(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    lock = lib.git_dir / "index.lock"
    with live_git(lib.root):
        lock.write_text("")
        assert clear_stale_git_locks(lib.git_dir, lib.root) == []
        assert lock.exists()
    assert clear_stale_git_locks(lib.git_dir, lib.root) == [lock]


@NEEDS_PROC
def test_init_with_a_live_index_lock_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    git.Repo.init(root, initial_branch="main")
    lock = root / ".git" / "index.lock"
    with live_git(root):
        lock.write_text("")
        with pytest.raises(LibraryError, match="could not update the index") as info:
            init_library(root)
    assert info.value.hint is not None and "git reset -q -- " in info.value.hint
    assert git.Repo(root).head.commit.author.name == "skillforge"  # the commit itself is made
