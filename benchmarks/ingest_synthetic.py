"""Synthetic logs for the formats with no real logs in the development corpus, used by
``benchmarks/ingest.py``: Gemini CLI (JSON ≤ 0.38 and JSONL 0.39+), OpenCode (JSON tree ≤ 1.1, SQLite
1.2 ``message``/``part``, 2.x ``session_message``), Cursor (agent transcript JSONL and the IDE's
``state.vscdb``), Copilot CLI ``events.jsonl``, and ATIF documents written from them (plain, and in
Harbor's trial layout with ``result.json``).

Shapes follow ``../shared/reference/trajectory-formats-more.md`` and carry the bulk real logs carry
beside the fields skillforge reads (snapshots, token counts, duplicated outputs, rich text), so that
the raw parse is not flattered. Each builder writes about ``size`` bytes of JSON under ``out`` and
returns the path to read. The OpenCode builders are in ``synthetic_opencode.py``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic_common import OUTPUT, THOUGHT, write_doc, write_jsonl
from synthetic_opencode import opencode_db, opencode_tree, opencode_v2


# Gemini CLI -------------------------------------------------------------------------------------------
def _gemini_messages(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in range(30):
        ts = f"2026-08-01T10:{m:02d}:00.000Z"
        if m % 10 == 0:
            out.append(
                {"id": f"u{n}-{m}", "timestamp": ts, "type": "user", "content": [{"text": "fix cart"}]}
            )
            continue
        call = f"run_shell_command_{n}_{m}"
        shell_output = (
            f"Command: pytest -q\nDirectory: (root)\nOutput: {OUTPUT}Exit Code: 1"  # the shell tool's
        )
        response = {
            "functionResponse": {
                "id": call,
                "name": "run_shell_command",
                "response": {"output": shell_output},
            }
        }
        out.append(
            {
                "id": f"g{n}-{m}",
                "timestamp": ts,
                "type": "gemini",
                "content": "Running the tests.",
                "model": "gemini-3-pro",
                "thoughts": [{"subject": "Locating test", "description": THOUGHT, "timestamp": ts}],
                "tokens": {
                    "input": 9120,
                    "output": 40,
                    "cached": 8000,
                    "thoughts": 12,
                    "tool": 0,
                    "total": 9160,
                },
                "toolCalls": [
                    {
                        "id": call,
                        "name": "run_shell_command",
                        "args": {"command": "pytest -q", "description": "Run the tests"},
                        "status": "success",
                        "timestamp": ts,
                        "result": [response],
                        "resultDisplay": OUTPUT,
                        "displayName": "Shell",
                        "description": "Run shell command",
                        "renderOutputAsMarkdown": False,
                    }
                ],
            }
        )
    return out


def _header(n: int) -> dict[str, Any]:
    return {
        "sessionId": f"7c1e5a20-4f1b-4c6a-9d0e-{n:012d}",
        "projectHash": "9f2b" * 16,
        "startTime": "2026-08-01T10:00:00.000Z",
        "lastUpdated": "2026-08-01T10:30:00.000Z",
        "kind": "main",
    }


def gemini_json(out: Path, size: int) -> Path:
    written, n = 0, 0
    while written < size:
        doc = {**_header(n), "messages": _gemini_messages(n), "summary": "Fix cart"}
        written += write_doc(out / "chats" / f"session-2026-07-01T09-00-{n:08x}.json", doc, indent=2)
        n += 1
    return out


def gemini_jsonl(out: Path, size: int) -> Path:
    """Append logs: each gemini message written first without its calls, then whole (re-appended)."""
    written, n = 0, 0
    while written < size:
        lines: list[Any] = [_header(n)]
        for msg in _gemini_messages(n):
            if "toolCalls" in msg:
                lines.append({k: v for k, v in msg.items() if k != "toolCalls"})
            lines.append(msg)
        lines.append({"$set": {"lastUpdated": "2026-08-01T10:31:00.000Z"}})
        written += write_jsonl(out / "chats" / f"session-2026-08-01T09-00-{n:08x}.jsonl", lines)
        n += 1
    return out


# Cursor -----------------------------------------------------------------------------------------------
def cursor_transcripts(out: Path, size: int) -> Path:
    query = "<timestamp>Mon</timestamp>\n<user_query>\nrun the tests and fix cart.js\n</user_query>"
    shell = {
        "type": "tool_use",
        "name": "Shell",
        "input": {"command": "npm test", "working_directory": "/repo"},
    }
    read = {"type": "tool_use", "name": "Read", "input": {"path": "/repo/src/cart.js"}}
    written, n = 0, 0
    while written < size:
        lines: list[Any] = [{"role": "user", "message": {"content": [{"type": "text", "text": query}]}}]
        for _ in range(30):
            content = [
                {"type": "thinking", "thinking": THOUGHT * 3},
                {"type": "text", "text": "Running."},
                shell,
                read,
            ]
            lines += [{"role": "assistant", "message": {"content": content}}]
        lines.append({"type": "turn_ended", "status": "success"})
        sid = f"5e1f0c2a-0000-4000-8000-{n:012d}"
        written += write_jsonl(
            out / "projects" / "home-dev-cart" / "agent-transcripts" / sid / f"{sid}.jsonl", lines
        )
        n += 1
    return out


_EXTRA = {  # what a real bubble carries beside the fields read (rich text, context, bookkeeping)
    "richText": json.dumps(
        {"root": {"children": [{"children": [{"text": "Fix the failing cart test please. "}]}]}}
    ),
    "codeBlocks": [],
    "context": {
        "fileSelections": [{"uri": {"fsPath": f"/repo/src/f{i}.js"}} for i in range(8)],
        "terminalFiles": [],
    },
    "capabilitiesRan": {str(i): [] for i in range(20)},
    "tokenCount": {"inputTokens": 0, "outputTokens": 0},
    "isAgentic": True,
}


def _bubble(b: int) -> dict[str, Any]:
    bubble: dict[str, Any] = {
        "_v": 3,
        "type": 1 if b % 10 == 0 else 2,
        "bubbleId": f"b{b:03d}",
        "text": "Fix the failing cart test please. " * 3 if b % 4 else "",  # a quarter: empty shells
        **_EXTRA,
    }
    if b % 2:
        bubble["toolFormerData"] = {
            "toolCallId": f"toolu_{b}",
            "name": "run_terminal_command_v2",
            "rawArgs": json.dumps({"command": "pytest -q"}),
            "result": json.dumps({"output": OUTPUT}),
            "status": "completed",
        }
    return bubble


def cursor_db(out: Path, size: int) -> Path:
    path = out / "globalStorage" / "state.vscdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    db.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    written, n = 0, 0
    while written < size:
        cid, bubbles = f"c{n:06d}", [_bubble(b) for b in range(40)]
        rows = [(f"bubbleId:{cid}:{b['bubbleId']}", json.dumps(b)) for b in bubbles]
        composer = {"composerId": cid, "name": "Fix cart", "createdAt": 1785578400000, "status": "completed",
                    "modelConfig": {"modelName": "claude-4.5-sonnet"},
                    "fullConversationHeadersOnly": [{"bubbleId": b["bubbleId"], "type": b["type"]} for b in bubbles]}  # fmt: skip
        rows.append((f"composerData:{cid}", json.dumps(composer)))
        db.executemany("INSERT INTO cursorDiskKV VALUES (?, ?)", rows)
        written += sum(len(v) for _, v in rows)
        n += 1
    db.commit()
    db.close()
    return path


# Copilot CLI ------------------------------------------------------------------------------------------
def _copilot_event(n: int) -> tuple[str, dict[str, Any]]:
    """The n-th event: a prompt every 20, else a request (with the opaque reasoning real messages carry)
    and its completion (with the detailed copy and telemetry real results carry)."""
    if n == 0:
        return "system.message", {"content": "You are GitHub Copilot CLI. Skills: …" * 800}
    if n % 20 == 0:
        return "user.message", {"content": "Fix cart.py tests", "transformedContent": "Fix cart.py tests"}
    if n % 2:
        request = {"toolCallId": f"t{n}", "name": "bash", "arguments": {"command": "pytest -q"}}
        return "assistant.message", {"messageId": f"m{n}", "model": "claude-sonnet-4.5", "content": "Running.",
                                     "toolRequests": [request], "reasoningText": "Run the tests.",
                                     "encryptedContent": "QUJD" * 300, "outputTokens": 52}  # fmt: skip
    return "tool.execution_complete", {
        "toolCallId": f"t{n - 1}",
        "success": True,
        "result": {"content": OUTPUT, "detailedContent": OUTPUT},
        "toolTelemetry": {"properties": {"command": "pytest"}, "metrics": {"durationMs": 1800}},
    }


def copilot(out: Path, size: int) -> Path:
    """Sessions of about 2 MB each: ``session-state/<id>/events.jsonl``."""
    written, s = 0, 0
    while written < size:
        lines, n, part = [], 0, 0
        while part < min(size - written, 2 * 2**20) or n < 3:
            kind, data = _copilot_event(n)
            event = {"type": kind, "data": data, "id": f"e{n}", "timestamp": "2026-08-05T10:00:00Z",
                     "parentId": f"e{n - 1}"}  # fmt: skip
            lines.append(event)
            part += len(json.dumps(event)) + 1
            n += 1
        written += write_jsonl(out / "session-state" / f"0b8a2c1e-{s:08d}" / "events.jsonl", lines)
        s += 1
    return out


# ATIF and Harbor --------------------------------------------------------------------------------------
def _atif_docs(tmp: Path) -> list[bytes]:
    """ATIF documents skillforge writes from the synthetic Copilot and OpenCode sessions."""
    import orjson

    from skillforge.ingest import read
    from skillforge.ingest.atif_write import to_atif

    sources = [copilot(tmp / "cp", 4 * 2**20), opencode_v2(tmp / "oc", 2 * 2**20)]
    return [orjson.dumps(to_atif(t), option=orjson.OPT_INDENT_2) for t in read(sources)]


def atif(out: Path, size: int) -> Path:
    docs, written, n = _atif_docs(out / ".src"), 0, 0
    while written < size:
        doc = docs[n % len(docs)]
        (out / "runs").mkdir(parents=True, exist_ok=True)
        (out / "runs" / f"run-{n:05d}.json").write_bytes(doc)
        written, n = written + len(doc), n + 1
    return out / "runs"


def harbor(out: Path, size: int) -> Path:
    """Harbor jobs: ``jobs/<job>/<trial>/agent/trajectory.json`` with ``result.json`` (the reward)."""
    docs, written, n = _atif_docs(out / ".src"), 0, 0
    while written < size:
        trial = out / "jobs" / "job-1" / f"task-{n:05d}__trial"
        (trial / "agent").mkdir(parents=True)
        (trial / "agent" / "trajectory.json").write_bytes(docs[n % len(docs)])
        write_doc(
            trial / "result.json", {"verifier_result": {"rewards": {"reward": n % 2}}, "agent_info": {}}
        )
        write_doc(trial / "config.json", {"agent": {"name": "opencode"}})
        written, n = written + len(docs[n % len(docs)]), n + 1
    return out / "jobs"


# name: (builder, raw baseline: "files" (JSON per file, JSONL per line) or SQL queries of the rows read)
Builder = Callable[[Path, int], Path]
FORMATS: dict[str, tuple[Builder, str | tuple[str, ...]]] = {
    "gemini-json": (gemini_json, "files"),
    "gemini-jsonl": (gemini_jsonl, "files"),
    "opencode-tree": (opencode_tree, "files"),
    "opencode-1.2": (
        opencode_db,
        ("SELECT * FROM session", "SELECT data FROM message", "SELECT data FROM part"),
    ),
    "opencode-2.x": (opencode_v2, ("SELECT * FROM session", "SELECT data FROM session_message")),
    "cursor-jsonl": (cursor_transcripts, "files"),
    "cursor-vscdb": (cursor_db, ("SELECT key, value FROM cursorDiskKV",)),
    "copilot-cli": (copilot, "files"),
    "atif": (atif, "files"),
    "harbor": (harbor, "files"),
}
