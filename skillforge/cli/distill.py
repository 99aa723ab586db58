"""``skillforge distill``: turn agent logs into skill changes on a review branch (options ->
``skillforge.app.distill.run`` -> the one renderer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app
from skillforge.cli.render import render

if TYPE_CHECKING:
    from skillforge.app.distill import DistillArgs

PathsArg = Annotated[
    list[str] | None, typer.Argument(metavar="PATH", help="Log files, folders (recursive) or globs.")
]
FromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--from",
        metavar="AGENT",
        help="Also read an agent's default log folder: claude, codex, gemini, copilot, opencode or cursor "
        "(repeatable).",
    ),
]
LabelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--labels",
        metavar="FILE",
        help="Outcome labels (SWE-bench reports, results summaries, id → outcome JSON/CSV; repeatable).",
    ),
]
InitOpt = Annotated[bool, typer.Option("--init", help="Create the library if it does not exist.")]
ProviderOpt = Annotated[
    str | None,
    typer.Option(
        "--provider",
        metavar="NAME",
        help="anthropic, openai, openai-compatible or offline (default: by API key).",
    ),
]
ModelOpt = Annotated[str | None, typer.Option("--model", metavar="NAME", help="Model name.")]
BaseUrlOpt = Annotated[
    str | None, typer.Option("--base-url", metavar="URL", help="OpenAI-compatible server URL.")
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", metavar="N", min=1, help="Parallel map workers.")
]
MinSupportOpt = Annotated[
    int | None,
    typer.Option(
        "--min-support",
        metavar="N",
        min=1,
        help="Runs a lesson needs (default 2; a subagent counts with its session).",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan and cost estimate; write nothing.")
]
MaxCostOpt = Annotated[
    float | None, typer.Option("--max-cost", metavar="USD", help="Stop before spending more dollars.")
]
MaxTokensOpt = Annotated[
    int | None, typer.Option("--max-tokens", metavar="N", help="Stop before using more tokens.")
]
AllowDirtyOpt = Annotated[
    bool, typer.Option("--allow-dirty", help="Commit even if the library has uncommitted changes.")
]
TemplatesOpt = Annotated[
    str | None,
    typer.Option("--templates", metavar="FOLDER", help="Folder of templates overriding the built-in ones."),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        metavar="local|ray",
        help="Where the map stage runs: local (threads) or ray (needs the ray extra: "
        "pip install skillforge-distill[ray]).",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        metavar="ADDRESS",
        help="Ray cluster to use (e.g. ray://head:10001); default: start a local one.",
    ),
]
BatchOpt = Annotated[
    bool,
    typer.Option(
        "--batch",
        help="Send the analysis calls through the provider's batch API (half price, "
        "answers within 24 h); finish later with --resume.",
    ),
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Collect finished batches and finish the run (give the same logs).")
]
TrustLibraryConfigOpt = Annotated[
    bool,
    typer.Option(
        "--trust-library-config",
        help="Use provider, base_url, model and templates from the library's own "
        "skillforge.toml (ignored otherwise: a library is data).",
    ),
]


@app.command()
def distill(
    paths: PathsArg = None,
    from_agent: FromOpt = None,
    labels: LabelsOpt = None,
    library: LibraryOpt = None,
    init: InitOpt = False,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    workers: WorkersOpt = None,
    min_support: MinSupportOpt = None,
    dry_run: DryRunOpt = False,
    max_cost: MaxCostOpt = None,
    max_tokens: MaxTokensOpt = None,
    allow_dirty: AllowDirtyOpt = False,
    templates: TemplatesOpt = None,
    executor: ExecutorOpt = "local",
    ray_address: RayAddressOpt = None,
    batch: BatchOpt = False,
    resume: ResumeOpt = False,
    trust_library_config: TrustLibraryConfigOpt = False,
    json: JsonOpt = False,
) -> int:
    """Distill agent logs into skills: mine lessons (offline or with an LLM), keep those seen in enough
    runs, patch the skills and commit them on a skillforge/<run> branch with a pull-request body."""
    from skillforge.app import distill as command
    from skillforge.app import load_settings

    overrides = _overrides(
        provider, model, base_url, workers, min_support, max_cost, max_tokens, templates, trust_library_config
    )
    settings = load_settings(library, overrides)
    if json:
        console.configure(verbose=console.verbose_level(), quiet=True)
    args = _args(paths, from_agent, labels, init, dry_run, allow_dirty, executor, ray_address, batch, resume)
    return render(command.run(settings, args), json)


def _overrides(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    workers: int | None,
    min_support: int | None,
    max_cost: float | None,
    max_tokens: int | None,
    templates: str | None,
    trust_library_config: bool,
) -> dict[str, Any]:
    """The options that are settings (None: not given; the library's own config only when trusted)."""
    return {
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


def _args(
    paths: list[str] | None,
    from_agent: list[str] | None,
    labels: list[str] | None,
    init: bool,
    dry_run: bool,
    allow_dirty: bool,
    executor: str,
    ray_address: str | None,
    batch: bool,
    resume: bool,
) -> DistillArgs:
    """The run's arguments, with the console's progress display."""
    from skillforge.app.distill import DistillArgs

    return DistillArgs(
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
