"""Which trajectories a library has already learnt from.

The record is a committed file of the library, ``.skillforge/distilled.json``
(``{"version": 1, "trajectories": {trajectory id: run id}, "held": {trajectory id: [lesson keys]}}``;
``held`` lists runs not distilled yet because one of their lessons was not applied, with the keys of
those of their lessons that were written), updated by every distill run through the
store's ``extra_files``, so it travels with the library (and with the review branch: trajectories count
as distilled into the library once their run's branch is merged).

It also keeps ``.skillforge/provenance.json``, the router's past-task signal:
``{"skills": {name: {"tasks": [...], "trajectories": [...], "repositories": [...]}}}``, and
``.skillforge/pending.json``, the lessons seen in too few trajectories so far
(``{"version": 1, "lessons": [lesson, ...]}``, redacted). A trajectory marked distilled is never read
again, so its lessons wait there for the support of later runs instead of being forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from typing import Any

import orjson

from skillforge.model import Evidence, Lesson, SkillChange

DISTILLED_FILE = ".skillforge/distilled.json"
PROVENANCE_FILE = ".skillforge/provenance.json"
PENDING_FILE = ".skillforge/pending.json"
IDS = "xxh3-128"  # how the trajectory ids in distilled.json were made (older files: SHA-1 or BLAKE2b)
MAX_TASKS = 50
TASK_CHARS = 200
MAX_PENDING = 1000  # lessons kept waiting, best supported first
MAX_PENDING_EVIDENCE = 20  # evidence items kept per waiting lesson


def parse(text: str | None) -> dict[str, str]:
    """Trajectory id -> run id from the file's text (empty for a missing or unreadable file)."""
    if not text:
        return {}
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    entries = data.get("trajectories") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def other_ids(text: str | None) -> bool:
    """Whether the record lists trajectories under ids made another way (an older skillforge): those
    runs will not be recognised, and are distilled again once."""
    try:
        data = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return False
    return isinstance(data, dict) and bool(data.get("trajectories")) and data.get("ids") != IDS


def render(
    distilled: dict[str, str], run_id: str, new_ids: Iterable[str], held: dict[str, list[str]] | None = None
) -> str:
    """The file's text after a run that distilled ``new_ids``. ``held`` lists trajectories that are
    not distilled yet because a lesson of theirs was not applied, each with the keys of its lessons
    that were written (so a later run does not write them twice)."""
    merged: dict[str, Any] = dict(distilled)
    merged.update({tid: run_id for tid in new_ids})
    doc: dict[str, Any] = {"version": 1, "ids": IDS, "trajectories": dict(sorted(merged.items()))}
    if held:
        doc["held"] = {tid: sorted(set(keys)) for tid, keys in sorted(held.items()) if tid not in merged}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def held(text: str | None) -> dict[str, list[str]]:
    """The held trajectories of the record (see :func:`render`): id -> keys of its written lessons."""
    try:
        data = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return {}
    entries = data.get("held") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {str(k): [str(x) for x in v] for k, v in entries.items() if isinstance(v, list)}


def unwritten(lessons: Sequence[Lesson], held_runs: dict[str, list[str]]) -> list[Lesson]:
    """``lessons`` without those an earlier run wrote already: every trajectory behind the lesson is
    held and lists the lesson's key as written."""

    def written(lesson: Lesson) -> bool:
        ids = {e.trajectory_id for e in lesson.evidence}
        return bool(ids) and all(lesson.key in held_runs.get(tid, ()) for tid in ids)

    return [lesson for lesson in lessons if not written(lesson)]


def provenance(
    text: str | None,
    changes: Iterable[SkillChange],
    lessons: dict[str, list[Lesson]],
    repositories: dict[str, str],
) -> str:
    """``.skillforge/provenance.json`` after a run: each changed skill's tasks, trajectories and
    repositories are merged in (short, unique, in first-seen order); removed skills are dropped."""
    doc: dict[str, Any] = {}
    if text:
        try:
            loaded = orjson.loads(text)
            doc = loaded if isinstance(loaded, dict) else {}
        except orjson.JSONDecodeError:
            doc = {}
    found = doc.get("skills")
    skills: dict[str, Any] = found if isinstance(found, dict) else {}
    for change in changes:
        if change.action == "removed":
            skills.pop(change.name, None)
            continue
        entry = skills.setdefault(change.name, {})
        evidence = [e for lesson in lessons.get(change.name, []) for e in lesson.evidence]
        tasks = [_short_task(e.task) for e in evidence if e.task.strip()]
        entry["tasks"] = _merge(entry.get("tasks"), tasks)[:MAX_TASKS]
        entry["trajectories"] = _merge(entry.get("trajectories"), [e.trajectory_id for e in evidence])
        repos = [repositories[e.trajectory_id] for e in evidence if repositories.get(e.trajectory_id)]
        entry["repositories"] = _merge(entry.get("repositories"), repos)
    out = {"version": 1, "skills": dict(sorted(skills.items()))}
    return orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n"


