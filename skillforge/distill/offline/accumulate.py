"""Building blocks of the streaming reduce: per-group counters and a bounded evidence sample, all
independent of the order in which runs arrive and mergeable (runs of ``ledgerkit`` and
``acme/ledgerkit`` are counted apart and merged once every run has been seen).

* :class:`Runs` counts distinct runs and their outcomes (``seen in 7 runs, 5 resolved``);
* :class:`Sample` keeps the cited items of the ``k`` smallest trajectory ids only, so a lesson seen in
  10,000 runs cites 20 of them while its text and ``Lesson.runs`` give the true counts;
* :func:`combine` merges two accumulators field by field (sums, counter and sample merges);
* :func:`regroup` maps groups keyed by a raw scope onto the final scopes.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from skillforge.model import Evidence, Lesson, Outcome, Scope

K = 20  # evidence kept per lesson (the smallest trajectory ids)
Facts = dict[str, Any]
G = TypeVar("G")
KT = TypeVar("KT")
VT = TypeVar("VT")


def entry(d: dict[KT, VT], key: KT, make: Callable[[], VT]) -> VT:
    """``d[key]``, made on first use (``setdefault`` would build a new default on every call)."""
    found = d.get(key)
    if found is None:
        found = d[key] = make()
    return found


def brief(f: Facts) -> Facts:
    """What evidence needs of a run's facts (not its mined items)."""
    return {"id": f["id"], "outcome": f["outcome"], "task": f.get("task", "")}


def lessons_of(acc: Any, all_facts: list[Facts]) -> list[Lesson]:
    """Feed every run's facts to a miner's accumulator (``errors.Acc()``…) and return its lessons,
    scopes unchanged: the one-shot form of the streaming reduce, for tests and small inputs."""
    for f in all_facts:
        acc.add(f, brief(f))
    result: list[Lesson] = acc.lessons(lambda s: s)
    return result


@dataclasses.dataclass
class Runs:
    """Distinct runs and how many of them resolved / had a known outcome."""

    n: int = 0
    wins: int = 0
    known: int = 0

    def add(self, outcome: str) -> None:
        self.n += 1
        self.wins += outcome == Outcome.SUCCESS.value
        self.known += outcome != Outcome.UNKNOWN.value

    def merge(self, other: Runs) -> None:
        self.n, self.wins, self.known = self.n + other.n, self.wins + other.wins, self.known + other.known

    def phrase(self) -> str:
        """'seen in 7 runs, 5 resolved' (outcome counts only where outcomes are known)."""
        text = f"seen in {self.n} run{'s' if self.n != 1 else ''}"
        return f"{text}, {self.wins} resolved" if self.known else text


class Sample:
    """The cited items of the ``k`` smallest trajectory ids seen (every item of each kept id)."""

    __slots__ = ("ids", "items", "k")

    def __init__(self, k: int = K) -> None:
        self.k = k
        self.ids: list[str] = []  # sorted
        self.items: dict[str, tuple[Facts, list[Any]]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, meta: Facts, item: Any) -> None:
        tid = meta["id"]
        if tid in self.items:
            self.items[tid][1].append(item)
            return
        if len(self.ids) >= self.k and tid > self.ids[-1]:
            return
        bisect.insort(self.ids, tid)
        self.items[tid] = (meta, [item])
        if len(self.ids) > self.k:
            del self.items[self.ids.pop()]

    def merge(self, other: Sample) -> None:
        for tid in other.ids:
            meta, items = other.items[tid]
            for item in items:
                self.add(meta, item)

    def pairs(self) -> list[tuple[Facts, Any]]:
        """(run, item) by trajectory id, a run's items by their steps when they have any."""
        out = [(self.items[tid][0], it) for tid in self.ids for it in self.items[tid][1]]
        return sorted(out, key=lambda p: (p[0]["id"], p[1]["steps"] if isinstance(p[1], dict) else []))

    def first(self) -> tuple[Facts, Any]:
        return self.pairs()[0]


def runs_if_sampled(n: int, sample: Sample) -> int:
    """``Lesson.runs``: the true number of supporting runs when the evidence is a sample, else 0."""
    return n if n > len(sample) else 0


def evidence_of(sample: Sample, cite: Callable[[Facts, Any], Evidence]) -> list[Evidence]:
    return [cite(meta, item) for meta, item in sample.pairs()]


def combine(into: Any, other: Any) -> Any:
    """``into`` with ``other`` merged in (numbers add, counters and samples merge, dicts recurse)."""
    if isinstance(into, int):
        return into + other
    if isinstance(into, Counter):
        into.update(other)
        return into
    if isinstance(into, Runs | Sample):
        into.merge(other)
        return into
    if isinstance(into, dict):
        for key, value in other.items():
            into[key] = combine(into[key], value) if key in into else copy.deepcopy(value)
        return into
    if not dataclasses.is_dataclass(into) or isinstance(into, type):
        raise TypeError(f"cannot combine {type(into).__name__}")
    for f in dataclasses.fields(into):
        setattr(into, f.name, combine(getattr(into, f.name), getattr(other, f.name)))
    return into


def regroup(groups: dict[tuple[Any, ...], G], resolve: Callable[[Scope], Scope]) -> dict[tuple[Any, ...], G]:
    """Groups keyed by ``(raw scope, …)`` merged under ``(final scope, …)``; ``groups`` is left as it is."""
    out: dict[tuple[Any, ...], G] = {}
    for key, group in groups.items():
        new = (resolve(key[0]), *key[1:])
        out[new] = combine(out[new], group) if new in out else copy.deepcopy(group)
    return out


def top(counts: Counter[str]) -> str:
    """The entry with the highest count (shorter, then alphabetical, on ties); '' when empty."""
    return ranked(counts)[0][0] if counts else ""


def ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
