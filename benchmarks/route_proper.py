"""Proper-name topic signals for route_qpp.py: does the top skill know what the task is about?

A realistic no-fit prompt often names its topic ("add Sentry to our Flask app", "Rails: rename a
column", "SwiftUI NavigationStack …"): a product, framework or API the library has no skill for. These
signals take the query's *proper terms* and each skill's raw words exactly as the router does
(:mod:`skillforge.route.topic`: unstemmed, unsplit, ``BigQuery`` stays one word; a skill's joined
words count with their parts) and compare them:

  P frac        share of the query's proper terms the top skill holds (meta: in name + description)
  P best        whether the top skill holds the query's rarest proper term (rarest in the library)
  P hm          highest IDF of a proper term the top skill holds minus the highest it misses (a term the
                library never uses counts at the highest IDF)

each over all proper terms (``all``) or only those the library uses somewhere (``known``). A query with
no proper term, or over a library smaller than the router's ``MIN_SKILLS``, gets the neutral value (1,
or 10 for ``hm``). ``P hm all meta`` is what the router's off-topic rule computes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NEUTRAL = {"hm": 10.0}


class RawWords:
    """Each skill's raw words (name + description; and with the body) and the library's df of them."""

    def __init__(self, index: Any) -> None:
        from skillforge.route.skillfile import read
        from skillforge.route.topic import meta_words, skill_words

        self.meta: list[set[str]] = []
        self.words: list[set[str]] = []
        self.df: dict[str, int] = {}
        for name, desc, path in zip(index.names, index.descriptions, index.paths, strict=True):
            try:
                body = read(Path(path).parent).body
            except Exception:
                body = ""
            self.meta.append(meta_words(name, desc))
            self.words.append(set(skill_words(name, desc, body)))
            for word in self.words[-1]:
                self.df[word] = self.df.get(word, 0) + 1
        self.n = len(self.words)

    def known(self, t: str) -> bool:
        return bool(self.df.get(t) or (t.endswith("s") and self.df.get(t[:-1])))

    def idf(self, t: str) -> float:
        from skillforge.route.topic import idf

        return idf(self.df, self.n, t)


def proper_signals(raw: RawWords, query: str, top: int) -> dict[str, float]:
    """The P signals of one query whose best skill is at position ``top`` of the index."""
    from skillforge.route.topic import MIN_SKILLS, holds, proper_terms

    terms = proper_terms(query) if raw.n >= MIN_SKILLS else []  # the router leaves small libraries alone
    sig: dict[str, float] = {}
    for label, pool in (("all", terms), ("known", [t for t in terms if raw.known(t)])):
        for where, words in (("any", raw.words[top]), ("meta", raw.meta[top])):
            key = f"{label} {where}"
            if not pool:
                sig[f"P frac {key}"] = sig[f"P best {key}"] = 1.0
                sig[f"P hm {key}"] = NEUTRAL["hm"]
                continue
            hit = [t for t in pool if holds(words, t)]
            sig[f"P frac {key}"] = len(hit) / len(pool)
            sig[f"P best {key}"] = float(holds(words, max(pool, key=raw.idf)))
            best_hit = max((raw.idf(t) for t in hit), default=0.0)
            sig[f"P hm {key}"] = best_hit - max((raw.idf(t) for t in pool if t not in hit), default=0.0)
    return sig
