"""The query model: what a task's text asks for, whatever its length or shape.

A one-line request, a pasted GitHub issue, a stack trace and a prompt with attached files all become
one bag of weighted terms: each term's weight is ``1 + ln(tf)`` (repeats count, but saturate).
Identifiers in code spans, fenced blocks and tracebacks are split into their words by the tokeniser
and weigh like prose: boosting them (x1.5, x2) lost Recall@1 on the realistic tuning prompts (pasted
logs and tracebacks carry many paths and names that no skill is about), see docs/routing.md;
:func:`strong_text` still finds them for the repository signal. Scores are normalised by the mass of the query's ``REF_TERMS`` most informative terms only
(see :func:`reference_mass`), so a long prompt is not penalised for being long.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from skillforge.route.intent import kinds_of_work
from skillforge.text import tokenize

REF_TERMS = 6  # scores are relative to what matching this many of the query's best terms would give
MAX_TERMS = 128  # query terms kept (the most informative by weight × IDF), so huge pastes stay cheap

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_SPAN = re.compile(r"`([^`\n]{1,200})`")
_TRACE = re.compile(r'^\s*File "([^"]+)", line \d+(?:, in (\w+))?', re.M)
_EXCEPTION = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Warning))\b")
_DOTTED = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+\b")
_CAMEL = re.compile(r"\b[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


@dataclass(slots=True)
class Query:
    """The weighted terms of a task, in first-seen order."""

    weights: dict[str, float]  # term -> weight used for scoring
    # the kinds of work the task asks for (route.intent): each kind's name and words, with their weights
    kinds: list[tuple[str, dict[str, float]]] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return list(self.weights)


def strong_text(text: str) -> str:
    """The identifier-bearing parts of ``text``: code spans and blocks, traceback frames, exceptions,
    dotted paths, CamelCase and snake_case names."""
    parts: list[str] = [block for block in _FENCE.findall(text)]
    parts += _SPAN.findall(text)
    for path, func in _TRACE.findall(text):
        parts += [path, func]
    for pattern in (_EXCEPTION, _DOTTED, _CAMEL, _SNAKE):
        parts += pattern.findall(text)
    return "\n".join(parts)


def parse(text: str) -> Query:
    """The weighted query terms of ``text``."""
    counts = Counter(tokenize(text))
    weights = {t: 1.0 + math.log(n) for t, n in counts.items()}
    return Query(weights, kinds_of_work(text))


def keep_informative(query: Query, idf: dict[str, float], default_idf: float) -> Query:
    """At most ``MAX_TERMS`` terms: the highest weight × IDF (unknown terms weigh ``default_idf``)."""
    if len(query.weights) <= MAX_TERMS:
        return query
    ranked = sorted(query.weights, key=lambda t: -query.weights[t] * idf.get(t, default_idf))[:MAX_TERMS]
    keep = set(ranked)
    return Query({t: w for t, w in query.weights.items() if t in keep}, query.kinds)


def reference_mass(query: Query, idf_of: dict[str, float], unknown_idf: float) -> float:
    """What a document holding the query's ``REF_TERMS`` most informative terms once would score
    (each term counted once: a word repeated in boilerplate does not raise the bar).

    Terms missing from the index count at ``unknown_idf`` (the most an IDF can be), so a short query
    of unknown words stays low, while a long prompt's reference stops growing after ``REF_TERMS``
    terms: its score rises with the evidence found, not falls with its length."""
    masses = sorted((idf_of.get(t, unknown_idf) for t in query.weights), reverse=True)
    return sum(masses[:REF_TERMS]) or 1.0
