"""``skillforge feedback``: record whether skills helped (named skills, or sessions read from logs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import SkillforgeError, UsageError

if TYPE_CHECKING:
    from skillforge.route.feedback import FeedbackReport


@dataclass(frozen=True)
class FeedbackArgs:
    skills: tuple[str, ...] = ()
    outcome: str | None = None
    from_logs: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackResult:
    report: FeedbackReport
    status: str = "ok"
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.report.to_dict())


def events(
    args: FeedbackArgs, known: set[str], library: Path, report: FeedbackReport
) -> list[tuple[str, bool]]:
    """(skill, helped) pairs from the named skills and the logs; bad input raises before anything is
    recorded."""
    from skillforge.route.feedback import events_from_logs

    if not args.skills and not args.from_logs:
        raise UsageError("nothing to record", "pass SKILL --outcome success|failure, or --from-logs LOGS")
    found: list[tuple[str, bool]] = []
    if args.skills:
        if args.outcome not in ("success", "failure"):
            raise UsageError("--outcome must be success or failure", "e.g. --outcome success")
        missing = [s for s in args.skills if s not in known]
        if missing:
            raise SkillforgeError(
                f"no skill named {missing[0]!r} in {library}", "check the name with skillforge route"
            )
        found += [(s, args.outcome == "success") for s in args.skills]
    if args.from_logs:
        found += events_from_logs(list(args.from_logs), list(args.labels), report)
    return found


def run(settings: Settings, args: FeedbackArgs) -> FeedbackResult:
    from skillforge.route import Router
    from skillforge.route.command import check_library
    from skillforge.route.feedback import FeedbackReport, record

    lib = Path(settings.library)
    check_library(lib)
    known = set(Router(lib, use_utility=False).names)
    report = FeedbackReport()
    record(lib, events(args, known, lib, report), known=known, report=report)
    return FeedbackResult(report)
