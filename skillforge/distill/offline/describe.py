"""A repository skill's description (``templates/offline/description_repository.j2``): how many known
failures, warnings and anti-patterns it holds and from how many runs, written when the skill is made and
kept current when a later run updates it (and an agent's warnings skill's count of points).

A description skillforge wrote (it has the template's shape: :data:`_SHAPE`) is written again from the
skill as the update leaves it: the points counted in its sections, its test and build commands as before
(learnt from more runs than one update), and its runs raised by this run's. Any other description is a
person's and keeps its words (:func:`skillforge.distill.offline.counts.merge_intro` raises its counts
when they can be found). Counting them once, the description said "1 known failure and fix, from 7 past
runs" above a second failure and an intro of 14 runs read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from skillforge.distill.offline.counts import merge_bullets, merge_intro
from skillforge.model import EditOp, Lesson, LessonKind, ScopeKind, Skill, SkillEdit
from skillforge.skills.sections import intro, sections_of

if TYPE_CHECKING:
    from skillforge.distill.offline.consolidate import Plan

MAX_DESCRIPTION = 1024

# (section heading, lesson kind, one, many): the points a description counts
PARTS = (
    (
        "Known failures and fixes",
        LessonKind.ERROR_RECOVERY,
        "known failure and fix",
        "known failures and fixes",
    ),
    ("Warnings", LessonKind.WARNING, "warning", "warnings"),
    ("Anti-patterns", LessonKind.ANTI_PATTERN, "anti-pattern", "anti-patterns"),
)
# the shape of description_repository.j2 as _description leaves it (placeholders upper case, one line);
# its parts only the phrases of PARTS: "3 tests flaky on macOS" a person added is not one to rewrite
_PART = r"\d+ (?:" + "|".join(re.escape(w) for _, _, one, many in PARTS for w in (many, one)) + ")"
_SHAPE = re.compile(
    r"How to work on the (?P<repo>.+?) repository"
    r"(?:: run its tests with `(?P<test>[^`]*)`)?(?:, build with `(?P<build>[^`]*)`)?"
    rf"(?:; (?P<parts>{_PART}(?:, {_PART})*))?, from (?P<runs>\d+) past runs\. "
    r"Use when working in (?P=repo): running its tests, setting up its environment, or fixing a failure "
    r"seen before\."
)

# the sections of an agent's warnings skill (consolidate._agent_plans), whose bullets its description counts,
# and the shape of description_agent.j2: "… (1 point from 28 runs)" stayed 1 above a second point
AGENT_SECTIONS = ("Harness complaints", "Warnings", "Anti-patterns")
_AGENT_SHAPE = re.compile(  # and the wording of earlier versions, which claimed every point separated outcomes
    r"Warnings for (?P<agent>.+?) runs: (?:what the harness complained about and what its failed runs did|"
    r"actions and loops that were markedly more common in failed runs than in resolved ones) "
    r"\(\d+ points? from (?P<runs>\d+) runs(?:, each with its own counts)?\)\. "
    r"Use when planning or reviewing a (?P=agent) run\."
)

Render = Callable[..., str]


def parts_of(lessons: list[Lesson]) -> list[str]:
    """ "2 known failures and fixes", "1 warning" …: the points of ``lessons`` a description counts."""
    return _phrased({kind: sum(1 for le in lessons if le.kind is kind) for _, kind, _, _ in PARTS})


def refreshed(old: str, new: str, bullets: Mapping[str, int], render: Render) -> str | None:
    """The description of a repository skill a later run updates: ``old`` (the skill's) written again
    with ``bullets`` (section heading -> points after the update) and its runs raised by ``new``'s (this
    run's description); None when ``old`` is not one skillforge wrote, or when it would not change."""
    was, now = _SHAPE.fullmatch(old), _SHAPE.fullmatch(new)
    if was is None or now is None or was["repo"] != now["repo"]:
        return None
    counts = {kind: bullets.get(heading, 0) for heading, kind, _, _ in PARTS}
    text = render(
        "description_repository",
        repo=was["repo"],
        test=was["test"] or now["test"] or "",
        build=was["build"] or now["build"] or "",
        parts=_phrased(counts),
        runs=int(was["runs"]) + int(now["runs"]),
    )
    text = " ".join(text.split())
    return None if text == old else text


def refreshed_agent(old: str, new: str, points: int, render: Render) -> str | None:
    """An agent's warnings skill's description as :func:`refreshed` writes a repository's: ``points``
    (bullets after the update) and its runs raised by ``new``'s; None when a person wrote ``old``."""
    was, now = _AGENT_SHAPE.fullmatch(old), _AGENT_SHAPE.fullmatch(new)
    if was is None or now is None or was["agent"] != now["agent"]:
        return None
    runs = int(was["runs"]) + int(now["runs"])
    text = " ".join(render("description_agent", agent=was["agent"], count=points, runs=runs).split())
    return None if text == old else text


def _phrased(counts: Mapping[LessonKind, int]) -> list[str]:
    return [f"{n} {one if n == 1 else many}" for _, kind, one, many in PARTS if (n := counts.get(kind, 0))]


def plain(text: str) -> str:
    """Description text may not contain '<' or '>': placeholders become upper-case words."""
    text = re.sub(r"<([\w-]+)>", lambda m: m.group(1).upper(), text)
    return text.replace("<", "").replace(">", "")


def description(text: str) -> str:
    """A description as written: one line, no '<' or '>', at most MAX_DESCRIPTION characters."""
    text = plain(" ".join(text.split()))
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1].rstrip() + "…"


