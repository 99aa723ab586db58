"""Where agents keep their logs on each OS: the folders and files ``--from <agent>`` reads, honouring
each agent's environment variable; a location that does not exist is a one-line input error.

Most agents keep one folder (``DEFAULT_FOLDERS``). Cursor keeps two places: the agent transcripts in
``~/.cursor/projects/<slug>/agent-transcripts/`` and the IDE's ``state.vscdb`` in its per-OS user data
folder (Linux ``$XDG_CONFIG_HOME/Cursor`` or ``~/.config/Cursor``, macOS ``~/Library/Application
Support/Cursor``, Windows ``%APPDATA%\\Cursor``, each then ``User/globalStorage/state.vscdb``); either
is enough.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from skillforge.errors import InputError, UsageError

DEFAULT_FOLDERS = {
    "claude": ("CLAUDE_CONFIG_DIR", "~/.claude", "projects"),
    "codex": ("CODEX_HOME", "~/.codex", "sessions"),
    "gemini": ("GEMINI_CLI_HOME", "~", ".gemini/tmp"),  # the variable names the folder holding .gemini
    "copilot": ("COPILOT_HOME", "~/.copilot", "session-state"),
    "opencode": ("XDG_DATA_HOME", "~/.local/share", "opencode"),
}
AGENTS = (*DEFAULT_FOLDERS, "cursor")


def default_folder(agent: str) -> Path:
    """Where an agent keeps its logs (``--from claude`` / ``--from codex``), honouring its env var."""
    if agent not in DEFAULT_FOLDERS:
        raise UsageError(f"--from {agent}: no default log folder known", f"use --from {', '.join(AGENTS)}")
    env, fallback, sub = DEFAULT_FOLDERS[agent]
    root = Path(os.environ.get(env) or fallback).expanduser()
    folder = root / sub
    if not folder.is_dir():
        raise InputError(
            f"{folder}: {agent} keeps no logs here", f"pass the log folder explicitly or set {env}"
        )
    return folder


def default_paths(agent: str) -> list[Path]:
    """What ``--from agent`` reads: the agent's folder, or for Cursor its transcripts and database."""
    return cursor_paths() if agent == "cursor" else [default_folder(agent)]


def cursor_db(platform: str | None = None) -> Path:
    """The Cursor IDE's global ``state.vscdb`` on ``platform`` (``sys.platform`` by default)."""
    platform = platform or sys.platform
    if platform.startswith(("win", "cygwin")):
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else Path("~/AppData/Roaming").expanduser()
    elif platform == "darwin":
        base = Path("~/Library/Application Support").expanduser()
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or "~/.config").expanduser()
    return base / "Cursor" / "User" / "globalStorage" / "state.vscdb"


def cursor_paths(platform: str | None = None) -> list[Path]:
    """Cursor's agent-transcript folders and its IDE database, those that exist (at least one)."""
    projects = Path("~/.cursor/projects").expanduser()
    found = sorted(p for p in projects.glob("*/agent-transcripts") if p.is_dir())
    db = cursor_db(platform)
    if db.is_file():
        found.append(db)
    if not found:
        raise InputError(
            f"{projects}/*/agent-transcripts and {db}: cursor keeps no logs here",
            "pass the transcripts folder or state.vscdb explicitly",
        )
    return found


def input_paths(paths: Iterable[str], agents: Iterable[str] = ()) -> list[str]:
    """The user's paths plus the default locations of ``--from`` agents; at least one is required."""
    result = [str(p) for a in agents for p in default_paths(a)] + list(paths)
    if not result:
        raise UsageError("no logs given", "pass files or folders, or --from claude / --from codex")
    return result
