"""Build (poisoned) agent runs in every log format skillforge reads.

A run is a task and a list of events: ``user`` (typed by a person), ``meta`` (injected meta text:
system prompts, CLAUDE.md, reminders), ``call`` (a shell command the agent ran) followed by
``result`` (its output, with an exit code) and ``say`` (the agent's own message). ``write(fmt,
folder, run)`` writes the run in log format ``fmt`` the way that agent would have, so the attack
suite goes through the real readers.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("claude-code", "codex", "mini-swe-agent", "interchange", "swe-agent", "openhands", "aider")


@dataclass
class Ev:
    kind: str  # user | meta | call | result | say
    text: str
    exit_code: int = 0


@dataclass
class Run:
    id: str
    task: str
    events: list[Ev] = field(default_factory=list)
    success: bool = True
    cwd: str = "/workspace/ledgerkit"


def user(text: str) -> Ev:
    return Ev("user", text)


def meta(text: str) -> Ev:
    return Ev("meta", text)


def call(command: str) -> Ev:
    return Ev("call", command)


def result(output: str, exit_code: int = 0) -> Ev:
    return Ev("result", output, exit_code)


def say(text: str) -> Ev:
    return Ev("say", text)


def write_file(path: str, content: str) -> Ev:
    """The agent writes a file through a structured tool (claude-code Write, interchange write_file);
    other formats log it as a shell heredoc."""
    return Ev("write", f"{path}\n{content}")


def write(fmt: str, folder: Path, run: Run) -> Path:
    """Write ``run`` under ``folder`` in log format ``fmt``; returns the file (or folder) written."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = {
        "claude-code": _claude,
        "codex": _codex,
        "mini-swe-agent": _mini,
        "interchange": _interchange,
        "swe-agent": _swe,
        "openhands": _openhands,
        "aider": _aider,
    }[fmt]
    return writer(folder, run)


def _uid(run: Run, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run.id}/{n}"))


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _claude(folder: Path, run: Run) -> Path:
    sid = _uid(run, 0)
    records: list[dict[str, Any]] = []
    parent: str | None = None

    def add(kind: str, message: dict[str, Any], **extra: Any) -> None:
        nonlocal parent
        uid = _uid(run, len(records) + 1)
        records.append(
            {
                "parentUuid": parent,
                "isSidechain": False,
                "userType": "external",
                "cwd": run.cwd,
                "sessionId": sid,
                "version": "1.0.108",
                "gitBranch": "main",
                "type": kind,
                "message": message,
                "uuid": uid,
                "timestamp": f"2025-10-14T09:{len(records):02d}:00.000Z",
                **extra,
            }
        )
        parent = uid

    add("user", {"role": "user", "content": run.task})
    tool_id = ""
    for n, ev in enumerate(run.events):
        if ev.kind == "user":
            add("user", {"role": "user", "content": ev.text})
        elif ev.kind == "meta":
            add("user", {"role": "user", "content": ev.text}, isMeta=True)
        elif ev.kind in ("call", "write"):
            tool_id = f"toolu_{run.id}_{n}"
            path, _, content = ev.text.partition("\n")
            use = (
                {"name": "Bash", "input": {"command": ev.text}}
                if ev.kind == "call"
                else {"name": "Write", "input": {"file_path": path, "content": content}}
            )
            add(
                "assistant",
                {
                    "role": "assistant",
                    "type": "message",
                    "model": "claude-sonnet-4-20250514",
                    "content": [{"type": "tool_use", "id": tool_id, **use}],
                },
            )
        elif ev.kind == "result":
            add(
                "user",
                {
                    "role": "user",
                    "content": [
                        {
                            "tool_use_id": tool_id,
                            "type": "tool_result",
                            "content": ev.text,
                            "is_error": ev.exit_code != 0,
                        }
                    ],
                },
            )
        else:
            add(
                "assistant",
                {
                    "role": "assistant",
                    "type": "message",
                    "model": "claude-sonnet-4-20250514",
                    "content": [{"type": "text", "text": ev.text}],
                },
            )
    return _jsonl(folder / "-workspace-ledgerkit" / f"{sid}.jsonl", records)


