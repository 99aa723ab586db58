"""The package's shared foundation: errors at the boundary, config precedence, model round-trips,
SKILL.md documents, atomic and contained writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge.config import Settings
from skillforge.errors import ConfigError, SkillforgeError
from skillforge.fsutil import atomic_write, safe_join
from skillforge.model import Outcome, Role, SourceLocation, Step, StepKind, Trajectory, Trust
from skillforge.skills import document


def test_version_and_help(cli):
    result = cli("--version")
    assert result.code == 0 and result.out.startswith("skillforge ")
    assert "ingest" in cli("--help").out


def test_user_error_is_one_line_without_traceback(cli, tmp_path):
    result = cli("ingest", str(tmp_path / "missing.jsonl"))
    assert result.code == 1
    assert "skillforge: error:" in result.err and "missing.jsonl" in result.err
    assert "Traceback" not in result.err


def test_config_precedence_and_sources(tmp_path, monkeypatch):
    (tmp_path / "skillforge.toml").write_text("workers = 3\nmin_support = 5\n")
    monkeypatch.setenv("SKILLFORGE_MIN_SUPPORT", "4")
    s = Settings.load({"library": str(tmp_path), "route_k": 7}, tmp_path)
    sources = {r.key: r.source for r in s.explain()}
    assert (s.route_k, sources["route_k"]) == (7, "option")
    assert (s.min_support, sources["min_support"]) == (4, "env SKILLFORGE_MIN_SUPPORT")
    assert s.workers == 3 and sources["workers"].endswith("skillforge.toml")
    assert sources["timeout"] == "default"


def test_bad_config_value_names_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLFORGE_WORKERS", "many")
    with pytest.raises(SkillforgeError, match="SKILLFORGE_WORKERS"):
        Settings.load({}, tmp_path)


def test_bad_option_value_names_the_option(cli, tmp_path):
    # was "setting 'max_cost' from option must be 0 or more, got -1.0" with the hint "fix option"
    result = cli("distill", str(tmp_path), "--library", str(tmp_path), "--max-cost", "-1", "--dry-run")
    assert result.code == 2 and "Traceback" not in result.err
    assert "--max-cost must be 0 or more, got -1" in result.err and "hint: fix --max-cost" in result.err


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_templates_option_that_is_no_folder_is_an_error(cli, tmp_path, kind):
    # was silently ignored: the built-in templates were used, the library created and committed
    given = tmp_path / ("nonexistent" if kind == "missing" else "bin.jsonl")
    if kind == "file":
        given.write_text("{}\n")
    lib = tmp_path / "lib"
    result = cli("distill", str(tmp_path), "--library", str(lib), "--init", "--templates", str(given))
    what = "no such folder" if kind == "missing" else "a file, not a folder"
    assert result.code == 2 and "Traceback" not in result.err
    assert f"--templates {given}: {what}" in result.err and "hint: fix --templates" in result.err
    assert not lib.exists()


@pytest.mark.parametrize("where", ["env", "user config", "trusted library config"])
def test_a_templates_setting_that_is_no_folder_names_its_source(tmp_path, monkeypatch, where):
    home, lib = tmp_path / "home", tmp_path / "lib"
    home.mkdir(), lib.mkdir()
    monkeypatch.setenv("SKILLFORGE_HOME", str(home))
    missing = tmp_path / "tpl-typo"
    source = {
        "env": "SKILLFORGE_TEMPLATES",
        "user config": str(home / "config.toml"),
        "trusted library config": str(lib / "skillforge.toml"),
    }[where]
    if where == "env":
        monkeypatch.setenv("SKILLFORGE_TEMPLATES", str(missing))
    else:
        Path(source).write_text(f'templates = "{missing}"\n')
    overrides = {"trust_library_config": True} if where.startswith("trusted") else {}
    settings = Settings.load(overrides, lib)  # loading is fine: most commands render no template
    with pytest.raises(ConfigError) as caught:
        settings.require_templates()  # distill, init, prune and route --rerank do
    assert caught.value.message == f"setting 'templates' from {source}: {missing}: no such folder"
    assert caught.value.hint is not None and caught.value.hint.startswith(f"fix {source}:")
    missing.mkdir()  # the folder made: the same setting is taken
    Settings.load(overrides, lib).require_templates()
    assert Settings.load(overrides, lib).templates == str(missing)


def test_a_missing_templates_folder_stops_no_command_that_renders_none(cli, tmp_path, monkeypatch):
    """A review found route, validate, scan, config, serve and the hook stopped by it (the hook then
    injected nothing, silently): only the commands that render templates check the folder."""
    monkeypatch.setenv("SKILLFORGE_TEMPLATES", str(tmp_path / "nope"))
    skill = tmp_path / "lib" / "skills" / "run-tests"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: run-tests\ndescription: Run the tests. Use when testing.\n---\nx\n"
    )
    assert cli("validate", str(tmp_path / "lib")).code == 0
    assert cli("config", "--library", str(tmp_path / "lib")).code == 0
    assert cli("route", "run the tests", "--library", str(tmp_path / "lib")).code == 0
    assert cli("init", str(tmp_path / "new")).code == 2


def test_trajectory_round_trip():
    step = Step(
        0,
        Role.ASSISTANT,
        StepKind.TOOL_CALL,
        text="ls",
        tool_name="bash",
        input={"cmd": "ls"},
        call_id="c1",
        pair=1,
        source=SourceLocation("a.jsonl", line=3),
    )
    result = Step(
        1,
        Role.TOOL,
        StepKind.TOOL_RESULT,
        text="boom",
        is_error=True,
        exit_code=2,
        trust=Trust.TOOL_OUTPUT,
        call_id="c1",
        pair=0,
    )
    traj = Trajectory(
        id="x",
        source="a.jsonl",
        format="f",
        agent="a",
        steps=[step, result],
        outcome=Outcome.FAILURE,
        outcome_source="log",
    )
    back = Trajectory.from_dict(traj.to_dict())
    assert back == traj
    assert back.steps[1].output == "boom" and back.steps[0].output is None
    assert str(back.steps[0].source) == "a.jsonl:3"


SKILL_TEXT = """---
name: run-django-tests
description: Run the Django test suite with the project's runner. Use when tests must be run in django.
metadata:
  skillforge-id: abc
  skillforge-level: functional
