"""``skillforge config``: every setting's value and where it came from."""

from __future__ import annotations

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app


@app.command("config")
def config_cmd(library: LibraryOpt = None, json: JsonOpt = False) -> None:
    """Show each setting, its value and its source (option > env > library file > user file > default)."""
    from pathlib import Path

    from skillforge.config import Settings

    settings = Settings({"library": library}, Path(library) if library else None)
    rows = settings.explain()
    if json:
        console.print_result(
            "ok", {"settings": {r.key: {"value": r.value, "source": r.source} for r in rows}}
        )
        return
    console.table(
        "skillforge settings",
        ["setting", "value", "source", "meaning"],
        [(r.key, r.value, r.source, r.description) for r in rows],
    )
