"""Literal prefilters that let the safety regexes skip clean text at C speed.

Python's ``re`` tries an alternation such as ``\\b(?:print|dump|send)…`` at every offset of the text,
which on long skills costs more than the rest of the scan. When every match of a pattern must begin
with one of a few literals, :func:`finditer_from` finds those literals and tries the pattern only
there: the same matches as ``pattern.finditer`` (``re`` looks at the character before ``pos`` for
``\\b`` and look-behinds), in the same order, non-overlapping.

Every literal any rule asks about goes into one Aho-Corasick automaton (ahocorasick-rs, see
:mod:`skillforge.safety.automaton`), and each text is scanned once for all of them (:func:`hits`,
cached for the last texts): the keyword gates of the secret, injection, shell and path rules
(:func:`contains_any`) and the start offsets (:func:`literal_starts`, :func:`anchored_matches`) are
then dictionary look-ups instead of one ``str.find`` pass per literal.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import chain

from skillforge.safety.automaton import Automata as _Automata
from skillforge.safety.automaton import CharOffsets


@lru_cache(maxsize=4)  # small: each entry keeps a whole text alive (scan reads logs in 1 MiB chunks)
def lowered(text: str) -> str:
    """``text.lower()`` with the same offsets (the rare characters whose lower case is longer are kept).
    Cached for the last few texts: the secret, injection, shell and path rules all lower the same text."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def line_numbers(text: str, offsets: Iterable[int]) -> dict[int, int]:
    """offset -> 1-based line in ``text``, counting newlines only up to the last offset asked about
    (a text with few findings costs a few C scans, not a list of every line start)."""
    lines: dict[int, int] = {}
    line, pos = 1, 0
    for offset in sorted(set(offsets)):
        line += text.count("\n", pos, offset)
        pos = offset
        lines[offset] = line
    return lines


_LITERALS: dict[str, None] = {}  # every literal asked about so far, in order (never removed)
_AUTOMATON: dict[int, _Automata] = {}  # version -> automata of its literals (only the newest kept)
_LOCK = threading.Lock()  # distill checks texts from several threads


_KNOWN: set[tuple[str, ...]] = set()  # literal tuples already registered (the gates ask 160,000 times)


def _register(literals: Iterable[str]) -> int:
    """Add unseen literals; the number of literals so far is the version of the automaton to use."""
    if type(literals) is tuple and literals in _KNOWN:
        return len(_LITERALS)
    literals = tuple(literals)
    new = [lit for lit in literals if lit not in _LITERALS]
    if new:
        with _LOCK:
            _LITERALS.update(dict.fromkeys(new))
    _KNOWN.add(literals)
    return len(_LITERALS)


def _automaton(version: int) -> _Automata:
    """The automata of the first ``version`` literals (built once, only the newest one kept)."""
    with _LOCK:
        if version not in _AUTOMATON:
            automata = _Automata(tuple(_LITERALS)[:version])
            _AUTOMATON.clear()
            _AUTOMATON[version] = automata
        return _AUTOMATON[version]


_WINDOW = 1 << 16  # characters searched at a time: a keyword-dense text never has all its matches listed


@lru_cache(maxsize=4)
def _hits(text: str, version: int) -> dict[str, list[int]]:
    """literal -> start offsets, the text searched in windows overlapping by the longest literal
    (a match belongs to the window it starts in), each window's matches folded in at once."""
    automata = _automaton(version)
    literals, reach = automata.literals, _WINDOW + automata.longest - 1
    found: dict[str, list[int]] = {}
    for offset in range(0, len(text), _WINDOW) if len(text) > reach else (0,):
        piece = text if len(text) <= reach else text[offset : offset + reach]
        for index, start, _ in automata.find(piece, overlapping=True):
            if start >= _WINDOW and piece is not text:
                continue  # the next window's
            lit = literals[index]
            starts = found.get(lit)
            if starts is None:
                found[lit] = [offset + start]
            else:
                starts.append(offset + start)  # by end offset: one literal's starts come in order
    return found


def hits(text: str, literals: Iterable[str]) -> dict[str, list[int]]:
    """literal -> sorted start offsets in ``text`` (overlaps included), for ``literals`` and every
    literal asked about before; one pass over the text, cached for the last texts."""
    return _hits(text, _register(literals))


def contains_any(text: str, literals: tuple[str, ...]) -> bool:
    """``any(lit in text for lit in literals)`` (literals must not be empty)."""
    found = hits(text, literals)
    return any(lit in found for lit in literals)


@lru_cache(maxsize=16)
def _small_automaton(literals: tuple[str, ...]) -> _Automata:
    return _Automata(literals)


