"""``skillforge config``: every setting's value (secrets masked) and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skillforge.config import Resolved, Settings


@dataclass(frozen=True)
class ConfigResult:
    rows: tuple[Resolved, ...]
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"settings": {r.key: {"value": r.value, "source": r.source} for r in self.rows}}


def run(settings: Settings, args: None = None) -> ConfigResult:
    return ConfigResult(tuple(_masked(r) for r in settings.explain()))


def _masked(row: Resolved) -> Resolved:
    """A value with any secret in it redacted (a server URL may carry a password: https://u:p@host)."""
    from dataclasses import replace

    from skillforge.safety.redact import redact

    return replace(row, value=redact(row.value)[0]) if isinstance(row.value, str) and row.value else row
