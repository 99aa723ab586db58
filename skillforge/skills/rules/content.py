"""Markdown content: fenced code blocks must be closed and, for the languages we can parse, parse.

Blocks in python, bash/sh/shell, javascript/js, typescript/ts, tsx, json, yaml/yml and toml are
parsed with tree-sitter (per-language wheels, imported on first use); a block parses when its tree
has no ERROR or MISSING node. Blocks tagged ``console``, ``text`` or any other language are not parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skillforge.safety.prefilter import fence_lines
from skillforge.skills.findings_cache import FindingsCache, content_key, rows
from skillforge.skills.rules.base import Finding, SkillFile, finding, rule
from skillforge.text import grammar, parse

CODE_SYNTAX = rule(
    "SF401",
    "code-syntax",
    "warning",
    "fix the code block, or tag it as text/console if it is not meant to run",
)
CODE_FENCE = rule("SF402", "code-fence", "error", "close the code block with a matching ``` line")

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`{]*)")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    lang: str  # lower-cased first word of the info string ("" when none)
    line: int  # 1-based line of the opening fence
    code: str
    closed: bool


def code_blocks(text: str) -> list[CodeBlock]:
    """Fenced code blocks of a markdown text (CommonMark fences: ``` or ~~~, closed by the same).

    Only lines that start (after at most 3 spaces) with three backticks or tildes can open or close a
    block, so only those are looked at."""
    blocks: list[CodeBlock] = []
    line_no = pos = 0  # the 0-based line of offset ``pos``
    opened: tuple[str, str, int, int] | None = None  # (fence, language, line, body offset)
    for start in fence_lines(text):
        line_no += text.count("\n", pos, start)
        pos = start
        end = text.find("\n", pos)
        line = text[pos : len(text) if end == -1 else end]
        if opened is None:
            fence = _FENCE.match(line)
            if fence is not None:  # always: a candidate line is a fence line
                body_at = len(text) + 1 if end == -1 else end + 1
                opened = (fence.group(2), fence.group(3).lower(), line_no, body_at)
        elif _closes(line, opened[0]):
            blocks.append(CodeBlock(opened[1], opened[2] + 1, text[opened[3] : pos - 1], True))
            opened = None
    if opened is not None:
        blocks.append(CodeBlock(opened[1], opened[2] + 1, text[opened[3] :], False))
    return blocks


def _closes(line: str, fence: str) -> bool:
    return re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", line) is not None


def mask_code(text: str) -> str:
    """``text`` with fenced code blocks and inline code spans blanked (line count kept), for link scans."""
    lines = text.split("\n")
    for block in code_blocks(text):
        end = block.line + block.code.count("\n") + (1 if block.code or block.closed else 0)
        for i in range(block.line - 1, min(end + 1, len(lines))):
            lines[i] = ""
    return re.sub(r"`[^`\n]*`", "``", "\n".join(lines))


def syntax_error_line(lang: str, code: str) -> int | None:
    """0-based line of the first ERROR/MISSING node when ``code`` does not parse as ``lang``, else None.
    Languages we cannot parse always pass."""
    if grammar(lang) is None or not code.strip():
        return None
    root = parse(lang, code)
    if not root.has_error:
        return None
    cursor = [root]
    while cursor:
        node = cursor.pop()
        if node.type == "ERROR" or node.is_missing:
            return int(node.start_point[0])
        if node.has_error:
            cursor.extend(reversed(node.children))
    return 0


def check(sf: SkillFile, cache: FindingsCache | None = None) -> Iterator[Finding]:
    """Unclosed fences and code blocks that do not parse; with ``cache``, looked up by the body's
    content first (lines are kept relative to the body, so moving the body keeps the entry)."""
    if cache is None:
        found = _body_findings(sf.body)
    else:
        key = content_key("code-blocks", sf.body)
        cached = rows(cache.get(key), _IDS)
        found = cached if cached is not None else _body_findings(sf.body)
        if cached is None:
            cache.put(key, found)
    for line, rule_id, _, message, _ in found:
        r = CODE_FENCE if rule_id == CODE_FENCE.id else CODE_SYNTAX
        yield finding(r, sf.path, sf.body_line + line - 1, message)


_IDS = frozenset({CODE_FENCE.id, CODE_SYNTAX.id})


def _body_findings(body: str) -> list[list[Any]]:
    """[1-based line in the body, rule id, severity, message, False] for each bad code block."""
    found: list[list[Any]] = []
    for block in code_blocks(body):
        if not block.closed:
            found.append(
                [block.line, CODE_FENCE.id, CODE_FENCE.severity, "code block is never closed", False]
            )
            continue
        bad = syntax_error_line(block.lang, block.code)
        if bad is not None:
            message = f"{block.lang} code block does not parse"
            found.append([block.line + 1 + bad, CODE_SYNTAX.id, CODE_SYNTAX.severity, message, False])
    return found