def any_in(text: str, literals: tuple[str, ...]) -> bool:
    """``any(lit in text for lit in literals)`` in one C pass, not cached: for many short pieces (code
    blocks, inline code) of a text (literals must not be empty)."""
    return bool(_small_automaton(literals).find(text, overlapping=False))


def literal_starts(text: str, literals: Iterable[str]) -> list[int]:
    """Sorted offsets where any of ``literals`` occurs in ``text`` (overlaps included). They join the
    one cached automaton pass, except two-letter start words ("to", "ba", "do": one every few words)
    that no gate asked about: those are found, only once a gate has passed, in a pass of a small
    automaton of their own, so they never slow down the pass over every text."""
    literals = tuple(literals)
    known = tuple(lit for lit in literals if len(lit) > 2 or lit in _LITERALS)
    found = hits(text, known) if known else {}
    lists = [found[lit] for lit in known if lit in found]
    others = tuple(lit for lit in literals if lit not in known)
    if others:
        lists.append([start for _, start, _ in _small_automaton(others).find(text, overlapping=True)])
    lists = [starts for starts in lists if starts]
    if len(lists) == 1 and not others:  # one literal's starts: already sorted and unique
        return list(lists[0])
    return sorted(set(chain.from_iterable(lists)))  # the automaton reports by end offset


def _mask(chars: str) -> bytes:
    """A ``bytes.translate`` table: the bytes of ``chars`` (ASCII) to ``a``, every other byte to a space."""
    return bytes(97 if chr(b) in chars else 32 for b in range(256))


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_B64_MASK = _mask(_ALNUM + "+/")
_VALUE_MASK = _mask(_ALNUM + "+/_~.-")


def runs(text: str, table: bytes, least: int) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of every maximal run of at least ``least`` characters of an ASCII
    class (``table``, from :func:`_mask`), left to right. Found in the UTF-8 bytes mapped by the table
    (``bytes.translate`` and ``find``: C passes at memory speed) instead of by ``re`` trying every
    offset; a non-ASCII character's bytes are never in the class."""
    raw = text.encode("utf-8", "surrogatepass")
    mask = raw.translate(table)
    chars = None if len(raw) == len(text) else CharOffsets(raw)  # None: ASCII, bytes are characters
    run = b"a" * least
    at = 0  # byte offset searched from
    while (i := mask.find(run, at)) != -1:
        end = mask.find(b" ", i)
        at = len(mask) if end == -1 else end
        start = i if chars is None else chars.at(i)
        yield start, start + at - i  # the run itself is ASCII: as many characters as bytes


_TOKEN = _ALNUM + "_-"


@lru_cache(maxsize=4)
def _head_mask(then: str) -> bytes:
    """A ``bytes.translate`` table: token bytes ([A-Za-z0-9_-]) to ``a``, ``then`` to ``d``, the rest
    (every non-ASCII byte too) to a space."""
    return bytes(97 if chr(b) in _TOKEN else 100 if chr(b) == then else 32 for b in range(256))


