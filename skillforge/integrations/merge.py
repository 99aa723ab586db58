"""Reversible JSON settings edits for ``skillforge install``: add one value at a key path (replacing an
older skillforge value in place), later remove skillforge's values (plus the containers the add
created, when they are empty again), and write the file back in its own layout (indent, final newline,
CRLF or LF line ends)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Created = list[tuple[str, ...]]


@dataclass(slots=True)
class JsonEdit:
    keys: list[str]  # the path of the value (append: the path of a list)
    value: Any
    append: bool  # True: add ``value`` to a list at ``keys``; False: set ``keys`` to ``value``
    ours: Callable[[Any], bool]  # recognises a value that skillforge wrote (this version or an older one)


def add_json(data: dict[str, Any], edit: JsonEdit) -> tuple[str, Created]:
    """Apply ``edit`` to ``data`` in place. Returns what happened ("added"; "updated": an older
    skillforge value was replaced; "present": nothing changed; "clash": another value is in the way,
    nothing changed) and the containers it created."""
    node: Any = data
    created: Created = []
    for depth, key in enumerate(edit.keys[:-1]):
        if key not in node:
            node[key] = {}
            created.append(tuple(edit.keys[: depth + 1]))
        node = node[key]
        if not isinstance(node, dict):
            return "clash", []
    last = edit.keys[-1]
    if not edit.append:
        if last not in node:
            node[last] = edit.value
            return "added", [*created, tuple(edit.keys)]
        if node[last] == edit.value:
            return "present", []
        if not edit.ours(node[last]):
            return "clash", []
        node[last] = edit.value
        return "updated", []
    if last not in node:
        node[last] = []
        created.append(tuple(edit.keys))
    items = node[last]
    if not isinstance(items, list):
        return "clash", []
    if edit.value in items:
        return "present", []
    older = [i for i, item in enumerate(items) if edit.ours(item)]
    if older:  # an older skillforge entry (another executable or library): update it in place
        items[older[0]] = edit.value
        return "updated", created
    items.append(edit.value)
    return "added", created


def remove_json(data: dict[str, Any], edit: JsonEdit, created: Created | None) -> list[Any]:
    """Remove skillforge's values at ``edit.keys``; then drop the containers in ``created`` that are
    empty (``created`` None: not known, so every container on the key path that is now empty).
    Returns the values removed."""
    parent = _get(data, edit.keys[:-1])
    last = edit.keys[-1]
    if not isinstance(parent, dict) or last not in parent:
        return []
    if edit.append:
        items = parent[last]
        if not isinstance(items, list):
            return []
        removed = [item for item in items if item == edit.value or edit.ours(item)]
        parent[last] = [item for item in items if item not in removed]
    elif parent[last] == edit.value or edit.ours(parent[last]):
        removed = [parent.pop(last)]
    else:
        return []
    if not removed:
        return []
    if created is None:
        depth = len(edit.keys) if edit.append else len(edit.keys) - 1
        created = [tuple(edit.keys[: n + 1]) for n in range(depth)]
    for path in sorted(created, key=len, reverse=True):
        holder = _get(data, list(path[:-1]))
        if isinstance(holder, dict) and path[-1] in holder and holder[path[-1]] in ({}, []):
            del holder[path[-1]]
    return removed


def value_at(data: Any, keys: list[str]) -> Any:
    """The value at ``keys`` (None when a key is missing)."""
    return _get(data, keys)


def put_back(data: dict[str, Any], edit: JsonEdit, previous: Any) -> list[Any]:
    """Undo an install that replaced a skillforge-shaped value no install recorded (it may be the
    user's own): skillforge's value gives way to ``previous`` in the same place (the same key, the
    same list positions), so that the file comes back as it was. Returns the values removed."""
    parent = _get(data, edit.keys[:-1])
    last = edit.keys[-1]
    if not isinstance(parent, dict) or last not in parent:
        return []
    current = parent[last]
    if not edit.append:
        if current != edit.value and not edit.ours(current):
            return []
        parent[last] = previous  # an existing key keeps its place
        return [current]
    if not isinstance(current, list):
        return []
    at = [i for i, item in enumerate(current) if item == edit.value or edit.ours(item)]
    if not at:
        return []
    back = [item for item in previous if edit.ours(item)] if isinstance(previous, list) else []
    removed = [current[i] for i in at]
    if len(at) == len(back):  # each skillforge-shaped item back where it was
        for i, item in zip(at, back, strict=True):
            current[i] = item
    else:
        current[:] = [item for i, item in enumerate(current) if i not in at] + back
    return removed


def _get(data: Any, keys: list[str]) -> Any:
    node = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


@dataclass(frozen=True, slots=True)
class JsonStyle:
    """How a settings file is laid out, so that a rewrite changes only what install changes."""

    indent: str | None = "  "
    separators: tuple[str, str] = (",", ": ")
    newline: bool = True
    eol: str = "\n"  # "\r\n" for a file with CRLF line ends (Windows, git autocrlf)


def line_end(text: str) -> str:
    """A file's line end: CRLF (Windows, git autocrlf) when it has one, else LF."""
    return "\r\n" if "\r\n" in text else "\n"


def detect_style(text: str) -> JsonStyle:
    """The layout of ``text`` (two-space indent and a final newline for a new or empty file)."""
    body = text.strip()
    eol = line_end(text)
    if body in ("", "{}"):
        return JsonStyle(eol=eol)
    newline = text.endswith("\n")
    found = re.search(r"\n([ \t]+)\S", body)
    if found:
        return JsonStyle(found.group(1), (",", ": "), newline, eol)
    spaced = re.search(r'[,:] ["\d\[{tfn-]', body) is not None
    return JsonStyle(None, (", ", ": ") if spaced else (",", ":"), newline, eol)


def dump(data: Any, style: JsonStyle) -> str:
    text = json.dumps(data, indent=style.indent, separators=style.separators, ensure_ascii=False)
    text += "\n" if style.newline else ""
    return text.replace("\n", style.eol)  # JSON strings hold no raw newline: only line ends change
