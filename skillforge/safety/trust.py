"""The trust and consensus policy: may a mined lesson reach a skill?

``assess(lesson, min_support)`` returns a :class:`Verdict`:

* **quarantine** when the lesson is poisoned or rests on untrusted text:
  - its own text (title, trigger, body) or the text it would carry into ``references/evidence.md``
    (evidence quotes and tasks) fails the safety checks: injected instructions, secrets, piping a
    download into a shell (the ``check_text`` the caller passes, distill the skill validator's, else
    :mod:`skillforge.safety.injection` and :mod:`skillforge.safety.redact`);
  - it copies instructions from tool output: a long verbatim run of words shared by the lesson and
    a cited tool-output/injected quote that reads as an instruction or carries injection findings;
  - it recommends a URL or host that its agent copied from tool output or task text (provenance,
    :mod:`skillforge.safety.provenance`), whatever its support;
  - every piece of evidence rests only on tool output or injected meta text (files, web pages,
    command output, system prompts) and the lesson has the support to be kept otherwise;
* **drop** when fewer than ``min_support`` distinct trajectories support it and no outcome verifies
  it (consensus, after A-MemGuard); a verified lesson needs one trajectory whose SUCCESS comes from a
  labelled source (``labelled(trajectory_id)`` says which outcomes came from label files or tests);
* **keep** otherwise.

Poisoned text is quarantined whatever its support (so an attack shows up for review); an untrusted
but harmless lesson below the support bar is simply dropped. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from skillforge.model import Evidence, Lesson, Outcome, Trust
from skillforge.safety.provenance import copied_in
from skillforge.text import words as _words

UNTRUSTED = frozenset({Trust.TOOL_OUTPUT, Trust.INJECTED})
COPY_WORDS = 8  # a shared run of this many words counts as copying
KEEP: Final = "keep"
QUARANTINE: Final = "quarantine"
DROP: Final = "drop"

TextCheck = Callable[[str], Sequence[Any]]
StepTrust = Callable[[str, Sequence[int]], "set[Trust] | None"]
Labelled = Callable[[str], bool]

_IMPERATIVE = re.compile(  # a verb at the start of a clause: an instruction, not a description
    r"(?i)(?:^|[.!:;,]\s*|\n\s*|\b(?:and|then|to|please|must|should|always|never|first)\s+)"
    r"(?:run|execute|exec|eval|decode|source|install|download|curl|wget|pipe|send|post|upload|copy|paste|"
    r"add|set|export|disable|delete|remove|rm|push|commit|chmod|sudo|ignore|disregard|forget|"
    r"print|cat|read|open|fetch|call|invoke|replace|edit|write|append|include)\b"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Literal["keep", "quarantine", "drop"]
    reason: str = ""

    @property
    def kept(self) -> bool:
        return self.action == KEEP


def assess(
    lesson: Lesson,
    min_support: int = 2,
    *,
    check_text: TextCheck | None = None,
    step_trust: StepTrust | None = None,
    labelled: Labelled | None = None,
    support: int | None = None,
    copied: Mapping[str, Collection[str]] | None = None,
) -> Verdict:
    """The verdict for one lesson (see the module docstring for the policy, in order). ``support``
    overrides the lesson's own count when the caller counts it over a group of similar lessons;
    ``copied`` maps trajectory ids to the URLs and hosts their agent copied from untrusted text
    (:func:`skillforge.safety.provenance.copied_targets`)."""
    check = check_text or default_check
    reason = poisoned(lesson, check, step_trust) or (copied_in(lesson, copied) if copied else None)
    if reason:
        return Verdict(QUARANTINE, reason)
    seen = lesson.support if support is None else support
    if seen < max(1, min_support) and not verified(lesson, labelled):
        return Verdict(
            DROP,
            f"seen in {seen} runs, fewer than {min_support}, and no labelled success verifies it",
        )
    if lesson.evidence and not any(trusted(e, step_trust) for e in lesson.evidence):
        kinds = sorted({e.trust.value for e in lesson.evidence})
        return Verdict(QUARANTINE, f"supported only by untrusted text ({', '.join(kinds)})")
    return Verdict(KEEP)


def poisoned(lesson: Lesson, check: TextCheck, step_trust: StepTrust | None = None) -> str | None:
    """Why the lesson's text is unsafe to write (injection, secrets, copied instructions), or None."""
    own = "\n".join((lesson.title, lesson.trigger, lesson.body))
    first = _first_error(check(own))
    if first is not None:
        return f"failed safety check {_describe(first)}"
    carried = "\n".join(t for e in lesson.evidence for t in (e.quote, e.task) if t)
    first = _first_error(check(carried)) if carried else None
    if first is not None:
        return f"evidence it would quote fails safety check {_describe(first)}"
    return copied_instructions(lesson, step_trust, check)


