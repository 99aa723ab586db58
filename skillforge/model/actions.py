"""What a tool call did, typed: the one vocabulary miners and analysts read instead of each agent's tool
names and argument keys.

A reader decodes every tool call into one of these at ingest (``skillforge.ingest.tools`` holds the one
table of tool names per agent). They are frozen msgspec Structs tagged by ``type``, so a step's action
serialises as ``{"type": "shell", "command": …}`` and decodes back with :func:`action_from_dict`.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Shell(msgspec.Struct, frozen=True, gc=False, tag="shell"):
    """A shell command line, and the working directory it ran in when the log says (else None)."""

    command: str
    cwd: str | None = None


class ReadFile(msgspec.Struct, frozen=True, gc=False, tag="read"):
    """A file (or URL) read without changing it."""

    path: str


class EditFile(msgspec.Struct, frozen=True, gc=False, tag="edit"):
    """A file edited, or written whole (``created``); ``text`` is the new text (a snippet for an edit)."""

    path: str
    created: bool = False
    text: str = ""


class Patch(msgspec.Struct, frozen=True, gc=False, tag="patch"):
    """A multi-file patch (``*** Begin Patch`` or a unified diff) and the files it names."""

    paths: tuple[str, ...] = ()
    text: str = ""


class Search(msgspec.Struct, frozen=True, gc=False, tag="search"):
    """A search: a pattern (regex, glob, web query) under an optional path."""

    pattern: str = ""
    path: str | None = None


class Submit(msgspec.Struct, frozen=True, gc=False, tag="submit"):
    """The agent declared the task done (``submit``, ``finish``)."""

    text: str = ""


class Message(msgspec.Struct, frozen=True, gc=False, tag="message"):
    """A message sent through a tool: to a subagent, to a running session's stdin, to the user."""

    text: str = ""


class Other(msgspec.Struct, frozen=True, gc=False, tag="other"):
    """A tool call of no kind above (a plan update, a browser action); ``tool`` names it."""

    tool: str = ""


Action = Shell | ReadFile | EditFile | Patch | Search | Submit | Message | Other
ACTION_TYPES: tuple[type[Action], ...] = (Shell, ReadFile, EditFile, Patch, Search, Submit, Message, Other)


def action_to_dict(action: Action) -> dict[str, Any]:
    """The JSON form: ``{"type": <tag>, <fields>}``."""
    out: dict[str, Any] = msgspec.to_builtins(action)
    return out


def action_from_dict(data: Any) -> Action | None:
    """An action from its JSON form; None when it is not one (an unknown type, a wrong field)."""
    try:
        return msgspec.convert(data, Action)
    except (msgspec.ValidationError, TypeError):
        return None
