"""Cursor agent-transcript lines decoded straight into a schema of their usual shape (msgspec), and their
steps built from attributes, each tool call with its action, instead of from a dict per line and block.

The usual line: ``{role: user | assistant, message: {content: text | [text | thinking | tool_use]}}``,
with no other field, and tool arguments that are flat (texts, numbers, booleans, null, lists of those).
Any other line (``turn_ended``, an image block, nested arguments, a field the schema does not name…)
fails to decode and ``cursor`` reads it the general way, as before. The schema forbids the fields it does
not name, so msgspec decodes every value of a line it accepts, with the checks orjson makes (UTF-8,
numbers in range); integers are typed to 64 bits, so a line holding a larger one (orjson reads those
another way) takes the general path too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
import orjson

from skillforge.ingest.base import (
    K_ASSISTANT_MESSAGE,
    K_THOUGHT,
    K_TOOL_CALL,
    MAX_TEXT,
    R_ASSISTANT,
    clip,
)
from skillforge.model import Shell, SourceLocation, Step

if TYPE_CHECKING:
    from skillforge.ingest.cursor import _Transcript

_Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_Scalar = str | _Int64 | float | bool | None


class _Text(msgspec.Struct, tag="text", tag_field="type", forbid_unknown_fields=True, gc=False):
    text: str | None = None


class _Thinking(msgspec.Struct, tag="thinking", tag_field="type", forbid_unknown_fields=True, gc=False):
    thinking: str | None = None
    text: str | None = None


class _ToolUse(msgspec.Struct, tag="tool_use", tag_field="type", forbid_unknown_fields=True, gc=False):
    name: str | None = None
    input: dict[str, _Scalar | list[_Scalar]] | None = None
    id: str | None = None


class _Message(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    content: str | list[_Text | _Thinking | _ToolUse]


class Line(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    role: Literal["user", "assistant"]
    message: _Message


DECODER = msgspec.json.Decoder(Line)
SHELL_TOOLS = {"Shell", "run_terminal_cmd", "run_terminal_command", "run_terminal_command_v2"}


def add_line(state: _Transcript, line: Line, lineno: int) -> None:
    """The steps of one line of the usual shape, as :meth:`_Transcript.record` builds them from its
    dict, each tool call with its action. The blocks are dispatched and the steps built in place, tool calls
    too: this loop runs for every step. Steps are built with keywords for what is not the default (a
    fifth cheaper in msgspec than every field given by position)."""
    content = line.message.content
    if type(content) is str:
        content = [_Text(content)]
    out, from_user = state.out, line.role == "user"
    steps = out.steps
    loc = out._loc = SourceLocation(out.file, lineno)
    for block in content:
        kind = type(block)
        if kind is _ToolUse:  # a tool call, as _Transcript.call builds it, with its action
            name = block.name or "tool"  # type: ignore[union-attr]
            args: Any = block.input  # type: ignore[union-attr]
            if args is None:
                text = ""
            else:
                if not state.cwd:
                    cwd = args.get("working_directory")
                    if type(cwd) is str:
                        state.cwd = cwd
                command = args.get("command") if name in SHELL_TOOLS else None
                text = command if type(command) is str else orjson.dumps(args).decode()
                if len(text) > MAX_TEXT:
                    text = clip(text)
            try:  # the action, as decode_actions decodes it; when the decoder fails, it fails there again
                action = (state.decoders.get(name) or state.decoder(name))(text, args or {})
            except Exception:
                action = None
            index = len(steps)
            step = Step(
                index,
                R_ASSISTANT,
                K_TOOL_CALL,
                text,
                name,
                args,
                block.id or f"cursor-{lineno}-{index}",  # type: ignore[union-attr]
                source=loc,
                action=action,
            )
            steps.append(step)
            if type(action) is Shell and action.cwd is None:
                state.folderless.append(step)
            continue
        if kind is _Thinking:
            text = block.thinking or block.text or ""  # type: ignore[union-attr]
            step_kind = K_THOUGHT
        elif from_user:
            state.prompt(block.text or "", lineno)  # type: ignore[union-attr]
            continue
        else:
            text = block.text or ""  # type: ignore[union-attr]
            step_kind = K_ASSISTANT_MESSAGE
        if text and not text.isspace():
            if len(text) > MAX_TEXT:
                text = clip(text)
            steps.append(Step(len(steps), R_ASSISTANT, step_kind, text, source=loc))
