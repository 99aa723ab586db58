"""Claude Code 2.1 transcripts, from self-written records shaped as Claude Code 2.1 writes them: parallel
tool calls split over records with each result hanging off its own call, records written out of order,
a compaction naming a record that was never written, attachments, API errors, ``<synthetic>`` messages,
session metadata, compaction subagents, and folder walks that read ``raw_transcript`` files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillforge.ingest import IngestReport, claude_code, read
from skillforge.ingest.base import ParseContext
from skillforge.model import Role, StepKind, Trajectory, Trust

SID = "5e1d0c2b-7a44-4f0e-9b3a-2c8d6e4f1a90"


def rec(kind: str, uuid: str, parent: str | None, content: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "parentUuid": parent,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/kiln",
        "sessionId": SID,
        "version": "2.1.90",
        "gitBranch": "main",
        "type": kind,
        "uuid": uuid,
        "timestamp": "2026-05-02T10:00:00.000Z",
    }
    if kind in ("user", "assistant"):
        out["message"] = {"role": kind, "content": content}
    out.update(extra)
    return out


def use(call_id: str, name: str, **args: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": args}


def result(call_id: str, text: str) -> list[dict[str, Any]]:
    return [{"type": "tool_result", "tool_use_id": call_id, "content": text}]


def assistant(uuid: str, parent: str, msg_id: str, block: dict[str, Any]) -> dict[str, Any]:
    out = rec("assistant", uuid, parent, [block])
    out["message"].update(id=msg_id, model="claude-opus-4-8")
    return out


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def parse(path: Path) -> tuple[list[Trajectory], ParseContext]:
    ctx = ParseContext(path=path)
    return list(claude_code.parse(path, ctx)), ctx


def parallel_session() -> list[dict[str, Any]]:
    """Two parallel calls of one response (u2, u3 chained), each result hanging off its own call; the
    second turn's result is written before its call."""
    return [
        rec("user", "u1", None, "list the kiln modules and read the README"),
        assistant("u2", "u1", "msg_A", use("toolu_1", "Bash", command="ls kiln")),
        assistant("u3", "u2", "msg_A", use("toolu_2", "Read", file_path="README.md")),
        rec("user", "u4", "u2", result("toolu_1", "fire.py\nglaze.py")),
        rec("user", "u5", "u3", result("toolu_2", "# Kiln")),
        rec("user", "u7", "u6", result("toolu_3", "ok")),  # written before the call it answers
        assistant("u6", "u5", "msg_B", use("toolu_3", "Bash", command="python -m kiln --check")),
        assistant("u8", "u7", "msg_C", {"type": "text", "text": "Two modules; the check passes."}),
    ]


def test_parallel_results_beside_the_chain_are_paired(tmp_path: Path) -> None:
    [traj], ctx = parse(write(tmp_path / "s.jsonl", parallel_session()))
    calls = traj.tool_calls
    assert [c.call_id for c in calls] == ["toolu_1", "toolu_2", "toolu_3"]
    assert all(c.pair is not None and traj.steps[c.pair].call_id == c.call_id for c in calls)
    assert traj.steps[-1].text == "Two modules; the check passes."
    assert not ctx.ignored and not ctx.skipped


def test_a_rewound_prompt_beside_the_chain_stays_out(tmp_path: Path) -> None:
    records = parallel_session()
    records.insert(3, rec("user", "r1", "u2", "no, do something else"))  # a prompt off the chain: a rewind
    [traj], ctx = parse(write(tmp_path / "s.jsonl", records))
    assert "no, do something else" not in [s.text for s in traj.steps]
    assert sum(ctx.ignored.values()) == 1 and next(iter(ctx.ignored)).startswith("rewound branch")


