"""Tokenising for route: the same function builds the index and reads the query.

Lower-case word pieces (identifiers split on ``_``, ``-``, ``.``, ``/`` and camelCase), English
stop words dropped, and a light suffix stripper so "migrations" meets "migration" and "failing" meets
"fail". Pure Python and cheap to import: it runs in the cold ``skillforge route`` path.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")

STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "else",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "like",
        "make",
        "me",
        "more",
        "most",
        "my",
        "need",
        "needs",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "use",
        "used",
        "using",
        "very",
        "via",
        "want",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "let",
        "lets",
        "new",
        "one",
        "two",
        "way",
        "thing",
        "things",
        "something",
    ]
)

_SUFFIXES = (
    "ations",
    "ation",
    "ating",
    "ated",
    "ates",
    "ate",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "es",
    "ed",
    "ly",
    "s",
    "e",
)


def stem(word: str) -> str:
    """A conservative suffix stripper (no dictionary): enough to join plural and verb forms."""
    if len(word) <= 4:
        return word[:-1] if len(word) == 4 and word.endswith("s") and not word.endswith("ss") else word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses", "zes")):
                base = word[:-1]
            if suffix in ("ing", "ed", "er", "ers", "ings") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]  # running -> run, mapped -> map
            return base
    return word


_SEEN: dict[str, str] = {}  # raw word -> token ("" = dropped); words repeat, stemming is the cost
_SEEN_MAX = 200_000


def tokenize(text: str) -> list[str]:
    """Index/query tokens of ``text``, in order, with repeats (BM25 counts them)."""
    raw = _WORD.findall(text)
    mapped = list(map(_SEEN.get, raw))  # known words: one C-level pass
    if None in mapped:
        for i, token in enumerate(mapped):
            if token is None:
                mapped[i] = _learn(raw[i])
    return list(filter(None, mapped))


def _learn(raw: str) -> str:
    word = raw.lower()
    token = "" if len(word) < 2 or word in STOP else stem(word)
    if len(_SEEN) < _SEEN_MAX:
        _SEEN[raw] = token
    return token
