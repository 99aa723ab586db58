"""Reader for the plain JSONL interchange format (SkillX shape; see docs/formats/interchange.md).

One trajectory per line::

    {"trajectory_id": "...", "task_id": "...", "user_task": "...",
     "task_history": [{"role": "system|user|assistant|tool", "content": "..."}, ...],
     "reward": 1.0, "metadata": {...}}

History items may carry OpenAI chat-style ``tool_calls`` (assistant) and ``tool_call_id`` (tool), so
any agent can export its tool calls. ``reward`` > 0 is a success, 0 (or less) a failure, absent unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    as_dict,
    as_str,
    clip,
    repository_of,
)
from skillforge.ingest.reading import iter_jsonl_raw, json_or_text, log_id
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Trajectory

FORMAT = "interchange"
AGENT = "interchange"
OPENS = b"{"  # detect() is False for content that starts otherwise


def detect(path: Path, head: bytes) -> bool:
    start = head[:1024].lstrip()
    if not start.startswith(b"{"):
        return False
    offset = min(len(head), 1024) - len(start)
    end = head.find(b"\n", offset)
    return b'"task_history"' in head[offset : end if end >= 0 else None]


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    for lineno, raw, record in iter_jsonl_raw(path, ctx):
        if not isinstance(record, dict) or not isinstance(record.get("task_history"), list):
            ctx.skip(
                "line without task_history", lineno, "expected {trajectory_id, user_task, task_history, …}"
            )
            continue
        yield _trajectory(path, lineno, raw, record, ctx)


def _trajectory(path: Path, lineno: int, raw: bytes, rec: dict[str, Any], ctx: ParseContext) -> Trajectory:
    meta = as_dict(rec.get("metadata"))
    steps = StepList(str(path))
    first_user = _history(rec["task_history"], steps, lineno, ctx)
    task_id = _opt(rec.get("task_id"))
    traj = Trajectory(
        id=log_id(raw),
        source=str(path),
        format=FORMAT,
        agent=str(meta.get("agent") or AGENT),
        steps=steps.steps,
        native_id=_opt(rec.get("trajectory_id")) or task_id,
        task_id=task_id,
        task=clip(as_str(rec.get("user_task"))) or first_user,
        model=_opt(meta.get("model")),
        agent_version=_opt(meta.get("agent_version")),
        cwd=_opt(meta.get("cwd")),
        repository=_opt(meta.get("repository")) or repository_of(task_id),
        metadata=meta,
    )
    reward = rec.get("reward")
    if isinstance(reward, bool | int | float):
        traj.outcome = Outcome.SUCCESS if reward > 0 else Outcome.FAILURE
        traj.outcome_source = "log:reward"
        traj.metadata = {**meta, "reward": reward}
    elif reward is not None:
        ctx.skip("reward is not a number", lineno, f"reward {reward!r} ignored; use a number")
    return traj


def _history(items: list[Any], steps: StepList, lineno: int, ctx: ParseContext) -> str:
    """Add each history item as steps; returns the first user message's text."""
    first_user = ""
    for i, item in enumerate(items):
        where: dict[str, Any] = {"line": lineno, "record": f"task_history[{i}]"}
        if not isinstance(item, dict):
            ctx.skip("non-object history item", lineno, f"task_history[{i}] is {type(item).__name__}")
            continue
        role, text = item.get("role"), as_str(item.get("content"))
        if role == "system":
            steps.message(R_SYSTEM, text, T_INJECTED, **where)
        elif role == "user":
            first_user = first_user or text
            steps.message(R_USER, text, T_PERSON, **where)
        elif role == "assistant":
            _assistant(item, text, i, steps, where)
        elif role == "tool":
            code = item.get("exit_code") if isinstance(item.get("exit_code"), int) else None
            steps.result(
                _opt(item.get("tool_call_id")),
                text,
                tool_name=_opt(item.get("name")),
                exit_code=code,
                is_error=bool(item.get("is_error")) or (code is not None and code != 0),
                **where,
            )
        else:
            ctx.skip("unknown role", lineno, f"task_history[{i}] has role {role!r}")
    return first_user


def _assistant(item: dict[str, Any], text: str, i: int, steps: StepList, where: dict[str, Any]) -> None:
    calls = item.get("tool_calls")
    if not isinstance(calls, list) or not calls:
        steps.message(R_ASSISTANT, text, T_AGENT, **where)
        return
    steps.thought(text, **where)
    for n, call in enumerate(c for c in calls if isinstance(c, dict)):
        fn = as_dict(call.get("function")) or call
        args = json_or_text(fn.get("arguments"))
        readable = (
            args.get("command") if isinstance(args, dict) and isinstance(args.get("command"), str) else None
        )
        call_id = str(call.get("id") or f"task_history[{i}].tool_calls[{n}]")
        shown = readable or (args if isinstance(args, str) else orjson.dumps(args, default=str).decode())
        steps.call(str(fn.get("name") or "tool"), shown, call_id, args, **where)


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
