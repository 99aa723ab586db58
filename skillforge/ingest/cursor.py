"""Cursor sessions: the agent transcripts and the IDE's database (Cursor is closed source; the formats
are as reverse-engineered in the reference).

- Agent transcripts (Cursor Agent CLI and the newer IDE agent):
  ``~/.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl``, subagents in ``<id>/subagents/*.jsonl``.
  Lines are ``{role, message: {content: [text | thinking | tool_use{name, input}]}}`` and
  ``{"type": "turn_ended", "status": …}``. They hold **no tool results, ids, timestamps or model**: calls
  stay unpaired and ``metadata.tool_results`` says the log does not record them. A prompt is wrapped in
  ``<user_query>``; the working folder is recovered from ``working_directory`` arguments.
- The IDE's ``globalStorage/state.vscdb`` (SQLite, table ``cursorDiskKV``): read by ``cursor_db``.

``turn_ended`` statuses are how the turns ended (``success``, ``error``, ``aborted``): a process outcome,
kept in ``metadata.turn_status``, not the task's outcome. A failed turn's ``error`` text (the only line
such a turn writes) becomes a system step marked as an error.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    as_str,
    clip,
    head_line,
    object_line,
    text_of,
)
from skillforge.ingest.cursor_fitted import DECODER, SHELL_TOOLS, Line, add_line
from skillforge.ingest.reading import digest_id, iter_jsonl_fitted, iter_jsonl_raw, new_digest
from skillforge.ingest.sqlite_store import is_sqlite, tables
from skillforge.ingest.steps import StepList
from skillforge.ingest.tools import Decoder, dict_decoder
from skillforge.model import Shell, Step, Trajectory

FORMAT = "cursor"
AGENT = "cursor"
OPENS = b"{"  # detect() is False for content that starts otherwise

_QUERY = re.compile(r"<user_query>\s*(.*?)\s*</user_query>", re.S)


def detect(path: Path, head: bytes) -> bool:
    """A first line with ``role`` and ``message`` and no ``type`` (every Claude Code line has one), or a
    ``turn_ended`` marker."""
    first = head_line(head)
    if not object_line(first) or (b'"role"' not in first and b'"turn_ended"' not in first):
        return False
    try:
        rec = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(rec, dict):
        return False
    if rec.get("type") == "turn_ended":
        return True
    return (
        "type" not in rec
        and rec.get("role") in ("user", "assistant")
        and isinstance(rec.get("message"), dict)
    )


def detect_binary(path: Path, head: bytes) -> bool:
    return is_sqlite(head) and "cursorDiskKV" in tables(path)


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    binary = is_sqlite(ctx.start(16))
    if binary:
        from skillforge.ingest.cursor_db import parse_db

        yield from parse_db(path, ctx)
    else:
        yield _transcript(path, ctx)


class _Transcript:
    def __init__(self, path: Path, ctx: ParseContext) -> None:
        self.out = StepList(str(path))
        self.ctx = ctx
        self.task = ""
        self.cwd: str | None = None
        self.turns: Counter[str] = Counter()
        self.decoders: dict[str, Decoder] = {}  # the tools' action decoders, by name (cursor_fitted)
        self.subagent = path.parent.name == "subagents"  # its prompts come from the agent that started it
        self.folderless: list[Step] = []  # shell calls decoded as read whose own folder is not recorded

    def record(self, rec: dict[str, Any], line: int) -> None:
        if rec.get("type") == "turn_ended":
            self.turns[as_str(rec.get("status")) or "unknown"] += 1
            error = rec.get("error")  # a failed turn (model refused, quota, auth) writes only this line
            failure = error if isinstance(error, str) else _error_text(error)
            if failure and (step := self.out.message(R_SYSTEM, failure, T_INJECTED, None, line)):
                step.is_error = True
            return
        message = rec.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        role = rec.get("role")
        if role not in ("user", "assistant") or not isinstance(blocks, list):
            self.ctx.skip("line without role and message content", line, "expected {role, message{content}}")
            return
        from_user, out = role == "user", self.out
        for block in blocks:  # the blocks dispatched inline: this loop runs for every step
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "thinking":
                text = block.get("thinking") or block.get("text")
                out.thought(text if type(text) is str else text_of(text), None, line)
            elif kind == "tool_use":
                self.call(block, line)
            elif kind == "text":
                text = block.get("text")
                text = text if type(text) is str else text_of(text)
                if from_user:
                    self.prompt(text, line)
                else:
                    out.message(R_ASSISTANT, text, T_AGENT, None, line)
            else:
                self.ctx.skip(f"unknown content block {kind}", line, "block ignored")

    def prompt(self, text: str, line: int) -> None:
        match = _QUERY.search(text)
        if match is None and not self.subagent:
            self.out.message(R_USER, text, T_INJECTED, line=line)
            return
        query = text.strip() if match is None else match.group(1)
        trust = T_AGENT if self.subagent else T_PERSON  # a subagent's prompts: the parent agent's
        if self.out.message(R_USER, query, trust, line=line) is not None:
            self.task = self.task or clip(query)

    def call(self, block: dict[str, Any], line: int) -> None:
        name = block.get("name")
        name = (name if type(name) is str else as_str(name)) or "tool"
        # decoded by orjson: no integer beyond 64 bits, so json_safe would only copy
        args: Any = block.get("input")
        if type(args) is dict:
            if not self.cwd:
                cwd = args.get("working_directory")
                if isinstance(cwd, str):
                    self.cwd = cwd
            command = args.get("command") if name in SHELL_TOOLS else None
            text = command if type(command) is str else clip(orjson.dumps(args).decode())
        else:
            text = clip(orjson.dumps(args).decode()) if args is not None else ""
        call_id = block.get("id")
        call_id = call_id if type(call_id) is str else as_str(call_id) if call_id is not None else ""
        out = self.out
        out.call(name, text, call_id or f"cursor-{line}-{len(out.steps)}", args, None, line)

    def decoder(self, name: str) -> Decoder:
        """The action decoder of the tool ``name`` (for arguments that are an object), looked up once."""
        decoder = self.decoders[name] = dict_decoder(AGENT, name)
        return decoder

    def finish(self) -> None:
        """The session's working folder given to the shell commands whose action was decoded as they were
        read (:mod:`cursor_fitted`) and that record none, as ``decode_actions`` gives it to the others."""
        cwd = self.cwd
        if cwd:
            for step in self.folderless:
                step.action = Shell(step.action.command, cwd)  # type: ignore[union-attr]


def _error_text(error: Any) -> str:
    """An error written as an object (``{"message": …}``) or another value: its message, else its JSON."""
    if error is None:
        return ""
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) and message else clip(orjson.dumps(error).decode())


def _transcript(path: Path, ctx: ParseContext, fitted: bool = True) -> Trajectory:
    """A transcript's trajectory; the lines of the usual shape decoded into a schema (``cursor_fitted``),
    the others read the general way (all of them, without ``fitted``: the tests compare the two)."""
    state = _Transcript(path, ctx)
    digest = new_digest()
    lines = iter_jsonl_fitted(path, ctx, DECODER) if fitted else iter_jsonl_raw(path, ctx)
    for line, raw, rec in lines:
        digest.update(raw.rstrip(b"\r\n"))
        if type(rec) is Line:
            add_line(state, rec, line)
        elif isinstance(rec, dict):
            state.record(rec, line)
        else:
            ctx.skip("not a JSON object", line, type(rec).__name__)
    state.finish()
    sub = state.subagent
    native = path.parent.parent.name if sub else path.stem
    traj = Trajectory(
        id=digest_id(digest),
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=state.out.steps,
        native_id=f"{native}/{path.stem}" if sub else native,
        task=state.task,
        cwd=state.cwd,
        parent_id=native if sub else None,
    )
    if any(s.call_id for s in traj.steps):
        traj.metadata["tool_results"] = "not recorded in Cursor agent transcripts"
    if state.turns:
        traj.metadata["turn_status"] = dict(state.turns)
    if sub:
        traj.metadata["subagent"] = "subagent"
    return traj
