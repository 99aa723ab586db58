"""OpenCode messages as steps, whichever storage they came from (``opencode`` finds and orders them).

v1 (JSON storage up to 1.1, and the ``message``/``part`` tables of 1.2–1.x): a message ``{role, modelID,
error?, …}`` and its parts in id order. ``text`` parts are prompts or replies (``synthetic`` ones were
written by OpenCode: injected; ``ignored`` ones were never sent: left out), ``reasoning`` parts are thoughts,
and a ``tool`` part holds a call and its result together (``state.status`` completed → output, error →
error text; pending or running → a call without a result). Step, snapshot, patch, retry, agent, subtask and
compaction parts are bookkeeping, counted as ignored. An assistant message's ``error`` becomes an error
step (``MessageAbortedError``: the user stopped the turn).

v2 (the ``session_message`` table of 2.x): rows typed ``user{text}``, ``assistant{content[]}`` (text,
reasoning, ``tool{id, name, state{status, input, result, error}}``), ``system``/``synthetic`` (injected),
``shell{command, output}`` (a command the user ran: injected context, not the agent's action) and
``compaction{summary}``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import msgspec
import orjson

from skillforge.ingest.base import (
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    as_dict,
    as_list,
    as_str,
    clip,
    str_or_none,
)
from skillforge.ingest.reading import exit_code, json_safe
from skillforge.ingest.steps import StepList

SHELL_TOOLS = {"bash", "shell"}
_BOOKKEEPING = {"step-start", "step-finish", "snapshot", "patch", "retry", "agent", "subtask", "compaction"}
_V2_IGNORED = {"agent-switched", "model-switched"}


class OpenCodeSteps:
    """One session's steps, built message by message; ``task`` is the first prompt, ``model`` the first
    model named."""

    def __init__(self, source: str, ctx: ParseContext, subagent: bool = False) -> None:
        self.out = StepList(source)
        self.ctx = ctx
        self.prompter = T_AGENT if subagent else T_PERSON  # a child session's prompts come from its parent
        self.task = ""
        self.model: str | None = None
        self.children: list[str] = []  # subagent session ids named by task calls

    # v1 ------------------------------------------------------------------------------------------
    def v1_message(self, info: dict[str, Any], parts: list[Any], record: str) -> None:
        role = info.get("role")
        ts = ms_time(as_dict(info.get("time")).get("created"))
        if role == "assistant":
            self.model = self.model or _model(info)
        elif role != "user":
            self.ctx.skip(f"message with role {role}", None, f"{record}: neither user nor assistant")
            return
        for part in parts:
            if isinstance(part, dict):
                self._v1_part(part, role == "user", record, ts)
            else:
                self.ctx.skip("part that is not an object", None, f"{record}: {type(part).__name__}")
        error = as_dict(info.get("error"))
        if error:
            name = as_str(error.get("name")) or "error"
            detail = as_str(as_dict(error.get("data")).get("message"))
            step = self.out.message(
                R_SYSTEM, f"{name}: {detail}" if detail else name, T_INJECTED, record=record
            )
            if step is not None:
                step.is_error = True

    def _v1_part(self, part: dict[str, Any], from_user: bool, record: str, ts: str | None) -> None:
        kind = str_or_none(part.get("type"))
        if kind == "text":
            if part.get("ignored"):
                self.ctx.ignore("text part marked ignored (never sent to the model)")
            else:
                self._text(as_str(part.get("text")), from_user, bool(part.get("synthetic")), record, ts)
        elif kind == "reasoning":
            self.out.thought(as_str(part.get("text")), record=record, timestamp=ts)
        elif kind == "tool":
            self._v1_tool(part, record, ts)
        elif kind == "file":
            self.out.message(
                R_USER if from_user else R_ASSISTANT,
                f"[file {as_str(part.get('filename'))}]",
                T_INJECTED,
                record=record,
                timestamp=ts,
            )
        elif kind in _BOOKKEEPING:
            self.ctx.ignore(f"{kind} part (bookkeeping)")
        else:
            self.ctx.skip(f"unknown part type {kind}", None, f"{record}: part ignored")

    def _text(self, text: str, from_user: bool, synthetic: bool, record: str, ts: str | None) -> None:
        if not from_user:
            self.out.message(
                R_ASSISTANT, text, T_INJECTED if synthetic else T_AGENT, record=record, timestamp=ts
            )
            return
        trust = T_INJECTED if synthetic else self.prompter
        if self.out.message(R_USER, text, trust, record=record, timestamp=ts) and trust is not T_INJECTED:
            self.task = self.task or clip(text.strip())

    def _v1_tool(self, part: dict[str, Any], record: str, ts: str | None) -> None:
        state = as_dict(part.get("state"))
        call_id = as_str(part.get("callID")) or as_str(part.get("id")) or f"call-{len(self.out.steps)}"
        name = as_str(part.get("tool")) or "tool"
        self.call(call_id, name, json_safe(state.get("input")), record, ts)  # msgspec reads any integer
        meta = as_dict(state.get("metadata"))
        if name == "task" and isinstance(meta.get("sessionId"), str):
            self.children.append(meta["sessionId"])
        status = state.get("status")
        if status == "completed":
            code = exit_code(meta.get("exit"))
            self.out.result(
                call_id,
                as_str(state.get("output")),
                exit_code=code,
                is_error=bool(code),
                record=record,
                timestamp=ts,
            )
        elif status == "error":
            self.out.result(
                call_id, as_str(state.get("error")) or "[error]", is_error=True, record=record, timestamp=ts
            )
        else:
            self.ctx.ignore(f"tool call still {status} (no result recorded)")

    def call(self, call_id: str, name: str, args: Any, record: str, ts: str | None) -> None:
        """A tool call; ``args`` as orjson reads them (``json_safe`` when msgspec decoded them)."""
        if name in SHELL_TOOLS and isinstance(args, dict) and isinstance(args.get("command"), str):
            text = args["command"]
        else:
            text = clip(orjson.dumps(args).decode()) if args is not None else ""
        self.out.call(name, text, call_id, args, record, None, ts)

    # v2 ------------------------------------------------------------------------------------------
    def v2_row(self, kind: Any, data: dict[str, Any], record: str) -> None:
        kind = str_or_none(kind)
        when = data.get("time")
        ts = ms_time(when.get("created")) if isinstance(when, dict) else None
        if kind == "user":
            self._text(as_str(data.get("text")), True, False, record, ts)
        elif kind == "assistant":
            self.model = self.model or _model(data)
            for item in as_list(data.get("content")):
                self._v2_content(item if isinstance(item, dict) else {}, record, ts)  # as_dict, inline
            if data.get("error"):
                step = self.out.message(R_SYSTEM, _error_text(data["error"]), T_INJECTED, record=record)
                if step is not None:
                    step.is_error = True
        elif kind in ("system", "synthetic"):
            self.out.message(
                R_SYSTEM, as_str(data.get("text") or data.get("content")), T_INJECTED, record=record
            )
        elif kind == "shell":
            text = f"$ {as_str(data.get('command'))}\n{as_str(data.get('output'))}"
            self.out.message(R_USER, text, T_INJECTED, record=record, timestamp=ts)
        elif kind == "compaction":
            self.out.message(R_SYSTEM, as_str(data.get("summary")), T_INJECTED, record=record, timestamp=ts)
        elif kind in _V2_IGNORED:
            self.ctx.ignore(f"{kind} (bookkeeping)")
        else:
            self.ctx.skip(f"unknown message type {kind}", None, f"{record}: row ignored")

    def _v2_content(self, item: dict[str, Any], record: str, ts: str | None) -> None:
        kind = item.get("type")  # compared, never looked up in a set: any JSON value will do
        if kind == "text":
            self.out.message(R_ASSISTANT, as_str(item.get("text")), T_AGENT, record, None, ts)
        elif kind == "reasoning":
            self.out.thought(as_str(item.get("text")), record, None, ts)
        elif kind == "tool":
            state = as_dict(item.get("state"))
            call_id = as_str(item.get("id")) or f"call-{len(self.out.steps)}"
            # the row was read by orjson (``_loads``): its integers fit 64 bits, json_safe would only copy
            self.call(call_id, as_str(item.get("name")) or "tool", state.get("input"), record, ts)
            status = state.get("status")
            if status in ("completed", "error"):
                text = as_str(
                    state.get("result") if state.get("result") is not None else state.get("content")
                )
                if status == "error":
                    text = _error_text(state.get("error")) or text or "[error]"
                self.out.result(call_id, text, is_error=status == "error", record=record, timestamp=ts)
            else:
                self.ctx.ignore(f"tool call still {status} (no result recorded)")
        else:
            self.ctx.skip(f"unknown content type {str_or_none(kind)}", None, f"{record}: content ignored")


def _model(info: dict[str, Any]) -> str | None:
    model = (
        info.get("modelID")
        or as_dict(info.get("model")).get("id")
        or as_dict(info.get("model")).get("modelID")
    )
    return model if isinstance(model, str) and model else None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        name = as_str(error.get("name"))
        detail = as_str(as_dict(error.get("data")).get("message") or error.get("message"))
        return ": ".join(t for t in (name, detail) if t) or "error"
    return as_str(error)


def ms_time(value: Any) -> str | None:
    """An epoch-milliseconds time as ISO 8601 UTC (None when it is not a number)."""
    if type(value) not in (int, float) or not 0 < value < 10**14:
        return None
    return _iso(value)


@functools.lru_cache(maxsize=4096, typed=True)
def _iso(value: float) -> str:
    """Cached: the parts of a message, and the messages of one turn, share their times."""
    return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The fields of a v1 part that are read. The rest (snapshot hashes, token counts, a bash call's output
# repeated in ``metadata.output``, attachments) is skipped by the decoder, never built.
class _Meta(msgspec.Struct):
    exit: Any = None
    sessionId: Any = None


class _State(msgspec.Struct):
    status: Any = None
    input: Any = None
    output: Any = None
    error: Any = None
    metadata: _Meta | None = None


class _Part(msgspec.Struct):
    type: Any = None
    text: Any = None
    synthetic: Any = None
    ignored: Any = None
    callID: Any = None
    id: Any = None
    tool: Any = None
    filename: Any = None
    state: _State | None = None


_PART = msgspec.json.Decoder(_Part).decode


def decode_part(data: bytes) -> dict[str, Any] | None:
    """A part row's JSON as a dict of the fields read (None when it does not fit: read the general way)."""
    try:
        part = _PART(data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return None
    out = msgspec.structs.asdict(part)
    if part.state is not None:
        state = out["state"] = msgspec.structs.asdict(part.state)
        if part.state.metadata is not None:
            state["metadata"] = msgspec.structs.asdict(part.state.metadata)
    return out
