"""Gemini CLI reader, on self-written sessions shaped as the reference describes them: the JSON
conversation (≤ v0.38) and the JSONL append log (v0.39+) with re-appended messages, ``$set`` history
replacement and ``$rewindTo``, tool results written again as ``user`` records, subagents, the files kept
beside the sessions, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, detect, gemini, gemini_text, read
from skillforge.ingest.base import HEAD_BYTES, ParseContext
from skillforge.model import Role, StepKind, Trajectory, Trust

SID = "7c1e5a20-4f1b-4c6a-9d0e-2b3f4a5c6d7e"
PROJECT = "9f2b" * 16
CALL = "run_shell_command__run_shell_command_1785578409000_0"
HEADER = {
    "sessionId": SID,
    "projectHash": PROJECT,
    "startTime": "2026-08-01T10:00:00.000Z",
    "lastUpdated": "2026-08-01T10:00:00.000Z",
    "kind": "main",
}


def user(mid: str, text: str) -> dict[str, Any]:
    return {"id": mid, "timestamp": "2026-08-01T10:00:05.000Z", "type": "user", "content": [{"text": text}]}


def response(call_id: str, output: str) -> dict[str, Any]:
    return {"functionResponse": {"id": call_id, "name": "run_shell_command", "response": {"output": output}}}


def gemini_msg(mid: str, text: str = "", calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "id": mid,
        "timestamp": "2026-08-01T10:00:09.000Z",
        "type": "gemini",
        "content": text,
        "model": "gemini-3-pro",
        "thoughts": [
            {"subject": "Locating test", "description": "the failing test is in tests/test_kiln.py"}
        ],
        "tokens": {"input": 9120, "output": 40, "total": 9160},
    }
    if calls is not None:
        msg["toolCalls"] = calls
    return msg


def shell(call_id: str, command: str, output: str, status: str = "success") -> dict[str, Any]:
    return {
        "id": call_id,
        "name": "run_shell_command",
        "args": {"command": command},
        "status": status,
        "timestamp": "2026-08-01T10:00:10.000Z",
        "result": [response(call_id, output)],
    }


def jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def session_lines() -> list[dict[str, Any]]:
    ran = shell(CALL, "pytest -q", "Command: pytest -q\nOutput: 1 failed, 2 passed in 0.40s\nExit Code: 1")
    return [
        HEADER,
        user("u1", "fix the failing test"),
        {"$set": {"lastUpdated": "2026-08-01T10:00:05.000Z"}},
        gemini_msg("g1"),
        gemini_msg("g1", calls=[ran]),  # re-appended as it grows: the last copy wins, in the first place
        {
            "id": "u2",
            "timestamp": "2026-08-01T10:00:11.000Z",
            "type": "user",
            "content": [
                response(CALL, "Command: pytest -q\nOutput: 1 failed, 2 passed in 0.40s\nExit Code: 1")
            ],
        },
        gemini_msg("g2", "The assertion compares strings; fixing it."),
        {
            "id": "i1",
            "timestamp": "2026-08-01T10:00:12.000Z",
            "type": "info",
            "content": "Switched to fallback model",
        },
        {
            "$set": {
                "summary": "Fix the failing kiln test",
                "memoryScratchpad": {"version": 1, "validationStatus": "failed"},
            }
        },
    ]


def parse(path: Path) -> tuple[list[Trajectory], ParseContext]:
    ctx = ParseContext(path=path)
    return list(gemini.parse(path, ctx)), ctx


def test_jsonl_session_replays_to_its_final_messages(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "chats" / "session-2026-08-01T10-00-7c1e5a20.jsonl", session_lines())
    [traj], ctx = parse(path)
    assert [(s.kind, s.text.split("\n")[0]) for s in traj.steps] == [
        (StepKind.USER_MESSAGE, "fix the failing test"),
        (StepKind.THOUGHT, "Locating test: the failing test is in tests/test_kiln.py"),
        (StepKind.TOOL_CALL, "pytest -q"),
        (StepKind.TOOL_RESULT, "Command: pytest -q"),
        (StepKind.THOUGHT, "Locating test: the failing test is in tests/test_kiln.py"),
        (StepKind.ASSISTANT_MESSAGE, "The assertion compares strings; fixing it."),
        (StepKind.USER_MESSAGE, "Switched to fallback model"),
    ]
    call, result = traj.tool_calls[0], traj.steps[3]
    assert call.pair == 3 and result.pair == 2 and result.exit_code == 1 and result.is_error
    assert traj.steps[-1].role is Role.SYSTEM and traj.steps[-1].trust is Trust.INJECTED
    assert traj.native_id == SID and traj.model == "gemini-3-pro" and traj.task == "fix the failing test"
    assert traj.metadata == {"title": "Fix the failing kiln test", "validation_status": "failed"}
    assert ctx.ignored["re-appended message (the last copy is kept)"] == 1
    assert ctx.ignored["copy of a tool result (user record holding only functionResponse parts)"] == 1
    assert not ctx.skipped and not ctx.problems


def test_set_messages_replaces_the_history(tmp_path: Path) -> None:
    lines = [
        *session_lines(),
        {"$set": {"messages": [user("u9", "summarised: fix the kiln test"), gemini_msg("g9", "Done.")]}},
        user("u10", "thanks"),
    ]
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", lines))
    texts = [s.text for s in traj.steps if s.kind is not StepKind.THOUGHT]
    assert texts == ["summarised: fix the kiln test", "Done.", "thanks"]


def test_rewind_drops_the_message_and_all_after(tmp_path: Path) -> None:
    lines = [*session_lines(), {"$rewindTo": "g2"}, user("u3", "try a different fix")]
    [traj], ctx = parse(jsonl(tmp_path / "s.jsonl", lines))
    texts = [s.text for s in traj.steps]
    assert "The assertion compares strings; fixing it." not in texts and texts[-1] == "try a different fix"
    assert (
        traj.tool_calls[0].pair is not None
        and ctx.ignored["rewound ($rewindTo: later messages dropped)"] == 1
    )
    lines = [*session_lines(), {"$rewindTo": "no-such-id"}, user("u3", "start over")]
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", lines))
    assert [s.text for s in traj.steps] == ["start over"]


def test_json_conversation_of_older_versions(tmp_path: Path) -> None:
    doc = {
        **HEADER,
        "messages": [
            user("u1", "/stats"),
            user("u2", "add a --dry-run flag"),
            gemini_msg("g1", "Adding it.", [shell("c1", "ls", "Exit Code: 0")]),
            {"id": "e1", "type": "error", "content": "Quota exceeded"},
        ],
        "summary": "Add a dry-run flag",
    }
    path = tmp_path / "chats" / "session-2026-07-01T09-00-7c1e5a20.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc, indent=2))
    assert detect(path) is gemini
    [traj], ctx = parse(path)
    assert traj.task == "add a --dry-run flag" and traj.steps[0].trust is Trust.INJECTED  # a slash command
    assert traj.tool_calls[0].pair is not None and traj.steps[traj.tool_calls[0].pair].exit_code == 0
    assert traj.steps[-1].is_error and traj.steps[-1].text == "Quota exceeded"
    assert not ctx.problems


def test_cancelled_and_unfinished_calls(tmp_path: Path) -> None:
    cancelled = {
        "id": "c1",
        "name": "write_file",
        "args": {"file_path": "a.py", "content": "x"},
        "status": "cancelled",
        "resultDisplay": "Cancelled by the user",
    }
    waiting = {
        "id": "c2",
        "name": "run_shell_command",
        "args": {"command": "rm -rf build"},
        "status": "awaiting_approval",
    }
    [traj], _ = parse(
        jsonl(
            tmp_path / "s.jsonl",
            [HEADER, user("u1", "clean up"), gemini_msg("g1", calls=[cancelled, waiting])],
        )
    )
    first, second = traj.tool_calls
    assert traj.steps[first.pair].is_error and traj.steps[first.pair].text == "Cancelled by the user"  # type: ignore[index]
    assert second.pair is None  # never ran: reported unpaired


def test_subagent_links_to_its_parent_session(tmp_path: Path) -> None:
    parent = "1a2b3c4d-0000-4000-8000-000000000001"
    path = jsonl(
        tmp_path / "chats" / parent / f"{SID}.jsonl",
        [{**HEADER, "kind": "subagent"}, user("u1", "investigate the codebase")],
    )
    [traj], _ = parse(path)
    assert traj.parent_id == parent and traj.metadata["subagent"] == "subagent"


def test_folder_walk_passes_over_the_files_beside_sessions(tmp_path: Path) -> None:
    project = tmp_path / "tmp" / "kiln"
    jsonl(project / "chats" / "session-2026-08-01T10-00-7c1e5a20.jsonl", session_lines())
    (project / "logs.json").write_text(
        json.dumps(
            [
                {
                    "sessionId": SID,
                    "messageId": 0,
                    "type": "user",
                    "message": "fix the failing test",
                    "timestamp": "t",
                }
            ]
        )
    )
    (project / "checkpoint-before-refactor.json").write_text(
        json.dumps({"history": [{"role": "user", "parts": [{"text": "fix the failing test"}]}]})
    )
    (project / ".project_root").write_text("/home/dev/kiln")
    report = IngestReport()
    [traj] = list(read([tmp_path], report))
    assert traj.format == "gemini-cli" and not report.partial
    assert report.passed_over["Gemini CLI prompt log (the prompts are in the sessions)"] == 1
    assert report.passed_over["Gemini CLI checkpoint (a copy of a session's history)"] == 1


def test_from_gemini_reads_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jsonl(tmp_path / ".gemini" / "tmp" / "kiln" / "chats" / "session-a.jsonl", session_lines())
    monkeypatch.setenv("GEMINI_CLI_HOME", str(tmp_path))
    from skillforge.ingest import input_paths

    [traj] = list(read(input_paths([], ["gemini"])))
    assert traj.native_id == SID


@pytest.mark.parametrize(
    "head",
    [
        b'{"sessionId": "s", "cwd": "/x", "type": "user", "parentUuid": null}\n',  # Claude Code
        b'{"timestamp": "t", "type": "session_meta", "payload": {"id": "x"}}\n',  # Codex
        b'[{"sessionId": "s", "messageId": 0}]',  # Gemini's logs.json
    ],
)
def test_detection_rejects_other_logs(head: bytes) -> None:
    assert not gemini.detect(Path("x.jsonl"), head[:HEAD_BYTES])


def test_bad_input_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    lines = [json.dumps(x) for x in session_lines()]
    lines.insert(2, '{"id": "u1b", "type": "user", "content": [{"text": "half')  # cut mid-line
    lines.insert(3, "[1, 2]")
    lines.insert(4, json.dumps({"id": "x1", "type": "hologram", "content": "?"}))
    lines.insert(5, json.dumps({"mystery": True}))
    path.write_text("\n".join(lines) + "\n")
    [traj], ctx = parse(path)
    assert traj.task == "fix the failing test" and traj.tool_calls[0].pair is not None
    assert ctx.skipped == {
        "invalid JSON": 1,
        "not a JSON object": 1,
        "unknown message type hologram": 1,
        "unknown record": 1,
    }
    assert [p.line for p in ctx.problems] == [3, 4, 5, 6]


def test_bad_json_document_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "session-x.json"
    path.write_text(json.dumps({"sessionId": "s", "projectHash": PROJECT, "messages": []})[:-2])  # cut short
    report = IngestReport()
    assert list(read([path], report, fmt="gemini-cli")) == []
    assert report.partial and "not valid JSON" in str(report.problems[0])
    path.write_text(json.dumps({"sessionId": "s", "projectHash": PROJECT, "messages": {"not": "a list"}}))
    report = IngestReport()
    assert list(read([path], report, fmt="gemini-cli")) == []
    assert "no messages list" in str(report.problems[0])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Command: ls\nOutput: a\nExit Code: 2", 2),
        ("Exit Code: -1\nExit Code: 3", -1),  # the first such line
        ("echo 'Exit Code: 9'\nExit Code: 0", 0),  # only at the start of a line
        ("Output: Exit Code: 4", None),
        ("Exit Code: none\nExit Code: 5", 5),
        ("", None),
    ],
)
def test_exit_code_line(text: str, code: int | None) -> None:
    from skillforge.ingest.gemini_text import exit_code_line

    assert exit_code_line(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Exit Code: 99999999999999999999999", None),  # no process returns it; JSON output cannot hold it
        ("Exit Code: 4294967296", None),
        ("Exit Code: 4294967295", 4294967295),
        ("Exit Code: -2147483648", -2147483648),
        ("Exit Code: \u0661\u0662", None),  # Arabic-Indic digits: ``\\d`` matched them, ``int`` read 12
        ("Exit Code: 1\u0663", 1),
    ],
)
def test_exit_code_line_keeps_only_codes_a_process_returns(text: str, code: int | None) -> None:
    from skillforge.ingest.gemini_text import exit_code_line

    assert exit_code_line(text) == code
    assert exit_code_line("x" * 9 + "\n" + text) == code  # the phrase search past eight x's


def test_a_huge_exit_code_does_not_end_the_json_output(tmp_path: Path, cli: Any) -> None:
    """A shell output ending ``Exit Code: 10**23`` was kept as the step's exit code, and ``ingest --to
    json`` (orjson) stopped with a traceback: ``Integer exceeds 64-bit range``."""
    ran = shell("c1", "ls", "a\nExit Code: 99999999999999999999999")
    path = jsonl(
        tmp_path / "chats" / "session.jsonl", [HEADER, user("u1", "list"), gemini_msg("g1", calls=[ran])]
    )
    res = cli("ingest", path, "--to", "json")
    assert res.code == 0
    steps = json.loads(res.out.splitlines()[0])["steps"]
    result = next(s for s in steps if s["kind"] == "tool_result")
    assert "exit_code" not in result and result["text"].endswith("Exit Code: 99999999999999999999999")


def test_exit_code_line_is_the_line_regex_over_the_tail() -> None:
    """Found through the phrase's ``x`` (and the phrase itself past eight other x's), the code is the one
    ``^Exit Code: (-?\\d+)`` finds line by line in ``text[start:]``: texts of lines made of x's, the
    phrase, broken phrases and digits, cut at every start, the tail's first character counting as a
    line start."""
    import random
    import re

    from skillforge.ingest.gemini_text import exit_code_line

    line_regex = re.compile(r"^Exit Code: (-?\d+)", re.MULTILINE)
    pieces = ["Exit Code: 7", "Exit Code: -2", "Exit Code: x", "xx", "0x1f ", "\n", "Exit", " Code: 3", "x\n"]
    rng = random.Random(18)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        for start in range(-3, len(text) + 2):
            match = line_regex.search(text[max(start, 0) :])
            assert exit_code_line(text, start) == (int(match.group(1)) if match else None), (text, start)


def test_thought_markers_split_as_the_line_regex_splits() -> None:
    """Leaked ``[Thought: …]`` markers are found with ``str.find``; the pieces are the ones ``re.split``
    gives at ``(?:^|\\n)\\[Thought: (?:true|false)\\]`` (a marker at the text's start or after a line
    break, the break going with it), for 600 random texts of markers, broken markers and line breaks."""
    import random
    import re

    line_regex = re.compile(r"(?:^|\n)\[Thought: (?:true|false)\]")
    pieces = ["[Thought: true]", "[Thought: false]", "[Thought: maybe]", "[Thought: ", "\n", "a", "[", "]"]
    rng = random.Random(23525)
    for _ in range(600):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert gemini_text.split_marks(text) == line_regex.split(text), text
        assert bool(gemini_text.marks(text)) == bool(line_regex.search(text)), text


# Shapes below follow a real Gemini CLI v0.46 session (the record its own loader rebuilds from a
# JSONL log, key for key); the content is invented.


def fan_out_message() -> dict[str, Any]:
    """A turn of three parallel calls as v0.46 records it: the model's parts (thought parts, then
    ``functionCall`` parts) beside the ``thoughts`` summaries and ``toolCalls``, and every call's
    ``result`` holding the functionResponse parts of *all* the turn's calls (the history sync copies
    the whole user turn into each)."""
    ids = ["update_topic__update_topic_1790000000001_0", "read_file__read_file_1790000000002_1"]
    ids.append("run_shell_command__run_shell_command_1790000000003_2")
    names = ["update_topic", "read_file", "run_shell_command"]
    args: list[dict[str, Any]] = [
        {"title": "Kiln check", "summary": "Looking at the kiln config."},
        {"file_path": "kiln.toml"},
        {"command": "make kiln", "description": "Build the kiln."},
    ]
    bodies: list[dict[str, Any]] = [
        {"output": 'Current topic: "Kiln check"'},
        {"output": "[kiln]\ntemp = 1200\n"},
        {"error": "[Operation Cancelled] Reason: User denied execution."},
    ]
    shared = [
        {"functionResponse": {"id": i, "name": n, "response": b}}
        for i, n, b in zip(ids, names, bodies, strict=True)
    ]
    thought = "I should read the kiln config before building."
    return {
        "id": "g-fan",
        "timestamp": "2026-06-01T09:00:09.000Z",
        "type": "gemini",
        "content": [
            {"text": f"**Checking the kiln** {thought}", "thought": True},
            *(
                {"functionCall": {"id": i, "name": n, "args": a}}
                for i, n, a in zip(ids, names, args, strict=True)
            ),
        ],
        "thoughts": [
            {"subject": "Checking the kiln", "description": thought, "timestamp": "2026-06-01T09:00:08.000Z"}
        ],
        "tokens": {"input": 1200, "output": 40, "cached": 0, "thoughts": 30, "tool": 0, "total": 1270},
        "model": "gemini-3-flash-preview",
        "toolCalls": [
            {
                "id": i,
                "name": n,
                "args": a,
                "result": shared,
                "status": "cancelled" if n == "run_shell_command" else "success",
                "timestamp": "2026-06-01T09:00:20.000Z",
                "displayName": n,
                "renderOutputAsMarkdown": False,
            }
            for i, n, a in zip(ids, names, args, strict=True)
        ],
    }


def test_each_call_takes_its_own_response_from_a_shared_result_list(tmp_path: Path) -> None:
    doc = {**HEADER, "messages": [user("u1", "check the kiln"), fan_out_message()]}
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, indent=2))
    [traj], ctx = parse(path)
    pairs = [(c.tool_name, traj.steps[c.pair].text) for c in traj.tool_calls if c.pair is not None]
    assert pairs == [
        ("update_topic", 'Current topic: "Kiln check"'),
        ("read_file", "[kiln]\ntemp = 1200\n"),
        ("run_shell_command", "[Operation Cancelled] Reason: User denied execution."),
    ]
    assert [traj.steps[c.pair].is_error for c in traj.tool_calls if c.pair is not None] == [
        False,
        False,
        True,
    ]
    assert not ctx.problems


def test_thought_parts_do_not_repeat_the_thought_summaries(tmp_path: Path) -> None:
    doc = {**HEADER, "messages": [user("u1", "check the kiln"), fan_out_message()]}
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc))
    [traj], _ = parse(path)
    thoughts = [s.text for s in traj.steps if s.kind is StepKind.THOUGHT]
    assert thoughts == ["Checking the kiln: I should read the kiln config before building."]


def test_shell_mode_records_are_not_the_task(tmp_path: Path) -> None:
    ran = (
        "I ran the following shell command:\n```sh\nmake kiln\n```\n\n"
        "This produced the following result:\n```\nCommand exited with code 2.\nmake: *** No rule\n```"
    )
    [traj], _ = parse(
        jsonl(tmp_path / "s.jsonl", [HEADER, user("u1", ran), user("u2", "why did make fail?")])
    )
    assert traj.task == "why did make fail?"
    assert [s.trust for s in traj.steps] == [Trust.INJECTED, Trust.PERSON]


def test_a_leaked_thought_marker_splits_thought_from_answer(tmp_path: Path) -> None:
    reply = {
        "id": "g1",
        "timestamp": "2026-06-01T09:01:00.000Z",
        "type": "gemini",
        "content": "**Explaining kilns** The user asks what a kiln does.\n[Thought: true]A kiln fires clay.",
        "thoughts": [{"subject": "Explaining kilns", "description": "The user asks what a kiln does."}],
        "model": "gemini-3-flash-preview",
    }
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", [HEADER, user("u1", "what is a kiln?"), reply]))
    assert [(s.kind, s.text) for s in traj.steps[1:]] == [
        (StepKind.THOUGHT, "Explaining kilns: The user asks what a kiln does."),
        (StepKind.ASSISTANT_MESSAGE, "A kiln fires clay."),
    ]
    reply = {**reply, "thoughts": []}  # no summaries: the leaked text is the thought
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", [HEADER, user("u1", "what is a kiln?"), reply]))
    assert [(s.kind, s.text) for s in traj.steps[1:]] == [
        (StepKind.THOUGHT, "**Explaining kilns** The user asks what a kiln does."),
        (StepKind.ASSISTANT_MESSAGE, "A kiln fires clay."),
    ]


def test_text_about_shell_mode_or_the_thought_marker_is_read_as_written(tmp_path: Path) -> None:
    """Found by review: a prompt the user typed that starts 'I ran the following shell command:' (the
    CLI's own record of a shell-mode command goes on with a fenced block) was taken as injected and
    never the task; an answer that quotes `[Thought: true]` within a line was cut into thoughts."""
    typed = "I ran the following shell command: `make kiln` and it fails with ENOENT, fix the Makefile"
    quoted = "The fixture still holds `[Thought: true]`; strip it in render()."
    reply = {
        "id": "g1",
        "type": "gemini",
        "content": [{"text": quoted}],
        "thoughts": [{"subject": "Reading"}],
    }
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", [HEADER, user("u1", typed), reply]))
    assert traj.task == typed and traj.steps[0].trust is Trust.PERSON
    assert [(s.kind, s.text) for s in traj.steps[1:]] == [
        (StepKind.THOUGHT, "Reading"),
        (StepKind.ASSISTANT_MESSAGE, quoted),
    ]


def test_a_lone_response_naming_another_call_is_not_taken(tmp_path: Path) -> None:
    """A cancelled call whose result holds only a sibling's response keeps no output of its own; a lone
    response without an id (older versions) is still the call's."""
    message = fan_out_message()
    sibling = message["toolCalls"][0]["result"][0]
    message["toolCalls"][2]["result"] = [sibling]
    message["toolCalls"][1]["result"] = [
        {"functionResponse": {"name": "read_file", "response": {"output": "x"}}}
    ]
    doc = {**HEADER, "messages": [user("u1", "check the kiln"), message]}
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc))
    [traj], _ = parse(path)
    outputs = {c.tool_name: traj.steps[c.pair].text for c in traj.tool_calls if c.pair is not None}
    assert outputs["update_topic"] == 'Current topic: "Kiln check"' and outputs["read_file"] == "x"
    assert outputs["run_shell_command"] != outputs["update_topic"]


