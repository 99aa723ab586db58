"""Error signatures: variable parts abstracted, exception type and stable words kept."""

import pytest

from skillforge.distill.offline.signature import (
    looks_failed,
    normalise,
    shows_failure,
    shows_success,
    signature,
)


def sig(text: str) -> str:
    found = signature(text)
    assert found is not None
    return found.text


def test_traceback_keeps_exception_type_and_abstracts_values() -> None:
    out = "Traceback (most recent call last):\n  File \"/testbed/a/b.py\", line 12, in f\nValueError: bad 'abc' at 0x7f3a2b"
    assert sig(out) == "ValueError: bad <q> at <hex>"


def test_same_failure_in_two_runs_has_one_signature() -> None:
    a = "KeyError: 'user_17'\n"
    b = "KeyError: 'session_99'\n"
    assert sig(a) == sig(b) == "KeyError: <q>"


def test_paths_numbers_and_line_numbers_abstracted() -> None:
    assert (
        sig("ls: cannot access 'foo/bar': No such file or directory")
        == "ls: cannot access <q>: No such file or directory"
    )
    assert normalise("error in /tmp/x/y.py line 42 after 3.5s") == "error in <path> line <n> after <n>"


def test_dotted_exception_shortened_to_class_name() -> None:
    assert (
        sig("django.db.utils.OperationalError: no such table: app_model")
        == "OperationalError: no such table: app_model"
    )


def test_missing_module_keeps_module_name() -> None:
    assert sig("/usr/bin/python3: No module named pytest") == "ModuleNotFoundError: No module named 'pytest'"
    assert (
        sig("ModuleNotFoundError: No module named 'numpy.core'")
        == "ModuleNotFoundError: No module named 'numpy'"
    )


def test_command_not_found_keeps_command() -> None:
    assert sig("bash: line 1: pytest: command not found") == "pytest: command not found"


def test_tool_error_line_and_pytest_summary() -> None:
    assert sig("sed: -e expression #1, char 45: unterminated `s' command") == (
        "sed: -e expression #<n>, char <n>: unterminated <q> command"
    )
    assert sig("collected 3 items\n===== 1 failed, 2 passed in 0.15s =====") == "pytest: tests failed"


def test_output_without_error_has_no_signature() -> None:
    assert signature("all good\n3 files changed") is None
    assert not looks_failed("ok")
    assert looks_failed("Traceback (most recent call last):\n  x\nValueError: y")


def test_test_and_build_failures_of_other_runners_look_failed() -> None:
    """Without a usable exit code (none recorded, or a pipe's), Go's and pytest's own reports of a
    failure count as one, not only a Python traceback."""
    assert looks_failed(
        "--- FAIL: TestParse (0.00s)\n    parse_test.go:12: got 1\nFAIL\nFAIL\tacme/parse\t0.004s"
    )
    assert looks_failed("# acme/widgets/auth\ninternal/auth/auth.go:30:8: ep.Port undefined (type *Endpoint)")
    assert looks_failed(
        '# acme/w/auth [acme/w/auth.test]\nauth/auth_test.go:7:2: "fmt" imported and not used'
    )
    assert looks_failed("collected 3 items\n\n===== 1 failed, 2 passed in 0.15s =====")
    assert not looks_failed("ok  \tacme/parse\t0.004s\n?   \tacme/cmd\t[no test files]")
    assert not looks_failed("===== 3 passed in 0.15s =====")
    assert not looks_failed("# A heading\nsome text: with a colon")


def test_pytest_quiet_failure_summary_looks_failed() -> None:
    """``pytest -q`` prints its summary without the ``=`` rule ("1 failed, 1 passed in 0.04s"): piped
    into ``tail`` (exit code tail's), a failing ``pytest -q`` run read as a success."""
    quiet = "FAILED tests/test_x.py::test_a - assert 1 == 2\n1 failed, 1 passed in 0.04s"
    assert looks_failed(quiet)
    assert looks_failed("3 passed, 1 error in 0.20s")
    assert looks_failed("2 failed in 75.12s (0:01:15)")
    assert not looks_failed("4 passed, 2 xfailed in 0.31s")
    assert not looks_failed("Retried 2 failed uploads in 3.0s")
    # Gemini CLI's shell footer on a command that worked (a held-out SkillsBench run)
    assert not looks_failed("Command: python3 peek.py\nOutput: ok\nError: (none)\nExit Code: 0")


def test_output_words_judge_a_command_whose_exit_status_is_another_commands() -> None:
    """After a pipe into ``grep``/``tail`` or ``; echo``, plain failure words count as a failure, and
    only a report of success counts as one: a bare count says neither."""
    for failed in (
        "[test] ERROR task failed",
        "FAILED tests/test_a.py::test_x - assert 1 == 2",
        "src/main.rs:3:5: error[E0308]: mismatched types",
        "internal/x.go:3:2: undefined: ep",
        "panic: runtime error: index out of range",
        "3 failed, 68 passed",
        "Found 2 errors",
        "exit code: 2",
        "14 doctests, 297 tests, 11 failures",
        "ok  \tacme/parse\t0.004s\nFAIL\tacme/auth\t0.010s",  # a summary of failure beside one of success
    ):
        assert shows_failure(failed), failed
    for passed in (
        "ok  \tacme/parse\t0.004s",
        "===== 3 passed in 0.15s =====",
        "Ran 4 tests in 0.01s\n\nOK",
        "test result: ok. 12 passed; 0 failed",
        "Successfully installed acme-1.0",
        "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.21s",
        "error: Database connection failed\n      at db.ts:3\n\n 1329 pass\n 0 fail\nRan 1329 tests across 60 files.",
    ):
        assert shows_success(passed) and not shows_failure(passed), passed
    assert not shows_failure("19") and not shows_success("19")  # `| grep -c`: nothing to judge
    assert not shows_failure("0 errors, 0 warnings") and not shows_failure("Retried 2 failed uploads in 3.0s")


