"""Markdown section patching: find a section of a SKILL.md body by its heading and append to it,
replace it or delete it, or replace the intro under its title, leaving every other byte of the body as
it was.

A section is an ATX heading line (``## Title``) and everything up to the next heading of the same or a
higher level; headings inside fenced code blocks do not count. Headings match case-insensitively,
ignoring surrounding ``#`` marks and whitespace. Every operation is idempotent: applying it twice gives
the same text as applying it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Section:
    """Line span of one section: ``start`` is the heading line, ``end`` the first line after it."""

    title: str
    level: int
    start: int
    end: int


def normalise(heading: str) -> str:
    """The comparable form of a heading: no ``#`` marks, single spaces, lower case."""
    return " ".join(heading.strip().lstrip("#").strip().rstrip("#").split()).lower()


def split_heading(heading: str, default_level: int = 2) -> tuple[int, str]:
    """``"### Foo"`` -> (3, "Foo"); ``"Foo"`` -> (default_level, "Foo")."""
    text = heading.strip()
    marks = len(text) - len(text.lstrip("#"))
    title = text.lstrip("#").strip()
    return (marks if 1 <= marks <= 6 else default_level), title


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, level, title) of every ATX heading outside fenced code blocks."""
    heads: list[tuple[int, int, str]] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark[0] * 3
            elif mark.startswith(fence):
                fence = None
            continue
        if fence is None:
            h = _HEADING.match(line)
            if h:
                heads.append((i, len(h.group(1)), h.group(2)))
    return heads


def sections(body: str) -> list[Section]:
    """Every section of ``body`` in order (fenced code is skipped)."""
    lines = body.split("\n")
    heads = _headings(lines)
    result = []
    for n, (start, level, title) in enumerate(heads):
        end = next((s for s, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        result.append(Section(title, level, start, end))
    return result


def sections_of(body: str) -> dict[str, str]:
    """``## heading`` → the text under it (its subsections included), stripped; headings inside fenced
    code do not count (:func:`section_map` stops at any heading)."""
    lines = body.split("\n")
    return {s.title: "\n".join(lines[s.start + 1 : s.end]).strip() for s in sections(body) if s.level == 2}


def section_map(body: str) -> dict[str, str]:
    """{heading title: its own text up to the next heading of any level} ("" for text before the first
    heading); empty untitled text is left out."""
    lines = body.splitlines()
    heads = _headings(lines)
    bounds = [(-1, ""), *((i, title) for i, _, title in heads), (len(lines), "")]
    out: dict[str, list[str]] = {}
    for (start, title), (end, _) in pairwise(bounds):
        out.setdefault(title, []).extend(lines[start + 1 : end])
    texts = {title: "\n".join(part).strip() for title, part in out.items()}
    return {title: text for title, text in texts.items() if title or text}


def find(body: str, heading: str) -> Section | None:
    key = normalise(heading)
    return next((s for s in sections(body) if normalise(s.title) == key), None)


def section_text(body: str, heading: str) -> str | None:
    """The content under ``heading`` (without the heading line), or None when there is no such section."""
    sec = find(body, heading)
    if sec is None:
        return None
    return "\n".join(body.split("\n")[sec.start + 1 : sec.end]).strip("\n")


def _own_end(lines: list[str], sec: Section) -> int:
    """Where a section's own text ends: before its first subsection, without trailing blank lines."""
    end = next((i for i, _, _ in _headings(lines) if sec.start < i < sec.end), sec.end)
    while end > sec.start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _new_section(body: str, heading: str, content: str) -> str:
    """A section added at the end of the body, or before a last ``References`` section (a skill's links
    to its bundled files close it, as skillforge writes it)."""
    level, title = split_heading(heading)
    block = f"{'#' * level} {title}\n\n{content.strip()}\n"
    last = find(body, TRAILING)
    if last is not None and normalise(title) != TRAILING.lower() and last.level <= level:
        lines = body.split("\n")
        if last.end == len(lines) and last.start > 0:
            head = "\n".join(lines[: last.start]).rstrip("\n")
            return f"{head}\n\n{block}\n" + "\n".join(lines[last.start :])
    stripped = body.rstrip("\n")
    return f"{stripped}\n\n{block}" if stripped else block


TRAILING = "References"  # the section that stays last when another is added


def append_section(body: str, heading: str, content: str) -> str:
    """Add ``content`` at the end of the section's own text (creating the section at the end of the body
    when missing). Lines already present in the section are not added again."""
    sec = find(body, heading)
    if sec is None:
        return _new_section(body, heading, content)
    lines = body.split("\n")
    existing = {line.strip() for line in lines[sec.start + 1 : sec.end] if line.strip()}
    block = content.strip("\n")
    if block.strip() in "\n".join(lines[sec.start + 1 : sec.end]):
        return body
    new = [line for line in block.split("\n") if not line.strip() or line.strip() not in existing]
    if not any(line.strip() for line in new):
        return body
    end = _own_end(lines, sec)
    block_lines = _trim_blank(new)
    continues_list = end > sec.start + 1 and _is_list(lines[end - 1]) and _is_list(block_lines[0])
    insert = ([] if continues_list else [""]) + block_lines
    tail = lines[end:]
    if tail and tail[0].strip():
        insert.append("")
    return "\n".join(lines[:end] + insert + tail)


def replace_section(body: str, heading: str, content: str) -> str:
    """Replace the section's text (its subsections included) with ``content``; create it when missing."""
    sec = find(body, heading)
    if sec is None:
        return _new_section(body, heading, content)
    lines = body.split("\n")
    tail = lines[sec.end :]
    new = [lines[sec.start], "", *content.strip("\n").split("\n")]
    if tail:
        new.append("")
    return "\n".join(lines[: sec.start] + new + tail)


def delete_section(body: str, heading: str) -> str:
    """Remove the section (heading, text and subsections); no-op when it is not there."""
    sec = find(body, heading)
    if sec is None:
        return body
    lines = body.split("\n")
    head = lines[: sec.start]
    tail = lines[sec.end :]
    while head and not head[-1].strip() and tail and not tail[0].strip():
        head.pop()
    text = "\n".join(head + tail)
    return text if text.strip() else ""


def _intro_span(lines: list[str]) -> tuple[int, int]:
    """The lines of the intro: the title's own text (under the first ``#`` heading, up to the next
    heading), or the text before the first heading when there is no title; blank lines at its edges out."""
    heads = _headings(lines)
    title = next((i for i, level, _ in heads if level == 1), None)
    start = 0 if title is None else title + 1
    end = next((i for i, _, _ in heads if i >= start), len(lines))
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def intro(body: str) -> str:
    """The text between a skill's title and its first section."""
    lines = body.split("\n")
    start, end = _intro_span(lines)
    return "\n".join(lines[start:end])


def replace_intro(body: str, content: str) -> str:
    """``body`` with its intro (:func:`intro`) replaced by ``content``; every other line as it was."""
    lines = body.split("\n")
    start, end = _intro_span(lines)
    new = content.strip("\n").split("\n")
    if start == end:  # no intro yet: set it off from the title and the first section
        new = ["", *new, ""] if 0 < start < len(lines) else new
    return "\n".join(lines[:start] + new + lines[end:])


def ensure_link(body: str, target: str, label: str, heading: str = "References") -> str:
    """Make sure the body links to ``target`` (relative path); add ``- [label](target)`` under
    ``heading`` when no link to it exists yet."""
    if f"]({target})" in body:
        return body
    return append_section(body, heading, f"- [{label}]({target})")


def _is_list(line: str) -> bool:
    return bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line))


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]
