"""Proper-name topic signals for route_qpp.py: does the top skill know what the task is about?

A realistic no-fit prompt often names its topic ("add Sentry to our Flask app", "Rails: rename a
column", "SwiftUI NavigationStack …"): a product, framework or API the library has no skill for. These
signals take the query's *proper terms* (CamelCase, ALLCAPS, or capitalised words that do not start a
sentence or line) as raw lowercase words, and compare them with each skill's raw words (name +
description, and + the first 20,000 characters of the body), unstemmed and unsplit, so that
``BigQuery`` stays one word:

  P frac        share of the query's proper terms the top skill holds (meta: in name + description)
  P best        whether the top skill holds the query's rarest proper term (rarest in the library)
  P hm          highest IDF of a proper term the top skill holds minus the highest it misses (a term the
                library never uses counts at the highest IDF)

each over all proper terms (``all``) or only those the library uses somewhere (``known``). A query with
no proper term gets the neutral value (1, or 10 for ``hm``). Used by route_qpp.py only (an experiment,
not the router).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
PROPER = re.compile(
    r"(?<![\w./\-`$])([A-Z][a-z0-9]+[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]\w*(?:[.\-][A-Za-z]+)*)(?![\w/])"
)
SENTENCE_START = re.compile(r"(^|[.!?:]\s+|\n\s*[-*#>\d.)]*\s*|\*\*|\"|'|\(|^\s*)$")
NEUTRAL = {"hm": 10.0}


def proper_terms(text: str) -> list[str]:
    """The query's proper terms, lowercased, in order, without repeats (first 4,000 characters)."""
    text = text[:4000]
    out = []
    for m in PROPER.finditer(text):
        word = m.group(1)
        shaped = word.isupper() or any(c.isupper() for c in word[1:])
        if not shaped and SENTENCE_START.search(text[max(0, m.start() - 6) : m.start()]):
            continue
        out.append(word.lower().rstrip("."))
    return list(dict.fromkeys(out))


class RawWords:
    """Each skill's raw lowercase words (name + description; and with the body) and their df."""

    def __init__(self, index: Any) -> None:
        from skillforge.route.skillfile import read

        self.meta: list[set[str]] = []
        self.words: list[set[str]] = []
        for name, desc, path in zip(index.names, index.descriptions, index.paths, strict=True):
            try:
                body = read(Path(path).parent).body[:20000]
            except Exception:
                body = ""
            meta = set(WORD.findall(f"{name.replace('-', ' ')} {desc}".lower()))
            self.meta.append(meta)
            self.words.append(meta | set(WORD.findall(body.lower())))
        self.df: Counter[str] = Counter()
        for words in self.words:
            self.df.update(words)
        self.n = len(self.words)

    def holds(self, words: set[str], t: str) -> bool:
        return t in words or (t.endswith("s") and t[:-1] in words) or t + "s" in words

    def known(self, t: str) -> bool:
        return bool(self.df.get(t) or (t.endswith("s") and self.df.get(t[:-1])))

    def idf(self, t: str) -> float:
        df = self.df.get(t, 0) + (self.df.get(t[:-1], 0) if t.endswith("s") else 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def proper_signals(raw: RawWords, query: str, top: int) -> dict[str, float]:
    """The P signals of one query whose best skill is at position ``top`` of the index."""
    terms = proper_terms(query)
    sig: dict[str, float] = {}
    for label, pool in (("all", terms), ("known", [t for t in terms if raw.known(t)])):
        for where, words in (("any", raw.words[top]), ("meta", raw.meta[top])):
            key = f"{label} {where}"
            if not pool:
                sig[f"P frac {key}"] = sig[f"P best {key}"] = 1.0
                sig[f"P hm {key}"] = NEUTRAL["hm"]
                continue
            hit = [t for t in pool if raw.holds(words, t)]
            sig[f"P frac {key}"] = len(hit) / len(pool)
            sig[f"P best {key}"] = float(raw.holds(words, max(pool, key=raw.idf)))
            best_hit = max((raw.idf(t) for t in hit), default=0.0)
            sig[f"P hm {key}"] = best_hit - max((raw.idf(t) for t in pool if t not in hit), default=0.0)
    return sig
