"""What distill writes: Skill documents, the SkillEdits applied to them and the SkillChanges a run commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from skillforge.model.lesson import Lesson, supporting_runs

SPEC_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")


@dataclass(slots=True)
class Skill:
    """An Agent Skill: ``skills/<name>/SKILL.md`` plus its folder's other files.

    ``metadata`` is the spec's string → string map; skillforge's bookkeeping lives there under
    ``skillforge-`` keys (see ``skillforge.skills.document``). ``extra`` keeps any other front-matter key
    found on disk so that reading and writing round-trip (validate reports such keys).
    """

    name: str
    description: str
    body: str = ""
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # the skill's folder, when it was read from disk
    files: dict[str, str] = field(default_factory=dict)  # other files to write: relative path -> text

    def meta(self, key: str, default: str = "") -> str:
        return self.metadata.get(f"skillforge-{key}", default)

    def set_meta(self, key: str, value: str | int | float) -> None:
        self.metadata[f"skillforge-{key}"] = str(value)

    @property
    def locked(self) -> bool:
        return self.meta("locked").lower() == "true"


class EditOp(StrEnum):
    ADD_SKILL = "add_skill"  # create a new skill (skill carries the full document)
    APPEND_SECTION = "append_section"  # add ``content`` under heading ``section`` (create it if missing)
    REPLACE_SECTION = "replace_section"  # replace the body of heading ``section``
    DELETE_SECTION = "delete_section"
    ADD_REFERENCE = "add_reference"  # write ``path`` (under references/) and link it from the body
    UPDATE_DESCRIPTION = "update_description"
    UPDATE_INTRO = "update_intro"  # replace the text between the title and the first section with ``content``
    REMOVE_SKILL = "remove_skill"


@dataclass(slots=True)
class SkillEdit:
    """One targeted change to one skill, produced by consolidation and applied by the writer."""

    op: EditOp
    skill: str  # skill name
    reason: str  # one line, for the pull-request body
    section: str | None = None
    content: str = ""
    path: str | None = None
    new_skill: Skill | None = None
    lessons: list[Lesson] = field(default_factory=list)  # the evidence behind the edit

    @property
    def evidence_count(self) -> int:
        return supporting_runs(self.lessons)


@dataclass(slots=True)
class SkillChange:
    """One skill's change in a run, as the store commits it and the pull-request body lists it."""

    name: str
    action: str  # "added" | "updated" | "removed"
    reason: str  # one line
    evidence_count: int = 0
    skill: Skill | None = None  # the full document after the change (None when removed)