def test_compaction_naming_a_missing_record_keeps_what_came_before(tmp_path: Path) -> None:
    records = [
        rec("user", "u1", None, "port the glaze module"),
        assistant("u2", "u1", "msg_A", {"type": "text", "text": "Porting it now."}),
        rec(
            "system",
            "b1",
            None,
            subtype="compact_boundary",
            logicalParentUuid="never-written",
            content="Conversation compacted",
        ),
        rec(
            "user",
            "u3",
            "b1",
            "This session is being continued from a previous conversation.",
            isCompactSummary=True,
        ),
        rec("user", "u4", "u3", "now run the tests"),
    ]
    [traj], ctx = parse(write(tmp_path / "s.jsonl", records))
    texts = [s.text for s in traj.steps]
    assert texts[0] == "port the glaze module" and texts[-1] == "now run the tests"
    assert traj.steps[2].trust is Trust.INJECTED
    assert ctx.ignored["compaction marker (the summary after it is kept)"] == 1


def test_attachments_errors_and_metadata(tmp_path: Path) -> None:
    records = [
        {"type": "permission-mode", "permissionMode": "default", "sessionId": SID},
        rec("user", "u1", None, "fix the build"),
        rec(
            "attachment",
            "a1",
            "u1",
            attachment={"type": "skill_listing", "content": "- a skill", "names": ["x"]},
        ),
        rec(
            "attachment",
            "a2",
            "a1",
            attachment={
                "type": "edited_text_file",
                "filename": "/home/dev/kiln/fire.py",
                "snippet": "1\tdef fire():\n2\t    return 900",
            },
        ),
        rec(
            "attachment",
            "a3",
            "a2",
            attachment={
                "type": "diagnostics",
                "files": [
                    {
                        "uri": "/home/dev/kiln/fire.py",
                        "diagnostics": [
                            {
                                "message": "undefined name 'heat'",
                                "severity": "Error",
                                "range": {
                                    "start": {"line": 4, "character": 1},
                                    "end": {"line": 4, "character": 5},
                                },
                            }
                        ],
                    }
                ],
            },
        ),
        rec(
            "attachment",
            "a4",
            "a3",
            attachment={
                "type": "hook_success",
                "hookName": "PostToolUse:Edit",
                "content": "",
                "stdout": "lint failed",
                "exitCode": 1,
            },
        ),
        rec(
            "system",
            "e1",
            "a4",
            subtype="api_error",
            level="error",
            retryAttempt=1,
            maxRetries=10,
            error={
                "status": 529,
                "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            },
        ),
        assistant("s1", "e1", "syn-1", {"type": "text", "text": "No response requested."}),
        rec(
            "attachment",
            "q1",
            "s1",
            attachment={"type": "queued_command", "prompt": "also bump the version", "commandMode": "prompt"},
        ),
        rec("system", "t1", "q1", subtype="turn_duration", durationMs=1200),
        {"type": "ai-title", "aiTitle": "Fix the kiln build", "sessionId": SID},
        {
            "type": "pr-link",
            "sessionId": SID,
            "prNumber": 7,
            "prUrl": "https://example.com/kiln/pull/7",
            "prRepository": "dev/kiln",
        },
        {"type": "last-prompt", "leafUuid": "q1", "sessionId": SID},
    ]
    records[7]["message"]["model"] = "<synthetic>"
    [traj], ctx = parse(write(tmp_path / "s.jsonl", records))
    steps = traj.steps
    assert [s.text.split("\n")[0] for s in steps] == [
        "fix the build",
        "[the user edited /home/dev/kiln/fire.py]",
        "[IDE diagnostics]",
        "[hook PostToolUse:Edit] lint failed",
        "API error 529 overloaded_error: Overloaded",
        "No response requested.",
        "also bump the version",
    ]
    assert "/home/dev/kiln/fire.py:5: Error undefined name 'heat'" in steps[2].text
    assert [s.is_error for s in steps] == [False, False, False, True, True, False, False]
    assert all(s.trust is Trust.INJECTED and s.role is Role.SYSTEM for s in steps[1:6])
    assert steps[6].trust is Trust.PERSON and steps[6].kind is StepKind.USER_MESSAGE
    assert traj.metadata["title"] == "Fix the kiln build"
    assert traj.metadata["pull_requests"] == [
        {"url": "https://example.com/kiln/pull/7", "number": 7, "repository": "dev/kiln"}
    ]
    assert not ctx.skipped and ctx.ignored["timing (turn_duration)"] == 1
    assert ctx.ignored["attachment skill_listing (a listing or reminder re-sent to the model)"] == 1


def test_compaction_subagent_is_marked(tmp_path: Path) -> None:
    sub = tmp_path / SID / "subagents" / "agent-acompact-1a2b3c.jsonl"
    # its first records hang off records of the session file, each off a different one
    records = [
        rec("user", "c0", "in-the-session-1", "<system-reminder>hook output</system-reminder>", isMeta=True),
        rec(
            "user", "c1", "in-the-session-2", "Your task is to create a detailed summary of the conversation"
        ),
        assistant("c2", "c1", "msg_S", {"type": "text", "text": "<summary>Ported glaze.</summary>"}),
    ]
    for record in records:
        record.update(isSidechain=True, agentId="acompact-1a2b3c")
    [traj], _ = parse(write(sub, records))  # one subagent, not one per dangling parent
    assert traj.parent_id == SID and traj.native_id == "acompact-1a2b3c" and len(traj.steps) == 3
    assert traj.metadata["subagent"] == "compaction"
    # the summarising instruction is Claude Code's own text, not a task an agent was given (it was
    # marked agent text and became the trajectory's task)
    assert traj.steps[1].trust is Trust.INJECTED and traj.task == ""
    assert traj.steps[2].trust is Trust.AGENT


def test_warmup_subagent_is_claude_codes_own_not_a_task(tmp_path: Path) -> None:
    # Claude Code 2.0 sends each subagent a bare "Warmup" prompt at start-up (filling its cache): the
    # prompt is its own text, the run no work anyone asked for
    sub = tmp_path / "agent-5f0c9a1e.jsonl"
    records = [
        rec("user", "w0", None, "Warmup"),
        assistant("w1", "w0", "msg_W", {"type": "text", "text": "Ready to search the kiln codebase."}),
    ]
    for record in records:
        record.update(isSidechain=True, agentId="5f0c9a1e", version="2.0.30")
    [traj], _ = parse(write(sub, records))
    assert traj.parent_id == SID and traj.metadata["subagent"] == "warmup"
    assert traj.steps[0].trust is Trust.INJECTED and traj.task == ""
    # a subagent asked to do work keeps its prompt as the parent agent's words and as its task
    records[0]["message"]["content"] = "Warm up the glaze tests and report which fail"
    [work], _ = parse(write(tmp_path / "agent-5f0c9a1f.jsonl", records))
    assert work.steps[0].trust is Trust.AGENT and work.task.startswith("Warm up the glaze")
    assert "subagent" not in work.metadata


def test_folder_walk_reads_logs_by_content_and_passes_over_the_rest(tmp_path: Path) -> None:
    checkpoint = tmp_path / "entire" / "3f" / "a1b2c3d4e5" / "0"
    write(checkpoint / "raw_transcript", parallel_session())
    (checkpoint / "metadata.json").write_text(
        json.dumps({"checkpoint_id": "a1b2c3d4e5", "session_id": SID, "agent": "Claude Code"}, indent=2)
    )
    (checkpoint / "prompt.txt").write_text("list the kiln modules\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "notes.txt").write_text("remember to glaze\n")
    (tmp_path / "README.md").write_text("# Logs of the kiln project\n")
    report = IngestReport()
    [traj] = list(read([tmp_path], report))
    assert traj.native_id == SID and report.formats["claude-code"].files == 1
    assert dict(report.passed_over) == {
        "Entire checkpoint metadata": 2,
        "binary file": 1,
        "not a log (content not recognised, no log suffix)": 1,
        "Markdown, not an Aider chat history": 1,
    }
    assert not report.partial and not report.problems
    assert report.to_dict()["passed_over"]["binary file"] == 1


def test_entire_metadata_named_alone_says_what_it_is(tmp_path: Path) -> None:
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps({"checkpoint_id": "a1b2c3d4e5", "session_id": SID}))
    report = IngestReport()
    assert list(read([meta], report)) == []
    assert report.partial and "Entire checkpoint metadata, not an agent log" in str(report.problems[0])


def test_a_damaged_jsonl_in_a_walk_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "half.jsonl").write_text('{"not": "a log"}\n')
    report = IngestReport()
    list(read([tmp_path], report))
    assert report.partial and not report.passed_over