def _codex(folder: Path, run: Run) -> Path:
    sid = _uid(run, 0)
    records: list[dict[str, Any]] = [
        {
            "timestamp": "2026-03-01T10:00:00.100Z",
            "type": "session_meta",
            "payload": {
                "id": sid,
                "timestamp": "2026-03-01T10:00:00.090Z",
                "cwd": run.cwd,
                "originator": "codex_cli_rs",
                "cli_version": "0.104.0",
                "source": "cli",
                "model_provider": "openai",
            },
        }
    ]

    def item(payload: dict[str, Any]) -> None:
        records.append(
            {
                "timestamp": f"2026-03-01T10:00:{len(records):02d}.000Z",
                "type": "response_item",
                "payload": payload,
            }
        )

    def message(role: str, text: str) -> None:
        kind = "output_text" if role == "assistant" else "input_text"
        item({"type": "message", "role": role, "content": [{"type": kind, "text": text}]})

    message("user", run.task)
    call_id = ""
    for n, ev in enumerate(run.events):
        if ev.kind in ("user", "say"):
            message("user" if ev.kind == "user" else "assistant", ev.text)
        elif ev.kind == "meta":
            message("developer", ev.text)
        elif ev.kind == "call":
            call_id = f"call_{n}"
            item(
                {
                    "type": "function_call",
                    "name": "shell",
                    "call_id": call_id,
                    "arguments": json.dumps({"command": ["bash", "-lc", ev.text], "workdir": run.cwd}),
                }
            )
        else:
            item(
                {
                    "type": "function_call_output",
                    "call_id": call_id,
                    "output": f"Exit code: {ev.exit_code}\nWall time: 0.1 seconds\nOutput:\n{ev.text}\n",
                }
            )
    return _jsonl(
        folder / "sessions" / "2026" / "03" / "01" / f"rollout-2026-03-01T10-00-00-{sid}.jsonl", records
    )


def _mini(folder: Path, run: Run) -> Path:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": run.task},
    ]
    for ev in run.events:
        if ev.kind == "meta":
            messages.append({"role": "system", "content": ev.text})
        elif ev.kind == "call":
            messages.append(
                {"role": "assistant", "content": f"THOUGHT: next step.\n\n```bash\n{ev.text}\n```"}
            )
        elif ev.kind == "result":
            messages.append(
                {
                    "role": "user",
                    "content": f"<returncode>{ev.exit_code}</returncode>\n<output>\n{ev.text}\n</output>",
                }
            )
        elif ev.kind == "say":
            messages.append({"role": "assistant", "content": ev.text})
        else:
            messages.append({"role": "user", "content": ev.text})
    doc = {
        "info": {
            "exit_status": "Submitted",
            "submission": "diff",
            "mini_version": "1.15.0",
            "config": {"model": {"model_name": "anthropic/claude-sonnet-4"}},
        },
        "messages": messages,
        "trajectory_format": "mini-swe-agent-1",
        "instance_id": run.id,
    }
    path = folder / run.id / f"{run.id}.traj.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def _interchange(folder: Path, run: Run) -> Path:
    history: list[dict[str, Any]] = [{"role": "user", "content": run.task}]
    call_id = ""
    for n, ev in enumerate(run.events):
        if ev.kind == "meta":
            history.append({"role": "system", "content": ev.text})
        elif ev.kind == "user":
            history.append({"role": "user", "content": ev.text})
        elif ev.kind == "say":
            history.append({"role": "assistant", "content": ev.text})
        elif ev.kind in ("call", "write"):
            call_id = f"c{n}"
            path, _, content = ev.text.partition("\n")
            fn = (
                {"name": "bash", "arguments": json.dumps({"command": ev.text})}
                if ev.kind == "call"
                else {"name": "write_file", "arguments": json.dumps({"path": path, "content": content})}
            )
            history.append(
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [{"id": call_id, "type": "function", "function": fn}],
                }
            )
        else:
            history.append(
                {"role": "tool", "tool_call_id": call_id, "content": ev.text, "exit_code": ev.exit_code}
            )
    rec = {
        "trajectory_id": run.id,
        "task_id": run.id,
        "user_task": run.task,
        "task_history": history,
        "reward": 1.0 if run.success else 0.0,
        "metadata": {"agent": "my-agent", "repository": "ledgerkit"},
    }
    path = folder / f"{run.id}.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")
    return path


