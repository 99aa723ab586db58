"""Turn an LLM's lesson JSON into :class:`~skillforge.model.Lesson` objects, keeping only evidence
that checks out: every cited step must exist, and a quote must appear (whitespace-normalised,
case-insensitive) in the cited steps' text. A citation of missing steps is dropped; a quote that is
not in the steps is dropped and the lesson's confidence halved; a lesson left with no evidence is
dropped. A lesson whose own text (title, trigger, body) holds a secret is dropped too, before it is
cached, sent to the comparative analyst or gated: the transcripts are redacted, so the model wrote it.
What was dropped is counted (:func:`to_lessons`), for the report. Evidence.trust is the least trusted
of the cited steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skillforge.model import Evidence, Lesson, LessonKind, Level, Outcome, Scope, ScopeKind, Trust

TRUST_ORDER = list(Trust)  # most to least trusted, as the enum declares them


@dataclass(slots=True)
class StepRef:
    text: str
    trust: Trust
    source: str | None = None


@dataclass(slots=True)
class Origin:
    task: str
    outcome: Outcome


Lookup = Callable[[str, int], StepRef | None]


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def least_trusted(trusts: list[Trust]) -> Trust:
    return max(trusts, key=TRUST_ORDER.index) if trusts else Trust.AGENT


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def check_evidence(
    raw: dict[str, Any], lookup: Lookup, origins: dict[str, Origin]
) -> tuple[Evidence | None, bool]:
    """(evidence or None when dropped, whether its quote was verified)."""
    tid = str(raw.get("trajectory_id", ""))
    if tid not in origins:
        return None, False
    refs = [(i, lookup(tid, i)) for i in raw.get("steps", []) if isinstance(i, int)]
    found = [(i, r) for i, r in refs if r is not None]
    if not found:
        return None, False
    quote = str(raw.get("quote", "")).strip()
    verified = bool(quote) and norm(quote) in norm("\n".join(r.text for _, r in found))
    origin = origins[tid]
    ev = Evidence(
        trajectory_id=tid,
        steps=[i for i, _ in found],
        quote=quote if verified else "",
        source=found[0][1].source,
        outcome=origin.outcome,
        task=origin.task[:200],
        trust=least_trusted([r.trust for _, r in found]),
    )
    return ev, verified


def to_lessons(
    data: dict[str, Any], lookup: Lookup, origins: dict[str, Origin]
) -> tuple[list[Lesson], dict[str, int]]:
    """Checked lessons, and what was dropped: ``lessons`` left with no valid citation, ``quotes`` not
    found in the steps they cite (their lessons kept), ``secrets``: lessons whose text held one."""
    out: list[Lesson] = []
    dropped = {"lessons": 0, "quotes": 0, "secrets": 0}
    for item in data.get("lessons", []):
        if _holds_secret(item):
            dropped["secrets"] += 1
            continue
        evidence: list[Evidence] = []
        confidence = min(1.0, max(0.0, float(item.get("confidence", 0.5))))
        for raw in item.get("evidence", []):
            ev, verified = check_evidence(raw, lookup, origins)
            if ev is None:
                continue
            if not verified:
                confidence /= 2
                dropped["quotes"] += bool(str(raw.get("quote", "")).strip())
            evidence.append(ev)
        if not evidence:
            dropped["lessons"] += 1
            continue
        scope = item.get("scope") or {}
        out.append(
            Lesson(
                title=str(item["title"]).strip(),
                trigger=str(item["trigger"]).strip(),
                body=str(item["lesson"]).strip(),
                kind=LessonKind(item["kind"]),
                level=Level(item["level"]),
                scope=Scope(ScopeKind(scope.get("kind", "general")), str(scope.get("value", ""))),
                evidence=evidence,
                confidence=round(confidence, 3),
                signature=slug(str(item["title"])),
            )
        )
    return out, {k: n for k, n in dropped.items() if n}


def _holds_secret(item: dict[str, Any]) -> bool:
    """Whether the model's lesson text holds something the redaction rules recognise as a secret."""
    from skillforge.safety.redact import find_secrets

    text = "\n".join(str(item.get(k, "")) for k in ("title", "trigger", "lesson"))
    return bool(find_secrets(text))
