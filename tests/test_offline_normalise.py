"""Command normalisation never turns one command into a different one: a recipe keeps the working
folder of a ``cd`` chain, the interpreter as typed and the environment assignments; only arguments are
abstracted. A command run in a scratch folder or on files the run made is no repository recipe."""

from __future__ import annotations

import re

import pytest
from fixtures.offline.runs import OK, TRACE_NO_PYTEST, run

from skillforge.distill.offline import OfflineMapper
from skillforge.distill.offline.commands import change_dir, parse_command
from skillforge.model import LessonKind, Outcome


@pytest.mark.parametrize(
    ("cmd", "recipe"),
    [
        # cd chains: the working folder stays, a cd to the repository root goes
        ("cd tests && python runtests.py forms_tests", "cd tests && python runtests.py <tests>"),
        ("cd /testbed/tests && ./runtests.py queries ordering", "cd tests && ./runtests.py <tests>"),
        ("cd /testbed && python tests/runtests.py queries", "python tests/runtests.py <tests>"),
        ("cd tests && cd .. && pytest tests/test_x.py", "pytest <tests>"),
        ("cd docs && make html", "cd docs && make html"),
        # an absolute path into the repository is relative only from the root
        ("/testbed/tests/runtests.py timezones", "tests/runtests.py <tests>"),
        (
            "cd /testbed/tests && python /testbed/tests/runtests.py x",
            "cd tests && python /testbed/tests/runtests.py <tests>",
        ),
        # interpreters as typed
        ("/usr/bin/python3 -m pytest sympy/core/tests/test_x.py", "/usr/bin/python3 -m pytest <tests>"),
        ("python3 -m pytest a/tests/test_x.py", "python3 -m pytest <tests>"),
        ("python -m pytest a/tests/test_x.py -q", "python -m pytest <tests>"),
        ("python3.9 -m pip install -e .", "python3.9 -m pip install -e ."),
        # environment prefixes, inline or exported
        (
            "DJANGO_SETTINGS_MODULE=test_sqlite python -m django test basic",
            "DJANGO_SETTINGS_MODULE=test_sqlite python -m django test <tests>",
        ),
        ("export PYTHONPATH=/testbed && pytest tests/a.py", "PYTHONPATH=/testbed pytest <tests>"),
        (
            "PYTHONWARNINGS=ignore timeout 60 pytest tests/a.py 2>&1 | tail",
            "PYTHONWARNINGS=ignore pytest <tests>",
        ),
    ],
)
def test_recipe_keeps_what_makes_the_command(cmd: str, recipe: str) -> None:
    assert parse_command(cmd).recipe == recipe


@pytest.mark.parametrize(
    "cmd",
    [
        "cd tests && python runtests.py a",
        "/usr/bin/python3 -m pytest t/test_a.py",
        "FOO=1 pytest t/test_a.py",
        "cd /tmp/x && pytest test_a.py",
        "cd src/pkg && PYTHONPATH=.. python3 -m pytest tests/test_b.py -x",
    ],
)
def test_a_recipe_filled_back_is_the_command(cmd: str) -> None:
    """Putting the abstracted arguments back gives the command with only flags and wrappers removed:
    the runner, its folder and its environment are the command's own."""
    recipe = parse_command(cmd).recipe
    runner = recipe.split(" <tests>")[0]
    head = re.sub(r"^export (\w+=\S+) && ", r"\1 ", cmd).replace("/testbed/", "")
    assert head.startswith(runner), (cmd, recipe)


def test_change_dir_follows_the_chain() -> None:
    assert change_dir("", "tests") == "tests"
    assert change_dir("tests", "..") == ""
    assert change_dir("", "/testbed") == ""
    assert change_dir("a", "b/c") == "a/b/c"
    assert change_dir("", "/tmp/work") == "/tmp/work"


@pytest.mark.parametrize(
    ("cmd", "scratch"),
    [
        ("cd reproduce_issue && sphinx-build -b html . _build", True),
        ("cd /tmp/proj && python -m pytest", True),
        ("pytest reproduce_issue.py", True),
        ("python /tmp/check.py", True),
        ("cd doc && sphinx-build -b html . _build", False),
        ("pytest tests/test_build.py", False),
    ],
)
def test_scratch_folders_and_files_are_marked(cmd: str, scratch: bool) -> None:
    assert parse_command(cmd).scratch is scratch


def _recipes(*trajs):
    m = OfflineMapper()
    lessons = m.reduce([m.map(t) for t in trajs])
    return [le for le in lessons if le.kind is LessonKind.ENVIRONMENT_RECIPE]


