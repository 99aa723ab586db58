"""Codex rollouts, the ``event_msg`` lines: the UI's copy of the session. Most repeat what the
``response_item`` lines already hold and are ignored under a named reason; some fill in what the items
lack: exit codes (``exec_command_end``, ``patch_apply_end``), the threads a parent spawned and talked to
(``collab_*``: sub-agent links), how each turn ended (``task_complete``, ``turn_aborted``: outcome
signals) and the thread's name (``thread_name_updated``).
"""

from __future__ import annotations

from typing import Any, Protocol

from skillforge.ingest.base import ParseContext, as_str, str_or_none
from skillforge.model import Step

# events that repeat a response item or are bookkeeping: type -> reason counted as ignored
IGNORED_EVENTS = {
    "token_count": "token counts",
    "agent_message": "copy of an assistant message",
    "user_message": "copy of a user message",
    "agent_reasoning": "copy of a reasoning summary",
    "agent_reasoning_raw_content": "copy of a reasoning summary",
    "task_started": "turn bookkeeping",
    "context_compacted": "compaction marker (the compacted history is kept)",
    "web_search_begin": "web search progress",
    "web_search_end": "web search progress (the call is kept)",
    "exec_command_begin": "command progress",
    "exec_command_output_delta": "command progress",
    "patch_apply_begin": "patch progress",
    "mcp_tool_call_begin": "tool progress",
    "mcp_tool_call_end": "tool progress",
    "collab_agent_spawn_begin": "sub-agent progress",
    "collab_waiting_begin": "sub-agent progress",
    "collab_close_begin": "sub-agent progress",
    "collab_agent_interaction_begin": "sub-agent progress",
    "turn_diff": "turn diff (the patches are kept)",
    "plan_update": "copy of an update_plan call",
    "entered_review_mode": "review bookkeeping",
    "exited_review_mode": "review bookkeeping",
}
COLLAB_EVENTS = {
    "collab_agent_spawn_end",
    "collab_waiting_end",
    "collab_close_end",
    "collab_agent_interaction_end",
}


class Thread(Protocol):
    steps: list[Step]
    results: dict[str, int]
    metadata: dict[str, Any]


def event(state: Thread, payload: dict[str, Any], ctx: ParseContext) -> None:
    """Use what an event adds to the items, and count it as ignored (or skipped when unknown)."""
    etype = str_or_none(payload.get("type"))
    if etype in ("exec_command_end", "patch_apply_end"):
        _exit_code(state, payload)
        ctx.ignore(f"event {etype} (its exit code goes to the result)")
    elif etype in COLLAB_EVENTS:
        _collab(state, etype, payload)
        ctx.ignore(f"event {etype} (kept as sub-agent links)")
    elif etype in ("task_complete", "turn_aborted"):
        turns = state.metadata.setdefault("turns", {"completed": 0, "aborted": 0})
        turns["completed" if etype == "task_complete" else "aborted"] += 1
        state.metadata["last_turn"] = (
            "completed"
            if etype == "task_complete"
            else f"aborted ({as_str(payload.get('reason')) or 'unknown reason'})"
        )
        ctx.ignore(f"event {etype} (counted in the trajectory's metadata)")
    elif etype == "thread_name_updated":
        if isinstance(payload.get("thread_name"), str):
            state.metadata["title"] = payload["thread_name"]
        ctx.ignore("event thread_name_updated (the title goes to metadata)")
    elif etype in IGNORED_EVENTS:
        ctx.ignore(f"event {etype}: {IGNORED_EVENTS[etype]}")
    else:
        ctx.skip(f"unknown event {etype}")


def _exit_code(state: Thread, payload: dict[str, Any]) -> None:
    index = state.results.get(str(payload.get("call_id")))
    step = state.steps[index] if index is not None else None
    code = payload.get("exit_code")
    if step is not None and step.exit_code is None and isinstance(code, int):
        step.exit_code, step.is_error = code, step.is_error or code != 0
    if step is not None and payload.get("success") is False:
        step.is_error = True


def _collab(state: Thread, etype: str, payload: dict[str, Any]) -> None:
    """The sub-agent threads this thread spawned (``spawn_agent``): their ids are the ``native_id`` of
    the child rollouts, whose ``parent_id`` names this thread."""
    agents: dict[str, dict[str, Any]] = state.metadata.setdefault("subagents", {})
    if etype == "collab_agent_spawn_end":
        child = payload.get("new_thread_id")
        if isinstance(child, str):
            agents.setdefault(child, {}).update(
                nickname=payload.get("new_agent_nickname"),
                role=payload.get("new_agent_role"),
                spawn_call_id=payload.get("call_id"),
                model=payload.get("model"),
            )
        return
    statuses = (
        payload.get("statuses")
        if etype == "collab_waiting_end"
        else {payload.get("receiver_thread_id"): payload.get("status")}
    )
    for child, status in (statuses or {}).items() if isinstance(statuses, dict) else ():
        if isinstance(child, str) and isinstance(status, dict) and status:
            agents.setdefault(child, {})["status"] = next(iter(status))
