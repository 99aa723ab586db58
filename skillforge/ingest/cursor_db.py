"""Cursor IDE conversations in ``<UserData>/globalStorage/state.vscdb`` (``~/.config/Cursor/User``,
``~/Library/Application Support/Cursor/User``, ``%APPDATA%\\Cursor\\User``), a SQLite database the editor
keeps open: read through ``sqlite_store`` (no lock taken, nothing written).

Only two key families of the ``cursorDiskKV`` table are read, never the rest (the same database holds
credentials): ``composerData:<composer>`` (one conversation: ``name``, ``createdAt``, ``status``,
``modelConfig.modelName``, ``workspaceIdentifier.uri.fsPath``, ``subComposerIds`` and the bubble order in
``fullConversationHeadersOnly``; older builds inline ``conversation[]``) and ``bubbleId:<composer>:<bubble>``
(``type`` 1 user / 2 assistant, ``text``, ``thinking.text``, ``toolFormerData{toolCallId, name, rawArgs,
result, status}`` holding one tool call and its result). Bubbles are ordered by the headers, never by key.
Empty streaming bubbles and purged (NULL) ones are ignored and counted; a call whose result is absent is
left unpaired and ``metadata.tool_results`` says how many.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson

from skillforge.ingest.base import (
    R_ASSISTANT,
    R_USER,
    T_AGENT,
    T_PERSON,
    ParseContext,
    as_dict,
    as_list,
    as_str,
    clip,
)
from skillforge.ingest.opencode_steps import ms_time
from skillforge.ingest.reading import digest_id, json_or_text, json_safe, new_digest
from skillforge.ingest.sqlite_store import snapshot
from skillforge.ingest.steps import StepList
from skillforge.model import Trajectory

FORMAT = "cursor"
AGENT = "cursor"
SHELL_TOOLS = {"run_terminal_cmd", "run_terminal_command", "run_terminal_command_v2", "Shell"}


def parse_db(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    try:
        with snapshot(path) as db:
            composers = _composers(db, ctx)
            parents = {
                c: cid
                for cid, data in composers.items()
                for c in as_list(data.get("subComposerIds"))
                if isinstance(c, str)
            }
            for cid, data in composers.items():
                traj = _composer(db, path, cid, data, ctx)
                if traj is None:
                    ctx.ignore("composer with no messages")
                    continue
                traj.parent_id = parents.get(cid)
                yield traj
    except sqlite3.Error as exc:
        ctx.fail(f"cannot read the Cursor database ({exc}); is it a state.vscdb?")


def _composers(db: sqlite3.Connection, ctx: ParseContext) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    query = "SELECT key, value FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;'"
    for key, value in db.execute(query):
        data = _json(value, ctx, key)
        if isinstance(data, dict):
            found[key.split(":", 1)[1]] = data
    return found


def _json(value: Any, ctx: ParseContext, key: str) -> Any:
    if value is None:
        ctx.ignore("purged bubble (NULL value)")
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        ctx.skip("value that is not JSON", None, key)
        return None


class _Tool(msgspec.Struct):
    toolCallId: Any = None
    name: Any = None
    rawArgs: Any = None
    params: Any = None
    result: Any = None
    status: Any = None


class _Bubble(msgspec.Struct):
    """The fields of a bubble that are read: the rest (rich text, code blocks, context; often most of a
    bubble's bytes) is skipped by the decoder, never built."""

    type: Any = None
    bubbleId: Any = None
    text: Any = None
    thinking: Any = None
    toolFormerData: _Tool | None = None
    modelInfo: Any = None
    createdAt: Any = None


_DECODE = msgspec.json.Decoder(_Bubble).decode


def _bubble(value: Any, ctx: ParseContext, key: str) -> dict[str, Any] | None:
    """A bubble's fields that are read, as a dict (None: purged, or not a bubble; counted)."""
    if value is None:
        ctx.ignore("purged bubble (NULL value)")
        return None
    try:
        bubble = _DECODE(value)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, TypeError, RecursionError):
        loaded = _json(value, ctx, key)  # not JSON: skipped and counted there
        if not isinstance(loaded, dict):
            return None
        loaded["toolFormerData"] = as_dict(loaded.get("toolFormerData")) or None
        try:
            bubble = msgspec.convert(loaded, _Bubble)
        except msgspec.ValidationError:
            ctx.skip("bubble of unexpected shape", None, key)
            return None
    out = msgspec.structs.asdict(bubble)
    if bubble.toolFormerData is not None:
        out["toolFormerData"] = msgspec.structs.asdict(bubble.toolFormerData)
    return out


