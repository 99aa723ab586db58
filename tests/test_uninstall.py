"""``skillforge install --uninstall`` leaves every agent's settings byte for byte as they were before
install (with or without ``--library``, with or without the user's own settings), and a second
install says "already installed" and writes nothing."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from skillforge import config
from skillforge.integrations.install import AGENTS

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"

# The user's own settings for every agent, in layouts a plain JSON rewrite would not reproduce
# (four-space indent, one line, no final newline), with empty containers that are theirs to keep.
USER_FILES = {
    ".claude/settings.json": json.dumps(
        {
            "permissions": {"allow": ["Bash(npm test)"]},
            "hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "my-own-hook"}]}]},
        },
        indent=4,
    ),
    ".mcp.json": '{"mcpServers":{"docs":{"command":"docs-mcp","args":[]}}}',
    ".codex/hooks.json": '{\n\t"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify"}]}]}\n}\n',
    ".codex/config.toml": '# my codex config\nmodel = "gpt-5-codex"\n\n[mcp_servers.docs]\ncommand = "docs-mcp"',
    ".gemini/settings.json": '{\n  "theme": "Dracula",\n  "hooks": {\n    "BeforeAgent": []\n  }\n}\n',
    ".cursor/mcp.json": '{"mcpServers": {}}\n',
    ".cursor/rules/mine.mdc": "---\nalwaysApply: true\n---\nUse tabs.\n",
    ".clinerules/hooks/PreToolUse": "#!/bin/sh\necho '{\"cancel\": false}'\n",
    ".claude/skills/my-skill/SKILL.md": "---\nname: my-skill\ndescription: Mine.\n---\nBody.\n",
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def add_user_files(root: Path) -> None:
    for name, text in USER_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".agents").mkdir()  # an empty folder of the user's
    (root / ".cursor" / "rules" / "old.mdc").symlink_to(root / ".cursor" / "rules" / "mine.mdc")


def tree(root: Path, *, times: bool = False) -> dict[str, object]:
    """Every entry under ``root``: bytes of files (and mtimes), link targets, folders, modes."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = ("dir", path.stat().st_mode)
        else:
            stat = path.stat()
            found[name] = ("file", path.read_bytes(), stat.st_mode, stat.st_mtime_ns if times else 0)
    return found


def run(cli, *args: str) -> dict[str, object]:
    result = cli("install", *args, "--json")
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


@pytest.mark.parametrize("with_library", [True, False], ids=["with-library", "without-library"])
@pytest.mark.parametrize("user_files", [True, False], ids=["user-settings", "fresh"])
@pytest.mark.parametrize("agent", AGENTS)
def test_uninstall_leaves_the_tree_as_it_was(
    cli, library: Path, project: Path, agent: str, user_files: bool, with_library: bool
) -> None:
    if user_files:
        add_user_files(project)
    before = tree(project)
    installed = run(cli, agent, "--library", str(library))
    assert installed["status"] == "installed"
    assert tree(project) != before
    extra = ["--library", str(library)] if with_library else []
    removed = run(cli, agent, "--uninstall", *extra)
    assert removed["status"] == "uninstalled"
    assert tree(project) == before
    assert run(cli, agent, "--uninstall", *extra)["status"] == "not_installed"


@pytest.mark.parametrize("agent", ["claude", "cline"])
def test_user_scope_uninstall_leaves_home_as_it_was(
    cli, library: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agent: str
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)  # the user's own, kept although empty
    (home / ".claude.json").write_text('{"numStartups": 3, "mcpServers": {}}')
    monkeypatch.setenv("HOME", str(home))
    before = tree(home)
    run(cli, agent, "--user", "--library", str(library))
    assert tree(home) != before
    assert run(cli, agent, "--user", "--uninstall")["status"] == "uninstalled"
    assert tree(home) == before


@pytest.mark.parametrize("agent", AGENTS)
def test_uninstall_without_a_record_still_removes_everything(
    cli, library: Path, project: Path, agent: str
) -> None:
    """The record of what install created is gone (an older version's uninstall deleted it, or another
    SKILLFORGE_HOME): skillforge's entries are found by shape and what held only them goes too."""
    run(cli, agent, "--library", str(library))
    shutil.rmtree(config.home() / "installs")
    assert run(cli, agent, "--uninstall")["status"] == "uninstalled"
    assert tree(project) == {}


