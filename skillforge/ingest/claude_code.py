"""Claude Code session transcripts (``~/.claude/projects/<escaped-cwd>/<session>.jsonl``).

A transcript is a tree of records linked by ``parentUuid``: rewinds create branches, compaction inserts
a ``compact_boundary`` whose ``logicalParentUuid`` bridges the gap, and subagents (``isSidechain``) are
either inlined in the session file (1.x/2.0) or written to ``<session>/subagents/agent-<id>.jsonl``.
This reader holds one file's records in a compact form (clipped texts, no raw JSON), follows the main
chain ending at the latest leaf and each sidechain's chain, and yields one trajectory per chain: the
session first, then its subagents (``parent_id`` = the session id). An API response written as several
lines (one per content block, same ``message.id``) becomes one run of steps without duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
    IMAGE_MARKER,
    K_ASSISTANT_MESSAGE,
    K_THOUGHT,
    K_TOOL_CALL,
    K_TOOL_RESULT,
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
    clip,
    object_line,
    str_or_none,
)
from skillforge.ingest.claude_context import KIND_ERROR, KIND_PROMPT
from skillforge.ingest.claude_prompts import is_housekeeping, slash_command
from skillforge.ingest.claude_records import (
    CHAT_TYPES,
    CONTEXT,
    KNOWN_TYPES,
    STEP_TYPES,
    Block,
    Rec,
    chains,
    load_records,
)
from skillforge.ingest.reading import digest_id, new_digest
from skillforge.model import Outcome, Role, SourceLocation, Step, StepKind, Trajectory, Trust
from skillforge.text import folder_repository

FORMAT = "claude-code"
AGENT = "claude-code"
OPENS = b"{"  # detect() is False for content that starts otherwise

# known record types that carry no step (counted as skipped, never reported as problems)
SHELL_TOOLS = {"Bash"}
_EXIT_RE = re.compile(r"^(?:Error: )?Exit code (-?\d+)", re.M)
_SKILL_DIR_RE = re.compile(r"^Base directory for this skill:\s*(\S+)", re.M)
_INJECTED_PREFIXES = (
    "<system-reminder>",
    "<local-command-stdout>",
    "<local-command-stderr>",
    "Caveat: ",
    "[Request interrupted",
    "<bash-stdout>",
    "<bash-stderr>",
    "<task-notification>",
)


def detect(path: Path, head: bytes) -> bool:
    """A transcript line has ``parentUuid`` and ``sessionId``; a file may open with bookkeeping lines
    (``summary`` with ``leafUuid``, ``file-history-snapshot``) before the first message."""
    bookkeeping = False
    for raw in _complete_lines(head):
        if not raw.strip():
            continue
        if not object_line(raw):
            return False
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(rec, dict):
            return False
        rtype = str_or_none(rec.get("type"))
        if "parentUuid" in rec and "sessionId" in rec and rtype in KNOWN_TYPES | CHAT_TYPES:
            return True
        if rtype not in KNOWN_TYPES:
            return False
        bookkeeping = bookkeeping or ("leafUuid" in rec or "snapshot" in rec or "sessionId" in rec)
    if b"\n" not in head:  # a first line longer than the head (e.g. a pasted image)
        return head.lstrip().startswith(b"{") and b'"parentUuid":' in head and b'"sessionId":' in head
    return bookkeeping


def _complete_lines(head: bytes) -> Iterator[bytes]:
    """The lines of ``head`` that end with a newline, one at a time (most files are told apart by their
    first line: splitting 64 KiB of a pretty-printed JSON document into lines would be wasted)."""
    start = 0
    end = head.find(b"\n")
    while end >= 0:
        yield head[start:end]
        start, end = end + 1, head.find(b"\n", end + 1)


# ---------------------------------------------------------------------------------------------------
# reading records


# ---------------------------------------------------------------------------------------------------
# steps


class _Builder:
    """Turns one chain of records into steps, pairing tool calls with their results."""

    def __init__(self, source: str, subagent: bool = False, compaction: bool = False) -> None:
        self.source = source
        # a subagent's prompts come from its parent; a compaction's or warm-up's, from Claude Code itself
        self.prompter = T_INJECTED if compaction else T_AGENT if subagent else T_PERSON
        self.steps: list[Step] = []
        self.calls: dict[str, int] = {}
        self.seen: set[tuple[str | None, str, str]] = set()
        self.skills: list[str] = []
        self.subagents: dict[str, dict[str, str | None]] = {}  # agent id -> the call that ran it
        self.task = ""
        self._loc = SourceLocation(source)

    def add(self, rec: Rec) -> None:
        if rec.skill:
            self._skill(rec.skill)
        if rec.type == "assistant":
            for block in rec.blocks:
                self._assistant(rec, block)
        elif rec.type == CONTEXT:
            self._context(rec)
        else:
            self._user(rec)

    def _context(self, rec: Rec) -> None:
        """A record that is not a message: a prompt queued while the agent worked, an API error, or
        context the user or Claude Code added (edits to files, diagnostics, hook output)."""
        text = rec.blocks[0].text if rec.blocks else ""
        if rec.kind == KIND_PROMPT:
            self._message(rec, text)
        elif rec.kind == KIND_ERROR:
            self._step(rec, R_SYSTEM, K_ASSISTANT_MESSAGE, text, T_INJECTED, is_error=True)
        elif text:
            self._step(rec, R_SYSTEM, K_USER_MESSAGE, text, T_INJECTED)

    def _step(
        self,
        rec: Rec,
        role: Role,
        kind: StepKind,
        text: str,
        trust: Trust,
        *,
        tool_name: str | None = None,
        input: Any = None,
        call_id: str | None = None,
        is_error: bool = False,
        exit_code: int | None = None,
    ) -> Step:
        loc = self._loc
        if loc.line != rec.line:  # the steps of one record share their location
            loc = self._loc = SourceLocation(self.source, rec.line)
        step = Step(
            len(self.steps),
            role,
            kind,
            text,
            tool_name,
            input,
            call_id,
            None,
            is_error,
            exit_code,
            rec.timestamp,
            loc,
            trust,
        )
        self.steps.append(step)
        return step

    def _assistant(self, rec: Rec, block: Block) -> None:
        key = (
            (block.call_id, "tool_use", "")
            if block.type == "tool_use"
            else (rec.msg_id or rec.uuid, block.type, block.text)
        )
        if key in self.seen or (block.type != "tool_use" and not block.text.strip()):
            return
        self.seen.add(key)
        if block.type == "tool_use":
            self._call(rec, block)
        elif block.type == "thinking":
            self._step(rec, R_ASSISTANT, K_THOUGHT, block.text, T_AGENT)
        elif rec.meta:  # written by Claude Code itself (``<synthetic>``): an error when it says so
            self._step(rec, R_SYSTEM, K_ASSISTANT_MESSAGE, block.text, T_INJECTED, is_error=rec.api_error)
        else:
            self._step(rec, R_ASSISTANT, K_ASSISTANT_MESSAGE, block.text, T_AGENT)

    def _call(self, rec: Rec, block: Block) -> None:
        name = block.name or "unknown"
        args = block.input
        if name in SHELL_TOOLS and isinstance(args, dict) and isinstance(args.get("command"), str):
            text = args["command"]
        else:
            text = clip(orjson.dumps(args).decode()) if args is not None else ""
        if name == "Skill" and isinstance(args, dict):
            skill = args.get("skill") or args.get("command")
            if isinstance(skill, str):
                self._skill(skill)
        step = self._step(
            rec, R_ASSISTANT, K_TOOL_CALL, text, T_AGENT, tool_name=name, input=args, call_id=block.call_id
        )
        if block.call_id:
            self.calls[block.call_id] = step.index

    def _user(self, rec: Rec) -> None:
        texts = [b.text for b in rec.blocks if b.type == "text" and b.text]
        if texts:
            self._message(rec, "\n".join(texts))
        for block in rec.blocks:
            if block.type == "tool_result":
                self._result(rec, block)

    def _message(self, rec: Rec, text: str) -> None:
        # the anchored pattern would be tried at every position: look for its words first
        skill_dirs = _SKILL_DIR_RE.findall(text) if "Base directory for this skill:" in text else []
        for folder in skill_dirs:
            self._skill(folder.rstrip("/").rsplit("/", 1)[-1])
        injected = rec.meta or bool(skill_dirs) or text.startswith(_INJECTED_PREFIXES)
        if injected:
            role = R_USER if rec.meta else R_SYSTEM
            self._step(rec, role, K_USER_MESSAGE, text, T_INJECTED)
            return
        text = slash_command(text)
        self._step(rec, R_USER, K_USER_MESSAGE, text, self.prompter)
        if not self.task and self.prompter is not T_INJECTED and text.strip() not in ("", IMAGE_MARKER):
            self.task = "" if is_housekeeping(text) else text

    def _result(self, rec: Rec, block: Block) -> None:
        key = (block.call_id, "tool_result", "")
        if block.call_id and key in self.seen:
            return
        self.seen.add(key)
        call_index = self.calls.get(block.call_id or "")
        call = self.steps[call_index] if call_index is not None else None
        name = call.tool_name if call else None
        is_error = block.is_error or rec.error_result
        exit_code = rec.exit_code
        if exit_code is None and name in SHELL_TOOLS:
            match = _EXIT_RE.search(block.text[:200])
            exit_code = int(match.group(1)) if match else (0 if rec.bash_ok and not is_error else None)
        if rec.spawned and call is not None:
            self.subagents[rec.spawned] = {"spawn_call_id": block.call_id}
        step = self._step(
            rec,
            R_TOOL,
            K_TOOL_RESULT,
            block.text,
            T_TOOL_OUTPUT,
            tool_name=name,
            call_id=block.call_id,
            is_error=is_error,
            exit_code=exit_code,
        )
        if call is not None and call.pair is None:
            call.pair = step.index
            step.pair = call.index

    def _skill(self, name: str) -> None:
        if name and name not in self.skills:
            self.skills.append(name)


# ---------------------------------------------------------------------------------------------------
# trajectories


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    records, meta, inline = load_records(path, ctx)
    used = 0
    for is_sub, chain in chains(records):
        used += len(chain)
        if chain:
            traj = _trajectory(path, chain, is_sub)
            if not is_sub:
                traj.metadata.update(meta)
                traj.repository = _pull_request_repository(meta, traj.repository)
                for agent_id, (call_id, _) in inline.items():  # subagents seen only in progress records
                    traj.metadata.setdefault("subagents", {}).setdefault(agent_id, {"spawn_call_id": call_id})
            _ended_on_api_error(traj)
            yield traj
    unused = sum(1 for r in records if r.type in STEP_TYPES) - used
    if unused:
        ctx.ignored["rewound branch (a later edit of the conversation replaced it)"] += unused
    for agent_id, (call_id, found) in inline.items():
        if (path.parent / path.stem / "subagents" / f"agent-{agent_id}.jsonl").is_file():
            ctx.ignored["inline subagent progress (the subagent's own file is read)"] += len(found)
            continue
        traj = _trajectory(path, list(found.values()), True)
        traj.metadata.update(spawned_by_call=call_id, rebuilt_from="agent_progress")
        yield traj


def _trajectory(path: Path, chain: list[Rec], is_sub: bool) -> Trajectory:
    session, agent_id, cwd, version, branch = _first_info(chain)
    native = session
    if is_sub:
        native = agent_id or _agent_from_name(path) or chain[0].uuid
    compaction = is_sub and (native or "").startswith("acompact")
    warmup = is_sub and not compaction and _is_warmup(chain)
    builder = _Builder(str(path), is_sub, compaction or warmup)
    digest = new_digest()
    for rec in chain:
        digest.update(rec.digest)
        builder.add(rec)
    traj = Trajectory(
        id=digest_id(digest),
        source=str(path),
        format=FORMAT,
        agent=AGENT,
        steps=builder.steps,
        native_id=native,
        agent_version=version,
        cwd=cwd,
        model=next((r.model for r in chain if r.model and not r.model.startswith("<")), None),
        task=builder.task,
        repository=folder_repository(cwd),
        started_at=chain[0].timestamp,
        ended_at=chain[-1].timestamp,
        parent_id=session if is_sub else None,
        skills_used=builder.skills,
    )
    if branch:
        traj.metadata["git_branch"] = branch
    if builder.subagents:  # the subagents this chain's Task/Agent calls ran: their trajectories' native ids
        traj.metadata["subagents"] = builder.subagents
    if compaction:
        traj.metadata["subagent"] = "compaction"  # Claude Code summarising the session to free context
    elif warmup:
        traj.metadata["subagent"] = "warmup"  # Claude Code filling a subagent's cache at start-up
    return traj


def _pull_request_repository(meta: dict[str, Any], name: str | None) -> str | None:
    """``owner/name`` from a pull request the session opened on a repository of its folder's name (a
    ``pr-link`` record), else that name: the folder alone does not say whose repository it is."""
    for link in meta.get("pull_requests") or ():
        repo = link.get("repository") if isinstance(link, dict) else None
        if isinstance(repo, str) and name and repo.rsplit("/", 1)[-1].lower() == name.lower() and "/" in repo:
            return repo
    return name


def _is_warmup(chain: list[Rec]) -> bool:
    """Claude Code 2.0 sends each subagent a bare ``Warmup`` prompt at start-up: its own text, no work."""
    first = next((r for r in chain if r.type == "user"), None)
    return first is not None and [b.text for b in first.blocks if b.type == "text"] == ["Warmup"]


def _ended_on_api_error(traj: Trajectory) -> None:
    """A session whose last step is an API error Claude Code gave up retrying did not finish: a
    failure the log states (source ``log:api_error``), not a guess."""
    last = traj.steps[-1] if traj.steps else None
    if (
        last is not None
        and last.is_error
        and last.role is R_SYSTEM
        and last.text.startswith(("API error", "API Error"))
    ):
        traj.outcome, traj.outcome_source = Outcome.FAILURE, "log:api_error"


def _first_info(chain: list[Rec]) -> tuple[str | None, ...]:
    """Session id, agent id, cwd, version and branch: each field's first value in the chain."""
    infos = [r.info for r in chain if r.info]
    return tuple(next((info[i] for info in infos if info[i]), None) for i in range(5))


def _agent_from_name(path: Path) -> str | None:
    stem = path.stem
    return stem[len("agent-") :] if stem.startswith("agent-") else None
