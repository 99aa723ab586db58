"""distill's last stage: validate the written skills (dropping invalid changes), then commit the run on
its review branch through the store, with the bookkeeping files (which trajectories were distilled,
provenance, quarantined lessons), the commit trailers and the pull-request context.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from typing import Any

from skillforge.distill import gates, runs
from skillforge.distill.base import DistillReport
from skillforge.distill.write import WriteResult
from skillforge.errors import SkillforgeError
from skillforge.model import Lesson


def read_file(lib: Any, rel: str) -> str | None:
    """A committed file of the library, or None when it is missing or unreadable."""
    try:
        text = lib.read_file(rel)
    except (SkillforgeError, OSError, KeyError, ValueError):
        return None
    return text if isinstance(text, str) else None


def note_written(report: DistillReport, written: WriteResult) -> None:
    for name in written.locked:
        report.notes.append(f'{name}: locked (skillforge-locked: "true"), left untouched')
    for line in written.skipped:
        report.notes.append(f"edit not applied: {line}")


def committed_files(lib: Any, base: str, name: str) -> dict[str, str]:
    """The files of ``skills/<name>/`` other than SKILL.md as committed on ``base`` (text files only)."""
    try:
        tree = lib.repo.commit(f"refs/heads/{base}").tree / f"{lib.prefix}skills/{name}"
    except (KeyError, ValueError, AttributeError):
        return {}
    files: dict[str, str] = {}
    for blob in tree.traverse():
        rel = blob.path[len(tree.path) + 1 :]
        if blob.type == "blob" and rel != "SKILL.md":
            try:
                files[rel] = blob.data_stream.read().decode("utf-8")
            except UnicodeDecodeError:
                files[rel] = ""
    return files


def validated(
    report: DistillReport, written: WriteResult, committed: Callable[[str], dict[str, str]]
) -> list[Any]:
    """The changes whose skill (SKILL.md and every file written with it) passes validation; the others
    are dropped and reported, never committed. ``committed(name)`` gives the skill's other files as
    they are in the library, so links to files this run does not touch are checked too."""
    from skillforge.skills.rules.spec import WRITE_BLOCKING
    from skillforge.skills.validate import check_text, validate_skill

    kept = []
    for change in written.changes:
        if change.skill is None:
            kept.append(change)
            continue
        whole = dataclasses.replace(change.skill, files={**committed(change.name), **change.skill.files})
        findings = list(validate_skill(whole))
        for rel, text in sorted(change.skill.files.items()):
            findings += check_text(text, f"skills/{change.name}/{rel}")
        errors = [f for f in findings if gates.is_error(f) or getattr(f, "rule", "") in WRITE_BLOCKING]
        if errors:
            first = errors[0]
            report.failures.append(
                f"skill {change.name} dropped: invalid ({getattr(first, 'rule', '?')}: "
                f"{getattr(first, 'message', first)})"
            )
            lost = written.lessons.pop(change.name, None) or []
            written.invalid.append(
                (
                    change.name,
                    lost,
                    f"skill {change.name} failed validation ({getattr(first, 'rule', '?')}: "
                    f"{getattr(first, 'message', first)})",
                )
            )
            continue
        kept.append(change)
    return kept


def commit(
    run: Any,
    lib: Any,
    base: str,
    written: WriteResult,
    changes: list[Any],
    gated: gates.GateResult,
    trusted: Callable[[Any], bool] | None = None,
    older: Collection[str] = (),
    unapplied: Sequence[tuple[list[Lesson], str]] = (),
    waiting: Sequence[Lesson] = (),
) -> DistillReport:
    """Commit the run on ``skillforge/<run id>`` (``run``: the per-run state). ``.skillforge/pending.json``
    gets the trust gate's verdict (``trusted``), the waiting lessons not seen again (``older``), the
    ``unapplied`` ones no change carries, whose trajectories are not marked distilled (tried again), and
    the kept lessons that ``waiting`` for a locked skill (their runs are marked distilled)."""
    report = run.report
    held = held_trajectories(unapplied)
    mapped = [r.trajectory_id for r in run.results if r.error is None and r.trajectory_id not in held]
    lost = [lesson for lessons, _ in unapplied for lesson in lessons]
    extra: dict[str, str | None] = {
        **_records(run, lib, written, changes, (mapped, held)),
        runs.PENDING_FILE: runs.render_pending([*gated.below_support, *lost, *waiting], trusted, older),
        **gates.quarantine_files(gated.quarantined, report.run_id),
    }
    result = lib.commit_run(
        report.run_id,
        changes,
        message=_message(changes, len(mapped)),
        trailers=_trailers(run),
        pr_context={**_pr_context(report, changes, mapped, written), "not_applied": not_applied(unapplied)},
        extra_files=extra,
        allow_dirty=run.allow_dirty,
        base=base,
    )
    record_result(report, lib, result)
    return report


def _records(
    run: Any, lib: Any, written: WriteResult, changes: list[Any], ids: tuple[list[str], set[str]]
) -> dict[str, str | None]:
    """The distilled-runs record (``ids``: the runs mapped, those held back) and the provenance record."""
    mapped, held = ids
    return {
        runs.DISTILLED_FILE: runs.render(
            run.distilled,
            run.report.run_id,
            mapped,
            _held_record(runs.held(read_file(lib, runs.DISTILLED_FILE)), held, written),
        ),
        runs.PROVENANCE_FILE: runs.provenance(
            read_file(lib, runs.PROVENANCE_FILE), changes, written.lessons, run.repositories
        ),
    }


def _trailers(run: Any) -> dict[str, str]:
    """The commit's trailers: which run, provider, model and sources."""
    report = run.report
    sources = ", ".join(f"{n} {fmt}" for fmt, n in sorted(run.formats.items()))
    return {
        "Skillforge-Run": report.run_id,
        "Skillforge-Provider": report.provider,
        "Skillforge-Model": report.model or "none",
        "Skillforge-Sources": f"{len(run.input_ids)} ({sources})",
    }