def _short_task(task: str) -> str:
    """A task as committed to provenance: scrubbed before it is cut, so no secret survives in part."""
    from skillforge.safety.redact import scrub

    return " ".join(scrub(task)[0].split())[:TASK_CHARS]


def _merge(old: Any, new: Iterable[str]) -> list[str]:
    items = [str(x) for x in old] if isinstance(old, list) else []
    return list(dict.fromkeys([*items, *new]))


def pending(text: str | None) -> list[Lesson]:
    """The lessons waiting for support, from ``.skillforge/pending.json`` (unreadable entries skipped)."""
    if not text:
        return []
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return []
    entries = data.get("lessons") if isinstance(data, dict) else None
    lessons = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            lessons.append(Lesson.from_dict(entry))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return lessons


def with_waiting(
    waiting: Sequence[Lesson], fresh: Sequence[Lesson], add_counts: Callable[[str, str], str] | None = None
) -> list[Lesson]:
    """This run's lessons, each with the evidence of the waiting lesson of the same key (its text is
    this run's, its support both), then the waiting lessons this run did not see again. ``add_counts``
    (the offline miner's: its texts state run counts) adds the waiting lesson's counts to the text when
    the two share no run (a lesson that was not applied waits while its runs are read again)."""
    by_key = {lesson.key: lesson for lesson in waiting}
    merged = []
    for lesson in fresh:
        old = by_key.pop(lesson.key, None)
        if old is not None:
            # a run read again (held back for a lesson that was not applied) is counted in this text already
            disjoint = not {e.run for e in lesson.evidence} & {e.run for e in old.evidence}
            if add_counts is not None and disjoint:
                lesson = replace(lesson, body=add_counts(lesson.body, old.body))
            lesson = _joined(lesson, old)
        merged.append(lesson)
    return merged + list(by_key.values())


def render_pending(
    lessons: Sequence[Lesson], trusted: Callable[[Evidence], bool] | None = None, older: Collection[str] = ()
) -> str | None:
    """``.skillforge/pending.json`` holding ``lessons`` (the run's below-support ones, earlier waiting
    ones included); None, which removes the file, when none wait. ``trusted`` is the run's verdict on
    each evidence item, kept as ``vouched`` since the step texts behind it are not kept. When more than
    MAX_PENDING wait, the best supported stay and, among equals, this run's before the ``older`` keys
    (lessons that were waiting already), so the file never stops taking new lessons."""
    from skillforge.safety.redact import scrub_tree

    merged: dict[str, Lesson] = {}
    for lesson in lessons:
        evidence = [
            replace(e, vouched=True) if trusted is not None and not e.vouched and trusted(e) else e
            for e in lesson.evidence
        ]
        lesson = replace(lesson, evidence=evidence)
        merged[lesson.key] = _joined(merged[lesson.key], lesson) if lesson.key in merged else lesson
    if not merged:
        return None
    ranked = sorted(merged.values(), key=lambda lesson: (-lesson.support, lesson.key in older))[:MAX_PENDING]
    docs = [scrub_tree(_capped(lesson).to_dict()) for lesson in ranked]
    return orjson.dumps({"version": 1, "lessons": docs}, option=orjson.OPT_INDENT_2).decode() + "\n"


def _joined(lesson: Lesson, other: Lesson) -> Lesson:
    """``lesson`` with ``other``'s evidence added (the same steps of a run once). ``runs`` is kept only
    when either side's evidence was a sample: then it adds up."""
    seen = {(e.trajectory_id, tuple(e.steps)) for e in lesson.evidence}
    evidence = [
        *lesson.evidence,
        *(e for e in other.evidence if (e.trajectory_id, tuple(e.steps)) not in seen),
    ]
    runs = 0
    if lesson.runs or other.runs:
        overlap = {e.run for e in lesson.evidence} & {e.run for e in other.evidence}  # support's unit
        runs = lesson.support + other.support - len(overlap)
    return replace(lesson, evidence=evidence, runs=runs)


def _capped(lesson: Lesson) -> Lesson:
    """At most MAX_PENDING_EVIDENCE evidence items; ``runs`` keeps the full count when some are cut."""
    if len(lesson.evidence) <= MAX_PENDING_EVIDENCE:
        return lesson
    return replace(
        lesson, evidence=lesson.evidence[:MAX_PENDING_EVIDENCE], runs=max(lesson.runs, lesson.support)
    )
