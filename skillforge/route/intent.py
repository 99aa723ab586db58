"""What kind of work a task asks for, said in ordinary words: debugging, a code review, a plan to write
or to carry out, tests, an explanation of a codebase, a user interface's design, a refactoring.

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
    name: str  # as shown in a match's reasons: "the task asks for debugging"
    pattern: re.Pattern[str]
    words: str  # added to the query, tokenised as the index is
    weight: float = 1.0  # times KIND_WEIGHT


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.M)


_NOT = r"(?:does ?n[o'’]?t|don[’']?t|isn[’']?t|is not|not|stopped|won[’']?t|will not|can[’']?t|cannot)"
_DET = r"(?:the |this |that |my |our |these |all )"
# the same kinds in the languages most often met in public agent logs after English (Spanish, Portuguese,
# French, German, Russian, Chinese, Japanese): the words added are English, as skills are
_DEBUGGING_ELSEWHERE = (
    r"\b(?:(?:me )?(?:da|sale|aparece|tengo|salta) (?:un |este |el )?error|no funciona|"
    r"(?:d[áa]|deu|est[áa] dando) erro|n[ãa]o funciona|(?:j'ai|il y a) (?:une |cette )?erreur|ne (?:fonctionne|marche) pas|"
    r"(?:bekomme|habe|gibt) (?:einen |diesen |den )?fehler|funktioniert nicht|ошибк\w*|не работает)|"
    r"报错|出错|错误|不工作|无法运行|エラー|動かない"
)
_UNDERSTANDING_ELSEWHERE = (
    r"\b(?:(?:expl[ií]ca(?:me)?|explique(?:-moi)?|erkl[äa]re?(?: mir)?) (?:\w+ ){0,3}?(?:el |la |este |esta |o |a |le |ce |"
    r"cette |das |den |dieses |diesen )?(?:proyecto|projeto|projet|projekt|c[oó]digo|code|repositorio|reposit[oó]rio"
    r"|arquitectura|arquitetura|architecture|architektur)|de qu[eé] (?:trata|va) (?:el |este )?proyecto|"
    r"do que se trata|объясни\w* (?:\w+ )?(?:проект|код|архитектур)|что делает (?:этот )?(?:проект|код)|"
    r"о ч[её]м (?:этот )?проект)|"
    r"(?:这个|该)(?:项目|project|仓库|代码|repo)[^\n。？?]{0,6}(?:干什么|做什么|干嘛|是什么)|"
    r"解释(?:一下)?(?:这个)?(?:项目|代码|架构)|(?:项目|代码)(?:结构|架构)|このプロジェクトは|コードを説明"
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        "debugging",
        _p(
            r"\b(?:debug\w*|traceback|stack ?trace|panic:|segfault|segmentation fault|crash(?:es|ed)\b|crashing|"
            r"(?-i:[A-Z]\w*(?:Error|Exception)): \S|(?-i:error|Error|ERROR): \S|\bERR!|exception in thread|"
            r"(?:this|that|these|the following|following|an?) (?:\w+ )?(?:error|exception)s? (?:when|while|on|in|from)\b|"
            r"(?:this|that|these|the following|following) (?:\w+ )?(?:error|exception)s?\b|"
            r"(?:get|gets|getting|got|see|seeing|throws?|throwing|threw|raises?|raised|raising|"
            r"keeps? (?:getting|throwing)|there'?s|there is) (?:an? |this |the |that |some )?(?:\w+ )?(?:error|exception)s?\b|"
            + _NOT
            + r" (?:seem to |seems to )?(?:work|load|start|run|compile|build|connect)(?:ing|s)?\b|"
            r"(?:is|are|seems|looks|got|was) broken|buggy|"
            r"(?:a|the|this|that) bug (?:in|with|where|when)|fix (?:a|the|this|that) bug|"
            r"(?:it|this|that|build|\w*tests?\w*|ci|still|keeps?|now|always|sometimes|randomly) (?:is |are )?"
            r"fail(?:s|ing|ed)?\b|\bfailed\b|ci is red|exit (?:status|code) [1-9]|blocked by cors|unexpectedly|"
            r"unexpected (?:error|behaviou?r|result|output|token)|wrong (?:result|output|value|answer)s?|"
            r"(?:it|this|that|app|server|page) (?:hangs|freezes))|^--- FAIL\b|" + _DEBUGGING_ELSEWHERE
        ),
        "debugging bug failure unexpected behavior troubleshooting root cause",
    ),
    Intent(
        "carrying out a plan",
        # only at the start: the wrapper Claude Code writes around an approved plan, never a pasted heading
        _p(r"\A\s*(?:implement|execute|carry out|follow) (?:the|this) (?:following |attached )?plan\b"),
        "executing implementation plan plans tasks",
        3.0,  # written by the agent itself: a kind no reader can mistake
    ),
    Intent(
        "planning",
        _p(
            r"\b(?:(?:make|write|draft|propose|create|come up with|outline) (?:a |an |the )?"
            r"(?:(?:implementation|migration|action|project|detailed|technical|step[- ]by[- ]step) )?"
            r"(?:plan|design doc)\b(?! (?:for (?:teams|users|customers)|tier))|"
            r"plan (?:out|how)\b|(?:let'?s|please|help me) plan\b|how (?:should|would|could) (?:we|i) "
            r"(?:approach|structure|design)\b|implementation plan|break (?:it|this|that) down\b)"
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
            r"commits?|implementation)\b|(?:please |can you |could you )review\b|review this\s*(?:[.?!]|$)|"
            r"do a (?:\w+ )?code review|(?:look over|check) (?:my|the|these) changes\b)|"
            r"(?:^[ \t]*|<command-name>)/[\w:-]*review\b"
        ),
        "code review requesting reviewer",
    ),
    Intent(
        "addressing review feedback",
        _p(
            r"\b(?:(?:the|these|his|her|their|my|all|reviewer'?s?) review comments|"
            r"(?:address|resolve|fix|handle|respond to|work through|go through) (?:the |all |these |his |her |pr |review )*"
            r"(?:comments?|feedback|suggestions?)\b|pr (?:comments|feedback|issues)\b|bugbot)"
        ),
        "receiving code review feedback comments",
    ),
    Intent(
        "writing tests",
        _p(
            r"\b(?:(?:add|write|create|need|cover \w+(?: \w+)? with) "
            r"(?:a |an |some |more |the |unit |integration |e2e |regression |pytest |jest |go )*tests?\b"
            r"(?! (?:users?|data|accounts?|env\w*|servers?|db|databases?|files?|fixtures?)\b)|"
            r"test coverage|tdd|test[- ]driven|unit tests? for)"
        ),
        "test driven development tdd writing tests",
    ),
    Intent(
        "fixing failing tests",
        _p(
            r"\b(?:failing tests?|tests? (?:are |is )?(?:failing|fail|broken|red)|make (?:the )?tests? pass)|"
            r"^(?:--- FAIL|FAILED)\b"
        ),
        "fix failing tests test failures",
    ),
    Intent(
        "understanding a codebase",
        _p(
            r"\b(?:(?:overview|summary|tour|explanation) of (?:the |this |my |our )?(?:repo|repository|codebase|project|code"
            r"|app|application)|(?:summari[sz]e|describe) (?:the |this |my |our )(?:repo|repository|codebase|project|code"
            r"|app|architecture)|explain (?:how )?(?:the |this |my |our )?(?:repo|repository|codebase|project|architecture"
            r"|code|function|module|file|class|app)\b|how does (?:the |this |our |my )\w+(?: \w+)? work\b|"
            r"walk me through (?:the |this |my |our )(?:code|codebase|repo|repository|project|architecture)|"
            r"(?:what can you (?:say|tell me)|tell me) about (?:the |this |my )?(?:repo|repository|codebase|project|package"
            r"|code)|what (?:does|is) (?:this|the) (?:repo|repository|codebase|project|code|function|method|class|file"
            r"|module|app) (?:do|doing|for|about)\b|how is (?:this|the) (?:repo|repository|codebase|project|code) "
            r"(?:structured|organi[sz]ed|laid out)|(?:i'?m|i am) new to (?:this|the) (?:repo|repository|codebase|project"
            r"|code)|(?:understand|get familiar with|get to know) (?:the |this |my )?(?:repo|repository|codebase|project"
            r"|code))|" + _UNDERSTANDING_ELSEWHERE
        ),
        "understand codebase architecture explain how the system works documentation onboarding",
    ),
    Intent(
        "improving a user interface's design",
        _p(
            r"\b(?:make (?:it|(?:the|this|my|our) (?:\w+ )?(?:ui|page|site|app|website|design|layout|dashboard|form"
            r"|screen)) look (?:better|nicer"
            r"|modern|more \w+|good|great|professional|clean|prettier|beautiful)|(?:improve|polish|modernize|redesign"
            r"|revamp|refresh) (?:the |this |my |our )?(?:ui|ux|design|styling|look|layout|landing page|website|frontend"
            r"|interface)\b|(?:ui|ux) (?:improvements|redesign|polish)|looks? (?:ugly|outdated|dated|boring|bad))"
        ),
        "frontend visual design ui interface styling typography aesthetic",
    ),
    Intent(
        "refactoring",
        _p(
            r"(?:^[ \t]*|\b(?:please|can you|could you|let'?s|help me|i want to|we need to|need to) )"
            r"refactor(?:ing)?\b|\brefactor(?:ing)? " + _DET + r"|\bclean ?up (?:the |this )?code\b|"
            r"\brename \w+ (?:across|everywhere|throughout)\b"
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
