"""``skillforge eval route``: recall, MRR and abstention against labelled queries, with calibration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.config import Settings


@dataclass(frozen=True)
class EvalRouteArgs:
    queries: Path
    k: int = 3
    save: bool = False


@dataclass(frozen=True)
class EvalRouteResult:
    metrics: dict[str, Any]
    saved: bool
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.metrics)


def run(settings: Settings, args: EvalRouteArgs) -> EvalRouteResult:
    from skillforge.route.command import check_library
    from skillforge.route.evaluate import evaluate

    lib = Path(settings.library)
    check_library(lib)
    return EvalRouteResult(evaluate(lib, args.queries, k=args.k, save=args.save), args.save)
