"""The agent hooks' contracts: an agent's prompt-hook JSON in, the agent's output JSON back (the
application layer, ``skillforge/app/hook.py``, reads stdin and writes stdout).

Contracts (docs/routing.md):

* claude, codex — ``UserPromptSubmit``: stdin ``{"prompt", "cwd", …}``; stdout
  ``{"hookSpecificOutput": {"hookEventName": "UserPromptSubmit", "additionalContext": …}}`` (no other
  keys: Codex's schema rejects them).
* gemini — ``BeforeAgent``: stdin ``{"prompt", "cwd", …}``; stdout
  ``{"hookSpecificOutput": {"additionalContext": …}}`` and nothing else.
* cline — executable ``UserPromptSubmit``: stdin ``{"clineVersion", "hookName", "timestamp", "taskId",
  "workspaceRoots", "userId", "userPromptSubmit": {"prompt", "attachments"}}`` (the shape Cline's own
  hook tests send; the prompt is also accepted at the top level); newer Cline wraps what was typed in
  ``<user_input mode="act">…</user_input>``, which is taken off; stdout ``{"cancel": false,
  "contextModification": …}``.

The hook fails open: on any error it prints nothing, exits 0 and appends the reason to
``config.log_dir()/hooks.log``. No match prints nothing (cline: ``{"cancel": false}``).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

AGENTS = ("claude", "codex", "gemini", "cline")
MAX_CONTEXT = 9500  # Claude Code caps hook output strings at 10,000 characters
MAX_STDIN = 8 * 1024 * 1024  # characters of hook input read at most; a larger event fails open
STDIN_SECONDS = 3.0  # end of hook input must come within this; agents' hook timeouts are about 10 s
_USER_INPUT = re.compile(r"<user_input(?:\s[^>]*)?>(.*?)</user_input>", re.S)  # Cline's plan/act wrapper


def prompt_and_cwd(agent: str, event: Any) -> tuple[str, str | None]:
    if not isinstance(event, dict):
        raise ValueError("hook input is not a JSON object")
    prompt = event.get("prompt")
    cwd = event.get("cwd")
    if agent == "cline":
        inner = event.get("userPromptSubmit") or {}
        if not prompt and isinstance(inner, dict):
            prompt = inner.get("prompt") or inner.get("userMessage") or inner.get("message")
        roots = event.get("workspaceRoots") or []
        if not cwd and isinstance(roots, list) and roots:
            cwd = str(roots[0])
    if not isinstance(prompt, str):
        raise ValueError("hook input has no prompt")
    if agent == "cline":
        prompt = _USER_INPUT.sub(r"\1", prompt)
    return prompt, cwd if isinstance(cwd, str) else None


def output(agent: str, context: str) -> dict[str, Any] | None:
    """The agent's hook output for ``context`` (None: print nothing)."""
    context = context[:MAX_CONTEXT]
    if agent == "cline":
        return {"cancel": False, "contextModification": context} if context else {"cancel": False}
    if not context:
        return None
    if agent == "gemini":
        return {"hookSpecificOutput": {"additionalContext": context}}
    return {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit", "additionalContext": context}}


def respond(agent: str, raw: str, library: str | None, k: int, max_tokens: int) -> str:
    """The stdout of the hook for stdin ``raw`` (raises on any problem; the caller fails open).
    ``library`` None: the event's working folder."""
    from skillforge.route import Router
    from skillforge.route.feedback import log_matches
    from skillforge.route.render import pointer_tokens, render, top_body

    if agent not in AGENTS:
        raise ValueError(f"unknown agent {agent!r}")
    prompt, cwd = prompt_and_cwd(agent, json.loads(raw))
    lib = library or cwd or "."
    context = ""
    if prompt.strip():
        router = Router(Path(lib), one_shot=True)
        matches = router.route(prompt, k=k, cwd=cwd)
        log_matches(router.library, "hook", [m.name for m in matches])
        if matches:
            body = top_body(router, matches, max_tokens, pointer_tokens(matches))
            context = render(matches, "markdown", body)
            if len(context) > MAX_CONTEXT:
                context = render(matches, "markdown", None)
    out = output(agent, context)
    return json.dumps(out) + "\n" if out is not None else ""


def log_failure(agent: str, exc: BaseException) -> None:
    """Append why the hook printed nothing to ``hooks.log`` (never raises)."""
    try:
        from skillforge import config

        folder = config.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        from skillforge.safety.redact import redact

        reason = redact(" ".join(f"{type(exc).__name__}: {exc}".split())[:500])[0]
        with (folder / "hooks.log").open("a", encoding="utf-8") as fh:
            fh.write(f"{stamp} route --hook {agent}: {reason}\n")
    except Exception:
        pass