def _steps_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    traj = gemini._trajectory(Path("s.json"), "t", HEADER, messages, ParseContext(path=Path("s.json")))
    return [step.to_dict() for step in traj.steps]


@pytest.mark.parametrize(
    ("usual", "other"),
    [
        ({"content": "Running the tests."}, {"content": [{"text": "Running the tests."}]}),
        ({"content": "  "}, {"content": [{"text": "  "}, {"text": "x", "thought": 1}]}),
        (
            {"content": [{"text": "Plan", "thought": True}, {"text": "Running."}]},
            {"content": [{"text": "Running.", "functionCall": "not an object"}]},
        ),
        (
            {"thoughts": [{"subject": "Plan", "description": "run the tests"}]},
            {"thoughts": [{"subject": ["Plan"], "description": "run the tests"}, "not a summary"]},
        ),
        (
            {"thoughts": [{"subject": "Plan", "description": ""}]},
            {"thoughts": [{"subject": "Plan", "description": None}]},
        ),
        (
            {"toolCalls": [shell("c1", "pytest -q", "1 failed\nExit Code: 1")]},
            {
                "toolCalls": [
                    {**shell("c1", "pytest -q", "1 failed\nExit Code: 1"), "name": ["run_shell_command"]}
                ]
            },
        ),
        (
            {"toolCalls": [{**shell("c1", "ls", ""), "result": [response("c1", "a.py\nExit Code: 0")]}]},
            {
                "toolCalls": [
                    {
                        **shell("c1", "ls", ""),
                        "result": [
                            {
                                "functionResponse": {
                                    "id": "c1",
                                    "response": {"output": "a.py\nExit Code: 0", "error": ""},
                                }
                            }
                        ],
                    }
                ]
            },
        ),
        (
            {
                "toolCalls": [
                    {**shell("c2", "ls", ""), "result": [response("c9", "x"), response("c2", "b.py")]}
                ]
            },
            {
                "toolCalls": [
                    {
                        **shell("c2", "ls", ""),
                        "result": {"functionResponse": {"id": "c2", "response": "b.py"}},
                    }
                ]
            },
        ),
    ],
)
def test_usual_shapes_read_as_the_general_path_reads_their_other_forms(
    usual: dict[str, Any], other: dict[str, Any]
) -> None:
    """A ``gemini`` message of the usual shape (text content, string summaries, a call whose own response
    holds a string output) is read by shortcuts; the same content in another form (parts, odd types the
    general path flattens, an empty error, a bare response) takes the general path: the steps are equal."""
    base = gemini_msg("g1", "", calls=[])
    assert _steps_of([user("u1", "go"), {**base, **usual}]) == _steps_of(
        [user("u1", "go"), {**base, **other}]
    )


