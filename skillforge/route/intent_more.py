"""The kinds of work as real prompts ask for them beyond the first clauses of :mod:`skillforge.route.intent`:
a problem described rather than an error pasted ("Find out why that is", "got white screen with errors
in console", "the units are not firing"), a plan asked for with what it is for ("Create a plan to create
a CLI script", "plan implementing the maxWait property", "discuss the plan before building anything"),
a design talked through ("by you asking me questions", "the trade-offs"), a project to read ("study the
backend project", "look at the project and tell me what you see"), code to audit ("analyse the code in
cube.py", "check all files in this project"), a project to start ("set up a FastAPI application
foundation", "a minimal Vite React app") and code to restructure ("make it more modular").

Found on the tuning half of real developer prompts (docs/routing.md, "Real prompts, a third pair"), each
written as a request or a report: a spec's "a subscription plan to upgrade", "error handling" or "users
can't edit other users' posts" is none. Patterns only, lowercase; the tests hold the shapes."""

from __future__ import annotations

from skillforge.route.clause import LEAD, NOT_A_THING

# a problem described: the work is to find its cause
DEBUGGING = (
    r"\b(?:find|figure|work) out why\b|\b(?:investigate|look into|check) why\b|\bwhy is (?:this|that)(?: happening)?\s*\?|"
    r"\b(?:an? |the |this |that )?errors? (?:occurs?|occurred|occurring|appears?|appeared|shows? up|pops? up)\b|"
    r"\b(?:with|see|seeing|got|get|getting|there (?:are|is)|throws?|throwing|many|some|these|those) (?:an? |some |many "
    r"|the |these )?errors? in (?:the |my )?(?:browser |dev ?tools )?console\b|"
    r"\b(?:got|get|getting|gets|see|seeing|just|only|it shows|shows me) (?:a |an |the )?(?:white|blank) (?:screen|page)\b|"
    r"\b(?:is|are|was|were)(?:n[’']?t| not) (?:\w+ )?(?:working|showing|loading|firing|displaying|appearing|updating"
    r"|saving|spawning|rendering|triggering|responding|playing)\b|"
    r"\bnot (?:fir|show|load|display|appear|render|updat|sav|spawn|trigger|respond)e?ing (?:at|on|in|when|after|anymore"
    r"|correctly|properly)\b"
)
DEBUGGING_CUES = "why|error|screen|page|not |n't |n’t "

# a subscription, a meal or a lesson plan is a product's feature, not a plan of work
_NOT_A_WORK_PLAN = (
    r"(?!(?:subscription|pricing|premium|paid|free|basic|pro|monthly|yearly|annual|data|meal|workout|training|diet"
    r"|floor|seating|lesson|study|business|marketing|content|email|sales|savings|payment|insurance|phone|family"
    r"|team|enterprise|starter|trial|travel|treatment|care|exercise|fitness|nutrition)\b)"
)
PLANNING = (
    LEAD
    + r"(?:create|make|write|draft|prepare|give me|put together|devise|come up with|propose) (?:a |an |the |me a |me an )?"
    + _NOT_A_WORK_PLAN
    + r"(?:[\w-]+ ){0,2}plan (?:to|that|which|for how)\b|"
    + LEAD
    + r"plan (?:implementing|building|adding|creating|migrating|refactoring|rewriting|developing|integrating)\b|"
    r"\b(?:discuss|go over|talk through) (?:the |your |this |a )?plan\b(?! (?:tiers?|prices?|pricing|features?|pages?)\b)|"
    r"\b(?:plan|discuss|think|talk)\b[^.\n]{0,40}\bbefore (?:building|coding|implementing|writing (?:any )?code|touching "
    r"(?:any |the )?code|we (?:build|start|code)|you (?:build|start|code))\b"
)
PLANNING_CUES = "plan|before "

BRAINSTORMING = (
    r"\bask(?:ing)? me (?:some |a few |any |more )?(?:clarifying |follow[- ]up )?questions\b|"
    r"\b(?:think|talk) (?:about|through) (?:the |some |any )?(?:\w+ ){0,2}?(?:trade-?offs|pros and cons|options"
    r"|alternatives)\b|\b(?:what are|discuss|weigh|consider) (?:the |some )?(?:possible |main )?(?:trade-?offs"
    r"|pros and cons)\b|\b(?:let'?s|i'?d like to|i want to|we should|can we) (?:first )?(?:discuss|think (?:about"
    r"|through)|talk (?:about|through))\b"
)
BRAINSTORMING_CUES = "question|think|talk|trade|pros and cons|discuss"

