"""Hardening: names and paths cannot leave the library (``..``, absolute paths, symlinks out), YAML is
loaded without tags, anchors or aliases and with size limits, inputs are size-limited and input
folders' symlinks are not followed out of the given root."""

from __future__ import annotations

import os
from pathlib import Path

import git
import pytest

from skillforge.errors import SkillforgeError
from skillforge.model import Skill, SkillChange
from skillforge.skills.document import DocumentError, load, parse, save
from tests.attack import builders as b
from tests.attack.conftest import Parrot, standard_runs, write_logs

# 272 bytes of YAML; loaded naively, the aliases expand to 9**7 = 4,782,969 strings.
LOL = '"lol"'
ALIAS_BOMB = "".join(
    [f"a: &a [{','.join([LOL] * 9)}]\n"]
    + [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)]
)


def skill_md(front: str, body: str = "# Title\n\nSteps.\n") -> str:
    return f"---\n{front}---\n{body}"


def make_library(tmp_path: Path, skills: dict[str, str]) -> Path:
    """A committed library holding ``skills`` (name -> SKILL.md text)."""
    from skillforge.skills.store import Library

    lib = tmp_path / "library"
    Library.init(lib)
    for name, text in skills.items():
        (lib / "skills" / name).mkdir(parents=True, exist_ok=True)
        (lib / "skills" / name / "SKILL.md").write_text(text)
    repo = git.Repo(lib)
    repo.git.add("-A")
    repo.index.commit("skills")
    return lib


def test_the_272_byte_alias_bomb_is_refused_before_it_expands() -> None:
    assert len(ALIAS_BOMB.encode()) == 272
    with pytest.raises(DocumentError) as info:
        parse(skill_md(ALIAS_BOMB))
    assert "anchors are not allowed" in info.value.message


def test_yaml_tags_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    front = f'name: x\ndescription: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(DocumentError, match="tags are not allowed"):
        parse(skill_md(front))
    assert not marker.exists()


def test_oversized_front_matter_and_skill_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="over 64 KiB"):
        parse(skill_md("name: x\ndescription: " + "y" * 70_000 + "\n"))
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "SKILL.md").write_text(skill_md("name: big\ndescription: d\n", "z" * (3 * 2**20)))
    with pytest.raises(DocumentError, match="over 2 MiB"):
        load(folder)