def _bubbles(
    db: sqlite3.Connection, cid: str, data: dict[str, Any], ctx: ParseContext, digest: Any
) -> list[Any]:
    """The composer's bubbles in conversation order (headers), or its inline ``conversation``."""
    if isinstance(data.get("conversation"), list) and not data.get("fullConversationHeadersOnly"):
        return data["conversation"]
    prefix = f"bubbleId:{cid}:"
    rows: dict[str, Any] = {}
    for key, value in db.execute(
        "SELECT key, value FROM cursorDiskKV WHERE key >= ? AND key < ?", (prefix, prefix[:-1] + ";")
    ):
        if value is not None:
            digest.update(value if isinstance(value, bytes) else str(value).encode())
        rows[key[len(prefix) :]] = value
    ordered = []
    for header in as_list(data.get("fullConversationHeadersOnly")):
        bid = as_dict(header).get("bubbleId")
        if isinstance(bid, str) and bid in rows:
            ordered.append(_bubble(rows[bid], ctx, prefix + bid))
        else:
            ctx.ignore("bubble named in the headers but not stored")
    return ordered


def _composer(
    db: sqlite3.Connection, path: Path, cid: str, data: dict[str, Any], ctx: ParseContext
) -> Trajectory | None:
    digest = new_digest()
    digest.update(cid.encode())
    out = _Bubbles(StepList(str(path)), ctx)
    for bubble in _bubbles(db, cid, data, ctx, digest):
        if isinstance(bubble, dict):
            out.bubble(bubble, f"bubbleId:{cid}:{bubble.get('bubbleId', '')}")
    if not out.steps.steps:
        return None
    workspace = as_dict(as_dict(data.get("workspaceIdentifier")).get("uri")).get("fsPath")
    traj = Trajectory(
        id=digest_id(digest),
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=out.steps.steps,
        native_id=cid,
        model=_s(as_dict(data.get("modelConfig")).get("modelName")) or out.model,
        task=out.task,
        cwd=_s(workspace),
        started_at=ms_time(data.get("createdAt")),
        ended_at=ms_time(data.get("lastUpdatedAt")),
    )
    for key, name in (("name", "title"), ("status", "composer_status")):
        if _s(data.get(key)):
            traj.metadata[name] = data[key]
    if out.missing:
        traj.metadata["tool_results"] = f"missing for {out.missing} call(s)"
    return traj


class _Bubbles:
    """Bubbles turned into steps, in order."""

    def __init__(self, steps: StepList, ctx: ParseContext) -> None:
        self.steps, self.ctx = steps, ctx
        self.task = ""
        self.model: str | None = None
        self.missing = 0

    def bubble(self, bubble: dict[str, Any], record: str) -> None:
        created = bubble.get("createdAt")
        ts = _s(created) or ms_time(created)  # ISO text, or epoch milliseconds as composers write it
        text = as_str(bubble.get("text"))
        tool = as_dict(bubble.get("toolFormerData"))
        thinking = as_str(as_dict(bubble.get("thinking")).get("text"))
        if not (text.strip() or tool or thinking.strip()):
            self.ctx.ignore("empty bubble (a streaming shell)")
            return
        if bubble.get("type") == 1:
            if self.steps.message(R_USER, text, T_PERSON, record=record, timestamp=ts) is not None:
                self.task = self.task or clip(text.strip())
            return
        if bubble.get("type") != 2:
            self.ctx.skip(
                f"bubble of type {bubble.get('type')}", None, f"{record}: neither user (1) nor assistant (2)"
            )
            return
        self.model = self.model or _s(as_dict(bubble.get("modelInfo")).get("modelName"))
        self.steps.thought(thinking, record=record, timestamp=ts)
        self.steps.message(R_ASSISTANT, text, T_AGENT, record=record, timestamp=ts)
        if tool:
            self.tool(tool, record, ts)

    def tool(self, tool: dict[str, Any], record: str, ts: str | None) -> None:
        name = as_str(tool.get("name")) or "tool"
        args = json_or_text(tool.get("rawArgs"))
        args = json_safe(args if args is not None else json_or_text(tool.get("params")))
        call_id = as_str(tool.get("toolCallId")) or f"{record}#tool"
        shell = name in SHELL_TOOLS and isinstance(args, dict) and isinstance(args.get("command"), str)
        text = args["command"] if shell else clip(orjson.dumps(args).decode()) if args is not None else ""
        self.steps.call(name, text, call_id, args, record=record, timestamp=ts)
        result = json_or_text(tool.get("result"))
        if result is None:
            self.missing += 1
            return
        output = as_str(as_dict(result).get("output", result)) if isinstance(result, dict) else as_str(result)
        code = as_dict(result).get("exitCode")
        code = code if type(code) is int else None
        failed = tool.get("status") == "error" or bool(code)
        self.steps.result(call_id, output, is_error=failed, exit_code=code, record=record, timestamp=ts)


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
