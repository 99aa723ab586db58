"""ATIF documents decoded straight into a schema of their fields (msgspec), for the usual document: one
with no continuation and no subagents, every field one the ATIF spec or skillforge's writer names, of the
type they write. Its flat steps are built from attributes, and with what ``extra.skillforge`` says about
each (role, kind, trust…: decoded, enums included) when it says it for each, instead of being built and
then changed field by field from a dict per step.

:func:`fitted_steps` answers None for any other document, and ``atif`` then reads it the general way, as
before. The schema forbids the fields it does not name: msgspec skips those without orjson's checks (a
number out of range). Free-form values (tool arguments, the trajectory's own notes) stay raw JSON that
orjson decodes, as the general path does, integers beyond 64 bits included; the other free-form values
msgspec decodes are checked for integers orjson would read otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import orjson

from skillforge.ingest.base import (
    MAX_TEXT,
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
from skillforge.ingest.tools import shell_text
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
    paired_call_id: str | None = None


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


class _Part(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """A content part (ATIF 1.6+): text, or an image (1.8: audio) named by its ``source``."""

    type: str = ""
    text: str | None = None
    source: Any = None


_Content = str | list[_Part] | None


class _Result(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    source_call_id: str | None = None
    content: _Content = None
    extra: Any = None


class _Observation(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    results: list[_Result] | None = None


class _Metrics(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """A step's ``metrics`` as ATIF names them (Harbor's model forbids other fields too); the numbers
    typed, so that msgspec checks their range as it decodes them (only ``extra`` is left to check)."""

    prompt_tokens: _Int64 | None = None
    completion_tokens: _Int64 | None = None
    cached_tokens: _Int64 | None = None
    cost_usd: float | None = None
    prompt_token_ids: list[_Int64] | None = None
    completion_token_ids: list[_Int64] | None = None
    logprobs: list[float] | None = None
    extra: Any = None


class _Step(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    step_id: _Int64 | str | None = None
    timestamp: str | None = None
    source: str | None = None
    model_name: str | None = None
    reasoning_effort: str | float | None = None
    message: _Content = None
    reasoning_content: str | None = None
    tool_calls: list[_Call] | None = None
    observation: _Observation | None = None
    metrics: _Metrics | None = None
    is_copied_context: bool | None = None
    llm_call_count: _Int64 | None = None
    extra: _StepExtra | None = None


class _Agent(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    name: str | None = None
    version: str | None = None
    model_name: str | None = None
    tool_definitions: Any = None
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
    as the general path reads them; None when the general path could read it otherwise (a value orjson
    reads another way or refuses, a tool call outside an agent step, anything that fails while building:
    the general path then reads and reports it as it does)."""
    try:
        if not _as_orjson_reads(doc):
            return None
        extra = doc.extra
        kept = orjson.loads(memoryview(extra.skillforge)) if extra is not None and extra.skillforge else None
        out = StepList(path)
        for step in doc.steps:
            _step(out, step)
    except Exception:  # the general path reads the document and reports what fails, as before
        return None
    return out.steps, as_dict(kept)


def _as_orjson_reads(doc: Document) -> bool:
    """Whether the values msgspec decoded freely are what orjson reads (orjson turns integers beyond 64
    bits into floats and refuses those beyond a double) and the tool calls all sit in agent steps (the
    only ones whose calls are read: others would go unchecked)."""
    values = [doc.schema_version, doc.notes, doc.final_metrics]
    if doc.agent is not None:
        values += [doc.agent.tool_definitions, doc.agent.extra]
    for step in doc.steps:  # the typed fields (step_id, metrics' numbers…) msgspec checked as it decoded
        if step.tool_calls and step.source != "agent":
            return False
        if step.metrics is not None and step.metrics.extra is not None:
            values.append(step.metrics.extra)
        if type(step.message) is list:
            values += [part.source for part in step.message]
        if step.observation is not None:
            for result in step.observation.results or ():
                if result.extra is not None:
                    values.append(result.extra)
                if type(result.content) is list:
                    values += [part.source for part in result.content]
    return all(map(_orjson_same, values))


