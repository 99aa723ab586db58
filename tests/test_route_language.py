"""A skill about one programming language (by its name's first word) is damped on a task that shows
only other languages (route.language), and left alone on tasks in its language or in none."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge import Router
from skillforge.route.language import MISMATCH, language_factor, skill_language, task_languages
from skillforge.route.rank import Context


def write(root: Path, name: str, description: str, scope: str = "") -> None:
    folder = root / "skills" / name
    folder.mkdir(parents=True)
    meta = f"metadata:\n  skillforge-scope: {scope}\n" if scope else ""
    body = f"# {name}\n\n1. {description}\n"
    (folder / "SKILL.md").write_text(f'---\nname: {name}\ndescription: "{description}"\n{meta}---\n{body}')


BENCH = "Write and read benchmarks, profile CPU and memory, and compare performance before and after a change"


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    write(root, "golang-benchmark", BENCH)
    write(root, "release-notes", "Write release notes from merged pull requests")
    write(root, "changelog-format", "Keep a changelog in the Keep a Changelog format")
    return root


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("golang-benchmark", "go"),
        ("python-testing", "python"),
        ("React_best_practices", "javascript"),
        ("typescript-strict", "javascript"),
        ("llama-cpp", ""),  # a tool named after a language: only the first word counts
        ("benchmark-golang", ""),
        ("release-notes", ""),
    ],
)
def test_the_language_of_a_skill_is_its_names_first_word(name: str, language: str) -> None:
    assert skill_language(name) == language


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("benchmark this Python function", {"python"}),
        ("pytest fails in tests/test_cart.py", {"python"}),
        ("Add JSDoc comments to the main App.tsx component", {"javascript"}),
        ("go test ./... fails after the bump; see cmd/main.go", {"go"}),
        ("cargo build fails on the serde derive", {"rust"}),
        ("add a TODO to the README about the docs", set()),
        ("let's go over the design of the import flow", set()),  # 'go' alone is English
    ],
)
def test_the_languages_a_task_shows(text: str, languages: set[str]) -> None:
    assert set(task_languages(text)) == languages


def test_the_working_folder_counts_and_typescript_is_javascript() -> None:
    assert task_languages("add a TODO", ["typescript"]) == frozenset({"javascript"})
    assert language_factor("javascript", task_languages("", ["typescript"])) == 1.0


PYTHON_TASK = "benchmark this python function and compare performance before and after"
GO_FOLDER = Context("acme/bench", ["go"])  # Go in the working folder: the task shows Go too


def test_a_go_skill_is_damped_on_a_python_task(library: Path) -> None:
    router = Router(library, threshold=0.0)
    damped = router.route(PYTHON_TASK, k=1)[0]
    in_go_folder = router.route(PYTHON_TASK, k=1, context=GO_FOLDER)[0]
    assert damped.name == in_go_folder.name == "golang-benchmark"
    assert damped.score == pytest.approx(in_go_folder.score * MISMATCH, rel=1e-4)
    assert damped.fit == pytest.approx(damped.score, rel=1e-4)  # abstention reads the damped score


def test_a_task_that_shows_no_language_is_left_alone(library: Path) -> None:
    router = Router(library, threshold=0.0)
    task = "benchmark this function and compare performance before and after"
    assert router.route(task, k=1)[0].score == pytest.approx(
        router.route(task, k=1, context=GO_FOLDER)[0].score, rel=1e-4
    )


def test_the_mismatch_can_make_route_abstain(library: Path) -> None:
    plain = Router(library, threshold=0.0).route(PYTHON_TASK, k=1, context=GO_FOLDER)[0].score
    router = Router(library, threshold=plain * 0.75)  # above the damped score, under the plain one
    assert router.route(PYTHON_TASK, k=1) == []
    assert [m.name for m in router.route(PYTHON_TASK, k=1, context=GO_FOLDER)] == ["golang-benchmark"]


def test_a_declared_language_is_read_like_a_name_and_the_folder_decides_once(tmp_path: Path) -> None:
    from skillforge.route.rank import LANGUAGE_MISMATCH, SCOPE_MATCH

    root = tmp_path / "lib"
    write(root, "benchmarks", BENCH, "language:go")  # the name says nothing; the scope says Go
    router = Router(root, threshold=0.0)

    def score(context: Context | None) -> float:
        return router.route(PYTHON_TASK, k=1, context=context)[0].score

    base = score(Context("acme/bench", ["go", "python"])) / SCOPE_MATCH  # the scope matches, the text too
    assert score(None) == pytest.approx(base * MISMATCH, rel=1e-4)  # no folder: the text says Python only
    # a folder whose languages are known: the scope judges, once (not 0.85 x 0.5)
    assert score(Context("acme/bench", ["python"])) == pytest.approx(base * LANGUAGE_MISMATCH, rel=1e-4)


def test_a_monorepos_root_markers_never_damp_alone(library: Path) -> None:
    # a root package.json (tooling) beside a Go service: the folder may clear a mismatch, never make one
    task = "benchmark this function and compare performance before and after"
    router = Router(library, threshold=0.0)
    plain = router.route(task, k=1)[0].score
    assert router.route(task, k=1, context=Context("acme/mono", ["javascript"]))[0].score == pytest.approx(
        plain
    )


def test_kotlin_and_java_are_one_family() -> None:
    assert language_factor("java", task_languages("convert this Kotlin data class, see Order.kt")) == 1.0
    assert language_factor("kotlin", task_languages("fix the NPE in OrderService.java")) == 1.0
    assert language_factor("go", task_languages("fix the NPE in OrderService.java")) == MISMATCH


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("bump the module path in go.mod", {"go"}),
        ("Add table-driven tests for the Go HTTP handlers; CI runs npm run lint first", {"go", "javascript"}),
        ("if err != nil { return err }", {"go"}),
        ("React to SIGTERM in the worker", set()),  # capitalised at a sentence's start: English
        ("Set up Unity Catalog for the lakehouse", set()),
        ("Add guard Rails to the agent loop", set()),
        ("Vue d'ensemble du service", set()),
        ("Rust-proof the enclosure", set()),
        ("parse MT103 files for Swift payments", set()),
        ("see https://myapp.azurewebsites.net/health", set()),
        ("a dashboard in React with Vite", {"javascript"}),
        ("deploy the ASP.NET app", {"c#"}),
    ],
)
def test_language_cues_in_context(text: str, languages: set[str]) -> None:
    assert set(task_languages(text)) == languages


@pytest.mark.parametrize(
    ("text", "languages"),
    [  # a second review's: the English verb 'go', URLs, a capital 'In'
        ("go run the tests and fix what fails", set()),
        ("Now go work on the next task", set()),
        ("go get the latest data from the API", set()),
        ("go test ./... and go mod tidy", {"go"}),
        ("In Go, how do I read a file line by line?", {"go"}),
        ("Deploy the landing page to https://foo.io/page.php", set()),
        ("copy s3://bucket/model.py to the server", set()),
    ],
)
def test_language_cues_a_second_review_found(text: str, languages: set[str]) -> None:
    assert set(task_languages(text)) == languages
