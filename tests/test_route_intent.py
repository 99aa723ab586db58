"""Kinds of work a task asks for in ordinary words (route.intent): found in real prompt shapes, not in
feature lists; one skill per kind raised; abstention still decided on the task's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge import Router
from skillforge.route.calibrate import routed, top_score
from skillforge.route.intent import intents_of
from skillforge.route.rank import Match
from skillforge.route.topic import OFF_TOPIC_RATIO

DEBUGGING = "Use when encountering any bug, test failure, or unexpected behavior, before proposing fixes"
TRACING = "Trace a bug back through the call stack to find its root cause"
PLANS = "Use when you have a written implementation plan to execute in a separate session"
OTHERS = {
    "http-client-retries": "Configure HTTP client retries and timeouts when a web client calls a service endpoint",
    "catalog-search": "Build product catalog search pages with filters, facets and sorting",
    "css-layout": "Lay out responsive pages with CSS grid and flexbox",
    "release-notes": "Write release notes from merged pull requests",
    "postgres-indexes": "Choose PostgreSQL indexes for slow queries",
}
# a real prompt's shape: the request kind in ordinary words, the rest incidental technology words
CORS = (
    "When my catalog client calls the endpoint from the web page I get this error: Access to fetch has "
    "been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present"
)


def kinds(text: str) -> list[str]:
    return [intent.name for intent in intents_of(text)]


def write(root: Path, name: str, description: str, body: str = "", scope: str = "") -> None:
    """A skill folder; ``scope`` is its skillforge-scope (``repository:owner/name``)."""
    folder = root / "skills" / name
    folder.mkdir(parents=True)
    body = body or f"# {name}\n\n1. Read the task.\n2. {description}\n"
    meta = f"metadata:\n  skillforge-scope: {scope}\n" if scope else ""
    (folder / "SKILL.md").write_text(f'---\nname: {name}\ndescription: "{description}"\n{meta}---\n{body}')


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for name, description in {
        **OTHERS,
        "systematic-debugging": DEBUGGING,
        "root-cause-tracing": TRACING,
        "executing-plans": PLANS,
    }.items():
        write(root, name, description)
    return root


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CORS, ["debugging"]),
        ("TypeError: cannot read properties of undefined", ["debugging"]),
        ("--- FAIL: TestShadow (3.40s)", ["debugging", "fixing failing tests"]),
        ("the login button is not working on Safari", ["debugging"]),
        ("Implement the following plan:\n\n# Plan: sign the macOS binaries", ["carrying out a plan"]),
        ("Review the staged git changes in this repository", ["requesting a code review"]),
        ("let's respond to the PR comments", ["addressing review feedback"]),
        ("give me a quick summarized overview of this repo", ["understanding a codebase"]),
        ("What can you say about this package?", ["understanding a codebase"]),
        ("Integrate the tax function into the year cycle. Add a test to verify it", ["writing tests"]),
        ("propose a plan of action before touching the code", ["planning"]),
        # phrasings a reviewer found missed
        ("help me debug the login flow", ["debugging"]),
        ("It doesn’t work on Safari", ["debugging"]),  # a curly apostrophe
        ('Exception in thread "main" java.lang.NullPointerException', ["debugging"]),
        ("please review src/app.py", ["requesting a code review"]),
        ("add regression tests for the parser", ["writing tests"]),
        ("FAILED tests/test_a.py::test_x - assert 1 == 2", ["fixing failing tests"]),
        ("what does this function do?", ["understanding a codebase"]),
        ("Refactor UserService to take its clients as arguments", ["refactoring"]),
        ("<command-name>/workflows:review</command-name>", ["requesting a code review"]),
        ("what is this project about?", ["understanding a codebase"]),
        ("make the landing page look more modern", ["improving a user interface's design"]),
        # other languages: the words added are English, as skills are
        ("me sale este error al compilar", ["debugging"]),
        ("Lista las carpetas del proyecto y explica la arquitectura general", ["understanding a codebase"]),
        ("我这个project是在干什么", ["understanding a codebase"]),
        ("кнопка не работает", ["debugging"]),
        # shapes met in a second set of real prompts (paraphrased)
        ("Please fix this:\nsrc/io.c:12:10: fatal error: stdio2.h: No such file or directory", ["debugging"]),
        (
            "Start task 2. Commit after each sub-task and keep going until all are done",
            ["working through a task list"],
        ),
        (
            "1. Open ROADMAP.md and find the first task marked [ ]\n2. Implement it",
            ["working through a task list"],
        ),
        ("Read docs/tasks.md and execute only the tasks under [BACKEND]", ["working through a task list"]),
        ("I want a blog built from markdown files. Prepare a plan and give me next steps", ["planning"]),
        ("Create a plan for how to turn this script into a web service", ["planning"]),
        ("Before writing code, help me design the architecture: queue, workers, storage", ["brainstorming"]),
        ("read the project folder and tell me what you understand", ["understanding a codebase"]),
        ("Give me a brief description of what this module is doing", ["understanding a codebase"]),
        ("Build a modern, minimalist landing page for my bakery", ["improving a user interface's design"]),
        # other languages, as above
        ("me explica como funciona este sistema", ["understanding a codebase"]),
        ("帮我规划一下这个应用的前后端功能", ["planning"]),
        ("Сделай современный лендинг для моей студии", ["improving a user interface's design"]),
    ],
)
def test_kinds_of_work_in_real_prompt_shapes(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Set up FastAPI with CORS middleware, error handling middleware and logging",  # a feature list
        "API docs: Error Responses 400: invalid input",
        "write a cold email introducing our code review tool to CTOs",  # 'code review' as a product
        "I refactored our terraform into modules; move the bucket to the new module",  # context, not a request
        "If build.log contains 'error', fix the code until it compiles",
        "hello",
        # features and pasted code a reviewer found taken for requests
        "Show an error toast when login fails",
        "Implement retry on failure with exponential backoff",
        "try:\n    parse()\nexcept ValueError:\n    pass",
        "Add a broken link checker and a bug report template",
        "Create a new subscription plan for teams in Stripe",
        "Add a /review endpoint to the Flask app",
        "Add a reviewers field to the pull request model",
        "Create test users in the seed script",
        "walk me through setting up Docker on Ubuntu",
        "Fix this issue:\n## Plan\n- choose PostgreSQL indexes",  # only the agent's wrapper, at the start
        "Add the docs folder to .gitignore",
        # a second review's: specs, flags, pasted code, other languages' features
        "Return an error when the user is not found",
        "Retry the request if it fails, up to 3 times",
        "Add a --debug flag to the CLI",
        "Improve the design of the database schema for orders",
        "Let users create a plan and invite members to it",
        "Add a test mode to the payment form",
        "class Result(BaseModel):\n    error: str | None = None\n\nAdd a field for the retry count",
        "\u6dfb\u52a0\u9519\u8bef\u5904\u7406",  # "add error handling"
        "\u3053\u306e\u30d7\u30ed\u30b8\u30a7\u30af\u30c8\u306fReact\u3092\u4f7f\u3063\u3066\u3044\u307e\u3059",
        "A\u00f1ade un tooltip que explica el c\u00f3digo de descuento",
        "tests" * 4000,  # one long word: a pattern with \\w* on both sides of 'test' once took 1.2 s
        "\n" * 20_000,  # a blank paste (a pattern anchored at every line start once took 21 s on it)
        # features and chores that share the new kinds' words
        "Please take this markdown and break it down into separate files per section",
        "Add a pricing page with a plan for teams and a plan for individuals",
        "Show the next task in the sidebar when the current one is done",
        "Add a 'modern' theme option to the settings page",
        "Add a fatal error handler that writes a crash report",
    ],
)
def test_no_kind_of_work_in_feature_lists_and_context(text: str) -> None:
    assert kinds(text) == []


def test_a_request_for_debugging_gets_the_debugging_skill(library: Path) -> None:
    matches = Router(library).route(CORS, k=3)
    names = [m.name for m in matches]
    assert "systematic-debugging" in names, names
    best = next(m for m in matches if m.name == "systematic-debugging")
    assert best.why[0] == "the task asks for debugging"
    assert best.fit < best.score  # its score holds the kind's bonus; fit is what the task's words give


def test_one_skill_per_kind(library: Path) -> None:
    matches = Router(library, threshold=0.0).route(CORS, k=8)
    raised = [m.name for m in matches if m.why and m.why[0].startswith("the task asks for")]
    assert raised == ["systematic-debugging"]  # root-cause-tracing also describes bugs: not raised too


def test_a_kind_of_work_alone_does_not_make_a_skill_fit(library: Path) -> None:
    # nothing in the library is about these words: abstain, as without the kind of work
    assert Router(library).route("I keep getting this error from the zorblax frobnicator", k=3) == []


def test_the_skill_that_fits_the_words_is_not_pushed_out(library: Path) -> None:
    # with k=1 the kind's skill may not take the only place of the skill the task's words fit
    assert [m.name for m in Router(library).route(CORS, k=1)] == ["http-client-retries"]
    scored = Router(library, threshold=0.0).route(CORS, k=1)
    assert routed(scored, 0.25) == ["http-client-retries"]  # calibration agrees with route


def test_a_repository_skill_needs_the_task_words_to_be_anchored(tmp_path: Path) -> None:
    from skillforge.route.rank import Context

    root = tmp_path / "lib"
    for name, description in OTHERS.items():
        write(root, name, description)
    write(
        root,
        "acme-debugging",
        DEBUGGING,
        "# acme-debugging\n\n1. Read the logs.\n",
        "repository:acme/widgets",
    )
    task = "I keep getting this error from the zorblax frobnicator"
    router = Router(root)
    assert router.route(task, k=3, context=Context("acme/widgets")) == []
    # scoped to a repository: never the skill a kind of work raises, in its repository or another
    assert all(not m.why or "asks for" not in m.why[0] for m in router.route(CORS, k=5, threshold=0.0))


def test_one_shared_word_is_no_kind_of_work(library: Path) -> None:
    write(library, "prettier-format", "Format code with prettier before each commit")  # 'code': one word
    matches = Router(library, threshold=0.0).route("refactor the catalog search code", k=8)
    assert not any(m.why and m.why[0].startswith("the task asks for") for m in matches)


def test_the_plan_wrapper_raises_the_plan_skill(library: Path) -> None:
    task = (
        "Implement the following plan:\n\n# Plan: retries for the catalog client\n\n"
        "Configure HTTP client retries and timeouts for the catalog search service client."
    )
    names = [m.name for m in Router(library).route(task, k=3)]
    # the plan skill above the second technology match (without the kind it ranks under it)
    assert names.index("executing-plans") < names.index("catalog-search"), names


def test_calibration_reads_the_fit_not_the_bonus() -> None:
    raised = Match("systematic-debugging", "", "", score=0.6, fit=0.1)
    plain = Match("css-layout", "", "", score=0.2, fit=0.2)
    assert top_score([raised, plain]) == pytest.approx(0.2)
    assert routed([raised, plain], 0.3) == []  # the bonus alone does not answer the task
    assert routed([raised, plain], 0.15) == ["systematic-debugging", "css-layout"]


def test_pure_python_and_numpy_scoring_agree_on_kinds(library: Path) -> None:
    fast, plain = Router(library), Router(library, one_shot=True)
    assert plain.index.plain and not fast.index.plain
    for task in (CORS, "Implement the following plan:\n\nretry the catalog client", "review my changes"):
        a, b = fast.route(task, k=5, threshold=0.0), plain.route(task, k=5, threshold=0.0)
        assert [(m.name, m.why) for m in a] == [(m.name, m.why) for m in b]
        assert [m.score for m in a] == pytest.approx([m.score for m in b], rel=1e-5)
        assert [m.fit for m in a] == pytest.approx([m.fit for m in b], rel=1e-5, abs=1e-6)


REVIEWING = {
    "requesting-code-review": "Use when completing a change, to request a code review of the diff before merging",
    "receiving-code-review": "Use when receiving code review feedback and comments, before implementing suggestions",
    "writing-plans": "Use when you have requirements for a multi-step task: writing plans before touching code",
}
MIXED = (
    "Review my code and address the review comments and write a plan: the css grid layout with "
    "flexbox for responsive pages is broken"
)


@pytest.fixture()
def wider(library: Path) -> Path:
    for name, description in REVIEWING.items():
        write(library, name, description)
    write(library, "systematic-debugging-copy", DEBUGGING)  # a vendored copy: the same description
    body = "# acme-debugging\n\n1. Read the catalog search logs.\n"
    write(library, "acme-debugging", TRACING, body, "repository:acme/w")
    return library


def test_kinds_take_at_most_k_minus_one_places(wider: Path) -> None:
    names = [m.name for m in Router(wider).route(MIXED, k=3)]
    assert "css-layout" in names, names  # three kinds asked for, the task's own skill keeps a place
    assert sum(n in REVIEWING or n.startswith("systematic") for n in names) <= 2


@pytest.mark.parametrize("one_shot", [False, True])
def test_calibration_agrees_with_route_at_every_threshold(wider: Path, one_shot: bool) -> None:
    from skillforge.route.rank import Context

    tasks = [
        MIXED,
        CORS,
        "help me debug unexpected behavior in the catalog search with postgres indexes",
        "Implement the following plan:\n\nhow does the catalog search work, make the landing page look modern",
        "review my changes to the http client retries",
    ]
    for task in tasks:
        for context in (None, Context("acme/w")):
            for k in (1, 3):
                router = Router(wider, one_shot=one_shot)
                at_zero = router.route(task, k=k, threshold=0.0, context=context)
                cuts = sorted({m.score for m in at_zero} | {m.fit or 0.0 for m in at_zero})
                for t in [c + 1e-4 for c in cuts] + [c - 1e-4 for c in cuts if c > 1e-3]:
                    got = [m.name for m in router.route(task, k=k, threshold=t, context=context)]
                    assert got == routed(at_zero, t), (task, k, t)


# a library a reviewer wrote to find where calibration and route disagreed: process skills, vendored copies
# (the same description), and two skills scoped to a repository
PROBE = {
    "systematic-debugging": (
        "Use when encountering any bug, test failure, or unexpected behavior, before proposing fixes",
        "Find the root cause before any fix.",
    ),
    "systematic-debugging-copy": (
        "Use when encountering any bug, test failure, or unexpected behavior, before proposing fixes",
        "Reproduce the bug with the http client and the catalog search and the postgres indexes, then the root cause.",
    ),
    "root-cause-tracing": (
        "Trace a bug back through the call stack to find its root cause",
        "Walk the stack.",
    ),
    "requesting-code-review": (
        "Use when completing tasks to request a code review from a reviewer subagent",
        "Dispatch a reviewer.",
    ),
    "receiving-code-review": (
        "Use when receiving code review feedback comments before implementing suggestions",
        "Verify each comment.",
    ),
    "test-driven-development": (
        "Use when writing tests first: test driven development, TDD red green refactor",
        "Write the failing test first.",
    ),
    "executing-plans": (
        "Use when you have a written implementation plan to execute in a separate session with tasks",
        "Execute the plan task by task.",
    ),
    "writing-plans": (
        "Use when you have a spec or requirements for a multi step task, before touching code: writing plans",
        "Write the plan.",
    ),
    "brainstorming": ("Use before creative work: brainstorming ideas and design together", "Ask questions."),
    "codebase-onboarding": (
        "Understand a codebase: explain its architecture and how the system works, onboarding documentation",
        "Read the README.",
    ),
    "frontend-design": (
        "Create distinctive frontend interfaces with strong visual design, typography and styling aesthetic",
        "Pick a direction.",
    ),
    "refactor-safely": (
        "Refactor code in small steps: rename, extract, move, with tests green",
        "One step at a time.",
    ),
    "fix-failing-tests": ("Fix failing tests and test failures in CI", "Read the failure."),
    "http-client-retries": (
        "Configure HTTP client retries and timeouts when a web client calls a service endpoint",
        "Use backoff.",
    ),
    "http-client-retries-copy": (
        "Configure HTTP client retries and timeouts when a web client calls a service endpoint",
        "Use backoff with jitter for the catalog search service endpoint and the login page.",
    ),
    "catalog-search": ("Build product catalog search pages with filters, facets and sorting", "Facets."),
    "css-layout": ("Lay out responsive pages with CSS grid and flexbox", "Grid."),
    "release-notes": ("Write release notes from merged pull requests", "Changelog."),
    "postgres-indexes": ("Choose PostgreSQL indexes for slow queries", "EXPLAIN ANALYZE."),
    "docker-compose": ("Run services locally with docker compose, volumes and networks", "compose up."),
    "react-forms": (
        "Build React forms with validation, controlled inputs and error messages",
        "Use a form library.",
    ),
    "stripe-billing": ("Set up Stripe billing: subscriptions, plans, invoices and webhooks", "Webhooks."),
    "python-packaging": (
        "Package a Python project with pyproject.toml, build wheels and publish to PyPI",
        "Use hatch.",
    ),
    "k8s-deploy": ("Deploy services to Kubernetes with Helm charts, probes and rollouts", "helm upgrade."),
    "login-auth": ("Add login and authentication with sessions, OAuth and password reset", "Sessions."),
}
PROBE_SCOPED = {
    "acme-debugging": (
        "Use when encountering any bug in the widgets service: debugging the catalog search endpoint",
        "repository:acme/widgets",
    ),
    "acme-release": ("Cut a widgets release: tag, changelog, publish", "repository:acme/widgets"),
}


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe") / "lib"
    for name, (description, body) in PROBE.items():
        write(root, name, description, body + "\n")
    for name, (description, scope) in PROBE_SCOPED.items():
        write(root, name, description, "Widgets only.\n", scope)
    return root


@pytest.mark.parametrize("one_shot", [False, True])
@pytest.mark.parametrize(
    ("task", "repository"),
    [  # a best fit in a copy that _distinct drops; a kind's skill beside an anchored skill
        (
            "help me debug unexpected behavior: reproduce the bug with the http client catalog search postgres indexes",
            None,
        ),
        (
            "Implement the following plan:\n\nhow does the catalog search work make the landing page look more modern Package",
            "acme/widgets",
        ),
    ],
)
def test_calibration_agrees_with_route_on_copies_and_anchors(
    probe: Path, one_shot: bool, task: str, repository: str | None
) -> None:
    from skillforge.route.rank import Context

    router = Router(probe, one_shot=one_shot)
    context = Context(repository) if repository else None
    for k in (1, 3):
        at_zero = router.route(task, k=k, threshold=0.0, context=context)
        for t in (0.2, 0.24, 0.25, 0.3, 0.33, 0.5):
            got = [m.name for m in router.route(task, k=k, threshold=t, context=context)]
            assert got == routed(at_zero, t), (k, t)


@pytest.mark.parametrize(
    "text",
    [
        CORS,
        "What can you say about this package?",
        "Ошибка при запуске, не работает",
        "the build is broken and CI is red",
        "my app hangs on startup",
        "explique-moi ce projet",
        "\u8fd9\u4e2a\u9879\u76ee\u662f\u5e72\u4ec0\u4e48\u7684",
        "can you polish the UI and make it look more modern",
        "Implement the following plan:\n\n# Plan",
        "please review src/app.py and respond to the PR comments",
        "Start task 2 and then the next task",
        "Prepare a plan and give me next steps",
        "help me design the architecture",
        "Build a modern, minimalist landing page",
        "src/io.c:12:10: fatal error: stdio2.h: No such file or directory",
        "me explica como funciona este sistema",
    ],
)
def test_cues_never_hide_a_match(text: str) -> None:
    """A clause is searched only when the task holds one of its cues: the same kinds as searching always."""
    from skillforge.route.intent import INTENTS, SCANNED

    head = text[:SCANNED]
    always = [i.name for i in INTENTS if any(c.search(head, head.lower()) for c in i.clauses)]
    assert kinds(text) == always and always


def test_a_skill_that_does_the_work_well_fits_a_task_that_asks_only_for_it(library: Path) -> None:
    # half of a kind's bonus counts for abstention: the plan skill, matching the kind's words well,
    # answers a task whose own words name nothing in the library ("zorblax" above: a weak match, abstain)
    write(
        library, "executing-task-plans", "Use when executing an implementation plan: work through its tasks"
    )
    task = "Start task 2. Commit after each sub-task and keep going until all are done"
    matches = Router(library).route(task, k=3)
    assert [m.name for m in matches] == ["executing-task-plans"]
    assert matches[0].why[0] == "the task asks for working through a task list"
    assert 0.25 <= matches[0].fit < matches[0].score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PLEASE REVIEW MY CHANGES", ["requesting a code review"]),
        ("Start Task 2 And Commit After Each Sub-Task", ["working through a task list"]),
        ("Prepare A Plan And Give Me Next Steps", ["planning"]),
        ("--- FAIL: TestShadow (3.40s)", ["debugging", "fixing failing tests"]),  # capitals: as written
        ("ÜBERSICHT: Explain The Architecture", ["understanding a codebase"]),
    ],
)
def test_patterns_without_capitals_are_case_blind(text: str, expected: list[str]) -> None:
    """A clause whose pattern names no capital letter is searched in the lowercased task: the same kinds
    as a case-blind search; one that names capitals (``--- FAIL``) is searched as before."""
    from skillforge.route.intent import INTENTS

    assert kinds(text) == expected
    assert any(c.lowered for i in INTENTS for c in i.clauses)
    assert not all(c.lowered for i in INTENTS for c in i.clauses)


@pytest.fixture()
def large(wider: Path) -> Path:
    """``wider`` grown past 200 skills, where the off-topic rule is on (route.topic), with an email skill and
    skills that name products (what the rule compares a task's proper names with)."""
    write(wider, "email", "Write and send email with Outlook or Gmail: drafts, replies, filters")
    topics = [
        "kafka",
        "redis",
        "terraform",
        "grafana",
        "stripe",
        "sentry",
        "docker",
        "nginx",
        "vault",
        "consul",
    ]
    verbs = [
        "configure",
        "monitor",
        "migrate",
        "secure",
        "scale",
        "debug",
        "deploy",
        "tune",
        "back up",
        "audit",
    ]
    for n in range(200):
        topic, verb = topics[n % 10], verbs[n // 20]
        write(
            wider,
            f"{topic}-{verb.replace(' ', '-')}-{n}",
            f"{verb.capitalize()} {topic} clusters, variant {n}",
        )
    return wider


def test_calibration_agrees_with_route_where_the_off_topic_rule_is_on(large: Path) -> None:
    # a kind's skill that k = 1 cannot return must not decide abstention or the off-topic rule (a reviewer
    # found route giving ['email'] and calibration [] for the plan below at k = 1 on 609 real skills)
    router = Router(large)
    assert len(router.names) >= 200
    tasks = [
        "Write a plan to migrate our office from Outlook to Gmail",
        "Help me design the Sentry alerts for our Flask app",
        "Start task 2: add Sentry to the Flask app",
        "Prepare a plan and give me next steps for the Kafka upgrade",
        "help me debug unexpected behavior in the catalog search with postgres indexes",
    ]
    for task in tasks:
        for k in (1, 2, 3):
            at_zero = router.route(task, k=k, threshold=0.0)
            cuts = sorted({m.score for m in at_zero} | {m.fit or 0.0 for m in at_zero} | {0.25, 0.47, 0.5})
            for t in [c + 1e-4 for c in cuts] + [c - 1e-4 for c in cuts if c > 1e-3]:
                got = [m.name for m in router.route(task, k=k, threshold=t)]
                assert got == routed(at_zero, t), (task, k, t)


@pytest.mark.parametrize(
    "text",
    [  # features, specs, code and narration that share the new kinds' words (from a review)
        "Add a button so users can start the next task from the sidebar",
        "Implement the next step button in the onboarding wizard",
        "The scheduler should pick the next task from the queue and execute the next task when a worker is free",
        "The celery worker should execute the remaining tasks after the retry",
        "Make the CI pipeline execute all steps in parallel",
        "I'll proceed with the next step once you confirm the schema.",
        "// TODO: execute the next step of the saga when the payment succeeds",
        "Agregar un botón para ir a la siguiente tarea en la lista",
        "The API should let users create a plan to migrate their data between workspaces",
        "Implement a workout app where users can make a plan for running a marathon",
        "Show a 'What are the next steps?' heading in the modal",
        "crea un plan de suscripción premium en Stripe",
        "The ticket says: we should design the database schema carefully. Add the users table",
        "Add a tooltip: explain how it works",
        "Add docstrings with a summary of what the function does",
        "Agrega una sección '¿Cómo funciona este sistema?' a la landing page",
        "Our modern design system package fails to publish to npm",
        "Fix the build: the elegant layout engine crashes on the nested flexbox",
        "Upgrade chakra-ui (beautiful UI components) to v3",
        'if err != nil { log.Fatal("fatal error: ", err) }',
        "Document the cannot open include file diagnostics in the FAQ",
    ],
)
def test_the_new_kinds_are_not_found_in_features_and_specs(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Let's do task 3 next", ["working through a task list"]),
        ("Next task please", ["working through a task list"]),
        ("Continue with the remaining tasks", ["working through a task list"]),
        ("Plan the migration to Postgres", ["planning"]),
        ("What's the best way to add caching here?", ["planning"]),
        ("How should I architect this service?", ["planning"]),
        ("Can you help me design the architecture?", ["brainstorming"]),
        ("How does this work?", ["understanding a codebase"]),
        ("Can you explain what this repo does?", ["understanding a codebase"]),
        ("Make the UI more modern", ["improving a user interface's design"]),
        ("Erstelle eine moderne Landingpage", ["improving a user interface's design"]),
        ("src/App.tsx(3,5): error TS2304: Cannot find name 'x'.", ["debugging"]),
        ("main.go:5:2: undefined: foo", ["debugging"]),
        ("Can you check my changes before I push?", ["requesting a code review"]),  # cues once hid it
    ],
)
def test_more_ways_of_asking_for_the_new_kinds(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # a second review's: matches that the cues hid, and features taken for requests
        ("Please work on phases 2 and 3 of the plan.", ["working through a task list"]),
        ("Continue with the other tasks.", ["working through a task list"]),
        ("Make the website more professional", ["improving a user interface's design"]),
        ("Program.fs(3,5): error FS0039: The value or constructor 'foo' is not defined.", ["debugging"]),
        ("Execute the next step of the saga.", []),
        ("1. Implement the next step of the onboarding wizard UI", []),
        ("Proceed with the next step of the plan", ["working through a task list"]),
        ("Now design the architecture section of the docs page", []),
        ("Explain the code in comments for each function", []),
        ("Retry if the build fails", []),
        ("Can you review the PR template and update it", []),
    ],
)
def test_what_a_second_review_found(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_the_off_topic_rule_does_not_withhold_a_skill_a_kind_of_work_raised(large: Path) -> None:
    # a process skill is about the work, not the task's products: the names the task holds (MoveChunksBack,
    # RemoveFirst) are no evidence against it (on 125 real prompts the rule withheld the debugging skill
    # from three that asked for debugging, and the planning skill from one that asked for a plan)
    task = "I get an unexpected failure when MoveChunksBack calls RemoveFirst(): is it a bug in the dispose?"
    router = Router(large)
    assert len(router.names) >= 200
    at_zero = router.route(task, k=3, threshold=0.0)
    assert at_zero[0].name == "systematic-debugging" and not at_zero[0].off_topic
    assert 0.25 <= at_zero[0].fit < OFF_TOPIC_RATIO * 0.25  # under the off-topic bar: withheld before
    assert [m.name for m in router.route(task, k=3)][:1] == ["systematic-debugging"]
    # a skill the task's own words fit, which misses its products, is still held to the higher bar
    assert router.route("Configure Zuul retries for the Eureka client", k=3) == []


def test_a_design_of_a_named_product_is_still_held_to_the_off_topic_rule(large: Path) -> None:
    # designing a DynamoDB schema needs DynamoDB's knowledge, not a brainstorming process: only the kinds
    # whose skill fits any topic (debugging, plans, task lists) are spared the rule (blind2's no-fit prompt)
    write(
        large,
        "brainstorming",
        "Use before any creative work: explores user intent, requirements and design ideas",
    )
    task = "help me design a DynamoDB single-table schema for a booking app: what PK/SK and GSIs?"
    router = Router(large)
    at_zero = router.route(task, k=3, threshold=0.0)
    assert at_zero[0].name == "brainstorming" and at_zero[0].why[0] == "the task asks for brainstorming"
    assert at_zero[0].off_topic and 0.25 <= at_zero[0].fit < OFF_TOPIC_RATIO * 0.25
    assert router.route(task, k=3) == []
    assert routed(at_zero, 0.25) == []  # calibration agrees
