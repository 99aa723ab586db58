"""Reversible JSON settings edits for ``skillforge install``: add one value at a key path, and later
remove exactly it (plus the containers the add created, when they are empty again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class JsonEdit:
    keys: list[str]  # the path of the value (append: the path of a list)
    value: Any
    append: bool  # True: add ``value`` to a list at ``keys``; False: set ``keys`` to ``value``


def add_json(data: dict[str, Any], edit: JsonEdit) -> tuple[list[tuple[str, ...]] | None, bool]:
    """Apply ``edit`` to ``data`` in place. Returns (created key paths, or None if already present;
    clash: a different value or type is in the way and nothing was changed)."""
    node: Any = data
    created: list[tuple[str, ...]] = []
    for depth, key in enumerate(edit.keys[:-1]):
        if key not in node:
            node[key] = {}
            created.append(tuple(edit.keys[: depth + 1]))
        node = node[key]
        if not isinstance(node, dict):
            return None, True
    last = edit.keys[-1]
    if edit.append:
        if last not in node:
            node[last] = []
            created.append(tuple(edit.keys))
        items = node[last]
        if not isinstance(items, list):
            return None, True
        if edit.value in items:
            return (created or None), False
        items.append(edit.value)
        return created, False
    if last in node:
        return None, node[last] != edit.value
    node[last] = edit.value
    created.append(tuple(edit.keys))
    return created, False


def remove_json(data: dict[str, Any], edit: JsonEdit, created: list[tuple[str, ...]]) -> bool:
    """Undo ``edit``; then drop the containers in ``created`` that are empty. True if anything changed."""
    parent = _get(data, edit.keys[:-1])
    last = edit.keys[-1]
    if not isinstance(parent, dict) or last not in parent:
        return False
    if edit.append:
        items = parent[last]
        if not isinstance(items, list) or edit.value not in items:
            return False
        parent[last] = [item for item in items if item != edit.value]
    elif parent[last] == edit.value:
        del parent[last]
    else:
        return False
    for path in sorted(created, key=len, reverse=True):
        holder = _get(data, list(path[:-1]))
        if isinstance(holder, dict) and path[-1] in holder and holder[path[-1]] in ({}, []):
            del holder[path[-1]]
    return True


def _get(data: Any, keys: list[str]) -> Any:
    node = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
