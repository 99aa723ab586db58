"""Regressions found by a structure-aware fuzzer (one value of a log swapped for another type, a huge
number, a BLOB in a database column): each input made a reader raise, which failed the whole file as
"unexpected content" (or, in detection, escaped ``read`` as a traceback). Each test holds the smallest
input found for one crash site; the bad record is now skipped (or its bad field read as absent) and the
rest of the file is read."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from skillforge.ingest import IngestReport, codex, read
from skillforge.ingest.atif_refs import ref_paths
from skillforge.ingest.atif_write import to_atif
from skillforge.ingest.base import text_of
from skillforge.ingest.reading import json_safe
from skillforge.model import StepKind, Trajectory
from tests.test_ingest_cursor import state_db
from tests.test_ingest_opencode import database


def read_all(path: Path) -> tuple[list[Trajectory], IngestReport]:
    report = IngestReport()
    trajs = list(read([path], report))
    for traj in trajs:  # what `ingest --json` and `--to atif` write must serialise
        orjson.dumps(traj.to_dict(), option=orjson.OPT_NON_STR_KEYS)
        orjson.dumps(to_atif(traj), option=orjson.OPT_NON_STR_KEYS)
    return trajs, report


def whole_file_failures(report: IngestReport) -> list[str]:
    return [
        str(p) for p in report.problems if p.fatal and ("unexpected" in p.message or "nested" in p.message)
    ]


def texts(traj: Trajectory) -> list[str]:
    return [s.text for s in traj.steps]


def jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def skipped(report: IngestReport) -> int:
    return sum(sum(s.skipped.values()) + sum(s.ignored.values()) for s in report.formats.values())


# --- Claude Code --------------------------------------------------------------------------------------

CLAUDE = {"parentUuid": None, "sessionId": "s-1", "cwd": "/repo", "timestamp": "2026-08-05T10:00:00.000Z"}


def claude(uuid: str, rtype: Any, role: str, content: Any, parent: str | None = None) -> dict[str, Any]:
    message = {"role": role, "content": content}
    return {**CLAUDE, "parentUuid": parent, "uuid": uuid, "type": rtype, "message": message}


@pytest.mark.parametrize(
    "first",
    [
        claude("u0", {"user": 1}, "user", "hi"),  # a message line whose type is an object
        {"type": ["summary"], "leafUuid": "x"},  # a bookkeeping line whose type is a list
    ],
)
def test_a_first_line_whose_type_is_not_text_is_one_line_not_a_traceback(tmp_path: Path, first: Any) -> None:
    """Detection looked the type up in a set: a list or an object there raised out of ``read``."""
    path = jsonl(tmp_path / "s.jsonl", [first, claude("u1", "user", "user", "fix it")])
    trajs, report = read_all(path)
    assert trajs == [] and report.unrecognised == [str(path)]


def test_a_claude_record_whose_type_is_a_list_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    lines = [
        claude("u1", "user", "user", "fix the test"),
        claude("a1", ["assistant"], "assistant", [{"type": "text", "text": "lost"}], "u1"),
        claude("a2", "assistant", "assistant", [{"type": "text", "text": "fixed"}], "u1"),
    ]
    (traj,), report = read_all(jsonl(tmp_path / "s.jsonl", lines))
    assert not whole_file_failures(report)
    assert "fix the test" in texts(traj) and "fixed" in texts(traj) and "lost" not in texts(traj)
    assert skipped(report) == 1  # the bad record, counted


# --- Codex --------------------------------------------------------------------------------------------

CODEX_META = {
    "timestamp": "2026-05-10T09:00:00.000Z",
    "type": "session_meta",
    "payload": {"id": "019e0000-cccc-7000-8000-000000000003", "cwd": "/work", "cli_version": "0.125.0"},
}


def codex_item(payload: dict[str, Any], rtype: str = "response_item") -> dict[str, Any]:
    return {"timestamp": "2026-05-10T09:00:01.000Z", "type": rtype, "payload": payload}


def codex_message(role: str, text: str) -> dict[str, Any]:
    return codex_item({"type": "message", "role": role, "content": [{"type": "input_text", "text": text}]})


@pytest.mark.parametrize(
    "bad",
    [
        codex_item({"type": ["message"], "role": "user", "content": "x"}),  # an item's type a list
        codex_item({"type": {"t": "task_started"}}, "event_msg"),  # an event's type an object
        codex_item({"type": "message", "role": "user", "content": [{"type": 1.5, "text": "x"}]}),
    ],
)
def test_a_codex_item_with_a_type_of_another_kind_does_not_end_the_file(tmp_path: Path, bad: Any) -> None:
    lines = [CODEX_META, codex_message("user", "review the change"), bad, codex_message("assistant", "done")]
    (traj,), report = read_all(jsonl(tmp_path / "rollout-2026-05-10T09-00-00-x.jsonl", lines))
    assert not whole_file_failures(report)
    assert "review the change" in texts(traj) and "done" in texts(traj)


def test_a_content_block_whose_type_is_a_number_keeps_its_text() -> None:
    assert text_of([{"type": 1.5, "text": "kept"}, {"type": None, "text": "too"}]) == "kept\ntoo"


# --- Copilot CLI --------------------------------------------------------------------------------------


def ev(kind: str, data: dict[str, Any], n: int) -> dict[str, Any]:
    parent = f"e{n - 1}" if n else None
    return {
        "type": kind,
        "data": data,
        "id": f"e{n}",
        "timestamp": f"2026-08-05T10:00:0{n}Z",
        "parentId": parent,
    }


def copilot_lines(request: Any, complete: dict[str, Any], start: Any = "c0") -> list[Any]:
    return [
        ev("session.start", {"sessionId": "049410b4-c1df-44ee-87a5-caa1c349091e"}, 0),
        ev("user.message", {"content": "build it"}, 1),
        ev("assistant.message", {"content": "Building.", "toolRequests": request}, 2),
        ev("tool.execution_start", {"toolCallId": start, "toolName": "bash"}, 3),
        ev("tool.execution_complete", complete, 3),
        ev("assistant.message", {"content": "Built."}, 4),
    ]


CALL = [{"toolCallId": "c0", "name": "bash", "arguments": {"command": "make"}}]


@pytest.mark.parametrize(
    ("request_", "complete", "start"),
    [
        (1.5, {"toolCallId": "c0", "success": True, "result": {"content": "ok"}}, "c0"),  # requests: a number
        (
            CALL,
            {"toolCallId": "c0", "success": True, "result": {"contents": [{"type": ["shell_exit"]}]}},
            "c0",
        ),
        (CALL, {"toolCallId": "c0", "success": True, "result": {"content": "ok"}}, ["c0"]),  # an id: a list
    ],
)
def test_copilot_fields_of_another_type_do_not_end_the_file(
    tmp_path: Path, request_: Any, complete: dict[str, Any], start: Any
) -> None:
    (traj,), report = read_all(jsonl(tmp_path / "events.jsonl", copilot_lines(request_, complete, start)))
    assert not whole_file_failures(report)
    assert "build it" in texts(traj) and "Built." in texts(traj)


# --- Gemini CLI ---------------------------------------------------------------------------------------

GEMINI_HEADER = {
    "sessionId": "7c1e5a20-4f1b",
    "projectHash": "9f2b" * 16,
    "startTime": "2026-08-01T10:00:00Z",
}


def gemini(mid: str, **fields: Any) -> dict[str, Any]:
    return {"id": mid, "timestamp": "2026-08-01T10:00:09.000Z", "type": "gemini", "content": "", **fields}


def shell(**fields: Any) -> dict[str, Any]:
    return {
        "id": "c0",
        "name": "run_shell_command",
        "args": {"command": "pytest"},
        "status": "success",
        **fields,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "u2", "type": [["user"]], "content": [{"text": "x"}]},  # a message's type: a list
        gemini("g0", thoughts=1.5),
        gemini("g0", toolCalls=1),
        gemini("g0", toolCalls=[shell(status=["success"])]),
    ],
)
def test_gemini_fields_of_another_type_do_not_end_the_file(tmp_path: Path, bad: Any) -> None:
    user = {
        "id": "u1",
        "timestamp": "2026-08-01T10:00:05.000Z",
        "type": "user",
        "content": [{"text": "fix it"}],
    }
    lines = [GEMINI_HEADER, user, bad, gemini("g1", content="All green.")]
    (traj,), report = read_all(jsonl(tmp_path / "session-2026-08-01T10-00-7c1e5a20.jsonl", lines))
    assert not whole_file_failures(report)
    assert "fix it" in texts(traj) and "All green." in texts(traj)


# --- ATIF ---------------------------------------------------------------------------------------------


def atif_doc(calls: Any) -> dict[str, Any]:
    return {
        "schema_version": "ATIF-v1.6",
        "session_id": "s-1",
        "agent": {"name": "terminus-2", "version": "2.0"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "fix the test"},
            {"step_id": 2, "source": "agent", "message": "Running.", "tool_calls": calls},
            {"step_id": 3, "source": "agent", "message": "Fixed."},
        ],
    }


@pytest.mark.parametrize(
    ("calls", "kinds"),
    [
        (5, 0),  # tool_calls a number
        (
            [
                {
                    "tool_call_id": "t1",
                    "function_name": "bash",
                    "arguments": {"command": "ls"},
                    "extra": {"input_wrapped": "x"},
                }
            ],
            1,
        ),
    ],
)
def test_atif_tool_calls_of_another_shape_do_not_end_the_document(
    tmp_path: Path, calls: Any, kinds: int
) -> None:
    path = tmp_path / "trajectory.json"
    path.write_text(json.dumps(atif_doc(calls)), encoding="utf-8")
    (traj,), report = read_all(path)
    assert not whole_file_failures(report)
    assert "fix the test" in texts(traj) and "Fixed." in texts(traj)
    assert sum(s.kind is StepKind.TOOL_CALL for s in traj.steps) == kinds


# --- SWE-agent ----------------------------------------------------------------------------------------


def test_a_swe_agent_message_whose_content_is_a_number_no_double_holds_is_read(tmp_path: Path) -> None:
    """msgspec keeps the field raw and accepts a 5000-digit integer; orjson, flattening it, refused it."""
    big = "9" * 5000  # more digits than Python turns into an int
    body = (
        '{"environment":"swe_main","trajectory":[],"history":['
        '{"role":"system","content":"You are an autonomous programmer.","agent":"primary"},'
        '{"role":"user","content":"fix the date parser","agent":"primary"},'
        f'{{"role":"user","content":{big},"agent":"primary"}}]}}'
    )
    path = tmp_path / "acme__dates-12.traj"
    path.write_text(body, encoding="utf-8")
    (traj,), report = read_all(path)
    assert not whole_file_failures(report)
    assert "fix the date parser" in texts(traj) and big in texts(traj)


# --- OpenCode -----------------------------------------------------------------------------------------


def test_opencode_ids_and_values_stored_as_blobs_read_and_serialise(tmp_path: Path) -> None:
    """A BLOB message id became the steps' source record (bytes: ``ingest --json`` failed on it), and
    a BLOB in the session row failed the session's digest."""
    path = database(tmp_path / "opencode.db")
    db = sqlite3.connect(path)
    db.execute("UPDATE message SET id = CAST(id AS BLOB)")
    db.execute("UPDATE session SET title = X'FF00FE'")
    db.commit()
    db.close()
    trajs, report = read_all(path)
    assert not whole_file_failures(report)
    assert trajs and all(isinstance(s.source.record, str | None) for t in trajs for s in t.steps)


