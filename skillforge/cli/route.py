"""``skillforge route | feedback | prune | serve | install | eval route``: using the library in agent loops.

Plain ``skillforge route`` invocations are answered by the fast path in ``skillforge.cli`` before typer
loads; this module handles everything (``--rerank``, ``--help``, in-process calls) with the same core.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.errors import ExitCode, SkillforgeError, UsageError

eval_app = typer.Typer(help="Measure skillforge against labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.command()
def route(
    task: Annotated[
        str | None, typer.Argument(metavar="TASK", help="The task (default: read from stdin).")
    ] = None,
    library: LibraryOpt = None,
    k: Annotated[
        int | None, typer.Option("-k", metavar="N", help="How many skills (default: setting route_k).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", metavar="markdown|json|xml", help="markdown, json or xml.")
    ] = "markdown",
    max_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-tokens",
            metavar="N",
            help="Budget for the output; the top "
            "skill's body is included when it fits (default: route_max_tokens).",
        ),
    ] = None,
    hook: Annotated[
        str | None,
        typer.Option(
            "--hook",
            metavar="AGENT",
            help="Agent hook mode: claude, codex, gemini or cline "
            "(hook JSON on stdin, the agent's JSON on stdout; never fails).",
        ),
    ] = None,
    cwd: Annotated[
        str | None, typer.Option("--cwd", metavar="FOLDER", help="The task's folder, for scope (default: .).")
    ] = None,
    rerank: Annotated[
        bool, typer.Option("--rerank", help="Re-rank candidates with the LLM provider.")
    ] = False,
    json: JsonOpt = False,
) -> int:
    """Choose the right skills for a task: pointers (name, description, path, why) and the top body."""
    from skillforge.route import hooks
    from skillforge.route.command import RouteArgs, route_text

    if hook:
        return hooks.run(hook, library, k or 3, 1500 if max_tokens is None else max_tokens)
    if json and fmt not in ("markdown", "json"):
        raise UsageError(f"--json and --format {fmt} ask for two outputs", "pass one of them")
    args = RouteArgs(task, library, k, "json" if json else fmt, max_tokens, None, cwd)
    text = _reranked(args) if rerank else route_text(args)
    typer.echo(text)
    return 0


def _reranked(args: Any) -> str:
    from pathlib import Path

    from skillforge.config import Settings
    from skillforge.route import Router
    from skillforge.route.command import read_task, settings_for
    from skillforge.route.render import pointer_tokens, render, top_body
    from skillforge.route.rerank import rerank

    library, k, budget = settings_for(args.library)
    router = Router(library)
    task = read_task(args.task)
    k = args.k or k
    matches = rerank(
        Settings({"library": str(library)}, Path(library)),
        task,
        router.route(task, k=max(10, k), cwd=args.cwd or "."),
        k,
    )
    max_tokens = budget if args.max_tokens is None else args.max_tokens
    return render(matches, args.fmt, top_body(router, matches, max_tokens, pointer_tokens(matches)))


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
) -> None:
    """Record whether skills helped: updates each skill's utility (Q ← Q + α(r − Q)) used by route."""
    from skillforge.route import Router
    from skillforge.route.command import check_library, settings_for
    from skillforge.route.feedback import FeedbackReport, events_from_logs, record

    lib, _, _ = settings_for(library)
    check_library(lib)
    known = set(Router(lib, use_utility=False).names)
    report = FeedbackReport()
    events: list[tuple[str, bool]] = []
    if skill:
        if outcome not in ("success", "failure"):
            raise UsageError("--outcome must be success or failure", "e.g. --outcome success")
        missing = [s for s in skill if s not in known]
        if missing:
            raise SkillforgeError(
                f"no skill named {missing[0]!r} in {lib}", "check the name with skillforge route"
            )
        events += [(s, outcome == "success") for s in skill]
    if from_logs:
        events += events_from_logs(from_logs, labels or [], report)
    if not skill and not from_logs:
        raise UsageError("nothing to record", "pass SKILL --outcome success|failure, or --from-logs LOGS")
    record(lib, events, known=known, report=report)
    if json:
        console.print_result("ok", report.to_dict())
        return
    console.table("skill utility", ["skill", "utility"], sorted(report.updated.items()))
    for reason, n in report.skipped.items():
        console.info(f"skipped {n}: {reason}")


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
) -> None:
    """Propose removing skills used often with low utility, or never matched, as a review branch."""
    from skillforge.route.command import check_library, settings_for
    from skillforge.route.prune import candidates, propose

    lib, _, _ = settings_for(library)
    check_library(lib)
    found = candidates(lib, min_uses=min_uses, max_utility=max_utility, min_calls=min_calls)
    branch = None if dry_run or not found else propose(lib, found)
    if json:
        console.print_result("ok", {"candidates": [c.to_dict() for c in found], "branch": branch})
        return
    console.table("prune candidates", ["skill", "reason"], [(c.name, c.reason) for c in found])
    if branch:
        console.info(f"proposed on review branch {branch}")