def test_a_session_ending_on_an_api_error_failed_by_the_log(tmp_path: Path) -> None:
    records = [
        rec("user", "u1", None, "fix the build"),
        rec(
            "system",
            "e1",
            "u1",
            subtype="api_error",
            level="error",
            error={
                "status": 500,
                "error": {"type": "error", "error": {"type": "api_error", "message": "Internal"}},
            },
        ),
    ]
    [traj] = list(read([write(tmp_path / "s.jsonl", records)]))
    assert (
        traj.outcome.value == "failure"
        and traj.outcome_source == "log:api_error"
        and not traj.outcome_guessed
    )
    records.append(assistant("a1", "e1", "msg_Z", {"type": "text", "text": "Retried; the build is fixed."}))
    [traj] = list(read([write(tmp_path / "s.jsonl", records)]))
    assert traj.outcome.value == "unknown"  # the error was recovered from


def test_cli_counts_what_it_passed_over_in_one_line(cli: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "3f" / "a1b2c3d4e5" / "0"
    write(checkpoint / "raw_transcript", parallel_session())
    (checkpoint / "metadata.json").write_text(json.dumps({"checkpoint_id": "a1b2c3d4e5", "session_id": SID}))
    res = cli("ingest", tmp_path)
    assert res.code == 0 and "warning" not in res.err
    assert "passed over, not logs: 1 Entire checkpoint metadata" in " ".join(res.err.split())


def progress(uuid: str, parent: str, agent: str, inner: dict[str, Any]) -> dict[str, Any]:
    return rec(
        "progress",
        uuid,
        parent,
        parentToolUseID="toolu_T",
        toolUseID="agent_msg_1",
        data={
            "type": "agent_progress",
            "agentId": agent,
            "prompt": "find the glaze tests",
            "normalizedMessages": [],
            "message": inner,
        },
    )


def inline_session() -> list[dict[str, Any]]:
    sub_prompt = {
        "type": "user",
        "uuid": "i1",
        "timestamp": "2026-05-02T10:00:01.000Z",
        "message": {"role": "user", "content": [{"type": "text", "text": "find the glaze tests"}]},
    }
    sub_call = {
        "type": "assistant",
        "uuid": "i2",
        "timestamp": "2026-05-02T10:00:02.000Z",
        "message": {
            "id": "msg_I",
            "model": "claude-haiku-4-5",
            "role": "assistant",
            "content": [use("toolu_i", "Glob", pattern="tests/*glaze*")],
        },
    }
    sub_result = {
        "type": "user",
        "uuid": "i3",
        "timestamp": "2026-05-02T10:00:03.000Z",
        "message": {"role": "user", "content": result("toolu_i", "tests/test_glaze.py")},
    }
    return [
        rec("user", "u1", None, "where are the glaze tests?"),
        assistant("u2", "u1", "msg_A", use("toolu_T", "Task", prompt="find the glaze tests")),
        progress("p1", "u2", "a5f5f5f", sub_prompt),
        progress("p2", "p1", "a5f5f5f", sub_call),
        progress("p3", "p2", "a5f5f5f", sub_call),
        progress("p4", "p3", "a5f5f5f", sub_result),
        rec("user", "u3", "u2", result("toolu_T", "tests/test_glaze.py")),
    ]


def test_inline_agent_progress_becomes_a_linked_subagent(tmp_path: Path) -> None:
    session = write(tmp_path / f"{SID}.jsonl", inline_session())
    main, sub = parse(session)[0]
    assert [c.tool_name for c in main.tool_calls] == ["Task"] and main.tool_calls[0].pair is not None
    assert main.metadata["subagents"] == {"a5f5f5f": {"spawn_call_id": "toolu_T"}}
    assert sub.parent_id == SID and sub.native_id == "a5f5f5f"
    assert sub.metadata["spawned_by_call"] == "toolu_T" and sub.metadata["rebuilt_from"] == "agent_progress"
    assert [s.text for s in sub.steps] == [
        "find the glaze tests",
        '{"pattern":"tests/*glaze*"}',
        "tests/test_glaze.py",
    ]
    assert sub.steps[0].trust is Trust.AGENT and sub.tool_calls[0].pair == 2  # the repeated record once


def test_inline_progress_of_a_subagent_with_its_own_file_is_not_doubled(tmp_path: Path) -> None:
    session = write(tmp_path / f"{SID}.jsonl", inline_session())
    write(tmp_path / SID / "subagents" / "agent-a5f5f5f.jsonl", [])
    trajs, ctx = parse(session)
    assert len(trajs) == 1 and ctx.ignored["inline subagent progress (the subagent's own file is read)"] == 3


def test_odd_2_1_records_are_counted_never_fatal(tmp_path: Path) -> None:
    records = [
        rec("user", "u1", None, "fix the build"),
        rec("attachment", "a1", "u1", attachment="not an object"),
        rec("attachment", "a2", "a1", attachment={"type": "diagnostics", "files": "nope"}),
        rec("attachment", "a3", "a2", attachment={"type": "hologram_delta"}),
        rec("system", "e1", "a3", subtype="api_error", error="socket hang up"),
        rec("system", "e2", "e1", subtype="quantum_status"),
        rec("progress", "p1", "e2", data={"type": "agent_progress", "agentId": 7, "message": "??"}),
        rec("progress", "p2", "p1", data="not an object"),
        {"type": "ai-title", "aiTitle": ["not", "text"]},
        {"type": "pr-link", "prNumber": 3},
        assistant("a9", "p2", "msg_Z", {"type": "text", "text": "Built."}),
    ]
    [traj], ctx = parse(write(tmp_path / "s.jsonl", records))
    assert [s.text for s in traj.steps] == ["fix the build", "API error", "Built."]
    assert traj.steps[1].is_error and "title" not in traj.metadata and "pull_requests" not in traj.metadata
    assert dict(ctx.skipped) == {
        "attachment without a body": 1,
        "unknown attachment hologram_delta": 1,
        "unknown system record quantum_status": 1,
    }
    assert ctx.ignored["attachment diagnostics without text"] == 1
    assert ctx.ignored["live progress (repeated in the tool result)"] == 2 and not ctx.problems


def test_task_result_names_the_subagent_it_ran(tmp_path: Path) -> None:
    records = [
        rec("user", "u1", None, "review the kiln module"),
        assistant("u2", "u1", "msg_A", use("toolu_R", "Agent", prompt="review kiln.py")),
        rec(
            "user",
            "u3",
            "u2",
            result("toolu_R", "Looks fine."),
            toolUseResult={"status": "completed", "agentId": "a77e0c1", "totalTokens": 900},
        ),
    ]
    write(tmp_path / f"{SID}.jsonl", records)
    write(
        tmp_path / SID / "subagents" / "agent-a77e0c1.jsonl",
        [rec("user", "s1", None, "review kiln.py", isSidechain=True, agentId="a77e0c1")],
    )
    trajs = {t.native_id: t for t in read([tmp_path])}
    assert trajs[SID].metadata["subagents"] == {"a77e0c1": {"spawn_call_id": "toolu_R"}}
    assert trajs["a77e0c1"].parent_id == SID
