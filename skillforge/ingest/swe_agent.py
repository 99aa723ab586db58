"""Reader for SWE-agent ``.traj`` files (0.x, 1.0 and 1.1 layouts, RetryAgent ``attempts``).

One JSON object per file. The system prompt, demonstrations and the instance template come from
``history``; each agent step (thought, action, observation) from ``trajectory[]``, or from ``history``
when a file has no ``trajectory`` (some demonstrations). Per-step ``query`` (1.1, the whole prompt again)
and ``response`` are never copied. With ``attempts`` the top level is the chosen attempt and is what we
read. ``info.exit_status`` "submitted" says nothing about success (kept in metadata); a limit or error
exit without submission is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson

from skillforge.ingest.base import (
    R_SYSTEM,
    R_USER,
    T_INJECTED,
    T_PERSON,
    T_TOOL_OUTPUT,
    ParseContext,
    as_str,
    clip,
    extract_task,
    repository_of,
)
from skillforge.ingest.reading import json_safe, log_id, raw_text, read_json_as
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Trajectory

FORMAT = "swe-agent"
AGENT = "swe-agent"
OPENS = b"{"  # detect() is False for content that starts otherwise

_FIRST_KEY = re.compile(rb'^\s*\{\s*"(?:environment|trajectory|history|attempts|replay_config)"\s*:')
_FAILED_EXITS = (
    "exit_cost",
    "exit_context",
    "exit_format",
    "exit_error",
    "exit_command_timeout",
    "exit_total_execution_time",
    "exit_forfeit",
    "early_exit",
)
_ACI_COMMANDS = {
    "open",
    "goto",
    "scroll_up",
    "scroll_down",
    "create",
    "edit",
    "find_file",
    "search_dir",
    "search_file",
    "submit",
    "str_replace_editor",
    "insert",
    "filemap",
    "exit_forfeit",
    "view_image",
    "python_interpreter",
    "decompile",
    "disassemble",
    "debug_start",
    "connect_start",
}
_ERROR_OUTPUT = re.compile(
    r"^(?:Traceback \(most recent call last\)|Your proposed edit has introduced new "
    r"syntax error|bash: .*: command not found|/bin/bash: line \d+: .*: command not found)"
)
_RUN_DIR = re.compile(r"^(?P<model>[^_]+(?:_[^_]+)*?)__.+__t-[\d.]+__p-")


def detect(path: Path, head: bytes) -> bool:
    body = head[:1024].lstrip()  # enough to see how the document starts
    if _FIRST_KEY.match(body):
        return b'"action"' in head or b'"role"' in head or b'"observation"' in head
    return body.startswith(b"{") and b'"swe_agent_version"' in head


# The schema names only what the reader uses. Texts that are usually not needed are kept as raw JSON
# and decoded on use: history contents after the preamble (observations, read from ``trajectory``).
# Per-step ``messages``, ``query`` and ``response`` (prompts and replies again) and the attempts' own
# trajectories are skipped. Non-object list items decode as themselves and are skipped by the reader.
Scalar = str | int | float | bool | None


class _HistoryItem(msgspec.Struct):
    role: Any = None
    content: msgspec.Raw = msgspec.Raw(b"null")
    thought: Any = None
    action: Any = None
    tool_calls: Any = None
    is_demo: Any = None
    message_type: Any = None

    @property
    def demo(self) -> bool:
        return bool(self.is_demo) or self.message_type == "demonstration"


class _Entry(msgspec.Struct):
    action: Any = None
    thought: Any = None
    observation: Any = None
    state: Any = None


class _Document(msgspec.Struct):
    # a field of an unexpected type decodes as what it is, and the reader ignores it
    history: list[_HistoryItem | list[Any] | Scalar] | dict[str, Any] | Scalar = None
    trajectory: list[_Entry | list[Any] | Scalar] | dict[str, Any] | Scalar = None
    info: Any = None
    replay_config: Any = None
    attempts: list[msgspec.Raw] | dict[str, Any] | Scalar = None


_DECODER = msgspec.json.Decoder(_Document)


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    expected = "not a SWE-agent trajectory (expected an object with 'trajectory' and 'history')"
    loaded = read_json_as(path, ctx, _DECODER, expected)
    if loaded is None:
        return
    data, doc = loaded
    if type(doc.history) is not list and type(doc.trajectory) is not list:
        ctx.fail(expected)
        return
    yield _build(doc, data, path, ctx)


def _build(doc: _Document, data: bytes, path: Path, ctx: ParseContext) -> Trajectory:
    info = _dict(doc.info)
    config = _dict(_json_field(doc.replay_config))
    history = [h for h in doc.history if type(h) is _HistoryItem] if type(doc.history) is list else []
    steps = StepList(str(path))
    task_text, first_action = _preamble(history, steps)
    trajectory = doc.trajectory if type(doc.trajectory) is list else None
    if trajectory:
        _from_trajectory(trajectory, _call_ids(history), steps, ctx)
    else:
        _from_history(history, first_action, steps)
    problem = _dict(config.get("problem_statement"))
    native_id = str(problem.get("id") or path.name.split(".")[0])
    traj = Trajectory(
        id=log_id(data),
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=steps.steps,
        native_id=native_id,
        task_id=native_id,
        agent_version=_str_or_none(info.get("swe_agent_version")),
        model=_model(config, path),
        task=clip(as_str(problem.get("text"))) or extract_task(task_text),
        repository=repository_of(native_id) or _github_repo(config),
        cwd=_cwd(trajectory),
    )
    _outcome(traj, info, doc)
    if any(folder.name.startswith(_REPLAY_DIR) for folder in (path.parent, path.parent.parent)):
        traj.metadata["replay_of"] = native_id  # run-replay's output: a demonstration's actions replayed
    return traj


# SWE-agent's run-replay writes replay__<instance>__<config>/<file> (0.x) or replay___<stem>/<instance>/<file> (1.x)
_REPLAY_DIR = "replay__"


def _preamble(history: list[_HistoryItem], steps: StepList) -> tuple[str, int]:
    """System prompt, demonstrations and the task message; returns the task text and the index of the
    first history item after them."""
    task = ""
    for i, item in enumerate(history):
        role = item.role
        if role == "assistant" and not item.demo:
            return task, i
        text, record = raw_text(item.content), f"history[{i}]"
        if role == "system":
            steps.message(R_SYSTEM, text, T_INJECTED, record=record)
        elif item.demo or task:
            steps.message(R_USER, text, T_INJECTED, record=record)
        elif role == "user":
            task = text
            steps.message(R_USER, text, T_PERSON, record=record)
    return task, len(history)


def _call_ids(history: list[_HistoryItem]) -> dict[str, list[tuple[str, str, Any]]]:
    """(id, function name) of the function-calling actions in history (not demonstrations), by action
    text, in order: trajectory steps find theirs by their action (requeries leave gaps in history)."""
    out: dict[str, list[tuple[str, str, Any]]] = {}
    for item in history:
        calls = item.tool_calls
        if item.demo:
            continue
        if item.role == "assistant" and isinstance(calls, list) and calls and isinstance(calls[0], dict):
            fn = _dict(calls[0].get("function"))
            key = as_str(item.action).strip()
            out.setdefault(key, []).append(
                (
                    str(calls[0].get("id") or ""),
                    str(fn.get("name") or ""),
                    json_safe(_json_field(fn.get("arguments"))),
                )
            )
    return out


def _from_trajectory(
    trajectory: list[Any], ids: dict[str, list[tuple[str, str, Any]]], steps: StepList, ctx: ParseContext
) -> None:
    for i, entry in enumerate(trajectory):
        if type(entry) is not _Entry:
            ctx.skip("non-object trajectory entry", detail=f"trajectory[{i}] is {type(entry).__name__}")
            continue
        action = as_str(entry.action)
        queue = ids.get(action.strip())
        call_id, name, args = queue.pop(0) if queue else ("", "", None)
        _step(
            steps,
            f"trajectory[{i}]",
            as_str(entry.thought),
            action,
            as_str(entry.observation),
            (call_id or f"trajectory[{i}]", name, args),
        )


def _from_history(history: list[_HistoryItem], start: int, steps: StepList) -> None:
    i = start
    while i < len(history):
        item = history[i]
        if item.role != "assistant":
            steps.message(R_USER, raw_text(item.content), T_INJECTED, record=f"history[{i}]")
            i += 1
            continue
        observation = ""
        if i + 1 < len(history) and history[i + 1].role in ("user", "tool"):
            observation = raw_text(history[i + 1].content)
        found = [call for queue in _call_ids([item]).values() for call in queue]
        call = found[0] if found and found[0][0] else (f"history[{i}]", "", None)
        thought = as_str(item.thought) or raw_text(item.content)
        _step(steps, f"history[{i}]", thought, as_str(item.action), observation, call)
        i += 2


def _step(
    steps: StepList, record: str, thought: str, action: str, observation: str, call: tuple[str, str, Any]
) -> None:
    """One agent step; ``call`` is (call id, function name, arguments) — name and arguments are known
    for function-calling configurations only."""
    steps.thought(thought, record=record)
    command = action.strip()
    if not command:
        steps.message(R_USER, observation, T_TOOL_OUTPUT, record=record)
        return
    call_id, name, args = call
    inputs = args if isinstance(args, dict) else {"command": command}
    steps.call(name or _tool_name(command), command, call_id, inputs, record=record)
    steps.result(
        call_id, observation, is_error=bool(_ERROR_OUTPUT.match(observation.lstrip())), record=record
    )


def _tool_name(command: str) -> str:
    word = command.split(None, 1)[0] if command.split() else ""
    return word if word in _ACI_COMMANDS else "bash"


def _outcome(traj: Trajectory, info: dict[str, Any], doc: _Document) -> None:
    status = info.get("exit_status")
    meta: dict[str, Any] = {"exit_status": json_safe(status)}
    for key in ("model_stats", "best_attempt_idx"):
        if key in info:
            meta[key] = json_safe(info[key])
    if isinstance(info.get("submission"), str):
        meta["submission"] = clip(info["submission"], 20_000)
    if type(doc.attempts) is list:
        meta["attempts"] = len(doc.attempts)
    traj.metadata.update({k: v for k, v in meta.items() if v is not None})
    if isinstance(status, str) and status.startswith(_FAILED_EXITS):
        traj.outcome, traj.outcome_source = Outcome.FAILURE, "log:exit_status"


def _json_field(value: Any) -> Any:
    """1.1 stores ``replay_config`` (and 0.x the step ``state``) as a JSON string."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return str(value) if value else None


def _model(config: dict[str, Any], path: Path) -> str | None:
    name = _dict(_dict(config.get("agent")).get("model")).get("name")
    if name:
        return str(name)
    match = _RUN_DIR.match(path.parent.name)  # 0.x run folders: <model>__<data>__<config>__t-…
    return match.group("model") if match else None


def _github_repo(config: dict[str, Any]) -> str | None:
    url = _dict(_dict(config.get("env")).get("repo")).get("github_url")
    match = re.search(r"github\.com/([^/]+/[^/]+?)(?:\.git)?/?$", str(url or ""))
    return match.group(1) if match else None


def _cwd(trajectory: list[Any] | None) -> str | None:
    if trajectory and type(trajectory[0]) is _Entry:
        state = _dict(_json_field(trajectory[0].state))
        return _str_or_none(state.get("working_dir"))
    return None
