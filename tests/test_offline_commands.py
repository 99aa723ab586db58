"""Shell command parsing: classes, written files, normalised recipes."""

import pytest

from skillforge.distill.offline.commands import classify, parse_command
from skillforge.ingest.tools import decode


@pytest.mark.parametrize(
    ("cmd", "cls"),
    [
        ("cd /testbed && python -m pytest a/tests/test_x.py -q 2>&1 | tail -20", "test"),
        ("./tests/runtests.py migrations.test_loader --verbosity 2", "test"),
        ("bin/test sympy/core/tests/test_basic.py", "test"),
        ("npm test -- --watch=false", "test"),
        ("pip install -e .", "install"),
        ("python setup.py build_ext --inplace", "build"),
        ("sed -i 's/a/b/' src/x.py", "edit"),
        ("nl -ba src/x.py | sed -n '10,20p'", "explore"),
        ("python reproduce.py", "reproduce"),
        ("python test_edge_cases.py", "reproduce"),
        ("sphinx-build --version", "explore"),
        ("echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached", "submit"),
    ],
)
def test_classes(cmd: str, cls: str) -> None:
    assert parse_command(cmd).cls == cls


def test_heredoc_write_is_an_edit_with_target_and_body() -> None:
    act = parse_command("cat <<'EOF' > pkg/mod.py\ndef f():\n    return 1\nEOF")
    assert act.cls == "edit"
    assert act.writes == ["pkg/mod.py"]
    assert "def f()" in act.heredoc


def test_sed_targets_and_compound_classes() -> None:
    act = parse_command("sed -i 's/a/b/' src/_pytest/pathlib.py && python reproduce.py")
    assert act.writes == ["src/_pytest/pathlib.py"]
    assert act.classes == ["edit", "reproduce"]


@pytest.mark.parametrize(
    ("cmd", "recipe"),
    [
        (
            "cd /testbed && timeout 60 python3 -m pytest a/tests/test_x.py::test_y -xvs 2>&1 | head -50",
            "python3 -m pytest <tests>",
        ),
        (
            "/usr/bin/python3 tests/runtests.py forms_tests.tests.test_forms admin_views",
            "/usr/bin/python3 tests/runtests.py <tests>",
        ),
        ("pytest tests/test_a.py -k 'foo and not bar'", "pytest <tests> -k <expr>"),
        ("pip install numpy==1.26 scipy", "pip install <package>"),
        # one command however the path is spelt: ./bin/test and bin/test are both paths (found counting
        # sympy's runs: 'bin/test' said 7 of 11 where it worked in 9)
        ("./bin/test sympy/core/tests/test_basic.py", "bin/test <tests>"),
        ("bin/test sympy/core/tests/test_basic.py", "bin/test <tests>"),
        ("python ./tests/runtests.py admin_views", "python tests/runtests.py <tests>"),
        ("./runtests.py admin_views", "./runtests.py <tests>"),  # without its ./ it is another command
        # `env VAR=… cmd` keeps its settings as `VAR=… cmd` does (docs/offline.md: environment kept)
        ("env GOCACHE=/tmp/gocache go test ./...", "GOCACHE=/tmp/gocache go test <tests>"),
        ("GOCACHE=/tmp/gocache go test ./...", "GOCACHE=/tmp/gocache go test <tests>"),
    ],
)
def test_recipes_are_normalised(cmd: str, recipe: str) -> None:
    assert parse_command(cmd).recipe == recipe


def test_quoted_list_operators_do_not_cut_a_command() -> None:
    """A reader found `python -c "a; b"` cut at the ';' inside its quotes."""
    act = parse_command('cd /testbed && python -c "import sys; print(sys.version)"; pip install -e .')
    assert len(act.classes) == 2, act.classes  # python -c "…", pip install: two commands, not three
    assert parse_command("pytest -q -k 'parse && not slow'").recipe == "pytest -k <expr>"


def test_non_shell_tools_classified_by_their_typed_action() -> None:
    assert classify(decode("claude-code", "Read", "", {"file_path": "a.py"})).cls == "explore"
    edit = classify(decode("swe-agent", "str_replace_editor", "", {"command": "str_replace", "path": "a.py"}))
    assert (edit.cls, edit.writes) == ("edit", ["a.py"])
    assert classify(decode("claude-code", "Bash", "", {"command": "pytest -q"})).cls == "test"


def test_a_shell_command_recorded_in_a_subfolder_runs_there() -> None:
    act = classify(decode("codex", "exec_command", "", {"cmd": "pytest -q", "workdir": "/r/pkg"}), "/r")
    assert (act.cls, act.cwd, act.recipe) == ("test", "pkg", "cd pkg && pytest")


