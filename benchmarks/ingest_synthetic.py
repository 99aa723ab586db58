"""Synthetic logs for the formats with no real logs in the development corpus, used by
``benchmarks/ingest.py``: Gemini CLI (JSON ≤ 0.38 and JSONL 0.39+), OpenCode (JSON tree ≤ 1.1, SQLite
1.2 ``message``/``part``, 2.x ``session_message``), Cursor (agent transcript JSONL and the IDE's
``state.vscdb``), Copilot CLI ``events.jsonl``, and ATIF documents written from them (plain, and in
Harbor's trial layout with ``result.json``).

Shapes follow ``../shared/reference/trajectory-formats-more.md`` and carry the bulk real logs carry
beside the fields skillforge reads (snapshots, token counts, duplicated outputs, rich text), so that
the raw parse is not flattered. Each builder writes about ``size`` bytes of JSON under ``out`` and
returns the path to read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUTPUT = (
    "collected 12 items\n" + "tests/test_cart.py::test_total PASSED\n" * 40 + "1 failed, 11 passed in 0.4s\n"
)
THOUGHT = "The failing assertion compares a float total with a rounded string; check cart.py first. "


def _jsonl(path: Path, lines: list[Any]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(x) + "\n" for x in lines)
    path.write_text(text)
    return len(text)


def _doc(path: Path, value: Any, indent: int | None = None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=indent)
    path.write_text(text)
    return len(text)


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
        written += _doc(out / "chats" / f"session-2026-07-01T09-00-{n:08x}.json", doc, indent=2)
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
        written += _jsonl(out / "chats" / f"session-2026-08-01T09-00-{n:08x}.jsonl", lines)
        n += 1
    return out


# OpenCode ---------------------------------------------------------------------------------------------
def _opencode_parts(m: int) -> list[dict[str, Any]]:
    """One LLM step, as OpenCode writes it (the bash output repeated in metadata)."""
    return [
        {"type": "step-start", "snapshot": "4b1f9c0e" * 5},
        {"type": "reasoning", "text": THOUGHT, "time": {"start": 1, "end": 2}},
        {"type": "text", "text": "Running the tests. " * 5, "time": {"start": 1, "end": 2}},
        {
            "type": "tool",
            "callID": f"toolu_{m:022d}",
            "tool": "bash",
            "state": {
                "status": "completed",
                "input": {"command": "pytest -q", "description": "Run tests"},
                "output": OUTPUT,
                "title": "Run tests",
                "metadata": {"exit": 1, "output": OUTPUT, "description": "Run tests"},
                "time": {"start": 1785578409100, "end": 1785578410900},
            },
        },
        {
            "type": "step-finish",
            "reason": "tool-calls",
            "snapshot": "4b1f9c0e" * 5,
            "cost": 0.0041,
            "tokens": {"input": 1240, "output": 48, "reasoning": 0, "cache": {"read": 9600, "write": 0}},
        },
    ]


def _opencode_info(m: int) -> dict[str, Any]:
    role = "user" if m % 5 == 0 else "assistant"
    info: dict[str, Any] = {"role": role, "time": {"created": 1785578400000 + m}}
    if role == "assistant":
        info |= {"modelID": "claude-sonnet-4-5", "providerID": "anthropic", "cost": 0.0041, "mode": "build"}
    return info


def _messages(n: int) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    out = []
    for m in range(20):
        mid = f"msg_{n:08d}{m:04d}"
        info = _opencode_info(m)
        parts = (
            [{"type": "text", "text": "Fix the cart test."}] if info["role"] == "user" else _opencode_parts(m)
        )
        out.append((mid, info, [p | {"id": f"prt_{mid}{p_n}"} for p_n, p in enumerate(parts)]))
    return out


def opencode_tree(out: Path, size: int) -> Path:
    storage = out / "opencode" / "storage"
    for name in ("project", "todo"):
        (storage / name).mkdir(parents=True, exist_ok=True)
    written, n = 0, 0
    while written < size:
        sid = f"ses_{n:012d}"
        session = {"id": sid, "projectID": "4b1f9c0e", "directory": "/repo", "title": "Fix cart", "version": "1.1.4",
                   "time": {"created": 1785578400000, "updated": 1785578420000}}  # fmt: skip
        written += _doc(storage / "session" / "4b1f9c0e" / f"{sid}.json", session)
        for mid, info, parts in _messages(n):
            written += _doc(storage / "message" / sid / f"{mid}.json", {"id": mid, "sessionID": sid, **info})
            for part in parts:
                body = part | {"sessionID": sid, "messageID": mid}
                written += _doc(storage / "part" / mid / f"{part['id']}.json", body)
        n += 1
    return storage


_OC_SCHEMA = (
    "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, directory TEXT, title TEXT,"
    " version TEXT, time_created INTEGER, time_updated INTEGER);"
    "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER,"
    " data TEXT);"
    "CREATE INDEX message_session_idx ON message(session_id);"
    "CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, time_created INTEGER,"
    " time_updated INTEGER, data TEXT);"
    "CREATE INDEX part_session_idx ON part(session_id);"
)


def opencode_db(out: Path, size: int) -> Path:
    """OpenCode 1.2: ``session``, ``message`` and ``part`` tables (``data`` = JSON without the ids)."""
    path = out / "opencode.db"
    out.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(_OC_SCHEMA)
    written, n = 0, 0
    while written < size:
        sid = f"ses_{n:012d}"
        db.execute("INSERT INTO session VALUES (?, 'p', NULL, '/repo', 'Fix cart', '1.2.3', 0, 0)", (sid,))
        for m, (mid, info, parts) in enumerate(_messages(n)):
            data = json.dumps(info)
            db.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)", (mid, sid, m, m, data))
            rows = [(p["id"], mid, sid, json.dumps({k: v for k, v in p.items() if k != "id"})) for p in parts]
            db.executemany("INSERT INTO part VALUES (?, ?, ?, 0, 0, ?)", rows)
            written += len(data) + sum(len(r[3]) for r in rows)
        n += 1
    db.commit()
    db.close()
    return path


def _v2_rows(n: int) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    for m in range(20):
        if m % 5 == 0:
            rows.append(("user", {"text": "Fix the cart test.", "time": {"created": 1785578400000 + m}}))
            continue
        tool = {
            "type": "tool",
            "id": f"call_{n}_{m}",
            "name": "bash",
            "state": {
                "status": "completed",
                "input": {"command": "pytest -q", "description": "Run tests"},
                "content": [{"type": "text", "text": OUTPUT}],
                "structured": {"exit": 1},
                "result": OUTPUT,
            },
            "time": {"created": 1, "ran": 2, "completed": 3},
        }  # fmt: skip (the reference's 2.x tool shape)
        content = [
            {"type": "reasoning", "text": THOUGHT},
            {"type": "text", "text": "Running the tests. " * 5},
            tool,
        ]
        rows.append(("assistant", {"model": {"id": "gpt-5", "providerID": "openai"}, "content": content,
                                   "agent": "build", "tokens": {"input": 1240, "output": 48}, "cost": 0.0041, "finish": "tool-calls", "time": {"created": 1785578400000 + m}}))  # fmt: skip
    return rows


def opencode_v2(out: Path, size: int) -> Path:
    """OpenCode 2.x: the same ``session`` table and ``session_message`` rows ordered by ``seq``."""
    path = out / "opencode.db"
    out.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        _OC_SCHEMA
        + "CREATE TABLE session_message (id TEXT PRIMARY KEY, session_id TEXT, type TEXT, seq INTEGER,"
        " time_created INTEGER, time_updated INTEGER, data TEXT);"
        "CREATE INDEX session_message_idx ON session_message(session_id, seq);"
    )
    written, n = 0, 0
    while written < size:
        sid = f"ses_{n:012d}"
        db.execute("INSERT INTO session VALUES (?, 'p', NULL, '/repo', 'Fix cart', '2.0.1', 0, 0)", (sid,))
        rows = [(f"m{n}_{s}", sid, kind, s, json.dumps(data)) for s, (kind, data) in enumerate(_v2_rows(n))]
        db.executemany("INSERT INTO session_message VALUES (?, ?, ?, ?, 0, 0, ?)", rows)
        written += sum(len(r[4]) for r in rows)
        n += 1
    db.commit()
    db.close()
    return path


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
        written += _jsonl(
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
        written += _jsonl(out / "session-state" / f"0b8a2c1e-{s:08d}" / "events.jsonl", lines)
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
        _doc(trial / "result.json", {"verifier_result": {"rewards": {"reward": n % 2}}, "agent_info": {}})
        _doc(trial / "config.json", {"agent": {"name": "opencode"}})
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
