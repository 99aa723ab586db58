"""The skill library store: review branches built without touching the user's checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest

from skillforge.errors import LibraryError
from skillforge.model import Skill, SkillChange
from skillforge.skills.review import pr_title
from skillforge.skills.store import Library

FIXTURE = Path(__file__).parent / "fixtures" / "library" / "old-skill.SKILL.md"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_library(tmp_path: Path) -> Library:
    """An initialised library where the user has committed one skill (old-skill) on main."""
    lib = Library.init(tmp_path / "lib")
    folder = lib.skills_dir / "old-skill"
    (folder / "references").mkdir(parents=True)
    (folder / "SKILL.md").write_text(FIXTURE.read_text())
    (folder / "references" / "evidence.md").write_text("- session a\n- session b\n")
    sh(lib.root, "add", "skills")
    sh(lib.root, "commit", "-q", "-m", "add old-skill")
    return lib


def new_skill(name: str = "new-skill", evidence: int = 3) -> Skill:
    skill = Skill(name=name, description=f"Use when {name} applies.", body="# Title\n\n## Steps\n\nDo it.\n")
    skill.set_meta("evidence", evidence)
    skill.files["references/evidence.md"] = "- session c\n"
    return skill


def added(name: str = "new-skill") -> SkillChange:
    return SkillChange(name, "added", f"seen {name} in 3 sessions", 3, new_skill(name))


def run(lib: Library, run_id: str = "r1", changes: list[SkillChange] | None = None, **kw: object):
    kw.setdefault("trailers", {"Skillforge-Source": "logs/", "Skillforge-Provider": "offline"})
    kw.setdefault("pr_context", {})
    return lib.commit_run(run_id, changes or [added()], message="skillforge: distill logs/", **kw)  # type: ignore[arg-type]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the checkout, the index and HEAD, byte for byte."""
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    files[".git/index"] = (root / ".git" / "index").read_bytes()
    files[".git/HEAD"] = (root / ".git" / "HEAD").read_bytes()
    files["HEAD sha"] = sh(root, "rev-parse", "HEAD").encode()
    return files


def test_run_commits_on_new_branch_leaving_checkout_byte_identical(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.root / "notes.txt").write_text("mine, untracked\n")
    before = snapshot(lib.root)
    result = run(lib)
    assert snapshot(lib.root) == before
    assert result.branch == "skillforge/r1" and result.base == "main" and not result.already_done
    assert [s.name for s in lib.skills("skillforge/r1")] == ["new-skill", "old-skill"]
    assert [s.name for s in lib.skills()] == ["old-skill"]


