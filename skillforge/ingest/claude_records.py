"""Claude Code transcripts, first half: one session file's records, kept lean (clipped texts, no raw
JSON; bookkeeping records counted and skipped), and the parentUuid tree that orders them into the main
chain and the sidechains. ``claude_code`` detects the format and turns those chains into trajectories."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from skillforge.ingest.base import IMAGE_MARKER, ParseContext, clip, str_or_none, text_of
from skillforge.ingest.claude_context import (
    IGNORED_TYPES,
    METADATA_TYPES,
    Attachment,
    context_of,
    metadata_of,
)
from skillforge.ingest.reading import exit_code, iter_jsonl_as, json_safe, record_digest

CHAT_TYPES = {"user", "assistant"}
CONTEXT = "context"  # a non-message record that becomes a step (see ``claude_context``)
STEP_TYPES = CHAT_TYPES | {CONTEXT}
# the record types Claude Code writes besides messages (detection accepts files opening with them)
KNOWN_TYPES = {"system", "attachment"} | set(IGNORED_TYPES) | METADATA_TYPES


class Block(msgspec.Struct, gc=False):
    """One content block, reduced to what a step needs."""

    type: str  # text | thinking | tool_use | tool_result
    text: str = ""
    call_id: str | None = None
    name: str | None = None
    input: Any = None
    is_error: bool = False


class Rec(msgspec.Struct, gc=False):
    line: int
    uuid: str
    parent: str | None
    type: str
    sidechain: bool
    digest: bytes
    timestamp: str | None = None
    blocks: list[Block] = []
    text_content: bool = False  # message.content was a plain string
    meta: bool = False  # isMeta / isCompactSummary / API error: injected text
    msg_id: str | None = None
    model: str | None = None
    error_result: bool = False  # toolUseResult was a string: the tool failed or was rejected
    exit_code: int | None = None
    bash_ok: bool = False  # toolUseResult looked like a finished, uninterrupted Bash run
    skill: str | None = None
    info: tuple[str | None, ...] = ()  # session id, agent id, cwd, version, branch
    kind: str = ""  # of a context record: error | context | prompt
    spawned: str | None = None  # the subagent a Task/Agent result reports (``toolUseResult.agentId``)
    api_error: bool = False  # a client-side (``<synthetic>``) message reporting a failed API call


# ---------------------------------------------------------------------------------------------------
# the schema of a line: only the fields the reader uses (``toolUseResult`` bodies — whole files read or
# written — and image data are skipped, not built). Non-object values decode as themselves.

Scalar = str | int | float | bool | None


class _LineBlock(msgspec.Struct):
    type: Any = None
    text: Any = None
    thinking: Any = None
    id: Any = None
    name: Any = None
    input: Any = None
    tool_use_id: Any = None
    content: Any = None
    is_error: Any = None


class _Message(msgspec.Struct):
    id: Any = None
    model: Any = None
    content: list[_LineBlock | Scalar | list[Any]] | dict[str, Any] | Scalar = None


class _ToolUseResult(msgspec.Struct):
    exitCode: Any = None
    exit_code: Any = None
    stdout: msgspec.Raw = msgspec.Raw(b"")  # whether it is there is what counts: empty when absent
    interrupted: Any = None
    agentId: Any = None  # a Task/Agent call's result: the subagent it ran


class _Line(msgspec.Struct):
    type: Any = None
    uuid: Any = None
    parentUuid: Any = msgspec.UNSET  # left out (not null): see _chat_rec
    logicalParentUuid: Any = None
    isSidechain: Any = None
    timestamp: Any = None
    subtype: Any = None
    message: _Message | Scalar | list[Any] = None
    isMeta: Any = None
    isCompactSummary: Any = None
    isApiErrorMessage: Any = None
    sessionId: Any = None
    agentId: Any = None
    cwd: Any = None
    version: Any = None
    gitBranch: Any = None
    attributionSkill: Any = None
    toolUseResult: _ToolUseResult | Scalar | list[Any] = None
    attachment: Attachment | Scalar | list[Any] = None
    content: Any = None
    error: Any = None
    aiTitle: Any = None
    prUrl: Any = None
    prNumber: Any = None
    prRepository: Any = None
    summary: Any = None
    data: msgspec.Raw = msgspec.Raw(b"")  # a progress record's body: decoded only for agent_progress
    parentToolUseID: Any = None


class _Progress(msgspec.Struct):
    """An ``agent_progress`` record's body: one message of a running subagent, inline (2.1.x)."""

    type: Any = None
    agentId: Any = None
    message: _Line | Scalar | list[Any] = None


