"""``skillforge scan``: audit log files for secrets (raw text, streamed), never printing a secret."""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge.cli.app import JsonOpt, app
from skillforge.cli.render import render


@app.command()
def scan(
    logs: Annotated[list[str], typer.Argument(metavar="PATH", help="Log files or folders (recursive).")],
    json: JsonOpt = False,
) -> int:
    """Find secrets in agent logs: prints file:line, kind and a masked preview; exits 4 when any."""
    from skillforge.app import load_settings
    from skillforge.app import scan as command

    return render(command.run(load_settings(), command.ScanArgs(tuple(logs))), json)
