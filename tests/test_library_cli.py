"""``skillforge init``, ``log`` and ``diff`` through the real command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from skillforge.model import Skill, SkillChange
from skillforge.skills.store import Library

FIXTURE = Path(__file__).parent / "fixtures" / "library" / "old-skill.SKILL.md"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def library_with_run(tmp_path: Path) -> Library:
    """main has old-skill and gone-skill (committed by the user); run r1 adds, updates and removes."""
    lib = Library.init(tmp_path / "lib")
    for name in ("old-skill", "gone-skill"):
        (lib.skills_dir / name).mkdir()
        (lib.skills_dir / name / "SKILL.md").write_text(FIXTURE.read_text().replace("old-skill", name))
    sh(lib.root, "add", "skills")
    sh(lib.root, "commit", "-q", "-m", "hand-written skills")
    (old,) = [s for s in lib.skills() if s.name == "old-skill"]
    old.description = "Use when pip cannot find a wheel for this platform."
    old.body = (
        old.body.replace("Run `pip download` first.", "Pin the platform tag.") + "\n## Gotchas\n\nNone.\n"
    )
    old.set_meta("evidence", 5)
    new = Skill(
        name="new-skill", description="Use when tests hang.", body="# Hanging tests\n\n## Steps\n\nx\n"
    )
    new.set_meta("evidence", 3)
    changes = [
        SkillChange("new-skill", "added", "3 sessions hung", 3, new),
        SkillChange("old-skill", "updated", "platform tags matter", 5, old),
        SkillChange("gone-skill", "removed", "duplicate of old-skill"),
    ]
    lib.commit_run(
        "r1", changes, message="skillforge: distill", trailers={"Skillforge-Source": "logs/"}, pr_context={}
    )
    return lib


def test_init_command_reports_json(tmp_path: Path, cli) -> None:
    result = cli("init", tmp_path / "lib", "--json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["created_repo"] and "skillforge.toml" in report["committed"]
    again = cli("init", tmp_path / "lib")
    assert again.code == 0 and "already a skill library" in again.out


def test_diff_in_skill_terms(tmp_path: Path, cli) -> None:
    lib = library_with_run(tmp_path)
    result = cli("diff", "skillforge/r1", "--library", lib.root, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["base"] == "main" and data["run_id"] == "r1"
    by_name = {s["name"]: s for s in data["skills"]}
    assert {n: s["action"] for n, s in by_name.items()} == {
        "new-skill": "added",
        "old-skill": "updated",
        "gone-skill": "removed",
    }
    old = by_name["old-skill"]
    assert old["description_changed"] and (old["evidence_before"], old["evidence_after"]) == (2, 5)
    assert (old["sections_added"], old["sections_changed"], old["sections_removed"]) == (
        ["Gotchas"],
        ["Steps"],
        [],
    )
    assert by_name["new-skill"]["sections_added"] == ["Hanging tests", "Steps"]


def test_diff_defaults_to_newest_review_branch_and_renders_a_table(tmp_path: Path, cli) -> None:
    lib = library_with_run(tmp_path)
    result = cli("diff", "--library", lib.root)
    assert result.code == 0
    assert "skillforge/r1 vs main" in result.out and "2 → 5" in result.out and "+Gotchas" in result.out


def test_diff_ignores_later_commits_on_the_base(tmp_path: Path, cli) -> None:
    lib = library_with_run(tmp_path)
    (lib.root / "later.txt").write_text("x\n")
    sh(lib.root, "add", "later.txt")
    sh(lib.root, "commit", "-q", "-m", "later work on main")
    data = json.loads(cli("diff", "skillforge/r1", "-L", lib.root, "--json").out)
    assert data["other_files"] == [] and len(data["skills"]) == 3


def test_diff_of_a_merged_branch_says_it_is_merged(tmp_path: Path, cli) -> None:
    """After `git merge` of the review branch, diff said "no changes", as for a branch that changes
    nothing, and not that its changes are in the base already."""
    lib = library_with_run(tmp_path)
    assert json.loads(cli("diff", "skillforge/r1", "-L", lib.root, "--json").out)["merged"] is False
    sh(lib.root, "merge", "-q", "--no-edit", "skillforge/r1")
    text = " ".join(cli("diff", "skillforge/r1", "-L", lib.root).out.split())
    assert "merged into main already, nothing left to review" in text and "no changes" not in text
    data = json.loads(cli("diff", "skillforge/r1", "-L", lib.root, "--json").out)
    assert data["merged"] is True and data["skills"] == []


def test_log_of_a_skill_shows_runs_reasons_and_human_edits(tmp_path: Path, cli) -> None:
    lib = library_with_run(tmp_path)
    data = json.loads(cli("log", "old-skill", "-L", lib.root, "--json").out)
    assert data["status"] == "ok"
    entries = data["entries"]
    assert [(e["run_id"], e["action"], e["reason"], e["merged"]) for e in entries] == [
        ("r1", "updated", "platform tags matter", False),
        (None, "edited", "hand-written skills", True),
    ]
    assert entries[0]["where"] == "skillforge/r1" and entries[1]["where"] == "main"


def test_log_of_a_skill_the_library_never_had_is_an_error(tmp_path: Path, cli) -> None:
    """A typo said "no history for skill" with exit 0, as if the skill existed without changes."""
    lib = library_with_run(tmp_path)
    result = cli("log", "old-skil", "-L", lib.root)
    assert result.code == 1 and "no skill named 'old-skil'" in result.err
    assert cli("log", "old-skill", "-L", lib.root).code == 0


def test_log_of_runs_sees_merges(tmp_path: Path, cli) -> None:
    lib = library_with_run(tmp_path)
    sh(lib.root, "merge", "-q", "--no-edit", "skillforge/r1")
    runs = json.loads(cli("log", "-L", lib.root, "--json").out)["entries"]
    assert [(r["run_id"], r["merged"], r["where"], r["source"]) for r in runs] == [
        ("r1", True, "main", "logs/")
    ]
    assert len(runs[0]["changes"]) == 3
    table = cli("log", "-L", lib.root)
    assert table.code == 0 and "r1" in table.out


def test_commands_on_a_folder_that_is_not_a_library(tmp_path: Path, cli) -> None:
    result = cli("diff", "--library", tmp_path)
    err = " ".join(result.err.split())  # rich wraps long lines
    assert result.code == 1 and "is not a skill library" in err and "skillforge init" in err


def test_diff_without_review_branches_says_so(tmp_path: Path, cli) -> None:
    Library.init(tmp_path)
    result = cli("diff", "-L", tmp_path)
    assert result.code == 1 and "no review branches" in " ".join(result.err.split())


def test_init_on_a_file_is_a_one_line_error(tmp_path: Path, cli) -> None:
    (tmp_path / "f").write_text("x")
    result = cli("init", tmp_path / "f")
    err = " ".join(result.err.split())  # rich wraps long lines
    assert result.code == 1 and "is a file, not a folder" in err and "Traceback" not in err


def test_diff_reports_both_sides_of_a_renamed_skill_folder(tmp_path: Path) -> None:
    from skillforge.skills.history import branch_diff

    lib = library_with_run(tmp_path)
    sh(lib.root, "checkout", "-q", "-b", "skillforge/mv", "main")
    sh(lib.root, "mv", "skills/gone-skill", "skills/moved-skill")
    sh(lib.root, "commit", "-q", "-m", "rename")
    diff = branch_diff(lib, "skillforge/mv", "main")
    assert {s.name: s.action for s in diff.skills} == {"gone-skill": "removed", "moved-skill": "added"}


def test_init_output_keeps_brackets_in_paths(tmp_path: Path, cli) -> None:
    result = cli("init", tmp_path / "lib[dev]")
    assert result.code == 0 and "lib[dev]" in "".join(result.out.split())


def test_a_file_or_a_folder_outside_git_as_library_names_the_real_problem(tmp_path: Path, cli) -> None:
    # a file was 'not a skill library: run skillforge init FILE' (which then failed: 'is a file'), and
    # route called it 'no such skill library'; skills/ outside git did not say that git was missing
    note = tmp_path / "notes.txt"
    note.write_text("not a library\n")
    for command in (["distill", str(tmp_path), "--library", note], ["route", "fix it", "--library", note]):
        result = cli(*command)
        err = " ".join(result.err.split())
        assert result.code == 1 and "is a file, not a folder" in err and "skillforge init" not in err
    plain = tmp_path / "plain"
    (plain / "skills").mkdir(parents=True)
    err = " ".join(cli("diff", "--library", plain).err.split())
    assert "is not a skill library (not in a git repository)" in err and f"skillforge init {plain}" in err


@pytest.mark.parametrize(
    "args",
    [
        ("distill", "{missing}", "--library", "{tmp}/lib", "--json"),
        ("route", "fix the tests", "--library", "{missing}", "--json"),
        ("route", "fix the tests", "--library", "{missing}", "--format", "json"),
        ("validate", "{missing}", "--json"),
        ("validate", "{missing}", "--format", "json"),
        ("log", "--library", "{missing}", "--json"),
    ],
)
def test_an_error_under_json_is_a_json_document_on_stdout(tmp_path: Path, cli, args) -> None:
    """docs/index.md: every command's --json document carries a status. A failed command printed
    nothing on stdout, so a script reading .status got no document at all."""
    missing = tmp_path / "missing"
    argv = [a.format(missing=missing, tmp=tmp_path) for a in args]
    result = cli(*argv)
    assert result.code in (1, 2), result.err
    doc = json.loads(result.out)
    assert doc["status"] == "error" and doc["exit_code"] == result.code and str(missing) in doc["error"]
    assert "skillforge: error:" in result.err  # people still read it on stderr
    plain = cli(*[a for a in argv if a not in ("--json",)][: -2 if "--format" in argv else None])
    assert plain.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ("route", "--json", "-k", "abc", "x"),
        ("distill", "--json", "--bogus"),
        ("validate", "--format=json", "--x"),
    ],
)
def test_a_usage_error_under_json_is_a_json_document_too(cli, args) -> None:
    result = cli(*args)
    assert result.code == 2 and json.loads(result.out)["status"] == "error"


def test_ingest_json_stays_a_stream_of_trajectories_on_a_usage_error(cli) -> None:
    result = cli("ingest", "--json", "--bogus")
    assert result.code == 2 and result.out == ""  # docs/index.md: ingest reports on stderr
