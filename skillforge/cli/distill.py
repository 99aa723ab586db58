"""``skillforge distill``: turn agent logs into skill changes on a review branch (thin: options ->
Settings overrides -> ``skillforge.distill.pipeline.distill`` -> tables or JSON)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.errors import ExitCode


@app.command()
def distill(
    paths: Annotated[
        list[str] | None, typer.Argument(metavar="PATH", help="Log files, folders (recursive) or globs.")
    ] = None,
    from_agent: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="AGENT",
            help="Also read an agent's default log folder: claude, codex, gemini, copilot or opencode "
            "(repeatable).",
        ),
    ] = None,
    labels: Annotated[
        list[str] | None,
        typer.Option(
            "--labels",
            metavar="FILE",
            help="Outcome labels (SWE-bench reports, results summaries, id → outcome JSON/CSV).",
        ),
    ] = None,
    library: LibraryOpt = None,
    init: Annotated[bool, typer.Option("--init", help="Create the library if it does not exist.")] = False,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            metavar="NAME",
            help="anthropic, openai, openai-compatible or offline (default: by API key).",
        ),
    ] = None,
    model: Annotated[str | None, typer.Option("--model", metavar="NAME", help="Model name.")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", metavar="URL", help="OpenAI-compatible server URL.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", metavar="N", min=1, help="Parallel map workers.")
    ] = None,
    min_support: Annotated[
        int | None,
        typer.Option("--min-support", metavar="N", min=1, help="Trajectories a lesson needs (default 2)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and cost estimate; write nothing.")
    ] = False,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", metavar="USD", help="Stop before spending more dollars.")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", metavar="N", help="Stop before using more tokens.")
    ] = None,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Commit even if the library has uncommitted changes.")
    ] = False,
    templates: Annotated[
        str | None,
        typer.Option(
            "--templates", metavar="FOLDER", help="Folder of templates overriding the built-in ones."
        ),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            metavar="local|ray",
            help="Where the map stage runs: local (threads) or ray (needs the ray extra: "
            "pip install skillforge-distill[ray]).",
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADDRESS",
            help="Ray cluster to use (e.g. ray://head:10001); default: start a local one.",
        ),
    ] = None,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Send the analysis calls through the provider's batch API (half price, "
            "answers within 24 h); finish later with --resume.",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Collect finished batches and finish the run (give the same logs)."),
    ] = False,
    trust_library_config: Annotated[
        bool,
        typer.Option(
            "--trust-library-config",
            help="Use provider, base_url, model and templates from the library's own "
            "skillforge.toml (ignored otherwise: a library is data).",
        ),
    ] = False,
    json: JsonOpt = False,
) -> int:
    """Distill agent logs into skills: mine lessons (offline or with an LLM), keep those seen in enough
    runs, patch the skills and commit them on a skillforge/<run> branch with a pull-request body."""
    from pathlib import Path

    from skillforge.config import Settings
    from skillforge.distill.pipeline import DistillOptions
    from skillforge.distill.pipeline import distill as run_distill

    overrides = {
        "library": library,
        "provider": provider,
        "model": model,
        "base_url": base_url,
        "workers": workers,
        "min_support": min_support,
        "max_cost": max_cost,
        "max_tokens": max_tokens,
        "templates": templates,
        **({"trust_library_config": True} if trust_library_config else {}),
    }
    settings = Settings(overrides, Path(library) if library else None)
    if json:
        console.configure(verbose=console.verbose_level(), quiet=True)
    options = DistillOptions(
        labels=labels or [],
        from_agents=from_agent or [],
        init=init,
        dry_run=dry_run,
        allow_dirty=allow_dirty,
        progress=console.progress,
        executor=executor,
        ray_address=ray_address,
        batch=batch,
        resume=resume,
    )
    report = run_distill(paths or [], settings, options)
    if json:
        console.print_result(report.status, to_dict(report))
    else:
        render(report)
    return int(ExitCode.PARTIAL if report.partial else ExitCode.OK)


def to_dict(report: Any) -> dict[str, Any]:
    return {
        "run_id": report.run_id,
        "provider": report.provider,
        "model": report.model,
        "dry_run": report.dry_run,
        "plan": report.plan,
        "trajectories": report.trajectories,
        "skipped_trajectories": report.skipped_trajectories,
        "lessons": report.lessons,
        "lessons_kept": report.lessons_kept,
        "quarantined": report.quarantined,
        "failures": report.failures,
        "redactions": dict(report.redactions),
        "usage": vars(report.usage),
        "changes": [
            {"skill": c.name, "action": c.action, "reason": c.reason, "evidence": c.evidence_count}
            for c in report.changes
        ],
        "branch": report.branch,
        "commit": report.commit,
        "pr_body": report.pr_body_path,
        "commands": report.commands,
        "next_steps": report.next_steps,
        "notes": report.notes,
        "skipped_inputs": [
            {"reason": reason, "files": n, "detail": line} for reason, n, line in report.skipped_inputs
        ],
        "partial": report.partial,
    }


def render(report: Any) -> None:
    for note in report.notes:
        console.info(note)
    _render_skipped(report)
    if report.dry_run:
        console.table(
            "distill plan (dry run: nothing written)",
            ["item", "value"],
            [(k, _fmt(v)) for k, v in report.plan.items()],
        )
        return
    if report.changes:
        console.table(
            "skills",
            ["skill", "change", "evidence", "reason"],
            [(c.name, c.action, c.evidence_count, c.reason) for c in report.changes],
        )
    if report.status != "already_done":
        console.table("distill", ["item", "count"], _summary_rows(report))
    if report.usage.calls:
        console.table(
            "LLM usage",
            ["stage", "calls", "input tokens", "output tokens", "cache read", "cost $"],
            _usage_rows(report),
        )
    for q in report.quarantined:
        console.warn(f"quarantined: {q['title']} ({q['reason']}) -> {q['file']}")
    for failure in report.failures[:20]:
        console.warn(failure)
    _render_branch(report)


def _render_skipped(report: Any) -> None:
    if console.verbose_level():
        for line in report.skipped_input_lines:
            console.warn(f"skipped: {line}")
        return
    for _, _, line in report.skipped_inputs:
        console.warn(f"skipped: {line}")


def _render_branch(report: Any) -> None:
    """Where the skills are (a review branch, not the checked-out one) and how to review, merge, publish."""
    if not report.branch:
        return
    console.out.print(
        f"\nThe skills are on review branch {report.branch} (commit {str(report.commit)[:12]}); "
        "your checked-out branch is unchanged.",
        markup=False,
    )
    if report.pr_body_path:
        console.out.print(f"Pull-request body: {report.pr_body_path}", markup=False)
    if report.next_steps:
        console.out.print("Next:", markup=False)
        for step in report.next_steps:
            if step["what"]:
                console.out.print(f"  # {step['what']}", markup=False)
            console.out.print(f"  {step['command']}", markup=False)


def _usage_rows(report: Any) -> list[tuple[Any, ...]]:
    stages = report.plan.get("usage_by_stage") or {}
    rows = [
        (name, u["calls"], u["input_tokens"], u["output_tokens"], u["cache_read_tokens"], f"{u['cost']:.4f}")
        for name, u in sorted(stages.items())
    ]
    t = report.usage
    return [*rows, ("total", t.calls, t.input_tokens, t.output_tokens, t.cache_read_tokens, f"{t.cost:.4f}")]


def _summary_rows(report: Any) -> list[tuple[str, Any]]:
    redactions = ", ".join(f"{k} {v}" for k, v in sorted(report.redactions.items())) or "0"
    return [
        ("provider", report.provider + (f" ({report.model})" if report.model else "")),
        ("trajectories read", report.trajectories),
        ("already distilled (skipped)", report.skipped_trajectories),
        ("lessons found", report.lessons),
        ("lessons kept", report.lessons_kept),
        ("lessons quarantined", len(report.quarantined)),
        ("redactions", redactions),
        ("failures", len(report.failures)),
    ]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)
