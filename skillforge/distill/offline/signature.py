"""Error signatures: the one line of a failing step's output that says what went wrong, normalised so
the same failure in different runs groups together.

Paths, numbers, hex ids, line numbers and quoted values are abstracted (``<path>``, ``<n>``, ``<hex>``,
``<q>``); the exception type and the stable message words are kept. A few messages whose quoted value
*is* the stable part keep it (``No module named 'pytest'``, ``pytest: command not found``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SIGNATURE = 120
MAX_SCAN_LINES = 400  # only the tail of a long output is searched
MAX_LINE = 500  # characters of one line that are searched (the path patterns are quadratic in a line)

# "ValueError: msg", "django.db.utils.OperationalError: msg", "E   AssertionError: msg"
_EXC = re.compile(
    r"^(?:E\s+)?(?P<type>(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Failure)"
    r"|AssertionError|StopIteration|KeyboardInterrupt)(?::\s*(?P<msg>.*))?$"
)
_NO_MODULE = re.compile(r"No module named ['\"]?(?P<mod>[\w.]+)['\"]?")
_NOT_FOUND = re.compile(r"(?:^|:\s)(?P<cmd>[\w.+-]+): (?:command )?not found\b")
_SHELL_TOOL = re.compile(r"^(?:bash: (?:line \d+: )?)?(?P<tool>[\w./+-]+): (?P<msg>.+)$")
_GENERIC = re.compile(
    r"\b(?:error|fatal|failed|cannot|can't|unable|not found|no such|unterminated|unknown|invalid|denied"
    r"|refused|missing|not defined|unexpected)\b",
    re.I,
)
_PYTEST_SUMMARY = re.compile(r"^=+ .*\b(?:failed|error|errors)\b.* in [\d.]+s", re.I)
_SKIP_LINE = re.compile(r"^\s*(?:\^+|~+|-+|=+|\[… .* cut …\]|</?output[\w_]*>)\s*$")

_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"0x[0-9a-fA-F]+"), "<hex>"),
    (re.compile(r"\b[0-9a-f]{7,40}\b"), "<hex>"),
    (re.compile(r"(?<![A-Za-z])'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"|`[^`\n]{0,200}['`]"), "<q>"),
    (
        re.compile(r"(?:(?<=\s)|^)(?:[A-Za-z]:)?(?:~|\.{1,2})?(?:/[\w.@+-]+)+/?|\b[\w.-]+(?:/[\w.@+-]+)+"),
        "<path>",
    ),
    (
        re.compile(
            r"\b[\w-]+\.(?:py|js|ts|tsx|jsx|rs|go|c|h|cpp|java|rb|toml|cfg|ini|json|yaml|yml|txt|sh)\b"
        ),
        "<path>",
    ),
    (re.compile(r"\bline \d+"), "line <n>"),
    (re.compile(r"(?<![\w<.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?:s|ms|%)?(?![\w>])"), "<n>"),
    (re.compile(r"\s+"), " "),
)


@dataclass(slots=True, frozen=True)
class ErrorSignature:
    """``text`` is the normalised signature; ``raw`` the original line (shortened) for quotes;
    ``exc`` the exception type or tool name that raised it ('' when unknown)."""

    text: str
    raw: str
    exc: str = ""


def normalise(line: str) -> str:
    """Abstract the variable parts of one error line."""
    text = line.strip()[:MAX_LINE]
    for pattern, repl in _SUBS:
        text = pattern.sub(repl, text)
    text = text.strip()
    return text[:MAX_SIGNATURE].rstrip()


def shorten(text: str, limit: int = 160) -> str:
    """One line, at most ``limit`` characters (for quotes)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _special(line: str) -> ErrorSignature | None:
    m = _NO_MODULE.search(line)
    if m:
        exc_m = _EXC.match(line.strip())
        exc = exc_m.group("type") if exc_m else "ModuleNotFoundError"
        mod = m.group("mod").split(".")[0]
        return ErrorSignature(f"{exc.rsplit('.', 1)[-1]}: No module named '{mod}'", shorten(line), exc)
    m = _NOT_FOUND.search(line)
    if m and ("command not found" in line or line.strip().endswith("not found")):
        cmd = m.group("cmd")
        return ErrorSignature(f"{cmd}: command not found", shorten(line), "shell")
    return None