_DECODER = msgspec.json.Decoder(_Line)
_PROGRESS = msgspec.json.Decoder(_Progress)
Inline = dict[str, tuple[str | None, dict[str, Rec]]]  # agent id -> (the Task call's id, its records by uuid)


# ---------------------------------------------------------------------------------------------------
# records


def load_records(path: Path, ctx: ParseContext) -> tuple[list[Rec], dict[str, Any], Inline]:
    """The file's records in file order, the session metadata its bookkeeping records carry, and the
    subagents' messages that ``agent_progress`` records carry inline."""
    records: list[Rec] = []
    meta: dict[str, Any] = {}
    inline: Inline = {}
    seen: set[str] = set()
    for line, raw, rec in iter_jsonl_as(path, ctx, _DECODER):
        rtype, uuid = str_or_none(rec.type), rec.uuid
        if rtype not in CHAT_TYPES:
            if rtype in METADATA_TYPES:
                metadata_of(rtype, rec, meta)
            if rtype == "progress" and b'"agent_progress"' in raw and _inline(rec, line, raw, inline):
                context = None
            else:
                context = context_of(rtype, rec.subtype, rec.attachment, rec.content, rec.error, ctx)
            if type(uuid) is str and uuid not in seen:
                seen.add(uuid)  # keep the node: later records may hang off progress/system/new lines
                node = _node(rec, line, uuid, CONTEXT if context else str(rtype))
                if context is not None:
                    node.kind, node.blocks = context.kind, [Block("text", context.text)]
                    node.digest = record_digest(raw.rstrip(b"\r\n"))
                records.append(node)
            continue
        if type(uuid) is not str or type(rec.message) is not _Message:
            ctx.skip(f"{rtype} record without uuid or message", line, "record ignored")
            continue
        if uuid in seen:
            ctx.skip("duplicate record")
            continue
        seen.add(uuid)
        records.append(_chat_rec(rec, rec.message, line, uuid, raw))
    _rejoin_dangling(records)
    return records, meta, inline


_UNLINKED = ""  # the parent of a chat record that has no parentUuid field: no record's uuid


def _rejoin_dangling(records: list[Rec]) -> None:
    """A record whose parent is not in the file joins the record before it (of the main chain, or of
    the same subagent): a compaction naming a record that was never written (2.1.4x), a subagent file
    whose first records hang off the session's records, a copy that starts mid-session, a message
    written without a ``parentUuid`` field by another tool (the first one is a root). Parents that
    come later in the file (2.1 sometimes writes a result before its call) are not dangling."""
    ids = {r.uuid for r in records}
    before: dict[tuple[bool, str | None], str] = {}
    for rec in records:
        key = (rec.sidechain, rec.info[1] if rec.info else None)
        if rec.parent is not None and rec.parent not in ids:
            rec.parent = before.get(key) if rec.sidechain else before.get((False, None))
        before[(False, None) if not rec.sidechain else key] = rec.uuid


