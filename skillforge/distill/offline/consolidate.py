"""OfflineConsolidator: lessons → skill edits without an LLM.

Lessons are grouped by scope into skills: one per repository (``<repo>-workflow``: how to run tests
and build, the phase skeleton, warnings, known failures and fixes, code areas), one per error family
across repositories (``python-import-errors``…), one per agent for agent-wide warnings. New skills are
``ADD_SKILL`` edits with a full document rendered from ``templates/offline``; for a skill that exists
(matched by ``skillforge-id``, then name) each section becomes an ``APPEND_SECTION`` (new bullets) or
``REPLACE_SECTION`` (updated counts) edit; locked skills are never touched. Output is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from skillforge import templates
from skillforge.distill.offline.describe import description, header_edits, parts_of, plain
from skillforge.distill.offline.edits import repo_sections, section_edits, summary
from skillforge.model import (
    EditOp,
    Lesson,
    LessonKind,
    Level,
    Outcome,
    Scope,
    ScopeKind,
    Skill,
    SkillEdit,
    content_id,
    is_sampled,
    supporting_runs,
)

NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME = 64
SPECIFIC = {
    LessonKind.ENVIRONMENT_RECIPE,
    LessonKind.ERROR_RECOVERY,
    LessonKind.WARNING,
    LessonKind.ANTI_PATTERN,
}


@dataclass
class Plan:
    """A skill to write: its identity, and its sections as (heading, lessons, bullet lines)."""

    name: str
    scope: Scope
    theme: str
    level: Level
    title: str
    description: str
    intro: str
    sections: list[tuple[str, list[Lesson], list[str]]] = field(default_factory=list)

    @property
    def lessons(self) -> list[Lesson]:
        return [le for _, ls, _ in self.sections for le in ls]

    @property
    def skill_id(self) -> str:
        return content_id("offline", str(self.scope), self.theme)

    @property
    def evidence(self) -> int:
        return supporting_runs(self.lessons)


# a skill's name -> (the runs its evidence file lists, which its header counts as supporting; the runs
# read by a distill run that updated it, which its header counts as read): see OfflineConsolidator.seen
Seen = Callable[[str], tuple[Collection[str], Collection[str]]]


class OfflineConsolidator:
    """Turns gated lessons into skill edits (see ``skillforge.distill.base.Consolidator``)."""

    def __init__(
        self,
        templates_override: str = "",
        read: dict[str, tuple[int, int]] | None = None,
        mapped: Collection[str] = (),
        seen: Seen | None = None,
    ) -> None:
        self.override = templates_override
        self.read = read if read is not None else {}  # scope -> (runs read, resolved), from the reduce
        self.mapped = mapped  # the runs counted in ``read`` (the reduce's; empty: every lesson's runs)
        # what an existing skill's header counted already (distill sets it from the library: the skill's
        # evidence file and distilled.json); None: every earlier run, as nothing tells otherwise
        self.seen = seen

    def consolidate(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> list[SkillEdit]:
        edits: list[SkillEdit] = []
        known = {s.name: s.name for s in skills} | {s.meta("id"): s.name for s in skills if s.meta("id")}
        for plan in self.plans(lessons, {s.name for s in skills}, known):
            current = _match(plan, skills)
            if current is None:
                edits.append(self._add(plan))
            elif not current.locked:
                changed = section_edits(plan.sections, current)
                edits.extend([*changed, *header_edits(plan, current, self._render)] if changed else [])
        return edits

    def locked(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> list[str]:
        """The locked skills these lessons would change (:meth:`consolidate` leaves them untouched)."""
        return sorted(self.locked_lessons(lessons, skills))

    def locked_lessons(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> dict[str, list[Lesson]]:
        """Per locked skill these lessons would change, its lessons that no unlocked skill takes: they
        are not written, so they wait (pending.json) until the lock is lifted."""
        locked: dict[str, list[Lesson]] = {}
        placed: set[str] = set()
        for plan in self.plans(lessons, {s.name for s in skills}):
            current = _match(plan, skills)
            if current is not None and current.locked:
                locked.setdefault(current.name, []).extend(plan.lessons)
            else:
                placed.update(le.key for le in plan.lessons)
        return {name: [le for le in ls if le.key not in placed] for name, ls in sorted(locked.items())}

    def plans(
        self,
        lessons: Sequence[Lesson],
        existing: set[str] | None = None,
        known: Mapping[str, str] | None = None,
    ) -> list[Plan]:
        """The skills these lessons make or update. ``existing``: the library's skill names;
        ``known``: its skill names and ids, each to its skill's name, which tell a skill this run adds
        (its header counts every run behind its lessons) from one it updates (see :meth:`_counts`)."""
        known = known or {}
        ordered = sorted(lessons, key=lambda le: (str(le.scope), le.kind.value, le.signature, le.title))
        shared = _shared(ordered, existing or set())
        plans = (
            self._repo_plans([le for le in ordered if id(le) not in shared], known)
            + self._family_plans([le for le in ordered if id(le) in shared], known)
            + self._agent_plans(ordered, known)
        )
        names: set[str] = set()
        unique: list[Plan] = []
        for plan in sorted(plans, key=lambda p: (p.name, p.skill_id)):
            if plan.name in names:
                plan.name = _name(f"{plan.name[:55]}-{plan.skill_id[:6]}")
            names.add(plan.name)
            unique.append(plan)
        return unique

    def _counts(
        self, group: list[Lesson], read_key: str, current: str | None
    ) -> tuple[int, tuple[int, int] | None]:
        """(the runs behind ``group`` that an intro and a description count as supporting, the runs read
        of ``read_key`` and how many resolved; ``current``: the name of the skill this updates, None for
        one it adds). A lesson waiting in pending.json since an earlier run brings that run's evidence
        along, and its bullets and ``skillforge-evidence`` count that run. The header counts it too
        unless the skill counted it already: supporting when its evidence file lists the run, read when
        the distill run that read it updated the skill (:attr:`seen`). Left out of a skill this run adds,
        a new skill said "from 4 past runs" over evidence of 5; of a skill that was locked when the run
        was read, "from 5 past runs" over evidence of 7; counted twice, an intro said "the 10 past agent
        runs read …; 11 of them support a point below"."""
        read = self.read.get(read_key)
        if not self.mapped:
            return supporting_runs(group), read
        if current is not None and self.seen is None:  # nothing tells: the skill counted them already
            return supporting_runs([_among(le, self.mapped) for le in group]), read
        supporting, was_read = self.seen(current) if current is not None and self.seen else ((), ())
        earlier = {
            e.trajectory_id: e.outcome
            for le in group
            for e in le.evidence
            if e.trajectory_id not in self.mapped and e.trajectory_id not in supporting
        }
        unread = [o for t, o in earlier.items() if t not in was_read]
        if read is not None and unread:
            read = (read[0] + len(unread), read[1] + sum(1 for o in unread if o == Outcome.SUCCESS))
        return supporting_runs([_among(le, {*self.mapped, *earlier}) for le in group]), read

    def _render(self, name: str, **ctx: object) -> str:
        return templates.render(f"offline/{name}.j2", self.override, **ctx).strip()

    def _repo_plans(self, lessons: list[Lesson], known: Mapping[str, str]) -> list[Plan]:
        by_repo: dict[str, list[Lesson]] = {}
        for le in lessons:
            if le.scope.kind is ScopeKind.REPOSITORY:
                by_repo.setdefault(le.scope.value, []).append(le)
        # only a skeleton or code areas is too generic to stand alone
        return [
            self._repo_plan(repo, group, known)
            for repo, group in sorted(by_repo.items())
            if any(le.kind in SPECIFIC for le in group)
        ]

    def _repo_plan(self, repo: str, group: list[Lesson], known: Mapping[str, str]) -> Plan:
        """The workflow skill of one repository: its recipes, sections and how many runs it read."""
        scope = Scope(ScopeKind.REPOSITORY, repo)
        name = _name(f"{_repo_slug(repo)}-workflow")
        runs, read = self._counts(group, str(scope), _current(name, scope, "workflow", known))
        metas = {e.trajectory_id: e.outcome.value for le in group for e in le.evidence}
        outcomes = [o for o in metas.values() if o != "unknown"]
        recipes = {
            le.signature: _first_code(le.body) for le in group if le.kind is LessonKind.ENVIRONMENT_RECIPE
        }
        return Plan(
            name=name,
            scope=scope,
            theme="workflow",
            level=Level.PLAN,
            title=f"Working on {repo}",
            description=self._render(
                "description_repository",
                repo=repo,
                test=plain(recipes.get("recipe:test", "")),
                build=plain(recipes.get("recipe:build", "")),
                parts=parts_of(group),
                runs=runs,
            ),
            intro=self._render(
                "intro_repository",
                repo=repo,
                supporting=runs,
                read=read,
                resolved=sum(1 for o in outcomes if o == "success")
                if outcomes and not is_sampled(group)
                else None,
            ),
            sections=repo_sections(group),
        )

    def _family_plans(self, lessons: list[Lesson], known: Mapping[str, str]) -> list[Plan]:
        by_family: dict[str, list[Lesson]] = {}
        for le in lessons:
            fam = _family(le)
            if le.kind is LessonKind.ERROR_RECOVERY and fam:
                by_family.setdefault(fam, []).append(le)
        plans: list[Plan] = []
        for fam, group in sorted(by_family.items()):
            bullets = [
                self._render("family_bullet", repo=le.scope.value, text=le.body.removeprefix("- "))
                for le in group
            ]
            scope = Scope(ScopeKind.TOOL, fam)
            runs, read = self._counts(group, "all", _current(_name(fam), scope, fam, known))
            theme = fam.replace("-", " ")
            examples = sorted({plain(le.title.rsplit(" (", 1)[0]) for le in group})[:2]
            plans.append(
                Plan(
                    name=_name(fam),
                    scope=scope,
                    theme=fam,
                    level=Level.ATOMIC,
                    title=theme.capitalize(),
                    description=self._render("description_family", theme=theme, examples=examples),
                    intro=self._render("intro_family", runs=runs, read=read),
                    sections=[("Known failures and fixes", group, bullets)],
                )
            )
        return plans

    def _agent_plans(self, lessons: list[Lesson], known: Mapping[str, str]) -> list[Plan]:
        by_agent: dict[str, list[Lesson]] = {}
        for le in lessons:
            if le.scope.kind is ScopeKind.TOOL and (
                le.kind in (LessonKind.WARNING, LessonKind.ANTI_PATTERN)
                or le.signature.startswith("harness:")
            ):
                by_agent.setdefault(le.scope.value, []).append(le)
        plans: list[Plan] = []
        for agent, group in sorted(by_agent.items()):
            scope = Scope(ScopeKind.TOOL, agent)
            current = _current(_name(f"{agent}-warnings"), scope, "warnings", known)
            runs, read = self._counts(group, f"agent:{agent}", current)
            sections = []
            for heading, kind in (
                ("Harness complaints", LessonKind.ERROR_RECOVERY),
                ("Warnings", LessonKind.WARNING),
                ("Anti-patterns", LessonKind.ANTI_PATTERN),
            ):
                chosen = [le for le in group if le.kind is kind]
                if chosen:
                    sections.append((heading, chosen, [le.body for le in chosen]))
            plans.append(
                Plan(
                    name=_name(f"{agent}-warnings"),
                    scope=scope,
                    theme="warnings",
                    level=Level.FUNCTIONAL,
                    title=f"{agent} warnings",
                    description=self._render("description_agent", agent=agent, count=len(group), runs=runs),
                    intro=self._render("intro_agent", agent=agent, runs=runs, read=read),
                    sections=sections,
                )
            )
        return plans

    def _add(self, plan: Plan) -> SkillEdit:
        body = (
            self._render(
                "skill",
                title=plan.title,
                intro=plan.intro,
                sections=[(h, "\n".join(lines)) for h, _, lines in plan.sections],
            )
            + "\n"
        )
        skill = Skill(name=plan.name, description=description(plan.description), body=body)
        skill.set_meta("id", plan.skill_id)
        skill.set_meta("level", plan.level.value)
        skill.set_meta("scope", str(plan.scope))
        skill.set_meta("evidence", plan.evidence)
        reason = f"new {plan.level.value} skill for {plan.scope}: {summary(plan.lessons)} from {plan.evidence} runs"
        return SkillEdit(
            op=EditOp.ADD_SKILL, skill=plan.name, reason=reason, new_skill=skill, lessons=plan.lessons
        )


