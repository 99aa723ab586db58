"""``skillforge config``: every setting's value (secrets masked) and where it came from, and whether the
``library`` setting names a skill library (a warning, not an error: the other values are still worth
seeing, e.g. before the library is made)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.config import Resolved, Settings
from skillforge.errors import SkillforgeError


@dataclass(frozen=True)
class ConfigResult:
    rows: tuple[Resolved, ...]
    status: str = "ok"
    exit_code: int = 0
    library_problem: str | None = None  # why the library setting names no skill library

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": {r.key: {"value": r.value, "source": r.source} for r in self.rows},
            "library_problem": self.library_problem,
        }


def run(settings: Settings, args: None = None) -> ConfigResult:
    return ConfigResult(
        tuple(_masked(r) for r in settings.explain()), library_problem=_library_problem(settings)
    )


def _library_problem(settings: Settings) -> str | None:
    """What every other command would refuse the library for (missing, a file, no skills folder)."""
    from skillforge.route.command import check_library

    try:
        check_library(Path(settings.library))
    except SkillforgeError as exc:
        return f"{exc}; the commands that use the library stop here (exit 1)"
    return None


def _masked(row: Resolved) -> Resolved:
    """A value with any secret in it redacted (a server URL may carry a password: https://u:p@host)."""
    from dataclasses import replace

    from skillforge.safety.redact import redact

    return replace(row, value=redact(row.value)[0]) if isinstance(row.value, str) and row.value else row
