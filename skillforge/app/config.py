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
    return ConfigResult(tuple(settings.explain()))
