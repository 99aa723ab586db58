"""OpenCode reader, on self-written storage shaped as the reference describes it: the JSON tree (≤ 1.1),
the SQLite ``message``/``part`` tables (1.2) and the 2.x ``session_message`` table, subagent sessions,
a database still in WAL mode read without touching it, and bad rows skipped and counted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest import IngestReport, detect, opencode, read
from skillforge.model import StepKind, Trust

SES, CHILD = "ses_65e3d184bffeQ7wErT2yUi9o", "ses_65e3d0aa1ffeZ9xCvB3nMk1q"
USER, ASSIST = "msg_9a1c2e7a0001Aa1bCc2dDd3eEe", "msg_9a1c2e7b4001Xq8LmN2pR5tV"


def session(sid: str = SES, parent: str | None = None) -> dict[str, Any]:
    info = {
        "id": sid,
        "projectID": "4b1f9c0e",
        "directory": "/repo",
        "title": "Fix cart",
        "version": "1.1.4",
        "time": {"created": 1785578400000, "updated": 1785578420000},
    }
    return info | ({"parentID": parent} if parent else {})


def messages(sid: str = SES) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    user = {"id": USER, "sessionID": sid, "role": "user", "time": {"created": 1785578401000}}
    assistant = {
        "id": ASSIST,
        "sessionID": sid,
        "role": "assistant",
        "parentID": USER,
        "modelID": "claude-sonnet-4-5",
        "providerID": "anthropic",
        "time": {"created": 1785578402000},
        "error": {"name": "MessageAbortedError", "data": {"message": "aborted"}},
    }
    tool = {
        "status": "completed",
        "input": {"command": "pytest -q", "description": "Run tests"},
        "output": "1 failed, 3 passed",
        "metadata": {"exit": 1, "output": "1 failed"},
        "time": {"start": 1785578409100, "end": 1785578410900},
    }
    parts = [
        {"id": "prt_9a1c2e7c0001Ab3dEf6GhJ9kLm", "type": "step-start", "snapshot": "4b1f"},
        {"id": "prt_9a1c2e7c0002Ab3dEf6GhJ9kLm", "type": "reasoning", "text": "Baseline first."},
        {
            "id": "prt_9a1c2e8d2001Cd4eFg7HiK0lMn",
            "type": "tool",
            "callID": "toolu_01Ab",
            "tool": "bash",
            "state": tool,
        },
        {
            "id": "prt_9a1c2e8d2002Cd4eFg7HiK0lMn",
            "type": "tool",
            "callID": "toolu_02",
            "tool": "task",
            "state": {
                "status": "completed",
                "input": {"prompt": "review"},
                "output": "task_id: ok",
                "metadata": {"sessionId": CHILD},
            },
        },
        {
            "id": "prt_9a1c2e8d2003Cd4eFg7HiK0lMn",
            "type": "tool",
            "callID": "toolu_03",
            "tool": "edit",
            "state": {"status": "error", "input": {"filePath": "a.py"}, "error": "oldString not found"},
        },
        {
            "id": "prt_9a1c2e9f1001De5fGh8IjL1mNo",
            "type": "step-finish",
            "reason": "tool-calls",
            "cost": 0.0041,
        },
        {"id": "prt_9a1c2e9f1002De5fGh8IjL1mNo", "type": "text", "text": "Tests fail in cart.py."},
    ]
    prompt = [
        {"id": "prt_9a1c2e7a0001Zz", "type": "text", "text": "make the failing test pass"},
        {"id": "prt_9a1c2e7a0002Zz", "type": "text", "text": "<system-reminder>", "synthetic": True},
    ]
    return [(user, prompt), (assistant, parts)]


def dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def tree(root: Path) -> Path:
    storage = root / "opencode" / "storage"
    for info in (session(), session(CHILD, SES)):
        dump(storage / "session" / "4b1f9c0e" / f"{info['id']}.json", info)
        for msg, parts in messages(info["id"]) if info["id"] == SES else messages(CHILD)[:1]:
            dump(storage / "message" / info["id"] / f"{msg['id']}.json", msg)
            for part in parts:
                dump(storage / "part" / msg["id"] / f"{part['id']}.json", part)
    for name in ("project", "todo"):
        (storage / name).mkdir()
    return storage


def check_main(traj: Any) -> None:
    assert (traj.native_id, traj.cwd, traj.model, traj.task) == (
        SES,
        "/repo",
        "claude-sonnet-4-5",
        "make the failing test pass",
    )
    kinds = [s.kind for s in traj.steps]
    assert kinds == [
        StepKind.USER_MESSAGE,
        StepKind.USER_MESSAGE,
        StepKind.THOUGHT,
        StepKind.TOOL_CALL,
        StepKind.TOOL_RESULT,
        StepKind.TOOL_CALL,
        StepKind.TOOL_RESULT,
        StepKind.TOOL_CALL,
        StepKind.TOOL_RESULT,
        StepKind.ASSISTANT_MESSAGE,
        StepKind.USER_MESSAGE,
    ]
    assert traj.steps[1].trust is Trust.INJECTED
    bash, result = traj.steps[3], traj.steps[4]
    assert bash.text == "pytest -q" and result.pair == 3 and result.exit_code == 1 and result.is_error
    assert traj.steps[8].is_error and traj.steps[8].text == "oldString not found"
    assert traj.steps[-1].is_error and traj.steps[-1].text == "MessageAbortedError: aborted"
    assert traj.metadata["subagents"] == [CHILD] and traj.metadata["title"] == "Fix cart"
    assert traj.started_at == "2026-08-01T10:00:00.000Z"


def test_json_tree(tmp_path: Path) -> None:
    storage = tree(tmp_path)
    assert opencode.detect_dir(storage, None)
    report = IngestReport()
    found = {t.native_id: t for t in read([tmp_path], report)}
    check_main(found[SES])
    assert found[CHILD].parent_id == SES and found[CHILD].task == "make the failing test pass"
    # a child session's prompt is its parent agent's text, not typed by the person (it was PERSON)
    assert found[CHILD].steps[0].trust is Trust.AGENT and found[SES].steps[0].trust is Trust.PERSON
    assert report.formats["opencode"].files == 1 and not report.problems
    (one,) = read([storage / "session" / "4b1f9c0e" / f"{SES}.json"])  # a session file named alone
    check_main(one)


def database(path: Path, v2: bool = False) -> Path:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, directory TEXT, title TEXT,"
        " version TEXT, time_created INTEGER, time_updated INTEGER);"
        "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER,"
        " data TEXT);"
        "CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, time_created INTEGER,"
        " time_updated INTEGER, data TEXT);"
        "CREATE TABLE session_message (id TEXT PRIMARY KEY, session_id TEXT, type TEXT, seq INTEGER,"
        " time_created INTEGER, time_updated INTEGER, data TEXT);"
    )
    db.execute(
        "INSERT INTO session VALUES (?, 'p', NULL, '/repo', 'Fix cart', '1.2.3', 1785578400000, 1785578420000)",
        (SES,),
    )
    for n, (msg, parts) in enumerate(messages()):
        body = {k: v for k, v in msg.items() if k not in ("id", "sessionID")}
        db.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)", (msg["id"], SES, n, n, json.dumps(body)))
        for part in parts:
            db.execute(
                "INSERT INTO part VALUES (?, ?, ?, 0, 0, ?)", (part["id"], msg["id"], SES, json.dumps(part))
            )
    db.execute("INSERT INTO part VALUES ('prt_zzz', ?, ?, 0, 0, '{not json')", (ASSIST, SES))
    if v2:
        rows = [
            ("user", {"text": "make the failing test pass"}),
            (
                "assistant",
                {
                    "model": {"id": "gpt-5", "providerID": "openai"},
                    "content": [
                        {"type": "reasoning", "text": "Baseline."},
                        {
                            "type": "tool",
                            "id": "call_1",
                            "name": "bash",
                            "state": {
                                "status": "completed",
                                "input": {"command": "pytest -q"},
                                "result": "3 passed",
                            },
                        },
                        {"type": "text", "text": "All green."},
                    ],
                },
            ),
            ("model-switched", {}),
            ("shell", {"callID": "s1", "command": "git status", "output": "clean"}),
            ("mystery", {}),
        ]
        for seq, (kind, data) in enumerate(rows):
            db.execute(
                "INSERT INTO session_message VALUES (?, ?, ?, ?, 0, 0, ?)",
                (f"m{seq}", SES, kind, seq, json.dumps(data)),
            )
    db.commit()
    db.close()
    return path


def test_sqlite_v1_tables(tmp_path: Path) -> None:
    path = database(tmp_path / "opencode.db")
    assert detect(path) is opencode
    report = IngestReport()
    (traj,) = read([path], report)
    check_main(traj)
    assert traj.agent_version == "1.2.3"
    assert report.formats["opencode"].skipped["row whose data is not JSON"] == 1


def test_sqlite_v2_session_message_only(tmp_path: Path) -> None:
    report = IngestReport()
    (traj,) = read([database(tmp_path / "opencode.db", v2=True)], report)  # v1 rows are not read again
    assert [s.text for s in traj.steps] == [
        "make the failing test pass",
        "Baseline.",
        "pytest -q",
        "3 passed",
        "All green.",
        "$ git status\nclean",
    ]
    assert traj.model == "gpt-5" and traj.steps[3].pair == 2 and traj.steps[5].trust is Trust.INJECTED
    stats = report.formats["opencode"]
    assert stats.skipped == {"unknown message type mystery": 1}
    assert stats.ignored["model-switched (bookkeeping)"] == 1


def test_session_message_without_seq_and_sessions_only_in_the_v1_tables(tmp_path: Path) -> None:
    """OpenCode 1.x's ``session_message`` (packages/opencode/src/session/session.sql.ts) has no ``seq``
    column: rows are ordered by creation time and id; a session with no rows there is read from the v1
    ``message``/``part`` tables, which that version still writes."""
    path = database(tmp_path / "opencode.db")
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE session_message;"
        "CREATE TABLE session_message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, type TEXT NOT NULL,"
        " time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);"
    )
    db.execute(
        "INSERT INTO session VALUES ('ses_v2', 'p', NULL, '/repo', 'Other', '1.4.0', 1785578500000, 0)"
    )
    for row_id, kind, created, data in [
        ("msg_b", "assistant", 1785578501000, {"content": [{"type": "text", "text": "Second."}]}),
        ("msg_a", "user", 1785578500000, {"text": "First."}),
        ("msg_c", "synthetic", 1785578501000, {"text": "Third, same time, later id."}),
    ]:
        db.execute(
            "INSERT INTO session_message VALUES (?, 'ses_v2', ?, ?, ?, ?)",
            (row_id, kind, created, created, json.dumps(data)),
        )
    db.commit()
    db.close()
    report = IngestReport()
    by_id = {t.native_id: t for t in read([path], report)}
    check_main(by_id[SES])  # no session_message rows of its own: read from message/part
    assert [s.text for s in by_id["ses_v2"].steps] == ["First.", "Second.", "Third, same time, later id."]
    assert not any(p.fatal for p in report.problems)  # the fixture's one part that is not JSON is counted


def test_sessions_of_both_session_tables_are_read_once_and_a_bad_row_is_counted(tmp_path: Path) -> None:
    """A database with ``session_v2`` beside the v1 ``session`` table: the sessions of each are read (one
    in both is read once); a session row whose id is not text is skipped and counted, not fatal."""
    path = database(tmp_path / "opencode.db")
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE session_v2 (id TEXT PRIMARY KEY, directory TEXT, title TEXT, time_created INTEGER,"
        " data TEXT);"
    )
    db.execute("INSERT INTO session_v2 VALUES ('ses_new', '/repo', 'New', 1785578600000, '{}')")
    db.execute("INSERT INTO session_v2 VALUES (?, '/repo', 'Fix cart', 1785578400000, '{}')", (SES,))
    db.execute(
        "INSERT INTO session_v2 VALUES ('ses_bad', '/repo', 'Bad', 0, ?)", (json.dumps({"id": ["x"]}),)
    )
    db.execute(
        "INSERT INTO session_message VALUES ('n1', 'ses_new', 'user', 0, 0, 0, ?)",
        (json.dumps({"text": "add the export button"}),),
    )
    db.commit()
    db.close()
    report = IngestReport()
    by_id = {t.native_id: t for t in read([path], report)}
    assert sorted(by_id) == sorted([SES, "ses_new"])
    check_main(by_id[SES])
    assert [s.text for s in by_id["ses_new"].steps] == ["add the export button"]
    assert report.formats["opencode"].skipped["session without a text id"] == 1
    assert not any(p.fatal for p in report.problems)


def test_wal_database_read_from_a_copy_and_json_tree_beside_it_not_counted_twice(tmp_path: Path) -> None:
    root = tmp_path / "opencode"
    tree(tmp_path)
    path = database(root / "opencode.db")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("UPDATE session SET title = 'only in the log'")
    db.commit()  # the writer stays open, as a running OpenCode would
    assert (root / "opencode.db-wal").stat().st_size > 0
    wal = root / "opencode.db-wal"
    before = path.read_bytes(), wal.read_bytes()
    report = IngestReport()
    found = list(read([root], report))
    assert (path.read_bytes(), wal.read_bytes()) == before  # neither the database nor its log was touched
    db.close()
    assert [t.metadata["title"] for t in found] == ["only in the log"]
    assert (
        report.formats["opencode"].ignored["JSON storage already imported into opencode.db (read there)"] == 1
    )


def test_rows_are_ordered_as_sqlite_orders_them(tmp_path: Path) -> None:
    """Rows are sorted in Python (SQLite's sorter copied every row's data): the order must be ORDER BY's,
    NULLs first, numbers (int and real together) before text, text before blobs, ties broken by id."""
    from skillforge.ingest.opencode import _ordered

    db = sqlite3.connect(tmp_path / "order.db")
    db.execute("CREATE TABLE t (seq, id)")
    values = [(3, "b"), (None, "z"), ("7", "a"), (1.5, "c"), (2, "a"), (b"\x01", "d"), (2, "0"), (None, "y")]
    db.executemany("INSERT INTO t VALUES (?, ?)", values)
    expected = db.execute("SELECT seq, id FROM t ORDER BY seq, id").fetchall()
    assert _ordered(db.execute("SELECT seq, id FROM t").fetchall(), 0, 1) == expected
    assert _ordered([(2, "b"), (2.0, "a"), (1, "z")], 0, 1) == [(1, "z"), (2.0, "a"), (2, "b")]
    db.close()


def test_integers_beyond_64_bits_in_tool_inputs_read_as_orjson_reads_them(tmp_path: Path) -> None:
    """A 2.x row is read by orjson, which turns an integer beyond 64 bits into a float; a 1.2 part is
    decoded by msgspec, which keeps it whole, so its input goes through json_safe: both come out as
    orjson reads the JSON, and the trajectory serialises."""
    big = 2**70
    path = database(tmp_path / "opencode.db", v2=True)
    db = sqlite3.connect(path)
    data = json.dumps(
        {
            "content": [
                {
                    "type": "tool",
                    "id": "c9",
                    "name": "bash",
                    "state": {
                        "status": "completed",
                        "input": {"command": "ls", "n": big, "deep": [{"m": -big}]},
                        "result": "ok",
                    },
                }
            ]
        }
    )
    db.execute("INSERT INTO session_message VALUES ('m9', ?, 'assistant', 9, 0, 0, ?)", (SES, data))
    db.commit()
    db.close()
    (traj,) = read([path])
    (call,) = [s for s in traj.steps if s.call_id == "c9" and s.kind is StepKind.TOOL_CALL]
    assert call.input == orjson.loads(data)["content"][0]["state"]["input"]
    assert call.input["n"] == float(big) and call.input["deep"] == [{"m": -float(big)}]
    orjson.dumps(traj.to_dict())

    v1 = database(tmp_path / "v1.db")
    db = sqlite3.connect(v1)
    part = {
        "id": "prt_big",
        "type": "tool",
        "callID": "c8",
        "tool": "bash",
        "state": {"status": "completed", "input": {"command": "ls", "n": big}, "output": "ok"},
    }
    db.execute("INSERT INTO part VALUES ('prt_big', ?, ?, 0, 0, ?)", (ASSIST, SES, json.dumps(part)))
    db.commit()
    db.close()
    (traj,) = read([v1])
    (call,) = [s for s in traj.steps if s.call_id == "c8" and s.kind is StepKind.TOOL_CALL]
    assert call.input == {"command": "ls", "n": float(big)}
    orjson.dumps(traj.to_dict())


def test_v2_row_times_and_content_of_an_odd_type(tmp_path: Path) -> None:
    """A 2.x row's ``time.created`` (epoch ms) is its steps' timestamp; a time that is not an object gives
    none; a content item whose type is not text (a list) is skipped and counted by the type it shows."""
    path = database(tmp_path / "opencode.db", v2=True)
    db = sqlite3.connect(path)
    rows = [
        ("t1", {"time": {"created": 1785578400123}, "content": [{"type": "text", "text": "timed"}]}),
        ("t2", {"time": [1], "content": [{"type": "text", "text": "untimed"}, {"type": ["text"]}]}),
    ]
    for seq, (rid, data) in enumerate(rows, start=10):
        db.execute(
            "INSERT INTO session_message VALUES (?, ?, 'assistant', ?, 0, 0, ?)",
            (rid, SES, seq, json.dumps(data)),
        )
    db.commit()
    db.close()
    report = IngestReport()
    (traj,) = read([path], report)
    stamps = {s.text: s.timestamp for s in traj.steps}
    assert stamps["timed"] == "2026-08-01T10:00:00.123Z" and stamps["untimed"] is None
    assert report.formats["opencode"].skipped["unknown content type None"] == 1