@app.command()
def serve(
    library: LibraryOpt = None,
    http: Annotated[
        bool, typer.Option("--http", help="Streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port for --http.")] = 8000,
) -> None:
    """Serve the library over MCP: tools search_skills and get_skill, resources skill://{name}."""
    from skillforge.route.command import check_library, settings_for
    from skillforge.serve import run

    lib, _, _ = settings_for(library)
    check_library(lib)
    run(lib, http=http, port=port)


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
) -> None:
    """Wire an agent to the library: hook, MCP server and skill links, merged into its settings."""
    from pathlib import Path

    from skillforge.integrations.install import AGENTS
    from skillforge.integrations.install import install as do_install
    from skillforge.integrations.plan import status
    from skillforge.route.command import check_library, settings_for

    if project and user:
        raise UsageError("--project and --user exclude each other", "pass one of them")
    if agent not in AGENTS:
        raise UsageError(f"unknown agent {agent!r}", f"use one of: {', '.join(AGENTS)}")
    lib, _, _ = settings_for(library)
    if not uninstall:  # uninstall finds skillforge's entries without naming the library
        check_library(lib)
    actions = do_install(agent, lib.resolve(), Path.cwd(), user=user, dry_run=dry_run, uninstall=uninstall)
    state = status(actions, uninstall=uninstall, dry_run=dry_run)
    if json:
        console.print_result(state, {"agent": agent, "actions": [a.to_dict() for a in actions]})
        return
    if state in ("already_installed", "not_installed"):
        console.info(f"skillforge is {state.replace('_', ' ')} for {agent}; nothing changed")
    if not actions:
        return
    title = ("would change" if dry_run else "changed") + f" for {agent}"
    console.table(title, ["action", "path", "detail"], [(a.action, a.path, a.detail) for a in actions])


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

    from skillforge.route.command import check_library, settings_for
    from skillforge.route.evaluate import evaluate

    lib, _, _ = settings_for(library)
    check_library(lib)
    result = evaluate(lib, Path(queries), k=k, save=save)
    if json:
        console.print_result("ok", result)
        return int(ExitCode.OK)
    rows = [
        (metric, f"{result['router'][metric]:.3f}", f"{result['baseline'][metric]:.3f}")
        for metric in result["router"]
        if isinstance(result["router"][metric], float)
    ]
    console.table(
        f"route eval ({result['queries']} queries, {result['skills']} skills, threshold "
        f"{result['threshold']:.3f} {result['threshold_source']})",
        ["metric", "router", "name+description BM25"],
        rows,
    )
    console.table(
        "abstention calibration",
        ["threshold", "no-fit abstained", "answerable abstained", "precision", "recall@3"],
        [
            (
                f"{r['threshold']:.3f}",
                f"{r['nofit_abstained']:.2f}",
                f"{r['answerable_abstained']:.2f}",
                f"{r['precision']:.2f}",
                f"{r['recall@3']:.2f}",
            )
            for r in result["calibration"]
        ],
    )
    console.info(
        f"learnt threshold: {result['learnt_threshold']:.3f}"
        + (" (saved: route uses it from now on)" if save else " (--save to use it)")
    )
    return int(ExitCode.OK)
