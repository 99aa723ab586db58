"""Secret redaction: the one pass applied before any LLM call, file write or commit.

``redact(text)`` returns the text with every secret replaced by a typed placeholder
(``<redacted:aws-access-key>``) and a count per kind. (Minimal rule set; the safety issue extends it.)
"""

from __future__ import annotations

import re
from collections import Counter

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("private-key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("anthropic-key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
]


def redact(text: str) -> tuple[str, Counter[str]]:
    counts: Counter[str] = Counter()
    for kind, pattern in _RULES:
        text, n = pattern.subn(f"<redacted:{kind}>", text)
        if n:
            counts[kind] += n
    return text, counts


def redact_trajectory(traj: object) -> Counter[str]:
    """Redact every step's text and input in place (before any LLM call, file write or commit)."""
    from skillforge.model import Trajectory

    assert isinstance(traj, Trajectory)
    total: Counter[str] = Counter()
    traj.task, counts = redact(traj.task)
    total.update(counts)
    for step in traj.steps:
        step.text, counts = redact(step.text)
        total.update(counts)
        if step.input is not None:
            import orjson

            raw = step.input if isinstance(step.input, str) else orjson.dumps(step.input).decode()
            cleaned, counts = redact(raw)
            if counts:
                total.update(counts)
                step.input = cleaned if isinstance(step.input, str) else orjson.loads(cleaned)
    return total
