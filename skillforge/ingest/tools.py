"""Tool calls decoded into typed actions (:mod:`skillforge.model.actions`): the one place that knows
each agent's tool names and argument keys.

``TOOLS`` maps an agent to its tool names, each to a decoder ``(text, args) -> Action`` (the shared
ones are in :mod:`skillforge.ingest.tool_decoders`); adding a tool is adding one line (``keys`` adapts
a shared decoder to an agent's own argument names, as OpenCode's ``filePath``). A name no table lists
(interchange and ATIF logs carry any function names) is decoded by :func:`guess` from the words tool
names are made of (``read_file``, ``write``, ``submit``). ``decode_actions`` fills ``Step.action`` on
every tool call of a trajectory; ``ingest.read`` runs it on every trajectory a reader yields. Shell
commands keep their working directory: the call's own (``workdir``, ``dir_path``…) when it has one,
else the session's.
"""

from __future__ import annotations

import functools
import re
import shlex
from typing import Any

from skillforge.ingest.tool_decoders import (
    SHELL_WORDS,
    Decoder,
    edit_file,
    editor,
    file_action,
    keys,
    listing,
    message,
    other,
    patch,
    path_arg,
    read_file,
    search,
    shell,
    submit,
    write_file,
)
from skillforge.model import Action, EditFile, Other, ReadFile, Search, Shell, StepKind, Trajectory

__all__ = ["TOOLS", "Decoder", "decode", "decode_actions", "dict_decoder", "guess", "keys", "shell"]

_CLAUDE: dict[str, Decoder] = {
    "bash": shell,
    "read": read_file,
    "write": write_file,
    "edit": edit_file,
    "multiedit": edit_file,
    "notebookedit": edit_file,
    "grep": search,
    "glob": search,
    "ls": listing,
    "webfetch": read_file,
    "websearch": search,
    "task": message,
    "agent": message,
    "todowrite": other("todowrite"),
    "bashoutput": other("bashoutput"),
    "killshell": other("killshell"),
    "exitplanmode": other("exitplanmode"),
}
_CODEX: dict[str, Decoder] = {
    "shell": shell,
    "local_shell": shell,
    "exec_command": shell,
    "container.exec": shell,
    "shell_command": shell,
    "apply_patch": patch,
    "write_stdin": message,  # keystrokes to a running command: not a file write
    "send_input": message,
    "spawn_agent": message,
    "web_search": search,
    "view_image": read_file,
    "update_plan": other("update_plan"),
}
_GEMINI: dict[str, Decoder] = {
    "run_shell_command": shell,
    "read_file": read_file,
    "read_many_files": read_file,
    "write_file": write_file,
    "replace": edit_file,
    "glob": search,
    "search_file_content": search,
    "list_directory": listing,
    "web_fetch": read_file,
    "google_web_search": search,
}


_QUOTING = re.compile(r"[\"'\\]")
_SHELL_BLANKS = re.compile(r"[ \t\r\n]+")  # shlex's whitespace (str.split would also split on others)


def _aci_words(text: str) -> list[str]:
    """The arguments of a SWE-agent ACI command line (``open dates/parse.py 20``). A line with no quote
    or backslash is split as ``shlex.split`` would, on its whitespace (shlex's own tokenizer, pure
    Python, cost a tenth of a SWE-agent log's reading)."""
    first = text.strip().split("\n", 1)[0]
    if _QUOTING.search(first) is None:
        return [word for word in _SHELL_BLANKS.split(first) if word][1:]
    try:
        return shlex.split(first)[1:]
    except ValueError:
        return first.split()[1:]


def aci_open(text: str, args: dict[str, Any]) -> Action:
    words = _aci_words(text)
    return ReadFile(words[0] if words else "")


def aci_create(text: str, args: dict[str, Any]) -> Action:
    words = _aci_words(text)
    return EditFile(words[0] if words else "", created=True)


def aci_edit(text: str, args: dict[str, Any]) -> Action:
    """``edit 4:6`` then the new lines then ``end_of_edit``, on the file open at the time (not named)."""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    return EditFile("", text=body.removesuffix("\n").removesuffix("end_of_edit").rstrip("\n"))


def aci_search(text: str, args: dict[str, Any]) -> Action:
    words = _aci_words(text)
    return Search(words[0] if words else "", words[1] if len(words) > 1 else None)


