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
can't edit other users' posts" is none. Most clauses ask where the request stands: at the start of a
line or sentence, after "please", "can you", "help me" (``clause.LEAD``), or as the end of what is asked
(the project read, then a full stop or "and tell me"); a problem reported is never one after "if",
"when" or "in case" ("Add a placeholder when images are not loading" is a spec). Patterns only,
lowercase; the tests hold the shapes and the specs, and code to restructure and a feature list worked
through ("Find the next feature where passes is false") too.
Each alternative is its own clause with narrow cues (``also``: a second word every match holds), so that
the many tasks that ask for none of this pay a few substring tests, not a search."""

from __future__ import annotations

from skillforge.route.clause import LEAD, clause, cue_pairs

# where a reported problem's clause starts, and up to five words before its verb, none of them a
# condition: "the sprites are not spawning" is a report, "Add a placeholder when images are not
# loading" a spec
_REPORT = (
    r"(?:^[ \t>*-]*|[.!?;:(] *|, *(?:but |and |so )?|\b(?:but|and|also|still|now|because|since) )"
    r"(?:(?!(?:if|when|whenever|while|unless|until|once|whether|for|in case|so that|to)\b)[\w'-]+ ){0,5}?"
)
_FAILING = (
    r"(?:is|are|was|were)(?:n'?t| not) (?:\w+ )?(?:working|showing|loading|firing|displaying|appearing|updating"
    r"|saving|spawning|rendering|triggering|responding|playing)\b|"
    r"not (?:fir|show|load|display|appear|render|updat|sav|spawn|trigger|respond)e?ing (?:at|on|in|when|after"
    r"|anymore|correctly|properly)\b"
)

# a problem described: the work is to find its cause
DEBUGGING = (
    clause(
        "out why|investigate why|into why|check why",
        r"(?:"
        + LEAD
        + r"|\bto |\band )(?:(?:try|trying) to )?(?:find out|figure out|work out|investigate|look into"
        r"|check) why\b",
    ),
    clause("why is this|why is that", r"\bwhy is (?:this|that)(?: happening)?\s*\?"),
    clause(
        "error",
        r"(?:^[ \t>*-]*|[.!?] +)(?:an? |the |this |that |some )?errors? (?:occurs?|occurred|occurring|appears?"
        r"|appeared|shows? up|pops? up)\b|"
        r"\b(?<!no )(?:with|see|seeing|got|get|getting|i have|there are|throws|throwing) (?:an? |some |many |lots of "
        r"|the |these )?errors? in (?:the |my )?(?:browser |dev ?tools )?console\b",
        also="occur|appear|shows up|show up|pops up|pop up|console",
    ),
    clause(
        "white screen|white page|blank screen|blank page",
        r"(?<!n't )(?<!not )(?<!just )\b(?:got|get|getting|gets|see|seeing|it shows|shows me) (?:a |an |the )?(?:white"
        r"|blank) (?:screen|page)\b",
    ),
    clause(
        "n't |isnt|arent|wasnt|werent|not ",
        _REPORT + r"(?:" + _FAILING + r")",
        also="work|show|load|fir|display|appear|updat|sav|spawn|render|trigger|respond|play",
    ),
)

# the work not yet started: "before you get to implementation"
_IMPLEMENTING = (
    r"(?:you |we )?(?:get to |start (?:on )?|begin )?(?:the |any )?(?:implement\w*|coding|building|writing (?:any )?code"
    r"|touching (?:any |the )?code)\b"
)
# what a plan of work is called ("a detailed plan", "a 3 stage plan"): a Gold, Stripe or meal plan is a
# product's feature, not a plan of work
_PLAN_WORDS = (
    r"(?:(?:detailed|thorough|step[- ]by[- ]step|implementation|migration|phased|multi[- ]?phased?|\d+[- ]?(?:stage"
    r"|phase|step)|(?:two|three|four|five)[- ](?:stage|phase|step)|high[- ]level|technical|project|action|development"
    r"|work|refactoring|testing|rollout|concrete|clear|short|simple|full|complete|comprehensive) ){0,2}"
)
PLANNING = (
    clause(
        "plan to|plan that|plan which|plan for how",
        LEAD
        + r"(?:create|make|write|draft|prepare|give me|put together|devise|come up with|propose) (?:a |an |the |me a "
        r"|me an )?" + _PLAN_WORDS + r"plan (?:to|that|which|for how)\b",
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
        r"(?:"
        + LEAD
        + r"|\blet me )(?:first )?(?:discuss|go over|talk through) (?:the |your |this |a )?plan\b"
        r"(?! (?:tiers?|prices?|pricing|features?|pages?)\b)",
        also="plan",
    ),
    clause(
        "the steps",
        r"\b(?:what|tell me|list|outline|describe|give me) (?:are |would be )?the steps (?:you(?:'d| would)"
        r"|we(?:'d| would))\b",
    ),
)

# what is talked through: a design's options, not "something else" or "the API in the PR description"
_A_DESIGN = (
    r"(?:how|what|whether|which|(?:the |our |my |some |a few )?(?:options|approach|approaches|design|architecture|plan"
    r"|ideas?|trade-?offs|alternatives|requirements))\b"
)
_WE_ASK = (
    r"(?:"
    + LEAD
    + r"|\b(?:help (?:me|us)|let's|lets|can we|i want to|i'd like to|we need to|we can|i can|let me) )"
)
BRAINSTORMING = (
    clause(
        "ask me|asking me",
        r"(?:"
        + LEAD
        + r"(?:first )?|\bby (?:you )?|\byou (?:can |should |could )?)ask(?:ing)? me (?:some |a few |any "
        r"|more )?(?:clarifying |follow[- ]up )?questions\b",
        also="question",
    ),
    clause(
        "trade|pros and cons|options|alternatives",
        _WE_ASK
        + r"(?:also )?(?:think|talk) (?:about|through) (?:the |some |any )?(?:\w+ ){0,2}?(?:trade-?offs|pros and cons"
        r"|options|alternatives)\b|\b(?:what are|discuss|weigh|consider) (?:the |some )?(?:possible |main )?"
        r"(?:trade-?offs|pros and cons)\b",
        also="think|talk|what are|discuss|weigh|consider",
    ),
    clause(
        "discuss|think about|think through|talk about|talk through",
        r"\b(?:let's|lets|i'd like to|i want to|can we) (?:first )?(?:discuss|talk (?:about|through)|think (?:through"
        r"|about)) " + _A_DESIGN,
        also="let|like to|want to|can we",
    ),
    clause(
        "discuss|talk",
        _WE_ASK + r"(?:first )?(?:discuss|talk (?:about|through))\b[^.\n]{0,30}\bbefore " + _IMPLEMENTING,
        also="before ",
    ),
)

_A_PROJECT = (
    r"(?:the |this |my |our )?(?:entire |whole |current |existing )?(?:[\w-]+ )?(?:repo|repository|codebase|code base"
    r"|project)"
)
_PROJECT_CUES = "repo|codebase|code base|project"
# the project read is what is asked: then the request ends, or asks what was seen
_THEN_TELL = (
    r"(?=\s*(?:[.!?,;:\n]|$)|\s+(?:and|then) (?:tell|explain|summari[sz]e|describe|give|let me know|understand|learn"
    r"|get (?:familiar|to know))|\s+to (?:understand|learn|get familiar))"
)
UNDERSTANDING = (
    clause(
        "study|explore|familiari|read through|look at|look through|go through",
        r"\b(?:study|explore|familiari[sz]e yourself with|read through|look (?:at|through)|go through) "
        + _A_PROJECT
        + r"\b(?:\s+(?:in|at|under) \S+)?"
        + _THEN_TELL,
        also=_PROJECT_CUES,
    ),
    clause(
        "understand the|understand structure|understand architecture|understand layout|understand organi",
        r"\bunderstand (?:the )?(?:structure|architecture|layout|organi[sz]ation) of (?:the |this |my |our )?(?:[\w-]+ )?"
        r"(?:project|codebase|code base|repo|repository|app|application|code)\b",
    ),
    clause(
        "state of|status of",
        r"\b(?:what(?:'s| is) the|tell me the|check the|review the|give me the|summari[sz]e the) (?:current )?(?:state"
        r"|status) of (?:the |this |my |our )(?:project|repo|repository|codebase)\b",
    ),
    clause(
        "explain",
        r"\bexplain (?:to me )?(?:the |this |my |our )?(?:overall |high[- ]level |current |whole )?(?:[\w-]+ ){0,2}?"
        r"(?:application|app|project|code|codebase|repo|repository|system) (?:structure|architecture)\b|"
        r"\bexplain (?:to me )?(?:the |this )?(?:structure|architecture) of (?:the |this |my |our )?(?:[\w-]+ )?"
        r"(?:project|codebase|code base|repo|repository|app|application|code)\b",
        also="structure|architecture",
    ),
    clause(
        "read|study|scan",
        r"\b(?:read|study|scan) (?:the |this |my |our )?(?:entire |whole )?(?:repo|repository|codebase|code base"
        r"|project) and (?:explain|summari[sz]e|describe|tell)\b(?! (?:me )?why\b)",
        also="and explain|and summari|and describe|and tell",
    ),
    clause(
        "mira|revisa|analiza|estudia|olha|analisa|estuda",
        r"\b(?:mira|revisa|analiza|estudia) (?:el|este|mi) (?:proyecto|c[oó]digo|repositorio)\b(?=\s*(?:[.!?,;:\n]|$)|"
        r" y (?:dime|expl[ií]ca|cu[eé]ntame|describe|resume))|"
        r"\b(?:olha|analisa|estuda) (?:o|este|meu) (?:projeto|c[oó]digo|reposit[oó]rio)\b(?=\s*(?:[.!?,;:\n]|$)|"
        r" e (?:me )?(?:diga|explica|explique|descreva|conta))",
    ),
    clause("pelajari|pahami", r"\b(?:pelajari|pahami) (?:project|proyek|projek|kode|codebase)\b"),
    clause("看看", r"看看(?:目前|当前|这个|现在)?的?项目"),
)

# the code read for its quality is what is asked: then the request ends or says what to do with it
_THEN_IMPROVE = (
    r"(?:\s+in [\w./-]+)?(?=\s*(?:[.!?,;:\n]|$)|\s+(?:and|then) (?:tell|give|suggest|find|list|report|improve|optimi"
    r"[sz]e|remove|refactor|clean))"
)
AUDITING = (
    clause(
        "code quality|debt|code smell",
        r"\b(?:check|improve|review|assess|evaluate|report on|analy[sz]e) (?:the |our |my )?code quality\b|"
        r"\bcode quality (?:review|audit|check|report|issues)\b|"
        + LEAD
        + r"(?:find|identify|reduce|list|assess|audit|review) (?:the |any |our |all )?tech(?:nical)? debt\b|"
        + LEAD
        + r"(?:find|identify|fix|remove|spot|look for) (?:any |the |all )?code smells?\b",
    ),
    clause(
        "audit",
        LEAD + r"audit (?:of )?(?:" + _A_PROJECT + r"\b(?!'s)|(?:all |the |this |my )?code\b)",
        also="code|repo|project",
    ),
    clause(
        "check all|check every|check each|analy",
        LEAD
        + r"(?:[^.\n,]{0,40}, )?(?:check (?:all|every|each) (?:the |of the )?files?\b|analy[sz]e (?:the |this |my |our )?"
        r"(?:entire |whole )?(?:code|codebase|code base|project)\b" + _THEN_IMPROVE + r")",
        also="file|code|project",
    ),
    clause(
        "lisis|lise|cek semua",
        r"\b(?:haz|hazme|realiza|haga|fa[çc]a|fazer)(?: me)? (?:un |uma |um )?an[aá]lis[ie]s? d[eo] (?:los |las |o |a )?"
        r"(?:archivos|c[oó]digo|proyecto|projeto)|\bcek semua (?:file|kode)\b",
    ),
)

# what is started: a project or an application, not a service, a page, a component or an app password
_APP = r"(?:project|app|application|repo|repository|monorepo|workspace|website|web app|webapp)"
_APP_CUES = "project|app|repo|workspace|website"
_NOT_A_NEW_APP = (
    r"(?! (?:password|passwords|keys?|tokens?|ids?|secrets?|icons?|store|state|settings|registration|called|named"
    r"|inside|within|button|link|page|screen|modal)\b)"
)
_ASKING = r"(?:(?:i want to|i'd like to|i need to|let's|help me|please) )?"
STARTING = (
    clause(
        "from scratch",
        LEAD
        + _ASKING
        + r"(?:build|create|start|make|write|develop|redo|rebuild) (?:this |the |my |our |a |an |it )?(?:[\w.+-]+ )"
        r"{0,2}?(?:project|app|application|website|site|game|it) from scratch\b",
    ),
    clause(
        "foundation|skeleton|boilerplate|scaffold",
        LEAD
        + _ASKING
        + r"(?:set ?up|create|build|make|generate|give me|write) (?:a |an |the |me a |me an )?(?:new |basic |minimal )?"
        r"(?:[\w.+-]+ ){0,2}(?:application|app|project) (?:foundation|skeleton|scaffold(?:ing)?|boilerplate)\b",
        also=_APP_CUES,
    ),
    clause(
        "scaffold|bootstrap",
        LEAD
        + _ASKING
        + r"(?:scaffold|bootstrap) (?:a |an )(?:new )?(?:[\w.+-]+ ){0,2}"
        + _APP
        + r"\b"
        + _NOT_A_NEW_APP,
        also=_APP_CUES,
    ),
)

# the code restructured is what is asked: then the request ends or says how
_THEN_HOW = r"(?=\s*(?:[.!?,;:\n]|$)|\s+(?:to|into|so|and|with|for|using|in order)\b)"
REFACTORING = (
    clause(
        "more modular|less modular|more maintainable|more object",
        r"\b(?:make (?:it|the code|the codebase|this|everything) |to be )(?:more|less) (?:modular|maintainable"
        r"|object[- ]oriented)\b|\b(?:more|less) (?:modular|maintainable|object[- ]oriented)(?: and [\w-]+)?"
        r"(?=\s*(?:[.!?,;:\n]|$))",
    ),
    clause(
        "revamp|restructur|reorgani|rearchitect|re-architect",
        r"\b(?:revamp|restructure|reorgani[sz]e|rearchitect|re-architect) (?:my |the |this |our )?(?:entire |whole )?"
        r"(?:code ?base|code|architecture|backend|modules)\b" + _THEN_HOW,
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
        cue_pairs(
            "next|first",
            "feature|step feature|story|user story|ticket|unfinished|incomplete|open|pending",
        ),
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
        r"\b(?:follow|implement|execute|ikuti|sigue)\b[^\n.!?]{0,24}?[\w/.-]*\b(?:plan|prd|todo|tasks"
        r"|roadmap|tracker)\.(?:md|json|txt)\b",
    ),
)
