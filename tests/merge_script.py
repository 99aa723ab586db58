"""Helpers for scripting the merge calls of LLM consolidation on the scripted server: which call a
request is (topics, condense, decide, repair), which lessons it shows, and a topic answer."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.llm_server import Reply, Seen

_SHOWN = re.compile(r"^--- (\S+) \(support[^\n]*\)\ntitle: ([^\n]*)", re.M)
_TOPIC_LINE = re.compile(r"^- (L\d+) \[[^\]]*\] (.*?) — when:", re.M)


def is_topics(seen: Seen) -> bool:
    return "Group these lessons into topics" in seen.user_text


def is_condense(seen: Seen) -> bool:
    return "Condense these lessons" in seen.user_text


def is_decide(seen: Seen) -> bool:
    return "Turn these lessons into edits" in seen.user_text


def is_repair(seen: Seen) -> bool:
    return "Your answer could not be used" in seen.user_text


def shown(seen: Seen) -> dict[str, str]:
    """id -> title of the lessons (or drafts) a condense or decide request shows."""
    first = seen.user_text.split("Your answer could not be used")[0]
    return dict(_SHOWN.findall(first))


def topic_reply(seen: Seen, key: Callable[[str], str]) -> Reply:
    """Topics grouped by ``key(title)``."""
    groups: dict[str, list[str]] = {}
    for lid, title in _TOPIC_LINE.findall(seen.user_text):
        groups.setdefault(key(title), []).append(lid)
    return Reply(json={"topics": [{"name": k, "sources": v} for k, v in groups.items()]})


def edit(
    op: str,
    skill: str,
    sources: list[str],
    section: str = "",
    description: str = "",
    content: str = "## Steps\n\nDo it.",
) -> dict[str, object]:
    return {
        "op": op,
        "skill": skill,
        "description": description,
        "section": section,
        "content": content,
        "reason": f"{op} {skill}",
        "sources": sources,
    }
