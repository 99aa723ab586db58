"""Reader for mini-swe-agent ``.traj.json`` files (``mini-swe-agent-1`` and ``-1.1`` trajectory formats).

One JSON object: ``info`` (exit status, submission, config, ``mini_version``), ``messages`` (OpenAI chat
style) and ``instance_id`` for batch runs. v1: the action is the single fenced bash block in an
assistant message and its observation the next user message (``<returncode>N</returncode><output>…``);
v1.1 tool-call models use ``tool_calls`` and ``role: tool`` messages. ``extra.response`` (the provider's
whole response) is never copied. "Submitted" says nothing about success (kept in metadata); limits,
format errors and exceptions are failures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
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
    blank,
    extract_task,
    repository_of,
)
from skillforge.ingest.reading import exit_code, json_safe, log_id, read_json_as
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Trajectory

FORMAT = "mini-swe-agent"
AGENT = "mini-swe-agent"
OPENS = b"{"  # detect() is False for content that starts otherwise

# An action: the fence, blanks, newline, command, newline ```. Version 1 logs ("mini-swe-agent-1") only
# know ```bash: not looking for the other fence saves a pass over every assistant message.
_FENCES = ("```bash", "```mswea_bash_command")
_V1_FENCES = ("```bash",)
# ``<returncode>N</returncode>`` (after an optional exception), then the output: unwrapped from
# ``<output>…</output>`` and the newlines just inside it when that wrapper closes the text. The greedy
# ``.*`` runs to the end and backs off only over the closing tag, so this is one pass, and the output is
# copied once (outputs are most of a log's bytes).
_OBSERVATION = re.compile(
    r"(?:<exception>.*?</exception>\s*)?<returncode>(-?\d+)</returncode>\s*"
    r"(?:<output>\n*(.*[^\n])?\n*</output>\s*\Z)?",
    re.S,
)
_TIMEOUT = "The last command <command>"
_UNKNOWN_EXITS = {"submitted", ""}


# mini-swe-agent writes info, messages, trajectory_format (and instance_id in batch runs); a re-serialised
# file with sorted keys still opens with info. Other JSON documents are turned away before any search.
_FIRST_KEY = re.compile(rb'^\{\s*"(?:info|messages|trajectory_format|instance_id)"\s*:')


def detect(path: Path, head: bytes) -> bool:
    body = head[:1024].lstrip()  # enough to see how the document starts
    if not _FIRST_KEY.match(body):
        return False
    if b'"mini_version"' in head or b'"trajectory_format": "mini-swe-agent' in head:
        return True
    return (body.startswith(b'{\n  "info"') and b'"messages"' in head) or _tail_says_mini(path)


def _tail_says_mini(path: Path) -> bool:
    """``trajectory_format`` is written last: look at the end of the file."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 4096))
            return b'"trajectory_format": "mini-swe-agent' in fh.read()
    except OSError:
        return False


class _Message(msgspec.Struct):
    """The fields of a message that make steps (``extra``, the provider's whole response, is skipped)."""

    role: Any = None
    content: Any = None
    tool_calls: Any = None
    tool_call_id: Any = None


class _Document(msgspec.Struct):
    messages: list[_Message | list[Any] | str | int | float | bool | None]  # non-objects are skipped
    info: Any = None
    instance_id: Any = None
    trajectory_format: Any = None


_DECODER = msgspec.json.Decoder(_Document)
_CACHED = 1024
_RECORDS = [f"messages[{i}]" for i in range(_CACHED)]  # built once, not once per message


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    loaded = read_json_as(
        path, ctx, _DECODER, "not a mini-swe-agent trajectory (expected an object with 'messages')"
    )
    if loaded is not None:
        data, doc = loaded
        yield _build(doc, data, path, ctx)


def _build(doc: _Document, data: bytes, path: Path, ctx: ParseContext) -> Trajectory:
    info = as_dict(doc.info)
    steps = StepList(str(path))
    fences = _V1_FENCES if doc.trajectory_format == "mini-swe-agent-1" else _FENCES
    task = _messages(doc.messages, steps, ctx, fences)
    native_id = str(doc.instance_id or path.name.split(".")[0])
    config = as_dict(info.get("config"))
    model_cfg = as_dict(config.get("model"))
    traj = Trajectory(
        id=log_id(data),
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=steps.steps,
        native_id=native_id,
        task_id=native_id,
        agent_version=_opt(info.get("mini_version")),
        model=_opt(model_cfg.get("model_name")),
        task=extract_task(task),
        repository=repository_of(native_id),
    )
    status = str(info.get("exit_status") or "")
    traj.metadata = {"exit_status": status, "trajectory_format": json_safe(doc.trajectory_format)}
    if isinstance(info.get("model_stats"), dict):
        traj.metadata["model_stats"] = json_safe(info["model_stats"])
    if status.lower() not in _UNKNOWN_EXITS:
        traj.outcome, traj.outcome_source = Outcome.FAILURE, "log:exit_status"
    return traj


