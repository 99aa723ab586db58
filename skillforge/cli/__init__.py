"""The command line: a thin typer layer over ``skillforge.app``.

``main()`` runs the app inside the one error boundary (:mod:`skillforge.cli.boundary`), which prints
``skillforge: error: …`` with its hint and exits with the error's code. Tracebacks only with
``--debug`` (or ``SKILLFORGE_DEBUG=1``).
"""

from __future__ import annotations

import importlib
import os
import sys


def _fast_route() -> None:
    """``skillforge route …`` runs on every prompt from agent hooks: answer it before typer and rich
    are imported (they cost more than the routing itself). ``cli/fast.py`` is route's one parser and
    entry; the typer ``route`` command forwards to it as well."""
    prog = os.path.basename(sys.argv[0]).lower()
    if sys.argv[1:2] != ["route"] or prog not in ("skillforge", "skillforge.exe", "__main__.py"):
        return
    from skillforge.cli.fast import main as route_main

    code = route_main(sys.argv[2:])
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed: nothing to say
            stream.flush()
    os._exit(code)  # skip interpreter teardown: nothing is pending


_fast_route()

import click  # noqa: E402
import typer  # noqa: E402

from skillforge import console  # noqa: E402
from skillforge.cli.app import app, raw_argv, state  # noqa: E402
from skillforge.cli.boundary import asks_json, debugging, guard  # noqa: E402
from skillforge.errors import ExitCode  # noqa: E402

# one module per area; each registers its commands on ``app``
COMMAND_MODULES = ("ingest", "library", "validate", "distill", "route", "safety", "settings")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"skillforge.cli.{_name}")
    except ModuleNotFoundError as _exc:  # an area not built yet
        if _exc.name != f"skillforge.cli.{_name}":
            raise


try:  # typer >= 0.2x vendors click: its usage errors are not ``click.ClickException``s
    from typer._click.exceptions import ClickException as _VendoredClickException
except ImportError:  # an older typer uses click itself
    _VendoredClickException = click.ClickException  # type: ignore[misc,assignment]
_EXIT = (click.exceptions.Exit, typer.Exit)
_ABORT = (click.exceptions.Abort, typer.Abort)
_USAGE = (click.ClickException, _VendoredClickException)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``skillforge`` console script. Returns (and exits with) the exit code."""
    code = run(argv)
    sys.exit(code)


def run(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    raw_argv[:] = args
    console.new_command()  # --json is set again by the option of the command run
    return guard(lambda: _typer(argv), lambda: debugging(args) or bool(state["debug"]))


def _typer(argv: list[str] | None) -> int:
    """The typer app; its own exits and usage errors become exit codes (ours go to the boundary)."""
    try:
        result = app(args=argv, prog_name="skillforge", standalone_mode=False)
        code = int(result) if isinstance(result, int) else 0
        if code == ExitCode.INTERRUPTED:  # typer returns Ctrl-C as a bare 130: the boundary says so
            raise KeyboardInterrupt
        return code
    except _EXIT as exc:
        return int(exc.exit_code)
    except _ABORT:
        console.error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except _USAGE as exc:
        exc.show()
        # the --json option was not parsed: read it from argv (ingest --json streams trajectories only)
        console.json_errors(asks_json(raw_argv) and raw_argv[:1] != ["ingest"])
        console.error_document(exc.format_message(), None, int(ExitCode.USAGE))
        return int(ExitCode.USAGE)
