"""Copilot CLI reader, on self-written ``events.jsonl`` files shaped as the reference describes them (CLI
1.0.x events): prompts, reasoning, tool requests paired with ``tool.execution_complete``, subagent events,
the stated outcome, bookkeeping ignored by type, and a malformed line skipped and counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillforge.ingest import IngestReport, copilot, detect, read
from skillforge.model import Outcome, StepKind, Trust

SID = "049410b4-c1df-44ee-87a5-caa1c349091e"


def ev(kind: str, data: dict[str, Any], n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "data": data,
        "id": f"e{n}",
        "timestamp": f"2026-08-05T10:00:{n:02d}.000Z",
        "parentId": f"e{n - 1}" if n else None,
        **extra,
    }


def events() -> list[dict[str, Any]]:
    return [
        ev(
            "session.start",
            {
                "sessionId": SID,
                "version": 1,
                "producer": "copilot-agent",
                "copilotVersion": "1.0.78",
                "context": {"cwd": "/repo", "branch": "main", "repository": "acme/cart"},
                "selectedModel": "claude-sonnet-4.5",
            },
            0,
        ),
        ev("system.message", {"content": "You are Copilot. Skills: …"}, 1),
        ev(
            "user.message",
            {
                "content": "Fix cart.py tests",
                "transformedContent": "<x/>Fix cart.py tests",
                "attachments": [],
            },
            2,
        ),
        ev(
            "assistant.message",
            {
                "messageId": "m1",
                "model": "claude-sonnet-4.5",
                "content": "",
                "reasoningText": "Run the tests first.",
                "toolRequests": [
                    {"toolCallId": "toolu_01", "name": "bash", "arguments": {"command": "pytest -q"}},
                    {"toolCallId": "toolu_02", "name": "view", "arguments": {"path": "cart.py"}},
                ],
            },
            3,
        ),
        ev(
            "tool.execution_start",
            {"toolCallId": "toolu_01", "toolName": "bash", "arguments": {"command": "pytest -q"}},
            4,
        ),
        ev(
            "tool.execution_complete",
            {"toolCallId": "toolu_02", "success": True, "result": {"content": "def total(): ..."}},
            5,
        ),
        ev(
            "tool.execution_complete",
            {
                "toolCallId": "toolu_01",
                "success": True,
                "result": {"content": "1 failed, 3 passed\n<exited with exit code 1>"},
            },
            6,
        ),
        ev("skill.invoked", {"name": "pytest-debugging", "path": "/s/SKILL.md", "content": "…"}, 7),
        ev(
            "assistant.message",
            {
                "messageId": "m2",
                "content": "Delegating the review.",
                "toolRequests": [
                    {"toolCallId": "toolu_03", "name": "task", "arguments": {"prompt": "review"}}
                ],
            },
            8,
        ),
        ev("subagent.started", {"toolCallId": "toolu_03", "agentName": "reviewer"}, 9),
        ev("user.message", {"content": "review cart.py", "source": "agent-reviewer"}, 10, agentId="a1"),
        ev("assistant.message", {"messageId": "s1", "content": "Looks fine."}, 11, agentId="a1"),
        ev(
            "tool.execution_complete",
            {"toolCallId": "toolu_03", "success": True, "result": {"content": "Looks fine."}},
            12,
        ),
        ev(
            "session.task_complete",
            {"success": True, "outcome": "completed", "summary": "Fixed off-by-one"},
            13,
        ),
        ev("session.shutdown", {"shutdownType": "routine", "codeChanges": {"linesAdded": 1}}, 14),
    ]


def write(path: Path, lines: list[Any], bad: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(x) + "\n" for x in lines)
    if bad is not None:
        head, _, tail = text.partition("\n")
        text = head + "\n" + bad + "\n" + tail
    path.write_text(text)
    return path


def test_session_steps_pairs_outcome_and_subagent(tmp_path: Path) -> None:
    path = write(tmp_path / "session-state" / SID / "events.jsonl", events())
    assert detect(path) is copilot
    report = IngestReport()
    main, sub = list(read([tmp_path], report))
    assert (main.native_id, main.agent_version, main.cwd, main.repository) == (
        SID,
        "1.0.78",
        "/repo",
        "acme/cart",
    )
    assert main.task == "Fix cart.py tests" and main.model == "claude-sonnet-4.5"
    kinds = [s.kind for s in main.steps]
    assert kinds[:4] == [StepKind.USER_MESSAGE, StepKind.THOUGHT, StepKind.TOOL_CALL, StepKind.TOOL_CALL]
    bash = main.steps[2]
    assert bash.text == "pytest -q" and bash.tool_name == "bash"
    result = main.steps[bash.pair]
    assert result.exit_code == 1 and result.is_error and "1 failed" in result.text
    assert main.steps[main.steps[3].pair].text == "def total(): ..."  # completed out of order
    assert main.outcome is Outcome.SUCCESS and main.outcome_source == "log:session.task_complete"
    assert main.skills_used == ["pytest-debugging"]
    assert main.metadata["shutdownType"] == "routine"
    assert sub.parent_id == SID and [s.text for s in sub.steps] == ["review cart.py", "Looks fine."]
    # the parent agent's prompt: agent text and the subagent's task, as Claude Code's subagents read
    # (it was injected context, and the subagent had no task)
    assert sub.steps[0].trust is Trust.AGENT and sub.task == "review cart.py"
    assert main.steps[0].trust is Trust.PERSON
    stats = report.formats["copilot-cli"]
    assert stats.ignored["system.message (not a step)"] == 1 and not stats.skipped


def test_malformed_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    lines = [*events(), {"type": "tool.execution_complete"}, [1, 2], {"type": "user.message", "data": "hi"}]
    path = write(tmp_path / "events.jsonl", lines, bad='{"type": "user.message", "data": {')
    report = IngestReport()
    (main, _sub) = list(read([path], report))
    stats = report.formats["copilot-cli"]
    assert stats.skipped == {
        "invalid JSON": 1,
        "event without data": 1,
        "not a JSON object": 1,
        "unexpected record shape": 1,
    }
    assert main.outcome is Outcome.SUCCESS
    assert any(":2:" in str(p) for p in report.problems)


def test_unpaired_call_stays_open_and_start_without_request_is_a_call(tmp_path: Path) -> None:
    lines = [
        ev("session.start", {"sessionId": SID}, 0),
        ev("user.message", {"content": "go"}, 1),
        ev(
            "tool.execution_start",
            {"toolCallId": "c9", "toolName": "bash", "arguments": {"command": "ls"}},
            2,
        ),
        ev(
            "tool.execution_complete",
            {
                "toolCallId": "c9",
                "success": False,
                "error": {"code": "denied", "message": "permission denied"},
            },
            3,
        ),
        ev(
            "assistant.message",
            {
                "content": "",
                "toolRequests": [{"toolCallId": "c10", "name": "edit", "arguments": '{"path": "a.py"}'}],
            },
            4,
        ),
    ]
    (traj,) = read([write(tmp_path / "events.jsonl", lines)])
    call, result, edit = traj.steps[1:]
    assert call.text == "ls" and result.is_error and result.text == "permission denied" and result.pair == 1
    assert edit.input == {"path": "a.py"} and edit.pair is None
    assert traj.outcome is Outcome.UNKNOWN


def test_claude_and_codex_lines_are_not_copilot(tmp_path: Path) -> None:
    claude = {"type": "user", "parentUuid": None, "message": {"role": "user", "content": "hi"}}
    path = write(tmp_path / "x.jsonl", [claude])
    assert detect(path) is not copilot


def test_atif_round_trip(tmp_path: Path) -> None:
    from skillforge.ingest.atif_write import to_atif

    path = write(tmp_path / "s" / "events.jsonl", events())
    first = list(read([path]))
    out = tmp_path / "runs.atif.jsonl"
    out.write_text("".join(json.dumps(to_atif(t)) + "\n" for t in first))
    again = list(read([out]))

    def key(t: Any) -> dict[str, Any]:
        d = t.to_dict()
        for name in ("id", "source", "format"):
            d.pop(name)
        for step in d["steps"]:
            step.pop("source", None)
        d["metadata"] = {k: v for k, v in d["metadata"].items() if not k.startswith("original_")}
        return d

    assert [key(t) for t in again] == [key(t) for t in first]


# Field shapes below follow Copilot CLI 1.0.63 events quoted in a public session export and the
# SDK's generated schema (github/copilot-sdk nodejs/src/generated/session-events.ts); content invented.


def test_exit_code_from_a_shell_exit_block(tmp_path: Path) -> None:
    """A shell result's exit code is in ``result.contents[]`` (``shell_exit``; ``terminal`` before it),
    and the model-facing ``content`` need not carry the ``<exited with exit code N>`` line."""
    lines = [
        ev("session.start", {"sessionId": SID}, 0),
        ev("user.message", {"content": "run the kiln tests"}, 1),
        ev(
            "assistant.message",
            {
                "content": "",
                "toolRequests": [
                    {
                        "toolCallId": "call_a",
                        "name": "bash",
                        "arguments": {"command": "pytest -q"},
                        "type": "function",
                    },
                    {
                        "toolCallId": "call_b",
                        "name": "bash",
                        "arguments": {"command": "make lint"},
                        "type": "function",
                    },
                ],
            },
            2,
        ),
        ev(
            "tool.execution_complete",
            {
                "toolCallId": "call_a",
                "success": True,
                "result": {
                    "content": "2 failed, 5 passed",
                    "contents": [{"type": "shell_exit", "shellId": "0", "exitCode": 2, "cwd": "/repo"}],
                },
            },
            3,
        ),
        ev(
            "tool.execution_complete",
            {
                "toolCallId": "call_b",
                "success": True,
                "result": {"content": "ok", "contents": [{"type": "terminal", "text": "ok", "exitCode": 0}]},
            },
            4,
        ),
    ]
    (traj,) = read([write(tmp_path / "events.jsonl", lines)])
    tests, lint = (traj.steps[c.pair] for c in traj.tool_calls if c.pair is not None)
    assert (tests.exit_code, tests.is_error) == (2, True)
    assert (lint.exit_code, lint.is_error) == (0, False)


def test_autopilot_continuation_is_not_a_prompt(tmp_path: Path) -> None:
    lines = [
        ev("session.start", {"sessionId": SID}, 0),
        ev("user.message", {"content": "Continue working on the task.", "isAutopilotContinuation": True}, 1),
        ev("user.message", {"content": "add a kiln timer", "agentMode": "autopilot"}, 2),
    ]
    (traj,) = read([write(tmp_path / "events.jsonl", lines)])
    assert traj.task == "add a kiln timer"
    assert [s.trust for s in traj.steps] == [Trust.INJECTED, Trust.PERSON]


def test_exit_codes_no_process_returns_are_unknown(tmp_path: Path) -> None:
    """Found by review: an exit code beyond 64 bits (in a ``shell_exit`` block or the exit line) was kept,
    and ``ingest --json`` then failed with a traceback (orjson: Integer exceeds 64-bit range)."""
    calls = [{"toolCallId": f"c{n}", "name": "bash", "arguments": {"command": "make"}} for n in range(3)]
    results = [
        {"content": "ok", "contents": [{"type": "shell_exit", "exitCode": 2**70}]},
        {"content": "ok\n<exited with exit code 99999999999999999999999>"},
        {
            "content": "ok",
            "contents": [{"type": "shell_exit", "exitCode": True}, {"type": "terminal", "exitCode": 3}],
        },
    ]
    lines = [
        ev("session.start", {"sessionId": SID}, 0),
        ev("user.message", {"content": "build"}, 1),
        ev("assistant.message", {"content": "", "toolRequests": calls}, 2),
        *(
            ev("tool.execution_complete", {"toolCallId": f"c{n}", "success": True, "result": r}, 3 + n)
            for n, r in enumerate(results)
        ),
    ]
    (traj,) = read([write(tmp_path / "events.jsonl", lines)])
    assert [traj.steps[c.pair].exit_code for c in traj.tool_calls if c.pair is not None] == [None, None, 3]


def test_null_fields_read_as_absent(tmp_path: Path) -> None:
    """The reader reads the decoded event fields as they are: a field written ``null`` is read as one
    left out (no ``shutdownType`` noted, the session's id kept, the model from the start event)."""
    lines = [
        ev("session.start", {"sessionId": SID, "selectedModel": "gpt-5"}, 0),
        ev("session.start", {"sessionId": None, "selectedModel": None, "context": None}, 1),
        ev("user.message", {"content": "go", "source": None}, 2),
        ev("assistant.message", {"content": None, "model": None, "toolRequests": None}, 3),
        ev("session.shutdown", {"shutdownType": None, "codeChanges": {"linesAdded": 2}}, 4),
    ]
    (traj,) = read([write(tmp_path / "events.jsonl", lines)])
    assert traj.native_id == SID and traj.model == "gpt-5"
    assert [(s.kind, s.text, s.trust) for s in traj.steps] == [(StepKind.USER_MESSAGE, "go", Trust.PERSON)]
    assert traj.metadata == {"codeChanges": {"linesAdded": 2}}
