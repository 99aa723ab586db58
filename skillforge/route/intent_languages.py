"""The kinds of work of :mod:`skillforge.route.intent` as they are asked for in the languages most often
met in public agent logs after English (Spanish, Portuguese, French, German, Russian, Chinese, Japanese),
as reports or requests, never as features ("a button to go to the next task", "a premium subscription
plan"). Patterns only, lowercase: the words a kind adds are English, as skills are."""

from __future__ import annotations

DEBUGGING = (
    r"\b(?:(?<!si )(?:me )?(?:da|sale|tengo|salta) (?:un |este |el )?error|no funciona|"
    r"(?:d[áa]|deu|est[áa] dando) erro|n[ãa]o funciona|(?:j'ai|il y a) (?:une |cette )?erreur|ne (?:fonctionne|marche) pas|"
    r"(?:ich )?(?:bekomme|habe) (?:einen |diesen |den )?fehler|funktioniert nicht|"
    r"(?:выда[её]т|получаю|вылетает|появляется|возникает) (?:\w+ )?ошибк\w*|не работает)|"
    r"报错|出错了|(?:有|出现|遇到|这个)错误|不工作|无法运行|エラーが(?:出|発生)|動かない"
)
DEBUGGING_CUES = (
    "funciona|erro|erreur|fonctionne|marche|fehler|funktioniert|ошибк|работает|报错|出错了|错误|不工作|无法运行|"
    "エラー|動かない"
)

UNDERSTANDING = (
    r"(?:^|[,;.]\s*|\b(?:y|e|et|und|и|por favor|s'il te plaît|bitte) )(?:expl[ií]ca(?:me)?|explique(?:-moi)?|"
    r"erkl[äa]re?(?: mir)?|объясни(?:те)?),? (?:\w+ ){0,3}?(?:el |la |este |esta |o |a |le |ce |cette |das |den |dieses "
    r"|diesen |этот |эту )?(?:proyecto|projeto|projet|projekt|c[oó]digo|code|repositorio|reposit[oó]rio|arquitectura"
    r"|arquitetura|architecture|architektur|проект\w{0,2}|кода?|архитектур\w{0,3})\b|"
    r"\b(?:expl[ií]ca(?:me)?|expl[ií]came|dime|diga|explique|quiero (?:saber|entender)|quero (?:saber|entender)"
    r"|preciso entender) (?:\w+ ){0,2}?c[oó]mo (?:est[aá] (?:o |el )?)?funciona(?:miento)? "
    r"(?:(?:de )?(?:este|esse|deste|desse|el|o|do) )?(?:sistema|projeto|proyecto|c[oó]digo|app)\b|"
    r"\b(?:de qu[eé] (?:trata|va) (?:el |este )?proyecto|do que se trata|qu[eé] hace (?:este|el) (?:proyecto|c[oó]digo"
    r"|repositorio)|was macht (?:dieses|das|der) (?:projekt|repo|repository|code)|что делает (?:этот )?(?:проект|код)\b|"
    r"о ч[её]м (?:этот )?проект|объясни\w*,? как работает)|"
    r"(?:这个|该)(?:项目|project|仓库|代码|repo)[^\n。？?]{0,6}(?:干什么|做什么|干嘛|是什么)|"
    r"解释(?:一下)?(?:这个)?(?:项目|代码|架构)|介绍一下(?:这个)?项目|このプロジェクトは(?:何|なに)|"
    r"このプロジェクトについて(?:説明|教えて)|コードを説明"
)
UNDERSTANDING_CUES = (
    "expl|erkl|объясни|funciona|de qu|do que se trata|hace|was macht|что делает|о чём|о чем|这个|该|解释|介绍|"
    "このプロジェクト|コードを説明"
)

# the next task of a list, or task N, with a verb that asks for it
TASK_LIST = (
    r"\b(?:pasa|ve|contin[uú]a|sigue|empieza|comienza|haz|implementa)(?: con| a)? (?:la )?(?:siguiente|pr[oó]xima) tarea\b|"
    r"\b(?:empieza|comienza|haz|implementa) (?:con )?la tarea \d|"
    r"\b(?:passe|v[aá]|continue|siga|comece|fa[çc]a|implemente)(?: para| com)? (?:a )?(?:pr[oó]xima|seguinte) tarefa\b|"
    r"\b(?:comece|fa[çc]a|implemente) a tarefa \d|"
    r"(?:переходи|перейди|приступай|приступи|начни|начинай|выполни)(?: к)? (?:следующ\w* задач\w*|задач\w* \d)|"
    r"(?:开始|继续|执行|做)(?:下一个|第.{1,3}个)任务|开始任务\s*\d"
)
TASK_LIST_CUES = "tarea|tarefa|задач|任务"

# a plan asked for, with what it is for (a "plan de suscripción" is a feature)
PLANNING = (
    r"\b(?:haz|crea|hacer|fa[çc]a|crie) (?:un |um )?(?:plan|plano) (?:para (?:implementar|migrar|hacer|fazer|crear"
    r"|criar|construir)|de (?:implementaci[oó]n|implementa[çc][ãa]o|trabajo|trabalho|acci[oó]n|a[çc][ãa]o|migraci[oó]n"
    r"|migra[çc][ãa]o))\b|\b(?:fais|propose|[ée]tablis)(?:-moi)? un plan (?:pour|d['’]impl[ée]mentation|d['’]action)\b|"
    r"\berstelle (?:mir )?einen (?:umsetzungs|implementierungs|migrations)?plan (?:f[üu]r|zur|um)\b|спланируй|"
    r"(?:составь|сделай) (?:мне )?план (?:работ|реализации|внедрения|миграции|действий)|"
    r"(?:帮我|请你?|先)(?:规划|制定(?:一个)?(?:\w{0,4})计划|做(?:一个)?计划)|规划一下|計画を立て"
)
PLANNING_CUES = "plan|план|спланируй|规划|计划|計画を立て"

# a page or component asked for with its look
MODERN_PAGE = (
    r"(?:сделай|создай|сделать|создать)[^.\n]{0,40}?современн\w*(?: \w+){0,2} (?:лендинг|сайт|страниц|дизайн|интерфейс)|"
    r"\b(?:erstelle|baue|mach)[^.\n]{0,30}?modern\w* (?:landing ?page|webseite|website|startseite|oberfl[äa]che)|"
    r"\b(?:cr[ée]e[rz]?|fais|faites)[^.\n]{0,40}?(?:page d['’]accueil|site|landing page|interface)[^.\n]{0,20}?moderne\b|"
    r"\b(?:crea|haz|dise[ñn]a|crie|fa[çc]a)[^.\n]{0,40}?(?:p[aá]gina|landing|sitio|site|interfaz|interface|dise[ñn]o)"
    r"[^.\n]{0,20}?modern[oa]\b|"
    r"\bbuat(?:kan)?[^.\n]{0,60}?tampilan (?:yang )?(?:modern|bagus|menarik)\b"
)
