"""What kind of work a task asks for, said in ordinary words: debugging, a code review or its feedback, a
plan to write or to carry out, a task list to work through, brainstorming a design, tests to write or to
fix, an explanation of a codebase, a user interface's design, a refactoring.

Real prompts name the work in words that skills which do it do not use ("blocked by CORS policy", "give
me a quick overview of this repo", "Implement the following plan:", "Start task 2"), and the technology
words around them match technology skills instead. Each kind found in a task's first ``SCANNED``
characters, written as a request or a report (not as a feature or a spec: "error handling middleware",
"Retry if it fails", "users can start the next task", "the next step button"; many clauses ask for the
request's position, ``_LEAD``), brings a few words that skills doing that work use in their names and
descriptions ("debugging bug failure …"); :func:`skillforge.route.score.kind_bonus` raises the one
skill per kind that best matches them, and :data:`KIND_FIT` of that bonus counts for abstention.
Several kinds are also found in Spanish, Portuguese, French, German, Russian, Chinese and Japanese
(:mod:`skillforge.route.intent_languages`); the words they bring are English, as skills are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from skillforge.route import intent_languages as languages
from skillforge.text import tokenize

KIND_WEIGHT = 1.0  # the most a kind of work adds to a skill's score (route.score.kind_bonus)
KIND_FIT = 0.5  # the share of that bonus abstention counts: a skill that does the work well fits alone


@dataclass(frozen=True, slots=True)
class Intent:
    name: str  # as shown in a match's reasons: "the task asks for debugging"
    clauses: tuple[Clause, ...]  # any of them
    words: str  # added to the query, tokenised as the index is
    weight: float = 1.0  # times KIND_WEIGHT

    def found_in(self, head: str, lowered: str) -> bool:
        return any(clause.found_in(head, lowered) for clause in self.clauses)


@dataclass(frozen=True, slots=True)
class Clause:
    """A pattern, searched only when the task holds one of its ``cues`` (lowercase substrings that every
    match of the pattern contains): a substring test costs far less than a search of a long alternation
    at every word, and most tasks ask for no kind of work. A pattern that names no capital letter is
    searched in the lowercased task without ``re.I`` (half the time of a case-blind search); one that
    does (``TypeError``, ``--- FAIL``) in the task as written, case-blind but where it says otherwise.
    Patterns are compiled when first searched: a hook's one prompt compiles the few its cues call for."""

    cues: tuple[str, ...]
    source: str
    lowered: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.source, re.M if self.lowered else re.I | re.M)

    def search(self, head: str, lowered: str) -> bool:
        return self.pattern.search(lowered if self.lowered else head) is not None

    def found_in(self, head: str, lowered: str) -> bool:
        return any(cue in lowered for cue in self.cues) and self.search(head, lowered)


@cache
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags)


def _p(cues: str, pattern: str) -> Clause:
    lowered = not any(char.isupper() for char in re.sub(r"\\.", "", pattern))  # escapes aside (\S, \W)
    return Clause(tuple(cues.split("|")), pattern, lowered)


def _after(words: str, nouns: str) -> str:
    """Cues for a clause whose every match holds one of ``words`` followed by a space and one of
    ``nouns``: each pair ("next task", "first step" …)."""
    return "|".join(f"{w} {n}" for w in words.split("|") for n in nouns.split("|"))


