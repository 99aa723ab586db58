"""The one error boundary: a :class:`~skillforge.errors.SkillforgeError` becomes ``skillforge: error: …``
with its hint and exit code; Ctrl-C and a closed stdout are quiet. Tracebacks only with ``--debug``
(or ``SKILLFORGE_DEBUG=1``). Imports nothing heavy (the route fast path uses it)."""

from __future__ import annotations

import os
from collections.abc import Callable

from skillforge.errors import ExitCode, SkillforgeError


def debugging(argv: list[str]) -> bool:
    return os.environ.get("SKILLFORGE_DEBUG", "") not in ("", "0") or "--debug" in argv


def asks_json(argv: list[str]) -> bool:
    """Whether the command line asks for JSON output (``--json``, ``--format json``, ``--format=json``)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return (
        "--json" in argv or "--format=json" in argv or any(a == "--format" and b == "json" for a, b in pairs)
    )


def guard(call: Callable[[], int], debug: Callable[[], bool] = lambda: False) -> int:
    """Run ``call``; turn the errors a user can act on into their message and exit code (``debug()``,
    asked after the call, re-raises them for a traceback)."""
    from skillforge import console

    try:
        return call()
    except SkillforgeError as exc:
        if debug() or debugging([]):
            raise
        from skillforge.safety.redact import redact  # an error may quote a log line: never a secret

        message = redact(exc.message)[0]
        console.error(message, exc.hint)
        console.error_document(message, exc.hint and redact(exc.hint)[0], int(exc.exit_code))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        if console.output_cut():  # Ctrl-C pressed twice while a line was going out
            console.error(
                "interrupted twice while output was being written: stdout ends with an incomplete line",
                "drop that last line, or run the command again",
            )
        else:
            console.error("interrupted; nothing was half-written")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
