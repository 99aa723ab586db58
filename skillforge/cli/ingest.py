"""``skillforge ingest``: read agent logs and report what is in them (or stream them as JSONL); the
report is rendered by ``cli/render.py``."""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge import console
from skillforge.cli.app import app
from skillforge.cli.render import record, render

FromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--from",
        metavar="AGENT",
        help="Also read an agent's default log folder: claude, codex, gemini, copilot, opencode or cursor "
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
    json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="JSON Lines on stdout: one trajectory, with its steps, per line (the report goes to stderr).",
        ),
    ] = False,
    to: ToOpt = None,
) -> int:
    """Read agent logs (Claude Code, Codex, Gemini CLI, Copilot CLI, OpenCode, Cursor, SWE-agent,
    mini-swe-agent, OpenHands, Aider, ATIF, JSONL) and
    report per format: files, trajectories, steps, tool calls, errors, outcomes and skipped records."""
    from skillforge.app import ingest as command
    from skillforge.app import load_settings
    from skillforge.errors import UsageError

    if json and to not in (None, "json"):  # as route's --json with --format xml
        raise UsageError(f"--json and --to {to} ask for two outputs", "pass one of them")
    args = command.IngestArgs(
        paths=tuple(paths or ()),
        from_agents=tuple(from_agent or ()),
        fmt=fmt,
        labels=tuple(labels or ()),
        to=to or ("json" if json else None),
        sink=record if (to or json) else None,
        progress=console.progress,
    )
    return render(command.run(load_settings(), args))
