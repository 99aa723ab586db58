"""What kind of work a task asks for, said in ordinary words: debugging, a code review or its feedback, a
plan to write or to carry out, a task list to work through, brainstorming a design, tests to write or to
fix, an explanation of a codebase, a user interface's design, a refactoring.

Real prompts name the work in words that skills which do it do not use ("blocked by CORS policy", "give
me a quick overview of this repo", "Implement the following plan:", "Start task 2"), and the technology
words around them match technology skills instead. Each kind found in a task's first ``SCANNED``
characters, written as a request or a report (not as a feature or a spec: "error handling middleware",
"Retry if it fails", "users can start the next task", "the next step button"; many clauses ask for the
request's position, ``LEAD``), brings a few words that skills doing that work use in their names and
descriptions ("debugging bug failure …"); :func:`skillforge.route.score.kind_bonus` raises the one
skill per kind that best matches them, and :data:`KIND_FIT` of that bonus counts for abstention.
Several kinds are also found in Spanish, Portuguese, French, German, Russian, Chinese and Japanese
(:mod:`skillforge.route.intent_languages`); the words they bring are English, as skills are.
"""

from __future__ import annotations

from functools import cache

from skillforge.route import intent_languages as languages
from skillforge.route import intent_more as more
from skillforge.route.clause import (
    ASK,
    DEBUGGING_CUES,
    DET,
    ERR,
    LEAD,
    NOT,
    NOT_A_THING,
    OF_A_LIST,
    REPORTED,
    Intent,
    clause,
    cue_pairs,
)
from skillforge.text import tokenize

KIND_WEIGHT = 1.0  # the most a kind of work adds to a skill's score (route.score.kind_bonus)
KIND_FIT = 0.5  # the share of that bonus abstention counts: a skill that does the work well fits alone