def test_scratch_project_build_is_not_the_repository_recipe() -> None:
    calls = [
        ("mkdir demo_docs && cat <<'EOF' > demo_docs/conf.py\nproject = 'x'\nEOF", OK, ""),
        ("cd demo_docs && sphinx-build -b html . _build", OK, "build succeeded."),
    ]
    assert _recipes(run("a", calls), run("b", calls)) == []


def test_test_run_on_files_the_run_wrote_is_not_a_recipe() -> None:
    calls = [
        ("cat <<'EOF' > test_issue.py\ndef test_x():\n    assert 1\nEOF", OK, ""),
        ("pytest test_issue.py", OK, "1 passed"),
    ]
    assert _recipes(run("a", calls), run("b", calls)) == []


def test_repository_recipe_keeps_its_folder_and_scratch_runs_do_not_count() -> None:
    real = [("cd tests && python runtests.py basic", OK, "OK")]
    scratch = [("mkdir -p /tmp/site && cd /tmp/site && python runtests.py basic", OK, "OK")]
    recipes = _recipes(run("a", real), run("b", real), run("c", scratch))
    assert [le.title for le in recipes] == ["Run the tests: cd tests && python runtests.py <tests>"]
    assert "seen in 2 runs" in recipes[0].body


def test_wrong_interpreter_failure_names_that_interpreter() -> None:
    """`/usr/bin/python3 -m pytest` failing without pytest is not `python -m pytest` failing."""
    calls = [
        ("/usr/bin/python3 -m pytest tests/test_a.py", 1, TRACE_NO_PYTEST),
        ("pytest tests/test_a.py", OK, "1 passed"),
    ]
    m = OfflineMapper()
    lessons = m.reduce([m.map(run(i, calls, outcome=Outcome.SUCCESS)) for i in "ab"])
    bodies = " ".join(le.body for le in lessons if le.kind is LessonKind.ERROR_RECOVERY)
    assert "`/usr/bin/python3 -m pytest <tests>`" in bodies
    assert "`python -m pytest" not in bodies


def test_helpers_between_failure_and_fix_keep_their_folder_and_scripts_their_interpreter() -> None:
    calls = [
        (
            "/usr/bin/python3 reproduce.py",
            1,
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'numpy'",
        ),
        ("cd vendor && pip install -e .", OK, "Successfully installed"),
        ("/usr/bin/python3 reproduce.py", OK, "ok"),
    ]
    m = OfflineMapper()
    (le,) = [
        le
        for le in m.reduce([m.map(run(i, calls, outcome=Outcome.SUCCESS)) for i in "ab"])
        if le.kind is LessonKind.ERROR_RECOVERY
    ]
    assert "`cd vendor && pip install -e .`" in le.body
    assert "When `/usr/bin/python3` fails" in le.body


@pytest.mark.parametrize(
    ("cmd", "program"),
    [
        ("/usr/bin/python3 -m pytest x", "/usr/bin/python3 -m pytest"),
        ("python3 reproduce.py", "python3"),
        ("python -m pip install x", "python -m pip"),
        ("git diff", "git diff"),
        ("/bin/ls -la", "ls"),
    ],
)
def test_program_keeps_the_interpreter(cmd: str, program: str) -> None:
    assert parse_command(cmd).program == program


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # a script run by the interpreter on the PATH is the script run itself (loop19 defect 4)
        ("./tests/runtests.py admin_views", "python3 tests/runtests.py queries", True),
        ("python tests/runtests.py admin_views", "python3 tests/runtests.py queries", True),
        ("cd tests && python runtests.py basic", "cd /testbed/tests && ./runtests.py basic", True),
        (
            "DJANGO_SETTINGS_MODULE=s python3 tests/runtests.py a",
            "DJANGO_SETTINGS_MODULE=s ./tests/runtests.py b",
            True,
        ),
        # another interpreter, a module run, another folder or environment: another command
        ("/usr/bin/python3 tests/runtests.py a", "./tests/runtests.py a", False),
        ("python3.9 tests/runtests.py a", "./tests/runtests.py a", False),
        ("python -m pytest tests/test_a.py", "python3 -m pytest tests/test_a.py", False),
        ("cd tests && python runtests.py a", "python tests/runtests.py a", False),
        ("DJANGO_SETTINGS_MODULE=s python3 tests/runtests.py a", "./tests/runtests.py a", False),
    ],
)
def test_same_command_however_the_script_is_typed(a: str, b: str, same: bool) -> None:
    from skillforge.distill.offline.cmdline import same_command

    recipe_a, recipe_b = parse_command(a).recipe, parse_command(b).recipe
    assert (same_command(recipe_a) == same_command(recipe_b)) is same, (recipe_a, recipe_b)
