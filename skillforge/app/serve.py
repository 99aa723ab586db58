"""``skillforge serve``: the library over MCP (stdio, or streamable HTTP on 127.0.0.1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.config import Settings


@dataclass(frozen=True)
class ServeArgs:
    http: bool = False
    port: int = 8000


@dataclass(frozen=True)
class ServeResult:
    library: str
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"library": self.library}


def run(settings: Settings, args: ServeArgs) -> ServeResult:
    """Serve until the client goes away (stdout belongs to the MCP protocol meanwhile)."""
    from skillforge.route.command import check_library
    from skillforge.serve import run as serve

    lib = Path(settings.library)
    check_library(lib)
    serve(lib, http=args.http, port=args.port)
    return ServeResult(str(lib))