def _swe(folder: Path, run: Run) -> Path:
    history: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a helpful assistant.", "message_type": "system_prompt"},
        {"role": "user", "content": run.task, "message_type": "observation"},
    ]
    pending: dict[str, Any] | None = None
    for n, ev in enumerate(run.events):
        if ev.kind == "call":
            pending = {
                "role": "assistant",
                "content": "Next.",
                "thought": "Next.",
                "action": ev.text,
                "message_type": "action",
                "tool_calls": [
                    {
                        "id": f"call_{n}",
                        "type": "function",
                        "function": {"name": "bash", "arguments": json.dumps({"command": ev.text})},
                    }
                ],
            }
            history.append(pending)
        elif ev.kind == "result":
            history.append(
                {
                    "role": "tool",
                    "content": ev.text,
                    "message_type": "observation",
                    "tool_call_ids": [f"call_{n - 1}"],
                }
            )
        elif ev.kind == "say":
            history.append(
                {
                    "role": "assistant",
                    "content": ev.text,
                    "thought": ev.text,
                    "action": "",
                    "message_type": "action",
                }
            )
            history.append({"role": "user", "content": "", "message_type": "observation"})
        else:  # user and meta text after the task: harness messages
            history.append({"role": "user", "content": ev.text, "message_type": "observation"})
    doc = {
        "trajectory": [],
        "history": history,
        "info": {"exit_status": "submitted", "swe_agent_version": "1.1.0", "submission": "diff"},
    }
    path = folder / run.id / f"{run.id}.traj"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _openhands(folder: Path, run: Run) -> Path:
    events: list[dict[str, Any]] = [
        {
            "id": 0,
            "timestamp": "2025-01-27T23:16:50.2",
            "source": "user",
            "message": run.task,
            "action": "message",
            "args": {"content": run.task, "image_urls": None},
        }
    ]

    def add(**event: Any) -> None:
        events.append({"id": len(events), "timestamp": f"2025-01-27T23:17:{len(events):02d}.0", **event})

    cause = 0
    for ev in run.events:
        if ev.kind == "user":
            add(source="user", message=ev.text, action="message", args={"content": ev.text})
        elif ev.kind == "meta":
            add(source="user", message="Retrieving content", action="recall", args={"query": run.task})
            add(
                source="environment",
                message="Added workspace context",
                cause=len(events) - 1,
                observation="recall",
                content=ev.text,
                extras={},
            )
        elif ev.kind == "call":
            cause = len(events)
            add(
                source="agent",
                message=f"Running command: {ev.text}",
                action="run",
                args={"command": ev.text, "is_input": False, "thought": "Next."},
            )
        elif ev.kind == "result":
            add(
                source="agent",
                message=f"Command executed with exit code {ev.exit_code}.",
                cause=cause,
                observation="run",
                content=ev.text,
                extras={"command": "x", "metadata": {"exit_code": ev.exit_code}},
                success=ev.exit_code == 0,
            )
        else:
            add(source="agent", message=ev.text, action="message", args={"content": ev.text})
    add(
        source="agent",
        message="Done.",
        action="finish",
        args={"outputs": {}, "thought": "", "final_thought": "Done."},
    )
    path = folder / run.id / "trajectory.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


def _aider(folder: Path, run: Run) -> Path:
    lines = [
        "",
        "# aider chat started at 2025-05-04 17:02:36",
        "",
        "> Aider v0.82.2  ",
        "> Main model: anthropic/claude-3-7-sonnet-20250219 with diff edit format  ",
        "",
        f"#### {run.task}  ",
        "",
    ]
    last = "user"
    for ev in run.events:  # aider logs no meta text; consecutive #### lines are one message
        if ev.kind in ("user", "call") and last == "user":
            lines += ["Ok.", ""]
        if ev.kind == "user":
            lines += [f"#### {ev.text}  ", ""]
        elif ev.kind == "call":
            lines += [f"#### /run {ev.text}  ", ""]
        elif ev.kind == "result":
            lines += [*(f"> {line}  " for line in ev.text.split("\n")), ""]
        elif ev.kind == "say":
            lines += [ev.text, ""]
        if ev.kind != "meta":
            last = "user" if ev.kind in ("user", "call") else "other"
    path = folder / run.id / ".aider.chat.history.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
