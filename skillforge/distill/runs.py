"""Which trajectories a library has already learnt from.

The record is a committed file of the library, ``.skillforge/distilled.json``
(``{"version": 1, "trajectories": {trajectory id: run id}}``), updated by every distill run through the
store's ``extra_files``, so it travels with the library (and with the review branch: trajectories count
as distilled into the library once their run's branch is merged).

It also keeps ``.skillforge/provenance.json``, the router's past-task signal:
``{"skills": {name: {"tasks": [...], "trajectories": [...], "repositories": [...]}}}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from skillforge.model import Lesson, SkillChange

DISTILLED_FILE = ".skillforge/distilled.json"
PROVENANCE_FILE = ".skillforge/provenance.json"
MAX_TASKS = 50
TASK_CHARS = 200


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


def render(distilled: dict[str, str], run_id: str, new_ids: Iterable[str]) -> str:
    """The file's text after a run that distilled ``new_ids``."""
    merged: dict[str, Any] = dict(distilled)
    merged.update({tid: run_id for tid in new_ids})
    doc = {"version": 1, "trajectories": dict(sorted(merged.items()))}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def provenance(
    text: str | None, changes: Iterable[SkillChange], lessons: dict[str, list[Lesson]],
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
