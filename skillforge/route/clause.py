"""The pieces :mod:`skillforge.route.intent` writes its kinds of work with: a kind (:class:`Intent`), a clause
(a pattern searched only when the task holds one of its cues), and the English fragments several kinds
share: where a request starts (``LEAD``), an error reported rather than specified (``ERR``,
``REPORTED``), what makes a phrase a thing being built rather than a request (``NOT_A_THING``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Intent:
    name: str  # as shown in a match's reasons: "the task asks for debugging"
    clauses: tuple[Clause, ...]  # any of them
    words: str  # added to the query, tokenised as the index is
    weight: float = 1.0  # times KIND_WEIGHT
    # its skill fits whatever the task is about: a Godot bug is debugged, and a plan written, like any other,
    # so the task's product names say nothing against it; a design, a setup or an audit of a named product
    # needs that product's knowledge ("help me design a DynamoDB single-table schema")
    any_topic: bool = False

    def found_in(self, head: str, lowered: str) -> bool:
        return any(clause.found_in(head, lowered) for clause in self.clauses)


@dataclass(frozen=True, slots=True)
class Clause:
    """A pattern, searched only when the task holds one of its ``cues`` (lowercase substrings that every
    match of the pattern contains): a substring test costs far less than a search of a long alternation
    at every word, and most tasks ask for no kind of work. A pattern that names no capital letter is
    searched in the lowercased task without ``re.I`` (half the time of a case-blind search); one that
    does (``TypeError``, ``--- FAIL``) in the task as written, case-blind but where it says otherwise.
    Patterns are compiled when first searched: a hook's one prompt compiles the few its cues call for.
    A clause whose cues are common words ("read", "project") also names ``also``: one of those must be
    in the task too (every match holds one of each)."""

    cues: tuple[str, ...]
    source: str
    lowered: bool
    also: tuple[str, ...] = ()

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.source, re.M if self.lowered else re.I | re.M)

    def search(self, head: str, lowered: str) -> bool:
        return self.pattern.search(lowered if self.lowered else head) is not None

    def found_in(self, head: str, lowered: str) -> bool:
        return (
            any(cue in lowered for cue in self.cues)
            and (not self.also or any(cue in lowered for cue in self.also))
            and self.search(head, lowered)
        )


@cache
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags)


def clause(cues: str, pattern: str, also: str = "") -> Clause:
    lowered = not any(char.isupper() for char in re.sub(r"\\.", "", pattern))  # escapes aside (\S, \W)
    return Clause(tuple(cues.split("|")), pattern, lowered, tuple(also.split("|")) if also else ())


def cue_pairs(words: str, nouns: str) -> str:
    """Cues for a clause whose every match holds one of ``words`` followed by a space and one of
    ``nouns``: each pair ("next task", "first step" …)."""
    return "|".join(f"{w} {n}" for w in words.split("|") for n in nouns.split("|"))


NOT = r"(?:does ?n[o'’]?t|don[’']?t|isn[’']?t|is not|stopped|won[’']?t|will not|can[’']?t|cannot)"
DET = r"(?:the |this |that |my |our |these |all )"
ASK = r"(?:please|can you|could you|let'?s|help me|i want to|we need to|need to|trying to|try to|how (?:do|to|can) i)"
# an error as something that happened, not a feature ("error handling", "error message", "error page")
ERR = (
    r"(?:error|exception)s?\b(?! (?:handl\w*|messages?|boundar\w*|pages?|logs?|logging|codes?|states?|reports?"
    r"|reporting|tracking|toasts?|responses?|types?|classes?|handlers?)\b)"
)
REPORTED = (  # verbs that report an error rather than specify one
    r"(?:get|gets|getting|got|seeing|i see|i'?m seeing|keeps? (?:getting|throwing)|throws|throwing|threw|"
    r"there'?s|there is|ran into|running into|hit|hitting)"
)
# where a request starts: a line (after a list marker or quote), a sentence, or words that ask ("please",
# "let's", "now", "can you"); a feature or spec says it after a subject ("users can …", "the job will …")
LEAD = (
    r"(?:^[ \t>*-]*(?:\d+[.)] *)?|[.!?] +|\b(?:please|let'?s|now|ok(?:ay)?|then|can you|could you|go ahead and"
    r"|i want you to|i'?d like you to|i need you to|you can|time to|help me|we need to|need to) )"
)
# every match of the debugging clause holds one of these, lowercase (cf. Clause)
DEBUGGING_CUES = (
    "erro|exception|fail|traceback|debug|stack|panic|segfault|segmentation|crash|err!|broken|bug|ci is red|exit|"
    "cors|unexpected|wrong|hangs|freezes"
)
# what makes "the next step" or "a modern UI" a thing being built, not a request ("the next step button")
NOT_A_THING = (
    r"(?! (?:buttons?|links?|fields?|screens?|pages?|views?|modals?|cards?|tabs?|features?|logic|components?|handlers?"
    r"|functions?|methods?|endpoints?|routes?|api|state|flags?|framework|library|package|kit|engine|shortcut)\b)(?!['’]s)"
)
# "the next step of" a plan or a list, not of the saga or the wizard
OF_A_LIST = (
    r"(?! of (?!(?:(?:the|a|an|this|our|my) )?(?:plan|list|roadmap|todo|tasks?|spec|checklist|backlog)\b))"
)
