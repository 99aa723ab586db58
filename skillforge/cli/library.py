"""``skillforge init``, ``skillforge log`` and ``skillforge diff``: options -> ``skillforge.app`` ->
the one renderer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.cli.render import render

if TYPE_CHECKING:
    from skillforge.config import Settings

BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="BRANCH",
        help="Base branch (default: base_branch setting, else the checked-out branch).",
    ),
]


def _settings(library: str | None, base: str | None) -> Settings:
    from skillforge.app import load_settings

    return load_settings(library, {"base_branch": base})


@app.command("init")
def init_cmd(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of the library (created if missing).")
    ] = Path("."),
    json: JsonOpt = False,
) -> int:
    """Make DIR a skill library: git repository, skills/, skillforge.toml, CI workflow, pre-commit hook."""
    from skillforge.app import init as command
    from skillforge.app import load_settings

    return render(command.run(load_settings(str(directory)), command.InitArgs(directory)), json)


@app.command("log")
def log_cmd(
    skill: Annotated[
        str | None, typer.Argument(metavar="SKILL", help="A skill's name (default: every skillforge run).")
    ] = None,
    library: LibraryOpt = None,
    base: BaseOpt = None,
    json: JsonOpt = False,
) -> int:
    """A skill's history (commits, run ids, reasons), or every skillforge run."""
    from skillforge.app import log as command

    return render(command.run(_settings(library, base), command.LogArgs(skill)), json)


@app.command("diff")
def diff_cmd(
    branch: Annotated[
        str | None, typer.Argument(metavar="BRANCH", help="Review branch (default: the newest skillforge/*).")
    ] = None,
    library: LibraryOpt = None,
    base: BaseOpt = None,
    json: JsonOpt = False,
) -> int:
    """What a review branch changes relative to its base, in skill terms."""
    from skillforge.app import diff as command

    return render(command.run(_settings(library, base), command.DiffArgs(branch)), json)
