"""Secret redaction: the one pass applied before any LLM call, file write or commit.

``find_secrets(text)`` lists every secret in raw text (never parsed JSON: duplicate keys hide values);
``redact(text)`` replaces each by a typed placeholder (``<redacted:aws-access-key>``) and counts them by
kind; ``skillforge.safety.trajectory_redaction.redact_trajectory(traj)`` cleans a whole trajectory in place
(secrets and home folders).

The rules are gitleaks-style regular expressions (provider token formats, private key blocks removed
whole, credentials in URLs and connection strings, ``KEY=value`` / ``KEY: value`` / ``"KEY": "value"``
assignments of secret-looking keys, high-entropy values in assignments). Each rule has keywords: it
only runs when one of them occurs in the text (a C-speed substring test), so clean text is cheap.
Overlapping matches are resolved by rule order (specific before generic).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from skillforge.safety import prefilter
from skillforge.safety.echoes import MIN_LENGTH, Echoes, strings
from skillforge.safety.paths import normalize_home_paths
from skillforge.safety.secret_checks import assignment_spans, shannon_entropy
from skillforge.safety.secret_rules import ENTROPY_RULE, KINDS, RULES, confidence, looks_made_up

if TYPE_CHECKING:  # the route path imports this module: no msgspec or model package at import time
    pass

__all__ = [
    "KINDS",
    "SecretFinding",
    "find_secrets",
    "mask",
    "redact",
    "scrub",
    "shannon_entropy",
]


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """One secret: its kind, 1-based line and column, offsets in the text, a masked preview and the
    confidence ("high": a known token shape; "low": a keyword or entropy guess, or example-like)."""

    kind: str
    line: int
    column: int
    start: int
    end: int
    preview: str
    confidence: str = "high"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "line": self.line,
            "column": self.column,
            "preview": self.preview,
            "confidence": self.confidence,
        }


_GATES = tuple(dict.fromkeys(k.lower() for rule in RULES for k in rule.keywords))  # lowered, in order
_BY_GATE: dict[str, tuple[int, ...]] = {  # lowered keyword -> the rules (their order) it gates
    gate: tuple(i for i, rule in enumerate(RULES) if gate in {k.lower() for k in rule.keywords})
    for gate in _GATES
}


def applicable(text: str, found: dict[str, list[int]]) -> list[int]:
    """The order of every rule whose keywords occur (``found``: the lowered text's gate hits), as
    :meth:`Rule.applies_given` tells them, in rule order: only the rules a hit names are looked at (a
    test of all 80 rules per text was most of ``ingest --json``'s redaction)."""
    orders = sorted({i for gate in found for i in _BY_GATE.get(gate, ())})
    return [i for i in orders if not RULES[i].exact or any(k in text for k in RULES[i].keywords)]


def _candidates(text: str) -> list[tuple[int, int, int, str]]:
    """(start, rule order, end, kind) of every match of every rule whose keywords occur."""
    lowered = prefilter.lowered(text)
    found = prefilter.hits(lowered, _GATES)
    raw: list[tuple[int, int, int, str]] = []
    for order in applicable(text, found):
        raw.extend((start, order, end, kind) for start, end, kind in RULES[order].spans(text, lowered))
    order = len(RULES)
    raw.extend((start, order, end, kind) for start, end, kind in assignment_spans(text, lowered))
    if "=" in text or ":" in text:
        values = prefilter.value_matches(ENTROPY_RULE.pattern, text)
        raw.extend(
            (start, order + 1, end, kind) for start, end, kind in ENTROPY_RULE.spans(text, found=values)
        )
    return raw


_U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _decoded_candidates(text: str) -> list[tuple[int, int, int, str]]:
    """:func:`_candidates` of ``text`` with JSON ``\\uXXXX`` escapes decoded first (``\\u0041KIA…``
    hides a key from every rule), the offsets mapped back to ``text``."""
    if "\\u" not in text:
        return _candidates(text)
    parts: list[str] = []
    escapes: list[int] = []  # decoded offset of each decoded escape
    removed = [0]  # characters the escapes so far took away (each of 6 or more became 1)
    pos = size = 0
    for m in _U_ESCAPE.finditer(text):
        start = m.start()  # more backslashes when JSON text sits inside a JSON log (\\u0067\\u0068p_…)
        while start > pos and text[start - 1] == "\\":
            start -= 1
        parts.append(text[pos:start])
        size += start - pos
        escapes.append(size)
        removed.append(removed[-1] + m.end() - start - 1)
        parts.append(chr(int(m.group(1), 16)))
        size += 1
        pos = m.end()
    parts.append(text[pos:])

    def back(offset: int) -> int:
        return offset + removed[bisect_left(escapes, offset)]

    return [(back(s), o, back(e), k) for s, o, e, k in _candidates("".join(parts))]


@lru_cache(maxsize=64)
def secret_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Non-overlapping (start, end, kind) spans of secrets in ``text``, in order; on overlap the
    earlier start wins, then the more specific rule; a private key block absorbs what it overlaps.
    Cached for the last texts: route's withholding check redacts, then validates, the same text."""
    raw = _decoded_candidates(text)
    raw.sort()
    spans: list[tuple[int, int, str]] = []
    last_end = -1
    for start, _, end, kind in raw:
        if start >= last_end:
            spans.append((start, end, kind))
            last_end = end
        elif end > last_end and kind == "private-key":
            spans[-1] = (spans[-1][0], end, "private-key")
            last_end = end
    return tuple(spans)


def clear_cache() -> None:
    """Forget the cached spans and lowered texts (benchmarks time a cold run)."""
    secret_spans.cache_clear()
    prefilter.lowered.cache_clear()
    prefilter._hits.cache_clear()
    prefilter.fence_lines.cache_clear()


def mask(secret: str) -> str:
    """A preview that never reveals the secret: a short prefix, then stars and the length."""
    shown = min(4, len(secret) // 8)
    return f"{secret[:shown]}****({len(secret)} chars)"


def find_secrets(text: str) -> list[SecretFinding]:
    """Every secret in ``text`` with its kind, position and a masked preview."""
    findings: list[SecretFinding] = []
    line, line_start, pos = 1, 0, 0
    for start, end, kind in secret_spans(text):
        line += text.count("\n", pos, start)
        nl = text.rfind("\n", pos, start)  # only since the last finding: linear on a long line
        if nl != -1:
            line_start = nl + 1
        pos = start
        value = text[start:end]
        preview = mask(value.split("\n", 1)[0] if kind == "private-key" else value)
        findings.append(
            SecretFinding(kind, line, start - line_start + 1, start, end, preview, confidence(kind, value))
        )
    return findings


def redact(text: str, found: dict[str, str] | None = None) -> tuple[str, Counter[str]]:
    """``text`` with each secret replaced by ``<redacted:KIND>``, and the count per kind (``found``:
    collects value -> kind of the secrets long enough to be masked where they echo, see :class:`Echoes`).
    A value found as a secret is also removed where the same text repeats it bare (``TOKEN=v`` in one
    block, ``v`` alone in the next: attack20 S30, which route printed)."""
    counts: Counter[str] = Counter()
    spans = secret_spans(text)
    if not spans:
        return text, counts
    parts: list[str] = []
    values: dict[str, str] = {}
    pos = 0
    for start, end, kind in spans:
        note_secret(values, text[start:end], kind)
        parts.append(text[pos:start])
        parts.append(f"<redacted:{kind}>")
        counts[kind] += 1
        pos = end
    parts.append(text[pos:])
    if found is not None:
        for value, kind in values.items():
            found.setdefault(value, kind)
    redacted = "".join(parts)
    if values:
        redacted, echoed = Echoes(values).mask(redacted)
        counts.update(echoed)
    return redacted, counts


def scrub(text: str, found: dict[str, str] | None = None) -> tuple[str, Counter[str]]:
    """:func:`redact`, then home folders in paths normalised to ``~`` (counted as ``home-path``)."""
    text, counts = redact(text, found)
    text, homes = normalize_home_paths(text)
    if homes:
        counts["home-path"] += homes
    return text, counts


def redact_message(text: str) -> str:
    """A message shown to people (a problem quoting a bad log line, an error): secrets replaced, and cut
    to one line of at most 300 characters."""
    text = redact(text)[0] if text else text
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return text if len(text) <= 300 else text[:299] + "…"


@lru_cache(maxsize=4096)
def redacted_key(key: str) -> str:
    """A dict key, redacted: keys repeat on every step (``command``, ``file_path``), so each is scanned
    once (a scan per key made ``ingest --json`` a quarter slower)."""
    return redact(key)[0]


def redact_tree(value: Any) -> Any:
    """:func:`redact` applied to every string in nested dicts, lists and tuples, keys too (a tool's
    argument may be named by a token); paths are left as they are: what ``ingest --json`` and ``--to
    atif`` print."""
    if isinstance(value, str):
        return redact(value)[0]
    if isinstance(value, dict):
        return {redacted_key(k) if isinstance(k, str) else k: redact_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_tree(v) for v in value]
    return value


def scrub_tree(value: Any) -> Any:
    """:func:`scrub` applied to every string in nested dicts, lists and tuples (keys are kept)."""
    if isinstance(value, str):
        return scrub(value)[0]
    if isinstance(value, dict):
        return {k: scrub_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(v) for v in value]
    return value


def secret_values(text: str) -> dict[str, str]:
    """value -> kind of every secret in ``text`` (for :class:`Echoes`: masked wherever else it occurs)."""
    found: dict[str, str] = {}
    for start, end, kind in secret_spans(text):
        note_secret(found, text[start:end], kind)
    return found


def scrub_document(value: Any, context: Any = None) -> Any:
    """:func:`scrub_tree`, and every value found as a secret in the text of ``context`` (default: the
    document itself) taken as a whole also removed from each field: a rule that needs its vendor's name
    nearby (a Twilio key) may see the name in one field (a redacted ``TWILIO_API_KEY=…``) and the value
    in another (a title quoting an error line), which a field-by-field scrub misses."""
    echoes = Echoes(secret_values("\n".join(strings(value if context is None else context))))
    return echoes.mask_tree(scrub_tree(value))


def note_secret(found: dict[str, str], value: str, kind: str) -> None:
    """Note a secret value to mask where it echoes: long enough, and not one a document makes up
    (``SUPERSECRET``, ``from-env``: a test's fixture, wiped from every line of code it appears in)."""
    if len(value) >= MIN_LENGTH and not looks_made_up(value):
        found.setdefault(value, kind)
