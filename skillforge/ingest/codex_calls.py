"""Codex rollouts, the tool calls and their outputs (``function_call``, ``custom_tool_call``,
``local_shell_call``, ``web_search_call`` and the ``*_output`` items): the call's name and arguments
(decoded from their JSON string), the one-line text a call is shown as (the shell command, the patch, the
message to a sub-agent), the output's text, exit code and failure across the shapes Codex versions wrote,
and the pairing of each result with its call.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import orjson

from skillforge.ingest.base import (
    K_TOOL_CALL,
    K_TOOL_RESULT,
    R_ASSISTANT,
    R_TOOL,
    T_AGENT,
    T_TOOL_OUTPUT,
    clip,
    text_of,
)
from skillforge.ingest.codex_thread import CodexThread

SHELL_TOOLS = {"shell", "shell_command", "exec_command", "local_shell", "container.exec"}
_EXIT_RE = re.compile(r"^(?:Exit code:|Process exited with code)\s*(-?\d+)", re.M)
_FAILED_PREFIXES = ("failed to parse function arguments", "unsupported call", "aborted by user")


def tool_call(state: CodexThread, item: dict[str, Any]) -> None:
    itype = item["type"]
    call_id = item.get("call_id") or item.get("id")
    if itype == "local_shell_call":
        action = item.get("action") if isinstance(item.get("action"), dict) else {}
        name, args = "local_shell", action
    elif itype == "web_search_call":
        name, args = "web_search", item.get("action")
    elif itype == "custom_tool_call":
        name, args = str(item.get("name") or "custom"), item.get("input")
    else:
        name, args = str(item.get("name") or "function"), _arguments(item.get("arguments"))
    step = state.add(
        R_ASSISTANT,
        K_TOOL_CALL,
        _call_text(name, args),
        T_AGENT,
        tool_name=name,
        input=args,
        call_id=call_id if isinstance(call_id, str) else None,
    )
    if step.call_id:
        state.calls[step.call_id] = step.index
    if itype == "web_search_call":  # run by the API: its results are never written, only that it ran
        status = item.get("status") if isinstance(item.get("status"), str) else "unknown"
        result = state.add(
            R_TOOL,
            K_TOOL_RESULT,
            f"[web search {status}; results are not kept in the rollout]",
            T_TOOL_OUTPUT,
            tool_name=name,
            call_id=step.call_id,
            is_error=status == "failed",
        )
        step.pair, result.pair = result.index, step.index
        state.calls.pop(step.call_id or "", None)


def _arguments(raw: Any) -> Any:
    """Arguments are a JSON string; an invalid one is kept as the raw (clipped) string."""
    if not isinstance(raw, str):
        return raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return clip(raw)


def _call_text(name: str, args: Any) -> str:
    if isinstance(args, str):
        return clip(args)
    if isinstance(args, dict):
        command = args.get("command", args.get("cmd"))
        if name in SHELL_TOOLS or name == "local_shell":
            if isinstance(command, list) and all(isinstance(c, str) for c in command):
                if len(command) == 3 and command[1] in ("-lc", "-c") and command[0].endswith("sh"):
                    return clip(command[2])
                return clip(shlex.join(command))
            if isinstance(command, str):
                return clip(command)
        if name == "apply_patch" and isinstance(args.get("input"), str):
            return clip(args["input"])
        if name == "write_stdin" and isinstance(args.get("chars"), str):
            return clip(f"[to session {args.get('session_id')}] {args['chars']}")
        if name in ("spawn_agent", "send_input") and isinstance(args.get("message"), str):
            return clip(args["message"])
    return clip(orjson.dumps(args).decode()) if args is not None else ""


def tool_output(state: CodexThread, item: dict[str, Any]) -> None:
    call_id = item.get("call_id") if isinstance(item.get("call_id"), str) else None
    text, exit_code, failed = _read_output(item.get("output"))
    call_index = state.calls.get(call_id or "")
    call = state.steps[call_index] if call_index is not None else None
    step = state.add(
        R_TOOL,
        K_TOOL_RESULT,
        text,
        T_TOOL_OUTPUT,
        tool_name=call.tool_name if call else None,
        call_id=call_id,
        is_error=failed or bool(exit_code) or text.startswith(_FAILED_PREFIXES),
        exit_code=exit_code,
    )
    if call is not None and call.pair is None:
        call.pair, step.pair = step.index, call.index
    if call_id:
        state.results[call_id] = step.index


def _read_output(output: Any) -> tuple[str, int | None, bool]:
    """(text, exit code, failed) from the output shapes Codex versions wrote."""
    failed = False
    if isinstance(output, str) and output.startswith("{"):
        try:
            decoded = orjson.loads(output)
            output = decoded if isinstance(decoded, dict) and "output" in decoded else output
        except orjson.JSONDecodeError:
            pass
    exit_code: int | None = None
    if isinstance(output, dict):
        meta = output.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("exit_code"), int):
            exit_code = meta["exit_code"]
        failed = output.get("success") is False
        output = output.get("output", output.get("content"))
    text = text_of(output)
    if exit_code is None:
        match = _EXIT_RE.search(text[:2000])
        exit_code = int(match.group(1)) if match else None
    return text, exit_code, failed