def _current(name: str, scope: Scope, theme: str, known: Mapping[str, str]) -> str | None:
    """The name of the library's skill of this id, else of this name (:func:`_match`); None when this
    run adds it."""
    return known.get(content_id("offline", str(scope), theme)) or known.get(name)


def _among(lesson: Lesson, ids: Collection[str]) -> Lesson:
    """``lesson`` with only the evidence of the runs ``ids``; a sampled lesson's true count (``runs``)
    less the other runs its evidence names."""
    evidence = [e for e in lesson.evidence if e.trajectory_id in ids]
    others = len({e.trajectory_id for e in lesson.evidence} - {e.trajectory_id for e in evidence})
    return replace(lesson, evidence=evidence, runs=max(lesson.runs - others, 0) if lesson.runs else 0)


def _shared(lessons: list[Lesson], existing: set[str]) -> set[int]:
    """The error lessons that belong in a family skill (their one home): failures of a family whose
    signature was seen in two or more repositories, or in runs with no repository. A failure seen in
    one repository stays in that repository's skill, so no generic skill holds one repository's fix,
    unless the library already has that family's skill: the advice keeps the home it has."""
    repos: dict[str, set[str]] = {}
    for le in lessons:
        if le.kind is LessonKind.ERROR_RECOVERY and _family(le) and le.scope.kind is ScopeKind.REPOSITORY:
            repos.setdefault(le.signature, set()).add(le.scope.value)
    return {
        id(le)
        for le in lessons
        if le.kind is LessonKind.ERROR_RECOVERY
        and _family(le)
        and (
            le.scope.kind is not ScopeKind.REPOSITORY
            or len(repos.get(le.signature, ())) >= 2
            or _family(le) in existing
        )
    }


def _family(le: Lesson) -> str:
    _, _, fam = le.signature.partition("|family:")
    return fam


def _match(plan: Plan, skills: Sequence[Skill]) -> Skill | None:
    for s in sorted(skills, key=lambda s: s.name):
        if s.meta("id") == plan.skill_id:
            return s
    return next((s for s in sorted(skills, key=lambda s: s.name) if s.name == plan.name), None)


def _first_code(text: str) -> str:
    m = re.search(r"`([^`]+)`", text)
    return m.group(1) if m else ""


def _repo_slug(repo: str) -> str:
    owner, _, name = repo.rpartition("/")
    return name or owner


def _name(raw: str) -> str:
    """A spec-valid skill name: lower-case words joined by '-', ≤64 chars, no reserved words."""
    words = re.findall(r"[a-z0-9]+", raw.lower())
    words = [w for w in words if w not in ("claude", "anthropic")] or ["skill"]
    name = "-".join(words)[:MAX_NAME].strip("-")
    return name if NAME_RE.match(name) else "skill"
