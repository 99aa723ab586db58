"""Outcome inference from the logs themselves: the result of the last test run an agent made.

Used by ``skillforge.ingest.read`` for trajectories whose outcome is still unknown after the reader
(log-stated outcomes) and ``--labels`` (which win over everything). Conservative on purpose: only the
*last* test command counts, and only when its output says pass or fail unambiguously (a summary that
says "passed" while the command exited non-zero is ambiguous and gives no answer). A Codex command still
running after its yield time is read on through the ``write_stdin`` polls of its session.
"""

from __future__ import annotations

import re

from skillforge.model import Outcome, Step, StepKind

SOURCE = "tests"

# the words that start a test run (each must follow the start of the command or a separator)
_TEST_WORDS = (
    r"pytest",
    r"py\.test",
    r"go\s+test",
    r"cargo\s+(?:test|nextest)",
    r"jest",
    r"vitest",
    r"mocha",
    r"npm\s+(?:run\s+)?test",
    r"pnpm\s+(?:run\s+)?test",
    r"yarn\s+(?:run\s+)?test",
    r"bun\s+(?:run\s+)?test",
    r"tox",
    r"nox",
    r"runtests\.py",
    r"manage\.py\s+test",
    r"-m\s+(?:pytest|unittest)",
    r"unittest",
    # a project's test task through its task runner (make, mise, just, go-task): ``mise run test:ci``
    r"(?:make|mise\s+run|just|task)\s+test",
)
# A shell command that runs a test suite: a test word at the start of the command or after a separator
# (``(?:^|[\s;&|(/])(?:pytest|…)`` and then neither a word character nor a dot). Written as two patterns, one anchored at the start and one that
# opens with the separator: that gives the regex engine a set of first characters to skip to, where a
# lookbehind made it try every alternative at every position (a third of the instructions).
_TEST_WORD = "(?:" + "|".join(_TEST_WORDS) + r")(?![\w.])"  # not tox.ini, pytest.ini, jest.config.js
_TEST_AT_START = re.compile(_TEST_WORD)
_TEST_AFTER_SEPARATOR = re.compile(r"[\s;&|(/]" + _TEST_WORD)

# Runner summaries. Each is a line of its own, so the patterns are anchored at a line start (re.M); a
# cheap substring test on "\n" + the line's first word runs first, since an anchored search still tries
# every position of the text. pytest's summary starts with a count, so it is found by its distinctive
# tail (`` in 0.12s``) and then read from its line's start.
_PYTEST_DURATION = re.compile(r" in [\d.]+ ?(?:s|seconds)\b")
_PYTEST_SUMMARY = re.compile(
    r"=*\s*(?P<body>(?:\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|"
    r"warnings?|deselected)(?:, )?)+) in [\d.]+ ?(?:s|seconds)\b"
)
_UNITTEST_OK = re.compile(r"^Ran \d+ tests? in [\d.]+s\s*\n+OK\b", re.M)
_UNITTEST_FAILED = re.compile(r"^FAILED \((?:failures|errors)=\d+", re.M)
_GO_OK = re.compile(r"^ok\s+\S+\s+(?:[\d.]+s|\(cached\))", re.M)
_GO_FAIL = re.compile(r"^(?:FAIL\s+\S+\s+[\d.]+s|--- FAIL: |FAIL$)", re.M)
_CARGO = re.compile(r"^test result: (ok|FAILED)\. \d+ passed; (\d+) failed", re.M)
_JEST = re.compile(r"^Tests:\s+(?:(\d+) failed, )?.*?(\d+) passed, \d+ total", re.M)
_JEST_ALL_FAILED = re.compile(r"^Tests:\s+(\d+) failed, \d+ total", re.M)
_MOCHA_PASSING = re.compile(r"^\s*\d+ passing\b", re.M)
_MOCHA_FAILING = re.compile(r"^\s*\d+ failing\b", re.M)


TAIL = 8_000  # runner summaries are at the end of the output: only its tail is read


_TOOL_CALL = StepKind.TOOL_CALL  # bound once: enum attribute access is slow (this runs on every step)


def is_test_command(text: str) -> bool:
    # every test word holds one of these five: a cheap test before the patterns
    if "test" in text or "jest" in text or "mocha" in text or "tox" in text or "nox" in text:
        return _TEST_AT_START.match(text) is not None or _TEST_AFTER_SEPARATOR.search(text) is not None
    return False


