"""Resolve routing-set rows that point at a real user prompt in the development corpus.

The corpus (``../shared/corpus``, or ``$SKILLFORGE_CORPUS``) must not be copied into the project, so the
rows of ``route_sets/blind_tasks.jsonl`` and ``route_sets/tune2_tasks.jsonl`` that come from real sessions
carry ``"query": ""`` and a reference instead::

    "corpus": {"file": "<path under the corpus root>", "turn": N}
    "corpus": {"file": ..., "turn": N, "markup": "keep"}   # tune2 rows

``resolve(ref)`` reads that session at run time and returns user turn ``N`` after the cleanup below, or
``None`` when the file (or the turn) is not there, e.g. where the corpus is absent.

User turns with text, numbered 0, 1, 2 ... in file order:

* Claude Code JSONL (``full.jsonl``, ``raw_transcript`` and ``~/.claude/projects`` files): records with
  ``"type": "user"`` that are not ``isMeta``, not ``isSidechain`` and whose ``message.content`` is a
  non-blank string or a list with at least one non-blank ``{"type": "text"}`` part (a list holding only
  ``tool_result`` parts is not a turn). The text parts are joined with a newline. Compaction summaries,
  ``/clear`` wrappers and interrupt markers are user records with text, so they count as turns.
* Codex rollouts / Entire's Codex ``full.jsonl``: records ``{"type": "event_msg", "payload": {"type":
  "user_message", "message": ...}}`` with a non-blank message (the ``response_item`` user messages repeat
  them and also carry ``AGENTS.md`` / ``<environment_context>`` injections, so they are not counted).

Cleanup (deterministic; it reproduces what the writers of the two sets did by hand):

1. Home-directory user names become ``USER``: ``/Users/<name>/``, ``/home/<name>/``, ``C:\\Users\\<name>\\``
   (always, whatever the markup mode).
2. ``markup: "strip"`` (the default; blind set): ``<ide_opened_file>``, ``<ide_selection>``,
   ``<system-reminder>``, ``<local-command-stdout>``/``-stderr>``/``-caveat>`` blocks and the
   ``[Request interrupted by user...]`` markers are removed; a slash-command wrapper
   (``<command-message>``, ``<command-name>``, ``<command-args>``) is rendered as ``/<command> <args>``.
   Then leading and trailing whitespace is stripped (inner whitespace is left as typed) and the text is
   cut at 4,000 characters.
   ``markup: "keep"`` (tune2 set): the text is kept as the agent received it (wrappers and IDE notes
   included), only stripped of surrounding whitespace.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = Path(os.environ.get("SKILLFORGE_CORPUS", SHARED / "corpus"))
LIMIT = 4000

_HOME = [
    (re.compile(r"/Users/(?!USER/)[^/\s]+/"), "/Users/USER/"),
    (re.compile(r"/home/(?!USER/)[^/\s]+/"), "/home/USER/"),
    (re.compile(r"([A-Za-z]:\\\\?Users\\\\?)(?!USER\\)[^\\\s]+\\"), r"\1USER\\"),
]
_BLOCKS = re.compile(
    r"<(ide_opened_file|ide_selection|system-reminder|local-command-stdout|local-command-stderr|"
    r"local-command-caveat)>.*?</\1>",
    re.S,
)
_INTERRUPT = re.compile(r"\[Request interrupted by user[^\]]*\]")
_COMMAND = re.compile(r"<command-(message|name|args)>(.*?)</command-\1>", re.S)


def user_turns(path: Path) -> list[str]:
    """The raw text of every user turn with text in one Claude Code or Codex session file."""
    turns: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        text = _codex_text(rec) if rec.get("type") == "event_msg" else _claude_text(rec)
        if text is not None and text.strip():
            turns.append(text)
    return turns


def _codex_text(rec: dict[str, Any]) -> str | None:
    payload = rec.get("payload")
    if isinstance(payload, dict) and payload.get("type") == "user_message":
        message = payload.get("message")
        return message if isinstance(message, str) else None
    return None


def _claude_text(rec: dict[str, Any]) -> str | None:
    if rec.get("type") != "user" or rec.get("isMeta") or rec.get("isSidechain"):
        return None
    msg = rec.get("message")
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            c["text"]
            for c in content
            if isinstance(c, dict) and c.get("type") == "text" and isinstance(c.get("text"), str)
        ]
        parts = [p for p in parts if p.strip()]
        return "\n".join(parts) if parts else None
    return None


def redact_home(text: str) -> str:
    """Replace home-directory user names with USER."""
    for pattern, repl in _HOME:
        text = pattern.sub(repl, text)
    return text


def clean(text: str, markup: str = "strip") -> str:
    """The documented cleanup of one raw user turn (see the module docstring)."""
    text = redact_home(text)
    if markup == "keep":
        return text.strip()
    text = _BLOCKS.sub("", text)
    text = _INTERRUPT.sub("", text)
    parts = {m.group(1): m.group(2).strip() for m in _COMMAND.finditer(text)}
    if "name" in parts:
        command = " ".join(p for p in (parts["name"], parts.get("args", "")) if p)
        text = _COMMAND.sub("", text).strip()
        text = f"{command}\n{text}" if text else command
    return text.strip()[:LIMIT]


def resolve(ref: dict[str, Any]) -> str | None:
    """The cleaned text of user turn ``ref["turn"]`` of ``ref["file"]``; None if the file or turn is missing."""
    path = CORPUS / ref["file"]
    if not path.is_file():
        return None
    turns = user_turns(path)
    turn = int(ref["turn"])
    if not 0 <= turn < len(turns):
        return None
    return clean(turns[turn], str(ref.get("markup", "strip")))
