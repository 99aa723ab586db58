"""Off-topic tasks: a task that names what it is about which the best skill does not.

A realistic task with no fitting skill often names its topic — a product, framework or API ("add
Sentry to our Flask app", "SwiftUI NavigationStack pops back…", "a BigQuery query for weekly active
users") — and shares only ordinary words with the skill that scores best, so its lexical score looks
like an answerable task's. Its *proper terms* (CamelCase, ALLCAPS, or capitalised inside a sentence)
are compared, as raw lowercase words (unstemmed, unsplit: ``BigQuery`` stays one word), with the best
skill's name and description: when the rarest term it holds is far more common in the library than
the rarest it misses (a term the library never uses counts as the rarest), the task is *off topic* for
that skill and must score ``OFF_TOPIC_RATIO`` times the threshold to be answered. The rule and its two
constants were chosen on the tuning parts of the evaluation sets and then run once on the held-out
parts (``benchmarks/route_qpp.py``, docs/routing.md), on a library of 609 public skills. It applies
to libraries of ``MIN_SKILLS`` or more: in a library of tens of skills nearly every specific term
(``CrashLoopBackOff``, ``ReDoS``) is one the library never uses, so missing it says nothing (the
59-skill routing set lost 5 of its answerable queries to the rule).
"""

from __future__ import annotations

import math
import re
from typing import Any

OFF_TOPIC_GAP = 4.0666  # IDF: the rarest missed proper term this much rarer than the rarest held one
OFF_TOPIC_RATIO = 1.8698  # an off-topic best skill is answered only at this many times the threshold
MIN_SKILLS = 200  # smaller libraries never use most specific terms: missing one is no evidence
MAX_TEXT = 4000  # characters of a task searched for proper terms
MAX_BODY = 20_000  # characters of a skill body counted in the library's word frequencies

WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
_PROPER = re.compile(
    r"(?<![\w./\-`$])([A-Z][a-z0-9]+[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]\w*(?:[.\-][A-Za-z]+)*)(?![\w/])"
)
_SENTENCE_START = re.compile(r"(^|[.!?:]\s+|\n\s*[-*#>\d.)]*\s*|\*\*|\"|'|\(|^\s*)$")


def proper_terms(text: str) -> list[str]:
    """The task's proper terms, lowercased, first occurrence first. A capitalised word counts only
    inside a sentence (not at the start of the text, a line or a sentence) unless it is CamelCase or
    ALLCAPS."""
    text = text[:MAX_TEXT]
    out = []
    for m in _PROPER.finditer(text):
        word = m.group(1)
        shaped = word.isupper() or any(c.isupper() for c in word[1:])
        if not shaped and _SENTENCE_START.search(text[max(0, m.start() - 6) : m.start()]):
            continue
        out.append(word.lower().rstrip("."))
    return list(dict.fromkeys(out))


def meta_words(name: str, description: str) -> set[str]:
    """A skill's raw words as an agent's skill list shows it: name and description."""
    return set(WORD.findall(f"{name.replace('-', ' ')} {description}".lower()))


def skill_words(name: str, description: str, body: str) -> list[str]:
    """A skill's distinct raw words (name, description and the start of its body), for the library's
    word frequencies."""
    return sorted(meta_words(name, description) | set(WORD.findall(body[:MAX_BODY].lower())))


def _holds(words: set[str], t: str) -> bool:
    return t in words or (t.endswith("s") and t[:-1] in words) or t + "s" in words


def _idf(df: dict[str, int], n: int, t: str) -> float:
    count = df.get(t, 0) + (df.get(t[:-1], 0) if t.endswith("s") else 0)
    return math.log(1 + (n - count + 0.5) / (count + 0.5))


def off_topic(index: Any, text: str, i: int) -> bool:
    """Whether ``text`` names a topic that skill ``i`` of ``index`` does not (see the module)."""
    if len(index.names) < MIN_SKILLS:
        return False
    terms = proper_terms(text)
    if not terms:
        return False
    df, n = index.word_df(), len(index.names)
    meta = meta_words(index.names[i], index.descriptions[i])
    held = max((_idf(df, n, t) for t in terms if _holds(meta, t)), default=0.0)
    missed = max((_idf(df, n, t) for t in terms if not _holds(meta, t)), default=0.0)
    return held - missed < -OFF_TOPIC_GAP
