"""``skillforge scan``: audit log files for secrets (streamed), never returning a secret itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import ExitCode

if TYPE_CHECKING:
    from skillforge.safety.scan import ScanReport


@dataclass(frozen=True)
class ScanArgs:
    paths: tuple[str, ...]


@dataclass(frozen=True)
class ScanResult:
    report: ScanReport

    @property
    def status(self) -> str:
        return "findings" if self.report.findings else "ok"

    @property
    def exit_code(self) -> int:
        return int(ExitCode.FINDINGS if self.report.findings else ExitCode.OK)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.report.to_dict())


def run(settings: Settings, args: ScanArgs) -> ScanResult:
    from skillforge.safety.scan import scan_paths

    return ScanResult(scan_paths(list(args.paths)))
