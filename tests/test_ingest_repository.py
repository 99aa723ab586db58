"""Which repository a session worked on: a git worktree's folder names its repository, not itself, and a
Claude Code pull request gives ``owner/name``, so one repository's sessions are counted together (an independent reader found entireio/cli split into ``cli``, ``2`` and ``ent-95-test``, and a
repository's ``mix test`` lessons lost at one run each under ``spotter-4te`` and ``spotter-gqc``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.ingest import claude_code
from skillforge.ingest.base import ParseContext
from skillforge.text import folder_repository

SID = "0b7c3f52-9a1e-4d61-8e2f-5a6b7c8d9e01"


@pytest.mark.parametrize(
    ("cwd", "repository"),
    [
        ("/home/dev/kiln", "kiln"),
        ("/home/dev/kiln/.worktrees/fix-2", "kiln"),  # git worktree add .worktrees/<name>
        ("/home/dev/kiln/.worktrees/fix-2/src", "kiln"),
        ("/home/dev/kiln/.claude/worktrees/brave-otter", "kiln"),  # claude --worktree
        ("/home/dev/kiln-worktrees/kiln-4te", "kiln"),  # a sibling folder of worktrees
        ("/home/dev/.tool/worktrees/kiln/search-skills", "kiln"),  # a tool's worktrees/<repo>/<branch>
        ("/home/dev/.tool/worktrees/search-skills", "search-skills"),  # no repository in the path
        ("C:\\dev\\kiln\\.worktrees\\fix", "kiln"),
        # paths a review found misread
        ("/home/u/projects/git-worktrees/tool", "tool"),  # an x-worktrees folder holding another project
        ("/home/u/.worktrees/x", "x"),  # worktrees kept in the home folder: no repository in the path
        ("/home/u/code/worktrees/client/src", "src"),  # a folder merely named worktrees
        ("/Users/a/conductor/workspaces/kiln/tokyo", "kiln"),
        ("C:/", None),
        ("/", None),
        ("", None),
        (None, None),
    ],
)
def test_a_worktree_folder_names_its_repository(cwd: str | None, repository: str | None) -> None:
    assert folder_repository(cwd) == repository


def _session(path: Path, cwd: str, pr_repository: str | None) -> Path:
    base = {"sessionId": SID, "cwd": cwd, "version": "2.1.90", "gitBranch": "fix", "userType": "external"}
    records = [
        {**base, "type": "user", "uuid": "u1", "parentUuid": None, "timestamp": "2026-05-02T10:00:00Z",
         "message": {"role": "user", "content": "fix the build"}},
        {**base, "type": "assistant", "uuid": "a1", "parentUuid": "u1", "timestamp": "2026-05-02T10:00:01Z",
         "message": {"role": "assistant", "id": "m1", "model": "claude-opus-4-8",
                     "content": [{"type": "text", "text": "Done."}]}},
    ]  # fmt: skip
    if pr_repository:
        records.append(
            {"type": "pr-link", "sessionId": SID, "prNumber": 7, "prUrl": "https://example.com/pull/7",
             "prRepository": pr_repository}
        )  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("cwd", "pr_repository", "repository"),
    [
        ("/home/dev/kiln/.worktrees/2", None, "kiln"),
        ("/home/dev/kiln/.worktrees/2", "acme/kiln", "acme/kiln"),  # the pull request says whose
        ("/home/dev/kiln", "acme/other-repo", "kiln"),  # a pull request on another repository: not this one
    ],
)
def test_a_claude_code_session_names_its_repository(
    tmp_path: Path, cwd: str, pr_repository: str | None, repository: str
) -> None:
    path = _session(tmp_path / "s.jsonl", cwd, pr_repository)
    [traj] = claude_code.parse(path, ParseContext(path=path))
    assert traj.repository == repository


def test_route_finds_the_repository_of_a_git_worktree(tmp_path: Path) -> None:
    """In a worktree ``.git`` is a file naming the git folder; the remote is in the main checkout's config."""
    import subprocess

    from skillforge.route.rank import Context

    main = tmp_path / "kiln"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(main)], check=True)
    subprocess.run([*git, "-C", str(main), "commit", "-q", "--allow-empty", "-m", "start"], check=True)
    worktree = tmp_path / "kiln-worktrees" / "kiln-4te"
    subprocess.run([*git, "-C", str(main), "worktree", "add", "-q", str(worktree)], check=True)
    assert Context.detect(worktree).repository == "kiln"  # no remote: the worktree's repository, by name
    subprocess.run(
        [*git, "-C", str(main), "remote", "add", "origin", "git@github.com:acme/kiln.git"], check=True
    )
    assert (Context.detect(worktree).repository, Context.detect(worktree).from_folder) == ("acme/kiln", False)


def test_a_bare_name_joins_the_one_owner_that_ends_with_it() -> None:
    from skillforge.text import owner_of_names

    got = owner_of_names(["acme/kiln", "kiln", "a/utils", "b/utils", "solo"])
    assert got == {"kiln": "acme/kiln"}  # two owners of utils: apart; solo: no owner known


def test_llm_distill_groups_and_scopes_one_repository_under_one_name() -> None:
    """Sessions that opened a pull request name the repository acme/kiln, the others only kiln: the LLM
    path's contrast groups and a skill's scope count them together (the offline reduce already did)."""
    from skillforge.distill.llm.analyse import comparable_groups
    from skillforge.distill.llm.mergecheck import scope_and_level
    from skillforge.model import Lesson, LessonKind, Scope, ScopeKind

    facts = [
        {"id": "a", "task": "fix the kiln build", "repository": "acme/kiln", "outcome": "success"},
        {"id": "b", "task": "add kiln timers", "repository": "kiln", "outcome": "failure"},
    ]
    assert [sorted(f["id"] for f in group) for group in comparable_groups(facts)] == [["a", "b"]]
    lessons = [
        Lesson(
            title=t,
            trigger="x",
            body="y",
            kind=LessonKind.ENVIRONMENT_RECIPE,
            scope=Scope(ScopeKind.REPOSITORY, repo),
        )
        for t, repo in (("one", "kiln"), ("two", "kiln"), ("three", "acme/kiln"), ("four", "other/thing"))
    ]
    assert scope_and_level(lessons)[0] == Scope(ScopeKind.REPOSITORY, "acme/kiln")
