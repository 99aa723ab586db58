"""The application layer: one module per command, each a function ``run(settings, args) -> Result``.

This layer owns what the core never touches: it loads :class:`~skillforge.config.Settings` (once per
command, :func:`load_settings`), reads the environment and stdin, and returns a frozen result that
the command line renders once (``skillforge/cli/render.py``: rich for people, JSON for machines). The
core below takes plain values and the resolved settings, and never prints.

Modules stay light at import time: the route and hook paths import this package before anything else,
so heavy parts (typer, rich, SDKs, mcp) are imported inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from skillforge.config import Settings


class Result(Protocol):
    """What every command returns: a status word, an exit code and a JSON-able dict."""

    @property
    def status(self) -> str: ...

    @property
    def exit_code(self) -> int: ...

    def to_dict(self) -> dict[str, Any]: ...


def load_settings(library: str | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The one place a command's settings are resolved (option > env > library file > user file >
    default)."""
    return Settings.load({"library": library, **(overrides or {})}, Path(library) if library else None)
