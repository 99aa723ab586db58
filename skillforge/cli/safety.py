"""``skillforge scan``: audit log files for secrets (raw text, streamed), never printing a secret."""

from __future__ import annotations

from typing import Annotated

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, app


@app.command()
def scan(
    logs: Annotated[list[str], typer.Argument(metavar="PATH", help="Log files or folders (recursive).")],
    json: JsonOpt = False,
) -> int:
    """Find secrets in agent logs: prints file:line, kind and a masked preview; exits 4 when any."""
    from skillforge.errors import ExitCode
    from skillforge.safety.scan import scan_paths

    report = scan_paths(logs)
    if json:
        console.print_result("findings" if report.findings else "ok", report.to_dict())
    else:
        for f in report.findings:
            console.out.print(f"{f.file}:{f.line}: {f.kind} {f.preview}", markup=False, highlight=False)
        counts = ", ".join(f"{k} {v}" for k, v in report.counts.most_common()) or "none"
        console.info(f"scan: {report.files} files, {report.mb:.1f} MB, secrets: {counts}")
    return int(ExitCode.FINDINGS if report.findings else ExitCode.OK)