def test_an_opencode_part_whose_type_is_a_list_is_not_the_end_of_the_database(tmp_path: Path) -> None:
    path = database(tmp_path / "opencode.db")
    db = sqlite3.connect(path)
    (before,) = db.execute("SELECT count(*) FROM part").fetchone()
    db.execute("UPDATE part SET data = json_set(data, '$.type', json('[1, \"a\"]')) WHERE rowid = 1")
    db.commit()
    db.close()
    (traj,), report = read_all(path)
    assert not whole_file_failures(report) and before > 1 and traj.steps


# --- Cursor -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "UPDATE cursorDiskKV SET value = 12345 WHERE key = 'bubbleId:c1:b2'",  # a bubble stored as a number
        # a bubble nested deeper than msgspec decodes (orjson refuses it as JSON: skipped, counted)
        "UPDATE cursorDiskKV SET value = '{\"thinking\": ' || printf('%.5000c', '[') || printf('%.5000c', ']') || '}'"
        " WHERE key = 'bubbleId:c1:b2'",
        "UPDATE cursorDiskKV SET value = json_set(value, '$.fullConversationHeadersOnly', 1.5)"
        " WHERE key = 'composerData:c2'",
    ],
)
def test_cursor_values_of_another_type_do_not_end_the_database(tmp_path: Path, update: str) -> None:
    path = state_db(tmp_path / "state.vscdb")
    db = sqlite3.connect(path)
    db.execute(update)
    db.commit()
    db.close()
    trajs, report = read_all(path)
    assert not whole_file_failures(report)
    main = next(t for t in trajs if "make the tests pass" in texts(t))
    assert "npm test" in " ".join(texts(main))