@pytest.mark.parametrize(
    ("cmd", "masked"),
    [
        ("go build ./... 2>&1 | grep -c '^internal'", True),  # the pipe's status is grep's
        ("go test ./... 2>&1; echo EXIT=$?", True),  # the line's status is echo's
        ("pytest tests/test_a.py || true", True),
        ("cd /testbed && pytest tests/test_a.py\ngit status", True),  # a later line's status
        ("go test ./...; cd ..", True),
        ("go test ./... && echo passed", False),  # a failure stops the list: its status stands
        ("cd /testbed && pytest tests/test_a.py", False),
        ("git stash; go test ./...", False),  # the last command's status is the line's
        ("go test ./... ; # done", False),  # a comment runs nothing
        ("set -o pipefail; go test ./... | tail -5", False),
        # a review's: a failure that still fails the line, and pipes written without spaces
        ("make test || exit 1", False),
        ("go build ./... || return 2", False),
        ("go test ./... 2>&1 | tee log; exit ${PIPESTATUS[0]}", False),  # its own status, kept
        ("set -e; pytest -q; echo done", False),
        ("pytest -q |& tail -3", True),
        ("pytest -q 2>&1|tail -3", True),
        ("grep -E 'a|b' notes.txt", False),
        # list operators and pipes inside quotes are the program's text, not the shell's
        ('python -c "import app; app.check()" && pytest -q', False),
        ("pytest -q -k 'a or b; c'", False),
        ('go test ./... -run "TestA | TestB"', False),
        ("pytest -x a.py; ruff check .", True),  # the check's status is the line's
        # an apostrophe in a comment, prose or an escape is not a quote that hides what follows
        ("# Let's run the tests\npytest tests/test_a.py -x", False),
        ("echo it\\'s; pytest tests/test_a.py", False),
        # a quote later on the line (`-k 'a or b'`) would pair with an apostrophe left in a heredoc's text
        (
            "cat > a.md <<'EOF'\nDon't\nEOF\ncat > b.md <<'EOF'\nWon't\nEOF\npytest -k 'a or b' tests/test_a.py",
            False,
        ),
        ("echo $'it\\'s' && pytest -k 'a or b' tests/test_a.py", False),
        ("cat <<A > a.txt; cat <<B > b.txt\nx\nA\nit's here\nB\npytest -k 'a or b' tests/test_a.py", False),
        ("cat > a.md <<\\EOF\nDon't\nEOF\npytest -k 'a or b' tests/test_a.py", False),
        ("cat <<'END-DOC' > a.md\nIt's\nEND-DOC\npytest -k 'a or b' tests/test_a.py", False),
        ("python -c '\nx = 1 << 4\nprint(x)\n' && pytest tests/test_a.py", False),  # a shift, no heredoc
    ],
)
def test_an_exit_status_that_is_not_the_main_commands_own_is_masked(cmd: str, masked: bool) -> None:
    assert parse_command(cmd).masked is masked