def record_result(report: DistillReport, lib: Any, result: Any) -> None:
    """Where the run's skills are, and the commands that review, merge and publish them."""
    report.branch, report.commit = result.branch, result.commit
    from skillforge.skills.review import next_steps

    report.pr_body_path = str(result.pr_body_path) if result.pr_body_path else None
    report.next_steps = next_steps(lib, result)
    report.commands = [step["command"] for step in report.next_steps]
    if result.already_done:
        report.status = "already_done"
        report.notes.append(f"already done: run {report.run_id} is on branch {result.branch}; nothing new")
    else:
        report.status = "committed"


def collect_unapplied(report: DistillReport, consolidator: Any, written: Any) -> list[tuple[list[Any], str]]:
    """Lessons that no change carries (a merge answer unusable twice, an edit that could not apply, a
    skill that failed validation), each reported as a failure: they are kept pending and their
    trajectories are not marked distilled, so nothing is lost."""
    lost = [(list(ls), why) for ls, why in getattr(consolidator, "unmerged", []) if ls]
    lost += [(ls, why) for ls, why in written.unapplied if ls]
    for lessons, why in lost:
        titles = "; ".join(dict.fromkeys(lesson.title for lesson in lessons))[:300]
        report.failures.append(f"not applied: {len(lessons)} lessons ({titles}): {why}")
    lost += [(ls, why) for _, ls, why in written.invalid if ls]  # reported when they were dropped
    return lost


def note_unapplied(report: DistillReport, lost: Sequence[tuple[list[Lesson], str]], branch: bool) -> None:
    """Say where the lessons not applied are: waiting on the run's review branch (``branch``), or
    nowhere, when no change was left to commit: then nothing is committed at all."""
    count = sum(len(ls) for ls, _ in lost)
    if not count:
        return
    if branch:
        report.notes.append(
            f"{count} lessons were not applied: they wait in {runs.PENDING_FILE} on the review branch "
            "and their trajectories are not marked distilled, so the next run tries them again"
        )
        return
    report.notes.append(
        f"nothing committed: {count} lessons were not applied (see the failures), so no branch was "
        "created and no trajectory is marked distilled; the next run tries them again, with the "
        "analyses from the cache"
    )


def held_trajectories(unapplied: Sequence[tuple[list[Lesson], str]]) -> set[str]:
    """Trajectories with a lesson that was neither written nor rejected by a gate: not yet distilled."""
    return {e.trajectory_id for lessons, _ in unapplied for lesson in lessons for e in lesson.evidence}


def _held_record(
    previous: dict[str, list[str]], held: set[str], written: WriteResult
) -> dict[str, list[str]]:
    """Held trajectories with the keys of their lessons written so far (this run's and earlier)."""
    out = {tid: list(keys) for tid, keys in previous.items()}
    for lesson in (x for lessons in written.lessons.values() for x in lessons):
        for tid in {e.trajectory_id for e in lesson.evidence} & held:
            out.setdefault(tid, []).append(lesson.key)
    for tid in held:
        out.setdefault(tid, [])
    return out


def not_applied(unapplied: Sequence[tuple[list[Lesson], str]]) -> list[dict[str, Any]]:
    """One redacted line per lesson that was not applied, with the reason, for the PR body."""
    from skillforge.safety.redact import scrub_tree

    rows = [
        {"title": lesson.title, "reason": reason, "support": lesson.support}
        for lessons, reason in unapplied
        for lesson in lessons
    ]
    return list(scrub_tree(rows))


def _message(changes: list[Any], trajectories: int) -> str:
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "quarantine only"
    return f"skillforge: distill {trajectories} trajectories ({summary})"


def _pr_context(
    report: DistillReport, changes: list[Any], mapped: list[str], written: WriteResult
) -> dict[str, Any]:
    from skillforge.safety.redact import scrub_tree

    return scrub_tree(
        {  # error messages and lesson titles reach a PR body: never a secret
            "provider": report.provider,
            "model": report.model,
            "trajectories": len(mapped),
            "skipped_trajectories": report.skipped_trajectories,
            "lessons": report.lessons,
            "kept": report.lessons_kept,
            "redactions": dict(report.redactions),
            "quarantined": report.quarantined,
            "failures": list(report.failures),
            "usage": vars(report.usage),
            "validation": _validation(written, changes),
            "evidence": {c.name: _evidence_lines(written.lessons.get(c.name, [])) for c in changes},
            "locked": list(written.locked),
        }
    )


def _validation(written: WriteResult, changes: list[Any]) -> dict[str, Any]:
    dropped = len(written.invalid)
    return {
        "passed": True,
        "errors": 0,
        "warnings": 0,
        "summary": f"{len(changes)} changed skills passed validate_skill and check_text"
        + (f"; {dropped} invalid changes were dropped" if dropped else ""),
    }


def _evidence_lines(lessons: list[Lesson]) -> list[str]:
    lines = []
    for lesson in lessons:
        for ev in lesson.evidence[:5]:
            lines.append(f"{lesson.title}: {ev.trajectory_id} {ev.source or ''}".strip())
    return lines[:20]