def test_entries_of_an_older_version_are_updated_then_removed(cli, library: Path, project: Path) -> None:
    """Older versions wrote a bare ``skillforge``; install updates those entries in place (no
    duplicate) and uninstall removes them."""
    old_hook = {
        "hooks": [
            {
                "type": "command",
                "command": f"skillforge route --hook claude --library {library}",
                "timeout": 10,
            }
        ]
    }
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [old_hook]}}))
    (project / ".mcp.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "skillforge": {"command": "skillforge", "args": ["serve", "--library", "/old/lib"]}
                }
            }
        )
    )
    assert run(cli, "claude", "--library", str(library))["status"] == "installed"
    submit = json.loads(settings.read_text())["hooks"]["UserPromptSubmit"]
    assert len(submit) == 1 and shlex.split(submit[0]["hooks"][0]["command"])[0].startswith("/")
    assert json.loads((project / ".mcp.json").read_text())["mcpServers"]["skillforge"]["command"].startswith(
        "/"
    )
    shutil.rmtree(config.home() / "installs")
    assert run(cli, "claude", "--uninstall")["status"] == "uninstalled"
    assert tree(project) == {}  # without a record, the files that held only skillforge's entries go


@pytest.mark.parametrize("agent", AGENTS)
def test_second_install_says_already_installed_and_writes_nothing(
    cli, library: Path, project: Path, agent: str
) -> None:
    add_user_files(project)
    assert run(cli, agent, "--library", str(library))["status"] == "installed"
    first = tree(project, times=True)
    state = tree(config.home(), times=True)
    again = run(cli, agent, "--library", str(library))
    assert again["status"] == "already_installed"  # it says again which skills it does not link
    assert {(a["action"], Path(a["path"]).name) for a in again["actions"]} == {
        ("skip", "leaky-secret-skill"),
        ("skip", "sneaky-deploy"),
    }
    assert tree(project, times=True) == first
    assert tree(config.home(), times=True) == state
    text = cli("install", agent, "--library", str(library))
    assert text.code == 0 and f"already installed for {agent}" in text.err and text.out == ""


def test_a_file_edited_after_install_keeps_the_edit(cli, library: Path, project: Path) -> None:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"model":"opus"}')
    run(cli, "claude", "--library", str(library))
    data = json.loads(settings.read_text())
    data["permissions"] = {"allow": ["Bash(ls)"]}
    settings.write_text(json.dumps(data, indent=2) + "\n")
    run(cli, "claude", "--uninstall")
    assert json.loads(settings.read_text()) == {"model": "opus", "permissions": {"allow": ["Bash(ls)"]}}


def install_like_older_versions(library: Path, project: Path) -> None:
    """What ``install claude`` wrote before absolute paths: bare ``skillforge`` entries, a record
    without links, and the skill links."""
    from skillforge.integrations.install import _state_file

    hook = {
        "hooks": [
            {
                "type": "command",
                "command": f"skillforge route --hook claude --library {library}",
                "timeout": 10,
            }
        ]
    }
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text(
        json.dumps({"hooks": {"UserPromptSubmit": [hook]}}, indent=2)
    )
    server = {"command": "skillforge", "args": ["serve", "--library", str(library)]}
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": {"skillforge": server}}, indent=2) + "\n")
    dirs = []
    for folder in (project / ".claude" / "skills", project / ".agents" / "skills"):
        folder.mkdir(parents=True, exist_ok=True)
        dirs.append(str(folder))
        for skill in sorted((library / "skills").iterdir()):
            (folder / skill.name).symlink_to(skill.resolve(), target_is_directory=True)
    state = {
        "dirs": [str(project / ".claude"), *dirs, str(project / ".agents")],
        "json": {
            str(project / ".claude" / "settings.json"): {
                "created_file": True,
                "created": [["hooks"], ["hooks", "UserPromptSubmit"]],
            },
            str(project / ".mcp.json"): {
                "created_file": True,
                "created": [["mcpServers"], ["mcpServers", "skillforge"]],
            },
        },
    }
    path = _state_file("claude", project.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state))


@pytest.mark.parametrize("upgrade", [False, True], ids=["uninstall", "install-then-uninstall"])
def test_an_older_versions_install_is_removed_without_library(
    cli, library: Path, project: Path, upgrade: bool
) -> None:
    install_like_older_versions(library, project)
    if upgrade:
        assert run(cli, "claude", "--library", str(library))["status"] == "installed"  # entries updated
        assert run(cli, "claude", "--library", str(library))["status"] == "already_installed"
    assert run(cli, "claude", "--uninstall")["status"] == "uninstalled"
    assert tree(project) == {}


