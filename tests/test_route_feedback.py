"""Skill utility from feedback (CLI and ingested sessions) and ``skillforge prune`` proposals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from skillforge.route.feedback import ALPHA, PRIOR, load_utility, log_matches, match_counts, record
from skillforge.route.prune import candidates

FIXTURES = Path(__file__).parent / "fixtures" / "route"
LOG = FIXTURES / "logs" / "5e0c7a10-1111-4a2b-9c3d-000000000001.jsonl"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURES / "library", dest)
    return dest


def test_utility_moves_toward_the_reward(library: Path) -> None:
    record(library, [("docker-build-cache", True)])
    q1 = PRIOR + ALPHA * (1 - PRIOR)
    assert load_utility(library)["docker-build-cache"]["q"] == pytest.approx(q1)
    record(library, [("docker-build-cache", False)])
    entry = load_utility(library)["docker-build-cache"]
    assert entry["q"] == pytest.approx(q1 + ALPHA * (0 - q1))
    assert (entry["uses"], entry["successes"], entry["failures"]) == (2, 1, 1)


def test_cli_feedback_records_an_outcome(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("feedback", "npm-lockfile-repair", "--outcome", "success", "-L", str(library), "--json")
    assert result.code == 0
    assert json.loads(result.out)["updated"]["npm-lockfile-repair"] > PRIOR


def test_cli_feedback_rejects_unknown_skills_and_outcomes(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("feedback", "nope", "--outcome", "success", "-L", str(library)).code == 1
    assert cli("feedback", "npm-lockfile-repair", "--outcome", "meh", "-L", str(library)).code == 2  # usage
    assert not (library / ".skillforge" / "utility.json").exists()


def test_feedback_into_a_library_it_cannot_write_is_a_one_line_error(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    # a read-only library (here: a folder where utility.json goes, as tests run as root) gave an OSError traceback
    (library / ".skillforge" / "utility.json").mkdir()
    result = cli("feedback", "npm-lockfile-repair", "--outcome", "success", "-L", str(library))
    assert result.code == 1 and "Traceback" not in result.err
    assert "utility.json" in result.err and "hint:" in result.err


def test_feedback_from_logs_joins_skills_used_with_outcomes(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    unlabelled = json.loads(cli("feedback", "--from-logs", str(LOG), "-L", str(library), "--json").out)
    assert unlabelled["updated"] == {} and unlabelled["skipped"] == {"outcome unknown": 1}
    labelled = json.loads(
        cli(
            "feedback",
            "--from-logs",
            str(LOG),
            "--labels",
            str(FIXTURES / "logs" / "labels.csv"),
            "-L",
            str(library),
            "--json",
        ).out
    )
    assert labelled["sessions"] == 1
    assert labelled["updated"] == {"git-rebase-recovery": pytest.approx(PRIOR - ALPHA * PRIOR)}


def test_match_log_counts_per_library(library: Path, tmp_path: Path) -> None:
    log_matches(library, "q1", ["a", "b"])
    log_matches(library, "q2", ["a"])
    log_matches(tmp_path, "q3", ["a"])
    assert match_counts(library) == ({"a": 2, "b": 1}, 2)


def test_prune_candidates_low_utility_and_never_matched(library: Path) -> None:
    record(library, [("docker-build-cache", False)] * 6)
    record(library, [("npm-lockfile-repair", True)] * 6)
    for _ in range(3):
        log_matches(library, "q", ["git-rebase-recovery", "npm-lockfile-repair"])
    found = {c.name: c.reason for c in candidates(library, min_uses=5, max_utility=0.3, min_calls=3)}
    assert found["docker-build-cache"].startswith("used 6 times with utility")
    assert "never matched in 3 route calls" in found["pytest-flaky-tests"]
    assert "npm-lockfile-repair" not in found and "git-rebase-recovery" not in found


def test_prune_skips_locked_skills(library: Path) -> None:
    skill = library / "skills" / "docker-build-cache" / "SKILL.md"
    skill.write_text(skill.read_text().replace("metadata:\n", 'metadata:\n  skillforge-locked: "true"\n'))
    record(library, [("docker-build-cache", False)] * 6)
    assert "docker-build-cache" not in {c.name for c in candidates(library, min_calls=10**6)}


def test_prune_proposes_a_review_branch(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from skillforge.skills.store import Library

    root = tmp_path / "lib"
    Library.init(root)
    shutil.copytree(FIXTURES / "library" / "skills", root / "skills", dirs_exist_ok=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "skills"], cwd=root, check=True)
    record(root, [("docker-build-cache", False)] * 6)
    result = cli("prune", "-L", str(root), "--min-calls", "1000000", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [c["name"] for c in data["candidates"]] == ["docker-build-cache"]
    branch = data["branch"]
    assert branch.startswith("skillforge/prune-")
    tree = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", branch, "skills"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "docker-build-cache" not in tree and "npm-lockfile-repair/SKILL.md" in tree
    assert (root / "skills" / "docker-build-cache" / "SKILL.md").is_file()  # the working tree is untouched


def test_prune_again_names_the_open_proposal_and_prints_the_next_steps(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """loop19 defect 5: a second prune made a second branch proposing the same removal, and neither
    printed the pull-request body nor the diff / merge commands distill prints."""
    from skillforge.skills.store import Library

    root = tmp_path / "lib"
    Library.init(root)
    shutil.copytree(FIXTURES / "library" / "skills", root / "skills", dirs_exist_ok=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "skills"], cwd=root, check=True)
    record(root, [("docker-build-cache", False)] * 6)
    first = cli("prune", "-L", str(root), "--min-calls", "1000000")
    assert first.code == 0, first.err
    branch = next(w for w in first.out.split() if w.startswith("skillforge/prune-"))
    assert "Next:" in first.out and f"skillforge diff {branch} --library" in first.out
    assert f"merge {branch}" in first.out and f"pr/{branch.split('/')[1]}.md" in first.out
    again = cli("prune", "-L", str(root), "--min-calls", "1000000", "--json")
    data = json.loads(again.out)
    assert again.code == 0 and data["status"] == "already_done" and data["branch"] == branch, data
    assert any(f"merge {branch}" in step["command"] for step in data["next_steps"])
    text = cli("prune", "-L", str(root), "--min-calls", "1000000")
    assert f"already proposed on {branch}" in text.err and "Next:" in text.out
    heads = subprocess.run(
        ["git", "branch", "--list", "skillforge/*"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert heads == [branch]
    record(root, [("npm-lockfile-repair", False)] * 6)  # another set of removals: a new proposal
    other = json.loads(cli("prune", "-L", str(root), "--min-calls", "1000000", "--json").out)
    assert other["status"] == "committed" and other["branch"] != branch, other