_UNDERSTANDING_CUES = (
    "overview|summary|tour|explanation|summari|describe|explain|how does|walk me through|tell me|what does|"
    "what is|what can you|how is|new to|understand|familiar|get to know|description of what|summary of what|"
    "overview of what|" + languages.UNDERSTANDING_CUES
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        "debugging",
        (
            clause(
                DEBUGGING_CUES + "|" + languages.DEBUGGING_CUES,
                r"^(?:uncaught )?(?-i:[A-Z][\w.]*(?:Error|Exception)): \S|^(?-i:error|Error|ERROR)(?:\[\w+\])?: \S|"
                r"^--- FAIL\b|traceback \(most recent call last\)|"
                r"\b(?:(?:^[ \t]*|\b" + ASK + r" )debug\b|debugging (?:this|the|it|my|why|what)\b|"
                r"(?:the|this|full|a|here'?s the) (?:traceback|stack ?trace)\b|panic:|segfault|segmentation fault|"
                r"(?:it|app|server|this|that|keeps?|still) crash(?:es|ing)\b|crashed\b|\bERR!|exception in thread|"
                r"(?:this|that|the following|following) (?:\w+ )?"
                + ERR
                + r"|"
                + REPORTED
                + r" (?:an? |this |the |that |some )?(?:\w+ )?(?:"
                + ERR
                + r"|(?-i:[A-Z]\w*(?:Error|Exception))\b)|"
                r"(?:is|are|seems|looks|got|was) broken|buggy|"
                r"(?<!report )(?:a|the|this|that) bug (?:in|with|where|when)|fix (?:a|the|this|that) bug|"
                r"(?<!if )(?<!when )(?<!unless )(?<!if the )(?<!when the )(?:it|this|that|build|\b(?:[^\W_]+_){0,3}tests?\w*|ci|still|keeps?|now|always"
                r"|sometimes|randomly) (?:is |are )?fail(?:s|ing|ed)\b|ci is red|exit status [1-9]|"
                r"exited with (?:exit )?(?:code|status) [1-9]|blocked by cors|unexpectedly|"
                r"unexpected (?:error|behaviou?r|result|output|token)|wrong (?:result|output|value)s?|"
                r"(?:it|this|that|app|server|page) (?:hangs|freezes))|" + languages.DEBUGGING,
            ),
            *more.DEBUGGING,
            clause(  # a compiler's or linker's report, pasted (not the words quoted in code: log.Fatal("fatal error: "))
                "fatal error|cannot open include|undefined reference|error:|): error |): fatal error|collect2|.go:",
                r"(?:^|:\d+(?::\d+)?: |\)\s*: )fatal\s+error\b[^\n:]{0,12}: |\bcannot open include file: |\bundefined reference to\b|"
                r"^\S+:\d+:\d+: (?:fatal )?error: |^\S+\.\w+:\d+: error: |^\S+\(\d+(?:,\d+)?\): (?:fatal )?error [A-Z]+\d+:|"
                r"^\S+\.go:\d+:\d+: \S|^collect2: error: ",
            ),
            clause(
                "work|load|start|compil|build|connect",
                r"\b"
                + NOT
                + r" (?:seem to |seems to )?(?:work|load|start|compile|build|connect)(?:ing|s)?\b",
            ),
        ),
        "debugging bug failure unexpected behavior troubleshooting root cause",
        any_topic=True,
    ),
    Intent(
        "carrying out a plan",
        # only at the start: the wrapper Claude Code writes around an approved plan, never a pasted heading
        (
            clause(
                "plan",
                r"\A\s*(?:implement|execute|carry out|follow) (?:the|this) (?:following |attached )?plan\b",
            ),
        ),
        "executing implementation plan plans tasks",
        3.0,  # written by the agent itself: a kind no reader can mistake
        any_topic=True,
    ),
    Intent(
        "working through a task list",
        (
            clause(
                cue_pairs(
                    "next|first",
                    "task|step|phase|milestone|item|sub-task|subtask|unchecked|open|pending|remaining",
                )
                + "|next task|next sub",
                LEAD
                + r"(?:commence|start|begin|proceed (?:to|with)|continue (?:with|to)|move (?:on )?to|go (?:on )?to|work on"
                r"|implement|execute|do|tackle|pick up|find|pick|take) (?:with )?(?:the )?(?:next|first) (?:unchecked |open "
                r"|pending |remaining )?(?:sub-?task|task|step|phase|milestone|item)s?\b"
                + NOT_A_THING
                + OF_A_LIST
                + r"|"
                r"^[ \t]*next (?:sub-?)?task,? please\b",
            ),
            clause(
                cue_pairs("task|tasks|step|steps|phase|phases|milestone|milestones", "0|1|2|3|4|5|6|7|8|9|#"),
                LEAD
                + r"(?:commence|start|begin|proceed (?:to|with)|continue (?:with|to)|work on|implement|execute|tackle|do"
                r"|move (?:on )?to) (?:sub-?task|task|step|phase|milestone)s? #?\d+(?:\.\d+)*\b",
            ),
            clause(
                "execute|remaining|rest of the|other tasks|other steps|other sub",
                LEAD
                + r"(?:execute (?:only |all |the )*(?:remaining |listed |open )?(?:sub-?tasks|tasks|steps)\b|"
                r"(?:continue|proceed) with (?:all )?(?:the )?(?:remaining|rest of the|other) (?:sub-?tasks|tasks|steps)\b)",
            ),
            clause(  # a task file named, then what to take from it: "Read TODO.md and find the first task marked [ ]"
                ".md",
                r"\.md\b[^.\n]{0,12}?\b(?:find|pick|take|start|do|implement|execute|work through) (?:only |all |the )*"
                r"(?:first |next |remaining |listed |open )?(?:unchecked |open |pending )?(?:sub-?tasks?|tasks?|steps?|items?)\b",
            ),
            clause(languages.TASK_LIST_CUES, languages.TASK_LIST),
            *more.TASK_LIST,
        ),
        "executing implementation plan plans tasks",
        any_topic=True,
    ),
    Intent(
        "planning",
        (
            clause(
                "plan|design doc|how should|how would|how could|break it|break this|break that",
                r"(?:" + LEAD + r"(?:make|write|draft|propose|come up with|outline) (?:a |an |the )?"
                r"(?:(?:implementation|migration|action|project|detailed|technical|step[- ]by[- ]step) )?"
                r"(?:plan|design doc)\b(?! (?:and|in|with|for (?:teams|users|customers)|tier)\b)|"
                r"\bcreate (?:a |an |the )?(?:implementation|migration|action|project|detailed|technical|step[- ]by[- ]step) "
                r"plan\b|plan (?:out|how)\b|(?:let'?s|please|help me) plan\b|how (?:should|would|could) (?:we|i) "
                r"(?:approach|structure|design|architect)\b|implementation plan|break (?:it|this|that) down\b"
                r"(?! into (?:separate |smaller )?(?:files|folders|modules|components|functions|classes|sections)\b))",
            ),
            clause(
                "plan",
                LEAD
                + r"(?:create|prepare|give me|put together|devise|make|write|draft|come up with) (?:a |an |the |me a )?"
                r"(?:\w+ )?plan (?:for (?:how|implementing|migrating|building|adding|making|converting|turning)\b|"
                r"to (?:implement|migrate|build|add|make|refactor|convert|turn|move)\b|and (?:give me )?(?:the )?next steps)|"
                r"\b(?:i|we) (?:need|want) (?:a |an )?(?:\w+ )?plan (?:for|to)\b|"
                + LEAD
                + r"plan (?:the|a|an|out|this|our|my) (?:\w+ )?(?:migration|refactor\w*|rewrite|implementation|feature|work"
                r"|changes?|upgrade|rollout|integration|project)\b",
            ),
            clause(
                "next steps|best way|best approach",
                LEAD + r"(?:give me|what are) (?:the )?next steps\b|"
                r"\bwhat(?:'s| is) the best (?:way|approach) to (?:implement|build|structure|design|architect|add|handle"
                r"|organi[sz]e|set up|migrate|approach)\b",
            ),
            clause(languages.PLANNING_CUES, languages.PLANNING),
            *more.PLANNING,
        ),
        "writing plans planning spec requirements multi step task",
        any_topic=True,
    ),
    Intent(
        "brainstorming",
        (
            clause(
                "brainstorm|idea|option",
                r"\b(?:brainstorm\w*|ideas? (?:for|on|about)|explore (?:the )?options|what are (?:some|the) options)\b",
            ),
            clause(
                "design|architect|think through|设计",
                r"\bhelp (?:me|us) (?:design|architect|think through)\b(?! (?:buttons?|features?|wizard|mode|tool)\b)|\blet'?s (?:design|think through)\b|"
                + LEAD
                + r"design (?:the |a |an )?(?:overall |system |app |application |backend |software )?architecture\b"
                r"(?! (?:section|diagram|page|docs?|document)\b)|"
                r"(?:帮我|请你?)设计|设计一下",
            ),
            *more.BRAINSTORMING,
        ),
        "brainstorming ideas design",
    ),
    Intent(
        "requesting a code review",
        (
            clause(
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
            clause(
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
            clause(
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
            clause(
                "test|fail",
                r"\b(?:failing tests?|tests? (?:are |is |keep |keeps )?(?:failing|broken|red)\b|tests? failed\b|"
                r"make (?:the )?tests? pass)|^(?:--- FAIL|FAILED)\b",
            ),
        ),
        "fix failing tests test failures",
        any_topic=True,
    ),
    Intent(
        "understanding a codebase",
        (
            clause(
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
                + LEAD
                + r"(?:explain how (?:it|this|everything|the system|this system) works|how does (?:this|it) (?:all )?work)\b|"
                + languages.UNDERSTANDING,
            ),
            *more.UNDERSTANDING,
        ),
        "understand codebase architecture explain how the system works documentation onboarding",
    ),
    Intent(
        "improving a user interface's design",
        (
            clause(
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
            clause(  # a page or component asked for with its look ("Upgrade chakra-ui, beautiful components" is not)
                "modern|beautiful|sleek|minimalis|stylish|elegant|looking|современн|tampilan",
                LEAD
                + r"(?:create|build|make|design|generate|develop|code|craft|give me|i want|i need)\b[^.\n]{0,40}?"
                r"\b(?:modern|beautiful|sleek|minimalist|stylish|elegant|good[- ]looking|nice[- ]looking)\b(?:,? [\w-]+){0,3}"
                r" (?:landing page|landing|homepage|home page|navbar|nav bar|navigation bar|hero section|website|web ?page"
                r"|ui|user interface|dashboard|layout|theme)\b" + NOT_A_THING + r"|" + languages.MODERN_PAGE,
            ),
        ),
        "frontend visual design ui interface styling typography aesthetic",
    ),
    Intent(
        "refactoring",
        (
            clause(
                "refactor|clean up|cleanup|rename",
                r"(?:^[ \t]*|\b" + ASK + r" )refactor(?:ing)?\b(?!\()|\brefactor(?:ing)? " + DET + r"|"
                r"\bclean ?up (?:the |this )?code\b|\brename \w+ (?:across|everywhere|throughout)\b",
            ),
            *more.REFACTORING,
        ),
        "refactor refactoring rename code",
    ),
    Intent(
        "auditing code",
        more.AUDITING,
        "audit code quality technical debt codebase health check analysis",
    ),
    Intent(
        "starting a project",
        more.STARTING,
        "start new project setup bootstrap scaffold structure tooling",
    ),
)

SCANNED = 4000  # the kinds are read in a task's first characters: the request, and the start of a paste


@cache
def _tokens(words: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokenize(words)))


# the kinds whose skill fits whatever the task is about (``Intent.any_topic``): the off-topic rule does
# not hold their skill (route.rank)
ANY_TOPIC = frozenset(intent.name for intent in INTENTS if intent.any_topic)


def intents_of(text: str) -> list[Intent]:
    """The kinds of work ``text`` asks for, in :data:`INTENTS` order."""
    head = text[:SCANNED].replace("’", "'")  # typed with smart punctuation, asked all the same
    lowered = head.lower()
    return [intent for intent in INTENTS if intent.found_in(head, lowered)]


def kinds_of_work(text: str) -> list[tuple[str, dict[str, float]]]:
    """The kinds of work ``text`` asks for: each one's name and its words with their weights."""
    return [(intent.name, dict.fromkeys(_tokens(intent.words), intent.weight)) for intent in intents_of(text)]
