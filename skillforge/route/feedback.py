"""Skill utility from feedback, and the log of what route matched.

Each skill's utility is a running estimate ``Q ← Q + α(r − Q)`` (as in MemRL) of the reward ``r`` (1 for
a successful session that used the skill, 0 for a failed one), stored in
``<library>/.skillforge/utility.json`` as ``{"skills": {name: {"q", "uses", "successes", "failures",
"updated"}}}``. Feedback comes from ``skillforge feedback SKILL --outcome …`` or from ingested sessions
whose ``Trajectory.skills_used`` and outcome are known. Route appends the names it returned to
``config.home()/route-matches.jsonl`` so that "never matched" is measurable for ``prune``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge import config
from skillforge.errors import SkillforgeError

ALPHA = 0.3
PRIOR = 0.5
UTILITY = Path(".skillforge") / "utility.json"
MATCH_LOG = "route-matches.jsonl"
MAX_MATCH_LOG = 5 * 2**20  # bytes; the oldest half is dropped beyond this


def load_utility(library: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((library / UTILITY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    skills = data.get("skills") if isinstance(data, dict) else None
    return {str(k): v for k, v in skills.items() if isinstance(v, dict)} if isinstance(skills, dict) else {}


def utility_prior(library: Path) -> dict[str, float]:
    """name -> Q for skills that have feedback (route's utility prior)."""
    out: dict[str, float] = {}
    for name, entry in load_utility(library).items():
        try:
            if int(entry.get("uses", 0)) > 0:
                out[name] = min(1.0, max(0.0, float(entry.get("q", PRIOR))))
        except (TypeError, ValueError):
            continue
    return out


@dataclass(slots=True)
class FeedbackReport:
    updated: dict[str, float] = field(default_factory=dict)  # name -> new Q
    sessions: int = 0  # sessions that contributed
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "updated": {k: round(v, 4) for k, v in self.updated.items()},
            "sessions": self.sessions,
            "skipped": self.skipped,
        }


def record(
    library: Path,
    events: Iterable[tuple[str, bool]],
    *,
    alpha: float = ALPHA,
    known: set[str] | None = None,
    report: FeedbackReport | None = None,
) -> FeedbackReport:
    """Apply (skill, success) events to the utility file (one atomic write)."""
    from skillforge.fsutil import atomic_write

    report = report or FeedbackReport()
    skills = load_utility(library)
    for name, success in events:
        if known is not None and name not in known:
            report.skip("skill not in library")
            continue
        entry = skills.setdefault(name, {"q": PRIOR, "uses": 0, "successes": 0, "failures": 0})
        reward = 1.0 if success else 0.0
        q = float(entry.get("q", PRIOR))
        entry["q"] = round(q + alpha * (reward - q), 6)
        entry["uses"] = int(entry.get("uses", 0)) + 1
        key = "successes" if success else "failures"
        entry[key] = int(entry.get(key, 0)) + 1
        entry["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        report.updated[name] = entry["q"]
    if report.updated:
        path = library / UTILITY
        try:
            atomic_write(path, json.dumps({"skills": skills}, indent=2, sort_keys=True) + "\n")
        except OSError as exc:  # a read-only library: say where, never a traceback
            raise SkillforgeError(
                f"cannot write {path}: {exc.strerror or exc}", "give feedback on a library you may write to"
            ) from None
    return report


def events_from_logs(paths: list[str], labels: list[str], report: FeedbackReport) -> list[tuple[str, bool]]:
    """(skill, success) for every ingested session that used skills and has a known outcome."""
    from skillforge.ingest import IngestReport, read
    from skillforge.ingest.labels import load_labels
    from skillforge.model import Outcome

    label_map, source = load_labels(labels)
    events: list[tuple[str, bool]] = []
    for traj in read(paths, IngestReport(), labels=label_map, labels_source=source, exclude=label_map.files):
        if not traj.skills_used:
            report.skip("session used no skill")
            continue
        if traj.outcome is Outcome.UNKNOWN:
            report.skip("outcome unknown")
            continue
        report.sessions += 1
        for name in dict.fromkeys(traj.skills_used):
            events.append((name.split(":")[-1], traj.outcome is Outcome.SUCCESS))
    return events


def log_matches(library: Path, query_id: str, names: list[str]) -> None:
    """Append one route call's matches to the match log (best effort, never raises)."""
    try:
        path = config.home() / MATCH_LOG
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"t": int(time.time()), "library": str(library.resolve()), "q": query_id, "skills": names}
        )
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        if path.stat().st_size > MAX_MATCH_LOG:
            _trim(path)
    except OSError:
        pass


def _trim(path: Path) -> None:
    from skillforge.fsutil import atomic_write

    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    atomic_write(path, "".join(lines[len(lines) // 2 :]))


def match_counts(library: Path) -> tuple[dict[str, int], int]:
    """(name -> times matched, route calls logged) for ``library``, from the match log."""
    counts: dict[str, int] = {}
    calls = 0
    lib = str(library.resolve())
    try:
        text = (config.home() / MATCH_LOG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return counts, 0
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict) or rec.get("library") != lib:
            continue
        calls += 1
        for name in rec.get("skills", []):
            counts[str(name)] = counts.get(str(name), 0) + 1
    return counts, calls