def test_bomb_in_the_library_does_not_stop_distill_or_reach_route(distill, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(tmp_path, {"bomb": skill_md(ALIAS_BOMB)})
    from skillforge.skills.store import Library

    skills, errors = Library.open(lib).skills_report()
    assert skills == [] and "anchors" in str(errors[0])
    res = cli("route", "lol lol lol", "--library", str(lib), "--json")
    assert res.code == 0 and "lol" not in res.out.replace("lol lol lol", "")


@pytest.mark.parametrize(
    "name",
    ["../../escape", "/tmp/abs-skill", ".git", "skills/../../up"],
    ids=["dotdot", "absolute", "git-dir", "nested-dotdot"],
)
def test_model_proposed_traversal_names_write_nothing_outside(name, distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", "interchange", standard_runs())
    outcome = distill(logs, "anthropic", Parrot(evil_name=name))
    assert outcome.code in (0, 3)
    written = [p.split(":", 1)[1] for p in outcome.skill_files]
    assert all(p.startswith("skills/") and not {"..", ".git"} & set(p.split("/")) for p in written)
    assert any(p.endswith("/SKILL.md") for p in written)  # the benign skill was still written
    assert not (tmp_path / "escape").exists() and not Path("/tmp/abs-skill").exists()
    assert not any(p.name == "up" for p in tmp_path.iterdir())


def test_store_refuses_paths_that_leave_the_library(tmp_path: Path) -> None:
    from skillforge.skills.store import Library

    lib = Library.open(make_library(tmp_path, {}))
    bad_name = SkillChange("../outside", "added", "r", skill=Skill("../outside", "d", "# b\n"))
    with pytest.raises(SkillforgeError):
        lib.commit_run("r1", [bad_name], message="m", trailers={}, pr_context={})
    sneaky = Skill(
        "ok-skill", "d", "# b\n", files={"../../.git/hooks/post-checkout": "#!/bin/sh\nrm -rf ~\n"}
    )
    with pytest.raises(SkillforgeError):
        lib.commit_run(
            "r2",
            [SkillChange("ok-skill", "added", "r", skill=sneaky)],
            message="m",
            trailers={},
            pr_context={},
        )
    with pytest.raises(SkillforgeError):
        lib.commit_run("r3", [], message="m", trailers={}, pr_context={}, extra_files={"../evil.txt": "x"})
    assert lib.review_branches() == []


def test_saving_a_skill_cannot_leave_the_skills_folder(tmp_path: Path) -> None:
    root = tmp_path / "skills"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "linked").symlink_to(tmp_path / "elsewhere")
    for skill in (
        Skill("../escape", "d"),
        Skill("/etc/skill", "d"),
        Skill("linked", "d"),
        Skill("fine", "d", files={"../../x.md": "x"}),
    ):
        with pytest.raises(SkillforgeError):
            save(root, skill)
    assert not (tmp_path / "escape").exists() and list((tmp_path / "elsewhere").iterdir()) == []
    assert not (tmp_path / "x.md").exists()


def test_input_symlinks_out_of_the_root_are_not_followed(distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = "ghp_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"
    outside = write_logs(
        tmp_path / "private",
        "interchange",
        [b.Run("private-1", f"deploy with {secret}", [b.call("deploy"), b.result("SECRETSTEP " + secret)])],
    )
    logs = write_logs(tmp_path / "logs", "interchange", standard_runs())
    (logs / "linked-file.jsonl").symlink_to(outside / "private-1.jsonl")
    (logs / "linked-dir").symlink_to(outside)
    outcome = distill(logs, "anthropic", Parrot(marker="SECRETSTEP"))
    assert outcome.code == 0 and outcome.report["trajectories"] == 3
    assert outcome.leaks(secret) == [] and not any("SECRETSTEP" in p for p in outcome.payloads)


def test_symlink_loops_in_input_folders_end(tmp_path: Path) -> None:
    from skillforge.ingest import discover

    logs = write_logs(tmp_path / "logs", "interchange", standard_runs(n=1))
    for sub in ("a", "b", "c"):
        (logs / sub).mkdir()
        (logs / sub / "up").symlink_to("..")
    found = list(discover([logs]))
    assert [p.name for p in found] == ["ledgerkit-100.jsonl"]


def test_huge_tool_output_is_cut_before_it_reaches_the_model(distill, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = "HUGEOUT " + "x1 y2 z3 " * 400_000  # 3.6 MB of output
    logs = write_logs(
        tmp_path / "logs", "claude-code", standard_runs(lambda i: [b.call("cat big.log"), b.result(big)])
    )
    outcome = distill(logs, "openai", Parrot(marker="HUGEOUT"))
    assert outcome.code == 0 and outcome.payloads
    assert max(len(p) for p in outcome.payloads) < 200_000


def test_library_symlinks_out_are_never_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    private = tmp_path / "private"
    (private / "notes").mkdir(parents=True)
    text = skill_md(
        "name: notes\ndescription: Deploy notes. Use when deploying the payments service.\n",
        "# Deploy\n\nPRIVATE-NOTE the staging admin console is at 10.1.2.3\n",
    )
    (private / "notes" / "SKILL.md").write_text(text)
    (private / "SKILL.md").write_text(text.replace("name: notes", "name: linked-file"))
    lib = make_library(tmp_path, {})
    (lib / "skills" / "notes").symlink_to(private / "notes")
    (lib / "skills" / "linked-file").mkdir()
    os.symlink(private / "SKILL.md", lib / "skills" / "linked-file" / "SKILL.md")
    for folder in (lib / "skills" / "notes", lib / "skills" / "linked-file"):
        with pytest.raises(DocumentError, match="symlink out"):
            load(folder)
    res = cli("route", "deploy the payments service", "--library", str(lib), "--json")
    assert "PRIVATE-NOTE" not in res.out and "10.1.2.3" not in res.out
