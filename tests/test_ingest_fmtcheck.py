"""Regressions found by an independent check of the readers on real and hand-written logs (issue 18):
a task runner's test task is a test run, a Latin-1 first line is still recognised, the one-line summary
of unrecognised files names a folder (and never raises) whatever the paths given."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from skillforge.errors import ExitCode
from skillforge.ingest import IngestReport, read
from skillforge.ingest.outcome import infer_from_tests, is_test_command
from skillforge.model import Outcome, Role, Step, StepKind
from tests.test_labels import run  # a shell call and its result


@pytest.mark.parametrize(
    ("command", "is_test"),
    [
        ("mise run test", True),
        ("mise run test:ci 2>&1 | tail -30", True),
        ("mise run lint && mise run test", True),
        ("make test", True),
        ("make -C api test-unit", False),  # a make flag before the target: not recognised (kept simple)
        ("just test", True),
        ("task test", True),
        ("make testdata", False),
        ("mise run lint", False),
        ("mise run tests-setup", False),
        ("echo make test", True),  # as before for every runner: a separator before the words is enough
    ],
)
def test_a_task_runners_test_task_is_a_test_run(command: str, is_test: bool) -> None:
    assert is_test_command(command) is is_test


def test_a_passing_test_task_after_a_failing_go_test_is_the_last_run() -> None:
    # the shape of a real Claude Code session (the integration test failed, was fixed, then the whole
    # suite passed through the project's task runner): the last run is the task, and it passed
    go_out = "--- FAIL: TestShadowBranch (0.15s)\nFAIL\nFAIL\texample.com/shop/strategy\t0.46s\nFAIL"
    mise_out = "[test:ci] $ go test ./...\nok  \texample.com/shop/strategy\t2.1s\nok  \texample.com/shop/cart\t(cached)"
    steps = run("go test -race ./strategy/...", go_out, 1) + run(
        "mise run test:ci 2>&1 | tail -30", mise_out, 0, 2
    )
    assert infer_from_tests(steps) == (Outcome.SUCCESS, "tests")


def claude_lines(first_text: str) -> list[dict[str, Any]]:
    base = {
        "isSidechain": False,
        "userType": "external",
        "cwd": "/w/shop",
        "sessionId": "s-latin",
        "version": "2.1.5",
    }
    return [
        {
            **base,
            "type": "user",
            "uuid": "u1",
            "parentUuid": None,
            "timestamp": "2026-09-01T10:00:00Z",
            "message": {"role": "user", "content": first_text},
        },
        {
            **base,
            "type": "assistant",
            "uuid": "a1",
            "parentUuid": "u1",
            "timestamp": "2026-09-01T10:00:02Z",
            "message": {
                "id": "m1",
                "role": "assistant",
                "model": "claude-x",
                "content": [{"type": "text", "text": "ok"}],
            },
        },
    ]


def test_a_claude_code_session_with_a_latin1_first_line_is_recognised(tmp_path: Path) -> None:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in claude_lines("renomme le module café")) + "\n"
    log = tmp_path / "session.jsonl"
    log.write_bytes(text.encode("latin-1"))
    report = IngestReport()
    (traj,) = list(read([log], report))
    assert traj.format == "claude-code" and traj.task == "renomme le module café"
    assert report.unrecognised == []
    (walked,) = list(read([tmp_path], IngestReport()))  # found in a folder walk too
    assert walked.task == traj.task


def test_latin1_text_that_is_no_log_is_still_reported(tmp_path: Path) -> None:
    notes = tmp_path / "notes.json"
    notes.write_bytes('{"menu": "crème brûlée"}\n'.encode("latin-1"))
    report = IngestReport()
    assert list(read([notes], report)) == []
    assert report.unrecognised == [str(notes)]


def write_unrecognised(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.json").write_text('{"menu": "soup"}\n')
    (folder / "more.json").write_text('{"menu": "bread"}\n')


def test_unrecognised_files_under_the_current_folder_name_it(
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    write_unrecognised(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = cli("ingest", ".")
    (line,) = [x for x in res.err.splitlines() if "files are not agent logs" in x]
    assert line.startswith("warning: .: 2 files are not agent logs")


def test_unrecognised_files_under_a_relative_and_an_absolute_folder(
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    write_unrecognised(tmp_path / "here")
    write_unrecognised(tmp_path / "there")
    monkeypatch.chdir(tmp_path / "here")
    res = cli("ingest", ".", str(tmp_path / "there"))  # os.path.commonpath raised on this mix
    assert "Traceback" not in res.err and res.code == ExitCode.PARTIAL
    (line,) = [x for x in res.err.splitlines() if "files are not agent logs" in x]
    assert f"{os.path.realpath(tmp_path)}: 4 files are not agent logs" in line


def gemini_header(sid: str) -> dict[str, Any]:
    return {"sessionId": sid, "projectHash": "ab" * 32, "startTime": "2026-08-01T09:00:00.000Z"}


def gemini_text(mid: str, kind: str, text: str) -> dict[str, Any]:
    return {"id": mid, "timestamp": "2026-08-01T09:00:05.000Z", "type": kind, "content": text}


def test_a_gemini_json_session_resumed_as_jsonl_is_read_once(tmp_path: Path) -> None:
    # Gemini CLI 0.39+ resuming a <= 0.38 session writes a .jsonl log beside the .json, with the same
    # session id and the history: a folder walk reads the log, not both (the session counted twice before)
    sid = "5d0c9e7a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
    chats = tmp_path / ".gemini" / "tmp" / "shop" / "chats"
    chats.mkdir(parents=True)
    old = [gemini_text("u1", "user", "add a logout button"), gemini_text("g1", "gemini", "Added.")]
    (chats / "session-2026-08-01T09-00-5d0c9e7a.json").write_text(
        json.dumps({**gemini_header(sid), "messages": old}, indent=2)
    )
    log = [gemini_header(sid), *old, gemini_text("u2", "user", "and style it")]
    (chats / "session-2026-09-02T10-00-5d0c9e7a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log))
    other = "5d0c9e7a-ffff-4d3e-8f90-000000000000"  # same 8 first characters, another session: read
    (chats / "session-2026-08-03T09-00-5d0c9e7a.json").write_text(
        json.dumps({**gemini_header(other), "messages": [gemini_text("u1", "user", "rename the app")]})
    )
    report = IngestReport()
    trajs = list(read([tmp_path], report))
    assert sorted((t.native_id, len(t.steps)) for t in trajs) == [(sid, 3), (other, 1)]
    assert (
        report.formats["gemini-cli"].ignored[
            "conversation resumed as a .jsonl log beside it (the log is read)"
        ]
        == 1
    )
    named = list(read([chats / "session-2026-08-01T09-00-5d0c9e7a.json"], IngestReport()))
    assert [len(t.steps) for t in named] == [2]  # named by the user: read as asked


def test_a_log_resumed_after_an_earlier_walk_is_seen(tmp_path: Path) -> None:
    """The chats folder is listed once, not globbed per .json (quadratic in a folder of sessions); a log
    written after an earlier walk of the same folder, in the same process, is still seen."""
    sid = "7e1d0f8b-1b2c-4d3e-8f90-a1b2c3d4e5f6"
    chats = tmp_path / "chats"
    chats.mkdir()
    old = [gemini_text("u1", "user", "add a logout button"), gemini_text("g1", "gemini", "Added.")]
    for n in range(30):  # other sessions in the folder
        (chats / f"session-2026-08-01T09-{n:02d}-{n:08x}.json").write_text(
            json.dumps({**gemini_header(f"{n:08x}-0000"), "messages": old})
        )
    (chats / "session-2026-08-01T10-00-7e1d0f8b.json").write_text(
        json.dumps({**gemini_header(sid), "messages": old})
    )
    assert len(list(read([chats], IngestReport()))) == 31
    log = [gemini_header(sid), *old, gemini_text("u2", "user", "and style it")]
    (chats / "session-2026-09-02T10-00-7e1d0f8b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log))
    # the listing is kept by the folder's change time: moved on here as a coarse-grained filesystem may not
    os.utime(chats, ns=(os.stat(chats).st_atime_ns, os.stat(chats).st_mtime_ns + 1_000_000_000))
    trajs = list(read([chats], IngestReport()))
    assert len(trajs) == 31  # the session once
    assert [len(t.steps) for t in trajs if t.native_id == sid] == [3]  # from the log, not the .json


def harbor_trial(root: Path, indent: int | None) -> Path:
    doc = {
        "schema_version": "ATIF-v1.7",
        "session_id": "trial-7",
        "agent": {"name": "terminus", "version": "2"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "Create hello.txt."},
            {"step_id": 2, "source": "agent", "message": "Created it."},
        ],
    }
    agent = root / "job" / "trial-7" / "agent"
    agent.mkdir(parents=True)
    (agent / "trajectory.json").write_text(json.dumps(doc, indent=indent))
    (agent.parent / "verifier").mkdir()
    (agent.parent / "verifier" / "reward.txt").write_text("1.0\n")
    return agent / "trajectory.json"


@pytest.mark.parametrize("indent", [2, None])
def test_a_trials_reward_is_its_outcome_however_the_trajectory_is_laid_out(
    tmp_path: Path, indent: int | None
) -> None:
    # written compactly, the document is one line: it was read as ATIF JSONL, and the reward was not looked up
    path = harbor_trial(tmp_path, indent)
    (traj,) = list(read([path], IngestReport()))
    assert (traj.outcome, traj.outcome_source, traj.metadata.get("reward")) == (
        Outcome.SUCCESS,
        "harbor:reward",
        1.0,
    )


def test_atif_jsonl_of_several_documents_takes_no_trial_reward(tmp_path: Path) -> None:
    path = harbor_trial(tmp_path, None)
    line = path.read_text()
    path.write_text(line + "\n" + line.replace("trial-7", "trial-8") + "\n")  # an export of two runs
    trajs = list(read([path], IngestReport()))
    assert [t.outcome for t in trajs] == [Outcome.UNKNOWN, Outcome.UNKNOWN]


def test_gemini_raw_calls_without_ids_pair_with_responses_by_order_and_name(tmp_path: Path) -> None:
    # after a history rewrite ($set messages) a gemini message holds raw API parts; the API's functionCall
    # parts may carry no id: each then takes the next id-less functionResponse of its name (the results
    # were dropped as 'copies' and both calls shared the id '')
    def shell_call(command: str, cid: str | None = None) -> dict[str, Any]:
        call: dict[str, Any] = {"name": "run_shell_command", "args": {"command": command}}
        return {"functionCall": {**call, "id": cid} if cid else call}

    def reply(output: str, name: str = "run_shell_command", cid: str | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"name": name, "response": {"output": output}}
        return {"functionResponse": {**response, "id": cid} if cid else response}

    history = [
        gemini_text("m1", "user", "count the lines of a.py and b.py"),
        {
            **gemini_text("m2", "gemini", ""),
            "content": [shell_call("wc -l a.py"), shell_call("ls", "c9"), shell_call("wc -l b.py")],
        },
        {
            **gemini_text("m3", "user", ""),
            "content": [reply("a.py", cid="c9"), reply("12 a.py"), reply("30 b.py"), reply("x", "read_file")],
        },
        gemini_text("m4", "gemini", "12 and 30 lines."),
    ]
    log = tmp_path / "session-2026-09-01T10-00-0b1c2d3e.jsonl"
    log.write_text(
        "".join(
            json.dumps(r) + "\n" for r in [gemini_header("0b1c2d3e-aaaa"), {"$set": {"messages": history}}]
        )
    )
    (traj,) = list(read([log], IngestReport()))
    calls = {s.text: traj.steps[s.pair].text if s.pair is not None else None for s in traj.tool_calls}
    assert calls == {"wc -l a.py": "12 a.py", "ls": "a.py", "wc -l b.py": "30 b.py"}
    assert len({s.call_id for s in traj.tool_calls}) == 3


def test_a_named_sqlite_file_no_reader_knows_says_what_it_is(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as db:
        db.execute("create table notes(body text)")
    whole = other.read_bytes()
    damaged = tmp_path / "opencode.db"  # a database cut short (a partial copy): its header is intact
    damaged.write_bytes(whole[:100])
    res = cli("ingest", other, damaged)
    assert res.code == ExitCode.PARTIAL and "Traceback" not in res.err
    (line,) = [x for x in res.err.splitlines() if f"{other}:" in x]
    assert "SQLite database without the tables of an agent log" in line and "cursorDiskKV" in line
    (line,) = [x for x in res.err.splitlines() if f"{damaged}:" in x]
    assert "SQLite database that cannot be read" in line  # was: "binary file, not an agent log"
    empty = tmp_path / "empty.db"  # a sound database with no table at all: not damaged (a reviewer)
    with sqlite3.connect(empty) as db:
        db.execute("PRAGMA user_version = 1")
    res = cli("ingest", empty)
    (line,) = [x for x in res.err.splitlines() if f"{empty}:" in x]
    assert "SQLite database without the tables of an agent log" in line


def poll(at: int, session: int, output: str, exit_code: int | None) -> list[Step]:
    call = Step(
        at,
        Role.ASSISTANT,
        StepKind.TOOL_CALL,
        f"[to session {session}] ",
        tool_name="write_stdin",
        input={"session_id": session, "chars": ""},
        call_id=f"c{at}",
        pair=at + 1,
    )
    result = Step(
        at + 1, Role.TOOL, StepKind.TOOL_RESULT, output, call_id=f"c{at}", pair=at, exit_code=exit_code
    )
    return [call, result]


def test_a_codex_test_run_continued_in_write_stdin_is_read_from_its_polls() -> None:
    # Codex unified exec: a command still running after its yield time answers "Process running with
    # session ID N"; its output comes back to write_stdin calls naming that session. The test run is the
    # command, its result the polls' output (was: no summary in the first chunk, so no answer)
    started = "Chunk ID: a1\nWall time: 1.0 seconds\nProcess running with session ID 42\nOutput:\n"
    steps = run("go test ./...", "ok  \texample.com/shop/cart\t0.1s", 0)
    steps += run("go test ./internal/syncer", started, 0, 2)
    steps += poll(4, 7, "Process exited with code 1\nOutput:\nFAIL\texample.com/shop/other\t0.1s\nFAIL", 1)
    steps += poll(6, 42, "Chunk ID: b2\nOutput:\n=== RUN TestSync\n", None)
    done = "Process exited with code 1\nOutput:\n--- FAIL: TestSync (0.01s)\nFAIL\nFAIL\texample.com/shop/syncer\t4.5s\n"
    steps += poll(8, 42, done, 1)
    assert infer_from_tests(steps) == (Outcome.FAILURE, "tests")
    steps[-1].text = "Process exited with code 0\nOutput:\nok  \texample.com/shop/syncer\t4.5s\n"
    steps[-1].exit_code = 0
    assert infer_from_tests(steps) == (Outcome.SUCCESS, "tests")
    assert infer_from_tests(steps[:6]) is None  # never polled: still no answer


def test_the_codex_phrase_in_other_output_keeps_its_exit_code() -> None:
    """A reviewer: output that merely holds "Process running with session ID N", with no poll of that
    session after it, lost its exit code, so "5 passed" with exit code 1 read as a success."""
    output = "starting: Process running with session ID 9 (a fixture)\n===== 5 passed in 0.10s =====\n"
    assert infer_from_tests(run("pytest -q", output, 1)) is None  # summary and exit code disagree
    assert infer_from_tests(run("pytest -q", output, 0)) == (Outcome.SUCCESS, "tests")


def write_run_with_reports(folder: Path) -> None:
    """A Claude Code session beside SWE-bench harness reports and a results summary, as an evaluation
    run's folder holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    log = "\n".join(json.dumps(r) for r in claude_lines("fix the parser")) + "\n"
    (folder / "session.jsonl").write_text(log)
    for iid, resolved in (("acme__parser-12", True), ("acme__parser-13", False)):
        (folder / "reports" / iid).mkdir(parents=True)
        report = {iid: {"patch_is_None": False, "resolved": resolved, "tests_status": {}}}
        (folder / "reports" / iid / "report.json").write_text(json.dumps(report))
    (folder / "results.json").write_text(json.dumps([{"instance_id": "acme__parser-12", "resolved": True}]))


