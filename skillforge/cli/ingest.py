"""``skillforge ingest``: read agent logs and report what is in them (or stream them as JSONL)."""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, app
from skillforge.errors import ExitCode

FromOpt = Annotated[
    list[str] | None,
    typer.Option("--from", help="Also read an agent's default log folder: claude or codex (repeatable)."),
]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="Force a log format instead of detecting it.")]
LabelsOpt = Annotated[
    list[str] | None,
    typer.Option("--labels", help="Outcome labels: SWE-bench report.json files or folders, results "
                 "summaries, or a CSV/JSON of id → outcome (repeatable)."),
]


@app.command()
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(help="Log files, folders (recursive) or globs.")] = None,
    from_agent: FromOpt = None,
    fmt: FormatOpt = None,
    labels: LabelsOpt = None,
    json: JsonOpt = False,
) -> int:
    """Read agent logs (Claude Code, Codex, SWE-agent, mini-swe-agent, OpenHands, Aider, JSONL) and
    report per format: files, trajectories, steps, tool calls, errors, outcomes and skipped records."""
    from skillforge.ingest import IngestReport, input_paths, read
    from skillforge.ingest.labels import load_labels

    label_map, label_source = load_labels(labels or [])
    report = IngestReport()
    with console.progress("reading logs") as bar:
        for traj in read(input_paths(paths or [], from_agent or []), report, fmt=fmt,
                         labels=label_map, labels_source=label_source):
            if json:
                console.print_jsonl(traj.to_dict())
            bar.advance()
    render_report(report, to_stderr=json)
    return int(ExitCode.PARTIAL if report.partial else ExitCode.OK)


def render_report(report, to_stderr: bool = False) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    table = Table(title="ingest", title_justify="left")
    for col in ("format", "files", "trajectories", "steps", "tool calls", "errors", "outcomes", "skipped"):
        table.add_column(col, justify="left" if col in ("format", "outcomes", "skipped") else "right")
    for name, s in sorted(report.formats.items()):
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s.outcomes.items())) or "-"
        skipped = ", ".join(f"{k} {v}" for k, v in s.skipped.most_common()) or "-"
        table.add_row(name, str(s.files), str(s.trajectories), str(s.steps), str(s.tool_calls),
                      str(s.errors), outcomes, skipped)
    (console.err if to_stderr else console.out).print(table)
    for problem in report.problems[:50]:
        console.warn(str(problem))
    if len(report.problems) > 50:
        console.warn(f"… and {len(report.problems) - 50} more problems")
