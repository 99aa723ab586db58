"""Quarantined lessons: what distill kept out of ``skills/`` and why, for people to review.

``files(quarantined, run_id)`` renders ``.skillforge/quarantine/<key>.json`` for each
``(lesson, reason)`` (handed to the store as ``extra_files``, so they land on the run's review
branch); ``summary(quarantined)`` is the short list the report and the pull-request body show.
Everything written is redacted first (secrets become ``<redacted:KIND>``, home folders ``~``), the
lesson's whole text read as one (as the safety check that quarantined it did: a value recognised in one
field is removed from every field): a quarantined lesson is kept as evidence of an attack, never as a
way for a secret to reach a commit, the pull-request body or the console.
The lesson key is a content hash, so a file name can never leave the quarantine folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from skillforge.model import Lesson

QUARANTINE_DIR = ".skillforge/quarantine"
_KEY = re.compile(r"^[0-9a-f]{16}$")


def path_for(lesson: Lesson) -> str:
    key = lesson.key
    if not _KEY.match(key):  # content_id always matches; refuse anything else rather than write it
        raise ValueError(f"lesson key {key!r} is not a content hash")
    return f"{QUARANTINE_DIR}/{key}.json"


def record(lesson: Lesson, reason: str, run_id: str) -> dict[str, Any]:
    """The quarantine document of one lesson: run, reason, the lesson and its evidence pointers."""
    return _redacted(_document(lesson, reason, run_id), lesson, reason)


def _document(lesson: Lesson, reason: str, run_id: str) -> dict[str, Any]:
    return {
        "run": run_id,
        "reason": reason,
        "support": lesson.support,
        "lesson": lesson.to_dict(),
        "evidence": [
            {
                "trajectory_id": e.trajectory_id,
                "steps": list(e.steps),
                "source": e.source,
                "trust": e.trust.value,
            }
            for e in lesson.evidence
        ],
    }


def merged(quarantined: Sequence[tuple[Lesson, str]]) -> list[tuple[Lesson, str]]:
    """One entry per lesson key: the same lesson found in several trajectories is one quarantine file
    holding all of its evidence (the first reason is kept)."""
    by_key: dict[str, tuple[Lesson, str]] = {}
    for lesson, reason in quarantined:
        if lesson.key not in by_key:
            by_key[lesson.key] = (replace(lesson, evidence=list(lesson.evidence)), reason)
            continue
        kept = by_key[lesson.key][0]
        kept.evidence += [e for e in lesson.evidence if e not in kept.evidence]
    return list(by_key.values())


def files(quarantined: Sequence[tuple[Lesson, str]], run_id: str) -> dict[str, str]:
    """``{".skillforge/quarantine/<key>.json": json text}`` for the store's ``extra_files``."""
    out: dict[str, str] = {}
    for lesson, reason in merged(quarantined):
        doc = record(lesson, reason, run_id)
        out[path_for(lesson)] = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    return out


def summary(quarantined: Sequence[tuple[Lesson, str]]) -> list[dict[str, Any]]:
    """One small record per quarantined lesson (key, title, reason, support, file), redacted."""
    return [
        _redacted(
            {
                "key": lesson.key,
                "title": lesson.title,
                "reason": reason,
                "support": lesson.support,
                "file": path_for(lesson),
            },
            lesson,
            reason,
        )
        for lesson, reason in merged(quarantined)
    ]


def _redacted(value: Any, lesson: Lesson, reason: str) -> Any:
    """``value`` scrubbed, and every value found as a secret anywhere in the lesson's whole document
    removed from it too: the safety check that quarantined the lesson read its text as a whole (a
    Twilio key counts next to ``TWILIO_API_KEY`` in the body), a field-by-field scrub did not (the
    title quoting the bare key kept it)."""
    from skillforge.safety.redact import scrub_document

    return scrub_document(value, context=_document(lesson, reason, ""))
