"""``skillforge validate`` on the command line: formats, --strict, exit codes, pre-commit paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

GOOD = Path(__file__).parent / "fixtures" / "skills" / "good"


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    shutil.copytree(GOOD, tmp_path / "lib")
    return tmp_path / "lib"


def break_name(lib: Path) -> Path:
    path = lib / "skills" / "git-bisect" / "SKILL.md"
    path.write_text(path.read_text().replace("name: git-bisect", "name: Git_Bisect"))
    return path


def add_orphan(lib: Path) -> None:
    (lib / "skills" / "git-bisect" / "unused.md").write_text("# orphan\n")


def test_clean_library_exits_zero(cli, lib: Path) -> None:
    result = cli("validate", lib)
    assert result.code == 0
    assert result.out == ""
    assert "4 skills, 0 errors, 0 warnings" in result.err


def test_text_format_names_file_line_rule_and_fix(cli, lib: Path) -> None:
    path = break_name(lib)
    result = cli("validate", lib)
    assert result.code == 4
    assert f"{path}:2: error SF102 name-format:" in result.out
    assert "    fix: use lowercase ASCII letters" in result.out


def test_json_format(cli, lib: Path) -> None:
    break_name(lib)
    result = cli("validate", lib, "--format", "json")
    data = json.loads(result.out)
    assert result.code == 4 and data["ok"] is False and data["skills"] == 4
    rules = {f["rule"] for f in data["findings"]}
    assert {"SF102", "SF104"} <= rules
    assert set(data["findings"][0]) == {"file", "line", "rule", "name", "severity", "message", "fix"}


def test_github_format(cli, lib: Path) -> None:
    path = break_name(lib)
    add_orphan(lib)
    result = cli("validate", lib, "--format", "github")
    lines = result.out.splitlines()
    assert f"::error file={path},line=2,title=SF102 name-format::" in "\n".join(lines)
    assert any(line.startswith("::warning file=") and "title=SF220 orphan-file" in line for line in lines)


def test_github_format_escapes_properties() -> None:
    from skillforge.cli.validate import github_line
    from skillforge.skills.rules.base import Finding

    line = github_line(Finding("a,b:c.md", 3, "SF102", "error", "100% bad\nreally", "fix it", "name-format"))
    assert (
        line == "::error file=a%2Cb%3Ac.md,line=3,title=SF102 name-format::100%25 bad%0Areally (fix: fix it)"
    )


def test_strict_turns_warnings_into_failure(cli, lib: Path) -> None:
    add_orphan(lib)
    assert cli("validate", lib).code == 0
    assert cli("validate", lib, "--strict").code == 4


def test_pre_commit_passes_skill_md_files(cli, lib: Path) -> None:
    skills = lib / "skills"
    result = cli("validate", skills / "git-bisect" / "SKILL.md", skills / "python-testing" / "SKILL.md")
    assert result.code == 0 and "2 skills" in result.err
    break_name(lib)
    assert cli("validate", skills / "git-bisect" / "SKILL.md").code == 4


def test_bad_path_and_bad_format_are_one_line_errors(cli, lib: Path) -> None:
    result = cli("validate", lib / "missing")
    err = " ".join(result.err.split())  # rich wraps stderr at the terminal width
    assert result.code == 1 and "missing: no such file or folder" in err and "Traceback" not in err
    result = cli("validate", lib, "--format", "xml")
    assert result.code == 2 and "unknown --format" in " ".join(result.err.split())


def test_allow_host_option(cli, lib: Path) -> None:
    path = lib / "skills" / "git-bisect" / "SKILL.md"
    path.write_text(path.read_text() + "\nFetch: curl -O https://wiki.corp-example.net/bisect\n")
    assert cli("validate", lib, "--strict").code == 4
    assert cli("validate", lib, "--strict", "--allow-host", "wiki.corp-example.net").code == 0


def test_allowed_hosts_setting(cli, lib: Path, monkeypatch) -> None:
    path = lib / "skills" / "git-bisect" / "SKILL.md"
    path.write_text(path.read_text() + "\nFetch: curl -O https://wiki.corp-example.net/bisect\n")
    monkeypatch.setenv("SKILLFORGE_ALLOWED_HOSTS", "intranet.test, corp-example.net")
    assert cli("validate", lib, "--strict").code == 0


def test_folder_without_skills_warns(cli, tmp_path: Path) -> None:
    result = cli("validate", tmp_path)
    assert result.code == 0 and "no skills found" in " ".join(result.err.split())


def test_folder_without_skills_is_said_to_machines_too(cli, tmp_path: Path) -> None:
    """A CI job pointed at the wrong folder passes (a fresh library has no skill): the JSON says so in
    its notes, and the GitHub format writes an annotation the run's summary shows."""
    data = json.loads(cli("validate", tmp_path, "--format", "json").out)
    assert data["skills"] == 0 and data["ok"] and "no skills found" in data["notes"][0]
    github = cli("validate", tmp_path, "--format", "github")
    assert github.code == 0
    assert any(
        line.startswith("::warning ") and "no skills found" in line for line in github.out.splitlines()
    )


def test_notes_only_when_no_skill(cli, lib: Path) -> None:
    data = json.loads(cli("validate", lib, "--format", "json").out)
    assert data["skills"] > 0 and "notes" not in data
