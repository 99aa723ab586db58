"""Markup that speaks for someone else in the agent's context: the tags that wrap a served skill
(``</skill_content>``: a body that closes its wrapper writes outside it) and chat-role markup
in the tag form agents' own contexts use (``<system>``, ``<system-reminder>``) that fakes a turn of
the conversation. Models' special tokens (``<|im_start|>``, ``[INST]``) are left alone: ML skills
explain chat templates with them, and served through an API they are text.

:func:`role_tags` finds them for :func:`skillforge.safety.injection.find_injections` (an
instruction-override finding). Whatever validate says, route, the hook and MCP serve every text through
:func:`skillforge.safety.wrapper.neutralised`, so a skill's text cannot close its wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.context import Context
from skillforge.safety.prefilter import contains_any
from skillforge.safety.urls import quote
from skillforge.safety.wrapper import WRAPPER_KEYS, WRAPPER_TAG

Raw = tuple[str, int, str, str]  # (rule, offset, message, confidence), as injection's other rules

# chat-role tags in the angle-bracket form agents' own contexts use ("<system>", "</system-reminder>")
_ROLE_TAG = re.compile(
    r"<\s*/?\s*(?:system|system[-_]reminder|system[-_]prompt|assistant|human|developer|"
    r"function_results|tool_result)\s*>"
)
_TAG_KEYS = ("system", "assistant", "human", "developer", "function_results", "tool_result")


def role_tags(text: str, low: str, ctx: Context) -> Iterator[Raw]:
    """The wrapper's tags (an error outside a fenced code block and scripts: a skill has no reason to
    write them, and an error line quoted in a bullet is how one arrives from a log), chat-role tags (an
    error unless quoted, in code or shown as an example)."""
    if contains_any(low, WRAPPER_KEYS):
        for m in WRAPPER_TAG.finditer(text):
            conf = "low" if ctx.script or ctx.in_code_block(m.start()) else "high"
            yield (
                "instruction-override",
                m.start(),
                f"writes the skill wrapper's tag {quote(m.group(0))}",
                conf,
            )
    if not contains_any(low, _TAG_KEYS):
        return
    for m in _ROLE_TAG.finditer(low):
        conf = "low" if ctx.illustrative(m.start()) else "high"
        tag = quote(text[m.start() : m.end()])
        yield "instruction-override", m.start(), f"fakes a conversation turn with {tag}", conf
