"""``skillforge ingest``: read agent logs and report what is in them, optionally streaming each
trajectory (as skillforge JSON or ATIF) to a sink the command line gives."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import ExitCode, InputError, UsageError

if TYPE_CHECKING:
    from skillforge.ingest import IngestReport
    from skillforge.model import Trajectory

Sink = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class IngestArgs:
    paths: tuple[str, ...] = ()
    from_agents: tuple[str, ...] = ()
    fmt: str | None = None
    labels: tuple[str, ...] = ()
    to: str | None = None  # None (report only), "json" or "atif"
    sink: Sink | None = None  # where each streamed trajectory goes
    progress: Callable[[str], AbstractContextManager[Any]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IngestResult:
    report: IngestReport
    streamed: bool

    @property
    def status(self) -> str:
        return "partial" if self.report.partial else "ok"

    @property
    def exit_code(self) -> int:
        return int(ExitCode.PARTIAL if self.report.partial else ExitCode.OK)

    def to_dict(self) -> dict[str, Any]:
        formats = {
            name: {k: dict(v) if isinstance(v, dict) else v for k, v in vars(stats).items()}
            for name, stats in sorted(self.report.formats.items())
        }
        return {"formats": formats, "problems": self.report.problem_lines()}


def run(settings: Settings, args: IngestArgs) -> IngestResult:
    from contextlib import nullcontext

    from skillforge.ingest import IngestReport, input_paths, read
    from skillforge.ingest.labels import load_labels

    if args.to not in (None, "json", "atif"):
        raise UsageError(f"--to {args.to}: unknown output format", "use --to json or --to atif")
    write = _writer(args.to) if args.sink is not None else None
    label_map, label_source = load_labels(list(args.labels))
    report = IngestReport()
    with (args.progress or (lambda _: nullcontext()))("reading logs") as bar:
        for traj in read(
            input_paths(list(args.paths), list(args.from_agents)),
            report,
            fmt=args.fmt,
            labels=label_map,
            labels_source=label_source,
            exclude=label_map.files,
        ):
            if write is not None and args.sink is not None:
                args.sink(write(traj))  # redacted: no secret on the console
            if bar is not None:
                bar.advance()
    if args.fmt == "atif" and not any(s.trajectories for s in report.formats.values()):
        raise UsageError(
            "--format atif: no ATIF documents were read (--format names the format of the logs read)",
            "to write the logs as ATIF, use --to atif",
        )
    if not report.formats and not report.problems:
        raise InputError(
            f"no agent logs found in {', '.join(args.paths or args.from_agents)}", report.no_logs_hint()
        )
    return IngestResult(report, write is not None)


def _writer(to: str | None) -> Callable[[Trajectory], dict[str, Any]] | None:
    """How ``--json`` / ``--to`` write each trajectory, redacted (None: only the report)."""
    if to == "atif":
        return _atif_record
    return _json_record if to == "json" else None


def _atif_record(traj: Trajectory) -> dict[str, Any]:
    """The trajectory as an ATIF document, redacted, its steps a generator (as :func:`_json_record`)."""
    from skillforge.ingest.atif_write import atif_stream

    redact = _redactor(traj)
    doc = atif_stream(traj)
    steps, metrics = doc.pop("steps"), doc.pop("final_metrics")  # metrics: filled as the steps run out
    head: dict[str, Any] = redact(doc)
    extra = head.pop("extra")
    return {**head, "steps": (redact(step) for step in steps), "final_metrics": metrics, "extra": extra}


def _json_record(traj: Trajectory) -> dict[str, Any]:
    """The trajectory's JSON form, redacted, its steps a generator: the sink writes them one by one,
    so a large session is never held twice over as dicts and bytes (``docs/scale.md``)."""
    redact = _redactor(traj)
    record: dict[str, Any] = redact(traj.to_dict(steps=False))
    record["steps"] = (redact(step.to_dict()) for step in traj.steps)
    return record


def _redactor(traj: Trajectory) -> Callable[[Any], Any]:
    """What redacts each part of ``traj`` as it is written: every string's secrets, then every value
    found as a secret anywhere in the trajectory wherever else it occurs (a value named in
    ``CF_API_TOKEN=…`` and printed bare in an error line, even in an earlier step)."""
    from skillforge.safety.trajectory_redaction import trajectory_redactor

    return trajectory_redactor(traj)
