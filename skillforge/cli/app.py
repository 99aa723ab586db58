"""The typer application object and the options every command shares.

Command modules (``skillforge/cli/<area>.py``) import ``app`` from here and register their commands;
each command parses its arguments, calls one ``skillforge.app`` function and renders its Result once
(``skillforge/cli/render.py``). The application modules are imported inside the command functions so
that ``skillforge --help`` starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer
import typer.core

from skillforge import console
from skillforge.version import __version__

app = typer.Typer(
    name="skillforge",
    help="Turn coding agents' past sessions into a reviewed library of Agent Skills, "
    "and route the right skills to the next task.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

state = {"debug": False}
raw_argv: list[str] = []  # the command line as given (click consumes "--"; route needs it)


def _untyped_argument_help() -> None:
    """typer 0.2x prints each argument's Python type after its name (``PATH <list[str]>``); the metavar
    says what to pass, so the type is left out, as older typer versions did."""
    argument = getattr(typer.core, "TyperArgument", None)
    if argument is not None and hasattr(argument, "display_type_rich"):
        argument.display_type_rich = lambda self, ctx: None


_untyped_argument_help()

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON on stdout.", callback=console.json_errors)
]
LibraryOpt = Annotated[
    str | None,
    typer.Option(
        "--library",
        "-L",
        metavar="PATH",
        help="The skill library (default: current folder or SKILLFORGE_LIBRARY).",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillforge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More detail on stderr.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    state["debug"] = debug
    console.configure(verbose=verbose, quiet=quiet)
