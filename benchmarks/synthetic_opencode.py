"""Synthetic OpenCode storage for ``benchmarks/ingest.py``, shaped as the reference describes each
generation: the JSON tree (≤ 1.1), the SQLite ``message``/``part`` tables (1.2) and the 2.x
``session_message`` table."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from synthetic_common import OUTPUT, THOUGHT, write_doc


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
        written += write_doc(storage / "session" / "4b1f9c0e" / f"{sid}.json", session)
        for mid, info, parts in _messages(n):
            written += write_doc(
                storage / "message" / sid / f"{mid}.json", {"id": mid, "sessionID": sid, **info}
            )
            for part in parts:
                body = part | {"sessionID": sid, "messageID": mid}
                written += write_doc(storage / "part" / mid / f"{part['id']}.json", body)
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
