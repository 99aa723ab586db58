"""Repositories as a routing signal: which repositories a library's skills are scoped to, their aliases,
and which of them a task's text names.

A skill scoped ``repository:owner/name`` is known by ``owner/name``, by ``name`` and by the top-level
packages its body points at (``django/forms/models.py`` → ``django``; ``sklearn/utils/...`` →
``sklearn``). A task names the repository when its text holds ``owner/name``, or an alias appears in
its code (import lines, dotted paths, tracebacks, code spans) or its first line (the title), or at
least ``PROSE_MENTIONS`` times in its prose: one passing "requests" deep in a long issue does not make
it a task in psf/requests.
"""

from __future__ import annotations

import re
from collections import Counter

from skillforge.route.query import strong_text

PROSE_MENTIONS = 3
TITLE = 200  # characters of the first line that count as the title
_PATH = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)/[A-Za-z0-9_/.-]*\.[a-z]{1,4}\b")
_WORD = re.compile(r"[a-z0-9][a-z0-9_-]*[a-z0-9]|[a-z0-9]")
GENERIC_FOLDERS = frozenset(
    {
        "src",
        "lib",
        "tests",
        "test",
        "docs",
        "doc",
        "scripts",
        "examples",
        "bin",
        "build",
        "tools",
        "app",
        "packages",
        "pkg",
        "cmd",
        "internal",
        "include",
    }
)


def same_repository(scope: str, repo: str) -> bool:
    """Whether a ``repository:`` scope value and a task's repository (``owner/name`` or a folder name)
    are the same repository."""
    scope, repo = scope.lower(), repo.lower()
    return scope == repo or scope.rsplit("/", 1)[-1] == repo.rsplit("/", 1)[-1]


def aliases(repository: str, body: str) -> list[str]:
    """Names a task may use for ``repository``: its name and the packages its skill body points at."""
    name = repository.lower().rsplit("/", 1)[-1]
    found = Counter(m.lower() for m in _PATH.findall(body))
    packages = [p for p, _ in found.most_common(3) if p not in GENERIC_FOLDERS and len(p) > 2]
    return list(dict.fromkeys([name, *packages]))


def named_repositories(text: str, repositories: dict[str, list[str]]) -> set[str]:
    """The repositories of ``repositories`` (``owner/name`` -> aliases) that ``text`` names."""
    if not repositories:
        return set()
    lower = text.lower()
    code = Counter(_WORD.findall(strong_text(text).lower()))
    prose = Counter(_WORD.findall(lower))
    title = set(_WORD.findall(lower.lstrip()[:TITLE].split("\n", 1)[0]))
    named = set()
    for repo, names in repositories.items():
        if repo in lower or any(code[a] or a in title or prose[a] >= PROSE_MENTIONS for a in names):
            named.add(repo)
    return named
