"""Kinds of work as real prompts ask for them (route.intent_more): a problem described, a plan with its
purpose, a design talked through, a project to read, code to audit, a project to start, code to
restructure, a feature list worked through. The shapes are paraphrased from real developer prompts (the
tuning half of docs/routing.md's third pair); the negatives are specs and features that share their
words, which must stay no kind of work."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge import Router
from skillforge.route.intent import INTENTS, SCANNED, intents_of


def kinds(text: str) -> list[str]:
    return [intent.name for intent in intents_of(text)]


SHAPES = [
    # a problem described, not an error pasted
    ("The enemy units are not firing at each other. Find out why and fix it", ["debugging"]),
    ("When I open the DM chat I get a white screen with errors in the console, fix it", ["debugging"]),
    ('an error occurs "POST /api/articles" 422 when creating an article, fix it', ["debugging"]),
    ("It seems that none of the roads have spawned when the game loads. Why is this?", ["debugging"]),
    ("the sprites are not spawning when the level starts", ["debugging"]),
    ("can you check why linting is failing in CI", ["debugging"]),
    # a plan asked for with what it is for
    ("Create a plan to build a CLI script that renders a spinning cube", ["planning"]),
    ("now I need you to plan implementing the maxWait option in debounce", ["planning"]),
    ("Can you write a 3 stage plan to implement the project in spec.md?", ["planning"]),
    ("can you tell me the steps you would take to implement the DocumentProcessor class?", ["planning"]),
    # a design talked through
    ("I would like to restart from the requirements, by you asking me questions", ["brainstorming"]),
    ("Read my notes and help me think about trade-offs I may not have considered", ["brainstorming"]),
    ("Here is what I want; we can talk about it before you get to implementation", ["brainstorming"]),
    ("Let me first discuss the plan before building anything", ["planning", "brainstorming"]),
    # a project to read
    ("study the backend project in ./server", ["understanding a codebase"]),
    (
        "Read this repository and explain the week 5 application structure. Do not modify files.",
        ["understanding a codebase"],
    ),
    ("mira el proyecto y dime lo que ves", ["understanding a codebase"]),
    ("coba pelajari project backend ini", ["understanding a codebase"]),
    ("看看目前项目状况", ["understanding a codebase"]),
    # code to audit
    (
        "Excellent, now as a seasoned engineer, analyse the code in cube.py and remove any duplication",
        ["auditing code"],
    ),
    ("coba cek semua file di project ini", ["auditing code"]),
    ("Haz un análisis de los archivos de este proyecto y dime qué mejorarías", ["auditing code"]),
    ("Please check all files in this project for anything missing or wrong", ["auditing code"]),
    ("find the technical debt in our payment service", ["auditing code"]),
    # a project to start
    (
        "Help me set up a FastAPI application foundation with the following requirements:",
        ["starting a project"],
    ),
    ("I want to build this app from scratch, using the reference site", ["starting a project"]),
    ("please scaffold a new Rust workspace for the CLI", ["starting a project"]),
    ("Create a Next.js app skeleton with auth and a dashboard", ["starting a project"]),
    # code to restructure
    ("I want to revamp my entire code base; make it more modular and object-oriented", ["refactoring"]),
    ("quiero que el módulo de reservas sea hexagonal", ["refactoring"]),
    # a feature list worked through, as loop prompts ask
    (
        "3. Find the next feature where passes is false\n4. Implement that feature",
        ["working through a task list"],
    ),
    (
        "study specs/prd.md\n- implement the logical next step feature from prd.md",
        ["working through a task list"],
    ),
    ("Follow docs/plan.md step by step and tick each box when done", ["working through a task list"]),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_kinds_of_work_in_real_prompt_shapes(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a problem specified, not reported
        "Log an error in the browser console when the upload fails",
        "Show a blank page while the data loads",
        "Users can't view other users' private messages",
        "Explain why each dependency is pinned in a comment in requirements.txt",
        # a plan that is a product's feature, or a plan to review
        "Create a subscription plan to upgrade team accounts",
        ". Make a meal plan that fits the user's calories",
        "terraform plan says it will destroy the database. Review this plan for risk before anyone runs apply.",
        # a design word in a spec
        "Add a tooltip that lists the trade-offs of each pricing tier",
        "I want to explore the sales data in a notebook",
        # a project word in a task about something else
        "look at the project settings and fix the broken build",
        "Add a code quality badge to the README",
        "The linter should check all files in src for trailing spaces",
        "Build a CLI tool that can analyze the code in a repository for complexity",
        "audit our project's dependencies for known CVEs",
        # started, but not a project
        "Implement a JSON parser from scratch without dependencies",
        "set up a Redis service for caching sessions",
        "Create a new project button on the dashboard",
        # a shape, not an architecture
        "Draw a hexagonal grid for the board game",
        # from a review of the change: a problem under a condition is a spec, not a report
        "Show a toast if an error occurs while saving",
        "When an error occurs, log it and return 500",
        'def retry(fn):\n    """Retry fn when an error occurs."""\nadd type hints to this',
        "Add a placeholder when images are not loading",
        "Show a banner when the service is not responding",
        "Add a splash screen so users don't just see a blank screen while the app boots",
        "Make sure there are no errors in the browser console when the page loads",
        "Add a banner so users can find out why their payment failed",
        "What are the steps to reproduce?",
        "Create a Gold plan that includes 10 seats",
        "Users can discuss a plan before building their house",
        # prompt boilerplate and specs that share brainstorming's words
        "Think carefully before writing code: add the POST /users endpoint",
        "Let's think about performance: memoize the selector",
        "The chatbot should ask me clarifying questions before booking",
        "I want to talk about something else: add dark mode",
        # a project read on the way to another task
        "go through the whole project and replace var with const",
        "look at the project's package.json and bump react to 18",
        "Read the repository and explain why the tests fail",
        "Explain the structure of the JSON response",
        "Show the status of the project in the dashboard header",
        "Revisa el código y añade validación al formulario",
        # code read for something else, external apps, narration
        "Analyze the files in the upload folder and generate thumbnails",
        "Analyze the project requirements in SPEC.md and implement phase 1",
        "Write a GitHub action that will audit the code on every push",
        "Build a tool to find code smells in Python files",
        "Initialize the app state from localStorage",
        "Set up an OAuth app in the GitHub settings",
        "Create a new app password for SMTP",
        "create a new Heroku app and deploy it",
        "I've set up a new Vite app with Tailwind. Now add a navbar",
        "Users can start over from scratch by clicking Reset",
        "Restructure the code of conduct section in CONTRIBUTING.md",
        "Implement the button. Update tasks.md when done",
    ],
)
def test_no_kind_of_work_in_specs_that_share_the_words(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # spellings the patterns allow: the cues must not hide them
        ("the modal isnt showing when I click the button", ["debugging"]),
        ("Not loading on Safari at all, only Chrome", ["debugging"]),
        ("ask me follow-up questions until the spec is clear", ["brainstorming"]),
        ("pick the first open ticket and implement it", ["working through a task list"]),
        # smart punctuation, asked all the same
        ("Let’s discuss the options first", ["brainstorming"]),
        ("tell me the steps you’d take to add SSO", ["planning"]),
    ],
)
def test_spellings_the_cues_must_not_hide(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [text for text, _ in SHAPES])
def test_cues_never_hide_a_match(text: str) -> None:
    """Each new clause is searched only when the task holds one of its cues: the same kinds as always."""
    head = text[:SCANNED]
    always = [i.name for i in INTENTS if any(c.search(head, head.lower()) for c in i.clauses)]
    assert kinds(text) == always


OTHERS = {
    "css-layout": "Lay out responsive pages with CSS grid and flexbox",
    "postgres-indexes": "Choose PostgreSQL indexes for slow queries",
    "release-notes": "Write release notes from merged pull requests",
    "http-client-retries": "Configure HTTP client retries and timeouts when a web client calls a service endpoint",
    "catalog-search": "Build product catalog search pages with filters, facets and sorting",
    "docker-images": "Build small Docker images with multi-stage builds",
}


def write(root: Path, name: str, description: str) -> None:
    folder = root / "skills" / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(f'---\nname: {name}\ndescription: "{description}"\n---\n# {name}\n')


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("Excellent. Now analyse the code in cube.py and remove any duplication", "code-auditor"),
        (
            "Help me set up a FastAPI application foundation with SQLAlchemy and Alembic",
            "project-bootstrapper",
        ),
    ],
)
def test_the_new_kinds_raise_the_skill_that_does_the_work(tmp_path: Path, task: str, expected: str) -> None:
    root = tmp_path / "lib"
    write(
        root,
        "code-auditor",
        "Performs comprehensive codebase analysis covering architecture, code quality, security and "
        "maintainability. Use when user wants to audit code quality, identify technical debt, or get a "
        "codebase health check.",
    )
    write(
        root,
        "project-bootstrapper",
        "Sets up new projects with development best practices, tooling and documentation. Use when user "
        "wants to start a new project, improve project structure or add development tooling.",
    )
    for name, description in OTHERS.items():
        write(root, name, description)
    matches = Router(root, threshold=0.0).route(task, k=3)
    assert matches and matches[0].name == expected, [(m.name, m.why) for m in matches]
    assert matches[0].why[0].startswith("the task asks for")
    assert all(not m.why[0].startswith("the task asks for") for m in matches[1:])  # one skill per kind


def test_a_skill_two_kinds_raise_names_both_the_stronger_first(tmp_path: Path) -> None:
    # the off-topic rule spares a skill when any kind that raised it fits any topic (intent.ANY_TOPIC):
    # a skill raised more by brainstorming than by planning must still be known as raised by planning
    from skillforge.route.intent import ANY_TOPIC

    root = tmp_path / "lib"
    for name, description in OTHERS.items():
        write(root, name, description)
    write(root, "ideas-and-plans", "Brainstorm ideas and design; plans for tasks")
    task = "Let me first discuss the plan before building anything"
    assert kinds(task) == ["planning", "brainstorming"]
    matches = Router(root, threshold=0.0).route(task, k=3)
    assert matches[0].name == "ideas-and-plans"
    assert (
        matches[0].why[0] == "the task asks for brainstorming and planning"
    )  # brainstorming's bonus is larger
    assert "planning" in ANY_TOPIC and "brainstorming" not in ANY_TOPIC
