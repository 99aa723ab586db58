"""Reader for OpenHands event logs: V0 trajectory lists (a JSON list of events), V0 session folders
(``sessions/<sid>/events/<n>.json``), V1 SDK conversation folders (``<conv>/events/event-NNNNN-<id>.json``
plus ``base_state.json``) and evaluation ``output.jsonl`` files (one run per line, with ``test_result``).

V0 observations answer the action whose ``id`` is their ``cause``; V1 observations name ``tool_call_id``
/ ``action_id``. A run observation's exit code is ``extras.metadata.exit_code``; the agent's thought is
``args.thought`` (V0) or ``thought`` (V1). ``model_response`` payloads are never copied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
    K_USER_MESSAGE,
    R_ASSISTANT,
    R_SYSTEM,
    R_TOOL,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    T_TOOL_OUTPUT,
    ParseContext,
    as_dict,
    as_list,
    as_str,
    clip,
    extract_task,
    repository_of,
    text_of,
)
from skillforge.ingest.reading import iter_jsonl_raw, log_id, read_json_doc
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Trajectory

FORMAT = "openhands"
AGENT = "openhands"
OPENS = b"[{"  # an event list, or an evaluation record (detect() is False for the rest)

_EVENT_V0 = re.compile(r"^\d+\.json$")
_EVENT_V1 = re.compile(r"^event-(\d+)-[^/]*\.json$")
_EVENT_KEY = re.compile(rb'"(?:action|observation)"\s*:')
_EVAL_FIRST_KEY = re.compile(rb'^\s*\{\s*"(?:instance_id|instruction|test_result)"\s*:')
_QUIET_ACTIONS = {"change_agent_state", "null", "recall", "condensation", "condensation_request"}
_QUIET_OBSERVATIONS = {"agent_state_changed", "null", "condensation"}
_DROP_ARGS = {
    "thought",
    "translated_ipython_code",
    "confirmation_state",
    "security_risk",
    "hidden",
    "blocking",
    "is_input",
    "impl_source",
    "image_urls",
    "wait_for_response",
    "summary",
}


def detect(path: Path, head: bytes) -> bool:
    body = head[:1024].lstrip()  # enough to see how the document starts
    if body.startswith(b"["):
        return b'"source"' in head and _EVENT_KEY.search(head) is not None
    return (
        bool(_EVAL_FIRST_KEY.match(body))
        and b'"instance_id"' in head
        and (b'"history"' in head or b'"metadata"' in head)
    )


FOLDER_FILES: frozenset[str] | None = frozenset(
    {"events", "base_state.json"}
)  # what a conversation folder's log is; files beside them are read as logs of their own
DIR_NAMES = frozenset({"events"})  # a folder holding events/, or events/ itself (see detect_dir)


def detect_dir(path: Path, names: Collection[str] | None = None) -> bool:
    """A conversation folder holding ``events/`` (or the ``events`` folder itself). ``names``, the
    folder's entries when the caller has listed it, spares a look at the disk for most folders."""
    if names is not None and "events" not in names and path.name != "events":
        return False
    return _event_files(path) is not None