def signature(output: str) -> ErrorSignature | None:
    """The signature of a failing step's output, or None when nothing in it looks like an error.

    Preference: the last exception line of a traceback, then special shell messages, then the last
    ``tool: message`` line that mentions an error word, then a pytest summary line.
    """
    lines = [
        ln[:MAX_LINE]
        for ln in output.splitlines()[-MAX_SCAN_LINES:]
        if ln.strip() and not _SKIP_LINE.match(ln)
    ]
    for line in reversed(lines):
        special = _special(line)
        if special is not None:
            return special
    for line in reversed(lines):
        m = _EXC.match(line.strip())
        if m:
            exc = m.group("type")
            short = exc.rsplit(".", 1)[-1]
            msg = normalise(m.group("msg") or "")
            return ErrorSignature(f"{short}: {msg}" if msg else short, shorten(line), short)
    for line in reversed(lines):
        if _PYTEST_SUMMARY.match(line.strip()):
            return ErrorSignature("pytest: tests failed", shorten(line), "pytest")
    for line in reversed(lines):
        if not _GENERIC.search(line):
            continue
        m = _SHELL_TOOL.match(line.strip())
        tool = m.group("tool").rsplit("/", 1)[-1] if m else ""
        return ErrorSignature(normalise(line), shorten(line), tool)
    return None


_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.M)
# a runner's own report of a failure: go test (`--- FAIL: TestX`, `FAIL<TAB>pkg`), the Go compiler
# (`# pkg` then `file.go:3:8: msg`), pytest's summary line (with -q it has no `=` rule around it)
_TEST_REPORTS = (  # go test's and pytest's own reports of failed tests
    r"^--- FAIL: \w|^FAIL\t\S|^=+ .*\b\d+ (?:failed|errors?)\b.* in [\d.]+s"
    r"|^(?:\d+ \w+, )*\d+ (?:failed|errors?)(?:, \d+ \w+)* in [\d.]+s"
)
_RUNNER_FAILED = re.compile(_TEST_REPORTS + r"|^# \S+(?: \[\S+\])?\n\S+\.go:\d+:\d+: ", re.M)


# a test runner's own report of failed tests (not a compiler's or a linter's lines): go test's, pytest's
_TESTS_FAILED = re.compile(  # and jest's, vitest's, node --test's, unittest's
    _TEST_REPORTS
    + r"|^Tests?:?\s+(?:\d+ \w+, )*[1-9]\d* failed\b|^\s*Tests\s+[1-9]\d* failed\b|^# fail [1-9]|^FAILED \S|^FAILED \(",
    re.M,
)


def tests_failed(output: str) -> bool:
    """Whether a test runner's own report in ``output`` says tests failed (pytest's, go test's, jest's,
    vitest's, node's, unittest's), not a check run beside it: on ``go test ./... && go vet ./...`` a
    failure of the line with no such report may be the check's."""
    return bool(_TESTS_FAILED.search(output[-4000:])) or bool(_TRACEBACK.search(output))


def looks_failed(output: str) -> bool:
    """For results without a usable exit code (none recorded, or a filter's after a pipe): does the
    output itself report a failure?"""
    tail = output[-4000:]
    return (
        bool(_TRACEBACK.search(output))
        or bool(re.search(r"^\w*Error: (?!\(none\)$)", tail, re.M))  # Gemini CLI's footer: "Error: (none)"
        or bool(_RUNNER_FAILED.search(tail))
    )