_A_PROJECT = r"(?:the |this |my |our )?(?:entire |whole |current |existing )?(?:repo|repository|codebase|code base|project)"
UNDERSTANDING = (
    r"\b(?:study|explore|familiari[sz]e yourself with|read through|look (?:at|through)|check out|go through) "
    + _A_PROJECT
    + r"(?: \w+)?\b(?! (?:and|to|then) (?:fix|add|implement|create|build|update|change|make|write|remove|refactor)\b)|"
    r"\bunderstand (?:the )?(?:structure|architecture|layout|organi[sz]ation) of\b|"
    r"\b(?:state|status) of (?:the |this |my |our )(?:project|repo|repository|codebase)\b|"
    r"\b(?:mira|revisa|analiza|estudia) (?:el|este|mi) (?:proyecto|c[oó]digo|repositorio)\b|"
    r"\b(?:olha|analisa|estuda) (?:o|este|meu) (?:projeto|c[oó]digo|reposit[oó]rio)\b|"
    r"\b(?:pelajari|pahami|lihat) (?:project|proyek|projek|kode|codebase)\b|"
    r"看看(?:目前|当前|这个|现在)?的?项目|了解(?:一下)?(?:这个|当前|目前)?的?项目"
)
UNDERSTANDING_CUES = (
    "study|explore|familiari|read through|look at|look through|check out|go through|understand|state of|status of|"
    "mira|revisa|analiza|estudia|olha|analisa|estuda|pelajari|pahami|lihat|项目"
)

AUDITING = (
    r"\b(?:check|improve|review|assess|evaluate|report on|analy[sz]e) (?:the |our |my )?code quality\b|"
    r"\bcode quality (?:review|audit|check|report|issues)\b|"
    r"\b(?:find|identify|reduce|list|assess|audit|review) (?:the |any |our |all )?tech(?:nical)? debt\b|"
    r"\b(?:find|identify|fix|remove|spot|look for) (?:any |the |all )?code smells?\b|"
    r"\b(?:audit|health[- ]check) (?:of )?"
    + _A_PROJECT
    + r"\b(?!['’]s)|\baudit (?:all |the |this |my )?code\b|"
    r"\b(?:remove|find|eliminate) (?:any |all )?(?:duplication|duplicated code|dead code|repetition)\b|"
    + LEAD
    + r"(?:[^.\n,]{0,40}, )?(?:check (?:all|every|each) (?:the |of the )?files?\b|"
    r"analy[sz]e (?:the |this |my |our )?(?:entire |whole )?(?:code|codebase|code base|project|files)\b)|"
    r"\ban[aá]lisis de (?:los |las )?(?:archivos|c[oó]digo|proyecto)|\ban[aá]lise d[oe] (?:c[oó]digo|projeto)\b|"
    r"\bcek semua (?:file|kode)\b"
)
AUDITING_CUES = (
    "quality|debt|smell|audit|health|duplicat|dead code|repetition|check|analy|análi|anali|cek semua"
)

# what is started: a project or an application, not a service, a page or a component
_APP = r"(?:project|app|application|repo|repository|monorepo|workspace|website|web app|webapp)"
STARTING = (
    r"\b(?:build|create|start|make|write|develop|redo|rebuild) (?:this |the |my |our |a |an |it )?(?:[\w.+-]+ ){0,2}?"
    r"(?:project|app|application|website|site|game|it) from scratch\b|\bstart(?:ing)? (?:over )?from scratch\b|"
    r"\b(?:scaffold|bootstrap|initiali[sz]e) (?:a |an |the |my |our )?(?:new )?(?:[\w.+-]+ ){0,2}"
    + _APP
    + r"\b|\b(?:application|app|project) (?:foundation|skeleton|scaffold(?:ing)?|boilerplate)\b|"
    r"\b(?:boilerplate|skeleton|scaffold(?:ing)?) (?:for|of) (?:a |an |the |my )?(?:new )?(?:[\w.+-]+ ){0,2}"
    + _APP
    + r"\b|\bset ?up (?:a |an )(?:new |basic |minimal |fresh )?(?:[\w.+-]+ ){0,2}"
    + _APP
    + r"\b|"
    + LEAD
    + r"(?:(?:i want to|let'?s|help me|please) )?(?:create|build|make|start|generate) (?:a |an |me a |me an )"
    r"(?:new|minimal|basic|simple|fresh|empty|blank|bare[- ]bones) (?:[\w.+-]+ ){0,2}"
    + _APP
    + r"\b"
    + NOT_A_THING
)
STARTING_CUES = (
    "scratch|scaffold|bootstrap|initiali|foundation|skeleton|boilerplate|set up|setup|new|minimal|basic|simple|fresh|"
    "empty|blank|bare"
)

REFACTORING = (
    r"\b(?:more|less) (?:modular|maintainable|object[- ]oriented)\b|"
    r"\b(?:revamp|restructure|reorgani[sz]e|rearchitect|re-architect) (?:my |the |this |our )?(?:entire |whole )?"
    r"(?:code ?base|code|architecture|backend|modules?)\b|"
    r"\bhexagonal (?:architecture|arquitectura|design|layers?)\b|\b(?:sea|be|make it|in|into|to) hexagonal\b|"
    r"\bports and adapters\b|\b(?:to|into|follow|use) clean architecture\b"
)
REFACTORING_CUES = (
    "modular|maintainable|object|revamp|restructur|reorgani|rearchitect|re-architect|hexagonal|ports and adapters|"
    "clean architecture"
)
