"""People's rendering of the longer results: a distill run, a library's history and a branch diff,
``init`` and ``eval route`` (``render.py`` dispatches here; JSON never comes here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillforge import console

if TYPE_CHECKING:
    from skillforge.skills.history import BranchDiff, LogEntry


def init(result: Any) -> None:
    report = result.report
    if report.created_repo:
        console.info(f"created a git repository in {report.root} (branch {report.branch})")
    for path in report.created:
        console.info(f"  wrote {path}")
    for note in report.notes:
        console.warn(note)
    if report.commit:
        console.out.print(
            _esc(
                f"skill library ready at {report.root}: committed {len(report.committed)} file(s) "
                f"on {report.branch} ({report.commit[:12]})"
            )
        )
    else:
        console.out.print(_esc(f"{report.root} is already a skill library; nothing to do"))


def log(result: Any) -> None:
    entries, skill = result.entries, result.skill
    if not entries:
        console.info(f"no history for skill {skill!r}" if skill else "no skillforge runs yet")
        return
    if skill:
        console.table(
            f"history of {skill}",
            ["date", "commit", "run", "change", "reason", "where"],
            [
                (e.date[:10], e.commit[:10], e.run_id or "-", e.action, _esc(e.reason), _where(e))
                for e in entries
            ],
        )
    else:
        console.table(
            "skillforge runs",
            ["date", "run", "commit", "changes", "source", "where"],
            [
                (
                    e.date[:10],
                    e.run_id or "-",
                    e.commit[:10],
                    len(e.changes),
                    _esc(e.source or "-"),
                    _where(e),
                )
                for e in entries
            ],
        )


def _where(entry: LogEntry) -> str:
    return entry.where if entry.merged else f"{entry.where} (in review)"


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def diff(result: Any) -> None:
    _render_diff(result.diff)


def _render_diff(result: BranchDiff) -> None:
    rows = []
    for s in result.skills:
        sections = [f"+{h}" for h in s.sections_added] + [f"-{h}" for h in s.sections_removed]
        sections += [f"~{h}" for h in s.sections_changed]
        evidence = f"{_n(s.evidence_before)} → {_n(s.evidence_after)}"
        rows.append(
            (
                _esc(s.name),
                s.action,
                "changed" if s.description_changed else "",
                _esc(", ".join(sections) or "-"),
                evidence,
            )
        )
    title = f"{result.branch} vs {result.base}" + (f" (run {result.run_id})" if result.run_id else "")
    if result.merged:
        console.out.print(
            _esc(f"{title}: merged into {result.base} already, nothing left to review")
            + " (skillforge log shows what each run changed)"
        )
        return
    if not rows and not result.other_files:
        console.out.print(_esc(f"{title}: no changes"))
        return
    console.table(title, ["skill", "change", "description", "sections", "evidence"], rows)
    if result.other_files:
        console.out.print("other files: " + _esc(", ".join(result.other_files)))


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def eval_route(result: Any) -> None:
    metrics = result.metrics
    rows = [
        (metric, f"{metrics['router'][metric]:.3f}", f"{metrics['baseline'][metric]:.3f}")
        for metric in metrics["router"]
        if isinstance(metrics["router"][metric], float)
    ]
    console.table(
        f"route eval ({metrics['queries']} queries, {metrics['skills']} skills, threshold "
        f"{metrics['threshold']:.3f} {metrics['threshold_source']})",
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
            for r in metrics["calibration"]
        ],
    )
    console.info(
        f"learnt threshold: {metrics['learnt_threshold']:.3f}"
        + (" (saved: route uses it from now on)" if result.saved else " (--save to use it)")
    )


def distill(result: Any) -> None:
    report = result.report
    for note in report.notes:
        console.info(note)
    _render_skipped(report)
    if report.dry_run:
        console.table(
            "distill plan (dry run: nothing written)",
            ["item", "value"],
            [(k.replace("_", " "), _fmt(v)) for k, v in report.plan.items()],
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
    lead = f"The skills are on review branch {report.branch}"
    review_branch(lead, report.commit, report.pr_body_path, report.next_steps)


def review_branch(lead: str, commit: str | None, pr_body: str | None, steps: Any) -> None:
    """A command's review branch (``lead`` names it), its pull-request body and the "Next:" steps;
    distill's and prune's."""
    console.out.print(
        f"\n{lead} (commit {str(commit)[:12]}); your checked-out branch is unchanged.", markup=False
    )
    if pr_body:
        console.out.print(f"Pull-request body: {pr_body}", markup=False)
    if steps:
        console.out.print("Next:", markup=False)
        for step in steps:
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
        ("lessons dropped (bad citations)", report.dropped["lessons"]),
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
