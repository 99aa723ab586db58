"""``skillforge init``, ``skillforge log`` and ``skillforge diff``: thin commands over
``skillforge.skills.init`` / ``skillforge.skills.history`` that render tables or ``--json``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillforge import console
from skillforge.cli.app import JsonOpt, LibraryOpt, app

if TYPE_CHECKING:
    from skillforge.skills.history import BranchDiff, LogEntry
    from skillforge.skills.store import Library

BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="BRANCH",
        help="Base branch (default: base_branch setting, else the checked-out branch).",
    ),
]


def _open(library: str | None, base: str | None) -> tuple[Library, str]:
    from skillforge.config import Settings
    from skillforge.skills.store import Library

    settings = Settings({"library": library, "base_branch": base})
    lib = Library.open(Path(settings.library))
    return lib, str(settings.base_branch or "")


@app.command("init")
def init_cmd(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of the library (created if missing).")
    ] = Path("."),
    json: JsonOpt = False,
) -> None:
    """Make DIR a skill library: git repository, skills/, skillforge.toml, CI workflow, pre-commit hook."""
    from skillforge.skills.init import init_library

    report = init_library(directory)
    if json:
        console.print_result("ok" if report.commit else "already_done", report.to_dict())
        return
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


@app.command("log")
def log_cmd(
    skill: Annotated[
        str | None, typer.Argument(metavar="SKILL", help="A skill's name (default: every skillforge run).")
    ] = None,
    library: LibraryOpt = None,
    base: BaseOpt = None,
    json: JsonOpt = False,
) -> None:
    """A skill's history (commits, run ids, reasons), or every skillforge run."""
    from skillforge.skills.history import run_log, skill_log

    lib, base_name = _open(library, base)
    entries = skill_log(lib, skill, base_name) if skill else run_log(lib, base_name)
    if json:
        console.print_result("ok", {"entries": [e.to_dict() for e in entries]})
        return
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


@app.command("diff")
def diff_cmd(
    branch: Annotated[
        str | None, typer.Argument(metavar="BRANCH", help="Review branch (default: the newest skillforge/*).")
    ] = None,
    library: LibraryOpt = None,
    base: BaseOpt = None,
    json: JsonOpt = False,
) -> None:
    """What a review branch changes relative to its base, in skill terms."""
    from skillforge.skills.history import branch_diff

    lib, base_name = _open(library, base)
    result = branch_diff(lib, branch, base_name)
    if json:
        console.print_result("ok", result.to_dict())
        return
    _render_diff(result)


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
    if not rows and not result.other_files:
        console.out.print(_esc(f"{title}: no changes"))
        return
    console.table(title, ["skill", "change", "description", "sections", "evidence"], rows)
    if result.other_files:
        console.out.print("other files: " + _esc(", ".join(result.other_files)))


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)
