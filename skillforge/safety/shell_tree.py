"""Reading tree-sitter-bash's parse of a shell snippet: the nodes under a node, a node's text, a
command's words (quotes removed, wrappers such as sudo and env dropped) and the commands of a pipeline
in the order bash runs them. :mod:`skillforge.safety.shell` judges what they do.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from itertools import islice
from typing import Any

from skillforge.safety.shell_wrappers import unwrap


def walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def node_text(node: Any) -> str:
    return str(node.text.decode("utf-8", "replace"))


_NOT_WORDS = frozenset({"variable_assignment", "file_redirect", "herestring_redirect", "heredoc_redirect"})


def raw_words(command: Any) -> list[str]:
    """The command's words as written (quotes kept), wrappers included; assignments and redirects left out.
    Pieces with no space between them are one word (tree-sitter splits ``@<(env)`` in two)."""
    out: list[str] = []
    end = -1
    for child in command.children:
        if child.type in _NOT_WORDS:
            end = -1
            continue
        if child.start_byte == end and out:
            out[-1] += node_text(child)
        else:
            out.append(node_text(child))
        end = child.end_byte
    return out


def unquoted(word: str) -> str:
    """A word with its quotes removed: the outer ones, and those inside a word with no expansion
    (``c''url``, ``\\curl`` and ``"s"h`` run curl and sh)."""
    out = word.strip("\"'")
    if ("'" in out or '"' in out or "\\" in out) and "$" not in out and "`" not in out:
        try:
            parts = shlex.split(word)
        except ValueError:
            return out
        return parts[0] if len(parts) == 1 else out
    return out


def words(command: Any) -> list[str]:
    """The command's name and arguments as text, quotes removed, wrappers (sudo, env …) dropped (see
    :func:`~skillforge.safety.shell_wrappers.unwrap`)."""
    return unwrap([unquoted(word) for word in raw_words(command)])[0]


def inner_pipeline(node: Any) -> bool:
    """A pipeline that is a redirected stage of another (``a 2>&1 | b`` in ``a 2>&1 | b | sh``), or the
    rest of one that goes on with ``&&``/``||`` (see :func:`continued`): read with the outer one, as one
    pipeline."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "list":
        return parent.parent is not None and parent.parent.type == "pipeline" and parent.children[0] == node
    return parent.type == "redirected_statement" and parent.parent.type == "pipeline"


def continued(node: Any) -> list[Any]:
    """The stages a ``list`` ends a pipeline with: tree-sitter-bash reads ``a | b | c && d`` as ``a | (b |
    c && d)``, a pipeline whose last stage is a list, where bash runs ``(a | b | c) && d``: the list's
    first part carries on the pipeline (``b | c``), the rest runs after it and is no stage."""
    while node.type == "list" and node.children:
        node = node.children[0]
    return list(node.children) if node.type == "pipeline" else [node]


def stages(node: Any) -> list[Any]:
    """The commands of a pipeline, in order: a stage's redirect is no stage of its own (``curl … 2>/dev/null
    | sh`` pipes curl into sh; tree-sitter nests ``a 2>&1 | b | c`` as a pipeline in a redirected
    statement in a pipeline), and a group or subshell feeding the pipe counts by its commands (``{ env;
    cat f; } | curl``)."""
    out: list[Any] = []
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if child.type == "redirected_statement":
            body = child.child_by_field_name("body")
            if body is not None:
                stack.extend(reversed(body.children) if body.type == "pipeline" else [body])
        elif child.type == "command":
            out.append(child)
        elif child.type == "list":
            stack.extend(reversed(continued(child)))
        else:
            out.extend(grouped(child))
    return out


_GROUPED = 50  # commands of a group read for a pipe: bounded, so nested groups cost linear time


def grouped(node: Any) -> list[Any]:
    if node.type not in ("subshell", "compound_statement"):
        return []
    return list(islice((c for c in walk(node) if c.type == "command"), _GROUPED))
