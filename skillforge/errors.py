"""The one error type users see, and the process exit codes.

Every failure a user can fix is a :class:`SkillforgeError` with a one-line message that names the
file and the fix. The CLI catches it once, at the top (``skillforge.cli.main``), prints
``skillforge: error: …`` and exits with the error's :class:`ExitCode`. Tracebacks appear only with
``--debug``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes. Stable: scripts and CI depend on them."""

    OK = 0
    ERROR = 1  # the command failed; nothing (or nothing more) was written
    USAGE = 2  # bad arguments or options (typer/click also use 2)
    PARTIAL = 3  # the command completed, but some inputs were skipped (see the report)
    FINDINGS = 4  # validate/scan found errors (or warnings under --strict)
    INTERRUPTED = 130  # Ctrl-C; nothing half-written


class SkillforgeError(Exception):
    """A problem the user can act on.

    ``message`` says what went wrong (naming the file where there is one); ``hint`` says how to fix it.
    """

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None, *, exit_code: ExitCode | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SkillforgeError):
    """A configuration value is missing or invalid."""

    exit_code = ExitCode.USAGE


class UsageError(SkillforgeError):
    """An option or argument has a value the command does not take (exit 2, like typer's own)."""

    exit_code = ExitCode.USAGE


class InputError(SkillforgeError):
    """An input file or folder cannot be read at all."""


class LibraryError(SkillforgeError):
    """The skill library (its git repository, lock or files) is not in a state we can write to."""


class ProviderError(SkillforgeError):
    """An LLM provider failed in a way the SDK's own retries did not fix. ``retryable``: it may pass
    (rate limit, timeout, 5xx), so only the item fails; ``stops_run``: every later call would fail
    the same way (a bad key, an unknown model), so the run stops at once."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        retryable: bool = False,
        stops_run: bool = False,
        exit_code: ExitCode | None = None,
    ):
        super().__init__(message, hint, exit_code=exit_code)
        self.retryable = retryable
        self.stops_run = stops_run


class BudgetExceeded(SkillforgeError):
    """A cost or token limit (``--max-cost`` / ``--max-tokens``) would be exceeded."""

    exit_code = ExitCode.PARTIAL