HAND_WRITTEN = {
    ".mcp.json": {
        "mcpServers": {
            "skillforge": {"command": "skillforge", "args": ["serve", "--library", "/home/me/team"]},
            "other": {"command": "x"},
        }
    },
    ".claude/settings.json": {
        "hooks": {
            "UserPromptSubmit": [
                {
                    "hooks": [
                        {"type": "command", "command": "skillforge route --hook claude --library /home/me/t"}
                    ]
                },
                {"hooks": [{"type": "command", "command": "my-own-hook"}]},
            ]
        }
    },
}


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_a_hand_written_skillforge_entry_is_put_back_by_uninstall(
    cli, tmp_path: Path, monkeypatch, name: str
) -> None:  # type: ignore[no-untyped-def]
    """An entry shaped like skillforge's that no install recorded may be the user's own: install
    replaces it (the hook and the MCP server then name the same library) and says so, and uninstall
    puts it back exactly, in its place and with its keys in their order (the record sorted them, and
    the entry came back last among the servers)."""
    library = tmp_path / "lib"
    shutil.copytree(Path(__file__).parent / "fixtures" / "route" / "library", library)
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    original = json.dumps(HAND_WRITTEN[name], indent=2) + "\n"
    (project / name).write_text(original)
    monkeypatch.chdir(project)
    actions = run(cli, "claude", "--library", str(library))["actions"]
    replaced = [a["path"] for a in actions if a["action"] == "merge" and a["detail"].startswith("replaced ")]
    assert replaced == [str(project / name)]
    assert str(library) in (project / name).read_text()
    assert run(cli, "claude", "--uninstall")["status"] == "uninstalled"
    assert (project / name).read_text() == original


def test_a_hand_written_gemini_server_is_put_back_though_its_hook_shares_the_file(
    cli, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Gemini's hook and MCP server live in one settings file: the hook's edit recorded the file, so
    the server's edit took the user's own server for one an install had written, and uninstall
    deleted it (review of this stop)."""
    library = tmp_path / "lib"
    shutil.copytree(Path(__file__).parent / "fixtures" / "route" / "library", library)
    project = tmp_path / "project"
    (project / ".gemini").mkdir(parents=True)
    server = {"command": "/opt/skillforge", "args": ["serve", "--library", "/home/me/t"], "env": {"A": "1"}}
    original = json.dumps({"theme": "dark", "mcpServers": {"skillforge": server}}, indent=2) + "\n"
    (project / ".gemini" / "settings.json").write_text(original)
    monkeypatch.chdir(project)
    actions = run(cli, "gemini", "--library", str(library))["actions"]
    assert any(a["detail"].startswith("replaced mcpServers.skillforge") for a in actions), actions
    assert run(cli, "gemini", "--uninstall")["status"] == "uninstalled"
    assert (project / ".gemini" / "settings.json").read_text() == original


@pytest.mark.parametrize("last", ["cline", "claude"])
def test_agents_sharing_folders_leave_nothing_once_all_are_uninstalled(
    cli, library: Path, project: Path, last: str
) -> None:
    """cline's install creates .claude/ (for the skill links), claude's then writes settings.json into
    it: whichever is uninstalled last found .claude/ empty but not created by its own install, and
    left it behind."""
    run(cli, "cline", "--library", str(library))
    run(cli, "claude", "--library", str(library))
    first = "claude" if last == "cline" else "cline"
    assert run(cli, first, "--uninstall")["status"] == "uninstalled"
    assert (project / ".claude").is_dir()  # the other agent's install still uses it
    assert run(cli, last, "--uninstall")["status"] == "uninstalled"
    assert tree(project) == {}


def test_a_project_install_says_which_files_git_would_commit_with_this_machines_paths(
    cli, library: Path, project: Path
) -> None:
    """The hook and MCP entries name this machine's skillforge and library; committed, a teammate's
    clone runs a command it does not have on every prompt. Install says which files git would commit."""
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text(".agents/\n")
    notes = run(cli, "claude", "--library", str(library))["notes"]
    assert len(notes) == 1 and notes[0].startswith(".claude/settings.json, .mcp.json, .claude/skills name")
    assert ".agents" not in notes[0] and "install with --user" in notes[0]
    text = cli("install", "claude", "--uninstall")
    assert text.code == 0 and "this machine's paths" not in text.err
    (project / ".gitignore").write_text(".agents/\n.claude/\n.mcp.json\n")
    assert run(cli, "claude", "--library", str(library))["notes"] == []
    cli("install", "claude", "--uninstall")
    (project / ".mcp.json").write_text("{}\n")  # committed once, ignored later: git still commits it
    subprocess.run(["git", "-C", str(project), "add", "-f", ".mcp.json"], check=True)
    notes = run(cli, "claude", "--library", str(library))["notes"]
    assert len(notes) == 1 and notes[0].startswith(".mcp.json name")


def test_a_project_install_outside_git_has_no_note(cli, library: Path, project: Path) -> None:
    assert run(cli, "claude", "--library", str(library))["notes"] == []