# --- integers beyond 64 bits kept in metadata -----------------------------------------------------------

SWE_HISTORY = (
    '"history":[{"role":"system","content":"You are an autonomous programmer.","agent":"primary"},'
    '{"role":"user","content":"fix the date parser","agent":"primary"}]'
)


def test_a_swe_agent_exit_status_beyond_64_bits_is_written_by_ingest_json(tmp_path: Path) -> None:
    """It went to the metadata as it was: orjson (``ingest --json``) refused the trajectory."""
    path = tmp_path / "acme__dates-12.traj"
    path.write_text(
        f'{{"environment":"swe_main","trajectory":[],{SWE_HISTORY},"info":{{"exit_status":{2**70}}}}}'
    )
    (traj,), report = read_all(path)
    assert traj.metadata["exit_status"] == float(2**70) and not report.problems


def test_a_mini_swe_agent_trajectory_format_beyond_64_bits_is_written_by_ingest_json(tmp_path: Path) -> None:
    path = tmp_path / "acme__slugs-3.traj.json"
    doc = json.loads(Path("tests/fixtures/ingest/mini/acme__slugs-3.traj.json").read_text(encoding="utf-8"))
    doc["trajectory_format"] = 2**70
    path.write_text(json.dumps(doc), encoding="utf-8")
    (traj,), _ = read_all(path)
    assert traj.metadata["trajectory_format"] == float(2**70)


