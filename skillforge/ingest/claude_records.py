"""Claude Code transcripts, first half: one session file's records, kept lean (clipped texts, no raw
JSON; bookkeeping records counted and skipped), and the parentUuid tree that orders them into the main
chain and the sidechains. ``claude_code`` detects the format and turns those chains into trajectories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.ingest.base import (
    ParseContext,
    clip,
    iter_jsonl_raw,
    record_digest,
    text_of,
)

CHAT_TYPES = {"user", "assistant"}
# known record types that carry no step (counted as skipped, never reported as problems)
KNOWN_TYPES = {
    "system", "summary", "file-history-snapshot", "progress", "queue-operation", "attachment",
    "ai-title", "custom-title", "agent-name", "agent-setting", "permission-mode", "mode",
    "last-prompt", "bridge-session", "pr-link", "saved_hook_context",
}


@dataclass(slots=True)
class Block:
    """One content block, reduced to what a step needs."""

    type: str  # text | thinking | tool_use | tool_result
    text: str = ""
    call_id: str | None = None
    name: str | None = None
    input: Any = None
    is_error: bool = False


@dataclass(slots=True)
class Rec:
    line: int
    uuid: str
    parent: str | None
    type: str
    sidechain: bool
    digest: bytes
    timestamp: str | None = None
    blocks: list[Block] = field(default_factory=list)
    text_content: bool = False  # message.content was a plain string
    meta: bool = False  # isMeta / isCompactSummary / API error: injected text
    msg_id: str | None = None
    model: str | None = None
    error_result: bool = False  # toolUseResult was a string: the tool failed or was rejected
    exit_code: int | None = None
    bash_ok: bool = False  # toolUseResult looked like a finished, uninterrupted Bash run
    skill: str | None = None
    info: tuple[str | None, ...] = ()  # session id, agent id, cwd, version, branch


# ---------------------------------------------------------------------------------------------------
# detection


def load_records(path: Path, ctx: ParseContext) -> list[Rec]:
    records: list[Rec] = []
    seen: set[str] = set()
    for line, raw, rec in iter_jsonl_raw(path, ctx):
        if not isinstance(rec, dict):
            ctx.skip("not a JSON object", line, type(rec).__name__)
            continue
        rtype = rec.get("type")
        uuid = rec.get("uuid")
        if rtype not in CHAT_TYPES:
            _count_other(rec, rtype, ctx)
            if isinstance(uuid, str) and uuid not in seen:
                seen.add(uuid)  # keep the node: later records may hang off progress/system/new lines
                records.append(_node(rec, line, uuid, str(rtype)))
            continue
        if not isinstance(uuid, str) or not isinstance(rec.get("message"), dict):
            ctx.skip(f"{rtype} record without uuid or message", line, "record ignored")
            continue
        if uuid in seen:
            ctx.skip("duplicate record")
            continue
        seen.add(uuid)
        records.append(_chat_rec(rec, line, uuid, str(rtype), raw))
    return records


def _count_other(rec: dict[str, Any], rtype: Any, ctx: ParseContext) -> None:
    if rtype == "system":
        ctx.skip(f"system {rec.get('subtype') or 'message'}")
    elif rtype in KNOWN_TYPES:
        ctx.skip(f"{rtype} record")
    else:
        ctx.skip(f"unknown record type {rtype}")


def _node(rec: dict[str, Any], line: int, uuid: str, rtype: str) -> Rec:
    parent = rec.get("parentUuid") or rec.get("logicalParentUuid")
    return Rec(line, uuid, parent if isinstance(parent, str) else None, rtype,
                bool(rec.get("isSidechain")), b"", timestamp=rec.get("timestamp"))


def _chat_rec(rec: dict[str, Any], line: int, uuid: str, rtype: str, raw: bytes) -> Rec:
    msg = rec["message"]
    out = _node(rec, line, uuid, rtype)
    out.digest = record_digest(raw.rstrip(b"\r\n"))
    out.meta = bool(rec.get("isMeta") or rec.get("isCompactSummary") or rec.get("isApiErrorMessage"))
    get = rec.get
    out.info = (_str(get("sessionId")), _str(get("agentId")), _str(get("cwd")), _str(get("version")),
                _str(get("gitBranch")))
    skill = rec.get("attributionSkill")
    out.skill = skill if isinstance(skill, str) else None
    content = msg.get("content")
    if rtype == "assistant":
        out.msg_id = _str(msg.get("id"))
        out.model = _str(msg.get("model"))
    if isinstance(content, str):
        out.text_content = True
        out.blocks = [Block("text", clip(content))]
    elif isinstance(content, list):
        out.blocks = [b for b in (_block(x) for x in content) if b is not None]
    _tool_use_result(rec.get("toolUseResult"), out)
    return out


def _block(raw: Any) -> Block | None:
    if not isinstance(raw, dict):
        return Block("text", clip(str(raw))) if isinstance(raw, str) else None
    btype = raw.get("type")
    if btype == "text":
        return Block("text", clip(str(raw.get("text", ""))))
    if btype == "thinking":
        return Block("thinking", clip(str(raw.get("thinking", ""))))
    if btype in ("tool_use", "server_tool_use"):
        return Block("tool_use", call_id=_str(raw.get("id")), name=_str(raw.get("name")),
                      input=_clip_input(raw.get("input")))
    if btype == "tool_result" or (isinstance(btype, str) and btype.endswith("_tool_result")):
        return Block("tool_result", text_of(raw.get("content")), call_id=_str(raw.get("tool_use_id")),
                      is_error=bool(raw.get("is_error")))
    if btype in ("image", "document"):
        return Block("text", text_of(raw))
    return None  # redacted_thinking and unknown blocks carry nothing readable


def _tool_use_result(tur: Any, out: Rec) -> None:
    if isinstance(tur, str):
        out.error_result = True
    elif isinstance(tur, dict):
        code = tur.get("exitCode", tur.get("exit_code"))
        if isinstance(code, int):
            out.exit_code = code
        out.bash_ok = "stdout" in tur and tur.get("interrupted") is False


def _clip_input(value: Any) -> Any:
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, dict):
        return {k: _clip_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip_input(v) for v in value]
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------------------------------
# the tree


def _chain(leaf: Rec, nodes: dict[str, Rec]) -> list[Rec]:
    chain: list[Rec] = []
    seen: set[str] = set()
    node: Rec | None = leaf
    while node is not None and node.uuid not in seen and node.sidechain == leaf.sidechain:
        seen.add(node.uuid)
        chain.append(node)
        node = nodes.get(node.parent) if node.parent else None
    chain.reverse()
    return [r for r in chain if r.type in CHAT_TYPES]


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
    main_leaf = next((r for r in reversed(records) if r.type in CHAT_TYPES and not r.sidechain), None)
    if main_leaf is not None:
        yield False, _chain(main_leaf, nodes)
    memo: dict[str, str] = {}
    leaves: dict[str, Rec] = {}
    for rec in records:
        if rec.sidechain and rec.type in CHAT_TYPES:
            leaves[_root(rec, nodes, memo)] = rec  # later records win: the latest leaf
    for leaf in leaves.values():
        yield True, _chain(leaf, nodes)
