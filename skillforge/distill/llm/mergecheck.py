"""The library as a consolidation run grows it, and the merge answer check.

:class:`GrowingLibrary` starts from the committed skills and applies every accepted merge decision to
in-memory copies (new skills, appended or replaced sections), so each later decision is shown the
skills created or changed earlier in the same run and can deepen them instead of adding a duplicate.

:meth:`GrowingLibrary.errors` is the answer check of a merge decision: known sources, existing
unlocked targets, and every rule the write path enforces, checked by
building each skill as the writer would and running the validator's own ``validate_skill`` on it
(front matter, name format and length, reserved words, description length and ``<``/``>``, code
fences, secrets, injected instructions). Findings the skill already had before the edit are not the
model's to fix and are left out. The errors go back to the model for its one repair round.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from skillforge.model import EditOp, Lesson, Level, Scope, ScopeKind, Skill, SkillEdit
from skillforge.safety.redact import redact
from skillforge.skills import sections
from skillforge.text import owner_of_names

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CANDIDATES = 6


def copy(skill: Skill) -> Skill:
    return Skill(
        skill.name,
        skill.description,
        skill.body,
        skill.license,
        skill.compatibility,
        skill.allowed_tools,
        dict(skill.metadata),
        dict(skill.extra),
        skill.path,
        dict(skill.files),
    )


def scope_and_level(lessons: Sequence[Lesson]) -> tuple[Scope, Level]:
    """A skill's scope and level from its lessons: the most common of each (ties: the more general
    scope, the higher level), so routing can tell a repository-only skill from a general one."""
    if not lessons:
        return Scope(ScopeKind.GENERAL, ""), Level.FUNCTIONAL
    owner = owner_of_names(x.scope.value for x in lessons if x.scope.kind is ScopeKind.REPOSITORY)
    scopes = Counter(
        (
            x.scope.kind,
            owner.get(x.scope.value.lower(), x.scope.value)
            if x.scope.kind is ScopeKind.REPOSITORY
            else x.scope.value,
        )
        for x in lessons
    )  # a bare name votes for the owner/name that ends with it
    order_kinds = list(ScopeKind)  # the enum lists the narrowest scope first
    kind, value = max(scopes, key=lambda s: (scopes[s], order_kinds.index(s[0])))
    levels = Counter(x.level for x in lessons)
    order = list(Level)
    level = max(levels, key=lambda lv: (levels[lv], -order.index(lv)))
    return Scope(kind, value), level


def new_skill(name: str, description: str, content: str, lessons: Sequence[Lesson]) -> Skill:
    skill = Skill(name=name, description=description.strip(), body=content.strip() + "\n")
    scope, level = scope_and_level(lessons)
    skill.set_meta("level", level.value)
    skill.set_meta("scope", str(scope))
    skill.set_meta("evidence", len({e.trajectory_id for x in lessons for e in x.evidence}))
    return skill


class GrowingLibrary:
    def __init__(self, skills: Sequence[Skill]):
        self.skills = {s.name: s for s in skills}
        self.changed: set[str] = set()  # created or changed in this run

    def card(self, skill: Skill) -> dict[str, Any]:
        """What the merge model sees of a skill, redacted: a library can hold a hand-written secret."""
        headings = [
            redact(line.lstrip("#").strip())[0] for line in skill.body.splitlines() if line.startswith("#")
        ]
        return {
            "name": skill.name,
            "description": redact(skill.description)[0],
            "headings": headings,
            "locked": skill.locked,
            "this_run": skill.name in self.changed,
        }

    def candidates(self, text: str) -> list[dict[str, Any]]:
        """The skills most related to ``text`` (word overlap), every skill of this run included first."""
        from skillforge.distill.llm.topics import jaccard, words

        bag = words(text)
        ranked = sorted(self.skills.values(), key=lambda s: -jaccard(bag, words(f"{s.name} {s.description}")))
        picked = [s for s in ranked if s.name in self.changed][:CANDIDATES]
        picked += [s for s in ranked if s.name not in self.changed][: max(2, CANDIDATES - len(picked))]
        return [self.card(s) for s in picked]

    def apply(self, edit: SkillEdit) -> None:
        """Apply an accepted edit to the in-memory library."""
        result = self.preview(edit)
        if result is not None:
            self.skills[edit.skill] = result
            self.changed.add(edit.skill)

    def preview(self, edit: SkillEdit) -> Skill | None:
        """The skill as it would be after ``edit`` (None when the edit cannot apply)."""
        current = self.skills.get(edit.skill)
        if edit.op is EditOp.ADD_SKILL:
            if edit.new_skill is None:
                return None
            if current is None:
                return copy(edit.new_skill)
            merged = copy(current)  # a name collision is merged, as the writer does
            for sec in sections.sections(edit.new_skill.body):
                text = sections.section_text(edit.new_skill.body, sec.title) or ""
                if sec.level >= 2 and text.strip():
                    merged.body = sections.append_section(
                        merged.body, "#" * sec.level + " " + sec.title, text
                    )
            return merged
        if current is None or not edit.section:
            return None
        result = copy(current)
        if edit.op is EditOp.APPEND_SECTION:
            result.body = sections.append_section(result.body, edit.section, edit.content)
        elif edit.op is EditOp.REPLACE_SECTION:
            result.body = sections.replace_section(result.body, edit.section, edit.content)
        return result

    # -- the answer check ----------------------------------------------------------------------------

    def errors(self, edits: list[dict[str, Any]], ids: set[str], build: Any) -> list[str]:
        """Readable errors of a merge answer; ``build(entry)`` turns one answer entry into a SkillEdit."""
        errors: list[str] = []
        for i, e in enumerate(edits):
            where = f"$.edits[{i}]"
            unknown = [s for s in e["sources"] if s not in ids]
            if unknown or not e["sources"]:
                errors.append(f"{where}.sources: list the ids this edit rests on, only from {sorted(ids)}")
                continue
            errors += self._target_errors(where, e)
            if not errors:
                errors += self._rule_errors(where, build(e))
        return errors

    def _target_errors(self, where: str, e: dict[str, Any]) -> list[str]:
        name, target = e["skill"], self.skills.get(e["skill"])
        if e["op"] == "add_skill":
            out = []
            if target is not None and name not in self.changed:  # one made this run is merged into
                out.append(f"{where}: skill {name!r} exists; use append_section or replace_section on it")
            if not NAME.match(name) or len(name) > 64:
                out.append(f"{where}.skill: {name!r} must be lowercase words joined by single hyphens (<=64)")
            if "use when" not in e["description"].lower():
                out.append(f"{where}.description: must say 'Use when …'")
            if not any(line.startswith("## ") for line in e["content"].splitlines()):
                out.append(f"{where}.content: a new skill's body needs markdown sections (## …)")
            return out
        if target is None:
            return [f"{where}.skill: no skill named {name!r}; use add_skill to create it"]
        if target.locked:
            return [f"{where}.skill: {name!r} is locked and must not be edited"]
        if not e["section"].strip():
            return [f"{where}.section: name the section heading to edit"]
        return []

    def _rule_errors(self, where: str, edit: SkillEdit) -> list[str]:
        from skillforge.skills.rules.spec import WRITE_BLOCKING
        from skillforge.skills.validate import validate_skill

        after = self.preview(edit)
        if after is None:
            return [f"{where}: this edit cannot be applied"]
        before = self.skills.get(edit.skill)
        known = {(f.rule, f.message) for f in validate_skill(before)} if before is not None else set()
        found = [
            f
            for f in validate_skill(after)
            if (f.severity == "error" or f.rule in WRITE_BLOCKING) and (f.rule, f.message) not in known
        ]
        return [
            f"{where}: the skill would fail validation ({f.rule}: {f.message}; fix: {f.fix})" for f in found
        ]
