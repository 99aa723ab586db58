"""The section edits of the offline consolidator: which repository section each lesson goes to
(``REPO_SECTIONS``, in the order a skill shows them), and how a plan's sections become
``APPEND_SECTION`` (new bullets) or ``REPLACE_SECTION`` (updated counts) edits of a skill that exists,
with a reason that counts the change's lessons by kind."""

from __future__ import annotations

from skillforge.distill.offline.counts import merge_bullets
from skillforge.model import EditOp, Lesson, LessonKind, Skill, SkillEdit
from skillforge.skills.sections import sections_of

REPO_SECTIONS = (
    ("Running tests", "recipe:test"),
    ("Building and installing", "recipe:build"),
    ("Building and installing", "recipe:install"),
    ("Checks before you finish", "recipe:check"),
    ("Workflow", LessonKind.WORKFLOW.value),
    ("Known failures and fixes", LessonKind.ERROR_RECOVERY.value),
    ("Warnings", LessonKind.WARNING.value),
    ("Anti-patterns", LessonKind.ANTI_PATTERN.value),
    ("Code areas", LessonKind.SUCCESS_PATTERN.value),
)


def section_key(le: Lesson) -> str:
    return le.signature if le.kind is LessonKind.ENVIRONMENT_RECIPE else le.kind.value


def repo_sections(group: list[Lesson]) -> list[tuple[str, list[Lesson], list[str]]]:
    """(heading, lessons, bodies) per repository section, in REPO_SECTIONS order; keys that share a
    heading share its section."""
    sections: list[tuple[str, list[Lesson], list[str]]] = []
    for heading, key in REPO_SECTIONS:
        chosen = [le for le in group if section_key(le) == key]
        if not chosen:
            continue
        if sections and sections[-1][0] == heading:
            sections[-1][1].extend(chosen)
            sections[-1][2].extend(le.body for le in chosen)
        else:
            sections.append((heading, chosen, [le.body for le in chosen]))
    return sections


def section_edits(sections: list[tuple[str, list[Lesson], list[str]]], current: Skill) -> list[SkillEdit]:
    """The APPEND_SECTION / REPLACE_SECTION edits that bring ``sections`` into the skill ``current``."""
    existing = sections_of(current.body)
    edits: list[SkillEdit] = []
    for heading, lessons, lines in sections:
        old = existing.get(heading)
        if old is None:
            reason = f"add '{heading}' to {current.name}: {summary(lessons)}"
            edits.append(_edit(EditOp.APPEND_SECTION, current, heading, lines, lessons, reason))
            continue
        merged, added = merge_bullets(old.split("\n"), lines)
        if merged is not None:
            reason = f"update counts in '{heading}' of {current.name}: {summary(lessons)}"
            edits.append(_edit(EditOp.REPLACE_SECTION, current, heading, merged + added, lessons, reason))
        elif added:
            reason = f"append {len(added)} point(s) to '{heading}' of {current.name}"
            edits.append(_edit(EditOp.APPEND_SECTION, current, heading, added, lessons, reason))
    return edits


def _edit(
    op: EditOp, current: Skill, heading: str, lines: list[str], lessons: list[Lesson], reason: str
) -> SkillEdit:
    return SkillEdit(
        op=op, skill=current.name, section=heading, content="\n".join(lines), lessons=lessons, reason=reason
    )


# what the offline miner's lesson kinds are, in a change's reason: its only success patterns are code
# areas (files changed by past runs, most of which may have failed), never a pattern of success
_KIND_NAMES = {LessonKind.SUCCESS_PATTERN: "code area"}


def summary(lessons: list[Lesson]) -> str:
    """ "1 environment recipe, 2 code areas, 2 error recoveries": a change's lessons counted by kind."""
    counts: dict[str, int] = {}
    for le in lessons:
        name = _KIND_NAMES.get(le.kind, le.kind.value.replace("_", " "))
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{n} {_plural(k) if n > 1 else k}" for k, n in sorted(counts.items()))


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"
