"""Claude Code transcripts, the records that are not messages: which of them become steps (the user's
edits to files, IDE diagnostics, hook output, API errors, prompts queued while the agent worked, files
the user attached), which go to the session's metadata (``ai-title``, ``pr-link``, ``summary``), and
which are bookkeeping, ignored under a named reason (never counted as skipped).

``context_of`` returns what a record means; ``claude_records`` keeps the records that become steps in
the parentUuid tree, so they land in the conversation where they happened.
"""

from __future__ import annotations

from typing import Any

import msgspec

from skillforge.ingest.base import ParseContext, as_dict, as_list, as_str, clip, str_or_none

# record types and system subtypes that carry nothing for a trajectory: (type, reason counted)
IGNORED_TYPES = {
    "file-history-snapshot": "file backups (file-history-snapshot)",
    "progress": "live progress (repeated in the tool result)",
    "queue-operation": "prompt queue bookkeeping (the prompt itself is kept)",
    "last-prompt": "session bookkeeping (last-prompt)",
    "mode": "session bookkeeping (mode)",
    "permission-mode": "session bookkeeping (permission-mode)",
    "bridge-session": "remote-control bookkeeping (bridge-session)",
    "custom-title": "session bookkeeping (custom-title)",
    "agent-name": "session bookkeeping (agent-name)",
    "agent-setting": "session bookkeeping (agent-setting)",
    "saved_hook_context": "hook bookkeeping (saved_hook_context)",
}
IGNORED_SYSTEM = {
    "stop_hook_summary": "hook bookkeeping (stop_hook_summary)",
    "turn_duration": "timing (turn_duration)",
    "bridge_status": "remote-control status (bridge_status)",
    "informational": "status notice (informational)",
    "compact_boundary": "compaction marker (the summary after it is kept)",
    "microcompact_boundary": "compaction marker (microcompact_boundary)",
}
IGNORED_ATTACHMENTS = {  # listings and reminders Claude Code re-sends to the model, not events
    "task_reminder",
    "todo_reminder",
    "deferred_tools_delta",
    "mcp_instructions_delta",
    "skill_listing",
    "agent_listing_delta",
    "command_permissions",
    "auto_mode",
    "date_change",
    "plan_mode",
    "critical_system_reminder",
}
METADATA_TYPES = {"ai-title", "pr-link", "summary"}
KIND_ERROR, KIND_CONTEXT, KIND_PROMPT = "error", "context", "prompt"


class Attachment(msgspec.Struct):
    """The fields of an ``attachment`` record's body that steps use."""

    type: Any = None
    filename: Any = None
    displayPath: Any = None
    snippet: Any = None
    files: Any = None
    content: Any = None
    stdout: Any = None
    stderr: Any = None
    exitCode: Any = None
    hookName: Any = None
    prompt: Any = None
    commandMode: Any = None


class Context(msgspec.Struct, gc=False):
    """A non-message record that becomes a step: ``kind`` is error, context or prompt."""

    kind: str
    text: str


def context_of(
    rtype: Any, subtype: Any, attachment: Any, content: Any, error: Any, ctx: ParseContext
) -> Context | None:
    """The step a non-message record makes, or None after counting it as ignored (or skipped, for a
    record type no Claude Code version is known to write)."""
    if rtype == "attachment":
        if type(attachment) is Attachment:
            return _attachment(attachment, ctx)
        ctx.skip("attachment without a body")
        return None
    if rtype == "system":
        if subtype == "api_error":
            return Context(KIND_ERROR, _api_error(error))
        if subtype in ("away_summary", "local_command"):
            text = as_str(content)
            if text.strip():
                return Context(KIND_CONTEXT, clip(text))
        reason = IGNORED_SYSTEM.get(subtype) if type(subtype) is str else None
        if reason is None:
            ctx.skip(f"unknown system record {subtype}")
        else:
            ctx.ignore(reason)
        return None
    if rtype in IGNORED_TYPES:
        ctx.ignore(IGNORED_TYPES[rtype])
    elif rtype in METADATA_TYPES:
        ctx.ignore(f"session metadata ({rtype}, kept in the trajectory's metadata)")
    else:
        ctx.skip(f"unknown record type {rtype}")
    return None


