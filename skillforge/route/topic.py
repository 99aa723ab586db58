"""Off-topic tasks: a task that names what it is about which the best skill does not.

A realistic task with no fitting skill often names its topic — a product, framework or API ("add
Sentry to our Flask app", "SwiftUI NavigationStack pops back…", "a BigQuery query for weekly active
users") — and shares only ordinary words with the skill that scores best, so its lexical score looks
like an answerable task's. Its *proper terms* (CamelCase, ALLCAPS, or capitalised inside a sentence)
are compared, as raw lowercase words (unstemmed, unsplit: ``BigQuery`` stays one word), with the best
skill's name and description: when the rarest term it holds is far more common in the library than
the rarest it misses (a term the library never uses counts as the rarest), the task is *off topic* for
that skill and must score ``OFF_TOPIC_RATIO`` times the threshold to be answered (unless a kind of work
that fits any topic raised it, ``intent.ANY_TOPIC``: a Godot bug is debugged like any other). The rule and its two
constants were chosen on the tuning parts of the evaluation sets and then run once on the held-out
parts (``benchmarks/route_qpp.py``, docs/routing.md), on a library of 609 public skills. It applies
to libraries of ``MIN_SKILLS`` or more: in a library of tens of skills nearly every specific term
(``CrashLoopBackOff``, ``ReDoS``) is one the library never uses, so missing it says nothing (the
59-skill routing set lost 5 of its answerable queries to the rule).
"""

from __future__ import annotations

import re
from typing import Any

from skillforge.route.index import bm25_idf

OFF_TOPIC_GAP = 4.0666  # IDF: the rarest missed proper term this much rarer than the rarest held one
OFF_TOPIC_RATIO = 1.8698  # an off-topic best skill is answered only at this many times the threshold
MIN_SKILLS = 200  # smaller libraries never use most specific terms: missing one is no evidence
MAX_TEXT = 4000  # characters of a task searched for proper terms
MAX_BODY = 20_000  # characters of a skill body counted in the library's word frequencies

# a word: letters, digits, + and #, joined by "_", "." or "-" ("cuda_visible_devices", "asp.net",
# "gpt-4"); a skill also counts the parts of its joined words, so "redos-prone" holds "redos"
WORD = re.compile(r"[a-z0-9][a-z0-9+#_]*(?:[.\-][a-z0-9+#_]+)*")
_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#_]*(?:[.\-][A-Za-z0-9+#_]+)*")
_PARTS = re.compile(r"[._\-]")
_SENTENCE_START = re.compile(r"(^|[.!?:]\s+|\n\s*[-*#>\d.)]*\s*|\*\*|\"|'|\(|^\s*)$")
_BEFORE = frozenset("./-`$@\\{%")  # a word right after these is part of a path, flag, address or code
_AFTER = frozenset("/@\\%")  # a word right before these is part of a path, an address or a variable
_FILE = re.compile(  # a file name is part of a path, not a topic (".js" and ".net" names are products)
    r"\.(py|pyi|md|rst|txt|tsx|ts|jsx|json|ya?ml|toml|ini|cfg|lock|java|kt|go|rs|rb|cs|cpp|cc|hpp|h|c|sh"
    r"|sql|html|css|xml|csv|log)$"
)
_COMMON = frozenset(  # capitalised, but never what a task is about
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


def proper_terms(text: str) -> list[str]:
    """The task's proper terms, lowercased, first occurrence first: words that start with a capital
    and go on with a letter, CamelCase or ALLCAPS anywhere ("SwiftUI", "GPT-4", "CUDA_VISIBLE_DEVICES"),
    merely capitalised ("Sentry") only inside a sentence. A word inside a path or code
    (``src/App.tsx``, ``$HOME``, ``C:\\Users``, an e-mail address), a file name (``Config.py``), a day or month,
    and a word the text's 4,000-character cut runs through do not count; a lowercase suffix is dropped
    (``Python-based`` is ``python``)."""
    cut = len(text) > MAX_TEXT
    text = text[:MAX_TEXT]
    out = []
    for m in _TERM.finditer(text):
        word, at, end = m.group(), m.start(), m.end()
        if not ("A" <= word[0] <= "Z") or len(word) < 2 or not word[1].isalpha():
            continue
        if (
            (at and (text[at - 1] in _BEFORE or text[at - 1].isalnum()))
            or (end < len(text) and (text[end] in _AFTER or text[end].isalnum()))
            or (cut and end == len(text))
        ):
            continue
        if _FILE.search(word):  # a file name: part of a path
            continue
        word = head(word)
        shaped = any(c.isupper() for c in word[1:])
        if not shaped and _SENTENCE_START.search(text[max(0, at - 6) : at]):
            continue
        if word.lower() not in _COMMON:
            out.append(word.lower())
    return list(dict.fromkeys(out))


def head(word: str) -> str:
    """``word`` without a trailing run of lowercase "-suffix" pieces ("Next.js-based" -> "Next.js")."""
    pieces = word.split("-")
    keep = len(pieces)
    while keep > 1 and pieces[keep - 1].isalpha() and pieces[keep - 1].islower():
        keep -= 1
    return word if keep == len(pieces) else "-".join(pieces[:keep])


def words_of(text: str) -> set[str]:
    """The raw words of ``text`` (lowercased), each joined word with its parts."""
    found = set(WORD.findall(text.lower()))
    for word in [w for w in found if not w.isalnum()]:  # joined by "_", "." or "-" (or with + or #)
        found.update(p for p in _PARTS.split(word) if p)
        found.add(head(word))  # "next.js-based" holds "next.js", as the task's "Next.js-based" is read
    return found


def _listed(name: str, description: str) -> str:
    """A skill as an agent's skill list shows it: name and description."""
    return f"{name.replace('-', ' ')} {description}"


def meta_words(name: str, description: str) -> set[str]:
    """A skill's raw words as an agent's skill list shows it: name and description."""
    return words_of(_listed(name, description))


def skill_words(name: str, description: str, body: str) -> list[str]:
    """A skill's distinct raw words (name, description and the start of its body), for the library's
    word frequencies."""
    return sorted(words_of(f"{_listed(name, description)} {body[:MAX_BODY]}"))


def holds(words: set[str], t: str) -> bool:
    return t in words or (t.endswith("s") and t[:-1] in words) or t + "s" in words


def idf(df: dict[str, int], n: int, t: str) -> float:
    return bm25_idf(df.get(t, 0) + (df.get(t[:-1], 0) if t.endswith("s") else 0), n)


def off_topic(index: Any, text: str, i: int) -> bool:
    """Whether ``text`` names a topic that skill ``i`` of ``index`` does not (see the module). Never
    when the library's word frequencies cannot be read: every term would look unknown."""
    if len(index.names) < MIN_SKILLS:
        return False
    terms = proper_terms(text)
    if not terms:
        return False
    df, n = index.word_df(), len(index.names)
    if df is None:
        return False
    meta = meta_words(index.names[i], index.descriptions[i])
    held = max((idf(df, n, t) for t in terms if holds(meta, t)), default=0.0)
    missed = max((idf(df, n, t) for t in terms if not holds(meta, t)), default=0.0)
    return held - missed < -OFF_TOPIC_GAP