_NOT = r"(?:does ?n[o'’]?t|don[’']?t|isn[’']?t|is not|stopped|won[’']?t|will not|can[’']?t|cannot)"
_DET = r"(?:the |this |that |my |our |these |all )"
_ASK = r"(?:please|can you|could you|let'?s|help me|i want to|we need to|need to|trying to|try to|how (?:do|to|can) i)"
# an error as something that happened, not a feature ("error handling", "error message", "error page")
_ERR = (
    r"(?:error|exception)s?\b(?! (?:handl\w*|messages?|boundar\w*|pages?|logs?|logging|codes?|states?|reports?"
    r"|reporting|tracking|toasts?|responses?|types?|classes?|handlers?)\b)"
)
_REPORTED = (  # verbs that report an error rather than specify one
    r"(?:get|gets|getting|got|seeing|i see|i'?m seeing|keeps? (?:getting|throwing)|throws|throwing|threw|"
    r"there'?s|there is|ran into|running into|hit|hitting)"
)
# where a request starts: a line (after a list marker or quote), a sentence, or words that ask ("please",
# "let's", "now", "can you"); a feature or spec says it after a subject ("users can …", "the job will …")
_LEAD = (
    r"(?:^[ \t>*-]*(?:\d+[.)] *)?|[.!?] +|\b(?:please|let'?s|now|ok(?:ay)?|then|can you|could you|go ahead and"
    r"|i want you to|i'?d like you to|i need you to|you can|time to|help me|we need to|need to) )"
)
# every match of the debugging clause holds one of these, lowercase (cf. Clause)
_DEBUGGING_CUES = (
    "erro|exception|fail|traceback|debug|stack|panic|segfault|segmentation|crash|err!|broken|bug|ci is red|exit|"
    "cors|unexpected|wrong|hangs|freezes"
)
# what makes "the next step" or "a modern UI" a thing being built, not a request ("the next step button")
_NOT_A_THING = (
    r"(?! (?:buttons?|links?|fields?|screens?|pages?|views?|modals?|cards?|tabs?|features?|logic|components?|handlers?"
    r"|functions?|methods?|endpoints?|routes?|api|state|flags?|framework|library|package|kit|engine|shortcut)\b)(?!['’]s)"
)
# "the next step of" a plan or a list, not of the saga or the wizard
_OF_A_LIST = (
    r"(?! of (?!(?:(?:the|a|an|this|our|my) )?(?:plan|list|roadmap|todo|tasks?|spec|checklist|backlog)\b))"
)
_UNDERSTANDING_CUES = (
    "overview|summary|tour|explanation|summari|describe|explain|how does|walk me through|tell me|what does|"
    "what is|what can you|how is|new to|understand|familiar|get to know|description of what|summary of what|"
    "overview of what|" + languages.UNDERSTANDING_CUES
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        "debugging",
        (
            _p(
                _DEBUGGING_CUES + "|" + languages.DEBUGGING_CUES,
                r"^(?:uncaught )?(?-i:[A-Z][\w.]*(?:Error|Exception)): \S|^(?-i:error|Error|ERROR)(?:\[\w+\])?: \S|"
                r"^--- FAIL\b|traceback \(most recent call last\)|"
                r"\b(?:(?:^[ \t]*|\b" + _ASK + r" )debug\b|debugging (?:this|the|it|my|why|what)\b|"
                r"(?:the|this|full|a|here'?s the) (?:traceback|stack ?trace)\b|panic:|segfault|segmentation fault|"
                r"(?:it|app|server|this|that|keeps?|still) crash(?:es|ing)\b|crashed\b|\bERR!|exception in thread|"
                r"(?:this|that|the following|following) (?:\w+ )?"
                + _ERR
                + r"|"
                + _REPORTED
                + r" (?:an? |this |the |that |some )?(?:\w+ )?(?:"
                + _ERR
                + r"|(?-i:[A-Z]\w*(?:Error|Exception))\b)|"
                r"(?:is|are|seems|looks|got|was) broken|buggy|"
                r"(?<!report )(?:a|the|this|that) bug (?:in|with|where|when)|fix (?:a|the|this|that) bug|"
                r"(?<!if )(?<!when )(?<!unless )(?<!if the )(?<!when the )(?:it|this|that|build|\b(?:[^\W_]+_){0,3}tests?\w*|ci|still|keeps?|now|always"
                r"|sometimes|randomly) (?:is |are )?fail(?:s|ing|ed)\b|ci is red|exit status [1-9]|"
                r"exited with (?:exit )?(?:code|status) [1-9]|blocked by cors|unexpectedly|"
                r"unexpected (?:error|behaviou?r|result|output|token)|wrong (?:result|output|value)s?|"
                r"(?:it|this|that|app|server|page) (?:hangs|freezes))|" + languages.DEBUGGING,
            ),
            _p(  # a compiler's or linker's report, pasted (not the words quoted in code: log.Fatal("fatal error: "))
                "fatal error|cannot open include|undefined reference|error:|): error |): fatal error|collect2|.go:",
                r"(?:^|:\d+(?::\d+)?: |\)\s*: )fatal\s+error\b[^\n:]{0,12}: |\bcannot open include file: |\bundefined reference to\b|"
                r"^\S+:\d+:\d+: (?:fatal )?error: |^\S+\.\w+:\d+: error: |^\S+\(\d+(?:,\d+)?\): (?:fatal )?error [A-Z]+\d+:|"
                r"^\S+\.go:\d+:\d+: \S|^collect2: error: ",
            ),
            _p(
                "work|load|start|compil|build|connect",
                r"\b"
                + _NOT
                + r" (?:seem to |seems to )?(?:work|load|start|compile|build|connect)(?:ing|s)?\b",
            ),
        ),
        "debugging bug failure unexpected behavior troubleshooting root cause",
    ),
    Intent(
        "carrying out a plan",
        # only at the start: the wrapper Claude Code writes around an approved plan, never a pasted heading
        (
            _p(
                "plan",
                r"\A\s*(?:implement|execute|carry out|follow) (?:the|this) (?:following |attached )?plan\b",
            ),
        ),
        "executing implementation plan plans tasks",
        3.0,  # written by the agent itself: a kind no reader can mistake
    ),
    Intent(
        "working through a task list",
        (
            _p(
                _after(
                    "next|first",
                    "task|step|phase|milestone|item|sub-task|subtask|unchecked|open|pending|remaining",
                )
                + "|next task|next sub",
                _LEAD
                + r"(?:commence|start|begin|proceed (?:to|with)|continue (?:with|to)|move (?:on )?to|go (?:on )?to|work on"
                r"|implement|execute|do|tackle|pick up|find|pick|take) (?:with )?(?:the )?(?:next|first) (?:unchecked |open "
                r"|pending |remaining )?(?:sub-?task|task|step|phase|milestone|item)s?\b"
                + _NOT_A_THING
                + _OF_A_LIST
                + r"|"
                r"^[ \t]*next (?:sub-?)?task,? please\b",
            ),
            _p(
                _after("task|tasks|step|steps|phase|phases|milestone|milestones", "0|1|2|3|4|5|6|7|8|9|#"),
                _LEAD
                + r"(?:commence|start|begin|proceed (?:to|with)|continue (?:with|to)|work on|implement|execute|tackle|do"
                r"|move (?:on )?to) (?:sub-?task|task|step|phase|milestone)s? #?\d+(?:\.\d+)*\b",
            ),
            _p(
                "execute|remaining|rest of the|other tasks|other steps|other sub",
                _LEAD
                + r"(?:execute (?:only |all |the )*(?:remaining |listed |open )?(?:sub-?tasks|tasks|steps)\b|"
                r"(?:continue|proceed) with (?:all )?(?:the )?(?:remaining|rest of the|other) (?:sub-?tasks|tasks|steps)\b)",
            ),
            _p(  # a task file named, then what to take from it: "Read TODO.md and find the first task marked [ ]"
                ".md",
                r"\.md\b[^.\n]{0,12}?\b(?:find|pick|take|start|do|implement|execute|work through) (?:only |all |the )*"
                r"(?:first |next |remaining |listed |open )?(?:unchecked |open |pending )?(?:sub-?tasks?|tasks?|steps?|items?)\b",
            ),
            _p(languages.TASK_LIST_CUES, languages.TASK_LIST),
        ),
        "executing implementation plan plans tasks",
    ),
    Intent(
        "planning",
        (
            _p(
                "plan|design doc|how should|how would|how could|break it|break this|break that",
                r"(?:" + _LEAD + r"(?:make|write|draft|propose|come up with|outline) (?:a |an |the )?"
                r"(?:(?:implementation|migration|action|project|detailed|technical|step[- ]by[- ]step) )?"
                r"(?:plan|design doc)\b(?! (?:and|in|with|for (?:teams|users|customers)|tier)\b)|"
                r"\bcreate (?:a |an |the )?(?:implementation|migration|action|project|detailed|technical|step[- ]by[- ]step) "
                r"plan\b|plan (?:out|how)\b|(?:let'?s|please|help me) plan\b|how (?:should|would|could) (?:we|i) "
                r"(?:approach|structure|design|architect)\b|implementation plan|break (?:it|this|that) down\b"
                r"(?! into (?:separate |smaller )?(?:files|folders|modules|components|functions|classes|sections)\b))",
            ),
            _p(
                "plan",
                _LEAD
                + r"(?:create|prepare|give me|put together|devise|make|write|draft|come up with) (?:a |an |the |me a )?"
                r"(?:\w+ )?plan (?:for (?:how|implementing|migrating|building|adding|making|converting|turning)\b|"
                r"to (?:implement|migrate|build|add|make|refactor|convert|turn|move)\b|and (?:give me )?(?:the )?next steps)|"
                r"\b(?:i|we) (?:need|want) (?:a |an )?(?:\w+ )?plan (?:for|to)\b|"
                + _LEAD
                + r"plan (?:the|a|an|out|this|our|my) (?:\w+ )?(?:migration|refactor\w*|rewrite|implementation|feature|work"
                r"|changes?|upgrade|rollout|integration|project)\b",
            ),
            _p(
                "next steps|best way|best approach",
                _LEAD + r"(?:give me|what are) (?:the )?next steps\b|"
                r"\bwhat(?:'s| is) the best (?:way|approach) to (?:implement|build|structure|design|architect|add|handle"
                r"|organi[sz]e|set up|migrate|approach)\b",
            ),
            _p(languages.PLANNING_CUES, languages.PLANNING),
        ),
        "writing plans planning spec requirements multi step task",
    ),
    Intent(
        "brainstorming",
        (
            _p(
                "brainstorm|idea|option",
                r"\b(?:brainstorm\w*|ideas? (?:for|on|about)|explore (?:the )?options|what are (?:some|the) options)\b",
            ),
            _p(
                "design|architect|think through|设计",
                r"\bhelp (?:me|us) (?:design|architect|think through)\b(?! (?:buttons?|features?|wizard|mode|tool)\b)|\blet'?s (?:design|think through)\b|"
                + _LEAD
                + r"design (?:the |a |an )?(?:overall |system |app |application |backend |software )?architecture\b"
                r"(?! (?:section|diagram|page|docs?|document)\b)|"
                r"(?:帮我|请你?)设计|设计一下",
            ),
        ),
        "brainstorming ideas design",
    ),
    Intent(
        "requesting a code review",
        (
            _p(
                "review|look over|check",
                r"\b(?:review (?:my |the |this |these |our )?(?:\w+ ){0,2}(?:code|changes|diff|pr|pull request|branch|"
                r"commits?|implementation)\b(?! (?:template|description|title|labels?)\b)|"
                r"(?:please |can you |could you )review\b(?! (?:the |this |our |my )?(?:pr |pull request )?(?:template|description"
                r"|title|labels?|docs?|readme|copy)\b)|review this\s*(?:[.?!]|$)|"
                r"do a (?:\w+ )?code review|(?:look over|check) (?:my|the|these) changes\b)|"
                r"(?:^[ \t]*|<command-name>)/[\w:-]*review\b",
            ),
        ),
        "code review requesting reviewer",
    ),
    Intent(
        "addressing review feedback",
        (
            _p(
                "review|comment|feedback|suggestion|pr issues|bugbot",
                r"\b(?:(?:the|these|his|her|their|my|all|reviewer'?s?) review comments|"
                r"(?:address|resolve|fix|handle|respond to|work through|go through) (?:the |all |these |his |her |pr |review )*"
                r"(?:comments?|feedback|suggestions?)\b|pr (?:comments|feedback|issues)\b|bugbot)",
            ),
        ),
        "receiving code review feedback comments",
    ),
    Intent(
        "writing tests",
        (
            _p(
                "test|tdd",
                r"\b(?:(?:add|write|create|need|cover \w+(?: \w+)? with) "
                r"(?:a |an |some |more |the |unit |integration |e2e |regression |pytest |jest |go )*tests?\b"
                r"(?! (?:users?|data|accounts?|env\w*|servers?|db|databases?|files?|fixtures?|mode|flags?|pages?|buttons?"
                r"|ids?|keys?|cards?|skills?)\b)|test coverage|tdd|test[- ]driven|unit tests? for)",
            ),
        ),
        "test driven development tdd writing tests",
    ),
    Intent(
        "fixing failing tests",
        (
            _p(
                "test|fail",
                r"\b(?:failing tests?|tests? (?:are |is |keep |keeps )?(?:failing|broken|red)\b|tests? failed\b|"
                r"make (?:the )?tests? pass)|^(?:--- FAIL|FAILED)\b",
            ),
        ),
        "fix failing tests test failures",
    ),
    Intent(
        "understanding a codebase",
        (
            _p(
                _UNDERSTANDING_CUES,
                r"\b(?:(?:overview|summary|tour|explanation) of (?:the |this |my |our )?(?:repo|repository|codebase|project|code"
                r"|app|application)|(?:summari[sz]e|describe) (?:the |this |my |our )(?:repo|repository|codebase|project|code"
                r"|app|architecture)|explain (?:how )?(?:the |this |my |our )?(?:repo|repository|codebase|project|architecture"
                r"|code|function|module|file|class|app)\b(?! in (?:the )?(?:comments|docstrings))|"
                r"how does (?:the |this |our |my )\w+(?: \w+)? work\b|"
                r"walk me through (?:the |this |my |our )(?:code|codebase|repo|repository|project|architecture)|"
                r"(?:what can you (?:say|tell me)|tell me) about (?:the |this |my )?(?:repo|repository|codebase|project|package"
                r"|code)|what (?:does|is) (?:this|the) (?:repo|repository|codebase|project|code|function|method|class|file"
                r"|module|app) (?:do|doing|for|about)\b|how is (?:this|the) (?:repo|repository|codebase|project|code) "
                r"(?:structured|organi[sz]ed|laid out)|(?:i'?m|i am) new to (?:this|the) (?:repo|repository|codebase|project"
                r"|code)|(?:understand|get familiar with|get to know) (?:the |this |my )?(?:repo|repository|codebase|project"
                r"|code))|tell me what you understand\b|what do you understand (?:about|of|from)\b|"
                r"\b(?:give|show|tell|write|provide|need|want) (?:me |us )?(?:a |an )?(?:brief |short |quick |high[- ]level )?"
                r"(?:description|summary|overview|explanation) of what (?:it|(?:this|the) \w+|this) (?:is doing|does)\b|"
                r"\bexplain what (?:this|the) (?:repo|repository|codebase|project|code|app|module|file|function|script) "
                r"(?:does|is for|is doing)\b|"
                + _LEAD
                + r"(?:explain how (?:it|this|everything|the system|this system) works|how does (?:this|it) (?:all )?work)\b|"
                + languages.UNDERSTANDING,
            ),
        ),
        "understand codebase architecture explain how the system works documentation onboarding",
    ),
    Intent(
        "improving a user interface's design",
        (
            _p(
                "look|improve|polish|moderni|redesign|revamp|refresh|ui|ux|modern|beautiful|polished|sleek|professional",
                r"\b(?:make (?:it|(?:the|this|my|our) (?:\w+ )?(?:ui|page|site|app|website|design|layout|dashboard|form"
                r"|screen)) look (?:better|nicer|more modern|modern|professional|clean|cleaner|prettier|beautiful|polished"
                r"|sleek)|make (?:the |this |my |our )?(?:ui|design|site|website|page|app|layout|frontend) (?:look )?(?:more )?"
                r"(?:modern|beautiful|polished|sleek|professional)\b|give (?:the |this |my |our )?(?:ui|site|website|page|app"
                r"|dashboard) a (?:more )?(?:modern|fresh|clean|new|polished|sleek) look\b|"
                r"(?:improve|polish|modernize|redesign|revamp|refresh) (?:the |this |my |our )?(?:ui|ux|"
                r"(?:visual |page |site |app )?design|styling|look|layout|landing page|website|frontend|user interface)\b"
                r"(?! of (?:the |our |this |a )?(?:database|schema|api|parser|data|system|classes|class|module|code)\b)|"
                r"(?:ui|ux) (?:improvements|redesign|polish)|looks? (?:ugly|outdated|dated|boring|bad))",
            ),
            _p(  # a page or component asked for with its look ("Upgrade chakra-ui, beautiful components" is not)
                "modern|beautiful|sleek|minimalis|stylish|elegant|looking|современн|tampilan",
                _LEAD
                + r"(?:create|build|make|design|generate|develop|code|craft|give me|i want|i need)\b[^.\n]{0,40}?"
                r"\b(?:modern|beautiful|sleek|minimalist|stylish|elegant|good[- ]looking|nice[- ]looking)\b(?:,? [\w-]+){0,3}"
                r" (?:landing page|landing|homepage|home page|navbar|nav bar|navigation bar|hero section|website|web ?page"
                r"|ui|user interface|dashboard|layout|theme)\b" + _NOT_A_THING + r"|" + languages.MODERN_PAGE,
            ),
        ),
        "frontend visual design ui interface styling typography aesthetic",
    ),
    Intent(
        "refactoring",
        (
            _p(
                "refactor|clean up|cleanup|rename",
                r"(?:^[ \t]*|\b" + _ASK + r" )refactor(?:ing)?\b(?!\()|\brefactor(?:ing)? " + _DET + r"|"
                r"\bclean ?up (?:the |this )?code\b|\brename \w+ (?:across|everywhere|throughout)\b",
            ),
        ),
        "refactor refactoring rename code",
    ),
)

SCANNED = 4000  # the kinds are read in a task's first characters: the request, and the start of a paste


@cache
def _tokens(words: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokenize(words)))


def intents_of(text: str) -> list[Intent]:
    """The kinds of work ``text`` asks for, in :data:`INTENTS` order."""
    head = text[:SCANNED]
    lowered = head.lower()
    return [intent for intent in INTENTS if intent.found_in(head, lowered)]


def kinds_of_work(text: str) -> list[tuple[str, dict[str, float]]]:
    """The kinds of work ``text`` asks for: each one's name and its words with their weights."""
    return [(intent.name, dict.fromkeys(_tokens(intent.words), intent.weight)) for intent in intents_of(text)]