@pytest.mark.parametrize(
    ("cmd", "cls", "recipe"),
    [  # a reader found a skill naming `go test …` where the project's own tasks were `mise run test`
        # and `mise run lint` (used in 7 and 10 runs): a project's tasks are classed by their names
        ("mise run test", "test", "mise run test"),
        ("mise run test:integration", "test", "mise run test:integration"),
        ("mise run lint", "check", "mise run lint"),
        ("mise run fmt && mise run lint", "check", "mise run lint"),
        ("just test", "test", "just test"),
        ("task build", "build", "task build"),
        ("make lint", "check", "make lint"),
        ("make check", "test", "make check"),  # autotools' check runs the tests
        ("bun run typecheck", "check", "bun run typecheck"),
        ("npm run test:unit", "test", "npm run test:unit"),
        ("npm run dev", "other", ""),
        # a runner of another program is classed by that program, and kept in the recipe
        ("uv run pytest tests/test_a.py -q", "test", "uv run pytest <tests>"),
        ("poetry run pytest -k parse", "test", "poetry run pytest -k <expr>"),
        ("bundle exec rspec spec/a_spec.rb", "test", "bundle exec rspec <tests>"),
        ("npx vitest run src/a.test.ts", "test", "npx vitest run <tests>"),
        ("mise exec -- go test ./...", "test", "mise exec -- go test <tests>"),
        # linters, formatters and type checkers: the checks a project runs before a commit
        ("golangci-lint run ./...", "check", "golangci-lint run ./..."),
        ("ruff check src/a.py src/b.py", "check", "ruff check <paths>"),
        ("npx tsc --noEmit", "check", "npx tsc --noEmit"),
        ("cargo clippy -- -D warnings", "check", "cargo clippy -- -D warnings"),
        ("mix credo --strict", "check", "mix credo --strict"),
        ("mix compile", "build", "mix compile"),
        # a review's: options and their values are never the program or the task
        ("uv run -- pytest tests", "test", "uv run -- pytest <tests>"),
        ("npx --yes vitest run src/a.test.ts", "test", "npx --yes vitest run <tests>"),
        ("uv run --directory sub pytest tests/a.py", "test", "uv run --directory sub pytest <tests>"),
        ("npx -p typescript tsc --noEmit", "check", "npx -p typescript tsc --noEmit"),
        ("make -j4 test", "test", "make -j4 test"),
        ("make -C frontend lint", "check", "make -C frontend lint"),
        ("make -j 4 check", "test", "make -j 4 check"),
        ("mise run --force test", "test", "mise run --force test"),
        ("just --list", "other", ""),
        ("vitest src/a.test.ts", "test", "vitest <tests>"),  # not a subcommand: tests selected
        ("ruff check --select E501 src", "check", "ruff check --select E501 src"),
        ("tsc --noEmit -p tsconfig.json", "check", "tsc --noEmit -p tsconfig.json"),
        ("pre-commit run ruff --all-files", "check", "pre-commit run ruff --all-files"),
        ("gofmt -l .", "other", ""),  # exits 0 whatever it lists: not a check that can fail
        ("python -m mypy src", "check", "python -m mypy src"),
        # a check after a test or build leaves the test or build the line's main command
        ("go test ./... && go vet ./...", "test", "go test <tests>"),
        ("npm test && npm run lint", "test", "npm test"),
        # a second review's: runners' options before `run`, scripts without `run`, dry runs, scripts of
        # Python project managers, value options of each runner
        ("pnpm --filter web test", "test", "pnpm --filter web test"),
        ("pnpm -C web run lint", "check", "pnpm -C web run lint"),
        ("npm --prefix web run test", "test", "npm --prefix web run test"),
        ("bun --cwd app run test", "test", "bun --cwd app run test"),
        ("poetry -C sub run pytest", "test", "poetry -C sub run pytest"),
        ("yarn lint", "check", "yarn lint"),
        ("yarn add lodash", "install", "yarn add <package>"),
        ("make -n test", "explore", ""),
        ("make -sn test", "explore", ""),
        ("make -p test", "test", "make -p test"),
        ("make -o foo test", "test", "make -o foo test"),
        ("uv run --with-requirements r.txt pytest", "test", "uv run --with-requirements r.txt pytest"),
        ("npm run --workspace web test", "test", "npm run --workspace web test"),
        ("just --justfile x.just test", "test", "just --justfile x.just test"),
        ("task -t Taskfile.yml lint", "check", "task -t Taskfile.yml lint"),
        ("pdm run test", "test", "pdm run test"),
        ("hatch run test:cov", "test", "hatch run test:cov"),
        ("uvx ruff check .", "check", "uvx ruff check ."),
        ("bundle exec rake test", "test", "bundle exec rake test"),
        ("make unittest", "test", "make unittest"),
        # quoted text over lines is the program's: a commit message, a script given to -c
        ('git commit -m "Fix flaky cart test\n\nmake test passes locally"', "other", ""),
        ("python -c '\nimport pytest\npytest.main([\"-x\"])\n'", "reproduce", ""),
    ],
)
def test_project_tasks_runners_and_checks(cmd: str, cls: str, recipe: str) -> None:
    act = parse_command(cmd)
    assert (act.cls, act.recipe) == (cls, recipe)


@pytest.mark.parametrize(
    "cmd",
    [
        "echo $'it\\'s' && pytest -k 'a or b' tests/test_a.py",
        "cat > a.md <<'EOF'\nDon't\nEOF\ncat > b.md <<'EOF'\nWon't\nEOF\npytest -k 'a or b' tests/test_a.py",
        "cat > a.md <<\\EOF\nDon't\nEOF\npytest -k 'a or b' tests/test_a.py",
        "# Let's run the tests\npytest -k 'a or b' tests/test_a.py",
    ],
)
def test_an_apostrophe_that_is_no_quote_hides_no_command(cmd: str) -> None:
    """An escaped or ANSI-C-quoted apostrophe, one in a heredoc's text or a comment: the test after it
    is still the line's command (paired with the next quote, it hid everything up to it)."""
    act = parse_command(cmd)
    assert (act.cls, act.recipe) == ("test", "pytest -k <expr> <tests>")
