"""A committed symbolic link at ``skills/``, ``.skillforge/`` or ``.github/`` (or a skill folder) is refused
by every command that reads, serves or writes a library: route, the hook, the Router behind MCP, and
distill, so a library cannot redirect skillforge's reads or writes outside itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from skillforge.errors import SkillforgeError
from skillforge.route import Router
from tests.attack.conftest import standard_runs, write_logs

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"
SECRET_SKILL = "# Deploy\n\nPRIVATE-NOTE: the staging admin console is at 10.1.2.3\n"


def outside_skills(tmp_path: Path) -> Path:
    """A folder outside the library holding one skill that must never be served."""
    folder = tmp_path / "outside" / "skills" / "git-rebase-private"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(
        "---\nname: git-rebase-private\ndescription: Use when a rebase lost commits and you need them back.\n"
        f"---\n{SECRET_SKILL}"
    )
    return folder.parent


@pytest.fixture
def linked_library(tmp_path: Path) -> Path:
    """A library whose ``skills/`` is a committed symlink to a folder outside it."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "skills").symlink_to(outside_skills(tmp_path), target_is_directory=True)
    return lib


def test_router_refuses_a_symlinked_skills_folder(linked_library: Path) -> None:
    with pytest.raises(SkillforgeError, match="symbolic link"):
        Router(linked_library)


@pytest.mark.parametrize("name", [".skillforge", ".github"])
def test_router_refuses_symlinked_state_folders(tmp_path: Path, name: str) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(lib / name, ignore_errors=True)
    (lib / name).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(SkillforgeError, match=name):
        Router(lib)
    assert list(elsewhere.iterdir()) == []  # nothing was written through the link


def test_route_cli_names_the_link_in_one_line(cli, linked_library: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("route", "get my lost rebase commits back", "--library", str(linked_library), "--json")
    assert res.code != 0
    assert "PRIVATE-NOTE" not in res.out + res.err
    assert "symbolic link" in res.err and "Traceback" not in res.err


def test_hook_fails_open_on_a_symlinked_library(cli, linked_library: Path) -> None:  # type: ignore[no-untyped-def]
    event = json.dumps(
        {"session_id": "s", "cwd": "/tmp", "hook_event_name": "UserPromptSubmit"} | {"prompt": "x"}
    )
    event = event.replace('"x"', '"a rebase lost my commits, get them back"')
    res = cli("route", "--hook", "claude", "--library", str(linked_library), stdin=event)
    assert res.code == 0
    assert "PRIVATE-NOTE" not in res.out and "git-rebase-private" not in res.out


def test_symlinked_skill_folder_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    (lib / "skills" / "git-rebase-private").symlink_to(
        outside_skills(tmp_path) / "git-rebase-private", target_is_directory=True
    )
    with pytest.raises(SkillforgeError, match="skills/git-rebase-private"):
        Router(lib)


def test_distill_refuses_a_library_whose_state_folder_is_a_link(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = write_logs(tmp_path / "logs", "claude-code", standard_runs())
    lib = tmp_path / "lib"
    assert cli("distill", str(logs), "--library", str(lib), "--init", "--provider", "offline").code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(lib / ".skillforge", ignore_errors=True)
    (lib / ".skillforge").symlink_to(elsewhere, target_is_directory=True)
    more = write_logs(
        tmp_path / "more", "claude-code", standard_runs(n=2, task="Fix the CSV import in ledgerkit")
    )
    res = cli("distill", str(more), "--library", str(lib), "--provider", "offline")
    assert res.code != 0 and ".skillforge" in res.err and "symbolic link" in res.err
    assert list(elsewhere.iterdir()) == []
