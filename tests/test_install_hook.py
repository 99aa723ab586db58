"""The hook that ``skillforge install`` writes runs from an agent whose PATH lacks the virtual
environment: it names the running skillforge by its absolute path (quoted when the path has spaces),
or ``python -m skillforge`` with the running interpreter when there is no console script."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillforge.integrations.entries import hook_command, skillforge_argv
from skillforge.integrations.install import install

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"
PROMPT = "I rebased onto main and lost two commits, get them back"
SCRIPT = Path(sys.executable).parent / "skillforge"
BARE_PATH = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if Path(p).is_dir())

needs_script = pytest.mark.skipif(not SCRIPT.is_file(), reason="no skillforge console script beside python")
needs_posix = pytest.mark.skipif(os.name != "posix", reason="hooks run through a POSIX shell")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def agent_env() -> dict[str, str]:
    """An agent's environment: no virtual environment on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = BARE_PATH
    return env


def run_hook(command: str, agent: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    name = "BeforeAgent" if agent == "gemini" else "UserPromptSubmit"
    event = json.dumps({"session_id": "s1", "cwd": str(cwd), "hook_event_name": name, "prompt": PROMPT})
    return subprocess.run(
        ["/bin/sh", "-c", command],
        input=event,
        capture_output=True,
        text=True,
        env=agent_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )


def installed_hook(project: Path, agent: str) -> str:
    path = {
        "claude": ".claude/settings.json",
        "codex": ".codex/hooks.json",
        "gemini": ".gemini/settings.json",
    }
    data = json.loads((project / path[agent]).read_text())
    event = "BeforeAgent" if agent == "gemini" else "UserPromptSubmit"
    command: str = data["hooks"][event][-1]["hooks"][0]["command"]
    return command


def assert_answers(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    context = json.loads(result.stdout)["hookSpecificOutput"]["additionalContext"]
    assert "git-rebase-recovery" in context


def test_the_bare_command_of_older_versions_fails_without_the_venv(library: Path, project: Path) -> None:
    """The premise: without the venv on PATH, ``skillforge`` is not found (exit 127)."""
    assert shutil.which("skillforge", path=BARE_PATH) is None
    result = run_hook(f"skillforge route --hook claude --library {library}", "claude", project)
    assert result.returncode == 127


@needs_posix
@needs_script
@pytest.mark.parametrize("agent", ["claude", "codex", "gemini"])
def test_hook_written_by_the_console_script_runs_without_the_venv(
    library: Path, project: Path, agent: str
) -> None:
    done = subprocess.run(
        [str(SCRIPT), "install", agent, "--library", str(library)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    command = installed_hook(project, agent)
    assert shlex.split(command)[:4] == [str(SCRIPT), "route", "--hook", agent]  # quoted, whatever the path
    assert_answers(run_hook(command, agent, project))


@needs_posix
@needs_script
def test_console_script_in_a_folder_with_spaces_is_quoted(
    library: Path, project: Path, tmp_path: Path
) -> None:
    spaced = tmp_path / "my tools" / "skillforge"
    spaced.parent.mkdir()
    spaced.symlink_to(SCRIPT)
    done = subprocess.run(
        [str(spaced), "install", "cline", "--library", str(library)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    script = project / ".clinerules" / "hooks" / "UserPromptSubmit"
    assert f"exec '{spaced}' route --hook cline" in script.read_text()
    event = json.dumps(
        {
            "hookName": "UserPromptSubmit",
            "workspaceRoots": [str(project)],
            "userPromptSubmit": {"prompt": PROMPT, "attachments": []},
        }
    )
    result = subprocess.run(
        [str(script)],
        input=event,
        capture_output=True,
        text=True,
        env=agent_env(),
        cwd=project,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "git-rebase-recovery" in json.loads(result.stdout)["contextModification"]


@needs_posix
def test_without_a_console_script_the_hook_runs_python_m_skillforge(
    library: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["/somewhere/else/pytest"])
    assert skillforge_argv() == [os.path.abspath(sys.executable), "-m", "skillforge"]
    install("claude", library, project)
    command = installed_hook(project, "claude")
    assert command == hook_command("claude", library)
    assert_answers(run_hook(command, "claude", project))


def test_a_bare_argv0_is_found_on_path_and_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "bin" / "skillforge"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "argv", ["skillforge", "install", "claude"])
    assert skillforge_argv() == [str(script)]
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "gone" / "skillforge")])  # no such script
    assert skillforge_argv() == [os.path.abspath(sys.executable), "-m", "skillforge"]


def test_hook_command_quotes_what_the_shell_would_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/usr/bin/true"])
    monkeypatch.setattr(sys, "executable", "/opt/my python/bin/python3")
    command = hook_command("claude", Path("/srv/team skills"))
    assert (
        command
        == "'/opt/my python/bin/python3' -m skillforge route --hook claude --library '/srv/team skills'"
    )
