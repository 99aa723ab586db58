"""OpenAI Codex CLI rollouts (``~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<thread>.jsonl``).

Two layouts, told apart by content: the *wrapped* layout (CLI ≈0.3x on) writes
``{"timestamp","type","payload"}`` lines starting with ``session_meta``; the *legacy* layout (early Rust
CLI) starts with a bare ``{"id","timestamp","instructions"}`` object followed by bare Responses-API
items and ``{"record_type":"state"}`` lines. One file is one thread, so one trajectory; it is built
while streaming. ``response_item`` lines are the canonical history; the ``event_msg`` copies of user and
agent messages are skipped (counted), while ``exec_command_end``/``patch_apply_end`` events fill in exit
codes that the output text did not show.

This module owns detection and the record dispatch (wrapped and legacy lines, the response items),
and reads the messages (the user's task, injected context, skills named) and reasoning; the tool calls
and their outputs are decoded in ``codex_calls``, the thread being built (meta, sub-agent parent,
trajectory) is ``codex_thread``, and the ``event_msg`` lines are read in ``codex_events``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
    K_ASSISTANT_MESSAGE,
    K_THOUGHT,
    K_USER_MESSAGE,
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    head_line,
    object_line,
    str_or_none,
    text_of,
)
from skillforge.ingest.codex_calls import tool_call, tool_output
from skillforge.ingest.codex_events import event
from skillforge.ingest.codex_thread import AGENT, FORMAT, CodexThread
from skillforge.ingest.reading import iter_jsonl_raw
from skillforge.model import Trajectory

__all__ = ["AGENT", "FORMAT", "OPENS", "detect", "parse"]
OPENS = b"{"  # detect() is False for content that starts otherwise

WRAPPED_TYPES = {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
IGNORED_ITEMS = {"ghost_snapshot", "compaction", "context_compaction", "compaction_summary"}
_INJECTED_PREFIXES = (
    "# AGENTS.md instructions",
    "<environment_context>",
    "<user_instructions>",
    "<INSTRUCTIONS>",
    "<permissions instructions>",
    "<skill>",
    "<user_shell_command>",
    "<turn_aborted>",
)
_SKILL_CALL_RE = re.compile(r"(?<![\w$])\$([a-z][a-z0-9_-]{1,63})\b")
_SKILL_TAG_RE = re.compile(r"<skill>\s*<name>([^<]+)</name>")
_CWD_RE = re.compile(r"<cwd>([^<]+)</cwd>|Current working directory: (\S+)")


# ---------------------------------------------------------------------------------------------------
# detection


def detect(path: Path, head: bytes) -> bool:
    first = head_line(head)
    if not object_line(first):
        return False
    try:
        rec = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(rec, dict):
        return False
    if (
        str_or_none(rec.get("type")) in WRAPPED_TYPES
        and isinstance(rec.get("payload"), dict)
        and "timestamp" in rec
    ):
        return True
    # legacy: a bare meta object first (no "type"), then bare response items
    return (
        "type" not in rec and "id" in rec and "timestamp" in rec and ("instructions" in rec or "git" in rec)
    )


# ---------------------------------------------------------------------------------------------------
# parsing


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    state = CodexThread(str(path))
    for line, raw, rec in iter_jsonl_raw(path, ctx):
        if not isinstance(rec, dict):
            ctx.skip("not a JSON object", line, type(rec).__name__)
            continue
        state.digest.update(raw.rstrip(b"\r\n"))
        state.digest.update(b"\n")
        state.line = line
        if isinstance(rec.get("payload"), dict) and "type" in rec:
            state.timestamp = rec.get("timestamp") if isinstance(rec.get("timestamp"), str) else None
            _wrapped(state, str(rec["type"]), rec["payload"], ctx)
        else:
            _legacy(state, rec, ctx)
    if state.steps or state.native_id:
        yield state.trajectory()
    else:
        ctx.skip("rollout with no session and no message")


def _wrapped(state: CodexThread, rtype: str, payload: dict[str, Any], ctx: ParseContext) -> None:
    if rtype == "session_meta":
        state.meta(payload)
    elif rtype == "turn_context":
        state.context(payload)
    elif rtype == "response_item":
        _item(state, payload, ctx)
    elif rtype == "event_msg":
        event(state, payload, ctx)
    elif rtype == "compacted":
        text = text_of(payload.get("message"))
        if text:
            state.add(R_USER, K_USER_MESSAGE, text, T_INJECTED)
        else:  # newer versions keep the user's messages as ``replacement_history``: already read
            ctx.ignore("compacted history without a summary (its messages are already read)")
    else:
        ctx.skip(f"unknown record type {rtype}")


def _legacy(state: CodexThread, rec: dict[str, Any], ctx: ParseContext) -> None:
    if rec.get("record_type") == "state":
        ctx.ignore("state record (bookkeeping)")
    elif "type" not in rec and "id" in rec and "timestamp" in rec:
        state.meta(rec)
    elif "type" in rec:
        _item(state, rec, ctx)
    else:
        ctx.skip("record without type", state.line, "record ignored")


def _item(state: CodexThread, item: dict[str, Any], ctx: ParseContext) -> None:
    itype = str_or_none(item.get("type"))
    if itype == "message":
        _message(state, item)
    elif itype == "reasoning":
        _reasoning(state, item, ctx)
    elif itype in ("function_call", "custom_tool_call", "local_shell_call", "web_search_call"):
        tool_call(state, item)
    elif itype in ("function_call_output", "custom_tool_call_output"):
        tool_output(state, item)
    elif itype in IGNORED_ITEMS:
        ctx.ignore(f"{itype} item (compaction or undo bookkeeping)")
    else:
        ctx.skip(f"unknown record type {itype}")


def _message(state: CodexThread, item: dict[str, Any]) -> None:
    role = item.get("role")
    text = text_of(item.get("content"))
    if not text.strip():
        return
    if role == "assistant":
        state.add(R_ASSISTANT, K_ASSISTANT_MESSAGE, text, T_AGENT)
    elif role in ("developer", "system"):
        state.add(R_SYSTEM, K_USER_MESSAGE, text, T_INJECTED)
    elif text.lstrip().startswith(_INJECTED_PREFIXES):
        cwd = _CWD_RE.search(text)
        state.cwd = state.cwd or (next(g for g in cwd.groups() if g).strip() if cwd else None)
        state.skills.extend(m for m in _SKILL_TAG_RE.findall(text) if m not in state.skills)
        state.add(R_USER, K_USER_MESSAGE, text, T_INJECTED)
    else:
        state.add(R_USER, K_USER_MESSAGE, text, T_PERSON)
        state.skills.extend(m for m in _SKILL_CALL_RE.findall(text) if m not in state.skills)
        if not state.task:
            state.task = text


def _reasoning(state: CodexThread, item: dict[str, Any], ctx: ParseContext) -> None:
    text = text_of(item.get("summary")) or text_of(item.get("content"))
    if text.strip():
        state.add(R_ASSISTANT, K_THOUGHT, text, T_AGENT)
    else:
        ctx.ignore("encrypted reasoning (not readable)")
