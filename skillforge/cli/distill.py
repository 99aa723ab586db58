"""``skillforge distill``: turn agent logs into skill changes on a review branch (options ->
``skillforge.app.distill.run`` -> the one renderer)."""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.cli.render import render


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
    from skillforge.app import distill as command
    from skillforge.app import load_settings

    overrides = {
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
    settings = load_settings(library, overrides)
    if json:
        console.configure(verbose=console.verbose_level(), quiet=True)
    args = command.DistillArgs(
        paths=tuple(paths or ()),
        from_agents=tuple(from_agent or ()),
        labels=tuple(labels or ()),
        init=init,
        dry_run=dry_run,
        allow_dirty=allow_dirty,
        executor=executor,
        ray_address=ray_address,
        batch=batch,
        resume=resume,
        progress=console.progress,
    )
    return render(command.run(settings, args), json)