---

# Run Django tests

Use `./tests/runtests.py`.
"""


def test_skill_document_round_trips_exactly():
    skill = document.parse(SKILL_TEXT)
    assert skill.name == "run-django-tests" and skill.meta("level") == "functional"
    assert document.render(skill) == SKILL_TEXT


@pytest.mark.parametrize(
    "front, fragment",
    [
        ("a: &x [1]\nb: *x", "anchor"),
        ("name: !!python/object:os.system x", "tag"),
        ("name: [unclosed", "not valid YAML"),
    ],
)
def test_unsafe_or_broken_front_matter_is_refused(front, fragment):
    with pytest.raises(document.DocumentError, match=fragment):
        document.parse(f"---\n{front}\n---\nbody\n")


def test_save_refuses_names_that_leave_the_library(tmp_path):
    from skillforge.model import Skill

    with pytest.raises(SkillforgeError):
        document.save(tmp_path, Skill(name="../evil", description="x"))
    with pytest.raises(SkillforgeError):
        safe_join(tmp_path, "/etc/passwd")
    (tmp_path / "link").symlink_to("/")
    with pytest.raises(SkillforgeError):
        safe_join(tmp_path, "link/etc")


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "d" / "f.txt"
    atomic_write(target, "one")
    atomic_write(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_atomic_write_keeps_mode_of_existing_files_and_honours_umask(tmp_path):
    import os

    new = tmp_path / "new.txt"
    old_umask = os.umask(0o022)
    try:
        atomic_write(new, "x")
    finally:
        os.umask(old_umask)
    assert new.stat().st_mode & 0o777 == 0o644
    script = tmp_path / "run.sh"
    script.write_text("old")
    script.chmod(0o755)
    atomic_write(script, "new")
    assert script.stat().st_mode & 0o777 == 0o755


def test_redaction_reaches_trajectory_metadata():
    from skillforge.safety.trajectory_redaction import redact_trajectory

    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    traj = Trajectory(
        id="t",
        source="s",
        format="f",
        agent="a",
        metadata={"submission": f"+aws_key = '{key}'", "nested": [{"x": key}], "n": 3},
    )
    counts = redact_trajectory(traj)
    assert key not in repr(traj.metadata) and counts["aws-access-key"] == 2
    assert traj.metadata["n"] == 3
