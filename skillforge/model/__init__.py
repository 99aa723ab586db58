"""The nouns of skillforge: Trajectory and Step (what agents did, ``trajectory``), their typed tool
actions (``actions``), Lesson and Evidence (what we learnt, ``lesson``), Skill and SkillEdit (what we
write, ``skill``). Nothing here does I/O; every name is re-exported here.
"""

from skillforge.model.actions import (
    ACTION_TYPES,
    Action,
    EditFile,
    Message,
    Other,
    Patch,
    ReadFile,
    Search,
    Shell,
    Submit,
    action_from_dict,
    action_to_dict,
)
from skillforge.model.lesson import (
    Evidence,
    Lesson,
    LessonKind,
    Level,
    Scope,
    ScopeKind,
    is_sampled,
    supporting_runs,
)
from skillforge.model.skill import SPEC_KEYS, EditOp, Skill, SkillChange, SkillEdit
from skillforge.model.trajectory import (
    GUESSED_SOURCES,
    Outcome,
    Role,
    SourceLocation,
    Step,
    StepKind,
    Trajectory,
    Trust,
    content_id,
)

__all__ = [
    "ACTION_TYPES",
    "GUESSED_SOURCES",
    "SPEC_KEYS",
    "Action",
    "EditFile",
    "EditOp",
    "Evidence",
    "Lesson",
    "LessonKind",
    "Level",
    "Message",
    "Other",
    "Outcome",
    "Patch",
    "ReadFile",
    "Role",
    "Scope",
    "ScopeKind",
    "Search",
    "Shell",
    "Skill",
    "SkillChange",
    "SkillEdit",
    "SourceLocation",
    "Step",
    "StepKind",
    "Submit",
    "Trajectory",
    "Trust",
    "action_from_dict",
    "action_to_dict",
    "content_id",
    "is_sampled",
    "supporting_runs",
]
