"""``skillforge config``: every setting's value and where it came from."""

from __future__ import annotations

from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.cli.render import render


@app.command("config")
def config_cmd(library: LibraryOpt = None, json: JsonOpt = False) -> int:
    """Show each setting, its value and its source (option > env > library file > user file > default)."""
    from skillforge.app import config as command
    from skillforge.app import load_settings

    return render(command.run(load_settings(library)), json)
