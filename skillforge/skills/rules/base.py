"""What every validation rule shares: the :class:`Finding` it reports, the :class:`Rule` catalogue
(stable id, name, severity, fix text) and the :class:`SkillFile` it checks.

Rule ids are stable (scripts and CI filter on them): SF0xx files, SF1xx the spec and front matter,
SF2xx structure and links, SF3xx duplicates, SF4xx content and code blocks, SF5xx secrets, SF6xx
injected instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.model import Skill
from skillforge.safety.redact import redact


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "SF101"
    name: str  # "name-format"
    severity: str  # "error" | "warning"
    fix: str


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, severity: str, fix: str) -> Rule:
    """Declare a rule (once, at import time of its module)."""
    declared = Rule(id, name, severity, fix)
    RULES[id] = declared
    return declared


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (file, 1-based line), which rule, how bad, what and how to fix it."""

    file: str
    line: int
    rule: str
    severity: str
    message: str
    fix: str
    name: str = ""
    unsafe: bool = False  # a safety finding that quarantines a lesson whatever its severity

    @property
    def title(self) -> str:
        return f"{self.rule} {self.name}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }


def finding(
    r: Rule,
    file: str,
    line: int,
    message: str,
    severity: str | None = None,
    fix: str | None = None,
    unsafe: bool = False,
) -> Finding:
    """A finding of rule ``r``; its message and fix pass through redaction here, where every finding is
    made, so no rule can print a secret it quotes (validate's text, ``--json`` and ``--format github``)."""
    message, fix = redact(message)[0], redact(fix)[0] if fix else r.fix
    return Finding(file, max(line, 1), r.id, severity or r.severity, message, fix, r.name, unsafe)


def stored_finding(r: Rule, file: str, line: int, message: str, severity: str, unsafe: bool) -> Finding:
    """A finding of rule ``r`` rebuilt from the findings cache: its message was made by :func:`finding`
    (so redacted) before it was stored, and the rules stamp in every key means a change to redaction
    misses the cache. Skips redacting again, which the warm run would spend most of its time on."""
    return Finding(file, max(line, 1), r.id, severity, message, r.fix, r.name, unsafe)


@dataclass
class SkillFile:
    """A SKILL.md being validated: its raw text split up, the parsed front matter and the skill."""

    path: str  # shown in findings
    text: str
    folder: Path | None = None  # the skill folder on disk (None: a document not on disk)
    front: str = ""  # raw YAML between the '---' lines
    body: str = ""
    body_line: int = 1  # 1-based line of the body's first line
    data: dict[str, Any] | None = None  # the front matter as loaded, None when it cannot be loaded
    skill: Skill | None = None
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line
    files: list[str] | None = None  # the skill folder's files, listed once (see structure.files_of)
    body_links: list[tuple[int, str]] | None = None  # local links of the body, found once
    resolved: dict[str, Any] | None = None  # link target -> where it leads on disk (structure._resolved)
    virtual: dict[str, str] | None = None  # files of an in-memory skill not on disk: relative path -> text
    linked_texts: dict[str, list[str]] | None = None  # linked markdown files read (structure._read)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)
