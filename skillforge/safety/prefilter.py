"""Literal prefilters that let the safety regexes skip clean text at C speed.

Python's ``re`` tries an alternation such as ``\\b(?:print|dump|send)…`` at every offset of the text,
which on long skills costs more than the rest of the scan. When every match of a pattern must begin
with one of a few literals, :func:`finditer_from` finds those literals with ``str.find`` (a C scan per
literal) and tries the pattern only there: the same matches as ``pattern.finditer`` (``re`` looks at
the character before ``pos`` for ``\\b`` and look-behinds), in the same order, non-overlapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import accumulate


@lru_cache(maxsize=8)
def lowered(text: str) -> str:
    """``text.lower()`` with the same offsets (the rare characters whose lower case is longer are kept).
    Cached for the last few texts: the secret, injection, shell and path rules all lower the same text."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def line_starts(text: str) -> list[int]:
    """Offset of each line's first character (``0`` and one after every ``\\n``)."""
    return [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


def literal_starts(text: str, literals: Iterable[str]) -> list[int]:
    """Sorted offsets where any of ``literals`` occurs in ``text`` (overlaps included)."""
    starts: set[int] = set()
    for lit in literals:
        i = text.find(lit)
        while i != -1:
            starts.add(i)
            i = text.find(lit, i + 1)
    return sorted(starts)


def finditer_from(
    pattern: re.Pattern[str], text: str, literals: Iterable[str], where: str | None = None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with one of ``literals``
    (the caller guarantees it; tests compare both on fixtures). Matches must not be empty. The
    literals are looked for in ``where`` when given (the lowered text, same offsets)."""
    end = 0
    for pos in literal_starts(text if where is None else where, literals):
        if pos < end:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            end = m.end()
            yield m