def test_outcome_labels_beside_logs_are_passed_over_with_how_to_use_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_run_with_reports(tmp_path / "run")
    report = IngestReport()
    (traj,) = list(read([tmp_path / "run"], report))
    assert traj.format == "claude-code"
    assert report.unrecognised == [] and not report.partial  # they were called bad logs (exit 3)
    assert report.passed_over == {"outcome labels (SWE-bench reports, results): pass them with --labels": 3}
    res = cli("ingest", str(tmp_path / "run"))
    assert res.code == ExitCode.OK
    assert "3 outcome labels (SWE-bench reports, results): pass them with --labels" in " ".join(
        res.err.split()
    )


def test_a_settings_like_json_map_beside_logs_is_still_reported(tmp_path: Path) -> None:
    """Only the shapes of evaluation reports are taken for labels unasked: ``{"debug": true}`` could be a
    labels map only when the user names it with --labels."""
    write_run_with_reports(tmp_path / "run")
    (tmp_path / "run" / "settings.json").write_text('{"debug": true, "verbose": "no"}')
    report = IngestReport()
    assert len(list(read([tmp_path / "run"], report))) == 1
    assert report.unrecognised == [str(tmp_path / "run" / "settings.json")]
    assert sum(report.passed_over.values()) == 3


def codex_rollout(folder: Path) -> Path:
    """A Codex rollout with two shell calls, the second cut off before its output was written."""
    meta = {"id": "r-1", "timestamp": "2026-09-01T10:00:00Z", "cwd": "/w/shop", "cli_version": "0.140.0"}
    rows: list[dict[str, Any]] = [{"type": "session_meta", "payload": meta}]
    items = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "run the tests"}]},
        {
            "type": "function_call",
            "name": "exec_command",
            "arguments": '{"cmd":"pytest -q"}',
            "call_id": "c1",
        },
        {"type": "function_call_output", "call_id": "c1", "output": "1 passed"},
        {
            "type": "function_call",
            "name": "exec_command",
            "arguments": '{"cmd":"ruff check"}',
            "call_id": "c2",
        },
    ]
    rows += [{"type": "response_item", "payload": item} for item in items]
    path = folder / "rollout-2026-09-01T10-00-00-r-1.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"timestamp": "2026-09-01T10:00:01Z", **r}) + "\n" for r in rows))
    return path


def test_calls_without_a_result_are_counted_and_shown(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: every tool call paired with its result, or reported as unpaired."""
    path = codex_rollout(tmp_path)
    report = IngestReport()
    (traj,) = list(read([path], report))
    assert [s.pair is None for s in traj.tool_calls] == [False, True]
    stats = report.formats["codex"]
    assert (stats.tool_calls, stats.unpaired) == (2, 1)
    assert report.to_dict()["formats"]["codex"]["unpaired_calls"] == 1
    res = cli("ingest", str(path))
    header = next(x for x in res.out.splitlines() if "format" in x)
    row = next(x for x in res.out.splitlines() if "codex" in x)
    cells = [c.strip() for c in re.split(r"[│┃]", row)[1:-1]]
    names = [c.strip() for c in re.split(r"[│┃]", header)[1:-1]]
    assert dict(zip(names, cells, strict=True))["no result"] == "1"
