"""The one renderer: every command's Result is shown here, once — JSON on stdout for machines
(``--json``: ``{"status": …, …result.to_dict()}``), rich tables and lines for people.

Light at import time (the route fast path uses it): rich is imported by ``skillforge.console`` only
when a table or a styled line is printed.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from skillforge import console


def render(result: Any, json: bool = False) -> int:
    """Show ``result`` and return its exit code."""
    if json:
        console.print_result(result.status, result.to_dict())
    else:
        _PEOPLE[type(result).__name__](result)
    return int(result.exit_code)


def record(data: dict[str, Any]) -> None:
    """One streamed record (``ingest --json`` / ``--to``): a JSON line on stdout, as it is read."""
    console.print_jsonl(data)


def _config(result: Any) -> None:
    console.table(
        "skillforge settings",
        ["setting", "value", "source", "meaning"],
        [(r.key, r.value, r.source, r.description) for r in result.rows],
    )
    if result.library_problem:
        console.warn(result.library_problem)


def _scan(result: Any) -> None:
    report = result.report
    for f in report.findings:
        console.out.print(f"{f.file}:{f.line}: {f.kind} {f.preview}", markup=False, highlight=False)
    counts = ", ".join(f"{k} {v}" for k, v in report.counts.most_common()) or "none"
    console.info(f"scan: {report.files} files, {report.mb:.1f} MB, secrets: {counts}")


def _route(result: Any) -> None:
    for note in result.notes:
        sys.stderr.write(f"skillforge: {note}\n")
    if result.fmt == "json":
        console.print_result(result.status, result.to_dict())
        return
    if sys.stdout is None:  # stdout closed (a hook runner that reads nothing): nothing to say
        return
    try:
        sys.stdout.write(result.text + "\n")
    except (OSError, ValueError):
        return


def _hook(result: Any) -> None:
    from skillforge.app.hook import emit

    emit(result)


def _feedback(result: Any) -> None:
    console.table("skill utility", ["skill", "utility"], sorted(result.report.updated.items()))
    for reason, n in result.report.skipped.items():
        console.info(f"skipped {n}: {reason}")


def _prune(result: Any) -> None:
    console.table("prune candidates", ["skill", "reason"], [(c.name, c.reason) for c in result.candidates])
    if not result.branch:
        return
    from skillforge.cli.render_runs import review_branch

    if result.status == "already_done":
        console.info(f"already proposed on {result.branch}; nothing new")
    lead = f"The removals are proposed on review branch {result.branch}"
    review_branch(lead, result.commit, result.pr_body_path, result.next_steps)


def _install(result: Any) -> None:
    for note in result.notes:
        console.warn(note)
    if result.status in ("already_installed", "not_installed"):
        console.info(f"skillforge is {result.status.replace('_', ' ')} for {result.agent}; nothing changed")
        for a in result.actions:  # only skips: say them, under no "changed" title
            console.info(f"{a.action} {a.path}: {a.detail}")
        return
    if not result.actions:
        return
    title = ("would change" if result.dry_run else "changed") + f" for {result.agent}"
    console.table(title, ["action", "path", "detail"], [(a.action, a.path, a.detail) for a in result.actions])


def _serve(result: Any) -> None:
    pass  # the MCP session was the output


def _validate(result: Any) -> None:
    from skillforge.app.validate import NO_SKILLS
    from skillforge.cli.validate import github_line, text_line

    if result.fmt == "github":
        lines = [github_line(f) for f in result.report.findings]
        if result.report.skills == 0:  # an annotation on the run: a workflow given the wrong path shows it
            lines.append(f"::warning title=skillforge validate::{NO_SKILLS}")
    else:
        lines = [f"{text_line(f)}\n    fix: {f.fix}" for f in result.report.findings]
    if lines:  # one print of every line: thousands of prints cost seconds, the text is the same
        console.out.print("\n".join(lines), markup=False, highlight=False)
    validate_summary(result)


def validate_summary(result: Any) -> None:
    from skillforge.app.validate import NO_SKILLS

    report = result.report
    if report.skills == 0:
        console.warn(NO_SKILLS)
    verdict = "failed" if report.failed(result.strict) else "ok"
    console.info(
        f"validate: {report.skills} skills, {len(report.errors)} errors, "
        f"{len(report.warnings)} warnings: {verdict}"
    )


def _ingest(result: Any) -> None:
    ingest_table(result.report, to_stderr=result.streamed)


def ingest_table(report: Any, to_stderr: bool = False) -> None:
    """The per-format table, then one line per problem (``file:line: what``), never wrapped."""
    rows = [
        (
            name,
            *(s.files, s.trajectories, s.steps, s.tool_calls, s.unpaired, s.errors),
            *(_outcome_cell(s.outcomes.get(o, 0), s.guessed.get(o, 0)) for o in ("success", "failure")),
            s.outcomes.get("unknown", 0),
            sum(s.skipped.values()),
        )
        for name, s in sorted(report.formats.items())
    ]
    headers = (
        "format",
        "files",
        "runs",
        "steps",
        "calls",
        "no result",
        "errors",
        "ok",
        "failed",
        "unknown",
        "skip",
    )
    target = console.err if to_stderr else console.out
    console.table("ingest", headers, rows, target=target)
    if any(s.guessed for s in report.formats.values()) and not console.is_quiet():
        target.print(
            "* guessed: no label and no verdict in the log, so the outcome was read from the last test run; "
            "pass --labels to be sure",
            markup=False,
        )
    _ingest_counts(report)
    if report.label_warning:
        console.warn(report.label_warning)
    problems = report.problem_lines() if console.verbose_level() else [x[2] for x in report.problem_summary()]
    for line in problems:  # shown even with --quiet: they say what was not read
        console.err.print(f"[yellow]warning:[/] {console.escape(line)}", soft_wrap=True)


def _ingest_counts(report: Any) -> None:
    for title, attr in (("skipped records", "skipped"), ("ignored records (bookkeeping)", "ignored")):
        counts = Counter[str]()
        for s in report.formats.values():
            counts.update(getattr(s, attr))
        if counts and console.verbose_level():
            console.info(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    if report.passed_over:
        console.info(
            "passed over, not logs: " + ", ".join(f"{n} {k}" for k, n in report.passed_over.most_common())
        )


def _outcome_cell(count: int, guessed: int) -> str | int:
    return f"{count} ({guessed} guessed*)" if guessed else count


def _runs(name: str) -> Callable[[Any], None]:
    def show(result: Any) -> None:
        from skillforge.cli import render_runs

        getattr(render_runs, name)(result)

    return show


_PEOPLE: dict[str, Callable[[Any], None]] = {
    "ConfigResult": _config,
    "ScanResult": _scan,
    "RouteResult": _route,
    "HookResult": _hook,
    "FeedbackResult": _feedback,
    "PruneResult": _prune,
    "InstallResult": _install,
    "ServeResult": _serve,
    "ValidateResult": _validate,
    "IngestResult": _ingest,
    "DistillResult": _runs("distill"),
    "InitResult": _runs("init"),
    "LogResult": _runs("log"),
    "DiffResult": _runs("diff"),
    "EvalRouteResult": _runs("eval_route"),
}
