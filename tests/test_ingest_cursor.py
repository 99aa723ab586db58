"""Cursor reader, on self-written data shaped as the reference describes it: agent transcripts (no tool
results, ``<user_query>`` prompts, ``turn_ended`` markers, subagents) and the IDE's ``state.vscdb``
(bubble order from the headers, ``toolFormerData`` holding call and result, empty and purged bubbles,
secrets beside the data never read), with bad records skipped and counted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, cursor, detect, read
from skillforge.model import StepKind, Trust

TID = "3f0c9a1e-0000-4000-8000-000000000001"


def transcript_lines() -> list[Any]:
    return [
        {
            "role": "user",
            "message": {
                "content": [
                    {
                        "type": "text",
                        "text": "<timestamp>Mon</timestamp>\n<user_query>\nrun the tests\n</user_query>",
                    }
                ]
            },
        },
        {
            "role": "assistant",
            "message": {
                "content": [
                    {"type": "thinking", "thinking": "npm test is the runner"},
                    {"type": "text", "text": "Running them."},
                    {
                        "type": "tool_use",
                        "name": "Shell",
                        "input": {"command": "npm test", "working_directory": "/repo"},
                    },
                    {"type": "tool_use", "name": "Read", "input": {"path": "/repo/cart.js"}},
                    {"type": "image", "source": {}},
                ]
            },
        },
        {"type": "turn_ended", "status": "success"},
        {"role": "user", "message": "no content list"},
    ]


def test_agent_transcript(tmp_path: Path) -> None:
    folder = tmp_path / "projects" / "home-me-repo" / "agent-transcripts" / TID
    folder.mkdir(parents=True)
    main = folder / f"{TID}.jsonl"
    main.write_text("".join(json.dumps(x) + "\n" for x in transcript_lines()) + "{broken\n")
    (folder / "subagents").mkdir()
    (folder / "subagents" / "sub1.jsonl").write_text(json.dumps(transcript_lines()[1]) + "\n")
    assert detect(main) is cursor
    report = IngestReport()
    found = {t.native_id: t for t in read([tmp_path], report)}
    traj, sub = found[TID], found[f"{TID}/sub1"]
    assert traj.task == "run the tests" and traj.cwd == "/repo"
    assert [s.kind for s in traj.steps] == [
        StepKind.USER_MESSAGE,
        StepKind.THOUGHT,
        StepKind.ASSISTANT_MESSAGE,
        StepKind.TOOL_CALL,
        StepKind.TOOL_CALL,
    ]
    assert traj.steps[3].text == "npm test" and traj.steps[3].pair is None
    assert traj.metadata["tool_results"].startswith("not recorded")
    assert traj.metadata["turn_status"] == {"success": 1}
    assert sub.parent_id == TID and len(sub.tool_calls) == 2
    assert traj.steps[0].trust is Trust.PERSON
    stats = report.formats["cursor"]
    assert stats.skipped == {
        "unknown content block image": 2,
        "line without role and message content": 1,
        "invalid JSON": 1,
    }


def test_a_subagents_prompt_is_its_task_and_agent_text(tmp_path: Path) -> None:
    """A subagent transcript opens with the parent agent's prompt, not wrapped in ``<user_query>``: it was
    read as injected context, and the subagent had no task."""
    folder = tmp_path / "agent-transcripts" / TID / "subagents"
    folder.mkdir(parents=True)
    prompt = {
        "role": "user",
        "message": {"content": [{"type": "text", "text": " Find where totals round\n"}]},
    }
    for name, lines in (("sub1", [prompt, transcript_lines()[1]]), ("sub2", [transcript_lines()[0]])):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    found = {t.native_id: t for t in read([tmp_path])}
    sub1, sub2 = found[f"{TID}/sub1"], found[f"{TID}/sub2"]
    assert sub1.task == "Find where totals round" and sub1.steps[0].trust is Trust.AGENT
    assert sub2.task == "run the tests" and sub2.steps[0].trust is Trust.AGENT  # wrapped, still the parent's


def bubble(bid: str, kind: int, text: str = "", **extra: Any) -> tuple[str, dict[str, Any]]:
    return bid, {"_v": 3, "type": kind, "bubbleId": bid, "text": text, **extra}


def state_db(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    db.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    db.execute("INSERT INTO ItemTable VALUES ('cursorAuth/accessToken', 'sk-secret-never-read')")
    bubbles = [
        bubble(
            "b3",
            2,
            "",
            toolFormerData={
                "toolCallId": "toolu_01",
                "name": "run_terminal_command_v2",
                "rawArgs": json.dumps({"command": "npm test"}),
                "result": json.dumps({"output": "2 passing", "exitCode": 0}),
                "status": "completed",
            },
        ),
        bubble("b1", 1, "make the tests pass"),
        bubble("b2", 2, "Looking.", thinking={"text": "check package.json"}),
        bubble(
            "b4",
            2,
            "",
            toolFormerData={
                "toolCallId": "toolu_02",
                "name": "edit_file",
                "rawArgs": '{"target_file": "a.js"}',
                "status": "error",
            },
        ),
        bubble("b5", 2, ""),  # an empty streaming shell
    ]
    composer = {
        "_v": 10,
        "composerId": "c1",
        "name": "Fix tests",
        "createdAt": 1785578400000,
        "status": "completed",
        "modelConfig": {"modelName": "claude-4.5-sonnet"},
        "workspaceIdentifier": {"uri": {"fsPath": "/repo"}},
        "subComposerIds": ["c2"],
        "blobEncryptionKey": "never-copied",
        "fullConversationHeadersOnly": [
            {"bubbleId": b, "type": 1} for b in ("b1", "b2", "b3", "b4", "b5", "b6", "gone")
        ],
    }
    rows = [("composerData:c1", json.dumps(composer))]
    rows += [(f"bubbleId:c1:{bid}", json.dumps(body)) for bid, body in bubbles]
    rows += [("bubbleId:c1:b6", None)]
    child = {"composerId": "c2", "fullConversationHeadersOnly": [{"bubbleId": "x1", "type": 1}]}
    rows += [
        ("composerData:c2", json.dumps(child)),
        ("bubbleId:c2:x1", json.dumps(bubble("x1", 1, "sub task")[1])),
    ]
    rows += [("composerData:c3", json.dumps({"composerId": "c3", "fullConversationHeadersOnly": []}))]
    rows += [("composerData:c4", "{not json"), ("checkpointId:c1:1", "{}")]
    db.executemany("INSERT INTO cursorDiskKV VALUES (?, ?)", rows)
    db.commit()
    db.close()
    return path


def test_ide_database(tmp_path: Path) -> None:
    path = state_db(tmp_path / "state.vscdb")
    assert detect(path) is cursor
    report = IngestReport()
    found = {t.native_id: t for t in read([tmp_path], report)}
    assert set(found) == {"c1", "c2"}
    traj = found["c1"]
    assert [s.text for s in traj.steps] == [
        "make the tests pass",
        "check package.json",
        "Looking.",
        "npm test",
        "2 passing",
        '{"target_file":"a.js"}',
    ]
    assert traj.steps[4].pair == 3 and traj.steps[4].exit_code == 0 and not traj.steps[4].is_error
    assert traj.steps[0].trust is Trust.PERSON and traj.task == "make the tests pass"
    assert (traj.model, traj.cwd, traj.metadata["title"]) == ("claude-4.5-sonnet", "/repo", "Fix tests")
    assert traj.metadata["tool_results"] == "missing for 1 call(s)"
    assert found["c2"].parent_id == "c1"
    dumped = json.dumps([t.to_dict() for t in found.values()])
    assert "never-copied" not in dumped and "sk-secret" not in dumped
    stats = report.formats["cursor"]
    assert stats.skipped == {"value that is not JSON": 1}
    assert stats.ignored["empty bubble (a streaming shell)"] == 1
    assert stats.ignored["purged bubble (NULL value)"] == 1
    assert stats.ignored["composer with no messages"] == 1
    assert stats.ignored["bubble named in the headers but not stored"] == 1


def test_workspace_database_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "workspace.vscdb"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE ItemTable (key TEXT, value BLOB)")
    db.commit()
    db.close()
    assert detect(path) is None
    report = IngestReport()
    assert list(read([tmp_path], report)) == []
    assert report.passed_over["binary file"] == 1


def cursor_home(home: Path, db_at: Path | None) -> None:
    """A home folder with one agent transcript (and a file beside the transcripts folder that is not
    one), and the IDE database at ``db_at`` when given."""
    folder = home / ".cursor" / "projects" / "home-me-repo" / "agent-transcripts" / TID
    folder.mkdir(parents=True)
    (folder / f"{TID}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in transcript_lines()[:3]))
    (home / ".cursor" / "projects" / "home-me-repo" / "repo.json").write_text('{"not": "a transcript"}')
    if db_at is not None:
        db_at.parent.mkdir(parents=True)
        state_db(db_at)


def test_from_cursor_reads_transcripts_and_the_ide_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    cursor_home(tmp_path, tmp_path / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb")
    res = cli("ingest", "--from", "cursor", "--to", "json")
    assert res.code == 3 and "value that is not JSON: composerData:c4" in res.err  # the fixture's bad row
    ids = {json.loads(line)["native_id"] for line in res.out.splitlines()}
    assert ids == {TID, "c1", "c2"}  # the transcript and both composers; repo.json is not read


def test_cursor_database_location_per_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillforge.ingest.locations import cursor_db, cursor_paths

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    tail = Path("Cursor", "User", "globalStorage", "state.vscdb")
    assert cursor_db("linux") == tmp_path / "xdg" / tail
    assert cursor_db("darwin") == tmp_path / "Library" / "Application Support" / tail
    assert cursor_db("win32") == tmp_path / "AppData" / "Roaming" / tail
    state_db_path = tmp_path / "AppData" / "Roaming" / tail
    state_db_path.parent.mkdir(parents=True)
    state_db(state_db_path)
    assert cursor_paths("win32") == [state_db_path]  # no transcripts: the database alone is enough
    monkeypatch.delenv("APPDATA")
    assert cursor_db("win32") == tmp_path / "AppData" / "Roaming" / tail  # %APPDATA%'s usual place


def test_from_cursor_with_nothing_there_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    (tmp_path / ".cursor" / "projects" / "p").mkdir(parents=True)  # a project with no transcripts
    res = cli("ingest", "--from", "cursor")
    assert res.code == 1 and "Traceback" not in res.err
    line, hint = [line for line in res.err.splitlines() if line.strip()]  # as every --from agent's
    assert line.startswith("skillforge: error: ") and "cursor keeps no logs here" in line
    assert "state.vscdb" in line and "agent-transcripts" in line and "hint:" in hint


@pytest.mark.parametrize(
    "args",
    [
        {"command": "npm test", "working_directory": "/repo"},
        {"command": "ls", "working_directory": "/repo", "workdir": "/w"},
        {"command": "ls", "working_directory": "/repo", "dir_path": "/d"},
        {"command": "ls", "working_directory": "", "dir_path": "/d"},
        {"command": "ls", "working_directory": 3},
        {"command": "ls", "working_directory": "/repo", "cwd": "/c"},
        {"command": "ls", "cwd": "/c", "working_directory": "/repo"},
        {"command": ["bash", "-lc", "make"], "working_directory": "/repo"},
        {"command": ["apply_patch", "*** Begin Patch\n*** Update File: a.py\n"], "working_directory": "/r"},
        {"command": "ls"},
    ],
)
def test_cursor_shell_decodes_as_renaming_the_arguments(args: dict[str, Any]) -> None:
    """Cursor's Shell decoder gives the action that renaming ``working_directory`` to ``cwd`` (and
    reading the copy) gives."""
    from skillforge.ingest.tools import TOOLS, keys, shell

    assert TOOLS["cursor"]["shell"]("text", args) == keys(shell, working_directory="cwd")("text", args)


def test_a_failed_turn_keeps_its_error(tmp_path: Path) -> None:
    """A turn that fails (the model refused, a quota, an expired login) writes only its ``turn_ended``
    line, with the reason in ``error``, as other readers of real transcripts found."""
    lines = [
        {"role": "user", "message": {"content": [{"type": "text", "text": "<user_query>go</user_query>"}]}},
        {"type": "turn_ended", "status": "error", "error": "Model unavailable on your plan"},
        {"type": "turn_ended", "status": "success"},
    ]
    path = tmp_path / f"{TID}.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    (traj,) = read([path])
    assert [(s.text, s.is_error, s.trust) for s in traj.steps[1:]] == [
        ("Model unavailable on your plan", True, Trust.INJECTED)
    ]
    assert traj.metadata["turn_status"] == {"error": 1, "success": 1}


def test_a_failed_turn_whose_error_is_an_object_keeps_its_message(tmp_path: Path) -> None:
    lines = [
        {"role": "user", "message": {"content": [{"type": "text", "text": "<user_query>go</user_query>"}]}},
        {"type": "turn_ended", "status": "error", "error": {"message": "Rate limited", "code": 429}},
        {"type": "turn_ended", "status": "error", "error": {"code": 500}},
    ]
    path = tmp_path / f"{TID}.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    (traj,) = read([path])
    assert [(s.text, s.is_error) for s in traj.steps[1:]] == [("Rate limited", True), ('{"code":500}', True)]


def test_tool_params_as_a_json_string_and_bubble_times_in_milliseconds(tmp_path: Path) -> None:
    """Builds that write a call's arguments as ``params`` (a JSON string) rather than ``rawArgs``, and a
    bubble's ``createdAt`` as epoch milliseconds as composers write theirs."""
    db = sqlite3.connect(tmp_path / "state.vscdb")
    db.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    tool = {"toolCallId": "t1", "name": "run_terminal_cmd", "params": '{"command": "make check"}'}
    rows = [
        (
            "composerData:c9",
            json.dumps({"composerId": "c9", "fullConversationHeadersOnly": [{"bubbleId": "b"}]}),
        ),
        ("bubbleId:c9:b", json.dumps(bubble("b", 2, "", createdAt=1785578400000, toolFormerData=tool)[1])),
    ]
    db.executemany("INSERT INTO cursorDiskKV VALUES (?, ?)", rows)
    db.commit()
    db.close()
    (traj,) = read([tmp_path / "state.vscdb"])
    call = traj.tool_calls[0]
    assert (call.text, call.input, call.timestamp) == (
        "make check",
        {"command": "make check"},
        "2026-08-01T10:00:00.000Z",
    )