def test_a_call_id_met_again_pairs_with_its_own_result() -> None:
    """Both steps of a call and its response are added at once (``StepList.pair``), as a call then its
    result: an earlier call of the same id left open is closed for good, not paired later."""
    early = {**shell("c1", "ls", ""), "result": [], "status": "executing"}
    steps = _steps_of([gemini_msg("g1", calls=[early]), gemini_msg("g2", calls=[shell("c1", "pwd", "/w")])])
    calls = [s for s in steps if s["kind"] == "tool_call"]
    assert [c["text"] for c in calls] == ["ls", "pwd"]
    assert "pair" not in calls[0] and steps[calls[1]["pair"]]["text"] == "/w"
    assert steps[calls[1]["pair"]]["pair"] == calls[1]["index"]


@pytest.mark.parametrize(
    ("usual", "other"),
    [
        ([{"text": "fix the test"}], "fix the test"),
        ([{"text": "fix the test"}], [{"text": "fix the test", "functionResponse": "not an object"}]),
        ([{"text": " \n/help"}], [{"text": " "}, {"text": "/help"}]),
        ([{"text": "<session_context>\nOS: linux"}], "<session_context>\nOS: linux"),
        ([{"text": "x", "thought": True}], [{"text": "x", "thought": True}, {"inlineData": {}}]),
    ],
)
def test_one_text_part_prompts_read_as_their_other_forms(usual: Any, other: Any) -> None:
    """A user record of one text part (the usual prompt or notice) is read by a shortcut; the same text
    in another form takes the general path: the same steps, trust and task."""
    first = _steps_of([{**user("u1", ""), "content": usual}, gemini_msg("g1", "ok")])
    assert first == _steps_of([{**user("u1", ""), "content": other}, gemini_msg("g1", "ok")])


def test_what_the_person_typed_is_display_content_and_the_expansion_is_injected(tmp_path: Path) -> None:
    # a slash command (or an @file prompt) is recorded as what was sent to the model in ``content`` and
    # what the person typed in ``displayContent``: the CLI's template is not the person's words
    expanded = "\nYou are an agent that writes KILN.md for this folder.\n\n**Steps:**\n1. List the files.\n"
    init = user("u1", expanded) | {"displayContent": [{"text": "/init"}]}
    asked = user("u2", "explain @src/kiln.py\n--- Content from referenced files ---\ndef fire(): ...")
    asked["displayContent"] = "explain @src/kiln.py"
    [traj], _ = parse(jsonl(tmp_path / "s.jsonl", [HEADER, init, asked]))
    assert [(s.text.strip(), s.trust) for s in traj.steps] == [
        ("/init", Trust.INJECTED),
        (expanded.strip(), Trust.INJECTED),
        ("explain @src/kiln.py", Trust.PERSON),
        (asked["content"][0]["text"], Trust.INJECTED),
    ]
    assert traj.task == "explain @src/kiln.py"