def _orjson_same(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return -(2**63) <= value < 2**64
    if kind is list:
        return all(map(_orjson_same, value))
    if kind is dict:
        return all(map(_orjson_same, value.values()))
    return True


# a flat step before it is built: (what it is, its text, role or tool name, trust or input, call id)
_Flat = tuple[int, str, Any, Any, Any]
_THOUGHT, _MESSAGE, _CALL, _RESULT = range(4)


def _step(out: StepList, step: _Step) -> None:
    """One ATIF step's flat steps; built with what ``extra.skillforge`` says about each of them when it
    says it for each (the general path builds them, then sets those fields)."""
    ts = step.timestamp or None
    flat = _flat(step, len(out.steps))
    notes = step.extra.skillforge if step.extra is not None else None
    if notes is not None and len(notes) == len(flat):
        for (what, text, _, data, call_id), note in zip(flat, notes, strict=True):
            out.put(
                note.role,
                note.kind,
                text,
                note.trust,
                note.tool_name or None,
                data if what == _CALL else None,
                note.call_id or None,
                note.is_error,
                note.exit_code,
                note.timestamp or None,
                call_id if what == _CALL else None,
                call_id if what == _RESULT else None,
            )
        return
    for what, text, name_or_role, data, call_id in flat:
        if what == _THOUGHT:
            out.thought(text, None, None, ts)
        elif what == _MESSAGE:
            out.message(name_or_role, text, data, None, None, ts)
        elif what == _CALL:
            out.call(name_or_role, text, call_id, data, None, None, ts)
        else:
            out.result(call_id, text, timestamp=ts)


def _flat(step: _Step, first: int) -> list[_Flat]:
    """The flat steps of ``step``, in order, leaving out the empty thoughts and messages the general path
    leaves out; ``first``: the index the first of them gets."""
    flat: list[_Flat] = []
    text = _text(step.message)
    source = step.source
    if source == "agent":
        reasoning = step.reasoning_content
        if reasoning and not reasoning.isspace():
            flat.append((_THOUGHT, reasoning, None, None, None))
        if text and not text.isspace():
            flat.append(
                (_MESSAGE, text, R_ASSISTANT, T_INJECTED if step.is_copied_context else T_AGENT, None)
            )
        for call in step.tool_calls or ():
            flat.append(_call(call, first + len(flat)))
    elif text and not text.isspace():
        role, trust = (R_USER, T_PERSON) if source == "user" else (R_SYSTEM, T_INJECTED)
        flat.append((_MESSAGE, text, role, T_INJECTED if step.is_copied_context else trust, None))
    observation = step.observation
    if observation is not None and observation.results:
        named = [result.source_call_id or None for result in observation.results]
        if None in named:  # skillforge's own documents name every call: the usual case stops here
            named = _unnamed(step, flat, named)
        for result, call_id in zip(observation.results, named, strict=True):
            flat.append((_RESULT, _text(result.content), None, None, call_id))
    return flat


def _unnamed(step: _Step, flat: list[_Flat], named: list[str | None]) -> list[str | None]:
    """Ids for the results that name no call, as the general path finds them: the call skillforge noted
    (``paired_call_id``), else the step's calls by position (:func:`paired_ids`)."""
    notes = step.extra.skillforge if step.extra is not None else None
    if notes is not None and len(notes) >= len(named):
        for n, note in enumerate(notes[len(notes) - len(named) :]):
            named[n] = named[n] or note.paired_call_id or None
    return paired_ids([item[4] for item in flat if item[0] == _CALL], named)


def _text(content: _Content) -> str:
    """Content as the general path flattens it: a part is what its type and text say (its source is
    only where an image or a sound lies)."""
    if type(content) is str:  # text_of's first case, without its calls: most messages and outputs
        return content if len(content) <= MAX_TEXT else clip(content)
    if type(content) is not list:
        return text_of(content)
    return text_of(
        [{"type": p.type} if p.text is None else {"type": p.type, "text": p.text} for p in content]
    )


def paired_ids(calls: list[str], named: list[str | None]) -> list[str | None]:
    """The call ids a step's results answer: ``named`` (their ``source_call_id``s), each result that names
    none taking, in order, one of the step's ``calls`` that no result names, when there are exactly as
    many of each. Harbor's own agents omit ``source_call_id`` (its ``navigator`` writes one call and one
    id-less result per step); a result that stays without an id is left unpaired."""
    if not calls or None not in named:
        return named
    taken = set(named)
    free = [call for call in calls if call not in taken]
    if len(free) != named.count(None):
        return named
    left = iter(free)
    return [call_id if call_id is not None else next(left) for call_id in named]


def call_text(name: str, args: Any) -> str:
    """A call's text: a shell tool's command, else its arguments as JSON."""
    command = shell_text(name, args)
    return clip(command if command is not None else orjson.dumps(args).decode())


def _call(call: _Call, index: int) -> _Flat:
    raw = call.arguments
    args: Any = orjson.loads(memoryview(raw)) if raw else None
    extra = call.extra
    shown = extra.skillforge_text if extra is not None else None
    wrapped = extra is not None and extra.input_wrapped and isinstance(args, dict) and "input" in args
    return (
        _CALL,
        shown if shown is not None else call_text(call.function_name or "tool", args),
        call.function_name or "tool",
        args["input"] if wrapped else args,
        call.tool_call_id or f"call-{index}",
    )
