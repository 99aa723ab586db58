"""What the parts of a Gemini CLI record hold: a message's text, a call's arguments as text, a
``functionResponse``'s output and error, a call's own response among a turn's, and the ``[Thought: …]``
markers older versions left in an answer's text (see :mod:`skillforge.ingest.gemini`)."""

from __future__ import annotations

from typing import Any

import orjson

from skillforge.ingest.base import as_str, clip
from skillforge.ingest.gemini_text import marks


def call_text(args: Any) -> str:
    """A call's arguments as JSON (a shell tool's text is its command). They were decoded by orjson: no
    integer beyond 64 bits, so json_safe would only copy them."""
    return orjson.dumps(args).decode() if args is not None else ""


def response_output(body: Any) -> tuple[str, bool]:
    """A ``functionResponse``'s ``response``: its text (the error, else the output) and whether it holds
    an error."""
    body = body if type(body) is dict else {"output": body}
    error = body.get("error")
    if error:
        return (error if type(error) is str else as_str(error)), True
    output = body.get("output", body)
    return (output if type(output) is str else as_str(output)), False


def only_tool_results(parts: Any) -> bool:
    """Whether a user record's content is only ``functionResponse`` parts (at least one)."""
    return (
        type(parts) is list
        and bool(parts)
        and all(type(p) is dict and type(p.get("functionResponse")) is dict for p in parts)
    )


def marked_text(part: Any) -> str | None:
    """A part's text when it holds a leaked ``[Thought: …]`` marker, else None."""
    text = part if isinstance(part, str) else part.get("text") if isinstance(part, dict) else None
    if isinstance(text, str) and "[Thought: " in text and marks(text):
        return text
    return None


def own_response(result: Any, call_id: Any) -> dict[str, Any] | None:
    """The call's own ``functionResponse`` in its ``result``: the one with its id. v0.4x copies the
    responses of all the turn's calls into each call's result, so the first is often another call's;
    a lone response without an id is taken as the call's (older versions wrote none); one naming
    another call is not (a cancelled call would take a sibling's output)."""
    first, count = None, 0
    for part in result if type(result) is list else (result,):
        if type(part) is dict:
            response = part.get("functionResponse")
            if type(response) is dict:
                if response.get("id") == call_id:
                    return response
                first, count = first if count else response, count + 1
    return first if count == 1 and first is not None and not first.get("id") else None


def thought_text(subject: Any, description: Any) -> str:
    """``subject: description`` (either alone when the other is empty), as a join over the two would."""
    if subject and description:
        return f"{as_str(subject)}: {as_str(description)}"
    return as_str(subject) if subject else as_str(description) if description else ""


def message_text(content: Any) -> str:
    """A message's text: a string, or the text of its parts (``thought`` and function parts left out)."""
    if isinstance(content, str):
        return clip(content)
    parts = content if isinstance(content, list) else [content]
    return clip(
        "\n".join(
            p["text"]
            for p in parts
            if isinstance(p, dict) and isinstance(p.get("text"), str) and not p.get("thought")
        )
    )