def header_edits(plan: Plan, current: Skill, render: Render) -> list[SkillEdit]:
    """The intro's and the description's run counts raised by this run's, when the skill gets new
    points: an intro left at "Read 35 past runs" above bullets that say "62 of 100" misleads. A
    repository skill's description skillforge wrote is written again from the updated skill
    (:func:`refreshed`); text a person edited (or that this run words otherwise) is left as it is."""
    edits = []
    plan_intro, plan_description = _as_named(plan, current)
    merged = merge_intro(intro(current.body), plan_intro)
    if merged is not None:
        reason = f"update the run counts in the intro of {current.name}"
        edits.append(SkillEdit(EditOp.UPDATE_INTRO, current.name, reason, content=merged))
    new = description(plan_description)
    described = refreshed(current.description, new, _points_after(plan, current), render)
    if described is None:
        points = sum(_points_after(plan, current, AGENT_SECTIONS).values())
        described = refreshed_agent(current.description, new, points, render)
    if described is None:
        described = merge_intro(current.description, new)  # "… from 12 past runs"
    if described is not None and len(described) <= MAX_DESCRIPTION:
        reason = f"update the run count in the description of {current.name}"
        edits.append(SkillEdit(EditOp.UPDATE_DESCRIPTION, current.name, reason, content=described))
    return edits


def _as_named(plan: Plan, current: Skill) -> tuple[str, str]:
    """The plan's intro and description with the repository named as the skill names it: another
    agent's logs may name one repository otherwise (Codex `git-sync`, Claude Code `entireio/git-sync`),
    and the skill is matched by name; with the names differing, the counts were merged into its bullets
    but its intro and description, taken for a person's words, kept the old counts. Only one repository
    written with and without its owner is renamed (:func:`same_repository`): a fork `myfork/django` is
    not `django/django`, and its runs are not counted as runs on it."""
    kind, _, named = current.meta("scope").partition(":")
    repo = plan.scope.value
    if (
        plan.scope.kind is not ScopeKind.REPOSITORY
        or kind != ScopeKind.REPOSITORY.value
        or named == repo
        or not same_repository(named, repo)
    ):
        return plan.intro, plan.description
    pairs = [
        (f"`{repo}`", f"`{named}`"),
        (f"the {repo} repository", f"the {named} repository"),
        (f"working in {repo}:", f"working in {named}:"),
    ]
    texts = [plan.intro, plan.description]
    for old, new in pairs:
        texts = [t.replace(old, new) for t in texts]
    return texts[0], texts[1]


def same_repository(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` name one repository: equal, or one is the other without its owner
    (`git-sync`, `entireio/git-sync`). Two owners (`myfork/django`, `django/django`) are two."""
    return bool(a and b) and (a == b or a.endswith("/" + b) or b.endswith("/" + a))


def _points_after(plan: Plan, current: Skill, headings: tuple[str, ...] = ()) -> dict[str, int]:
    """Section heading (``headings``, or those of PARTS) -> bullets it will hold once this run's edits
    apply (for the description)."""
    existing = sections_of(current.body)
    points = {}
    for heading in headings or tuple(h for h, _, _, _ in PARTS):
        lines = next((ls for h, _, ls in plan.sections if h == heading), [])
        old = existing.get(heading)
        if old is not None:
            merged, added = merge_bullets(old.split("\n"), lines)
            lines = (merged if merged is not None else old.split("\n")) + added
        points[heading] = sum(1 for line in lines if line.startswith("- "))
    return points
