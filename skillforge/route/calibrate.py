"""Abstention calibration: when should route say "no skill fits"?

``skillforge eval route --save`` learns a library's threshold from labelled queries (answerable and
no-fit: the most no-fit abstentions that silence at most 5% of the answerable queries) and stores it in ``<library>/.skillforge/route.json`` (``{"threshold": x, "queries": n}``); the
router reads it from there, else uses ``rank.ABSTAIN`` (the default, set on the tuning parts of the
SWE-bench and public-skills evaluation sets, see docs/routing.md). A query abstains at threshold ``t``
when none of its candidates has a ``fit`` of ``t`` or more (its score on the task's own words plus a share of
a kind of work's bonus: ``rank.Match.fit``) and none is anchored to the task's repository, or
when its best skill misses the task's topic and scores under ``OFF_TOPIC_RATIO`` × ``t`` (never when a
kind of work that fits any topic raised that skill: ``intent.ANY_TOPIC``).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

from skillforge.route.topic import OFF_TOPIC_RATIO

CALIBRATION = Path(".skillforge") / "route.json"
LEARNT_RANGE = (0.05, 10.0)  # a saved threshold outside this is ignored (0 would never abstain)
MAX_ANSWERABLE_ABSTAINED = 0.05  # a learnt threshold never silences more answerable tasks than this


def top_score(matches: list[Any]) -> float:
    """The score that decides abstention at any threshold: infinite when a candidate is anchored, else
    the best ``fit`` (the score on the task's own words plus ``KIND_FIT`` of a kind of work's bonus),
    divided by ``OFF_TOPIC_RATIO`` when the best skill misses the task's topic (it must clear that many
    times the threshold: :mod:`skillforge.route.topic`)."""
    if any(m.anchored for m in matches):
        return float("inf")
    best = max((m.fit for m in matches), default=0.0)
    return best / OFF_TOPIC_RATIO if matches and matches[0].off_topic else best


def routed(matches: list[Any], t: float) -> list[str]:
    """The names route returns at threshold ``t`` from ``matches`` scored with abstention off."""
    if top_score(matches) < t:
        return []
    return [m.name for m in matches if m.score >= t or m.anchored]


def outcome(scored: list[list[Any]], queries: list[dict[str, Any]], t: float) -> dict[str, float]:
    """Abstention at threshold ``t``: rates over no-fit and answerable queries, precision and recall."""
    nofit = [top_score(ms) < t for ms, q in zip(scored, queries, strict=True) if not q["expected"]]
    answer = [top_score(ms) < t for ms, q in zip(scored, queries, strict=True) if q["expected"]]
    hits = sum(
        1
        for ms, q in zip(scored, queries, strict=True)
        if q["expected"] and top_score(ms) >= t and any(m.name in q["expected"] for m in ms[:3])
    )
    abstained = sum(nofit) + sum(answer)
    return {
        "threshold": t,
        "nofit_abstained": sum(nofit) / max(len(nofit), 1),
        "answerable_abstained": sum(answer) / max(len(answer), 1),
        "precision": sum(nofit) / abstained if abstained else 1.0,
        "recall": sum(nofit) / max(len(nofit), 1),
        "recall@3": hits / max(len(answer), 1),
    }


def learn_threshold(scored: list[list[Any]], queries: list[dict[str, Any]]) -> float:
    """The threshold that abstains on the most no-fit queries while abstaining on at most
    ``MAX_ANSWERABLE_ABSTAINED`` of the answerable ones (the middle of the best interval, so a slightly
    different score still lands on the same side). Without no-fit queries: the lowest such cut."""
    tops = sorted({s for s in (top_score(ms) for ms in scored) if s != float("inf")})
    if not tops:
        return 0.0
    cuts = [tops[0] / 2] + [(a + b) / 2 for a, b in pairwise(tops)] + [tops[-1] * 1.01]
    best, best_value = [cuts[0]], -1.0
    for t in cuts:
        o = outcome(scored, queries, t)
        if o["answerable_abstained"] > MAX_ANSWERABLE_ABSTAINED:
            continue
        value = o["nofit_abstained"]
        if value > best_value + 1e-9:
            best, best_value = [t], value
        elif abs(value - best_value) <= 1e-9:
            best.append(t)
    if not any(not q["expected"] for q in queries):
        return round(best[0], 4)
    return round(best[len(best) // 2], 4)


def calibration_table(
    scored: list[list[Any]], queries: list[dict[str, Any]], *, around: float, rows: int = 9
) -> list[dict[str, float]]:
    """Abstention precision/recall at thresholds from ``around``/4 to 4×``around`` (log-spaced)."""
    base = around if around > 0 else 0.1
    steps = [base * 4 ** ((i - rows // 2) / (rows // 2)) for i in range(rows)]
    return [outcome(scored, queries, round(t, 4)) for t in steps]


def load_threshold(library: Path) -> float | None:
    """The threshold saved for ``library`` by ``skillforge eval route --save`` (None when absent)."""
    try:
        data = json.loads((library / CALIBRATION).read_text(encoding="utf-8"))
        value = float(data["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    # the file is library content: a value outside a sane range is ignored, never trusted
    return value if LEARNT_RANGE[0] <= value <= LEARNT_RANGE[1] else None


def save_threshold(library: Path, threshold: float, queries: int) -> Path:
    path = library / CALIBRATION
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"threshold": threshold, "queries": queries}) + "\n", encoding="utf-8")
    return path
