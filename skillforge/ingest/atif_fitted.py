"""ATIF documents decoded straight into a schema of their fields (msgspec), for the usual document: one
with no continuation and no subagents, every field one the ATIF spec or skillforge's writer names, of the
type they write. Its flat steps are built from attributes, and what ``extra.skillforge`` says about each
step (role, kind, trust…) comes decoded, its enums included, instead of a dict read per step.

:func:`fitted_steps` answers None for any other document, and ``atif`` then reads it the general way, as
before. The schema forbids the fields it does not name: msgspec skips those without orjson's checks (a
number out of range). Free-form values (tool arguments, the trajectory's own notes) stay raw JSON that
orjson decodes, as the general path does, integers beyond 64 bits included.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import orjson

from skillforge.ingest.base import (
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    as_dict,
    clip,
    text_of,
)
from skillforge.ingest.steps import StepList
from skillforge.model import Role, Step, StepKind, Trust

_Int64 = Annotated[
    int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)
]  # orjson reads these as ints (and up to 2**64)


class _Note(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """``extra.skillforge[n]`` of a step: what ATIF has no field for, per flat step."""

    role: Role
    kind: StepKind
    trust: Trust
    tool_name: str | None = None
    call_id: str | None = None
    exit_code: _Int64 | None = None
    timestamp: str | None = None
    is_error: bool = False


class _StepExtra(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    skillforge: list[_Note] | None = None


class _CallExtra(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    skillforge_text: str | None = None
    input_wrapped: bool | None = None


class _Call(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    tool_call_id: str | None = None
    function_name: str | None = None
    arguments: msgspec.Raw = msgspec.Raw()
    extra: _CallExtra | None = None


class _Result(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    source_call_id: str | None = None
    content: str | None = None


class _Observation(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    results: list[_Result] | None = None


class _Step(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    step_id: Any = None
    timestamp: str | None = None
    source: str | None = None
    model_name: Any = None
    message: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[_Call] | None = None
    observation: _Observation | None = None
    metrics: Any = None
    is_copied_context: bool | None = None
    extra: _StepExtra | None = None


class _Agent(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    name: str | None = None
    version: str | None = None
    model_name: str | None = None
    extra: Any = None


class _DocExtra(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    skillforge: msgspec.Raw = msgspec.Raw()


class Document(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    steps: list[_Step]
    schema_version: Any = None
    session_id: str | None = None
    trajectory_id: str | None = None
    agent: _Agent | None = None
    notes: Any = None
    final_metrics: Any = None
    extra: _DocExtra | None = None


DECODER = msgspec.json.Decoder(Document)


def fitted_steps(path: str, doc: Document) -> tuple[list[Step], dict[str, Any]] | None:
    """The flat steps of a document decoded into the schema and what it kept under ``extra.skillforge``,
    as the general path reads them; None when a raw value is not JSON orjson reads (the general path
    then reports it as it does)."""
    try:
        extra = doc.extra
        kept = orjson.loads(memoryview(extra.skillforge)) if extra is not None and extra.skillforge else None
        out = StepList(path)
        for step in doc.steps:
            _step(out, step)
    except orjson.JSONDecodeError:
        return None
    return out.steps, as_dict(kept)


def _step(out: StepList, step: _Step) -> None:
    first = len(out.steps)
    ts = step.timestamp or None
    text = text_of(step.message)
    source = step.source
    if source == "agent":
        if step.reasoning_content:
            out.thought(step.reasoning_content, None, None, ts)
        out.message(R_ASSISTANT, text, T_INJECTED if step.is_copied_context else T_AGENT, None, None, ts)
        for call in step.tool_calls or ():
            _call(out, call, ts)
    elif text:
        role, trust = (R_USER, T_PERSON) if source == "user" else (R_SYSTEM, T_INJECTED)
        out.message(role, text, T_INJECTED if step.is_copied_context else trust, None, None, ts)
    observation = step.observation
    if observation is not None:
        for result in observation.results or ():
            out.result(result.source_call_id, text_of(result.content), timestamp=ts)
    notes = step.extra.skillforge if step.extra is not None else None
    steps = out.steps
    if notes is not None and len(notes) == len(steps) - first:
        for flat, note in zip(steps[first:], notes, strict=True):  # islice would step over the first
            flat.role, flat.kind, flat.trust = note.role, note.kind, note.trust
            flat.is_error, flat.exit_code = note.is_error, note.exit_code
            flat.call_id, flat.tool_name = note.call_id or None, note.tool_name or None
            flat.timestamp = note.timestamp or None


def _call(out: StepList, call: _Call, ts: str | None) -> None:
    raw = call.arguments
    args: Any = orjson.loads(memoryview(raw)) if raw else None
    extra = call.extra
    shown = extra.skillforge_text if extra is not None else None
    wrapped = extra is not None and extra.input_wrapped and isinstance(args, dict)
    out.call(
        call.function_name or "tool",
        shown if shown is not None else clip(orjson.dumps(args).decode()),
        call.tool_call_id or f"call-{len(out.steps)}",
        args["input"] if wrapped else args,
        timestamp=ts,
    )