# for a command whose exit status is not its own, what its output says. A runner's or tool's summary
# of failure: pytest's `FAILED x` and `ERROR tests/x.py` lines, `2 failed`, `3 errors`, `11 failures`,
# bun's `1 fail` (not "Attempt 1 failed"), vitest's `1 failed | 19 passed`, node --test's `# fail 1`, XCTest's
# `Executed 20 tests, with 1 failure`, swift-testing's `Test run with 20 tests failed`, cargo's
# `test result: FAILED`, mise's `task failed`, Maven,
# Gradle, dotnet, PHPUnit, make and ruff failure lines, a non-zero exit code echoed after it. An echoed
# 0 is not read as success: after a pipe (`| tail; echo "exit: $?"`) it is the filter's
_FAILED_REPORT = re.compile(
    r"^(?:FAIL|FAILED)\b|^ERROR (?:[\w./-]+\.py|tests?/)|(?<![A-Za-z] )\b[1-9]\d* (?:failed|failures?|fail|errors?)\b"
    r"(?=[,;)]| in\b|\s*$)|\b[1-9]\d* failed(?= \| \d+ \w+| \(\d+\))|\b[1-9]\d* files? would be reformatted\b|\btest result: FAILED\b|^error: test failed\b|\btask failed\b|\bBUILD FAIL(?:ED|URE)\b"
    r"|^# fail [1-9]\d*$|^[1-9]\d* issues?:|\bExecuted \d+ tests?, with [1-9]\d* failures?\b|\bTest run with \d+ tests?(?: in \d+ suites?)? failed\b"
    r"|^Build FAILED\.|^FAILURES!$|^Failed!|^make(?:\[\d+\])?: \*\*\* .* Error \d+|^Found [1-9]\d* errors?\b"
    r"|^(?i:exit(?: code| status)?|rc)\s*[:=]?\s*[1-9]\d*\s*$",
    re.M,
)
# ... and of success: go test's `ok  pkg` and `PASS`, pytest's, jest's and vitest's `N passed`, bun's `0 fail`,
# node --test's `# fail 0`, XCTest's `with 0 failures`, swift-testing's `Test run with N tests passed`,
# linters' `0 issues.` (golangci-lint), `found no issues` (credo), `All checks passed!` (ruff), mypy's
# `Success: no issues found`, `0 errors, 0 warnings`,
# unittest's `OK`, cargo's `test result: ok`, `N tests, 0 failures`, installers' and builders' success
# lines (not pip's "Requirement already satisfied", which a failed install prints too)
_PASSED_REPORT = re.compile(
    r"^ok\s+\S+\s|^PASS$|^=*\s*(?:\d+ \w+, )*\d+ passed\b|^\s*Tests?:?\s+(?:\d+ \w+, )*\d+ passed\b"
    r"|^\s*0 fail$|^OK(?: \(.*\))?$|\btest result: ok\b|\b\d+ (?:tests?|examples?), 0 failures\b"
    r"|^Successfully (?:installed|built)\b|\bBUILD SUCCESS(?:FUL)?\b|\bTests run: \d+, Failures: 0, Errors: 0\b"
    r"|\bBuild succeeded\b|\bCompiled successfully\b|^\s*Finished\b.*\b(?:target|profile)\b|^Passed!"
    r"|^(?:added|changed) \d+ packages?\b|^up to date\b|^(?:Installed|Audited) \d+ packages?\b"
    r"|^# fail 0$|\bExecuted \d+ tests?, with 0 failures\b|\bTest run with \d+ tests?(?: in \d+ suites?)? passed\b"
    r"|^0 issues\.|\bfound no issues\b|^All checks passed!|^Success: no issues found\b|\b0 errors?, 0 warnings?\b"
    r"|^All matched files use Prettier code style!|\bfiles? (?:would be )?left unchanged\.",
    re.M,
)
# plainer words of failure, which a summary of success outweighs (a passing suite prints the errors
# its tests provoke): `ERROR`, `error:` and `error[E0308]:`, Go's `panic:` and `undefined: x`
_FAILURE_WORDS = re.compile(r"\bERROR\b|\b(?i:error)(?:\[\w+\])?: |^panic: |\bundefined: \S", re.M)


def shows_failure(output: str) -> bool:
    """For a command whose exit status is another's (a pipe into ``grep``, ``; echo``, ``|| true``):
    does its output report a failure? :func:`looks_failed`'s reports, a summary of failure, or plainer
    failure words without a summary of success."""
    tail = output[-4000:]
    return (
        looks_failed(output)
        or bool(_FAILED_REPORT.search(tail))
        or (not _PASSED_REPORT.search(tail) and bool(_FAILURE_WORDS.search(tail)))
    )


def shows_success(output: str) -> bool:
    """For a command whose exit status is another's: does its output report that it worked (asked once
    :func:`shows_failure` said no)? Nothing else can say so: ``go build ./... | grep -c ^internal``
    printing ``19`` reports neither."""
    return bool(_PASSED_REPORT.search(output[-4000:]))
