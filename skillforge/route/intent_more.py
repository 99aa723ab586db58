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
can't edit other users' posts" is none. Patterns only, lowercase; the tests hold the shapes, and code to
restructure and a feature list worked through ("Find the next feature where passes is false") too.
Each alternative is its own clause with narrow cues (``also``: a second word every match holds), so that
the many tasks that ask for none of this pay a few substring tests, not a search."""

from __future__ import annotations

from skillforge.route.clause import LEAD, NOT_A_THING, clause, cue_pairs

# a problem described: the work is to find its cause
DEBUGGING = (
    clause(
        "out why|investigate why|into why|check why|why is this|why is that",
        r"\b(?:find|figure|work) out why\b|\b(?:investigate|look into|check) why\b|"
        r"\bwhy is (?:this|that)(?: happening)?\s*\?",
    ),
    clause(
        "error",
        r"\b(?:an? |the |this |that )?errors? (?:occurs?|occurred|occurring|appears?|appeared|shows? up|pops? up)\b|"
        r"\b(?:with|see|seeing|got|get|getting|there (?:are|is)|throws?|throwing|many|some|these|those) (?:an? |some "
        r"|many |the |these )?errors? in (?:the |my )?(?:browser |dev ?tools )?console\b",
        also="occur|appear|shows up|show up|pops up|pop up|console",
    ),
    clause(
        "white screen|white page|blank screen|blank page",
        r"\b(?:got|get|getting|gets|see|seeing|just|only|it shows|shows me) (?:a |an |the )?(?:white|blank) (?:screen"
        r"|page)\b",
    ),
    clause(
        "n't |n’t | not ",
        r"\b(?:is|are|was|were)(?:n[’']?t| not) (?:\w+ )?(?:working|showing|loading|firing|displaying|appearing"
        r"|updating|saving|spawning|rendering|triggering|responding|playing)\b|"
        r"\bnot (?:fir|show|load|display|appear|render|updat|sav|spawn|trigger|respond)e?ing (?:at|on|in|when|after"
        r"|anymore|correctly|properly)\b",
        also="ing",
    ),
)

# the work not yet started: "before you get to implementation", "before building anything"
_IMPLEMENTING = (
    r"(?:you |we )?(?:get to |start (?:on )?|begin )?(?:the |any )?(?:implement\w*|coding|building|writing (?:any )?code"
    r"|touching (?:any |the )?code|(?:we|you) (?:build|start|code))\b"
)
# a subscription, a meal or a lesson plan is a product's feature, not a plan of work (each word before
# "plan" is checked: an optional article skipped must not let "a subscription plan" through)
_NOT_A_WORK_PLAN = (
    r"(?!(?:subscription|pricing|premium|paid|free|basic|pro|monthly|yearly|annual|data|meal|workout|training|diet"
    r"|floor|seating|lesson|study|business|marketing|content|email|sales|savings|payment|insurance|phone|family"
    r"|team|enterprise|starter|trial|travel|treatment|care|exercise|fitness|nutrition)\b)"
)
PLANNING = (
    clause(
        "plan to|plan that|plan which|plan for how",
        LEAD
        + r"(?:create|make|write|draft|prepare|give me|put together|devise|come up with|propose) (?:a |an |the |me a "
        r"|me an )?(?:" + _NOT_A_WORK_PLAN + r"[\w-]+ ){0,2}plan (?:to|that|which|for how)\b",
    ),
    clause(
        cue_pairs(
            "plan",
            "implementing|building|adding|creating|migrating|refactoring|rewriting|developing|integrating",
        ),
        LEAD
        + r"plan (?:implementing|building|adding|creating|migrating|refactoring|rewriting|developing|integrating)\b",
    ),
    clause(
        "discuss|go over|talk through",
        r"\b(?:discuss|go over|talk through) (?:the |your |this |a )?plan\b(?! (?:tiers?|prices?|pricing|features?"
        r"|pages?)\b)",
        also="plan",
    ),
    clause("plan", r"\bplan\b[^.\n]{0,40}\bbefore " + _IMPLEMENTING, also="before "),
    clause(
        "the steps",
        r"\b(?:what|tell me|list|outline|describe|give me) (?:are |would be )?the steps (?:you(?:'d| would)"
        r"|we(?:'d| would)|needed|required|i (?:need|should)|to)\b",
    ),
)

BRAINSTORMING = (
    clause(
        "me questions|me some questions|me a few questions|me any questions|me more questions|clarifying questions",
        r"\bask(?:ing)? me (?:some |a few |any |more )?(?:clarifying |follow[- ]up )?questions\b",
    ),
    clause(
        "trade|pros and cons|options|alternatives",
        r"\b(?:think|talk) (?:about|through) (?:the |some |any )?(?:\w+ ){0,2}?(?:trade-?offs|pros and cons|options"
        r"|alternatives)\b|\b(?:what are|discuss|weigh|consider) (?:the |some )?(?:possible |main )?(?:trade-?offs"
        r"|pros and cons)\b",
        also="think|talk|what are|discuss|weigh|consider",
    ),
    clause(
        "discuss|think about|think through|talk about|talk through",
        r"\b(?:let'?s|i'?d like to|i want to|we should|can we) (?:first )?(?:discuss|think (?:about|through)|talk "
        r"(?:about|through))\b",
        also="let|like to|want to|should|can we",
    ),
    clause(
        "discuss|think|talk",
        r"\b(?:discuss|think|talk)\b[^.\n]{0,40}\bbefore " + _IMPLEMENTING,
        also="before ",
    ),
)

_A_PROJECT = (
    r"(?:the |this |my |our )?(?:entire |whole |current |existing )?(?:[\w-]+ )?(?:repo|repository|codebase|code base"
    r"|project)"
)
_PROJECT_CUES = "repo|codebase|code base|project"
UNDERSTANDING = (
    clause(
        "study|explore|familiari|read through|look at|look through|check out|go through",
        r"\b(?:study|explore|familiari[sz]e yourself with|read through|look (?:at|through)|check out|go through) "
        + _A_PROJECT
        + r"\b(?!(?: [\w-]+)? (?:and|to|then) (?:fix|add|implement|create|build|update|change|make|write|remove"
        r"|refactor)\b)",
        also=_PROJECT_CUES,
    ),
    clause(
        "understand the|understand structure|understand architecture|understand layout|understand organi",
        r"\bunderstand (?:the )?(?:structure|architecture|layout|organi[sz]ation) of\b",
    ),
    clause(
        "state of|status of",
        r"\b(?:state|status) of (?:the |this |my |our )(?:project|repo|repository|codebase)\b",
    ),
    clause(
        "explain",
        r"\bexplain (?:the |this |my |our )?(?:[\w-]+ ){0,3}?(?:structure|architecture)\b(?! (?:section|diagram"
        r"|docs?)\b)",
        also="structure|architecture",
    ),
    clause(
        "read|study|scan",
        r"\b(?:read|study|scan) (?:the |this |my |our )?(?:entire |whole )?(?:repo|repository|codebase|code base"
        r"|project) and (?:explain|summari[sz]e|describe|tell)\b",
        also="and explain|and summari|and describe|and tell",
    ),
    clause(
        "mira|revisa|analiza|estudia|olha|analisa|estuda|pelajari|pahami|lihat",
        r"\b(?:mira|revisa|analiza|estudia) (?:el|este|mi) (?:proyecto|c[oó]digo|repositorio)\b|"
        r"\b(?:olha|analisa|estuda) (?:o|este|meu) (?:projeto|c[oó]digo|reposit[oó]rio)\b|"
        r"\b(?:pelajari|pahami|lihat) (?:project|proyek|projek|kode|codebase)\b",
    ),
    clause("项目", r"看看(?:目前|当前|这个|现在)?的?项目|了解(?:一下)?(?:这个|当前|目前)?的?项目"),
)

AUDITING = (
    clause(
        "code quality|debt|code smell",
        r"\b(?:check|improve|review|assess|evaluate|report on|analy[sz]e) (?:the |our |my )?code quality\b|"
        r"\bcode quality (?:review|audit|check|report|issues)\b|"
        r"\b(?:find|identify|reduce|list|assess|audit|review) (?:the |any |our |all )?tech(?:nical)? debt\b|"
        r"\b(?:find|identify|fix|remove|spot|look for) (?:any |the |all )?code smells?\b",
    ),
    clause(
        "audit|health",
        r"\b(?:audit|health[- ]check) (?:of )?"
        + _A_PROJECT
        + r"\b(?!['’]s)|\baudit (?:all |the |this |my )?code\b",
        also="code|repo|project",
    ),
    clause(
        "duplicat|dead code|repetition",
        r"\b(?:remove|find|eliminate) (?:any |all )?(?:duplication|duplicated code|dead code|repetition)\b",
    ),
    clause(
        "check all|check every|check each|analy",
        LEAD
        + r"(?:[^.\n,]{0,40}, )?(?:check (?:all|every|each) (?:the |of the )?files?\b|analy[sz]e (?:the |this |my |our )?"
        r"(?:entire |whole )?(?:code|codebase|code base|project|files)\b)",
        also="file|code|project",
    ),
    clause(
        "lisis de|lise d|cek semua",
        r"\ban[aá]lisis de (?:los |las )?(?:archivos|c[oó]digo|proyecto)|\ban[aá]lise d[oe] (?:c[oó]digo|projeto)\b|"
        r"\bcek semua (?:file|kode)\b",
    ),
)

# what is started: a project or an application, not a service, a page or a component
_APP = r"(?:project|app|application|repo|repository|monorepo|workspace|website|web app|webapp)"
_APP_CUES = "project|app|repo|workspace|website"
STARTING = (
    clause(
        "from scratch",
        r"\b(?:build|create|start|make|write|develop|redo|rebuild) (?:this |the |my |our |a |an |it )?(?:[\w.+-]+ )"
        r"{0,2}?(?:project|app|application|website|site|game|it) from scratch\b|\bstart(?:ing)? (?:over )?from scratch\b",
    ),
    clause(
        "scaffold|bootstrap|initiali|foundation|skeleton|boilerplate",
        r"\b(?:scaffold|bootstrap|initiali[sz]e) (?:a |an |the |my |our )?(?:new )?(?:[\w.+-]+ ){0,2}"
        + _APP
        + r"\b|"
        r"\b(?:application|app|project) (?:foundation|skeleton|scaffold(?:ing)?|boilerplate)\b|"
        r"\b(?:boilerplate|skeleton|scaffold(?:ing)?) (?:for|of) (?:a |an |the |my )?(?:new )?(?:[\w.+-]+ ){0,2}"
        + _APP
        + r"\b",
        also=_APP_CUES,
    ),
    clause(
        "set up a|setup a|set up an|setup an",
        r"\bset ?up (?:a |an )(?:new |basic |minimal |fresh )?(?:[\w.+-]+ ){0,2}" + _APP + r"\b",
        also=_APP_CUES,
    ),
    clause(
        cue_pairs("a|an", "new|minimal|basic|simple|fresh|empty|blank|bare"),
        LEAD
        + r"(?:(?:i want to|let'?s|help me|please) )?(?:create|build|make|start|generate) (?:a |an |me a |me an )"
        r"(?:new|minimal|basic|simple|fresh|empty|blank|bare[- ]bones) (?:[\w.+-]+ ){0,2}"
        + _APP
        + r"\b"
        + NOT_A_THING,
        also=_APP_CUES,
    ),
)

REFACTORING = (
    clause(
        "more modular|less modular|more maintainable|more object|revamp|restructur|reorgani|rearchitect|re-architect",
        r"\b(?:more|less) (?:modular|maintainable|object[- ]oriented)\b|"
        r"\b(?:revamp|restructure|reorgani[sz]e|rearchitect|re-architect) (?:my |the |this |our )?(?:entire |whole )?"
        r"(?:code ?base|code|architecture|backend|modules?)\b",
    ),
    clause(
        "hexagonal|ports and adapters|clean architecture",
        r"\bhexagonal (?:architecture|arquitectura|design|layers?)\b|\b(?:sea|be|make it|in|into|to) hexagonal\b|"
        r"\bports and adapters\b|\b(?:to|into|follow|use) clean architecture\b",
    ),
)

# a list of features worked through one at a time, as loop prompts ask ("Find the next feature where
# passes is false", "implement the next step feature from prd.md", "Baca plan.md terlebih dahulu")
TASK_LIST = (
    clause(
        "next feature|next step feature|next story|next user story|next ticket|first feature|first story"
        "|first ticket|first user story|next unfinished|next incomplete|next open|next pending",
        LEAD
        + r"(?:implement|find|pick|take|start|do|work on|build) (?:the )?(?:logical |highest[- ]priority |most important )?"
        r"(?:next|first) (?:step )?(?:unfinished |incomplete |open |pending )?(?:feature|user story|story|ticket)\b"
        r"(?! (?:flags?|requests?|toggles?|buttons?|pages?)\b)",
    ),
    clause(
        "work through",
        r"\bwork through (?:each|every|all|the) (?:of the )?(?:features|stories|user stories|tickets|tasks|items)\b",
    ),
    clause(
        "plan.|prd.|todo.|tasks.|roadmap.|tracker.",
        r"\b(?:read|follow|implement|execute|study|baca|ikuti|sigue|lee)\b[^\n]{0,24}?[\w/.-]*\b(?:plan|prd|todo|tasks"
        r"|roadmap|tracker)\.(?:md|json|txt)\b",
    ),
)