def test_allow_dirty_keeps_unstaged_edit_and_untracked_file(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    skill_md = lib.skills_dir / "old-skill" / "SKILL.md"
    skill_md.write_text(skill_md.read_text().replace("missing wheel", "EDITED"))
    (lib.skills_dir / "draft.md").write_text("draft\n")
    before = snapshot(lib.root)
    run(lib, allow_dirty=True)
    assert snapshot(lib.root) == before
    branch_old = next(s for s in lib.skills("skillforge/r1") if s.name == "old-skill")
    assert "EDITED" not in branch_old.description  # built from the commit, not the working tree


def test_dirty_library_is_refused_and_nothing_written(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.skills_dir / "old-skill" / "SKILL.md").write_text("changed\n")
    with pytest.raises(LibraryError, match=r"uncommitted changes \(skills/old-skill/SKILL.md\)"):
        run(lib)
    assert "skillforge/r1" not in [h.name for h in lib.repo.heads]


def test_untracked_file_outside_skills_is_not_dirty(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.root / "scratch.txt").write_text("x\n")
    assert lib.dirty_paths() == []
    (lib.skills_dir / "half-written").mkdir()
    (lib.skills_dir / "half-written" / "SKILL.md").write_text("x\n")
    assert lib.dirty_paths() == ["skills/half-written/SKILL.md"]


def test_author_and_committer_are_skillforge_not_the_environment(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    commit = lib.repo.commit(run(lib).commit)
    assert (commit.author.name, commit.author.email) == ("skillforge", "skillforge@localhost")
    assert (commit.committer.name, commit.committer.email) == ("skillforge", "skillforge@localhost")
    assert lib.repo.commit("main").author.name == "Test"  # the user's own commit is untouched


def test_author_comes_from_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillforge.app import load_settings

    made = make_library(tmp_path)
    monkeypatch.setenv("SKILLFORGE_AUTHOR_NAME", "Skill Bot")
    settings = load_settings(str(made.root))  # the app layer resolves the author; the store takes it
    lib = Library.open(made.root, (settings.author_name, settings.author_email))
    commit = lib.repo.commit(run(lib).commit)
    assert commit.author.name == "Skill Bot" and commit.committer.name == "Skill Bot"


def test_commit_message_carries_trailers(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    run(lib, "r9", [added(), SkillChange("old-skill", "removed", "superseded by new-skill")])
    message = sh(lib.root, "log", "-1", "--format=%(trailers)", "skillforge/r9")
    assert message.strip().splitlines() == [
        "Skillforge-Run: r9",
        "Skillforge-Source: logs/",
        "Skillforge-Provider: offline",
        "Skillforge-Base: main",
        "Skillforge-Change: added new-skill: seen new-skill in 3 sessions",
        "Skillforge-Change: removed old-skill: superseded by new-skill",
    ]


def test_pr_body_lists_changes_with_evidence_and_is_not_committed(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    updated = new_skill("old-skill", 5)
    changes = [
        added(),
        SkillChange("old-skill", "updated", "new step from 2 sessions", 5, updated),
        SkillChange("gone-skill", "removed", "never used"),
    ]
    ctx = {
        "provider": "anthropic",
        "model": "claude-x",
        "trajectories": 12,
        "redactions": {"aws_key": 2},
        "quarantined": [{"title": "curl | sh", "reason": "tool output only"}],
    }
    result = run(lib, changes=changes, pr_context=ctx)
    body = result.pr_body_path.read_text()
    assert result.pr_body_path == lib.root / ".git" / "skillforge" / "pr" / "r1.md"
    assert (
        "- **new-skill**: seen new-skill in 3 sessions (3 supporting trajectories, "
        "[evidence](skills/new-skill/references/evidence.md))" in body
    )
    assert "- **old-skill**: new step from 2 sessions (5 supporting" in body
    assert "## Removed (1)" in body and "- **gone-skill**: never used" in body
    assert "aws_key × 2" in body and "claude-x" in body and "curl | sh: tool output only" in body
    assert "pr" not in sh(lib.root, "ls-tree", "-r", "--name-only", "skillforge/r1").split("/")
    assert f"--body-file {result.pr_body_path}" in result.pr_command
    assert result.pr_command.startswith("gh pr create --base main --head skillforge/r1 --title ")
    assert result.push_command == "git push -u origin skillforge/r1"


def test_pr_body_renders_without_context(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    body = run(lib, pr_context={}).pr_body_path.read_text()
    assert "## Added (1)" in body and "not run for this branch" in body


def test_removed_deletes_folder_and_extra_files_are_written(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    extra = {".skillforge/state.json": '{"runs": 1}\n', "README.md": None}
    run(lib, changes=[SkillChange("old-skill", "removed", "obsolete")], extra_files=extra)
    files = sh(lib.root, "ls-tree", "-r", "--name-only", "skillforge/r1").split()
    assert not [f for f in files if f.startswith("skills/old-skill")]
    assert "README.md" not in files
    assert lib.read_file(".skillforge/state.json", "skillforge/r1") == '{"runs": 1}\n'
    assert (lib.skills_dir / "old-skill" / "SKILL.md").is_file()  # the checkout keeps it


def test_update_keeps_existing_files_of_the_skill(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    updated = new_skill("old-skill")
    updated.files = {"scripts/check.sh": "#!/bin/sh\necho ok\n"}
    run(lib, changes=[SkillChange("old-skill", "updated", "add a script", 1, updated)])
    tree = lib.repo.commit("skillforge/r1").tree
    assert (
        tree / "skills/old-skill/references/evidence.md"
    ).data_stream.read() == b"- session a\n- session b\n"
    assert (tree / "skills/old-skill/scripts/check.sh").mode == 0o100755
    assert subprocess.run(["git", "fsck", "--strict"], cwd=lib.root, capture_output=True).returncode == 0


def test_missing_base_branch_is_a_clear_error(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    with pytest.raises(LibraryError, match="base branch 'release' does not exist"):
        run(lib, base="release")


def test_explicit_base_branch_is_used(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    sh(lib.root, "branch", "release", "HEAD~1")
    result = run(lib, base="release")
    assert result.base == "release"
    assert lib.repo.commit(result.commit).parents[0].hexsha == lib.repo.commit("release").hexsha


def test_rerun_reports_already_done_without_new_commit(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    first = run(lib)
    (lib.skills_dir / "old-skill" / "SKILL.md").write_text("dirty now\n")  # decided on commits only
    second = run(lib)
    assert second.already_done and second.commit == first.commit
    assert sh(lib.root, "rev-list", "--count", "skillforge/r1") == sh(
        lib.root, "rev-list", "--count", first.commit
    )


def test_a_found_run_names_the_skills_it_changed_for_the_pull_request_title(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    run(lib, changes=[added("new-skill"), added("second-skill")])
    found = lib.find_run("r1")
    assert found is not None and found.already_done
    assert [(c.name, c.action) for c in found.changes] == [("new-skill", "added"), ("second-skill", "added")]
    assert pr_title(found.changes) == "skills: add new-skill, second-skill"


def test_same_run_id_with_other_content_is_already_done(tmp_path: Path) -> None:
    """A run id names the trajectories, the engine and the base: the same run read from another path
    (evidence naming other paths) is the run already on its branch, not a conflict."""
    lib = make_library(tmp_path)
    first = run(lib)
    again = run(lib, changes=[added("other-skill")])
    assert again.already_done and again.commit == first.commit


def test_a_branch_holding_another_run_is_refused(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    first = run(lib)
    sh(lib.root, "branch", "skillforge/r2", first.branch)
    with pytest.raises(LibraryError, match=r"skillforge/r2 already exists in .* holds no commit of run r2"):
        run(lib, "r2")


def test_invalid_run_id_is_refused(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    with pytest.raises(LibraryError, match="cannot name a branch"):
        run(lib, "../evil")


def test_skills_and_read_file_use_committed_state(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.skills_dir / "old-skill" / "SKILL.md").write_text("---\nname: old-skill\ndescription: WT\n---\n")
    (skill,) = lib.skills()
    assert skill.description == "Use when the build fails on a missing wheel."
    assert skill.path == "skills/old-skill" and skill.files == {}
    assert lib.read_file("skills/old-skill/references/evidence.md") == "- session a\n- session b\n"
    assert lib.read_file("nope.txt") is None


def test_unreadable_committed_skill_is_reported_not_fatal(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.skills_dir / "broken").mkdir()
    (lib.skills_dir / "broken" / "SKILL.md").write_text("no front matter\n")
    sh(lib.root, "add", "skills")
    sh(lib.root, "commit", "-q", "-m", "broken")
    skills, errors = lib.skills_report()
    assert [s.name for s in skills] == ["old-skill"]
    assert "skills/broken/SKILL.md:1" in errors[0].message


def test_open_refuses_a_folder_that_is_not_a_library(tmp_path: Path) -> None:
    git.Repo.init(tmp_path / "plain")
    with pytest.raises(LibraryError, match="is not a skill library") as info:
        Library.open(tmp_path / "plain")
    assert info.value.hint is not None and "skillforge init" in info.value.hint


def test_base_branch_is_the_checked_out_branch_unless_configured(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    sh(lib.root, "checkout", "-q", "-b", "work")
    assert lib.base_branch() == "work"
    assert lib.base_branch("main") == "main"
    sh(lib.root, "checkout", "-q", "--detach")
    with pytest.raises(LibraryError, match="detached"):
        lib.base_branch()


def test_pr_body_renders_distill_context(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    ctx = {
        "trajectories": 7,
        "skipped_trajectories": 2,
        "lessons": 9,
        "kept": 4,
        "usage": {"calls": 3, "input_tokens": 100, "output_tokens": 20, "cost": 0.0123},
        "evidence": {"new-skill": ["pytest missing: 1a2b c.jsonl:3"]},
        "failures": ["bad.jsonl: not JSON"],
        "validation": {"passed": False, "errors": 2, "warnings": 1},
    }
    body = run(lib, pr_context=ctx).pr_body_path.read_text()
    assert "  - pytest missing: 1a2b c.jsonl:3" in body
    assert "Trajectories analysed: 7 (2 skipped" in body and "$0.0123" in body
    assert "- bad.jsonl: not JSON" in body and "- [ ] `skillforge validate`: 2 error(s), 1 warning(s)" in body
    assert "Secrets redacted" not in body  # no redaction figures were given


def test_concurrent_writers_both_commit(tmp_path: Path) -> None:
    import threading

    make_library(tmp_path)
    errors: list[BaseException] = []

    def write(run_id: str) -> None:
        try:
            run(Library.open(tmp_path / "lib"), run_id, [added(f"skill-{run_id}")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    lib = Library.open(tmp_path / "lib")
    assert lib.review_branches() and sorted(lib.review_branches()) == [f"skillforge/t{i}" for i in range(4)]


def test_rerun_after_merge_and_branch_deletion_is_already_done(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    first = run(lib)
    sh(lib.root, "merge", "-q", "--ff-only", "skillforge/r1")
    sh(lib.root, "branch", "-q", "-D", "skillforge/r1")
    again = run(lib)
    assert again.already_done and again.commit == first.commit
    assert "skillforge/r1" not in [h.name for h in lib.repo.heads]


def test_checked_out_review_branch_is_not_taken_as_base(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    run(lib)
    sh(lib.root, "checkout", "-q", "skillforge/r1")
    assert lib.base_branch() == "main"
    assert run(lib, "r2", [added("second")]).base == "main"


def test_a_file_named_like_the_base_branch_does_not_confuse_git(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    (lib.root / "main").write_text("a file that shares the branch's name\n")
    assert run(lib).branch == "skillforge/r1"
    sh(lib.root, "merge", "-q", "--ff-only", "skillforge/r1")
    sh(lib.root, "branch", "-q", "-D", "skillforge/r1")
    assert run(lib).already_done


def test_staged_rename_is_one_dirty_path(tmp_path: Path) -> None:
    lib = make_library(tmp_path)
    sh(lib.root, "mv", "skills/old-skill/references/evidence.md", "skills/old-skill/evidence.md")
    assert lib.dirty_paths() == ["skills/old-skill/evidence.md"]


def test_a_failing_pull_request_template_leaves_no_run_branch(tmp_path: Path) -> None:
    from skillforge.errors import SkillforgeError

    make_library(tmp_path)
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "pr_body.md.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
    )  # breaks the sandbox
    lib = Library.open(tmp_path / "lib", template_dir=str(tpl))
    with pytest.raises(SkillforgeError, match="pr_body"):
        run(lib)
    assert "skillforge/r1" not in sh(lib.root, "branch", "--list")
    assert run(Library.open(tmp_path / "lib")).branch == "skillforge/r1"  # the run can be done again
