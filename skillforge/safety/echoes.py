"""Values already found to be secrets, masked wherever else they occur (as CI systems mask a registered
secret in every log line).

A secret is often recognised in one place only: ``CF_API_TOKEN=<value>`` names it, a vendor's token
shape counts only next to the vendor's name, but the same run prints the value bare in an error line
(``AuthError: rejected credential <value>``). :class:`Echoes` holds the values found (value -> kind)
and :meth:`Echoes.mask` replaces every occurrence by the same ``<redacted:KIND>`` placeholder. All
values are searched at once (one Aho-Corasick automaton, leftmost-longest), so masking is linear in
the text. Values shorter than :data:`MIN_LENGTH` are left out: a short password may be a common word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from skillforge.safety.automaton import Automata

MIN_LENGTH = 8


class Echoes:
    """The secret values to mask (value -> kind); immutable, empty (false) when there are none."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._kinds = {value: kind for value, kind in values.items() if len(value) >= MIN_LENGTH}
        self._literals = tuple(self._kinds)
        self._automata = Automata(self._literals, longest=True) if self._literals else None

    def __bool__(self) -> bool:
        return self._automata is not None

    def mask(self, text: str) -> tuple[str, Counter[str]]:
        """``text`` with every occurrence of a known value replaced, and the count per kind."""
        counts: Counter[str] = Counter()
        if self._automata is None or len(text) < MIN_LENGTH:
            return text, counts
        found = self._automata.find(text, overlapping=False)
        if not found:
            return text, counts
        parts: list[str] = []
        pos = 0
        for index, start, end in found:
            kind = self._kinds[self._literals[index]]
            parts.append(text[pos:start])
            parts.append(f"<redacted:{kind}>")
            counts[kind] += 1
            pos = end
        parts.append(text[pos:])
        return "".join(parts), counts

    def mask_tree(self, value: Any) -> Any:
        """:meth:`mask` applied to every string in nested dicts, lists and tuples, keys too."""
        if not self:
            return value
        if isinstance(value, str):
            return self.mask(value)[0]
        if isinstance(value, dict):
            return {self.mask_tree(k): self.mask_tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_tree(v) for v in value]
        return value


def strings(value: Any) -> list[str]:
    """Every string in nested dicts, lists and tuples (keys too), in order."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for k, v in reversed(item.items()):
                stack.extend((v, k))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return out
