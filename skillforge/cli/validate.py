"""``skillforge validate``: check skills and print findings as text, JSON or GitHub annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from skillforge import console
from skillforge.cli.app import app
from skillforge.cli.render import render, validate_summary
from skillforge.errors import UsageError

if TYPE_CHECKING:
    from skillforge.skills.validate import Finding


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH",
        help="Library roots, skills/ folders, skill folders or SKILL.md files (default: current folder).",
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="text|json|github", help="text, json or github (workflow annotations)."
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")]
AllowHostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        metavar="HOST",
        help="Also allow links to this host and its subdomains (repeatable; "
        "setting allowed_hosts adds more).",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option("--no-cache", help="Scan every file again instead of reusing findings of unchanged files."),
]
ValidateJsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Machine-readable JSON on stdout (same as --format json).",
        callback=console.json_errors,
    ),
]


@app.command()
def validate(
    paths: PathsArg = None,
    fmt: FormatOpt = "text",
    strict: StrictOpt = False,
    allow_host: AllowHostOpt = None,
    json: ValidateJsonOpt = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """Validate skills against the Agent Skills spec and skillforge's policy. Exits 4 on errors
    (on warnings too with --strict)."""
    from skillforge.app import load_settings
    from skillforge.app import validate as command

    if json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} ask for two outputs", "pass one of them")
    args = command.ValidateArgs(
        tuple(paths or (".",)), strict, tuple(allow_host or ()), "json" if json else fmt, not no_cache
    )
    console.json_errors(args.fmt == "json")
    result = command.run(load_settings(), args)
    code = render(result, args.fmt == "json")
    if args.fmt == "json":
        validate_summary(result)
    return code


def text_line(f: Finding) -> str:
    return f"{f.file}:{f.line}: {f.severity} {f.rule} {f.name}: {f.message}"


def github_line(f: Finding) -> str:
    """A GitHub Actions workflow command, so that the finding shows on the pull request's diff."""
    props = f"file={_prop(f.file)},line={f.line},title={_prop(f.title)}"
    return f"::{f.severity} {props}::{_data(f.message)} (fix: {_data(f.fix)})"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