def token_head_matches(
    pattern: re.Pattern[str], text: str, least: int, most: int, then: str
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with ``least`` to ``most``
    characters of [A-Za-z0-9_-] followed by ``then`` (one ASCII character, not one of them), such as a
    Discord bot token ``[MNO][A-Za-z0-9_-]{23,27}\\.``: that head ends where its run of token characters
    ends, so a match can start only ``least`` to ``most`` characters before a run's end followed by
    ``then``. Those ends are found in the UTF-8 bytes mapped by a table (C passes), the pattern is
    tried there only, left to right, skipping starts inside the last match."""
    raw = text.encode("utf-8", "surrogatepass")
    mask = raw.translate(_head_mask(then))
    chars = None if len(raw) == len(text) else CharOffsets(raw)  # None: ASCII, bytes are characters
    needle = b"a" * least + b"d"
    last_end = 0
    i = mask.find(needle)
    while i != -1:
        end = i + least  # the byte of ``then``
        lo = i  # heads start after the last one's ``then``: ascending, as CharOffsets asks
        while lo > 0 and end - lo < most and mask[lo - 1] == 97:
            lo -= 1
        first = lo if chars is None else chars.at(lo)  # the head is ASCII: as many characters as bytes
        for at in range(max(first, last_end), first + end - lo - least + 1):
            m = pattern.match(text, at)
            if m is not None:
                last_end = m.end()
                yield m
                break
        i = mask.find(needle, end + 1)


def base64_runs(pattern: re.Pattern[str], text: str, least: int = 32) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match is a whole run of at least ``least``
    base64 characters ([A-Za-z0-9+/], not preceded by one) and a tail of other characters."""
    for start, _ in runs(text, _B64_MASK, least):
        m = pattern.match(text, start)
        if m is not None:
            yield m


def value_matches(pattern: re.Pattern[str], text: str, least: int = 20) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for the high-entropy value pattern ``[=:]\\s*(?:\\\\?["'])?`` then a
    whole run of at least ``least`` characters of [A-Za-z0-9+/_~.-]: the only offset where a match can
    take a run is the ``=`` or ``:`` found by walking back over a quote (and its backslash) and white
    space, so the pattern is tried there only, left to right, skipping starts inside the last match."""
    last_end = 0
    for start, _ in runs(text, _VALUE_MASK, least):
        j = start
        if j > 0 and text[j - 1] in "\"'":
            j -= 1
            if j > 0 and text[j - 1] == "\\":
                j -= 1
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if j == 0 or text[j - 1] not in "=:" or j - 1 < last_end:
            continue
        m = pattern.match(text, j - 1)
        if m is not None:
            last_end = m.end()
            yield m


@lru_cache(maxsize=4)  # the context, snippet and code-block readers all ask about the same text
def fence_lines(text: str) -> tuple[int, ...]:
    """Sorted offsets of the lines that start, after at most 3 spaces, with ``` or ~~~ (found with
    ``str.find``, a C scan, rather than trying a regex at every line)."""
    starts: set[int] = set()
    for mark in ("```", "~~~"):
        i = text.find(mark)
        while i != -1:
            line = text.rfind("\n", 0, i) + 1
            if i - line <= 3 and text[line:i] == " " * (i - line):
                starts.add(line)
            end = text.find("\n", i)
            i = -1 if end == -1 else text.find(mark, end)
    return tuple(sorted(starts))


def fence_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that can match only at the start of a fence line
    (``^ {0,3}(?:`{3,}|~{3,})…`` with ``re.M``): tried only where :func:`fence_lines` found one."""
    for at in fence_lines(text):
        m = pattern.match(text, at)
        if m is not None:
            yield m


def anchored_matches(
    pattern: re.Pattern[str], text: str, anchors: Mapping[str, tuple[int, ...]], cased: bool = False
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts ``back`` characters before an
    occurrence of an anchor (``anchors``: lower-case literal -> its possible ``back`` offsets) in the
    lowered text: ``refresh-token`` 7 before ``-token``. The caller guarantees it (tests compare both);
    an anchor's letters must not match, case-insensitively, a character that lowers to another one (i,
    s). ``cased``: the anchor must also occur as is in ``text`` (a case-sensitive pattern). The anchors
    come from the one cached keyword pass; the pattern is tried there only, left to right, skipping
    starts inside the last match."""
    found = hits(lowered(text), tuple(anchors))
    starts = sorted(
        {
            at - back
            for lit, backs in anchors.items()
            for at in found.get(lit, ())
            if not cased or text.startswith(lit, at)
            for back in backs
            if at >= back
        }
    )
    last_end = 0
    for at in starts:
        if at < last_end:
            continue
        m = pattern.match(text, at)
        if m is not None:
            last_end = m.end()
            yield m


def folds_apart(lowered: str) -> bool:
    """Whether the lowered text holds a character that ``re.IGNORECASE`` matches to an ASCII letter but
    that lowers to something else (İ and ı for i, ſ for s; the Kelvin sign lowers to k): there a start
    literal could miss a match, so the pattern is tried everywhere."""
    return not lowered.isascii() and ("\u0131" in lowered or "\u0130" in lowered or "\u017f" in lowered)


def line_matches(pattern: re.Pattern[str], text: str, needle: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match holds ``needle`` and lies within one
    line (it matches no line break and looks ahead of none: each line is searched as if it ended the
    text): only the lines holding ``needle`` are searched, found with ``str.find``."""
    at = text.find(needle)
    while at != -1:
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        yield from pattern.finditer(text, text.rfind("\n", 0, at) + 1, end)
        at = text.find(needle, end)


def finditer_from(
    pattern: re.Pattern[str], text: str, literals: Iterable[str], where: str | None = None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with one of ``literals``
    (the caller guarantees it; tests compare both on fixtures). Matches must not be empty. The
    literals are looked for in ``where`` when given (the lowered text, same offsets)."""
    return _matches_at(pattern, text, literal_starts(text if where is None else where, literals))


def finditer_from_own(
    pattern: re.Pattern[str], text: str, literals: tuple[str, ...], where: str
) -> Iterator[re.Match[str]]:
    """:func:`finditer_from` with the literals found in ``where`` by an automaton of their own, not the
    one cached pass: for common words (for, red) asked about in few texts, which would slow the pass
    over every text."""
    starts = sorted({start for _, start, _ in _small_automaton(literals).find(where, overlapping=True)})
    return _matches_at(pattern, text, starts)


def _matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` tried at ``starts`` (ascending), left to right, none overlapping."""
    end = 0
    for pos in starts:
        if pos < end:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            end = m.end()
            yield m
