"""OpenAI Codex CLI rollouts (``~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<thread>.jsonl``).

Two layouts, told apart by content: the *wrapped* layout (CLI ≈0.3x on) writes
``{"timestamp","type","payload"}`` lines starting with ``session_meta``; the *legacy* layout (early Rust
CLI) starts with a bare ``{"id","timestamp","instructions"}`` object followed by bare Responses-API
items and ``{"record_type":"state"}`` lines. One file is one thread, so one trajectory; it is built
while streaming. ``response_item`` lines are the canonical history; the ``event_msg`` copies of user and
agent messages are skipped (counted), while ``exec_command_end``/``patch_apply_end`` events fill in exit
codes that the output text did not show.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import (
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
    head_line,
    object_line,
    str_or_none,
    text_of,
)
from skillforge.ingest.codex_events import event
from skillforge.ingest.reading import digest_id, iter_jsonl_raw, new_digest
from skillforge.model import Outcome, Role, SourceLocation, Step, StepKind, Trajectory, Trust

FORMAT = "codex"
AGENT = "codex"

WRAPPED_TYPES = {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
ITEM_TYPES = {
    "message",
    "reasoning",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "web_search_call",
}
IGNORED_ITEMS = {"ghost_snapshot", "compaction", "context_compaction", "compaction_summary"}
SHELL_TOOLS = {"shell", "shell_command", "exec_command", "local_shell", "container.exec"}
_INJECTED_PREFIXES = (
    "# AGENTS.md instructions",
    "<environment_context>",
    "<user_instructions>",
    "<INSTRUCTIONS>",
    "<permissions instructions>",
    "<skill>",
    "<user_shell_command>",
    "<turn_aborted>",
)
_EXIT_RE = re.compile(r"^(?:Exit code:|Process exited with code)\s*(-?\d+)", re.M)
_SKILL_CALL_RE = re.compile(r"(?<![\w$])\$([a-z][a-z0-9_-]{1,63})\b")
_SKILL_TAG_RE = re.compile(r"<skill>\s*<name>([^<]+)</name>")
_FAILED_PREFIXES = ("failed to parse function arguments", "unsupported call", "aborted by user")
_CWD_RE = re.compile(r"<cwd>([^<]+)</cwd>|Current working directory: (\S+)")


# ---------------------------------------------------------------------------------------------------
# detection


def detect(path: Path, head: bytes) -> bool:
    first = head_line(head)
    if not object_line(first):
        return False
    try:
        rec = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(rec, dict):
        return False
    if (
        str_or_none(rec.get("type")) in WRAPPED_TYPES
        and isinstance(rec.get("payload"), dict)
        and "timestamp" in rec
    ):
        return True
    # legacy: a bare meta object first (no "type"), then bare response items
    return (
        "type" not in rec and "id" in rec and "timestamp" in rec and ("instructions" in rec or "git" in rec)
    )


# ---------------------------------------------------------------------------------------------------
# parsing


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    state = _Thread(str(path))
    for line, raw, rec in iter_jsonl_raw(path, ctx):
        if not isinstance(rec, dict):
            ctx.skip("not a JSON object", line, type(rec).__name__)
            continue
        state.digest.update(raw.rstrip(b"\r\n"))
        state.digest.update(b"\n")
        state.line = line
        if isinstance(rec.get("payload"), dict) and "type" in rec:
            state.timestamp = rec.get("timestamp") if isinstance(rec.get("timestamp"), str) else None
            _wrapped(state, str(rec["type"]), rec["payload"], ctx)
        else:
            _legacy(state, rec, ctx)
    if state.steps or state.native_id:
        yield state.trajectory()


def _wrapped(state: _Thread, rtype: str, payload: dict[str, Any], ctx: ParseContext) -> None:
    if rtype == "session_meta":
        state.meta(payload)
    elif rtype == "turn_context":
        state.context(payload)
    elif rtype == "response_item":
        _item(state, payload, ctx)
    elif rtype == "event_msg":
        event(state, payload, ctx)
    elif rtype == "compacted":
        text = text_of(payload.get("message"))
        if text:
            state.add(R_USER, K_USER_MESSAGE, text, T_INJECTED)
        else:  # newer versions keep the user's messages as ``replacement_history``: already read
            ctx.ignore("compacted history without a summary (its messages are already read)")
    else:
        ctx.skip(f"unknown record type {rtype}")


def _legacy(state: _Thread, rec: dict[str, Any], ctx: ParseContext) -> None:
    if rec.get("record_type") == "state":
        ctx.ignore("state record (bookkeeping)")
    elif "type" not in rec and "id" in rec and "timestamp" in rec:
        state.meta(rec)
    elif "type" in rec:
        _item(state, rec, ctx)
    else:
        ctx.skip("record without type", state.line, "record ignored")


def _item(state: _Thread, item: dict[str, Any], ctx: ParseContext) -> None:
    itype = str_or_none(item.get("type"))
    if itype == "message":
        _message(state, item)
    elif itype == "reasoning":
        _reasoning(state, item, ctx)
    elif itype in ("function_call", "custom_tool_call", "local_shell_call", "web_search_call"):
        _call(state, item)
    elif itype in ("function_call_output", "custom_tool_call_output"):
        _output(state, item)
    elif itype in IGNORED_ITEMS:
        ctx.ignore(f"{itype} item (compaction or undo bookkeeping)")
    else:
        ctx.skip(f"unknown record type {itype}")


def _message(state: _Thread, item: dict[str, Any]) -> None:
    role = item.get("role")
    text = text_of(item.get("content"))
    if not text.strip():
        return
    if role == "assistant":
        state.add(R_ASSISTANT, K_ASSISTANT_MESSAGE, text, T_AGENT)
    elif role in ("developer", "system"):
        state.add(R_SYSTEM, K_USER_MESSAGE, text, T_INJECTED)
    elif text.lstrip().startswith(_INJECTED_PREFIXES):
        cwd = _CWD_RE.search(text)
        state.cwd = state.cwd or (next(g for g in cwd.groups() if g).strip() if cwd else None)
        state.skills.extend(m for m in _SKILL_TAG_RE.findall(text) if m not in state.skills)
        state.add(R_USER, K_USER_MESSAGE, text, T_INJECTED)
    else:
        state.add(R_USER, K_USER_MESSAGE, text, T_PERSON)
        state.skills.extend(m for m in _SKILL_CALL_RE.findall(text) if m not in state.skills)
        if not state.task:
            state.task = text


def _reasoning(state: _Thread, item: dict[str, Any], ctx: ParseContext) -> None:
    text = text_of(item.get("summary")) or text_of(item.get("content"))
    if text.strip():
        state.add(R_ASSISTANT, K_THOUGHT, text, T_AGENT)
    else:
        ctx.ignore("encrypted reasoning (not readable)")


def _call(state: _Thread, item: dict[str, Any]) -> None:
    itype = item["type"]
    call_id = item.get("call_id") or item.get("id")
    if itype == "local_shell_call":
        action = item.get("action") if isinstance(item.get("action"), dict) else {}
        name, args = "local_shell", action
    elif itype == "web_search_call":
        name, args = "web_search", item.get("action")
    elif itype == "custom_tool_call":
        name, args = str(item.get("name") or "custom"), item.get("input")
    else:
        name, args = str(item.get("name") or "function"), _arguments(item.get("arguments"))
    step = state.add(
        R_ASSISTANT,
        K_TOOL_CALL,
        _call_text(name, args),
        T_AGENT,
        tool_name=name,
        input=args,
        call_id=call_id if isinstance(call_id, str) else None,
    )
    if step.call_id:
        state.calls[step.call_id] = step.index
    if itype == "web_search_call":  # run by the API: its results are never written, only that it ran
        status = item.get("status") if isinstance(item.get("status"), str) else "unknown"
        result = state.add(
            R_TOOL,
            K_TOOL_RESULT,
            f"[web search {status}; results are not kept in the rollout]",
            T_TOOL_OUTPUT,
            tool_name=name,
            call_id=step.call_id,
            is_error=status == "failed",
        )
        step.pair, result.pair = result.index, step.index
        state.calls.pop(step.call_id or "", None)


def _arguments(raw: Any) -> Any:
    """Arguments are a JSON string; an invalid one is kept as the raw (clipped) string."""
    if not isinstance(raw, str):
        return raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return clip(raw)


def _call_text(name: str, args: Any) -> str:
    if isinstance(args, str):
        return clip(args)
    if isinstance(args, dict):
        command = args.get("command", args.get("cmd"))
        if name in SHELL_TOOLS or name == "local_shell":
            if isinstance(command, list) and all(isinstance(c, str) for c in command):
                if len(command) == 3 and command[1] in ("-lc", "-c") and command[0].endswith("sh"):
                    return clip(command[2])
                return clip(shlex.join(command))
            if isinstance(command, str):
                return clip(command)
        if name == "apply_patch" and isinstance(args.get("input"), str):
            return clip(args["input"])
        if name == "write_stdin" and isinstance(args.get("chars"), str):
            return clip(f"[to session {args.get('session_id')}] {args['chars']}")
        if name in ("spawn_agent", "send_input") and isinstance(args.get("message"), str):
            return clip(args["message"])
    return clip(orjson.dumps(args).decode()) if args is not None else ""


def _output(state: _Thread, item: dict[str, Any]) -> None:
    call_id = item.get("call_id") if isinstance(item.get("call_id"), str) else None
    text, exit_code, failed = _read_output(item.get("output"))
    call_index = state.calls.get(call_id or "")
    call = state.steps[call_index] if call_index is not None else None
    step = state.add(
        R_TOOL,
        K_TOOL_RESULT,
        text,
        T_TOOL_OUTPUT,
        tool_name=call.tool_name if call else None,
        call_id=call_id,
        is_error=failed or bool(exit_code) or text.startswith(_FAILED_PREFIXES),
        exit_code=exit_code,
    )
    if call is not None and call.pair is None:
        call.pair, step.pair = step.index, call.index
    if call_id:
        state.results[call_id] = step.index


def _read_output(output: Any) -> tuple[str, int | None, bool]:
    """(text, exit code, failed) from the output shapes Codex versions wrote."""
    failed = False
    if isinstance(output, str) and output.startswith("{"):
        try:
            decoded = orjson.loads(output)
            output = decoded if isinstance(decoded, dict) and "output" in decoded else output
        except orjson.JSONDecodeError:
            pass
    exit_code: int | None = None
    if isinstance(output, dict):
        meta = output.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("exit_code"), int):
            exit_code = meta["exit_code"]
        failed = output.get("success") is False
        output = output.get("output", output.get("content"))
    text = text_of(output)
    if exit_code is None:
        match = _EXIT_RE.search(text[:2000])
        exit_code = int(match.group(1)) if match else None
    return text, exit_code, failed


# ---------------------------------------------------------------------------------------------------
# the thread being built


class _Thread:
    def __init__(self, source: str) -> None:
        self.source = source
        self.digest = new_digest()
        self.steps: list[Step] = []
        self.calls: dict[str, int] = {}
        self.results: dict[str, int] = {}
        self.skills: list[str] = []
        self.task = ""
        self.line = 0
        self.timestamp: str | None = None
        self.first_ts: str | None = None
        self.native_id: str | None = None
        self.version: str | None = None
        self.model: str | None = None
        self.cwd: str | None = None
        self.repository: str | None = None
        self.parent_id: str | None = None
        self.metadata: dict[str, Any] = {}
        self._loc = SourceLocation(source)

    def add(
        self,
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
        if loc.line != self.line:  # the steps of one line share their location
            loc = self._loc = SourceLocation(self.source, self.line)
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
            self.timestamp,
            loc,
            trust,
        )
        self.steps.append(step)
        self.first_ts = self.first_ts or self.timestamp
        return step

    def meta(self, payload: dict[str, Any]) -> None:
        if self.native_id is not None:
            return  # a resumed file repeats the meta line; the first one names the thread
        self.native_id = _s(payload.get("id")) or _s(payload.get("session_id"))
        self.version = _s(payload.get("cli_version"))
        self.cwd = _s(payload.get("cwd"))
        self.first_ts = _s(payload.get("timestamp")) or self.timestamp
        git: dict[str, Any] = payload["git"] if isinstance(payload.get("git"), dict) else {}
        self.repository = _repo_name(_s(git.get("repository_url")))
        if _s(git.get("branch")):
            self.metadata["git_branch"] = git["branch"]
        self._source(payload)
        for key in ("originator", "model_provider", "agent_nickname", "agent_role"):
            if _s(payload.get(key)):
                self.metadata[key] = payload[key]

    def _source(self, payload: dict[str, Any]) -> None:
        """Where the thread came from: ``cli``, ``exec`` (``codex exec``), ``vscode`` (Codex Desktop and
        the IDE extension), or a sub-agent (spawned by a parent thread, or a ``review`` run); a spawned
        or forked thread's parent becomes ``parent_id``."""
        source = payload.get("source")
        sub = source.get("subagent") if isinstance(source, dict) else None
        spawn = sub.get("thread_spawn") if isinstance(sub, dict) else None
        if isinstance(spawn, dict):
            self.parent_id = _s(spawn.get("parent_thread_id"))
            self.metadata["subagent"] = "thread_spawn"
        elif isinstance(sub, str):
            self.metadata["subagent"] = sub
        elif isinstance(source, str):
            self.metadata["source"] = source
        self.parent_id = (
            self.parent_id or _s(payload.get("parent_thread_id")) or _s(payload.get("forked_from_id"))
        )

    def context(self, payload: dict[str, Any]) -> None:
        self.model = self.model or _s(payload.get("model"))
        self.cwd = self.cwd or _s(payload.get("cwd"))

    def trajectory(self) -> Trajectory:
        repo = self.repository or (self.cwd.rstrip("/").rsplit("/", 1)[-1] if self.cwd else None)
        traj = Trajectory(
            id=digest_id(self.digest),
            source=self.source,
            format=FORMAT,
            agent=AGENT,
            steps=self.steps,
            native_id=self.native_id,
            agent_version=self.version,
            model=self.model,
            task=self.task,
            cwd=self.cwd,
            repository=repo,
            started_at=self.first_ts,
            ended_at=self.timestamp,
            parent_id=self.parent_id,
            skills_used=self.skills,
            metadata=self.metadata,
        )
        if self.metadata.get("source") == "exec" and str(self.metadata.get("last_turn")).startswith(
            "aborted"
        ):
            # ``codex exec`` runs one task unattended: a run whose turn was aborted did not finish
            traj.outcome, traj.outcome_source = Outcome.FAILURE, "log:turn_aborted"
        return traj


def _repo_name(url: str | None) -> str | None:
    """``git@github.com:o/app.git`` / ``https://…/o/app`` -> ``app``."""
    if not url:
        return None
    name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return name[:-4] if name.endswith(".git") else name or None


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
