"""What a person typed in a Claude Code transcript: slash commands as ``/name args`` (the transcript
writes ``<command-name>/x</command-name>…<command-args>y</command-args>``), and the commands that manage
the session rather than give work (``/clear``, ``/compact``, ``/model``), which are never a run's task.
"""

from __future__ import annotations

import re

_COMMAND = re.compile(r"<command-name>/?([^<]*)</command-name>")
_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.S)
# slash commands that manage the session, never the work: a session they open is about the next prompt
_HOUSEKEEPING = frozenset(
    f"/{name}"
    for name in (
        *("clear", "compact", "resume", "continue", "model", "login", "logout", "config", "cost", "help"),
        *("status", "exit", "quit", "context", "usage", "permissions", "memory", "doctor", "vim", "theme"),
        *("mcp", "agents", "hooks", "ide", "export", "rewind", "statusline", "privacy-settings", "upgrade"),
        *("add-dir", "output-style", "todos", "release-notes", "bashes", "plugin", "terminal-setup"),
    )
)


def slash_command(text: str) -> str:
    """``<command-name>/x</command-name>…<command-args>y</command-args>`` -> ``/x y``; other text as it is."""
    match = _COMMAND.search(text)
    if not match:
        return text
    args = _ARGS.search(text)
    return f"/{match.group(1).strip()} {args.group(1).strip() if args else ''}".strip()


def is_housekeeping(text: str) -> bool:
    """Whether ``text`` (as :func:`slash_command` shows it) is a session command, with or without its
    arguments (``/model opus``, ``/compact focus on auth``): not a task."""
    words = text.split(None, 1)
    return bool(words) and words[0] in _HOUSEKEEPING
