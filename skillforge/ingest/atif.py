"""ATIF trajectories (Agent Trajectory Interchange Format, Harbor RFC 0001, v1.0–v1.7): Harbor's
``jobs/<job>/<trial>/agent/trajectory.json`` (Terminal-Bench 2.0, SkillsBench, ~40 agents converted),
NeMo's exporters, and the JSONL that ``skillforge ingest --to atif`` writes (one document per line).

A document is ``{schema_version: "ATIF-v1.x", session_id, agent{name, version, model_name}, steps[]}``;
a step has ``source`` (user, system or agent) and ``message`` (text or content parts), and an agent step
adds ``reasoning_content``, ``tool_calls[{tool_call_id, function_name, arguments}]`` and
``observation.results[{source_call_id, content}]``. Each becomes flat steps in that order; results pair
with their calls by id, in the same step or a later one (NeMo writes observations as steps of their
own). Read leniently: producers add fields. What skillforge wrote under ``extra.skillforge`` (see
``atif_write``) restores what ATIF has no field for. The outcome is not in the document: Harbor's
``result.json`` or ``verifier/reward.txt`` beside the trial's ``agent/`` folder gives it (``harbor``).
Embedded ``subagent_trajectories`` (v1.7) become trajectories of their own, linked by ``parent_id``;
external subagent files and continuations are found by ``atif_refs``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skillforge.ingest import atif_fitted
from skillforge.ingest.atif_refs import (
    MARK,
    add_refs,
    continuations,
    continues,
    external,
    load_sub,
    referred_by,
)
from skillforge.ingest.base import (
    R_ASSISTANT,
    R_SYSTEM,
    R_USER,
    T_AGENT,
    T_INJECTED,
    T_PERSON,
    ParseContext,
    as_dict,
    as_list,
    object_line,
    text_of,
)
from skillforge.ingest.gemini_text import shell_exit_codes
from skillforge.ingest.harbor import apply_outcome
from skillforge.ingest.reading import decode_exact, iter_jsonl_raw, json_doc, log_id, read_doc_bytes
from skillforge.ingest.steps import StepList
from skillforge.model import Outcome, Role, Step, StepKind, Trajectory, Trust

FORMAT = "atif"
AGENT = "atif"
OPENS = b"{"  # detect() is False for content that starts otherwise


def detect(path: Path, head: bytes) -> bool:
    """``"schema_version": "ATIF-v…"`` on the first line (JSONL, or a one-line document) or near the
    start of a pretty-printed document."""
    start = head[:2048]
    return start.lstrip()[:1] == b"{" and b'"schema_version"' in start and MARK in start


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    """The trajectories of one ATIF file: a document (with its continuations and subagents) or JSONL."""
    for traj in _parse(path, ctx):
        shell_exit_codes(traj.steps)  # ATIF has no exit code: Gemini CLI's shell output says it
        yield traj


def _parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    if _read_through_another(path, ctx):
        return
    first = ctx.first_line()
    if object_line(first) and MARK in first:  # one document per line
        yield from _lines(path, ctx)
        return
    data = read_doc_bytes(path, ctx)
    if data is None:
        return
    traj_id = log_id(data)
    fitted = decode_exact(data, atif_fitted.DECODER)  # the usual document, decoded into its schema
    traj = _fitted(path, traj_id, fitted) if fitted is not None else None
    if traj is not None:
        found = [traj]
    else:
        doc = json_doc(data, ctx)
        found = [] if doc is None else list(_with_subagents(path, traj_id, doc, ctx, None))
    if found:
        apply_outcome(path, found[0])
    yield from found


def _lines(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    """One document per line. A file of one line is a document written compactly (a Harbor trial's
    ``agent/trajectory.json`` too): its trial's reward is looked up as for a pretty-printed one."""
    held: list[Trajectory] = []
    for n, (line, raw, doc) in enumerate(iter_jsonl_raw(path, ctx)):
        found = _with_subagents(path, log_id(raw.rstrip(b"\r\n")), doc, ctx, line)
        if n == 0:
            held = list(found)  # held until it is known whether another document follows
            continue
        yield from held
        held = []
        yield from found
    if held:  # still held: the file's only document
        apply_outcome(path, held[0])
    yield from held