def copied_instructions(
    lesson: Lesson, step_trust: StepTrust | None = None, check: TextCheck | None = None
) -> str | None:
    """Why the lesson copies instructions from untrusted text it cites, or None."""
    body = "\n".join((lesson.trigger, lesson.body))
    for ev in lesson.evidence:
        if not ev.quote or not _untrusted_quote(ev, step_trust):
            continue
        shared = longest_shared_run(body, ev.quote)
        if len(shared) < COPY_WORDS:
            continue
        overlap = " ".join(shared)
        injected = check is not None and _first_error(check(ev.quote)) is not None
        if injected or _IMPERATIVE.search(overlap):
            return (
                f"copies instructions from {ev.trust.value} of trajectory {ev.trajectory_id} "
                f"({len(shared)} words verbatim)"
            )
    return None


def _untrusted_quote(ev: Evidence, step_trust: StepTrust | None) -> bool:
    if ev.trust in UNTRUSTED:
        return True
    known = step_trust(ev.trajectory_id, ev.steps) if step_trust and ev.steps else None
    return bool(known and known & UNTRUSTED)


def trusted(evidence: Evidence, step_trust: StepTrust | None = None) -> bool:
    """Whether this evidence rests on person or agent text: at least one cited step written by a
    person or the agent when the steps' trust is known, else the evidence's own (least) trust, or the
    verdict of the run that read those steps (``Evidence.vouched``, for lessons kept waiting)."""
    known = step_trust(evidence.trajectory_id, evidence.steps) if step_trust and evidence.steps else None
    if known:
        return bool(known - UNTRUSTED)
    return evidence.vouched or evidence.trust not in UNTRUSTED


def verified(lesson: Lesson, labelled: Labelled | None) -> bool:
    """At least one supporting trajectory succeeded according to a label (not a guess)."""
    if labelled is None:
        return False
    return any(e.outcome is Outcome.SUCCESS and labelled(e.trajectory_id) for e in lesson.evidence)


def longest_shared_run(a: str, b: str, n: int = COPY_WORDS) -> list[str]:
    """The longest run of consecutive words (case-insensitive, at least ``n`` long) of ``a`` that
    also occurs in ``b``, found through ``n``-word shingles (linear time); [] when there is none."""
    wa, wb = _words(a), _words(b)
    grams = {tuple(wb[j : j + n]) for j in range(len(wb) - n + 1)}
    best: tuple[int, int] = (0, 0)
    start = -1
    for i in range(len(wa) - n + 2):
        hit = i <= len(wa) - n and tuple(wa[i : i + n]) in grams
        if hit and start < 0:
            start = i
        elif not hit and start >= 0:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = -1
    if best == (0, 0):
        return []
    return wa[best[0] : best[1] + n - 1]


def _first_error(findings: Iterable[Any]) -> Any:
    return next((f for f in findings if is_error(f)), None)


def is_error(finding: Any) -> bool:
    """A finding of severity "error" (enum or string), or an unsafe one whatever its severity: a
    lesson, merged skill or evidence quote carrying an unsafe command is quarantined even when
    validate would only warn about it (low confidence)."""
    if getattr(finding, "unsafe", False):
        return True
    severity = getattr(finding, "severity", "")
    return str(getattr(severity, "value", severity)).lower() == "error"


def _describe(finding: Any) -> str:
    return f"{getattr(finding, 'rule', '?')}: {getattr(finding, 'message', finding)}"


@dataclass(frozen=True, slots=True)
class _Finding:
    rule: str
    severity: str
    message: str


def default_check(text: str) -> list[Any]:
    """The injection and secret rules of this package. Callers that validate with the skill validator
    pass its ``check_text`` in (distill does): safety sits below skills and never imports it."""
    return fallback_check(text)


def fallback_check(text: str) -> list[Any]:
    """Injection findings and secrets (every secret is an error)."""
    from skillforge.safety.injection import find_injections
    from skillforge.safety.redact import find_secrets

    found: list[Any] = [
        _Finding(f.rule, "error" if f.unsafe else f.severity, f.message) for f in find_injections(text)
    ]
    found += [_Finding("secret", "error", f"{s.kind} {s.preview}") for s in find_secrets(text)]
    return found
