"""``skillforge route | feedback | prune | serve | install | eval route``: using the library in agent loops.

``route`` itself is parsed in ``cli/fast.py`` (answered before typer loads); the ``route`` command here
forwards its arguments there, so both ways in are one. The others call ``skillforge.app`` and render.
"""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.cli.render import render

eval_app = typer.Typer(help="Measure skillforge against labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def route(ctx: typer.Context) -> int:
    """Choose the right skills for a task: pointers (name, description, path, why) and the top body
    (skillforge route --help for its options)."""
    from skillforge.cli.app import raw_argv, state
    from skillforge.cli.fast import main

    # the raw words after "route": click has consumed "--" from ctx.args
    raw = raw_argv[raw_argv.index("route") + 1 :] if "route" in raw_argv else list(ctx.args)
    return main(raw, debug=bool(state["debug"]))


@app.command()
def feedback(
    skill: Annotated[
        list[str] | None, typer.Argument(metavar="SKILL", help="Skill names that were used.")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", metavar="success|failure", help="success or failure.")
    ] = None,
    from_logs: Annotated[
        list[str] | None,
        typer.Option(
            "--from-logs",
            metavar="PATH",
            help="Agent logs whose sessions used skills (repeatable); outcomes from the logs or --labels.",
        ),
    ] = None,
    labels: Annotated[
        list[str] | None, typer.Option("--labels", metavar="FILE", help="Outcome labels for --from-logs.")
    ] = None,
    library: LibraryOpt = None,
    json: JsonOpt = False,
) -> int:
    """Record whether skills helped: updates each skill's utility (Q ← Q + α(r − Q)) used by route."""
    from skillforge.app import feedback as command
    from skillforge.app import load_settings

    args = command.FeedbackArgs(tuple(skill or ()), outcome, tuple(from_logs or ()), tuple(labels or ()))
    return render(command.run(load_settings(library), args), json)


@app.command()
def prune(
    library: LibraryOpt = None,
    min_uses: Annotated[
        int, typer.Option("--min-uses", metavar="N", help="Uses before low utility counts.")
    ] = 5,
    max_utility: Annotated[
        float, typer.Option("--max-utility", metavar="Q", help="Utility at or below this is low.")
    ] = 0.3,
    min_calls: Annotated[
        int,
        typer.Option("--min-calls", metavar="N", help="Logged route calls before 'never matched' counts."),
    ] = 50,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List candidates; write nothing.")] = False,
    json: JsonOpt = False,
) -> int:
    """Propose removing skills used often with low utility, or never matched, as a review branch."""
    from skillforge.app import load_settings
    from skillforge.app import prune as command

    args = command.PruneArgs(min_uses, max_utility, min_calls, dry_run)
    return render(command.run(load_settings(library), args), json)


@app.command()
def serve(
    library: LibraryOpt = None,
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port for --http.")] = 8000,
) -> None:
    """Serve the library over MCP: tools search_skills and get_skill, resources skill://{name}."""
    from skillforge.app import load_settings
    from skillforge.app import serve as command

    command.run(load_settings(library), command.ServeArgs(http, port))


@app.command()
def install(
    agent: Annotated[str, typer.Argument(metavar="AGENT", help="claude, codex, gemini, cline or cursor.")],
    project: Annotated[bool, typer.Option("--project", help="This project's settings (default).")] = False,
    user: Annotated[bool, typer.Option("--user", help="The user's settings instead.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    uninstall: Annotated[
        bool, typer.Option("--uninstall", help="Remove exactly what install added.")
    ] = False,
    library: LibraryOpt = None,
    json: JsonOpt = False,
) -> int:
    """Wire an agent to the library: hook, MCP server and skill links, merged into its settings."""
    from pathlib import Path

    from skillforge.app import install as command
    from skillforge.app import load_settings

    args = command.InstallArgs(agent, Path.cwd(), user, project, dry_run, uninstall)
    return render(command.run(load_settings(library), args), json)


@eval_app.command("route")
def eval_route(
    queries: Annotated[
        str, typer.Option("--queries", metavar="FILE", help='JSONL: {"query", "expected": [names]}.')
    ],
    library: LibraryOpt = None,
    k: Annotated[int, typer.Option("-k", metavar="N", help="Candidates per query.")] = 3,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Store the learnt abstention threshold in the "
            "library (.skillforge/route.json); route uses it from then on.",
        ),
    ] = False,
    json: JsonOpt = False,
) -> int:
    """Recall@1, Recall@3, MRR and abstention beside a name+description BM25 baseline, and a calibration
    table for abstention (queries may give a working folder "cwd" or a "repository")."""
    from pathlib import Path

    from skillforge.app import evaluate as command
    from skillforge.app import load_settings

    args = command.EvalRouteArgs(Path(queries), k, save)
    return render(command.run(load_settings(library), args), json)