RUNNER_SUMMARIES = {  # (output, failed, worked): the JavaScript and Swift runners' own summaries
    "vitest": (
        " Test Files  1 failed | 3 passed (4)\n      Tests  1 failed | 19 passed (20)\n   Duration  1.2s",
        True,
        False,
    ),
    "vitest, passing": (
        " Test Files  4 passed (4)\n      Tests  20 passed (20)\n   Duration  1.2s",
        False,
        True,
    ),
    "node --test": (
        "# tests 20\n# suites 2\n# pass 19\n# fail 1\n# cancelled 0\n# duration_ms 120.5",
        True,
        False,
    ),
    "node --test, passing": (
        "# tests 20\n# pass 20\n# fail 0\n# cancelled 0\n# duration_ms 120.5",
        False,
        True,
    ),
    "XCTest": (
        "Test Suite 'All tests' failed at 2026-01-01 10:00:00.000.\n\t Executed 20 tests, with 1 failure (0 unexpected) in 0.5 (0.6) seconds",
        True,
        False,
    ),
    "XCTest, passing": (
        "Test Suite 'All tests' passed at 2026-01-01 10:00:00.000.\n\t Executed 20 tests, with 0 failures (0 unexpected) in 0.5 (0.6) seconds",
        False,
        True,
    ),
    "swift-testing": ("\u2718 Test run with 20 tests failed after 0.05 seconds with 1 issue.", True, False),
    "golangci-lint": ("3 issues:\n* errcheck: 2\n* unused: 1", True, False),
    "golangci-lint, passing": ("0 issues.", False, True),
    "credo, passing": ("Analysis took 0.3 seconds\n710 mods/funs, found no issues.", False, True),
    "ruff, passing": ("All checks passed!", False, True),
    "mypy, passing": ("Success: no issues found in 211 source files", False, True),
    "swift-testing, with suites": (
        "\u2718 Test run with 14 tests in 2 suites failed after 0.1 seconds with 16 issues.",
        True,
        False,
    ),
    "swift-testing, with a suite, passing": (
        "\u2714 Test run with 1 test in 1 suite passed after 0.028 seconds.",
        False,
        True,
    ),
    "a table row is no summary": ("| lint | 2 errors |", False, False),
    "black": ("Oh no!\n1 file would be reformatted, 12 files would be left unchanged.", True, False),
    "black, passing": ("All done!\n13 files would be left unchanged.", False, True),
    "vitest, failed and skipped": ("      Tests  2 failed | 3 skipped (5)", True, False),
    "vitest, all failed": ("      Tests  2 failed (2)", True, False),
    "prettier, passing": ("All matched files use Prettier code style!", False, True),
    "swift-testing, passing": ("\u2714 Test run with 20 tests passed after 0.05 seconds.", False, True),
}


@pytest.mark.parametrize("runner", RUNNER_SUMMARIES)
def test_vitest_node_and_swift_summaries_are_judged(runner: str) -> None:
    """A review found these runners' summaries unjudged: a piped `vitest run | tail` that failed was
    neither a failure nor a success; linters' reports judge a piped check (`mise run lint | tail`)."""
    output, failed, worked = RUNNER_SUMMARIES[runner]
    assert shows_failure(output) is failed
    assert (shows_success(output) and not shows_failure(output)) is worked


@pytest.mark.parametrize(
    ("output", "failed", "worked"),
    [  # a second review's outputs
        (
            'error during build:\n[vite]: Rollup failed to resolve import "axios"\nexit: 0',
            False,
            False,
        ),  # tail's 0
        (
            "test result: ok. 3 passed; 0 failed\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\n"
            "error: test failed, to rerun pass --test integration",
            True,
            False,
        ),
        ("Attempt 1 failed\nretrying\n==== 4 passed in 0.3s ====", False, True),
        ("ERROR    app.worker:worker.py:42 job crashed (expected)\n==== 1 passed in 0.1s ====", False, True),
        ("ERROR tests/test_api.py - ImportError: cannot import name 'x'", True, False),
        ("Requirement already satisfied: numpy in ./venv/lib/python3.11/site-packages", False, False),
        ("[INFO] BUILD SUCCESS", False, True),
        ("[INFO] BUILD FAILURE", True, False),
        ("make: *** [Makefile:3: test] Error 2", True, False),
        ("up to date, audited 312 packages in 2s", False, True),
    ],
)
def test_runner_summaries_a_review_found(output: str, failed: bool, worked: bool) -> None:
    assert shows_failure(output) is failed
    assert (not failed and shows_success(output)) is worked