def _event_files(path: Path) -> list[tuple[int, str]] | None:
    events = os.path.join(path, "events")
    folder = events if os.path.isdir(events) else path if path.name == "events" else None
    if folder is None:
        return None
    found: list[tuple[int, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                v1 = _EVENT_V1.match(entry.name)
                if v1 or _EVENT_V0.match(entry.name):
                    found.append((int(v1.group(1) if v1 else entry.name[:-5]), entry.path))
    except OSError:
        return None
    return sorted(found) or None


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    if ctx.head is None and path.is_dir():  # a head was read: a file (a folder has none)
        yield from _parse_folder(path, ctx)
        return
    first = ctx.start(4096).lstrip()
    if first.startswith(b"["):
        loaded = read_json_doc(path, ctx)
        if loaded is not None:
            data, doc = loaded
            if isinstance(doc, list):
                traj = _trajectory(path, ctx, ((f"[{i}]", e) for i, e in enumerate(doc)), log_id(data))
                traj.native_id = path.name.split(".")[0]
                yield traj
            else:
                ctx.fail("not an OpenHands event list")
        return
    for lineno, raw, record in iter_jsonl_raw(path, ctx):
        if not isinstance(record, dict) or not isinstance(record.get("history"), list):
            ctx.skip("line without history", lineno, "expected an evaluation record with 'history'")
            continue
        yield _eval_record(path, ctx, lineno, raw, record)


def _parse_folder(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    files = _event_files(path) or []
    hashes: list[bytes] = []

    def events() -> Iterator[tuple[str, Any]]:
        for _, name in files:
            try:
                raw = Path(name).read_bytes()
                hashes.append(raw)
                yield os.path.relpath(name, path), orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                ctx.skip("invalid event file", detail=f"{name}: {exc}")
            except OSError as exc:
                ctx.skip("unreadable event file", detail=f"{name}: {exc.strerror}")

    traj = _trajectory(path, ctx, events(), "")
    traj.id = log_id(*hashes)
    traj.native_id = traj.native_id or (path.parent.name if path.name == "events" else path.name)
    _base_state(path, traj)
    yield traj


def _base_state(path: Path, traj: Trajectory) -> None:
    state_file = (path.parent if path.name == "events" else path) / "base_state.json"
    try:
        state = orjson.loads(state_file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return
    if not isinstance(state, dict):
        return
    agent = as_dict(state.get("agent"))
    llm = as_dict(agent.get("llm"))
    traj.model = traj.model or (str(llm["model"]) if llm.get("model") else None)
    traj.native_id = str(state.get("id") or traj.native_id)
    traj.metadata["execution_status"] = state.get("execution_status") or state.get("agent_status")


def _eval_record(path: Path, ctx: ParseContext, lineno: int, raw: bytes, rec: dict[str, Any]) -> Trajectory:
    history: list[Any] = []
    for item in rec["history"]:  # older outputs: [action, observation] pairs
        history.extend(item if isinstance(item, list) else [item])
    traj = _trajectory(
        path, ctx, ((f"history[{i}]", e) for i, e in enumerate(history)), log_id(raw), line=lineno
    )
    instance = as_dict(rec.get("instance"))
    traj.native_id = traj.task_id = str(rec.get("instance_id") or "") or None
    traj.repository = str(instance.get("repo") or "") or repository_of(traj.native_id)
    traj.task = clip(as_str(instance.get("problem_statement"))) or extract_task(
        as_str(rec.get("instruction"))
    )
    meta = as_dict(rec.get("metadata"))
    llm = as_dict(meta.get("llm_config"))
    traj.model = str(llm.get("model") or "") or traj.model
    traj.agent_version = str(meta.get("agent_class") or "") or None
    result = as_dict(rec.get("test_result"))
    report = as_dict(result.get("report")) or result
    if isinstance(report.get("resolved"), bool):
        traj.outcome = Outcome.SUCCESS if report["resolved"] else Outcome.FAILURE
        traj.outcome_source = "log:test_result"
    if rec.get("error"):
        traj.metadata["error"] = clip(str(rec["error"]), 2000)
    return traj


def _trajectory(
    path: Path, ctx: ParseContext, events: Iterable[tuple[str, Any]], tid: str, line: int | None = None
) -> Trajectory:
    steps = StepList(str(path))
    state = _State(steps, ctx, line)
    for record, event in events:
        if not isinstance(event, dict):
            ctx.skip("non-object event", line, f"{record} is {type(event).__name__}")
            continue
        state.event(record, event)
    stamps = [s.timestamp for s in steps.steps if s.timestamp]
    return Trajectory(
        id=tid,
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=steps.steps,
        task=extract_task(state.task),
        model=state.model,
        started_at=stamps[0] if stamps else None,
        ended_at=stamps[-1] if stamps else None,
        skills_used=state.skills,
        metadata={"finished": state.finished} if state.finished else {},
    )


# where an event's steps come from: its record, its line (evaluation outputs), its timestamp; passed
# on by position (a dict spread as keywords cost each step measurably)
_Where = tuple[str, int | None, str | None]


class _State:
    """Turns events, in order, into steps (one instance per trajectory)."""

    def __init__(self, steps: StepList, ctx: ParseContext, line: int | None):
        self.steps, self.ctx, self.line = steps, ctx, line
        self.task = ""
        self.model: str | None = None
        self.skills: list[str] = []
        self.finished = False
        self.calls: dict[str, str] = {}  # event id -> call id

    def event(self, record: str, e: dict[str, Any]) -> None:
        stamp = e.get("timestamp")
        where = (record, self.line, str(stamp) if stamp else None)
        if isinstance(e.get("kind"), str):  # V1 events are discriminated by kind; V0 ones never have it
            self._v1(e, where)
        elif e.get("action"):
            self._v0_action(e, where)
        elif e.get("observation"):
            self._v0_observation(e, where)
        else:
            self.ctx.skip("event without action or observation")

    def _user(self, text: str, where: _Where) -> None:
        if not self.task:
            self.task = text
        self.steps.message(R_USER, text, T_PERSON, *where)

    def _v0_action(self, e: dict[str, Any], where: _Where) -> None:
        act, args = str(e["action"]), as_dict(e.get("args"))
        meta = as_dict(e.get("tool_call_metadata"))
        if self.model is None:
            self._note_model(meta.get("model_response"))
        if act == "message":
            text = as_str(args.get("content")) or as_str(e.get("message"))
            if e.get("source") == "user":
                self._user(text, where)
            else:
                self.steps.message(R_ASSISTANT, text, T_AGENT, *where)
        elif act == "system":
            self.steps.message(R_SYSTEM, as_str(args.get("content")), T_INJECTED, *where)
        elif act in _QUIET_ACTIONS:
            self.ctx.skip(f"{act} event")
        elif act in ("think", "finish", "reject"):
            self.steps.thought(as_str(args.get("thought")), *where)
            final = as_str(args.get("final_thought")) or as_str(e.get("message"))
            self.steps.message(R_ASSISTANT, final if act != "think" else "", T_AGENT, *where)
            self.finished = self.finished or act == "finish"
        else:
            self.steps.thought(as_str(args.get("thought")), *where)
            call_id = str(meta.get("tool_call_id") or f"event {e.get('id')}")
            self.calls[str(e.get("id"))] = call_id
            inputs = {k: v for k, v in args.items() if k not in _DROP_ARGS}
            self.steps.call(
                str(meta.get("function_name") or act), _action_text(act, args), call_id, inputs, *where
            )

    def _v0_observation(self, e: dict[str, Any], where: _Where) -> None:
        obs, text = str(e["observation"]), as_str(e.get("content"))
        call_id = self.calls.get(str(e.get("cause")))
        extras = as_dict(e.get("extras"))
        if obs in _QUIET_OBSERVATIONS:
            self.ctx.skip(f"{obs} observation")
        elif obs == "recall":
            self.steps.message(R_USER, text, T_INJECTED, *where)
        elif call_id is not None and self.steps.is_open(call_id):
            meta = as_dict(extras.get("metadata"))
            code = meta.get("exit_code") if isinstance(meta.get("exit_code"), int) else None
            failed = obs == "error" or e.get("success") is False or (code is not None and code != 0)
            record, line, stamp = where
            self.steps.result(
                call_id, text, exit_code=code, is_error=failed, record=record, line=line, timestamp=stamp
            )
        else:
            self._loose(text, obs == "error" or obs == "user_rejected", where)

    def _loose(self, text: str, is_error: bool, where: _Where) -> None:
        """Output that answers no known call (an agent error, a rejection)."""
        if text.strip():
            record, line, stamp = where
            self.steps.add(
                R_TOOL,
                K_USER_MESSAGE,
                text,
                T_TOOL_OUTPUT,
                is_error=is_error,
                record=record,
                line=line,
                timestamp=stamp,
            )

    def _v1(self, e: dict[str, Any], where: _Where) -> None:
        kind = str(e["kind"])
        if kind == "SystemPromptEvent":
            self.steps.message(R_SYSTEM, text_of(e.get("system_prompt")), T_INJECTED, *where)
        elif kind == "MessageEvent":
            self._v1_message(e, where)
        elif kind == "ActionEvent":
            self._v1_action(e, where)
        elif kind in ("ObservationEvent", "UserRejectObservation", "AgentErrorEvent"):
            self._v1_observation(kind, e, where)
        else:
            self.ctx.skip(f"{kind} event")

    def _v1_message(self, e: dict[str, Any], where: _Where) -> None:
        msg = as_dict(e.get("llm_message"))
        text = text_of(msg.get("content"))
        self.skills.extend(str(s) for s in as_list(e.get("activated_skills")) if str(s) not in self.skills)
        if e.get("source") == "user" or msg.get("role") == "user":
            self._user(text, where)
        else:
            self.steps.message(R_ASSISTANT, text, T_AGENT, *where)

    def _v1_action(self, e: dict[str, Any], where: _Where) -> None:
        action = as_dict(e.get("action"))
        name = str(e.get("tool_name") or action.get("kind") or "tool")
        self.steps.thought(text_of(e.get("thought")) or as_str(e.get("reasoning_content")), *where)
        if name == "finish" or action.get("kind") == "FinishAction":
            self.steps.message(R_ASSISTANT, as_str(action.get("message")), T_AGENT, *where)
            self.finished = True
            return
        if name == "think" or action.get("kind") == "ThinkAction":
            self.steps.thought(as_str(action.get("thought")), *where)
            return
        call_id = str(e.get("tool_call_id") or e.get("id"))
        self.calls[str(e.get("id"))] = call_id
        inputs = {k: v for k, v in action.items() if k != "kind"}
        self.steps.call(name, _action_text(name, action), call_id, inputs, *where)

    def _v1_observation(self, kind: str, e: dict[str, Any], where: _Where) -> None:
        call_id = str(e.get("tool_call_id") or self.calls.get(str(e.get("action_id")), ""))
        obs = as_dict(e.get("observation"))
        if kind == "AgentErrorEvent":
            text, failed, code = as_str(e.get("error")), True, None
        elif kind == "UserRejectObservation":
            text, failed, code = "rejected: " + as_str(e.get("rejection_reason")), True, None
        else:
            meta = as_dict(obs.get("metadata"))
            code = obs.get("exit_code", meta.get("exit_code"))
            code = code if isinstance(code, int) and code != -1 else None
            text = text_of(obs.get("content")) or as_str(obs.get("output"))
            failed = bool(obs.get("is_error") or obs.get("error")) or (code is not None and code != 0)
        if self.steps.is_open(call_id):
            record, line, stamp = where
            self.steps.result(
                call_id, text, exit_code=code, is_error=failed, record=record, line=line, timestamp=stamp
            )
        else:
            self._loose(text, failed, where)

    def _note_model(self, response: Any) -> None:
        if self.model is None and isinstance(response, dict) and response.get("model"):
            self.model = str(response["model"])


def _action_text(act: str, args: dict[str, Any]) -> str:
    """The readable form of an action: the command, the code, or the verb and its path/url."""
    for key in ("command", "code", "url", "browser_actions"):
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            if key == "command" and args.get("path"):
                return f"{value} {args['path']}"
            return value
    if args.get("path"):
        return f"{act} {args['path']}"
    shown = {k: v for k, v in args.items() if k not in _DROP_ARGS and k != "kind"}
    return f"{act} {orjson.dumps(shown, default=str).decode()}" if shown else act