_SWE_AGENT: dict[str, Decoder] = {
    "bash": shell,
    "str_replace_editor": editor,
    "submit": submit,
    "open": aci_open,
    "goto": read_file,
    "scroll_up": read_file,
    "scroll_down": read_file,
    "create": aci_create,
    "edit": aci_edit,
    "find_file": aci_search,
    "search_dir": aci_search,
    "search_file": aci_search,
}
_OPENHANDS: dict[str, Decoder] = {
    "execute_bash": shell,
    "run": shell,
    "terminal": shell,
    "cmdrunaction": shell,
    "read": read_file,
    "write": write_file,
    "edit": file_action,
    "str_replace_editor": editor,
    "file_editor": editor,
    "fileeditaction": edit_file,
    "filewriteaction": write_file,
    "filereadaction": read_file,
    "finish": submit,
    "agentfinishaction": submit,
}
_COPILOT: dict[str, Decoder] = {
    "bash": shell,
    "powershell": shell,
    "write_bash": keys(message, input="chars"),  # keystrokes to a running shell: not a new command
    "read_bash": other("read_bash"),
    "stop_bash": other("stop_bash"),
    "view": read_file,
    "create": write_file,
    "edit": edit_file,
    "str_replace_editor": editor,
    "apply_patch": patch,
    "grep": search,
    "glob": search,
    "task": message,
}
_OPENCODE: dict[str, Decoder] = {
    "bash": shell,
    "read": keys(read_file, filePath="path"),
    "write": keys(write_file, filePath="path"),
    "edit": keys(edit_file, filePath="path", newString="new_string"),
    "multiedit": keys(edit_file, filePath="path", newString="new_string"),
    "patch": keys(patch, patchText="input"),
    "apply_patch": keys(patch, patchText="input"),
    "grep": search,
    "glob": search,
    "list": listing,
    "task": message,
}
_cursor_shell_renamed = keys(shell, working_directory="cwd")


def cursor_shell(text: str, args: dict[str, Any]) -> Action:
    """Cursor's ``Shell``: its ``working_directory`` is the command's folder. The usual call (a command
    line, and its folder or nothing else) is decoded as :func:`shell` decodes the renamed arguments, without
    copying them to rename the key."""
    command = args.get("command")
    if type(command) is str and not command.startswith("apply_patch"):
        if len(args) == 1:
            return Shell(command, None)
        folder = args.get("working_directory")
        if len(args) == 2 and type(folder) is str:
            return Shell(command, folder or None)
    return _cursor_shell_renamed(text, args)


_CURSOR: dict[str, Decoder] = {  # agent transcripts (Shell, Read…) and the IDE's tools (run_terminal_cmd…)
    "shell": cursor_shell,
    "read": read_file,
    "write": keys(write_file, contents="content"),
    "strreplace": edit_file,
    "grep": search,
    "glob": keys(search, glob_pattern="pattern", target_directory="path"),
    "run_terminal_cmd": shell,
    "run_terminal_command": shell,
    "run_terminal_command_v2": shell,
    "read_file": keys(read_file, target_file="path"),
    "edit_file": keys(edit_file, target_file="path", code_edit="new_string"),
    "search_replace": edit_file,
    "grep_search": search,
    "codebase_search": search,
    "file_search": search,
    "list_dir": keys(listing, relative_workspace_path="path"),
}
_MINI_SWE_AGENT: dict[str, Decoder] = {"bash": shell}
_AIDER: dict[str, Decoder] = {"shell": shell, "edit": edit_file}

TOOLS: dict[str, dict[str, Decoder]] = {
    "claude-code": _CLAUDE,
    "codex": _CODEX,
    "gemini-cli": _GEMINI,
    "swe-agent": _SWE_AGENT,
    "openhands": _OPENHANDS,
    "mini-swe-agent": _MINI_SWE_AGENT,
    "aider": _AIDER,
    "copilot-cli": _COPILOT,
    "opencode": _OPENCODE,
    "cursor": _CURSOR,
}

# the words a tool name starts with, for names no table lists (the first match wins)
_GUESSES: tuple[tuple[tuple[str, ...], Decoder], ...] = (
    (("read", "view", "open", "goto", "scroll", "webfetch"), read_file),
    (("grep", "glob", "search", "find", "websearch", "filesearch"), search),
    (("ls", "list"), listing),
    (("apply_patch", "patch"), patch),
    (("write", "create"), write_file),
    (("edit", "multiedit", "insert", "notebookedit", "replace", "fileeditaction"), edit_file),
    (("filewriteaction",), write_file),
    (("submit", "finish", "task_complete", "agentfinishaction"), submit),
)
_GENERIC_SHELL = frozenset(
    {
        "execute_bash",
        "exec_command",
        "local_shell",
        "run_shell_command",
        "terminal",
        "cmd",
        "run",
        "run_command",
        "container.exec",
        "execute_command",
        "cmdrunaction",
    }
)


