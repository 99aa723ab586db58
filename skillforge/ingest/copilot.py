"""GitHub Copilot CLI sessions (``~/.copilot/session-state/<session id>/events.jsonl``, ``$COPILOT_HOME``;
early builds wrote ``session-state/<id>.jsonl``; newer VS Code Copilot Chat transcripts use the same events).

Each line is an event ``{type, data, id, timestamp, parentId, agentId?}`` with a dotted ``type``.
``user.message`` is a prompt (``content`` as typed; a ``source`` such as ``skill-…`` or ``agent-…``
marks text the CLI sent for the user: injected); ``assistant.message`` gives reasoning (a thought), text
and ``toolRequests[{toolCallId, name, arguments}]`` (calls); ``tool.execution_complete`` is the result
of the call with the same ``toolCallId`` (``success``, ``result.content``, ``error.message``). Events with
an ``agentId`` belong to a subagent and become a trajectory of their own (``parent_id`` = the session
id). ``session.task_complete`` states the outcome (``log:session.task_complete``); ``skill.invoked``
names a skill used. The system prompt and the CLI's bookkeeping events are ignored, counted by type.
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
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    as_dict,
    as_list,
    as_str,
    clip,
    head_line,
    object_line,
    str_or_none,
)
from skillforge.ingest.reading import (
    digest_id,
    exit_code,
    iter_jsonl_as,
    json_or_text,
    json_safe,
    new_digest,
)
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Trajectory

FORMAT = "copilot-cli"
AGENT = "copilot-cli"
OPENS = b"{"  # detect() is False for content that starts otherwise

SHELL_TOOLS = {"bash", "powershell"}  # write_bash sends input to a running shell: no command
_EXIT_RE = re.compile(r"<exited with exit code (-?\d+)>")
_EXIT_BLOCKS = {"shell_exit", "terminal"}


def detect(path: Path, head: bytes) -> bool:
    """A first line that is an event: a dotted ``type``, a ``data`` object and a ``parentId`` chain."""
    first = head_line(head)
    if not object_line(first) or b'"parentId"' not in first:
        return False
    try:
        rec = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(rec, dict)
        and isinstance(rec.get("type"), str)
        and "." in rec["type"]
        and isinstance(rec.get("data"), dict)
        and "parentId" in rec
    )


class _Data(msgspec.Struct, gc=False):
    """The ``data`` fields that are read, for every event type: the rest (encrypted reasoning, tool
    telemetry, a skill's whole text) is skipped by the decoder, never built."""

    content: Any = None
    source: Any = None
    isAutopilotContinuation: Any = None
    model: Any = None
    reasoningText: Any = None
    toolRequests: Any = None
    toolCallId: Any = None
    toolName: Any = None
    arguments: Any = None
    success: Any = None
    result: Any = None
    error: Any = None
    name: Any = None
    sessionId: Any = None
    copilotVersion: Any = None
    context: Any = None
    selectedModel: Any = None
    outcome: Any = None
    summary: Any = None
    shutdownType: Any = None
    codeChanges: Any = None


class _Event(msgspec.Struct, gc=False):
    type: Any = None
    data: _Data | None = None
    timestamp: Any = None
    agentId: Any = None


_EVENT = msgspec.json.Decoder(_Event)


class _Run:
    """One agent's steps (the session's, or a subagent's) as the events arrive."""

    def __init__(self, source: str, subagent: bool = False) -> None:
        self.out = StepList(source)
        self.subagent = subagent  # its prompts come from the agent that started it
        self.task = ""
        self.model: str | None = None
        self.started: str | None = None
        self.ended: str | None = None
        self.skills: list[str] = []
        self.seen: set[str] = set()  # call ids met so far

    def user(self, data: _Data, line: int, ts: str | None) -> None:
        text = as_str(data.content)
        source = data.source
        autopilot = data.isAutopilotContinuation is True
        sent = isinstance(source, str) and source and source != "user"
        if autopilot or (sent and not source.startswith("agent")):
            trust = T_INJECTED  # sent by the CLI: a skill's text, an autopilot continuation
        else:  # typed by the user, or another agent's prompt (``agent-<id>``; any prompt of a subagent)
            trust = T_AGENT if sent or self.subagent else T_PERSON
        if self.out.message(R_USER, text, trust, line=line, timestamp=ts) and (
            trust is T_PERSON or (trust is T_AGENT and self.subagent)
        ):
            self.task = self.task or clip(text.strip())

    def assistant(self, data: _Data, line: int, ts: str | None, ctx: ParseContext) -> None:
        if isinstance(data.model, str):
            self.model = self.model or data.model
        self.out.thought(as_str(data.reasoningText), None, line, ts)
        self.out.message(R_ASSISTANT, as_str(data.content), T_AGENT, None, line, ts)
        for req in as_list(data.toolRequests):
            if not isinstance(req, dict) or not isinstance(req.get("toolCallId"), str):
                ctx.skip("tool request without a toolCallId", line, "call left out")
                continue
            self.call(req["toolCallId"], req.get("name"), req.get("arguments"), line, ts)

    def call(self, call_id: str, name: Any, args: Any, line: int, ts: str | None) -> None:
        name = name if isinstance(name, str) and name else "tool"
        self.seen.add(call_id)
        args = json_or_text(json_safe(args))  # some builds write the arguments as a JSON string
        if name in SHELL_TOOLS and isinstance(args, dict) and isinstance(args.get("command"), str):
            text = args["command"]
        else:
            text = clip(orjson.dumps(args).decode()) if args is not None else ""
        self.out.call(name, text, call_id, args, line=line, timestamp=ts)

    def result(self, data: _Data, line: int, ts: str | None) -> None:
        result, error = as_dict(data.result), as_dict(data.error)
        text = as_str(result.get("content")) or as_str(result.get("detailedContent"))
        if error:
            text = "\n".join(t for t in (text, as_str(error.get("message"))) if t)
        code = _exit_code(result.get("contents"))
        if code is None:
            match = _EXIT_RE.search(text[-500:])
            code = exit_code(int(match.group(1))) if match else None
        failed = data.success is False or bool(error) or bool(code)
        self.out.result(str(data.toolCallId), text, is_error=failed, exit_code=code, line=line, timestamp=ts)


def _exit_code(contents: Any) -> int | None:
    """The exit code of a ``shell_exit`` (or older ``terminal``) block among the result's contents."""
    for block in contents if isinstance(contents, list) else ():
        if isinstance(block, dict) and str_or_none(block.get("type")) in _EXIT_BLOCKS:
            code = exit_code(block.get("exitCode"))  # an int a process could return: not a bool, not 2**70
            if code is not None:
                return code
    return None


class _Session:
    """The session's state across events: its runs (the main one first), metadata and outcome."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: dict[str | None, _Run] = {None: _Run(str(path))}
        self.native_id: str | None = None
        self.meta: dict[str, Any] = {}
        self.outcome: Outcome = Outcome.UNKNOWN
        self.version: str | None = None
        self.cwd: str | None = None
        self.repository: str | None = None

    def run(self, agent: Any) -> _Run:
        agent = agent if isinstance(agent, str) else None
        run = self.runs.get(agent)
        if run is None:
            run = self.runs[agent] = _Run(str(self.path), subagent=agent is not None)
        return run

    def event(self, kind: str, data: _Data, ev: _Event, line: int, ctx: ParseContext) -> None:
        ts = ev.timestamp if isinstance(ev.timestamp, str) else None
        run = self.run(ev.agentId)
        run.started = run.started or ts
        run.ended = ts or run.ended
        if kind == "user.message":
            run.user(data, line, ts)
        elif kind == "assistant.message":
            run.assistant(data, line, ts, ctx)
        elif kind == "tool.execution_start" and not run.out.is_open(data.toolCallId):
            if isinstance(data.toolCallId, str) and data.toolCallId not in run.seen:
                run.call(data.toolCallId, data.toolName, data.arguments, line, ts)
            else:
                ctx.ignore("tool.execution_start (the call is in assistant.message)")
        elif kind == "tool.execution_complete":
            run.result(data, line, ts)
        elif kind == "skill.invoked" and isinstance(data.name, str):
            run.skills.append(data.name)
        elif kind == "session.start":
            self.start(data)
        elif kind == "session.task_complete":
            self.finish(data)
        elif kind == "session.shutdown":
            if data.shutdownType is not None:
                self.meta["shutdownType"] = json_safe(data.shutdownType)
            if data.codeChanges is not None:
                self.meta["codeChanges"] = json_safe(data.codeChanges)
        elif "." in kind:  # the system prompt, streaming, usage and other bookkeeping
            ctx.ignore(f"{kind} (not a step)")
        else:
            ctx.skip(f"unknown event type {kind}", line, "event ignored")

    def start(self, data: _Data) -> None:
        context = as_dict(data.context)
        self.native_id = _s(data.sessionId) or self.native_id
        self.version = _s(data.copilotVersion) or self.version
        self.cwd = _s(context.get("cwd")) or self.cwd
        self.repository = _s(context.get("repository")) or self.repository
        if _s(context.get("branch")):
            self.meta["git_branch"] = context["branch"]
        if _s(data.selectedModel):
            self.runs[None].model = self.runs[None].model or data.selectedModel

    def finish(self, data: _Data) -> None:
        if isinstance(data.success, bool):
            self.outcome = Outcome.SUCCESS if data.success else Outcome.FAILURE
        if _s(data.outcome):
            self.meta["task_outcome"] = data.outcome
        if _s(data.summary):
            self.meta["summary"] = clip(data.summary, 4000)


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    session = _Session(path)
    digest = new_digest()
    for line, raw, ev in iter_jsonl_as(path, ctx, _EVENT):
        digest.update(raw.rstrip(b"\r\n"))
        if not isinstance(ev.type, str):
            ctx.skip("not an event", line, "expected {type, data, id, timestamp, parentId}")
        elif ev.data is None:
            ctx.skip("event without data", line, f"{ev.type} has no data object")
        else:  # the decoded fields read as they are: a field absent or null is None either way
            session.event(ev.type, ev.data, ev, line, ctx)
    traj_id = digest_id(digest)
    yield from _trajectories(path, traj_id, session)


def _trajectories(path: Path, traj_id: str, session: _Session) -> Iterator[Trajectory]:
    native = session.native_id or (path.parent.name if path.name == "events.jsonl" else path.stem)
    for agent, run in session.runs.items():
        if agent is not None and not run.out.steps:
            continue
        traj = Trajectory(
            id=traj_id if agent is None else f"{traj_id}-{agent}"[:64],
            source=str(path),
            format=FORMAT,
            agent=AGENT,
            steps=run.out.steps,
            native_id=native if agent is None else f"{native}/{agent}",
            agent_version=session.version,
            model=run.model,
            task=run.task,
            cwd=session.cwd,
            repository=session.repository,
            started_at=run.started,
            ended_at=run.ended,
            parent_id=native if agent is not None else None,
            skills_used=run.skills,
        )
        if agent is None:
            traj.metadata.update(session.meta)
            if session.outcome is not Outcome.UNKNOWN:
                traj.outcome, traj.outcome_source = session.outcome, "log:session.task_complete"
        else:
            traj.metadata["subagent"] = agent
        yield traj


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