def _attachment(att: Attachment, ctx: ParseContext) -> Context | None:
    atype = str_or_none(att.type)
    text = ""
    kind = KIND_CONTEXT
    if atype == "edited_text_file":
        text = f"[the user edited {as_str(att.filename)}]\n{as_str(att.snippet)}"
    elif atype == "file":
        text = f"[the user attached {as_str(att.displayPath or att.filename)}]"
    elif atype == "diagnostics":
        text = _diagnostics(att.files)
    elif atype in (
        "hook_success",
        "hook_non_blocking_error",
        "hook_blocking_error",
        "async_hook_response",
        "hook_system_message",
        "hook_additional_context",
    ):
        body = as_str(att.content) or as_str(att.stdout) or as_str(att.stderr)
        text = f"[hook {as_str(att.hookName)}] {body.strip()}" if body.strip() else ""
        kind = KIND_ERROR if (type(att.exitCode) is int and att.exitCode != 0) or "error" in atype else kind
    elif atype == "queued_command":
        text = as_str(att.prompt)
        kind = KIND_PROMPT if att.commandMode == "prompt" else KIND_CONTEXT
    elif atype in IGNORED_ATTACHMENTS:
        ctx.ignore(f"attachment {atype} (a listing or reminder re-sent to the model)")
        return None
    else:
        ctx.skip(f"unknown attachment {atype}")
        return None
    if not text.strip():
        ctx.ignore(f"attachment {atype} without text")
        return None
    return Context(kind, clip(text))


def _diagnostics(files: Any) -> str:
    """``file:line: severity message`` per diagnostic (the IDE's compiler and linter findings)."""
    lines = ["[IDE diagnostics]"]
    for entry in files if type(files) is list else []:
        if type(entry) is not dict:
            continue
        uri = as_str(entry.get("uri"))
        for diag in as_list(entry.get("diagnostics")):
            if type(diag) is dict:
                start = as_dict(diag.get("range")).get("start")
                line = start.get("line") if type(start) is dict else None
                where = f"{uri}:{line + 1}" if type(line) is int else uri
                lines.append(
                    f"{where}: {as_str(diag.get('severity'))} {as_str(diag.get('message'))}".rstrip()
                )
    return "\n".join(lines) if len(lines) > 1 else ""


def _api_error(error: Any) -> str:
    """``API error 529 overloaded_error: Overloaded`` from a ``system``/``api_error`` record."""
    err: dict[str, Any] = error if type(error) is dict else {}
    body: dict[str, Any] = err["error"] if type(err.get("error")) is dict else {}
    inner: dict[str, Any] = body["error"] if type(body.get("error")) is dict else body
    status = err.get("status")
    parts = ["API error", str(status) if type(status) is int else "", as_str(inner.get("type"))]
    message = as_str(inner.get("message"))
    return " ".join(p for p in parts if p) + (f": {message}" if message else "")


def metadata_of(rtype: Any, line: Any, meta: dict[str, Any]) -> None:
    """Session metadata from ``ai-title`` (the title Claude Code gave the session), ``pr-link`` (pull
    requests the session opened) and ``summary`` records; the latest title wins."""
    if rtype == "ai-title" and type(line.aiTitle) is str:
        meta["title"] = line.aiTitle
    elif rtype == "pr-link" and type(line.prUrl) is str:
        links = meta.setdefault("pull_requests", [])
        link = {
            "url": line.prUrl,
            "number": line.prNumber if type(line.prNumber) is int else None,
            "repository": line.prRepository if type(line.prRepository) is str else None,
        }
        if link not in links:
            links.append(link)
    elif rtype == "summary" and type(line.summary) is str:
        meta.setdefault("summaries", []).append(line.summary)
