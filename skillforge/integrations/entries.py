"""What ``skillforge install`` writes into an agent's settings, and how it recognises its own entries.

The hook and MCP entries call the absolute path of the running ``skillforge`` (or ``python -m skillforge``
with the running interpreter), so they work from an agent whose PATH lacks the virtual environment.
Uninstall recognises skillforge's entries by shape (``… skillforge route --hook AGENT …``, an MCP server
named ``skillforge`` that runs ``skillforge serve --library …``), whichever library or executable they
name, including the bare ``skillforge`` that older versions wrote.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

NAMES = ("skillforge", "skillforge.exe")


def skillforge_argv() -> list[str]:
    """The absolute command that runs this skillforge: its console script, else ``python -m skillforge``."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name in NAMES:
        found = argv0 if os.sep in argv0 else shutil.which(argv0)
        if found and os.path.isfile(found) and os.access(found, os.X_OK):
            return [os.path.abspath(found)]  # not resolve(): a venv's scripts must keep their own path
    return [os.path.abspath(sys.executable), "-m", "skillforge"]


def hook_argv(agent: str, library: Path) -> list[str]:
    return [*skillforge_argv(), "route", "--hook", agent, "--library", str(library)]


def hook_command(agent: str, library: Path) -> str:
    """The hook command line, quoted for the POSIX shell the agents run hooks with (paths with spaces)."""
    return shlex.join(hook_argv(agent, library))


def mcp_entry(library: Path) -> dict[str, Any]:
    command, *rest = skillforge_argv()
    return {"command": command, "args": [*rest, "serve", "--library", str(library)]}


def _runs_skillforge(prefix: list[str]) -> bool:
    """``prefix`` is ``skillforge`` (bare or a path) or ``PYTHON -m skillforge``."""
    if len(prefix) == 1:
        return Path(prefix[0]).name in NAMES
    return len(prefix) == 3 and prefix[1:] == ["-m", "skillforge"]


def _library_of(args: list[str]) -> Path | None:
    if "--library" in args[:-1]:
        return Path(args[args.index("--library") + 1])
    return None


def parse_hook(command: Any, agent: str) -> tuple[bool, Path | None]:
    """(is ``command`` a hook that skillforge wrote for ``agent``, the library it names if any)."""
    if not isinstance(command, str):
        return False, None
    try:
        tokens = shlex.split(command)
    except ValueError:
        return False, None
    for start in range(len(tokens) - 2):
        if tokens[start : start + 3] == ["route", "--hook", agent] and _runs_skillforge(tokens[:start]):
            return True, _library_of(tokens[start + 3 :])
    return False, None


def _hook_of(entry: Any) -> Any:
    """The one command of a hook group (``{"hooks": [{"type": "command", "command": …}]}``)."""
    if not isinstance(entry, dict) or set(entry) != {"hooks"}:
        return None
    hooks = entry["hooks"]
    if isinstance(hooks, list) and len(hooks) == 1 and isinstance(hooks[0], dict):
        return hooks[0].get("command")
    return None


def is_our_hook_group(entry: Any, agent: str) -> bool:
    """A hook group that skillforge added (this version or an older one)."""
    return parse_hook(_hook_of(entry), agent)[0]


def hook_group_library(entry: Any, agent: str) -> Path | None:
    return parse_hook(_hook_of(entry), agent)[1]


def is_our_mcp(entry: Any) -> bool:
    """An MCP server entry that runs ``skillforge serve --library …`` (a hand-made one without a
    library is the user's own and is left alone)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        return False
    args = entry.get("args")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args) or "serve" not in args:
        return False
    at = args.index("serve")
    return _runs_skillforge([entry["command"], *args[:at]]) and _library_of(args[at:]) is not None


def mcp_library(entry: Any) -> Path | None:
    return _library_of(entry["args"]) if is_our_mcp(entry) else None
