"""Codex 0.118+ rollouts, from self-written lines shaped as those versions write them: unified exec
(``exec_command`` / ``write_stdin``), ``apply_patch`` as a custom tool, ``update_plan``, web searches,
multi-agent threads (``spawn_agent`` / ``wait_agent`` with ``collab_*`` events, child rollouts whose
``source.subagent.thread_spawn`` names the parent), ``codex exec`` and review sub-agents, turn endings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillforge.ingest import IngestReport, read
from skillforge.model import Trajectory

PARENT = "019e0000-aaaa-7000-8000-000000000001"
CHILD = "019e0000-bbbb-7000-8000-000000000002"
TS = "2026-05-10T09:00:00.000Z"


def line(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": TS, "type": kind, "payload": payload}


def meta(thread: str, source: Any, **extra: Any) -> dict[str, Any]:
    return line(
        "session_meta",
        {
            "id": thread,
            "timestamp": TS,
            "cwd": "/work/kiln",
            "originator": "codex-tui",
            "cli_version": "0.125.0",
            "source": source,
            "model_provider": "openai",
            **extra,
        },
    )


def call(call_id: str, name: str, **args: Any) -> dict[str, Any]:
    return line(
        "response_item",
        {"type": "function_call", "name": name, "arguments": json.dumps(args), "call_id": call_id},
    )


def output(call_id: str, text: str, custom: bool = False) -> dict[str, Any]:
    kind = "custom_tool_call_output" if custom else "function_call_output"
    return line("response_item", {"type": kind, "call_id": call_id, "output": text})


def say(role: str, text: str) -> dict[str, Any]:
    kind = "output_text" if role == "assistant" else "input_text"
    return line("response_item", {"type": "message", "role": role, "content": [{"type": kind, "text": text}]})


def event(kind: str, **payload: Any) -> dict[str, Any]:
    return line("event_msg", {"type": kind, **payload})


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def parent_rollout() -> list[dict[str, Any]]:
    return [
        meta(PARENT, "cli"),
        line("turn_context", {"cwd": "/work/kiln", "model": "gpt-5.5"}),
        event("task_started", turn_id="t1"),
        say("user", "split the glaze work between two workers"),
        event("user_message", message="split the glaze work between two workers"),
        line("response_item", {"type": "reasoning", "summary": [], "encrypted_content": "gAAA"}),
        call("c1", "update_plan", plan=[{"step": "spawn a worker", "status": "in_progress"}]),
        output("c1", "Plan updated"),
        call("c2", "exec_command", cmd="python -m pytest -q", yield_time_ms=1000),
        output(
            "c2", "Chunk ID: 1\nWall time: 1.0 seconds\nProcess running with session ID 4242\nOutput:\n..."
        ),
        call("c3", "write_stdin", session_id=4242, chars="", yield_time_ms=2000),
        output("c3", "Process exited with code 1\nOutput:\n1 failed, 3 passed in 0.50s"),
        line(
            "response_item",
            {
                "type": "custom_tool_call",
                "status": "completed",
                "call_id": "c4",
                "name": "apply_patch",
                "input": "*** Begin Patch\n*** Update File: glaze.py\n",
            },
        ),
        event("patch_apply_end", call_id="c4", success=True, stdout="Success.", stderr=""),
        output("c4", "Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess.", custom=True),
        line(
            "response_item",
            {
                "type": "web_search_call",
                "id": "ws_1",
                "status": "completed",
                "action": {"type": "search", "query": "glaze temperature"},
            },
        ),
        event("web_search_end", call_id="ws_1", query="glaze temperature"),
        call("c5", "spawn_agent", agent_type="worker", message="port glaze.py to the new API"),
        event(
            "collab_agent_spawn_end",
            call_id="c5",
            sender_thread_id=PARENT,
            new_thread_id=CHILD,
            new_agent_nickname="Hypatia",
            new_agent_role="worker",
            model="gpt-5.5",
            status="pending_init",
        ),
        output("c5", json.dumps({"agent_id": CHILD, "nickname": "Hypatia"})),
        call("c6", "wait_agent", targets=[CHILD], timeout_ms=600000),
        event(
            "collab_waiting_end",
            call_id="c6",
            sender_thread_id=PARENT,
            statuses={CHILD: {"completed": "ported glaze.py"}},
        ),
        output("c6", json.dumps({"status": {CHILD: {"completed": "ported glaze.py"}}})),
        event("thread_name_updated", thread_id=PARENT, thread_name="Split glaze work"),
        event("token_count", info=None),
        event("task_complete", turn_id="t1", last_agent_message="done"),
        say("user", "and the docs?"),
        call("c7", "exec_command", cmd="ls docs"),
        event("turn_aborted", turn_id="t2", reason="interrupted"),
    ]


def child_rollout() -> list[dict[str, Any]]:
    spawn = {
        "subagent": {
            "thread_spawn": {
                "parent_thread_id": PARENT,
                "depth": 1,
                "agent_nickname": "Hypatia",
                "agent_role": "worker",
            }
        }
    }
    return [
        meta(CHILD, spawn, agent_nickname="Hypatia", agent_role="worker"),
        say("user", "port glaze.py to the new API"),
        call("k1", "exec_command", cmd="sed -n 1,20p glaze.py"),
        output("k1", "Process exited with code 0\nOutput:\ndef glaze(): ..."),
        say("assistant", "ported glaze.py"),
    ]


def threads(tmp_path: Path) -> tuple[dict[str, Trajectory], IngestReport]:
    write(tmp_path / "a" / "raw_transcript", parent_rollout())
    write(tmp_path / "b" / "full.jsonl", child_rollout())
    report = IngestReport()
    return {t.native_id or "": t for t in read([tmp_path], report)}, report


def test_parent_and_spawned_thread_are_linked(tmp_path: Path) -> None:
    trajs, report = threads(tmp_path)
    parent, child = trajs[PARENT], trajs[CHILD]
    assert child.parent_id == PARENT and parent.parent_id is None
    assert parent.metadata["subagents"] == {
        CHILD: {
            "nickname": "Hypatia",
            "role": "worker",
            "spawn_call_id": "c5",
            "model": "gpt-5.5",
            "status": "completed",
        }
    }
    assert child.metadata["subagent"] == "thread_spawn" and child.metadata["agent_nickname"] == "Hypatia"
    assert parent.metadata["title"] == "Split glaze work" and parent.metadata["source"] == "cli"
    assert not report.partial and not any(s.skipped for s in report.formats.values())


def test_unified_exec_patch_plan_and_search_calls(tmp_path: Path) -> None:
    parent = threads(tmp_path)[0][PARENT]
    calls = {c.call_id: c for c in parent.tool_calls}
    assert [c.tool_name for c in parent.tool_calls] == [
        "update_plan",
        "exec_command",
        "write_stdin",
        "apply_patch",
        "web_search",
        "spawn_agent",
        "wait_agent",
        "exec_command",
    ]
    assert calls["c2"].text == "python -m pytest -q" and calls["c3"].text == "[to session 4242] "
    assert calls["c5"].text == "port glaze.py to the new API"
    assert calls["c4"].text.startswith("*** Begin Patch")
    results = {c.call_id: parent.steps[c.pair] for c in parent.tool_calls if c.pair is not None}
    assert results["c3"].exit_code == 1 and results["c3"].is_error
    assert results["c4"].exit_code == 0 and not results["c4"].is_error
    assert "results are not kept" in results["ws_1"].text
    assert calls["c7"].pair is None  # the turn was interrupted before its output: reported unpaired


def test_turn_endings_are_counted(tmp_path: Path) -> None:
    parent = threads(tmp_path)[0][PARENT]
    assert parent.metadata["turns"] == {"completed": 1, "aborted": 1}
    assert parent.metadata["last_turn"] == "aborted (interrupted)"


def test_events_are_ignored_by_named_reason(tmp_path: Path) -> None:
    report = threads(tmp_path)[1]
    ignored = report.formats["codex"].ignored
    assert ignored["event token_count: token counts"] == 1
    assert ignored["event collab_agent_spawn_end (kept as sub-agent links)"] == 1
    assert ignored["encrypted reasoning (not readable)"] == 1
    assert report.to_dict()["formats"]["codex"]["ignored"] == dict(ignored)


def test_exec_and_review_runs(tmp_path: Path) -> None:
    review = [
        meta(
            "019e0000-cccc-7000-8000-000000000003",
            {"subagent": "review"},
            parent_thread_id=PARENT,
            originator="codex_exec",
        ),
        say("user", "review the glaze change"),
    ]
    trajs = {t.native_id: t for t in read([write(tmp_path / "r.jsonl", review)])}
    run = trajs["019e0000-cccc-7000-8000-000000000003"]
    assert run.parent_id == PARENT and run.metadata["subagent"] == "review"
    assert run.metadata["originator"] == "codex_exec"


def test_unknown_event_is_skipped_by_name(tmp_path: Path) -> None:
    report = IngestReport()
    list(read([write(tmp_path / "x.jsonl", [meta(PARENT, "exec"), event("hologram_end")])], report))
    assert dict(report.formats["codex"].skipped) == {"unknown event hologram_end": 1}


def test_an_exec_run_whose_turn_was_aborted_failed_by_the_log(tmp_path: Path) -> None:
    lines = [
        meta(PARENT, "exec", originator="codex_exec"),
        say("user", "glaze everything"),
        event("turn_aborted", turn_id="t1", reason="interrupted"),
    ]
    [run] = list(read([write(tmp_path / "x.jsonl", lines)]))
    assert (
        run.outcome.value == "failure"
        and run.outcome_source == "log:turn_aborted"
        and not run.outcome_guessed
    )
    interactive = [meta(PARENT, "cli"), *lines[1:]]
    [session] = list(read([write(tmp_path / "x.jsonl", interactive)]))
    assert session.outcome.value == "unknown"  # a person interrupting a turn is not a failed run
