"""Reduce to commit: the run's lessons through the support and trust gates, consolidated into skill
edits, written and validated, then committed to the run's review branch (``commit.commit``)."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from skillforge.config import Settings
from skillforge.distill import commit, gates, runid, runs
from skillforge.distill.base import DistillReport, Mapper, MapResult
from skillforge.distill.run import (
    Progress,
    Run,
    note_budget_stop,
    note_dropped,
    note_usage,
    progress_bar,
    step_trust_of,
)
from skillforge.distill.write import WriteResult, apply_edits
from skillforge.model import Lesson, LessonKind
from skillforge.safety.trust import trusted


def _relative_sources(lessons: list[Lesson], roots: list[str]) -> None:
    """Evidence names each log relative to the input it was found under (``batch1/x.traj.json``), never
    by its absolute local path: evidence.md and the pull-request body are published. (The offline miner
    does this as it maps; an LLM analyst's evidence points at steps as ingest read them.)"""
    from skillforge.distill.offline.evidence import relative_source

    for lesson in lessons:
        for ev in lesson.evidence:
            ev.source = relative_source(ev.source, roots)


def finish(
    run: Run, lib: Any, settings: Settings, engine: tuple[Any, Any, Any], progress: Progress | None
) -> DistillReport:
    """Reduce, gate, consolidate, write, validate and commit: the run's last stages."""
    mapper, consolidator, budget = engine
    report = run.report
    with progress_bar(progress, "reducing lessons", 1) as bar:
        lessons = _unwritten(report, lib, _reduce(run, mapper))
        _relative_sources(lessons, run.roots)
        report.dropped.update(getattr(mapper, "dropped", None) or {})  # the comparative answers'
        note_dropped(report)
        bar.advance()
    waiting = runs.pending(commit.read_file(lib, runs.PENDING_FILE))
    gated = _gate(run, settings, lessons, waiting)
    base = lib.base_branch(settings.base_branch)
    name = _namer(run, settings, (mapper, consolidator), runid.base_commit(lib, base))
    report.run_id = name(())
    done = lib.find_run(report.run_id)
    if done is not None:  # the same logs, engine and base: this run is on its review branch already
        commit.record_result(report, lib, done)
        return report
    current = lib.skills()
    if report.provider == "offline":
        consolidator.seen = _seen(lib, run.distilled)
    if budget is not None:  # a stop in the analysis: its finished work is merged if the limit allows
        budget.reopen()
    with progress_bar(progress, "consolidating skills", 1) as bar:
        edits = consolidator.consolidate(gated.kept, current) if gated.kept else []
        bar.advance()
    note_usage(report, budget)
    locked = _locked(consolidator, gated.kept, current) if report.provider == "offline" else {}
    note_budget_stop(report, budget, getattr(mapper, "not_compared", 0))
    with progress_bar(progress, "writing and validating", 1) as bar:
        written, changes, unapplied = _write_named(
            report, (lib, base, settings), (edits, current), sorted(locked), (consolidator, name)
        )
        bar.advance()
    if not changes and not gated.quarantined:
        if unapplied:  # lessons to write, none written: the run did not finish its work
            report.status = "not_committed"
            commit.note_unapplied(report, unapplied, branch=False)
            return report
        report.status = "nothing_changed"
        report.notes.append("nothing changed: no skill to add or update, so no branch was created")
        if gated.kept and not edits and report.provider == "offline":
            report.notes.extend(_why_no_edit(consolidator, gated.kept, current))
        return report
    commit.note_unapplied(report, unapplied, branch=True)
    _note_unmerged_reviews(report, lib, base, run.input_ids, {c.name for c in changes})  # makes a branch
    if report.provider == "offline":
        report.notes.extend(_left_out(consolidator, gated.kept, current))
    older = {lesson.key for lesson in waiting} - {lesson.key for lesson in lessons}
    return commit.commit(
        run,
        lib,
        base,
        written,
        changes,
        gated,
        _verdict(run),
        older=older,
        unapplied=unapplied,
        waiting=[le for lessons in locked.values() for le in lessons],
    )


def _failed_ids(run: Run) -> set[str]:
    """The trajectories read whose map stage failed (their lessons are missing from this run)."""
    mapped = {r.trajectory_id for r in run.results if r.error is None}
    return set(run.input_ids) - mapped


def _namer(
    run: Run, settings: Settings, engine: tuple[Any, Any], base: str
) -> Callable[[Iterable[str]], str]:
    """The run id given the trajectories held back for a lesson not applied (none: the id a run that
    applies every lesson has, which "already done" looks for before any merge call is made)."""
    failed = _failed_ids(run)

    def name(held: Iterable[str]) -> str:
        return runid.run_id_of(
            run.input_ids, engine, base, run.labelled, int(settings.min_support), failed, held
        )

    return name


def _write_named(
    report: DistillReport,
    where: tuple[Any, str, Settings],
    plan: tuple[list[Any], list[Any]],
    locked: list[str],
    naming: tuple[Any, Callable[[Iterable[str]], str]],
) -> tuple[WriteResult, list[Any], list[tuple[list[Lesson], str]]]:
    """(written skills, validated changes, lessons not applied), written under the run id that names
    the trajectories those lessons hold back: a run partial in its merge stage is not the complete
    run, so running it again makes the missing merge calls instead of saying "already done". The id
    is in evidence.md, so when an edit that did not apply or a skill that failed validation holds back
    more trajectories, the skills are written again under the final id (no call is made)."""
    lib, base, settings = where
    consolidator, name = naming
    unmerged = [(list(ls), why) for ls, why in getattr(consolidator, "unmerged", []) if ls]
    report.run_id = name(commit.held_trajectories(unmerged))
    marks = (len(report.notes), len(report.failures))
    while True:
        written, changes = _write(report, lib, base, settings, plan, locked)
        unapplied = commit.collect_unapplied(report, consolidator, written)
        final = name(commit.held_trajectories(unapplied))
        if final == report.run_id:
            return written, changes, unapplied
        del report.notes[marks[0] :], report.failures[marks[1] :]
        report.run_id = final


def _note_unmerged_reviews(
    report: DistillReport, lib: Any, base: str, input_ids: list[str], changed: set[str]
) -> None:
    """Say when review branches not merged into ``base`` already distilled some of these trajectories
    (this run's branch then adds the same skills again), or, from other logs, rewrote the bookkeeping
    files this run rewrites too: either way merging both branches conflicts."""
    ids = set(input_ids)
    others: list[str] = []
    both: set[str] = set()
    base_commit = lib.repo.commit(base)
    for branch in lib.review_branches():
        tip = lib.repo.commit(branch)
        if lib.repo.is_ancestor(tip, base_commit):
            continue  # merged: its trajectories are skipped as distilled already
        record = lib.read_file(runs.DISTILLED_FILE, ref=tip.hexsha)
        fork = lib.repo.merge_base(tip, base_commit)
        before = lib.read_file(runs.DISTILLED_FILE, ref=fork[0].hexsha) if fork else None
        shared = ids & (set(runs.parse(record)) | (set(runs.held(record)) - set(runs.held(before))))
        if shared:  # distilled there, or held back there (a partial run's lessons not applied)
            report.notes.append(
                f"{len(shared)} of these trajectories are on {branch}, not merged into {base}: this run's "
                "branch adds their skills again (merge or delete that branch first; merging both conflicts)"
            )
            continue
        if fork and record != before:  # a distill run's
            others.append(branch)
            both |= changed & _skills_changed(lib, fork[0], tip)
    if others:
        report.notes.append(_open_reviews_note(lib, base, report.run_id, others, both))


def _skills_changed(lib: Any, fork: Any, tip: Any) -> set[str]:
    """The skills a branch changes since it left its base."""
    prefix = f"{lib.prefix}skills/"
    paths = lib.repo.git.diff("--name-only", "--no-renames", fork.hexsha, tip.hexsha, "--", prefix)
    return {p[len(prefix) :].split("/")[0] for p in paths.splitlines() if p.startswith(prefix)}


def _open_reviews_note(lib: Any, base: str, run_id: str, others: list[str], both: set[str]) -> str:
    """Other distill runs' review branches are open: each rewrote distilled.json, pending.json and
    provenance.json from its base, as this run does, so the second branch merged conflicts there (and
    in the skills both change); merging one, then distilling the other's logs again, does not."""
    from skillforge.skills.review import BRANCH_PREFIX

    named = ", ".join(others)
    skills = (
        f", and {'changes' if len(others) == 1 else 'change'} {', '.join(sorted(both))} as this run does"
        if both
        else ""
    )
    root = shlex.quote(str(lib.root))
    return (
        f"{named} ({'another distill run' if len(others) == 1 else 'other distill runs'}, not merged "
        f"into {base}) also {'rewrites' if len(others) == 1 else 'rewrite'} .skillforge/distilled.json, "
        f"pending.json and provenance.json{skills}: merging both branches conflicts there. Merge or delete "
        f"{'it' if len(others) == 1 else 'them'} first, then drop this branch "
        f"(git -C {root} branch -D {BRANCH_PREFIX}{run_id}) and distill these logs again: they are read "
        f"again, against {base} as it is then"
    )


def _seen(lib: Any, distilled: Mapping[str, str]) -> Callable[[str], tuple[set[str], set[str]]]:
    """What a skill's header counted already, for the offline consolidator's counts of the runs that
    lessons waiting in pending.json bring: the runs its evidence file lists (supporting), and the runs
    read by a distill run that updated it (read; ``distilled``: trajectory -> distill run). A skill
    that was locked counted neither."""
    from skillforge.distill.write import EVIDENCE_FILE, evidence_runs

    def seen(name: str) -> tuple[set[str], set[str]]:
        listed, updated = evidence_runs(commit.read_file(lib, f"skills/{name}/{EVIDENCE_FILE}"))
        return listed, {tid for tid, run_id in distilled.items() if run_id in updated}

    return seen


def _locked(consolidator: Any, kept: list[Lesson], current: list[Any]) -> dict[str, list[Lesson]]:
    """The locked skills the offline consolidator left untouched though lessons kept belong to them,
    with those lessons: the report names the skills, and the lessons wait in pending.json (their runs
    are marked distilled, so only pending.json brings them back once the lock is lifted)."""
    return dict(consolidator.locked_lessons(kept, current))


def _why_no_edit(consolidator: Any, kept: list[Lesson], current: list[Any]) -> list[str]:
    """Why the offline consolidator made no edit of the lessons kept: the skills they belong to are
    locked (said by ``commit.note_written``), they say it already, or the lessons make no skill on
    their own."""
    if consolidator.locked(kept, current):
        return []
    if consolidator.plans(kept, {s.name for s in current}):
        return [f"the {len(kept)} lessons kept are in their skills already"]
    return [
        f"the {len(kept)} lessons kept make no skill on their own (code areas or the order "
        "of a run's phases only: they join a repository's skill beside a recipe, a warning or a fix)"
    ]


def _left_out(consolidator: Any, kept: list[Lesson], current: list[Any]) -> list[str]:
    """The lessons kept that no skill takes (a repository's code areas or phase order with no recipe,
    warning or fix beside them), said so that "lessons kept" is not read as the lessons written."""
    placed = {le.key for plan in consolidator.plans(kept, {s.name for s in current}) for le in plan.lessons}
    left = [le for le in kept if le.key not in placed]
    if not left:
        return []
    scopes = sorted({le.scope.value for le in left})
    named = ", ".join(scopes[:4]) + (f" and {len(scopes) - 4} more" if len(scopes) > 4 else "")
    generic = all(le.kind in (LessonKind.SUCCESS_PATTERN, LessonKind.WORKFLOW) for le in left)
    why = (
        "code areas or the order of a run's phases only; they join a repository's skill beside a "
        "recipe, a warning or a fix"
        if generic
        else "no skill of theirs was planned"
    )
    return [
        f"{len(left)} of the {len(kept)} lessons kept make no skill on their own and were left out ({named}: {why})"
    ]


def _verdict(run: Run) -> Callable[[Any], bool] | None:
    """The trust gate's verdict on one evidence item, for lessons that wait (None: ``Evidence.trust``)."""
    step_trust = step_trust_of(run)
    return None if step_trust is None else lambda e: trusted(e, step_trust)


def _unwritten(report: DistillReport, lib: Any, lessons: list[Lesson]) -> list[Lesson]:
    """The lessons less those an earlier run wrote already (their runs were held back): not merged twice."""
    fresh_count = len(lessons)
    lessons = runs.unwritten(lessons, runs.held(commit.read_file(lib, runs.DISTILLED_FILE)))
    if len(lessons) < fresh_count:
        report.notes.append(
            f"{fresh_count - len(lessons)} lessons are in the library already (an earlier run "
            "wrote them; their runs were held back for a lesson that was not applied)"
        )
    report.lessons = len(lessons)
    return lessons


def _gate(run: Run, settings: Settings, lessons: list[Lesson], waiting: list[Lesson]) -> gates.GateResult:
    """The support and trust gates over this run's lessons and those waiting from earlier runs."""
    from skillforge.skills.validate import check_text

    report = run.report
    gates.stamp_sessions(lessons, run.sessions)
    gated = gates.apply(
        runs.with_waiting(waiting, lessons, _count_adder(report.provider)),
        int(settings.min_support),
        lambda text: check_text(text, "lesson"),
        step_trust_of(run),
        _grouping(run),
        run.copied,
    )
    _note_waiting(report, waiting, gated)
    report.lessons_kept = len(gated.kept)
    report.quarantined = gates.summary(gated.quarantined)
    if gated.below_support:
        report.notes.append(
            f"{len(gated.below_support)} lessons seen in fewer than {settings.min_support} "
            "runs were left out (--min-support; a subagent counts with its session)"
        )
    return gated


def _count_adder(provider: str) -> Callable[[str, str], str] | None:
    """How a waiting lesson's run counts join this run's text: the offline miner's texts state counts
    ("seen in 2 runs"); an LLM's are free text, left as this run wrote them."""
    if provider != "offline":
        return None
    from skillforge.distill.offline.counts import add_counts

    return add_counts


def _write(
    report: DistillReport,
    lib: Any,
    base: str,
    settings: Settings,
    plan: tuple[list[Any], list[Any]],
    locked: list[str],
) -> tuple[WriteResult, list[Any]]:
    """(written skills, validated changes): the edits applied to the current skills, then checked.
    ``locked``: the locked skills the consolidator gave no edit although lessons belong to them (the
    report names them with those the writer refused)."""
    from skillforge.skills.validate import check_text

    edits, current = plan
    written = apply_edits(
        edits,
        current,
        run_id=report.run_id,
        date=_today(),
        read_file=lambda rel: commit.read_file(lib, rel),
        template_dir=str(settings.templates or ""),
        quote_ok=lambda text: not any(gates.is_error(f) for f in check_text(text, "quote")),
    )
    written.locked.extend(name for name in locked if name not in written.locked)
    commit.note_written(report, written)
    changes = commit.validated(report, written, lambda name: commit.committed_files(lib, base, name))
    report.changes = changes
    return written, changes


def _note_waiting(report: DistillReport, waiting: list[Any], gated: gates.GateResult) -> None:
    if not waiting:
        return
    keys = {lesson.key for lesson in waiting}
    admitted = len({lesson.key for lesson in gated.kept if lesson.key in keys})
    report.notes.append(
        f"{len(waiting)} lessons waiting from earlier runs ({runs.PENDING_FILE}): "
        f"{admitted} now have the support to be written"
    )


def _reduce(run: Run, mapper: Mapper) -> list[Lesson]:
    """The lessons: from the streaming reducer (order-independent), else from the kept results."""
    if run.reducer is not None:
        return list(run.reducer.lessons())
    # completion order differs between runs and executors: reduce sees results sorted by trajectory id
    ok = sorted(
        (r for r in run.results if isinstance(r, MapResult) and r.error is None),
        key=lambda r: r.trajectory_id,
    )
    return list(mapper.reduce(ok))


def _grouping(run: Run) -> gates.Grouping | None:
    """LLM analysts word the same lesson differently: count support over clusters of similar lessons."""
    if run.report.provider == "offline":
        return None
    from skillforge.distill.llm.consolidate import cluster

    return cluster


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
