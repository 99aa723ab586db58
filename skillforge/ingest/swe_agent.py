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

import orjson

from skillforge.ingest.base import (
    R_SYSTEM,
    R_USER,
    T_INJECTED,
    T_PERSON,
    T_TOOL_OUTPUT,
    ParseContext,
    StepList,
    as_str,
    clip,
    extract_task,
    log_id,
    read_json_doc,
    repository_of,
)
from skillforge.model import Outcome, Trajectory

FORMAT = "swe-agent"
AGENT = "swe-agent"

_FIRST_KEY = re.compile(rb'^\s*\{\s*"(?:environment|trajectory|history|attempts|replay_config)"\s*:')
_FAILED_EXITS = ("exit_cost", "exit_context", "exit_format", "exit_error", "exit_command_timeout",
                 "exit_total_execution_time", "exit_forfeit", "early_exit")
_ACI_COMMANDS = {"open", "goto", "scroll_up", "scroll_down", "create", "edit", "find_file", "search_dir",
                 "search_file", "submit", "str_replace_editor", "insert", "filemap", "exit_forfeit",
                 "view_image", "python_interpreter", "decompile", "disassemble", "debug_start",
                 "connect_start"}
_ERROR_OUTPUT = re.compile(r"^(?:Traceback \(most recent call last\)|Your proposed edit has introduced new "
                           r"syntax error|bash: .*: command not found|/bin/bash: line \d+: .*: command not found)")
_RUN_DIR = re.compile(r"^(?P<model>[^_]+(?:_[^_]+)*?)__.+__t-[\d.]+__p-")


def detect(path: Path, head: bytes) -> bool:
    body = head[:1024].lstrip()  # enough to see how the document starts
    if _FIRST_KEY.match(body):
        return b'"action"' in head or b'"role"' in head or b'"observation"' in head
    return body.startswith(b"{") and b'"swe_agent_version"' in head


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    loaded = read_json_doc(path, ctx)
    if loaded is None:
        return
    data, doc = loaded
    if not isinstance(doc, dict) or not isinstance(doc.get("history", doc.get("trajectory")), list):
        ctx.fail("not a SWE-agent trajectory (expected an object with 'trajectory' and 'history')")
        return
    yield _build(doc, data, path, ctx)


def _build(doc: dict[str, Any], data: bytes, path: Path, ctx: ParseContext) -> Trajectory:
    info = _dict(doc.get("info"))
    config = _dict(_json_field(doc.get("replay_config")))
    history = [h for h in doc.get("history") or [] if isinstance(h, dict)]
    steps = StepList(str(path))
    task_text, first_action = _preamble(history, steps)
    trajectory = doc.get("trajectory")
    if isinstance(trajectory, list) and trajectory:
        _from_trajectory(trajectory, _call_ids(history), steps, ctx)
    else:
        _from_history(history, first_action, steps)
    problem = _dict(config.get("problem_statement"))
    native_id = str(problem.get("id") or path.name.split(".")[0])
    traj = Trajectory(
        id=log_id(data), source=str(path), format=FORMAT, agent=AGENT, steps=steps.steps,
        native_id=native_id, task_id=native_id, agent_version=_str_or_none(info.get("swe_agent_version")),
        model=_model(config, path), task=clip(as_str(problem.get("text"))) or extract_task(task_text),
        repository=repository_of(native_id) or _github_repo(config), cwd=_cwd(trajectory),
    )
    _outcome(traj, info, doc)
    return traj


def _preamble(history: list[dict[str, Any]], steps: StepList) -> tuple[str, int]:
    """System prompt, demonstrations and the task message; returns the task text and the index of the
    first history item after them."""
    task = ""
    for i, item in enumerate(history):
        role, text = item.get("role"), as_str(item.get("content"))
        where: dict[str, Any] = {"record": f"history[{i}]"}
        demo = bool(item.get("is_demo")) or item.get("message_type") == "demonstration"
        if role == "assistant" and not demo:
            return task, i
        if role == "system":
            steps.message(R_SYSTEM, text, T_INJECTED, **where)
        elif demo or task:
            steps.message(R_USER, text, T_INJECTED, **where)
        elif role == "user":
            task = text
            steps.message(R_USER, text, T_PERSON, **where)
    return task, len(history)


