"""What kind of work a task asks for, said in ordinary words: debugging, a code review, a plan to write
or to carry out, tests, an explanation of a codebase, a refactoring, documentation, git work.

Real prompts name the work in words that skills which do it do not use ("blocked by CORS policy", "give
me a quick overview of this repo", "Implement the following plan:"), and the technology words around
them match technology skills instead. Each kind found in a task adds a few words in the vocabulary that
skills doing that work use in their names and descriptions ("debugging", "bug", "root cause"…) to the
query, at a reduced weight and outside its reference mass (:func:`skillforge.route.query.reference_mass`),
so they raise the skills that do that work without lowering any other skill's score; a skill that
names the task's technology still wins when it matches the task's own words. English only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from skillforge.text import tokenize

KIND_WEIGHT = 1.0  # the most a kind of work adds to a skill's score (route.score.kind_bonus)


@dataclass(frozen=True, slots=True)
class Intent:
    name: str  # as shown in a match's reasons: "asks for: debugging"
    pattern: re.Pattern[str]
    words: str  # added to the query, tokenised as the index is
    weight: float = 1.0  # times KIND_WEIGHT


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.M)


INTENTS: tuple[Intent, ...] = (
    Intent(
        "debugging",
        _p(
            r"\b(?:traceback|stack ?trace|panic:|segfault|segmentation fault|crash(?:es|ed|ing)?|"
            r"\w*(?:error|exception):|(?:this|that|these|the following|following) (?:\w+ )?(?:error|exception)s?|"
            r"(?:get|gets|getting|got|see|seeing|throws?|throwing|threw|raises?|raised|raising|shows?|showing|"
            r"gives?|giving|returns?|returning|hit|hitting|keep getting) (?:an? |this |the |that |some |a \w+ )?"
            r"(?:\w+ )?(?:error|exception)s?\b|"
            r"(?:does ?n[o']?t|don'?t|isn'?t|is not|not|stopped|won'?t|will not) work(?:ing|s)?\b|broken|bugs?\b|"
            r"fail(?:s|ed|ing|ure)?\b|exit (?:status|code) [1-9]|blocked by|unexpected(?:ly)?|"
            r"wrong (?:result|output|value|answer)s?|hangs?\b|freez(?:es|ing))"
        ),
        "debugging bug failure unexpected behavior troubleshooting root cause",
    ),
    Intent(
        "carrying out a plan",
        _p(
            r"^\s*(?:implement|execute|carry out|follow) (?:the|this) (?:following |attached )?plan\b|^#+ plan\b"
        ),
        "executing implementation plan plans tasks",
        3.0,  # the wrapper Claude Code writes around an approved plan: a kind no reader can mistake
    ),
    Intent(
        "planning",
        _p(
            r"\b(?:(?:make|write|draft|propose|create|come up with|outline) (?:a |an |the )?(?:\w+ ){0,2}"
            r"(?:plan|spec|design doc)|plan (?:out|for|how)|how (?:should|would|could) (?:we|i) "
            r"(?:approach|structure|design)|implementation plan|break (?:it|this|that) down)\b"
        ),
        "writing plans planning spec requirements multi step task",
    ),
    Intent(
        "brainstorming",
        _p(
            r"\b(?:brainstorm\w*|ideas? (?:for|on|about)|explore (?:the )?options|what are (?:some|the) options)\b"
        ),
        "brainstorming ideas design",
    ),
    Intent(
        "requesting a code review",
        _p(
            r"\b(?:review (?:my |the |this |these |our )?(?:\w+ ){0,2}(?:code|changes|diff|pr|pull request|branch|"
            r"commits?|implementation)|(?:look over|check) (?:my|the|these) changes)\b|/[\w-]*:?review\b"
        ),
        "code review requesting reviewer",
    ),
    Intent(
        "addressing review feedback",
        _p(
            r"\b(?:review comments?|reviewers?\b|(?:address|resolve|fix|handle) (?:the |all |these |pr |review )*"
            r"(?:comments?|feedback|suggestions?)|pr (?:comments?|feedback|issues)|bugbot)\b"
        ),
        "receiving code review feedback comments",
    ),
    Intent(
        "writing tests",
        _p(
            r"\b(?:(?:add|write|create|need) (?:a |an |some |more |unit |integration |e2e )*tests?\b|"
            r"test coverage|tdd|test[- ]driven|unit tests? for)"
        ),
        "test driven development tdd writing tests",
    ),
    Intent(
        "fixing failing tests",
        _p(
            r"\b(?:failing tests?|tests? (?:are |is )?(?:failing|fail|broken|red)|make (?:the )?tests? pass)|^--- fail"
        ),
        "fix failing tests test failures",
    ),
    Intent(
        "understanding a codebase",
        _p(
            r"\b(?:(?:overview|summary|tour) of (?:the |this |my )?(?:repo|repository|codebase|project|code)|"
            r"explain (?:how )?(?:the |this |my )?(?:repo|repository|codebase|project|architecture)|"
            r"how does (?:the |this )?\w+(?: \w+)? work\b|walk me through|"
            r"(?:what can you (?:say|tell me)|tell me) about (?:the |this |my )?(?:repo|repository|codebase|project|package|code)|"
            r"what does (?:this|the) (?:repo|repository|codebase|project|code) do|"
            r"(?:understand|get familiar with) (?:the |this |my )?(?:repo|repository|codebase|project|code))"
        ),
        "understand codebase architecture explain how the system works documentation onboarding",
    ),
    Intent(
        "refactoring",
        _p(
            r"\b(?:refactor (?:the|this|that|my|our|it|these|all)\b|clean ?up (?:the |this )?code|"
            r"rename \w+ (?:across|everywhere|throughout))\b"
        ),
        "refactor refactoring rename code",
    ),
)


@cache
def _tokens(words: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokenize(words)))


def intents_of(text: str) -> list[Intent]:
    """The kinds of work ``text`` asks for, in :data:`INTENTS` order."""
    return [intent for intent in INTENTS if intent.pattern.search(text)]


def kinds_of_work(text: str) -> list[tuple[str, dict[str, float]]]:
    """The kinds of work ``text`` asks for: each one's name and its words with their weights."""
    return [(intent.name, dict.fromkeys(_tokens(intent.words), intent.weight)) for intent in intents_of(text)]