def _read_through_another(path: Path, ctx: ParseContext) -> bool:
    """A continuation (``trajectory.cont-N.json``) or external subagent file that a ``trajectory.json``
    beside it names is read through that document, never twice; named alone, a line says so."""
    first = continues(path)
    if first is not None:
        ctx.ignore("continued trajectory file (read as part of the trajectory.json it continues)")
    elif (first := referred_by(path)) is not None:
        ctx.ignore("subagent trajectory file (read through the trajectory.json that refers to it)")
    if first is not None and ctx.named:
        ctx.warn(f"read through {first}, which refers to it: name that file or its folder instead")
    return first is not None


def _with_subagents(
    path: Path,
    traj_id: str,
    doc: Any,
    ctx: ParseContext,
    line: int | None,
    parent: str | None = None,
    seen: set[Path] | None = None,
) -> Iterator[Trajectory]:
    """A document, then its subagent trajectories, each with ``parent_id`` naming the document: those
    embedded in it (ATIF v1.7 ``subagent_trajectories``) and the external files its results refer to
    (``subagent_trajectory_ref[].trajectory_path``, each file read once)."""
    refs: list[str] = []  # the external subagent files its results name, found in the one pass
    subs: list[Any] = []  # its embedded subagent trajectories (and its continuations')
    traj = _document(path, traj_id, doc, ctx, line, (refs, subs))
    if traj is None:
        return
    if parent is not None:
        traj.parent_id = parent
        traj.metadata.setdefault("subagent", "subagent")
    yield traj
    if not subs and not refs:  # the usual case: no path resolved (a syscall per folder level)
        return
    seen = seen if seen is not None else {path.resolve()}
    for n, sub in enumerate(subs):
        sub_id = _str(sub.get("trajectory_id")) if isinstance(sub, dict) else None
        yield from _with_subagents(
            path, f"{traj_id}-{sub_id or n}", sub, ctx, line, traj.native_id or traj_id, seen
        )
    for sub_path in external(path, refs, ctx, line):
        if sub_path not in seen:
            seen.add(sub_path)
            loaded = load_sub(sub_path, ctx, line)
            if loaded is not None:
                sub_id = log_id(loaded[0])
                yield from _with_subagents(
                    sub_path, sub_id, loaded[1], ctx, None, traj.native_id or traj_id, seen
                )


def _document(
    path: Path,
    traj_id: str,
    doc: Any,
    ctx: ParseContext,
    line: int | None,
    found: tuple[list[str], list[Any]],
) -> Trajectory | None:
    """One document's trajectory (None when it is not one), its continuations' steps after its own;
    the external subagent files their results name and their embedded subagent trajectories are added
    to ``found`` (refs, subs) in the same pass."""
    refs, subs = found
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        ctx.skip("not an ATIF document", line, "no steps list")
        return None
    agent = as_dict(doc.get("agent"))
    out = StepList(str(path))
    for step in doc["steps"]:
        if isinstance(step, dict):
            _step(out, step, (line, ctx), refs)
        else:
            ctx.skip("step that is not an object", line, type(step).__name__)
    _add_subs(doc, subs)
    continued = [target.name for target in _continue(out, path, doc, ctx, line, found)]
    header = (agent.get("name"), agent.get("version"), agent.get("model_name"))
    ids = (doc.get("session_id"), doc.get("trajectory_id"))
    kept = as_dict(as_dict(doc.get("extra")).get("skillforge"))
    traj = _trajectory(path, traj_id, header, ids, out.steps, kept)
    if continued:
        traj.metadata["continued_in"] = continued
    return traj


def _fitted(path: Path, traj_id: str, doc: atif_fitted.Document) -> Trajectory | None:
    """A document decoded into the schema (see ``atif_fitted``); None: read it the general way."""
    read = atif_fitted.fitted_steps(str(path), doc)
    if read is None:
        return None
    agent = doc.agent
    header = (None, None, None) if agent is None else (agent.name, agent.version, agent.model_name)
    return _trajectory(path, traj_id, header, (doc.session_id, doc.trajectory_id), *read)