def _call_ids(history: list[dict[str, Any]]) -> dict[str, list[tuple[str, str, Any]]]:
    """(id, function name) of the function-calling actions in history (not demonstrations), by action
    text, in order: trajectory steps find theirs by their action (requeries leave gaps in history)."""
    out: dict[str, list[tuple[str, str, Any]]] = {}
    for item in history:
        calls = item.get("tool_calls")
        if item.get("is_demo") or item.get("message_type") == "demonstration":
            continue
        if item.get("role") == "assistant" and isinstance(calls, list) and calls and isinstance(calls[0], dict):
            fn = _dict(calls[0].get("function"))
            key = as_str(item.get("action")).strip()
            out.setdefault(key, []).append((str(calls[0].get("id") or ""), str(fn.get("name") or ""),
                                            _json_field(fn.get("arguments"))))
    return out


def _from_trajectory(trajectory: list[Any], ids: dict[str, list[tuple[str, str, Any]]], steps: StepList,
                     ctx: ParseContext) -> None:
    for i, entry in enumerate(trajectory):
        if not isinstance(entry, dict):
            ctx.skip("non-object trajectory entry", detail=f"trajectory[{i}] is {type(entry).__name__}")
            continue
        action = as_str(entry.get("action"))
        queue = ids.get(action.strip())
        call_id, name, args = queue.pop(0) if queue else ("", "", None)
        _step(steps, f"trajectory[{i}]", as_str(entry.get("thought")), action,
              as_str(entry.get("observation")), (call_id or f"trajectory[{i}]", name, args))


def _from_history(history: list[dict[str, Any]], start: int, steps: StepList) -> None:
    i = start
    while i < len(history):
        item = history[i]
        if item.get("role") != "assistant":
            steps.message(R_USER, as_str(item.get("content")), T_INJECTED, record=f"history[{i}]")
            i += 1
            continue
        observation = ""
        if i + 1 < len(history) and history[i + 1].get("role") in ("user", "tool"):
            observation = as_str(history[i + 1].get("content"))
        found = [call for queue in _call_ids([item]).values() for call in queue]
        call = found[0] if found and found[0][0] else (f"history[{i}]", "", None)
        thought = as_str(item.get("thought")) or as_str(item.get("content"))
        _step(steps, f"history[{i}]", thought, as_str(item.get("action")), observation, call)
        i += 2


def _step(steps: StepList, record: str, thought: str, action: str, observation: str,
          call: tuple[str, str, Any]) -> None:
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
    steps.result(call_id, observation, is_error=bool(_ERROR_OUTPUT.match(observation.lstrip())),
                 record=record)


def _tool_name(command: str) -> str:
    word = command.split(None, 1)[0] if command.split() else ""
    return word if word in _ACI_COMMANDS else "bash"


def _outcome(traj: Trajectory, info: dict[str, Any], doc: dict[str, Any]) -> None:
    status = info.get("exit_status")
    meta: dict[str, Any] = {"exit_status": status}
    for key in ("model_stats", "best_attempt_idx"):
        if key in info:
            meta[key] = info[key]
    if isinstance(info.get("submission"), str):
        meta["submission"] = clip(info["submission"], 20_000)
    if isinstance(doc.get("attempts"), list):
        meta["attempts"] = len(doc["attempts"])
    traj.metadata.update({k: v for k, v in meta.items() if v is not None})
    text = str(status or "")
    if text.startswith(_FAILED_EXITS):
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


def _cwd(trajectory: Any) -> str | None:
    if isinstance(trajectory, list) and trajectory and isinstance(trajectory[0], dict):
        state = _dict(_json_field(trajectory[0].get("state")))
        return _str_or_none(state.get("working_dir"))
    return None
