"""Gemini CLI sessions (``~/.gemini/tmp/<project>/chats/session-*.json`` up to v0.38, ``*.jsonl`` from
v0.39; a subagent's in ``chats/<parent session id>/<id>.jsonl``).

The JSON form is one conversation object ``{sessionId, projectHash, startTime, lastUpdated, messages,
summary?, kind?}``. The JSONL form is an append log: a header with the same fields, then message records
that are **re-appended whole on every update** (the first position and the last copy count),
``{"$set": {…}}`` metadata patches (a ``messages`` key replaces the whole list: history rewritten after
compression, an aborted turn or a resume) and ``{"$rewindTo": id}`` (drop that message and all after it;
an unknown id drops all). Both are reduced to the final message list, then to steps: a ``gemini``
message's ``thoughts`` (summaries; its ``thought`` parts repeat them) are thoughts, its text an
assistant message, and each ``toolCalls`` entry a call paired with the ``functionResponse`` of its own id
in its ``result`` (v0.4x puts the whole turn's responses in each). ``user`` records that hold only
``functionResponse`` parts (v0.44+ writes each result there too) are tool results, not prompts; user
text that starts with ``/``, ``?``, ``<session_context>``, ``<hook_context>`` or ``I ran the following
shell command:`` (a shell-mode command) is not a prompt either. A record with a ``displayContent`` (what
the person typed: a slash command, an ``@file`` prompt) is read as that, and its ``content`` (what the CLI
sent: the command's template, the files' text) as injected. ``info``/``warning``/``error`` messages are
injected context (errors marked ``is_error``).
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
    as_str,
    clip,
    head_line,
    object_line,
    str_or_none,
)
from skillforge.ingest.gemini_parts import (
    call_text,
    marked_text,
    message_text,
    only_tool_results,
    own_response,
    response_output,
    thought_text,
)
from skillforge.ingest.gemini_resumed import resumed_as_jsonl
from skillforge.ingest.gemini_text import SHELL_TOOLS, exit_code_line, split_marks
from skillforge.ingest.reading import digest_id, iter_jsonl_raw, log_id, new_digest, read_json_doc
from skillforge.ingest.steps import StepList
from skillforge.model import Trajectory

FORMAT = "gemini-cli"
AGENT = "gemini-cli"
OPENS = b"{"  # detect() is False for content that starts otherwise

MESSAGE_TYPES = {"user", "gemini", "info", "error", "warning"}
# slash commands, help, context the CLI prepends, and the record of a command the user ran in shell
# mode (``!cmd``), which the CLI writes as user text for the model
_NOT_PROMPTS = ("/", "?", "<session_context>", "<hook_context>", "I ran the following shell command:\n```")


_DONE = {"success", "error", "cancelled"}


Session = tuple[str, dict[str, Any], list[dict[str, Any]]]  # id, header, final messages


def detect(path: Path, head: bytes) -> bool:
    """A JSONL header or a one-line conversation (``sessionId`` and ``projectHash`` on the first line), or
    a pretty-printed conversation object naming both near its start."""
    first = head_line(head)
    if object_line(first):
        try:
            rec = orjson.loads(first)
        except orjson.JSONDecodeError:
            return False
        return isinstance(rec, dict) and "sessionId" in rec and "projectHash" in rec and "startTime" in rec
    start = head[:4096]
    return (
        start.lstrip()[:1] == b"{"
        and b'"projectHash"' in start
        and b'"sessionId"' in start
        and b'"messages"' in head
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    first = ctx.first_line()
    session: Session | None
    if object_line(first) and b'"messages"' not in first:
        session = _replay(path, ctx)
    else:
        session = _document(path, ctx)
        if session is not None and not ctx.named and resumed_as_jsonl(path, session[1]):
            ctx.ignore("conversation resumed as a .jsonl log beside it (the log is read)")
            return
    if session is not None:
        yield _trajectory(path, *session, ctx)


def _document(path: Path, ctx: ParseContext) -> Session | None:
    loaded = read_json_doc(path, ctx)
    if loaded is None:
        return None
    data, doc = loaded
    if not isinstance(doc, dict) or not isinstance(doc.get("messages", []), list):
        ctx.fail("not a Gemini CLI conversation (no messages list)")
        return None
    messages = [
        m
        for m in doc.get("messages", [])
        if (
            type(m) is dict
            and type(m.get("id")) is str
            and type(kind := m.get("type")) is str
            and kind in MESSAGE_TYPES
        )
        or _is_message(m, ctx)  # the check again, to count what it leaves out
    ]
    return log_id(data), doc, messages


def _replay(path: Path, ctx: ParseContext) -> Session:
    """The final message list of an append log: re-appends, ``$set`` and ``$rewindTo`` applied."""
    header: dict[str, Any] = {}
    order: list[str] = []
    messages: dict[str, dict[str, Any]] = {}
    digest = new_digest()
    for line, raw, rec in iter_jsonl_raw(path, ctx):
        digest.update(raw.rstrip(b"\r\n"))
        if not isinstance(rec, dict):
            ctx.skip("not a JSON object", line, type(rec).__name__)
        elif isinstance(rec.get("$set"), dict):
            patch = rec["$set"]
            if isinstance(patch.get("messages"), list):  # history rewritten: the list is replaced
                kept = [m for m in patch["messages"] if _is_message(m, ctx, line)]
                order, messages = [m["id"] for m in kept], {m["id"]: m for m in kept}
                ctx.ignore("history replaced ($set messages: earlier copies dropped)")
            header.update({k: v for k, v in patch.items() if k != "messages"})
        elif "$rewindTo" in rec:
            cut = order.index(rec["$rewindTo"]) if rec["$rewindTo"] in order else 0
            for gone in order[cut:]:
                messages.pop(gone, None)
            order = order[:cut]
            ctx.ignore("rewound ($rewindTo: later messages dropped)")
        elif "type" in rec and "id" in rec:
            if _is_message(rec, ctx, line):
                if rec["id"] not in messages:
                    order.append(rec["id"])
                else:
                    ctx.ignore("re-appended message (the last copy is kept)")
                messages[rec["id"]] = rec
        elif "sessionId" in rec:
            header.update(rec)
        else:
            ctx.skip("unknown record", line, "neither a message, a header nor a $set/$rewindTo patch")
    return digest_id(digest), header, [messages[i] for i in order]


def _is_message(rec: Any, ctx: ParseContext, line: int | None = None) -> bool:
    if (
        isinstance(rec, dict)
        and isinstance(rec.get("id"), str)
        and str_or_none(rec.get("type")) in MESSAGE_TYPES
    ):
        return True
    kind = rec.get("type") if isinstance(rec, dict) else type(rec).__name__
    ctx.skip(f"unknown message type {kind}", line, "message ignored")
    return False


class _Steps:
    """The final messages, turned into steps."""

    def __init__(self, source: str) -> None:
        self.out = StepList(source)
        self.task = ""
        self.model: str | None = None
        self.unnamed: dict[str, list[str]] = {}  # open raw calls without an id, by tool name, in order

    def read(self, messages: list[dict[str, Any]], ctx: ParseContext) -> None:
        """Every message's steps, in order (one loop: a call per message costs the reader measurably)."""
        gemini, user = self._gemini, self._user
        for msg in messages:
            kind, ts = msg["type"], msg.get("timestamp")
            if type(ts) is not str:
                ts = None
            if kind == "gemini":
                gemini(msg, ts)
            elif kind == "user":
                user(msg, ts, ctx)
            else:  # info, warning, error: the CLI's own notices
                step = self.out.message(R_SYSTEM, message_text(msg.get("content")), T_INJECTED, timestamp=ts)
                if step is not None and kind == "error":
                    step.is_error = True

    def _user(self, msg: dict[str, Any], ts: str | None, ctx: ParseContext) -> None:
        parts: Any = msg.get("content")
        if (
            type(parts) is list
            and len(parts) == 1
            and type(part := parts[0]) is dict
            and type(text := part.get("text")) is str
            and "functionResponse" not in part
            and not part.get("thought")
        ):  # the usual prompt or notice: one text part
            text = clip(text)
        elif only_tool_results(parts):  # tool results written as a user record (v0.44+)
            for response in parts:
                response = response["functionResponse"]
                if self.out.is_open(response.get("id")):
                    self._result(response.get("id"), response, None, ts)
                elif not response.get("id") and (waiting := self.unnamed.get(as_str(response.get("name")))):
                    self._result(waiting.pop(0), response, None, ts)  # no ids: by order and name
                else:
                    ctx.ignore("copy of a tool result (user record holding only functionResponse parts)")
            return
        else:
            text = message_text(parts)
        display = msg.get("displayContent")
        if display is not None and (typed := message_text(display)).strip() and typed.strip() != text.strip():
            self._typed(typed, ts)  # what the person typed; ``content`` is what the CLI made of it
            self.out.message(R_USER, text, T_INJECTED, None, None, ts)
        else:
            self._typed(text, ts)

    def _typed(self, text: str, ts: str | None) -> None:
        if (text[:1].isspace() and text.lstrip().startswith(_NOT_PROMPTS)) or text.startswith(_NOT_PROMPTS):
            self.out.message(R_USER, text, T_INJECTED, None, None, ts)
        elif self.out.message(R_USER, text, T_PERSON, None, None, ts) is not None and not self.task:
            self.task = clip(text.strip())

    def _gemini(self, msg: dict[str, Any], ts: str | None) -> None:
        if not self.model:
            model = msg.get("model")
            self.model = model if isinstance(model, str) else None
        out, summarised = self.out, False
        thoughts = msg.get("thoughts")
        if type(thoughts) is list:
            for thought in thoughts:
                if type(thought) is dict:
                    summarised = True
                    subject, description = thought.get("subject"), thought.get("description")
                    if type(subject) is str and type(description) is str and subject and description:
                        out.thought(f"{subject}: {description}", None, None, ts)  # the usual summary
                    else:
                        out.thought(thought_text(subject, description), None, None, ts)
        parts, calls = msg.get("content"), msg.get("toolCalls")
        if type(parts) is str and "[Thought: " not in parts:  # the usual answer: plain text, no marker
            out.message(R_ASSISTANT, parts, T_AGENT, None, None, ts)
        else:
            self._parts(parts, summarised, bool(calls), ts)
        if type(calls) is list:
            for call in calls:
                if type(call) is dict:
                    self._tool_call(call, ts)

    def _parts(self, parts: Any, summarised: bool, has_calls: bool, ts: str | None) -> None:
        """A ``gemini`` message's content parts: thoughts, leaked thoughts, raw calls and text."""
        for part in parts if isinstance(parts, list) else [parts]:
            if (
                type(part) is dict
                and type(text := part.get("text")) is str
                and not part.get("thought")
                and "functionCall" not in part
                and "[Thought: " not in text
            ):  # the usual text part: its text, as _text would give it
                self.out.message(R_ASSISTANT, text, T_AGENT, None, None, ts)
            elif isinstance(part, dict) and part.get("thought") is True:
                if not summarised:  # v0.4x writes each summary twice: as `thoughts` and as a thought part
                    self.out.thought(as_str(part.get("text")), timestamp=ts)
            elif (marked := marked_text(part)) is not None:
                self._leaked(marked, summarised, ts)
            elif isinstance(part, dict) and isinstance(part.get("functionCall"), dict) and not has_calls:
                call = part["functionCall"]  # raw API parts after a history rewrite
                name = as_str(call.get("name")) or "tool"
                call_id = str(call.get("id") or "")
                if not call_id:  # the API's parts may carry no id: the response is matched by name
                    call_id = f"call-{len(self.out.steps)}"
                    self.unnamed.setdefault(name, []).append(call_id)
                self._call(call_id, name, call.get("args"), ts)
            else:
                self.out.message(R_ASSISTANT, message_text(part), T_AGENT, timestamp=ts)

    def _leaked(self, text: str, summarised: bool, ts: str | None) -> None:
        """Text holding ``[Thought: true]`` markers: each piece before a marker is a thought (already
        in the summaries when there are some), the piece after the last one the answer."""
        *thoughts, answer = split_marks(text)
        if not summarised:
            for thought in thoughts:
                self.out.thought(thought.strip(), timestamp=ts)
        self.out.message(R_ASSISTANT, clip(answer.strip()), T_AGENT, timestamp=ts)

    def _tool_call(self, call: dict[str, Any], ts: str | None) -> None:
        own_id, name, args, status = call.get("id"), call.get("name"), call.get("args"), call.get("status")
        call_id = str(own_id or f"call-{len(self.out.steps)}")
        name = (name if type(name) is str else as_str(name)) or "tool"
        status = status if type(status) is str else None
        response = own_response(call.get("result"), own_id)
        if response is None:
            self._call(call_id, name, args, ts)
            if status in _DONE:  # finished without a functionResponse part: the display text, or the status
                text = as_str(call.get("resultDisplay")) or f"[{status}]"
                self.out.result(call_id, text, is_error=status != "success", timestamp=ts)
            return
        body: Any = response.get("response")
        usual = type(body) is dict and type(body.get("output")) is str and not body.get("error")
        output, error = (body["output"], False) if usual else response_output(body)  # usual: output, no error
        if name in SHELL_TOOLS and type(args) is dict and type(command := args.get("command")) is str:
            shown = command
        else:
            shown = call_text(args)
        code = exit_code_line(output, len(output) - 2000)
        failed = error or status in ("error", "cancelled") or bool(code)
        self.out.pair(name, shown, call_id, args, output, failed, code, ts)  # both steps at once

    def _call(self, call_id: str, name: str, args: Any, ts: str | None) -> None:
        if name in SHELL_TOOLS and type(args) is dict and type(args.get("command")) is str:
            text = args["command"]
        else:
            text = call_text(args)
        self.out.call(name, text, call_id, args, None, None, ts)

    def _result(self, call_id: Any, response: dict[str, Any], status: Any, ts: str | None) -> None:
        text, error = response_output(response.get("response"))
        code = exit_code_line(text, len(text) - 2000)
        failed = error or status in ("error", "cancelled") or bool(code)
        self.out.result(str(call_id), text, timestamp=ts, exit_code=code, is_error=failed)


def _trajectory(
    path: Path, traj_id: str, header: dict[str, Any], messages: list[dict[str, Any]], ctx: ParseContext
) -> Trajectory:
    steps = _Steps(str(path))
    steps.read(messages, ctx)
    session = header.get("sessionId") if isinstance(header.get("sessionId"), str) else None
    subagent = header.get("kind") == "subagent"
    traj = Trajectory(
        id=traj_id,
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=steps.out.steps,
        native_id=session,
        model=steps.model,
        task=steps.task,
        started_at=_str(header.get("startTime")),
        ended_at=_str(header.get("lastUpdated")),
        parent_id=path.parent.name if subagent else None,
    )
    if isinstance(header.get("summary"), str):
        traj.metadata["title"] = header["summary"]
    pad = header.get("memoryScratchpad")
    if isinstance(pad, dict) and pad.get("validationStatus") in ("passed", "failed", "unknown"):
        # Gemini's own reading of the session's test/lint/build calls: kept, not taken as the outcome
        traj.metadata["validation_status"] = pad["validationStatus"]
    if subagent:
        traj.metadata["subagent"] = "subagent"
    return traj


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
