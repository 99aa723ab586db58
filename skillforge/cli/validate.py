"""``skillforge validate``: check skills and print findings as text, JSON or GitHub annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from skillforge import console
from skillforge.cli.app import app
from skillforge.errors import UsageError

if TYPE_CHECKING:
    from skillforge.skills.validate import Finding, ValidationReport

FORMATS = ("text", "json", "github")


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Library roots, skills/ folders, skill folders or SKILL.md files (default: current folder).",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="text|json|github", help="text, json or github (workflow annotations)."
        ),
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="HOST",
            help="Also allow links to this host and its subdomains (repeatable; "
            "setting allowed_hosts adds more).",
        ),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Machine-readable JSON on stdout (same as --format json).")
    ] = False,
) -> int:
    """Validate skills against the Agent Skills spec and skillforge's policy. Exits 4 on errors
    (on warnings too with --strict)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    if json and fmt not in ("text", "json"):
        raise UsageError(f"--json and --format {fmt} ask for two outputs", "pass one of them")
    fmt = "json" if json else fmt
    from skillforge.config import Settings
    from skillforge.skills.validate import validate_paths

    configured = [h.strip() for h in str(Settings().allowed_hosts).split(",") if h.strip()]
    report = validate_paths(paths or ["."], strict=strict, allowed_hosts=[*configured, *(allow_host or [])])
    if fmt == "json":
        console.print_result("findings" if report.failed(strict) else "ok", report.to_dict(strict))
    elif fmt == "github":
        for f in report.findings:
            console.out.print(github_line(f), markup=False, highlight=False)
    else:
        for f in report.findings:
            console.out.print(text_line(f), markup=False, highlight=False)
            console.out.print(f"    fix: {f.fix}", markup=False, highlight=False)
    _summary(report, strict)
    return int(report.exit_code(strict))


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


def _summary(report: ValidationReport, strict: bool) -> None:
    if report.skills == 0:
        console.warn("no skills found (pass a library, a skills/ folder, a skill folder or SKILL.md files)")
    verdict = "failed" if report.failed(strict) else "ok"
    console.info(
        f"validate: {report.skills} skills, {len(report.errors)} errors, "
        f"{len(report.warnings)} warnings: {verdict}"
    )