def test_json_safe_turns_an_integer_beyond_a_double_into_an_infinity() -> None:
    assert json_safe({"n": [10**400, -(10**400), 2**64, 5]}) == {"n": [math.inf, -math.inf, float(2**64), 5]}


# --- arrays holding a number, found in a second run --------------------------------------------------------


def test_openhands_activated_skills_that_are_a_number_do_not_end_the_conversation(tmp_path: Path) -> None:
    conv = tmp_path / "0a1b2c3d"
    shutil.copytree(Path("tests/fixtures/ingest/openhands/v1conv/0a1b2c3d"), conv)
    event = conv / "events" / "event-00001-e1.json"
    doc = json.loads(event.read_text(encoding="utf-8"))
    doc["activated_skills"] = 1.5
    event.write_text(json.dumps(doc), encoding="utf-8")
    (traj,), report = read_all(conv)
    assert not whole_file_failures(report) and "Add a --verbose flag to the CLI" in texts(traj)


def test_claude_ide_diagnostics_of_another_shape_keep_the_attachment(tmp_path: Path) -> None:
    files = [
        {"uri": "/r/a.py", "diagnostics": 7},
        {"uri": "/r/b.py", "diagnostics": [{"range": [1], "message": "m"}]},
    ]
    attachment = {"type": "diagnostics", "files": files}
    lines = [
        claude("u1", "user", "user", "fix the lint"),
        {**claude("t1", "attachment", "user", "", "u1"), "attachment": attachment},
        claude("a1", "assistant", "assistant", [{"type": "text", "text": "fixed"}], "t1"),
    ]
    (traj,), report = read_all(jsonl(tmp_path / "s.jsonl", lines))
    assert not whole_file_failures(report) and "fixed" in texts(traj)
    assert any("[IDE diagnostics]" in t for t in texts(traj))


