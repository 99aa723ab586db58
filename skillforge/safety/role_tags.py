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
    r"<\s*/?\s*(system|system[-_]reminder|system[-_]prompt|assistant|human|developer|"
    r"function_results|tool_result)\s*>"
)
_TAG_KEYS = ("system", "assistant", "human", "developer", "function_results", "tool_result")


def role_tags(text: str, low: str, ctx: Context) -> Iterator[Raw]:
    """The wrapper's tags (an error when it closes the wrapper or starts a line, outside a fenced code
    block and scripts: a skill has no reason to write them, and an error line quoted in a bullet is how
    one arrives from a log) and chat-role tags (an error when one starts a line or encloses text with its
    pair, unless quoted, in code or shown as an example; a tag named in a sentence, "put it in a
    <system> block", is a notice)."""
    if contains_any(low, WRAPPER_KEYS):
        for m in WRAPPER_TAG.finditer(text):
            closes = "/" in m.group(0)
            strong = (
                not ctx.script
                and not ctx.in_code_block(m.start())
                and (closes or _starts_line(ctx, m.start()))
            )
            message = f"writes the skill wrapper's tag {quote(m.group(0))}"
            yield "instruction-override", m.start(), message, "high" if strong else "low"
    if not contains_any(low, _TAG_KEYS):
        return
    for m in _ROLE_TAG.finditer(low):
        said = _starts_line(ctx, m.start()) or _paired(low, m)
        conf = "high" if said and not ctx.illustrative(m.start()) else "low"
        tag = quote(text[m.start() : m.end()])
        yield "instruction-override", m.start(), f"fakes a conversation turn with {tag}", conf


def _starts_line(ctx: Context, at: int) -> bool:
    """Nothing but white space, a list bullet or a quote marker before ``at`` on its line."""
    start, _ = ctx.line_bounds(at)
    return ctx.text[start:at].strip(" \t>-*+") == ""


def _paired(low: str, m: re.Match[str]) -> bool:
    """An opening tag closed later in the text, or a closing tag opened earlier: a block, not a name."""
    name = m.group(1)  # looked for within a bounded reach: many tags in a long text cost linear time
    if "/" in m.group(0):
        return (
            re.search(rf"<\s*{re.escape(name)}\s*>", low[max(0, m.start() - _REACH) : m.start()]) is not None
        )
    return re.search(rf"<\s*/\s*{re.escape(name)}\s*>", low[m.end() : m.end() + _REACH]) is not None


_REACH = 4000
