"""``skillforge ingest``: read agent logs and report what is in them (or stream them as JSONL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, app
from skillforge.errors import ExitCode, InputError, UsageError

if TYPE_CHECKING:
    from skillforge.ingest import IngestReport
    from skillforge.model import Trajectory

FromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--from",
        metavar="AGENT",
        help="Also read an agent's default log folder: claude, codex, gemini, copilot or opencode "
        "(repeatable).",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="FORMAT", help="Force a log format instead of detecting it."),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="FORMAT",
        help="Stream the trajectories on stdout as FORMAT: json (as --json) or atif "
        "(one ATIF v1.7 document per line, for Harbor-style tooling).",
    ),
]
LabelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--labels",
        metavar="FILE",
        help="Outcome labels: SWE-bench report.json files or folders, results "
        "summaries, or a CSV/JSON of id → outcome (repeatable).",
    ),
]


@app.command()
def ingest(
    paths: Annotated[
        list[str] | None, typer.Argument(metavar="PATH", help="Log files, folders (recursive) or globs.")
    ] = None,
    from_agent: FromOpt = None,
    fmt: FormatOpt = None,
    labels: LabelsOpt = None,
    json: JsonOpt = False,
    to: ToOpt = None,
) -> int:
    """Read agent logs (Claude Code, Codex, Gemini CLI, Copilot CLI, OpenCode, Cursor, SWE-agent,
    mini-swe-agent, OpenHands, Aider, ATIF, JSONL) and
    report per format: files, trajectories, steps, tool calls, errors, outcomes and skipped records."""
    from skillforge.ingest import IngestReport, input_paths, read
    from skillforge.ingest.labels import load_labels

    if to not in (None, "json", "atif"):
        raise UsageError(f"--to {to}: unknown output format", "use --to json or --to atif")
    write = _writer(to or ("json" if json else None))
    label_map, label_source = load_labels(labels or [])
    report = IngestReport()
    with console.progress("reading logs") as bar:
        for traj in read(
            input_paths(paths or [], from_agent or []),
            report,
            fmt=fmt,
            labels=label_map,
            labels_source=label_source,
            exclude=labels or [],
        ):
            if write is not None:
                console.print_jsonl(write(traj))
            bar.advance()
    render_report(report, to_stderr=write is not None)
    if fmt == "atif" and not any(s.trajectories for s in report.formats.values()):
        raise UsageError(
            "--format atif: no ATIF documents were read (--format names the format of the logs read)",
            "to write the logs as ATIF, use --to atif",
        )
    if not report.formats and not report.problems:
        raise InputError(
            f"no agent logs found in {', '.join(paths or from_agent or [])}",
            "pass log files or folders (see docs/formats/README.md), or --from claude / --from codex",
        )
    return int(ExitCode.PARTIAL if report.partial else ExitCode.OK)


def _writer(to: str | None) -> Callable[[Trajectory], dict[str, Any]] | None:
    """How ``--json`` / ``--to`` write each trajectory on stdout (None: only the report)."""
    from skillforge.model import Trajectory

    if to == "atif":
        from skillforge.ingest.atif_write import to_atif

        return to_atif
    return Trajectory.to_dict if to == "json" else None


def render_report(report: IngestReport, to_stderr: bool = False) -> None:
    """The per-format table, then one line per problem (``file:line: what``), never wrapped."""
    from rich import box
    from rich.table import Table

    table = Table(
        title="ingest", title_justify="left", box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False
    )
    rows = [
        [
            name,
            *(str(n) for n in (s.files, s.trajectories, s.steps, s.tool_calls, s.errors)),
            *(_outcome_cell(s.outcomes.get(o, 0), s.guessed.get(o, 0)) for o in ("success", "failure")),
            str(s.outcomes.get("unknown", 0)),
            str(sum(s.skipped.values())),
        ]
        for name, s in sorted(report.formats.items())
    ]
    headers = ("format", "files", "runs", "steps", "calls", "errors", "ok", "failed", "unknown", "skip")
    for i, col in enumerate(headers):  # numbers are never cut
        table.add_column(
            col,
            justify="left" if i == 0 else "right",
            no_wrap=i == 0,
            overflow="fold",
            min_width=max((len(r[i]) for r in rows), default=1),
        )
    for row in rows:
        table.add_row(*row)
    (console.err if to_stderr else console.out).print(table)
    if any(s.guessed for s in report.formats.values()) and not console.is_quiet():
        (console.err if to_stderr else console.out).print(
            "* guessed: no label and no verdict in the log, so the outcome was read from the last test run; "
            "pass --labels to be sure",
            markup=False,
        )
    skipped = Counter[str]()
    for s in report.formats.values():
        skipped.update(s.skipped)
    if skipped and console.verbose_level():
        console.info("skipped records: " + ", ".join(f"{k} {v}" for k, v in skipped.most_common()))
    ignored = Counter[str]()
    for s in report.formats.values():
        ignored.update(s.ignored)
    if ignored and console.verbose_level():
        console.info(
            "ignored records (bookkeeping): " + ", ".join(f"{k} {v}" for k, v in ignored.most_common())
        )
    if report.passed_over:
        console.info(
            "passed over, not logs: " + ", ".join(f"{n} {k}" for k, n in report.passed_over.most_common())
        )
    render_problems(report)


def render_problems(report: IngestReport) -> None:
    """One warning per kind of problem with its count (each file under ``-v``), never wrapped."""
    from rich.markup import escape

    if console.verbose_level():
        lines = report.problem_lines()
    else:
        lines = [line for _, _, line in report.problem_summary()]
    for line in lines:
        console.err.print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True)


def _outcome_cell(count: int, guessed: int) -> str:
    return f"{count} ({guessed} guessed*)" if guessed else str(count)
