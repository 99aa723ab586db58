"""Which repository a session worked on: a git worktree's folder names its repository, not itself, and a
Claude Code pull request gives ``owner/name``, so one repository's sessions are counted together (an independent reader found entireio/cli split into ``cli``, ``2`` and ``ent-95-test``, and a
repository's ``mix test`` lessons lost at one run each under ``spotter-4te`` and ``spotter-gqc``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.ingest import claude_code
from skillforge.ingest.base import ParseContext, folder_repository

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