def _trajectory(
    path: Path,
    traj_id: str,
    header: tuple[Any, Any, Any],
    ids: tuple[Any, Any],
    steps: list[Step],
    kept: dict[str, Any],
) -> Trajectory:
    """The trajectory of a document's steps; ``header``: its agent's name, version and model."""
    traj = Trajectory(
        id=traj_id,
        source=str(path),
        format=FORMAT,
        agent=_str(header[0]) or AGENT,
        steps=steps,
        native_id=_str(ids[0]) or _str(ids[1]),
        agent_version=_str(header[1]),
        model=_str(header[2]),
        task=next((s.text for s in steps if s.trust is Trust.PERSON), ""),
    )
    if kept:
        _restore(traj, kept)
    return traj


def _continue(
    out: StepList,
    path: Path,
    doc: Any,
    ctx: ParseContext,
    line: int | None,
    found: tuple[list[str], list[Any]],
) -> Iterator[Path]:
    """The steps of the documents ``doc`` continues in, after its own; each segment's copy of the
    context it starts from (``is_copied_context``: the earlier steps or their summary) is left out.
    Only a whole-document file's continuations are followed (a JSONL line naming one is counted)."""
    if line is not None:
        if _str(doc.get("continued_trajectory_ref")):
            ctx.ignore("continued_trajectory_ref in a JSONL document (not followed)")
        return
    for target, cont in continuations(path, doc, ctx, line):
        steps = cont.get("steps") if isinstance(cont, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                ctx.skip("step that is not an object", line, type(step).__name__)
            elif step.get("is_copied_context"):
                ctx.ignore("context copied into a continued trajectory")
            else:
                _step(out, step, (line, ctx), found[0])
        _add_subs(cont, found[1])
        yield target


def _add_subs(doc: Any, subs: list[Any]) -> None:
    """A document's embedded ``subagent_trajectories`` (v1.7), added to ``subs``."""
    embedded = doc.get("subagent_trajectories") if isinstance(doc, dict) else None
    subs.extend(embedded if isinstance(embedded, list) else [])


def _step(
    out: StepList, step: dict[str, Any], where: tuple[int | None, ParseContext], refs: list[str]
) -> None:
    """One ATIF step as flat steps, then what ``extra.skillforge`` says about each of them; ``where``:
    the JSONL line (None: a whole document) and the context that counts what is skipped."""
    line, ctx = where
    first = len(out.steps)
    ts = _str(step.get("timestamp"))
    text = text_of(step.get("message"))
    source = step.get("source")
    if source == "agent":
        reasoning = step.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            out.thought(reasoning, None, line, ts)  # by position: keywords cost per step
        trust = T_INJECTED if step.get("is_copied_context") else T_AGENT
        out.message(R_ASSISTANT, text, trust, None, line, ts)
        for call in as_list(step.get("tool_calls")):
            if isinstance(call, dict):
                _call(out, call, line, ts)
    elif text:
        role, trust = (R_USER, T_PERSON) if source == "user" else (R_SYSTEM, T_INJECTED)
        if step.get("is_copied_context"):
            trust = T_INJECTED
        out.message(role, text, trust, None, line, ts)
    notes = as_dict(step.get("extra")).get("skillforge")
    results = as_dict(step.get("observation")).get("results") or []
    if isinstance(results, list) and results:
        kept = [r for r in results if isinstance(r, dict)]
        for result in results if len(kept) < len(results) else ():
            if not isinstance(result, dict):
                ctx.skip("observation result that is not an object", line, type(result).__name__)
        _results(out, kept, first, notes, (line, ts), refs)
    _annotate(out, first, notes)


def _results(
    out: StepList,
    results: list[dict[str, Any]],
    first: int,
    notes: Any,
    where: tuple[int | None, str | None],
    refs: list[str],
) -> None:
    """A step's observation results, each linked to the call it answers: the one its ``source_call_id``
    names, else the one skillforge noted (``paired_call_id``: a call in an earlier step, which ATIF lets
    no ``source_call_id`` name), else by position among the step's calls (``paired_ids``)."""
    named = [_str(result.get("source_call_id")) for result in results]
    if None in named:  # skillforge's own documents name every call: the usual case skips this
        if isinstance(notes, list) and len(notes) >= len(results):
            for n, note in enumerate(notes[len(notes) - len(results) :]):
                if named[n] is None and isinstance(note, dict):
                    named[n] = _str(note.get("paired_call_id"))
        calls = [s.call_id for s in out.steps[first:] if s.kind is StepKind.TOOL_CALL and s.call_id]
        named = atif_fitted.paired_ids(calls, named)
    for result, call_id in zip(results, named, strict=True):
        if "subagent_trajectory_ref" in result:
            add_refs(result["subagent_trajectory_ref"], refs)
        out.result(call_id, text_of(result.get("content")), line=where[0], timestamp=where[1])


def _call(out: StepList, call: dict[str, Any], line: int | None, ts: str | None) -> None:
    """One tool call; ``extra`` holds what skillforge wrote to read it back the same (its text, an
    input that was not an object)."""
    args = call.get("arguments")  # decoded by orjson: json_safe would only copy
    extra = as_dict(call.get("extra"))
    shown = extra.get("skillforge_text")
    out.call(
        _str(call.get("function_name")) or "tool",
        shown
        if isinstance(shown, str)
        else atif_fitted.call_text(_str(call.get("function_name")) or "tool", args),
        str(call.get("tool_call_id") or f"call-{len(out.steps)}"),
        args["input"] if extra.get("input_wrapped") and isinstance(args, dict) and "input" in args else args,
        line=line,
        timestamp=ts,
    )


# (role, kind, trust) as written -> the members: one lookup, where Role(…), StepKind(…), Trust(…) are
# three enum calls (~2 µs each)
_ENUMS = {(r.value, k.value, t.value): (r, k, t) for r in Role for k in StepKind for t in Trust}


def _annotate(out: StepList, first: int, notes: Any) -> None:
    """Role, kind, trust, error, exit code and ids that skillforge wrote for each flat step."""
    steps = out.steps
    if not isinstance(notes, list) or len(notes) != len(steps) - first:
        return
    for step, note in zip(steps[first:], notes, strict=True):  # islice would step over the first ones
        if not isinstance(note, dict):
            continue
        get = note.get
        try:
            step.role, step.kind, step.trust = _ENUMS[note["role"], note["kind"], note["trust"]]
        except (KeyError, TypeError):  # missing, unknown or unhashable
            continue
        step.is_error = bool(get("is_error"))
        code, call_id, tool, ts = get("exit_code"), get("call_id"), get("tool_name"), get("timestamp")
        step.exit_code = code if type(code) is int else None
        step.call_id = call_id if isinstance(call_id, str) and call_id else None  # _str, inlined: per step
        step.tool_name = tool if isinstance(tool, str) and tool else None
        step.timestamp = ts if isinstance(ts, str) and ts else None


def _restore(traj: Trajectory, kept: dict[str, Any]) -> None:
    """The trajectory fields skillforge wrote under ``extra.skillforge``."""
    for key in (
        "task",
        "task_id",
        "cwd",
        "repository",
        "started_at",
        "ended_at",
        "outcome_source",
        "parent_id",
        "agent_version",
    ):
        value = kept.get(key)
        setattr(traj, key, value if isinstance(value, str) else ("" if key == "task" else None))
    try:
        traj.outcome = Outcome(kept.get("outcome", "unknown"))
    except ValueError:
        traj.outcome = Outcome.UNKNOWN
    skills = kept.get("skills_used")
    traj.skills_used = [s for s in skills if isinstance(s, str)] if isinstance(skills, list) else []
    traj.metadata = as_dict(kept.get("metadata"))
    for key in ("id", "format", "source"):
        if isinstance(kept.get(key), str):
            traj.metadata.setdefault(f"original_{key}", kept[key])


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
