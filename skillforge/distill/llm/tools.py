"""The analyst's tools over one trajectory: ``read_step(index)`` returns a step in full (paged for
huge outputs), ``search(pattern)`` finds steps by regular expression or plain text, and
``read_task(offset)`` returns the task text past the cut the transcript marks. Every call is counted
against the analyst's step budget by the agent loop."""

from __future__ import annotations

import time
from typing import Any

import orjson
import regex

from skillforge.distill.llm.transcript import TASK_CHARS, cut
from skillforge.model import Trajectory
from skillforge.providers.base import Tool, ToolCall

PAGE = 12_000
SEARCH_SECONDS = 2.0  # a search's time limit over all steps
MAX_HITS = 20

TOOLS = [
    Tool(
        "read_step",
        "Read one step of the trajectory in full (tool name, input, text, status). "
        "Long outputs are paged: pass offset to read on.",
        {
            "type": "object",
            "properties": {
                "index": {"type": "integer", "description": "step number"},
                "offset": {"type": "integer", "description": "character offset"},
            },
            "required": ["index"],
        },
    ),
    Tool(
        "search",
        "Find steps whose text matches a regular expression (case-insensitive); returns step "
        "numbers with a snippet around the first match.",
        {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]},
    ),
]
READ_TASK = Tool(
    "read_task",
    "Read the task text from a character offset (the transcript shows where it was cut).",
    {
        "type": "object",
        "properties": {"offset": {"type": "integer", "description": "character offset"}},
        "required": [],
    },
)


class Toolbox:
    """Runs tool calls against one trajectory and remembers which steps were read."""

    def __init__(self, traj: Trajectory):
        self.traj = traj
        self.tools = [*TOOLS, READ_TASK] if len(traj.task) > TASK_CHARS else list(TOOLS)
        self.read: set[int] = set()

    def run(self, call: ToolCall) -> tuple[str, bool]:
        """The tool's answer and whether it is an error (errors go back to the model, never raise)."""
        try:
            if call.name == "read_step":
                return self.read_step(int(call.args["index"]), int(call.args.get("offset") or 0)), False
            if call.name == "search":
                return self.search(str(call.args["pattern"])), False
            if call.name == "read_task":
                return self.read_task(int(call.args.get("offset") or 0)), False
        except (KeyError, TypeError, ValueError) as exc:
            return f"bad arguments for {call.name}: {exc}", True
        return f"unknown tool {call.name!r}; use read_step, search or read_task", True

    def read_step(self, index: int, offset: int = 0) -> str:
        step = self.traj.step(index)
        if step is None:
            return f"no step {index}; steps are 0..{len(self.traj.steps) - 1}"
        self.read.add(index)
        head = [f"step {index}: {step.kind.value} by {step.role.value} (trust: {step.trust.value})"]
        if step.tool_name:
            head.append(f"tool: {step.tool_name}")
        extra = _other_input(step.input, step.text)
        if extra is not None:
            head.append(f"input: {cut(orjson.dumps(extra).decode(), 2000)}")
        if step.exit_code is not None or step.is_error:
            head.append(f"exit code: {step.exit_code}  error: {step.is_error}")
        text = step.text[offset : offset + PAGE]
        more = len(step.text) - offset - len(text)
        tail = f"\n[{more} more chars: read_step(index={index}, offset={offset + PAGE})]" if more > 0 else ""
        return "\n".join(head) + "\n---\n" + text + tail

    def read_task(self, offset: int = 0) -> str:
        task = self.traj.task
        text = task[max(0, offset) : max(0, offset) + PAGE]
        more = len(task) - max(0, offset) - len(text)
        tail = f"\n[{more} more chars: read_task(offset={offset + PAGE})]" if more > 0 else ""
        return f"task, chars {offset}-{offset + len(text)} of {len(task)}:\n---\n{text}{tail}"

    def search(self, pattern: str) -> str:
        """Raises ValueError when the model's pattern is too slow (a regex can take exponential time)."""
        try:
            rx = regex.compile(pattern, regex.I)
        except regex.error:
            rx = regex.compile(regex.escape(pattern), regex.I)
        deadline = time.monotonic() + SEARCH_SECONDS
        hits: list[str] = []
        total = 0
        for step in self.traj.steps:
            hay = step.text if not step.tool_name else f"{step.tool_name} {step.text}"
            try:
                m = rx.search(hay, timeout=max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                raise ValueError(f"the pattern took over {SEARCH_SECONDS:g} s; use a plainer one") from None
            if m is None:
                continue
            total += 1
            if len(hits) < MAX_HITS:
                start = max(0, m.start() - 80)
                hits.append(f"[{step.index}] {step.kind.value}: {cut(hay[start : m.end() + 80], 200)}")
        if not hits:
            return f"no step matches {pattern!r}"
        more = f"\n({total - len(hits)} more matches not shown)" if total > len(hits) else ""
        return "\n".join(hits) + more


def _other_input(value: Any, text: str) -> Any:
    """A tool call's structured input without what its text shows already (the command, usually),
    so read_step prints it once; None when nothing else is left."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, dict):
        rest = {k: v for k, v in value.items() if not (isinstance(v, str) and v.strip() == text.strip())}
        return rest or None
    return value