def test_cursor_sub_composer_ids_that_are_a_number_do_not_end_the_database(tmp_path: Path) -> None:
    path = state_db(tmp_path / "state.vscdb")
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE cursorDiskKV SET value = json_set(value, '$.subComposerIds', 3) WHERE key = 'composerData:c1'"
    )
    db.commit()
    db.close()
    trajs, report = read_all(path)
    assert not whole_file_failures(report) and any("make the tests pass" in texts(t) for t in trajs)


def test_an_opencode_assistant_row_whose_content_is_a_number_is_not_the_end_of_the_session(
    tmp_path: Path,
) -> None:
    path = database(tmp_path / "opencode.db", v2=True)
    db = sqlite3.connect(path)
    db.execute("UPDATE session_message SET data = json_set(data, '$.content', 4) WHERE type = 'assistant'")
    db.commit()
    db.close()
    (traj,), report = read_all(path)
    assert not whole_file_failures(report) and "make the failing test pass" in texts(traj)


def test_subagent_refs_of_a_document_whose_steps_are_a_number_are_none() -> None:
    assert ref_paths({"steps": 5}) == [] and ref_paths({"steps": [5, {"observation": 1}]}) == []


def test_a_codex_first_line_whose_type_is_a_list_is_not_codex(tmp_path: Path) -> None:
    line = {**CODEX_META, "type": ["session_meta"]}
    assert codex.detect(tmp_path / "r.jsonl", json.dumps(line).encode() + b"\n") is False


def test_a_claude_attachment_whose_type_is_a_list_is_skipped_and_counted(tmp_path: Path) -> None:
    """Found by the fourth run: the attachment's type was looked up in a set of ignored ones."""
    lines = [
        claude("u1", "user", "user", "fix the lint"),
        {
            **claude("t1", "attachment", "user", "", "u1"),
            "attachment": {"type": ["hook_success"], "content": "x"},
        },
        claude("a1", "assistant", "assistant", [{"type": "text", "text": "fixed"}], "t1"),
    ]
    (traj,), report = read_all(jsonl(tmp_path / "s.jsonl", lines))
    assert not whole_file_failures(report) and "fixed" in texts(traj) and skipped(report) == 1


def test_a_claude_inline_subagent_message_whose_type_is_a_list_is_not_the_end_of_the_transcript(
    tmp_path: Path,
) -> None:
    """An ``agent_progress`` record carries a subagent's message; its type was looked up in a set."""
    inner = {"type": ["user"], "message": {"role": "user", "content": "x"}, "uuid": "i1"}
    data = {"type": "agent_progress", "agentId": "a1", "message": inner}
    progress = {**CLAUDE, "parentUuid": "u1", "uuid": "p1", "type": "progress", "data": data}
    lines = [
        claude("u1", "user", "user", "fix the test"),
        progress,
        claude("a2", "assistant", "assistant", [{"type": "text", "text": "fixed"}], "u1"),
    ]
    (traj,), report = read_all(jsonl(tmp_path / "s.jsonl", lines))
    assert not whole_file_failures(report) and texts(traj) == ["fix the test", "fixed"]
