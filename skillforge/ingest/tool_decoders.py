"""The decoders shared by the agents' tool tables (:mod:`skillforge.ingest.tools`): a tool call's text
and arguments turned into a typed action (:mod:`skillforge.model.actions`) — a shell command with its
working directory, a file read, written or edited, a patch, a search, a listing, a submission, a
message — and ``keys``, which adapts one of them to an agent's own argument names.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

from skillforge.model import Action, EditFile, Message, Other, Patch, ReadFile, Search, Shell, Submit

Decoder = Callable[[str, dict[str, Any]], Action]

_PATCH_FILE = re.compile(r"\*\*\* (?:Update|Add) File: (\S+)")
_PATH_KEYS = ("path", "file_path", "absolute_path", "notebook_path", "filename", "file")
_CWD_KEYS = ("workdir", "cwd", "dir_path", "directory", "working_dir")
SHELL_WORDS = ("bash", "shell")


def _str(args: dict[str, Any], *keys: str) -> str:
    """The first of ``keys`` that holds text ('' when none does)."""
    return _first(args, keys)


def _first(args: dict[str, Any], keys: tuple[str, ...]) -> str:
    """:func:`_str` for a tuple of keys; a dict with none of them answers at C speed (the usual case for
    the optional keys, as a shell call's working directory)."""
    if args.keys().isdisjoint(keys):
        return ""
    for key in keys:
        value = args.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def path_arg(args: dict[str, Any]) -> str:
    return _first(args, _PATH_KEYS)


def shell(text: str, args: dict[str, Any]) -> Action:
    """A shell call: the ``command`` argument (a string, or an argv list run through ``sh -c``)."""
    command = args.get("command")
    if command is None and "command" not in args:  # "cmd" looked up only when there is no "command"
        command = args.get("cmd")
    if isinstance(command, list) and all(isinstance(c, str) for c in command):
        if command[:1] == ["apply_patch"] and len(command) == 2:  # codex's patch through the shell tool
            return patch(command[1], {})
        if len(command) == 3 and command[1] in ("-lc", "-c") and command[0].endswith("sh"):
            command = command[2]
        else:
            command = shlex.join(command)
    if not isinstance(command, str):
        command = text
    if command.startswith("apply_patch") and "*** Begin Patch" in command:  # apply_patch <<'EOF'
        return patch(command, {})
    return Shell(command, _first(args, _CWD_KEYS) or None)


def read_file(text: str, args: dict[str, Any]) -> Action:
    path = args.get("path")  # the first of the path keys, the one most tools name
    if type(path) is str and path:
        return ReadFile(path)
    return ReadFile(path_arg(args) or _str(args, "url"))


def write_file(text: str, args: dict[str, Any]) -> Action:
    return EditFile(path_arg(args), created=True, text=_str(args, "content", "file_text"))


def edit_file(text: str, args: dict[str, Any]) -> Action:
    """A targeted edit; ``text`` is its new text (the first edit's, for a multi-edit)."""
    edits = args.get("edits")
    first = edits[0] if isinstance(edits, list) and edits and isinstance(edits[0], dict) else {}
    new = _str(first, "new_string") or _str(args, "new_str", "new_string", "new_source", "content")
    return EditFile(path_arg(args), text=new)


def editor(text: str, args: dict[str, Any]) -> Action:
    """``str_replace_editor``-style tools: one tool, a ``command`` argument naming what it does."""
    sub = str(args.get("command") or "").lower()
    if sub in ("view", ""):
        return ReadFile(path_arg(args))
    if sub == "create":
        return EditFile(path_arg(args), created=True, text=_str(args, "file_text", "content"))
    return EditFile(path_arg(args), text=_str(args, "new_str", "new_string"))


def file_action(text: str, args: dict[str, Any]) -> Action:
    """OpenHands' ``edit`` action: an editor sub-command when it names one, else a whole new text."""
    return editor(text, args) if args.get("command") else edit_file(text, args)


def patch(text: str, args: dict[str, Any]) -> Action:
    body = _str(args, "input", "patch") or text
    return Patch(tuple(dict.fromkeys(_PATCH_FILE.findall(body))), body)


def search(text: str, args: dict[str, Any]) -> Action:
    pattern = _str(args, "pattern", "query", "regex", "search_term", "file_name") or text
    return Search(pattern, _str(args, "path", "dir_path", "dir") or None)


def listing(text: str, args: dict[str, Any]) -> Action:
    return Search("", path_arg(args) or _str(args, "dir_path") or None)


def submit(text: str, args: dict[str, Any]) -> Action:
    return Submit(_str(args, "message", "result", "summary") or text)


def message(text: str, args: dict[str, Any]) -> Action:
    return Message(_str(args, "message", "prompt", "chars", "content") or text)


def other(name: str) -> Decoder:
    return lambda text, args: Other(name)


def keys(decoder: Decoder, **names: str) -> Decoder:
    """``decoder`` for an agent whose arguments go by other names: ``keys(read_file, filePath="path")``
    renames ``filePath`` to ``path`` (in the arguments and in the dictionaries of a list, as ``edits``)."""

    def rename(args: dict[str, Any]) -> dict[str, Any]:
        return {names.get(k, k): v for k, v in args.items()}

    def decode(text: str, args: dict[str, Any]) -> Action:
        if names.keys().isdisjoint(args) and list not in map(type, args.values()):
            return decoder(text, args)  # nothing to rename: no copy (decoders never change their args)
        fields = rename(args)
        for key, value in fields.items():
            if isinstance(value, list):
                fields[key] = [rename(v) if isinstance(v, dict) else v for v in value]
        return decoder(text, fields)

    return decode