def runs_a_command(step: Step) -> bool:
    """Whether a tool call runs a command line: its input names one (``command``/``cmd``, as every
    reader writes shell calls) or it has no structured input. Not a file written, an edit or a patch,
    whose text may well mention pytest."""
    args = step.input
    return args is None or (type(args) is dict and ("command" in args or "cmd" in args))


def infer_from_tests(steps: list[Step]) -> tuple[Outcome, str] | None:
    """The outcome said by the last test run's output, with source ``"tests"``; None when there is no
    test run with a result, or its result is not clear."""
    for step in reversed(steps):
        if step.kind is not _TOOL_CALL or not runs_a_command(step) or not is_test_command(step.text):
            continue
        if step.pair is None or not 0 <= step.pair < len(steps):
            return None
        result = steps[step.pair]
        text, exit_code = result.text, result.exit_code
        if _RUNNING in text:  # Codex: still running after its yield time, its output read by write_stdin
            text, exit_code = _polled(steps, step.pair, text, exit_code)
        outcome = outcome_of_output(text)
        if outcome is None:
            return None
        if exit_code is not None and (exit_code == 0) != (outcome is Outcome.SUCCESS):
            return None  # the summary and the exit code disagree
        return outcome, SOURCE
    return None


_RUNNING = "Process running with session ID "
_SESSION = re.compile(r"Process running with session ID (\d+)")


def _polled(steps: list[Step], at: int, text: str, exit_code: int | None) -> tuple[str, int | None]:
    """A Codex command's output continued in the later ``write_stdin`` calls naming its session, up to
    the poll that says it exited: all of it, and the last poll's exit code. Without such a poll (the
    phrase in another tool's output) the output and ``exit_code`` as they were."""
    match = _SESSION.search(text)
    if match is None:
        return text, exit_code
    session = int(match.group(1))
    for step in steps[at + 1 :]:
        args = step.input
        if (
            step.kind is _TOOL_CALL
            and type(args) is dict
            and str(args.get("session_id")) == str(session)
            and step.pair is not None
            and 0 <= step.pair < len(steps)
        ):
            polled = steps[step.pair].text
            text += "\n" + polled
            exit_code = steps[step.pair].exit_code
            if "Process exited with code " in polled:
                break  # ended: a later process may be given the same session id
    return text, exit_code


def outcome_of_output(text: str) -> Outcome | None:
    """SUCCESS/FAILURE from a test runner's output; None when no runner summary is found."""
    passed, failed = _signals(text[-TAIL:])
    if failed:
        return Outcome.FAILURE
    if passed:
        return Outcome.SUCCESS
    return None


def _signals(text: str) -> tuple[bool, bool]:
    """(some run passed, some run failed) from the runner summaries found; each runner's patterns are
    tried only when a word of its summary occurs (at a line start, where the pattern needs one)."""
    passed, failed = _pytest(text)
    text = "\n" + text  # so that every line start, the first too, follows a newline
    if "Ran " in text:  # unittest
        if _UNITTEST_FAILED.search(text):
            failed = True
        elif _UNITTEST_OK.search(text):
            passed = True
    if ("\nFAIL" in text or "\n--- FAIL: " in text) and _GO_FAIL.search(text):
        failed = True
    elif "ok " in text and "\nok" in text and _GO_OK.search(text):  # "ok ": as before (\s+ spans lines)
        passed = True
    if "\ntest result:" in text:
        for status, nfailed in _CARGO.findall(text):
            if status == "FAILED" or nfailed != "0":
                failed = True
            else:
                passed = True
    if "\nTests:" in text:
        for nfailed, _ in _JEST.findall(text):
            if nfailed and nfailed != "0":
                failed = True
            else:
                passed = True
        failed = failed or bool(_JEST_ALL_FAILED.search(text))
    if " failing" in text and _MOCHA_FAILING.search(text):
        failed = True
    elif " passing" in text and _MOCHA_PASSING.search(text):
        passed = True
    return passed, failed


def _pytest(text: str) -> tuple[bool, bool]:
    """pytest summaries (``=== 1 failed, 3 passed in 0.12s ===``), each read from its line's start."""
    passed = failed = False
    for hit in _PYTEST_DURATION.finditer(text):
        match = _PYTEST_SUMMARY.match(text, text.rfind("\n", 0, hit.start()) + 1)
        if match is None:
            continue
        body = match.group("body")
        if re.search(r"\d+ (?:failed|errors?)\b", body):
            failed = True
        elif re.search(r"[1-9]\d* passed", body):
            passed = True
    return passed, failed
