"""Aho-Corasick keyword search over text, with character offsets (ahocorasick-rs, a DFA in Rust).

One :class:`Automata` holds a literal list compiled twice: over bytes for ASCII-only texts (most code
and many skills: the text's ASCII bytes are its characters, so offsets agree and the search runs at
memory speed) and over ``str`` for the rest (the library maps its UTF-8 offsets back to characters).
A text with a lone surrogate, which UTF-8 cannot encode, is searched in its ``surrogatepass`` bytes and
the byte offsets are mapped back to characters here; so is every non-ASCII text when a literal holds one.
"""

from __future__ import annotations

from typing import Any


def _dfa() -> Any:
    import ahocorasick_rs

    return ahocorasick_rs


class Automata:
    """``literals`` (non-empty strings) compiled for :meth:`find`; immutable, safe across threads.
    ``longest``: of the literals matching at one place, the longest is reported (no overlapping search)."""

    def __init__(self, literals: tuple[str, ...], longest: bool = False) -> None:
        lib = _dfa()
        self.literals = literals
        self.longest = max(map(len, literals), default=1)  # in characters
        dfa = lib.Implementation.DFA  # a few times faster than the NFAs on the 130 keywords
        kind = lib.MatchKind.LeftmostLongest if longest else lib.MatchKind.Standard
        # ahocorasick-rs silently matches nothing at all when a pattern is a lone surrogate: then every
        # non-ASCII text takes the surrogatepass bytes path
        encodable = all(_encodable(lit) for lit in literals)
        self._text = (
            lib.AhoCorasick(list(literals), matchkind=kind, implementation=dfa) if encodable else None
        )
        self._bytes = lib.BytesAhoCorasick(
            [lit.encode("utf-8", "surrogatepass") for lit in literals], matchkind=kind, implementation=dfa
        )

    def find(self, text: str, overlapping: bool) -> list[tuple[int, int, int]]:
        """(literal index, start, end) character offsets of the matches in ``text``, ordered by end
        (``overlapping``: every occurrence of every literal; else leftmost non-overlapping ones)."""
        if text.isascii():
            found: list[tuple[int, int, int]] = self._bytes.find_matches_as_indexes(
                text.encode("ascii"), overlapping=overlapping
            )
            return found
        if self._text is not None:
            try:
                found = self._text.find_matches_as_indexes(text, overlapping=overlapping)
                return found
            except UnicodeEncodeError:  # a lone surrogate (from a file decoded with surrogateescape)
                pass
        raw = text.encode("utf-8", "surrogatepass")
        found = self._bytes.find_matches_as_indexes(raw, overlapping=overlapping)
        chars = _char_offsets(raw, sorted({at for _, start, end in found for at in (start, end)}))
        return [(index, chars[start], chars[end]) for index, start, end in found]


_CONTINUATION = bytes(1 if 0x80 <= b < 0xC0 else 0 for b in range(256))  # UTF-8 continuation bytes -> 1


class CharOffsets:
    """Character offsets for byte offsets into ``raw`` (UTF-8 with surrogatepass), asked in ascending
    order, each starting a character: the offset less the continuation bytes before it (a surrogate,
    like any character, is one lead byte and its continuation bytes). Counted in C between offsets."""

    def __init__(self, raw: bytes) -> None:
        self._marks = raw.translate(_CONTINUATION)
        self._byte = self._behind = 0

    def at(self, offset: int) -> int:
        self._behind += self._marks.count(1, self._byte, offset)
        self._byte = offset
        return offset - self._behind


def _char_offsets(raw: bytes, offsets: list[int]) -> dict[int, int]:
    """byte offset -> character offset in ``raw``, for sorted ``offsets`` (see :class:`CharOffsets`)."""
    chars = CharOffsets(raw)
    return {offset: chars.at(offset) for offset in offsets}


def _encodable(literal: str) -> bool:
    try:
        literal.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