def _inline(rec: _Line, line: int, raw: bytes, inline: Inline) -> bool:
    """Keep the subagent message an ``agent_progress`` record carries; False when it carries none."""
    try:
        data = _PROGRESS.decode(rec.data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return False
    inner = data.message
    if (
        data.type != "agent_progress"
        or type(data.agentId) is not str
        or type(inner) is not _Line
        or str_or_none(inner.type) not in CHAT_TYPES
        or type(inner.message) is not _Message
        or type(inner.uuid) is not str
    ):
        return False
    _, found = inline.setdefault(data.agentId, (_str(rec.parentToolUseID), {}))
    if inner.uuid not in found:
        out = _chat_rec(inner, inner.message, line, inner.uuid, raw)
        out.sidechain = True
        out.info = _info(
            _str(rec.sessionId), data.agentId, _str(rec.cwd), _str(rec.version), _str(rec.gitBranch)
        )
        found[inner.uuid] = out
    return True


def _node(rec: _Line, line: int, uuid: str, rtype: str) -> Rec:
    parent = rec.parentUuid or rec.logicalParentUuid
    return Rec(
        line,
        uuid,
        parent if type(parent) is str else None,
        rtype,
        bool(rec.isSidechain),
        b"",
        rec.timestamp if type(rec.timestamp) is str else None,
    )


def _chat_rec(rec: _Line, msg: _Message, line: int, uuid: str, raw: bytes) -> Rec:
    out = _node(rec, line, uuid, rec.type)
    if rec.parentUuid is msgspec.UNSET and out.parent is None:
        out.parent = _UNLINKED  # written without the field (other tools' copies): follows the one before
    out.digest = record_digest(raw.rstrip(b"\r\n"))
    out.meta = bool(rec.isMeta or rec.isCompactSummary or rec.isApiErrorMessage)
    out.info = _info(
        _str(rec.sessionId), _str(rec.agentId), _str(rec.cwd), _str(rec.version), _str(rec.gitBranch)
    )
    out.skill = _str(rec.attributionSkill)
    content = msg.content
    if rec.type == "assistant":
        out.msg_id = _str(msg.id)
        out.model = _info(_str(msg.model))[0]
        if out.model == "<synthetic>":  # written by Claude Code itself, not the model
            out.meta = True
            out.api_error = bool(rec.isApiErrorMessage) or (
                type(content) is list
                and any(
                    type(b) is _LineBlock and type(b.text) is str and b.text.startswith("API Error")
                    for b in content
                )
            )
    if type(content) is str:
        out.text_content = True
        out.blocks = [Block("text", clip(content))]
    elif type(content) is list:
        out.blocks = [b for b in map(_block, content) if b is not None]
    tur = rec.toolUseResult
    if type(tur) is str:
        out.error_result = True
    elif type(tur) is _ToolUseResult:
        out.exit_code = exit_code(tur.exitCode if tur.exitCode is not None else tur.exit_code)
        out.bash_ok = len(tur.stdout) > 0 and tur.interrupted is False
        out.spawned = _str(tur.agentId)
    return out


def _block(raw: Any) -> Block | None:
    if type(raw) is not _LineBlock:
        return Block("text", clip(raw)) if type(raw) is str else None
    btype = raw.type
    if btype == "text":
        return Block("text", clip(_text(raw.text)))
    if btype == "thinking":
        return Block("thinking", clip(_text(raw.thinking)))
    if btype in ("tool_use", "server_tool_use"):
        return Block("tool_use", call_id=_str(raw.id), name=_str(raw.name), input=_clip_input(raw.input))
    if btype == "tool_result" or (type(btype) is str and btype.endswith("_tool_result")):
        return Block(
            "tool_result", text_of(raw.content), call_id=_str(raw.tool_use_id), is_error=bool(raw.is_error)
        )
    if btype == "image":
        return Block("text", IMAGE_MARKER)
    if btype == "document":
        return Block("text", "[document omitted]")
    return None  # redacted_thinking and unknown blocks carry nothing readable


def _text(value: Any) -> str:
    return value if type(value) is str else ("" if value is None else str(value))


def _clip_input(value: Any) -> Any:
    """A tool input with long strings clipped, ready to be written as JSON again (see ``json_safe``)."""
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, dict):
        return {k: _clip_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip_input(v) for v in value]
    return json_safe(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@lru_cache(maxsize=1024)
def _info(*values: Any) -> tuple[Any, ...]:
    """One shared copy of the session id, cwd, version, branch or model that every line repeats."""
    return values


# ---------------------------------------------------------------------------------------------------
# the tree


def _chain(leaf: Rec, nodes: dict[str, Rec], records: list[Rec]) -> list[Rec]:
    chain: list[Rec] = []
    seen: set[str] = set()
    node: Rec | None = leaf
    while node is not None and node.uuid not in seen and node.sidechain == leaf.sidechain:
        seen.add(node.uuid)
        chain.append(node)
        node = nodes.get(node.parent) if node.parent else None
    chain.reverse()
    beside = _parallel_branches(chain, records, leaf.sidechain)
    if beside:
        chain = _with_branches(chain, beside)
    return [r for r in chain if r.type in STEP_TYPES]


def _with_branches(chain: list[Rec], beside: dict[str, list[Rec]]) -> list[Rec]:
    """The chain with each record put back after the record it hangs off (records of one turn are not
    always written in file order, so the order is the tree's, never the file's)."""
    out: list[Rec] = []
    todo = list(reversed(chain))
    while todo:
        rec = todo.pop()
        out.append(rec)
        todo.extend(reversed(beside.pop(rec.uuid, ())))
    return out


def _parallel_branches(chain: list[Rec], records: list[Rec], sidechain: bool) -> dict[str, list[Rec]]:
    """The records of the chain's own turns that hang beside it rather than on it. Claude Code 2.1 writes
    parallel tool calls as one record per call, chained one after the other, and each call's result as a
    child of *its* call's record: the path from the latest leaf passes through the last result only. The
    other results (user records holding only results of calls on the chain) and the other records of a
    split response (same ``message.id``) are put back; a rewound branch starts with a prompt, so it never
    qualifies. Returns, for a record of the chain, what to put back after it, in file order."""
    anchor = {r.uuid: r.uuid for r in chain}  # a record on or beside the chain -> where it goes
    msg_ids = {r.msg_id for r in chain if r.msg_id}
    calls = {b.call_id for r in chain for b in r.blocks if b.type == "tool_use"}
    answered = {b.call_id for r in chain for b in r.blocks if b.type == "tool_result"}
    beside: dict[str, list[Rec]] = {}
    for rec in records:
        if rec.parent not in anchor or rec.uuid in anchor or rec.sidechain != sidechain:
            continue
        if rec.type not in STEP_TYPES:
            anchor[rec.uuid] = anchor[rec.parent]  # progress and bookkeeping: a result may hang off them
            continue
        if rec.type == CONTEXT:
            beside.setdefault(anchor[rec.parent], []).append(rec)
            anchor[rec.uuid] = rec.uuid
            continue
        if rec.type == "assistant":
            if not (rec.msg_id and rec.msg_id in msg_ids):
                continue
            calls.update(b.call_id for b in rec.blocks if b.type == "tool_use")
        elif rec.blocks and all(
            b.type == "tool_result" and b.call_id in calls and b.call_id not in answered for b in rec.blocks
        ):
            answered.update(b.call_id for b in rec.blocks)
        else:
            continue
        beside.setdefault(anchor[rec.parent], []).append(rec)
        anchor[rec.uuid] = rec.uuid
    return beside


def _root(rec: Rec, nodes: dict[str, Rec], memo: dict[str, str]) -> str:
    path: list[str] = []
    node = rec
    while True:
        if node.uuid in memo:
            root = memo[node.uuid]
            break
        path.append(node.uuid)
        parent = nodes.get(node.parent) if node.parent else None
        if parent is None or parent.uuid in path or not parent.sidechain:
            root = node.uuid
            break
        node = parent
    for uuid in path:
        memo[uuid] = root
    return root


def chains(records: list[Rec]) -> Iterator[tuple[bool, list[Rec]]]:
    """(is_subagent, chain) for the main chain, then each sidechain root in file order."""
    nodes = {r.uuid: r for r in records}
    main_leaf = next((r for r in reversed(records) if r.type in STEP_TYPES and not r.sidechain), None)
    if main_leaf is not None:
        yield False, _chain(main_leaf, nodes, records)
    memo: dict[str, str] = {}
    leaves: dict[str, Rec] = {}
    for rec in records:
        if rec.sidechain and rec.type in STEP_TYPES:
            leaves[_root(rec, nodes, memo)] = rec  # later records win: the latest leaf
    for leaf in leaves.values():
        yield True, _chain(leaf, nodes, records)