def guess(name: str, text: str, args: dict[str, Any]) -> Action:
    """A call to a tool no table lists, decoded from its name's words (a name longer than tool names are,
    as a corrupt or hostile log may hold, is not cached: the cache would keep it for the process)."""
    decoder = _guessed(name) if len(name) <= _CACHED_NAME else _guessed.__wrapped__(name)
    if decoder is None:
        return Other(name)
    if decoder is edit_file and not path_arg(args) and "*** Update File:" in text:
        return patch(text, args)
    return decoder(text, args)


_CACHED_NAME = 128  # characters: the longest tool name whose guess is cached


def shell_text(name: str, args: Any) -> str | None:
    """A shell tool call's command, as the readers of agents' own logs show it (``go test ./...``, not
    ``{"command": "go test ./...", "description": "Run the tests"}``); None for any other call."""
    command = args.get("command", args.get("cmd")) if isinstance(args, dict) else None
    normal = name.lower().replace("-", "_")
    if not isinstance(command, str) or not (normal in _GENERIC_SHELL or normal in _SHELL_NAMES):
        return None
    return command


_SHELL_NAMES = frozenset({"bash", "shell", "sh", "zsh", "shell_command", "powershell", "run_terminal_cmd"})


@functools.lru_cache(maxsize=1024)
def _guessed(name: str) -> Decoder | None:
    """The decoder a tool name's words choose (None: none), worked out once per name: ATIF and
    interchange logs call the same few unlisted tools at every step."""
    if name in _GENERIC_SHELL or name.endswith(SHELL_WORDS):
        return shell
    if "str_replace" in name or name.endswith("editor"):
        return editor
    return next((decoder for words, decoder in _GUESSES if name.startswith(words)), None)


def _lookup(agent: str, tool: str | None) -> tuple[str, Decoder | None]:
    """A tool's normalised name and its agent's table decoder (None: not in the table)."""
    name = (tool or "bash").lower().replace("-", "_")
    return name, TOOLS.get(agent, {}).get(name)


def dict_decoder(agent: str, tool: str | None) -> Decoder:
    """The decoder of ``agent``'s tool ``tool`` for arguments that are an object, for a reader that
    decodes each call as it reads it (looking it up once per tool name): what :func:`decode` answers for
    those arguments."""
    name, decoder = _lookup(agent, tool)
    return decoder if decoder is not None else functools.partial(guess, name)


def decode(agent: str, tool: str | None, text: str, args: Any) -> Action:
    """The action of one tool call of ``agent`` (no tool name: a shell command, as in bare logs)."""
    return _decode(*_lookup(agent, tool), text, args)


def _decode(name: str, decoder: Decoder | None, text: str, args: Any) -> Action:
    fields = args if isinstance(args, dict) else {}
    if decoder is not None:
        return decoder(text, fields)
    if isinstance(args, str) and name.startswith(("apply_patch", "patch")):
        return patch(args, {})
    return guess(name, text, fields)


def decode_actions(traj: Trajectory) -> None:
    """Fill ``action`` on every tool call of ``traj`` (in place); shell calls get the session's working
    directory when their own is not recorded. Each tool name is looked up once per trajectory."""
    agent, tool_call, cwd = traj.agent, StepKind.TOOL_CALL, traj.cwd  # bound once: read per step
    found: dict[str | None, tuple[str, Decoder | None]] = {}
    # the calls left to decode, picked by a comprehension (a reader may have decoded them as it read)
    for step in [s for s in traj.steps if s.kind is tool_call and s.action is None]:
        tool = step.tool_name
        looked = found.get(tool)
        if looked is None:
            looked = found[tool] = _lookup(agent, tool)
        name, decoder = looked
        args = step.input
        if decoder is not None and type(args) is dict:  # a listed tool and its arguments: as _decode does
            action = decoder(step.text, args)
        else:
            action = _decode(name, decoder, step.text, args)
        if cwd and type(action) is Shell and action.cwd is None:
            action = Shell(action.command, cwd)
        step.action = action
