"""Instructions that turn off the agent's own permission checks: Claude Code's ``bypassPermissions``
mode (``"defaultMode": "bypassPermissions"`` in ``.claude/settings.json``, ``--permission-mode
bypassPermissions``), ``--dangerously-skip-permissions``, and Codex's
``--dangerously-bypass-approvals-and-sandbox``, ``approval_policy = "never"`` and ``sandbox_mode =
"danger-full-access"`` (``~/.codex/config.toml``).

A skill that tells the agent to set one of them is an instruction override (SF601) at high
confidence when

* it is said in prose: a verb such as "set", "edit", "add", "enable", "use" or "run" before it in its
  sentence, not negated ("never pass --dangerously-skip-permissions") and not in a table row or
  among examples; the value itself may be quoted or inline code (``set "defaultMode":
  "bypassPermissions"``); or
* it is code that writes an agent settings file: the file (``.claude/settings.json``,
  ``settings.local.json``, ``.codex/config.toml``) is named on its line or just before it.

Otherwise (a reference table of modes, a launch command in a code block, prose that only names the
mode) it is low confidence: a warning in validate, quarantined by distill all the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.context import Context
from skillforge.safety.phrasing import sentence_line
from skillforge.safety.prefilter import contains_any, finditer_from
from skillforge.safety.urls import Raw, quote

PERMISSION_BYPASS = re.compile(
    r"bypasspermissions\b"
    r"|(?:--)?dangerously-skip-permissions\b"
    r"|(?:--)?dangerously-bypass-approvals-and-sandbox\b"
    r"|approval_policy\s{0,5}=\s{0,5}[\"']?never\b"
    r"|sandbox_mode\s{0,5}=\s{0,5}[\"']?danger-full-access\b"
    r"|--ask-for-approval[ =]never\b"
    r"|--sandbox[ =]danger-full-access\b"
)
PERMISSION_BYPASS_STARTS = (  # every match of PERMISSION_BYPASS starts with one of these
    *("bypasspermissions", "--dangerously-", "dangerously-skip", "dangerously-bypass"),
    *("approval_policy", "sandbox_mode", "--ask-for-approval", "--sandbox"),
)
_KEYS = ("bypasspermissions", "dangerously-", "approval_policy", "sandbox_mode", "--ask-for", "--sandbox")
# the agent's own settings files, named where the value is written
_SETTINGS_FILE = re.compile(r"\.claude/settings(?:\.local)?\.json|settings\.local\.json|\.codex/config\.toml")
_VERB = re.compile(
    r"\b(?:set|sets|edit|add|append|enable|use|(?:re)?run|pass|switch|change|write|put|(?:re)?launch|(?:re)?start|turn|"
    r"configure|update|modify|apply|toggle|flip|select|choose|invoke|open)\b"
)
_NEGATED = re.compile(
    r"\b(?:never|not|don['’]t|do\s+not|must\s+not|should\s+not|avoid|without|no)\b(?:\W+\w+){0,3}\W*\Z"
)
REACH = 400  # how far before a value in code its settings file may be named
MESSAGE = "tells the agent to turn off its permission checks"


def permission_bypass(text: str, low: str, ctx: Context) -> Iterator[Raw]:
    """Instruction-override findings for settings or flags that turn off the agent's permission checks
    (see the module docstring), matched in ``low`` (``text`` lowered, same offsets)."""
    if not contains_any(low, _KEYS):
        return
    for m in finditer_from(PERMISSION_BYPASS, low, PERMISSION_BYPASS_STARTS):
        conf = _confidence(low, ctx, m.start(), m.end())
        yield "instruction-override", m.start(), f"{MESSAGE}: {quote(text[m.start() : m.end()])}", conf


def _confidence(low: str, ctx: Context, start: int, end: int) -> str:
    if ctx.in_table(start) or ctx.among_examples(start):
        return "low"
    if not ctx.prose(start):  # code: high only where it writes the agent's settings file
        line_end = low.find("\n", end, end + REACH)
        named = _SETTINGS_FILE.search(low, max(0, start - REACH), end + REACH if line_end == -1 else line_end)
        return "high" if named else "low"
    span = sentence_line(low, start, end)
    lo = max(0, start - 200) if span is None else span[0]
    verbs = [v for v in _VERB.finditer(low, lo, start) if not ctx.quoted(v.start())]
    verb = verbs[-1] if verbs else None
    if verb is None or _NEGATED.search(low, max(lo, verb.start() - 40), verb.start()):
        return "low"
    return "high"