def _messages(
    messages: list[Any], steps: StepList, ctx: ParseContext, fences: tuple[str, ...] = _FENCES
) -> str:
    """Turn the message list into steps; returns the task message's text. ``fences`` open an action."""
    task = ""
    pending: str | None = None  # call id of a v1 action waiting for its observation
    for i, msg in enumerate(messages):
        if type(msg) is not _Message:
            ctx.skip("non-object message", detail=f"messages[{i}] is {type(msg).__name__}")
            continue
        record = _RECORDS[i] if i < _CACHED else f"messages[{i}]"
        role, text = msg.role, msg.content
        if type(text) is not str:
            text = as_str(text)
        if role == "assistant":
            pending = _assistant(msg, text, record, steps, fences)
        elif role == "tool":
            _observation(steps, str(msg.tool_call_id or ""), text, record)
        elif pending is not None and role != "system":
            _observation(steps, pending, text, record)
            pending = None
        elif role == "system":
            steps.message(R_SYSTEM, text, T_INJECTED, record=record)
        elif not task:
            task = text
            steps.message(R_USER, text, T_PERSON, record=record)
        else:  # format-error feedback and other harness messages
            steps.message(R_USER, text, T_INJECTED, record=record)
    return task


def _assistant(msg: _Message, text: str, record: str, steps: StepList, fences: tuple[str, ...]) -> str | None:
    calls = msg.tool_calls
    if isinstance(calls, list) and calls:
        steps.thought(text, record=record)
        for n, call in enumerate(c for c in calls if isinstance(c, dict)):
            fn = as_dict(call.get("function"))
            args = _arguments(fn.get("arguments"))
            command = str(args.get("command", "")) if isinstance(args, dict) else ""
            call_id = str(call.get("id") or f"{record}.tool_calls[{n}]")
            steps.call(
                str(fn.get("name") or "bash"),
                command or as_str(fn.get("arguments")),
                call_id,
                args,
                record=record,
            )
        return None
    actions = _actions(text, fences)
    if len(actions) != 1:  # a format error: the harness answers with feedback, nothing runs
        steps.message(R_ASSISTANT, text, T_AGENT, record=record)
        return None
    steps.thought(text[: actions[0][0]].strip(), record=record)
    command = actions[0][1].strip()
    steps.call("bash", command, record, {"command": command}, record=record)
    return record


def _actions(text: str, fences: tuple[str, ...] = _FENCES) -> list[tuple[int, str]]:
    """(offset, command) of each fenced bash block (plain string search: this runs on every message)."""
    found = []
    for fence in fences:
        pos = text.find(fence)
        while pos >= 0:
            newline = text.find("\n", pos + len(fence))
            end = text.find("\n```", newline) if newline >= 0 else -1
            if end > newline and blank(text[pos + len(fence) : newline]):
                found.append((pos, text[newline + 1 : end]))
                pos = text.find(fence, end + 4)
            else:
                pos = text.find(fence, pos + len(fence))
    if len(found) > 1:
        found.sort()
    return found


def _observation(steps: StepList, call_id: str, text: str, record: str) -> None:
    code, text = split_observation(text)
    timed_out = text.startswith(_TIMEOUT) and "timed out" in text[:2000]
    steps.result(
        call_id, text, exit_code=code, is_error=timed_out or (code is not None and code != 0), record=record
    )


def split_observation(text: str) -> tuple[int | None, str]:
    """(exit code, output) of an observation message; (None, the text) when it has no return code."""
    match = _OBSERVATION.match(text) if text.startswith(("<returncode>", "<exception>")) else None
    if match is None:
        return None, text
    number, output = match.groups()
    code = exit_code(int(number)) if len(number) < 12 else None
    return code, text[match.end() :] if output is None else output


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {"command": raw}
    return json_safe(raw)


def _opt(value: Any) -> str | None:
    return str(value) if value else None
