"""The writer: applies consolidation's :class:`SkillEdit` objects to the skills as they are now in the
committed library, as targeted patches, and returns the :class:`SkillChange` objects the store commits.

Only the sections an edit names are touched (see ``sections.py``), so hand edits elsewhere survive
later runs. A skill whose metadata says ``skillforge-locked: "true"`` is never edited. Every changed
skill gets ``references/evidence.md`` refreshed with this run's evidence (which trajectories, steps and
short verbatim quotes as code spans), a link to it from the body, and ``skillforge-evidence/version/updated`` metadata.
Applying the same edits twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skillforge import templates
from skillforge.model import (
    EditOp,
    Evidence,
    Lesson,
    Skill,
    SkillChange,
    SkillEdit,
    content_id,
    supporting_runs,
)
from skillforge.skills import sections

EVIDENCE_FILE = "references/evidence.md"
EVIDENCE_LABEL = "Evidence: the agent runs this skill was learnt from"
QUOTE_CHARS = 160

ReadFile = Callable[[str], str | None]
QuoteCheck = Callable[[str], bool]  # True when a quote may be written (the safety checks pass)


@dataclass(frozen=True)
class _Ctx:
    run_id: str
    date: str
    read_file: ReadFile | None
    template_dir: str
    quote_ok: QuoteCheck | None


@dataclass
class WriteResult:
    changes: list[SkillChange] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)  # skills with edits that were not applied (locked)
    skipped: list[str] = field(default_factory=list)  # edits that could not apply, one line each
    lessons: dict[str, list[Lesson]] = field(default_factory=dict)  # skill -> lessons behind its change
    unapplied: list[tuple[list[Lesson], str]] = field(
        default_factory=list
    )  # lessons of edits not applied, why
    # changes dropped by validation: (skill, its lessons, why); reported as failures when dropped
    invalid: list[tuple[str, list[Lesson], str]] = field(default_factory=list)


@dataclass
class _Work:
    before: Skill | None
    skill: Skill | None
    reasons: list[str] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    removed: bool = False


def copy_skill(skill: Skill) -> Skill:
    return dataclasses.replace(
        skill, metadata=dict(skill.metadata), extra=dict(skill.extra), files=dict(skill.files)
    )


def apply_edits(
    edits: Sequence[SkillEdit],
    current: Sequence[Skill],
    *,
    run_id: str,
    date: str,
    read_file: ReadFile | None = None,
    template_dir: str = "",
    quote_ok: QuoteCheck | None = None,
) -> WriteResult:
    """Apply ``edits`` to ``current`` (the committed skills); return the changed skills.

    ``read_file(rel)`` reads a committed library file (the skills' existing evidence); ``quote_ok``
    decides whether a log quote may go into ``references/evidence.md`` (the others are left out)."""
    ctx = _Ctx(run_id, date, read_file, template_dir, quote_ok)
    result = WriteResult()
    by_name = {s.name: s for s in current}
    work: dict[str, _Work] = {}
    for edit in edits:
        before = by_name.get(edit.skill)
        if before is not None and before.locked:
            if edit.skill not in result.locked:
                result.locked.append(edit.skill)
            continue
        w = work.setdefault(edit.skill, _Work(before, copy_skill(before) if before else None))
        problem = _apply(w, edit)
        if problem:
            result.skipped.append(f"{edit.skill}: {problem}")
            result.unapplied.append((list(edit.lessons), f"edit of {edit.skill} not applied: {problem}"))
            continue
        w.reasons.append(edit.reason)
        w.lessons.extend(edit.lessons)
    for name, w in work.items():
        change = _finish(name, w, ctx)
        if change is not None:
            result.changes.append(change)
            result.lessons[name] = w.lessons
    return result


def _apply(w: _Work, edit: SkillEdit) -> str | None:
    """Apply one edit to the work item; return why it could not be applied, or None."""
    if edit.op is EditOp.REMOVE_SKILL:
        if w.before is None:
            return "cannot remove a skill that does not exist"
        w.removed, w.skill = True, None
        return None
    if edit.op is EditOp.ADD_SKILL:
        return _add_skill(w, edit)
    if w.skill is None:
        return f"{edit.op.value} on a skill that does not exist"
    skill = w.skill
    if edit.op in (EditOp.APPEND_SECTION, EditOp.REPLACE_SECTION, EditOp.DELETE_SECTION) and not edit.section:
        return f"{edit.op.value} without a section heading"
    if edit.op is EditOp.APPEND_SECTION:
        skill.body = sections.append_section(skill.body, edit.section or "", edit.content)
    elif edit.op is EditOp.REPLACE_SECTION:
        skill.body = sections.replace_section(skill.body, edit.section or "", edit.content)
    elif edit.op is EditOp.DELETE_SECTION:
        skill.body = sections.delete_section(skill.body, edit.section or "")
    elif edit.op is EditOp.ADD_REFERENCE:
        return _add_reference(skill, edit)
    elif edit.op is EditOp.UPDATE_INTRO:
        skill.body = sections.replace_intro(skill.body, edit.content)
    elif edit.op is EditOp.UPDATE_DESCRIPTION:
        if not edit.content.strip():
            return "empty description"
        skill.description = edit.content.strip()
    return None


def _add_skill(w: _Work, edit: SkillEdit) -> str | None:
    new = edit.new_skill
    if new is None:
        return "add_skill without a skill document"
    if w.skill is None:
        w.skill = copy_skill(new)
        w.skill.name = edit.skill
        w.removed = False
        return None
    # the skill exists already: merge the new document's sections into it, keep everything else
    for sec in sections.sections(new.body):
        text = sections.section_text(new.body, sec.title) or ""
        if sec.level >= 2 and text.strip():
            w.skill.body = sections.append_section(w.skill.body, "#" * sec.level + " " + sec.title, text)
    return None


def _add_reference(skill: Skill, edit: SkillEdit) -> str | None:
    rel = (edit.path or "").strip().replace("\\", "/").lstrip("./")
    if not rel or ".." in rel.split("/") or ":" in rel:  # stays inside the skill's folder on any OS
        return f"bad reference path {edit.path!r}"
    if not rel.startswith("references/"):
        rel = f"references/{rel}"
    skill.files[rel] = edit.content if edit.content.endswith("\n") else edit.content + "\n"
    label = edit.section or rel.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
    skill.body = sections.ensure_link(skill.body, rel, label)
    return None


def _finish(name: str, w: _Work, ctx: _Ctx) -> SkillChange | None:
    evidence_count = supporting_runs(w.lessons)  # a lesson's evidence may be a sample of its runs
    reason = "; ".join(dict.fromkeys(r for r in w.reasons if r)) or "distilled"
    if w.removed:
        return SkillChange(name, "removed", reason, evidence_count, None)
    skill = w.skill
    if skill is None or (w.before is not None and _same(skill, w.before)):
        return None
    old_evidence = skill.files.get(EVIDENCE_FILE)
    if old_evidence is None and w.before is not None and ctx.read_file is not None:
        old_evidence = ctx.read_file(f"skills/{name}/{EVIDENCE_FILE}")
    if w.lessons:
        skill.files[EVIDENCE_FILE] = evidence_document(
            name, old_evidence, ctx.run_id, ctx.date, w.lessons, ctx.template_dir, ctx.quote_ok
        )
        skill.body = sections.ensure_link(skill.body, EVIDENCE_FILE, EVIDENCE_LABEL)
    previous = _int(w.before.meta("evidence")) if w.before else 0
    skill.set_meta("evidence", previous + evidence_count)
    skill.set_meta("version", (_int(w.before.meta("version")) if w.before else 0) + 1)
    skill.set_meta("updated", ctx.date)
    if not skill.meta("id"):
        skill.set_meta("id", content_id("skill", name))
    return SkillChange(name, "updated" if w.before else "added", reason, evidence_count, skill)


def _same(a: Skill, b: Skill) -> bool:
    return a.body == b.body and a.description == b.description and a.files == b.files


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def evidence_document(
    skill: str,
    existing: str | None,
    run_id: str,
    date: str,
    lessons: Sequence[Lesson],
    template_dir: str = "",
    quote_ok: QuoteCheck | None = None,
) -> str:
    """``references/evidence.md`` with this run's section added (or replaced, on a re-run)."""
    entries = evidence_entries(lessons, quote_ok)
    runs = max(supporting_runs(lessons), len(entries))  # a lesson's evidence may be a sample of its runs
    block = templates.render(
        "evidence.md.j2", template_dir, skill=skill, run_id=run_id, date=date, entries=entries, runs=runs
    )
    doc = (
        existing
        if existing and existing.strip()
        else (
            f"# Evidence for {skill}\n\nWhich agent runs this skill was distilled from, by skillforge run.\n"
        )
    )
    return sections.replace_section(doc, f"## Run {run_id}", block).rstrip("\n") + "\n"


_RUN_HEADING = re.compile(r"^## Run (\S+)\s*$", re.M)
_ENTRY_HEADING = re.compile(r"^### `([^`\n]+)`", re.M)


def evidence_runs(text: str | None) -> tuple[set[str], set[str]]:
    """(the trajectories an evidence file lists, the distill runs it has a section of), as
    ``evidence.md.j2`` writes them; empty for a file that is missing or worded otherwise."""
    if not text:
        return set(), set()
    return set(_ENTRY_HEADING.findall(text)), set(_RUN_HEADING.findall(text))


def evidence_entries(lessons: Sequence[Lesson], quote_ok: QuoteCheck | None = None) -> list[dict[str, Any]]:
    """One entry per trajectory: id, source, task, outcome and the lessons it supports (with a short
    quote when ``quote_ok`` accepts it)."""
    entries: dict[str, dict[str, Any]] = {}
    for lesson in lessons:
        for ev in lesson.evidence:
            entry = entries.setdefault(ev.trajectory_id, _entry(ev))
            flat = _one_line(ev.quote, QUOTE_CHARS)
            text = quote(ev.quote) if flat and (quote_ok is None or quote_ok(flat)) else ""
            at = (ev.source or "").partition("#")[
                2
            ]  # the cited records (messages[14]…), when the log has them
            item = {"title": _one_line(lesson.title, 120), "steps": ev.steps[:8], "quote": text, "at": at}
            if item not in entry["lessons"]:
                entry["lessons"].append(item)
    return sorted(entries.values(), key=lambda e: (e["source"] or "", e["id"]))


def _entry(ev: Evidence) -> dict[str, Any]:
    return {
        "id": ev.trajectory_id,
        "source": ev.source.partition("#")[0] if ev.source else None,
        "task": _one_line(ev.task, 200),
        "outcome": ev.outcome.value,
        "lessons": [],
    }


def quote(text: str) -> str:
    """A short one-line quote as a markdown code span: its characters stay as they were in the log
    (whitespace folded to single spaces, a long quote cut with "…"), and none of them can break the
    markdown around it, because the span's fence is longer than any run of backticks inside."""
    flat = _one_line(text, QUOTE_CHARS)
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _one_line(text: str, limit: int) -> str:
    flat = re.sub(r"\s+", " ", text or "").strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
