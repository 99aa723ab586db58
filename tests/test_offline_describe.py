"""A repository skill's description kept current by a later run: written again from the updated skill
when skillforge wrote it, left to its words when a person did."""

from __future__ import annotations

from skillforge.distill.offline.consolidate import OfflineConsolidator, Plan
from skillforge.distill.offline.describe import header_edits, refreshed
from skillforge.model import EditOp, Level, Scope, ScopeKind, Skill

REPO = "sympy/sympy"
TAIL = f"Use when working in {REPO}: running its tests, setting up its environment, or fixing a failure seen before."
FIX_A = "- When `pytest <tests>` fails with `pytest: command not found`, what worked: `bin/test <tests>` (4 of 4 runs; seen in 4 runs)."
FIX_B = "- When `bin/test <tests>` fails with `ImportError: mpmath`, what worked: `pip install mpmath` (2 of 2 runs; seen in 2 runs)."


def _render(name: str, **ctx: object) -> str:
    return OfflineConsolidator()._render(name, **ctx)


def _described(parts: str, runs: int, test: str = "bin/test TESTS") -> str:
    return f"How to work on the {REPO} repository: run its tests with `{test}`; {parts}, from {runs} past runs. {TAIL}"


def _skill(description: str) -> Skill:
    body = f"# Working on {REPO}\n\nIntro.\n\n## Known failures and fixes\n\n{FIX_A}\n"
    return Skill(name="sympy-workflow", description=description, body=body)


def _plan(description: str) -> Plan:
    return Plan(
        name="sympy-workflow",
        scope=Scope(ScopeKind.REPOSITORY, REPO),
        theme="workflow",
        level=Level.PLAN,
        title=f"Working on {REPO}",
        description=description,
        intro="Intro.",
        sections=[("Known failures and fixes", [], [FIX_B])],
    )


def test_a_description_skillforge_wrote_counts_the_updated_skills_points_and_runs() -> None:
    """A second run adding another failure wrote '1 known failure and fix, from 7 past runs' as before,
    above two failures and an intro of 14 runs (sympy in mini-swe-agent, read in two halves)."""
    current = _skill(_described("1 known failure and fix", 7))
    new = _described("1 known failure and fix", 6, test="python -m pytest TESTS")
    (edit,) = [e for e in header_edits(_plan(new), current, _render) if e.op is EditOp.UPDATE_DESCRIPTION]
    assert edit.content == _described("2 known failures and fixes", 13)  # the test command as before
    # the same failure again: its bullet's counts rise, the points stay one
    again = _plan(new)
    again.sections = [
        ("Known failures and fixes", [], [FIX_A.replace("4 of 4", "2 of 2").replace("in 4", "in 2")])
    ]
    (edit,) = [e for e in header_edits(again, current, _render) if e.op is EditOp.UPDATE_DESCRIPTION]
    assert edit.content == _described("1 known failure and fix", 13)


def test_a_description_a_person_wrote_keeps_its_words() -> None:
    mine = "Sympy work: use bin/test, never pytest. Use when in sympy."
    assert refreshed(mine, _described("1 known failure and fix", 6), {}, _render) is None
    edits = header_edits(_plan(_described("1 known failure and fix", 6)), _skill(mine), _render)
    assert not [e for e in edits if e.op is EditOp.UPDATE_DESCRIPTION]


def test_a_person_s_own_part_keeps_the_description_from_being_rewritten() -> None:
    """A phrase a person added among the counted parts ("3 tests flaky on macOS") is not one
    skillforge wrote: rewriting the description from the sections dropped it (a reviewer)."""
    mine = _described("1 known failure and fix, 3 tests flaky on macos", 6)
    assert (
        refreshed(mine, _described("1 known failure and fix", 6), {"Known failures and fixes": 2}, _render)
        is None
    )
    edits = header_edits(_plan(_described("1 known failure and fix", 6)), _skill(mine), _render)
    assert not [e for e in edits if e.op is EditOp.UPDATE_DESCRIPTION and "flaky" not in e.content]
    # the parts skillforge writes, every kind of them, are still its own
    ours = _described("1 known failure and fix, 2 warnings, 1 anti-pattern", 6)
    written = refreshed(
        ours, _described("1 known failure and fix", 6), {"Known failures and fixes": 2}, _render
    )
    assert written == _described("2 known failures and fixes", 12)


def test_an_agent_skills_description_counts_its_points_after_the_update() -> None:
    """mini-swe-agent read in two halves: the second added a warning beside the harness complaint, and
    the description still said '1 point from 62 runs' where one run over all 100 says '2 points'."""
    agent = "mini-swe-agent"

    def said(points: int, runs: int) -> str:
        return _render("description_agent", agent=agent, count=points, runs=runs)

    complaint = "- When the harness rejected a reply: send one command. Met in 28 of 50 runs read; 59 complaints cost 59 turns."
    warning = "- Runs that sent a malformed action failed more often with mini-swe-agent: 26 of 29 failed runs vs 8 of 21 resolved runs (52 points more)."
    body = f"# {agent} warnings\n\nIntro.\n\n## Harness complaints\n\n{complaint}\n"
    current = Skill(name=f"{agent}-warnings", description=said(1, 28), body=body)
    plan = Plan(
        name=f"{agent}-warnings",
        scope=Scope(ScopeKind.TOOL, agent),
        theme="warnings",
        level=Level.FUNCTIONAL,
        title=f"{agent} warnings",
        description=said(2, 34),
        intro="Intro.",
        sections=[
            ("Harness complaints", [], [complaint.replace("28 of 50", "34 of 50")]),
            ("Warnings", [], [warning]),
        ],
    )
    (edit,) = [e for e in header_edits(plan, current, _render) if e.op is EditOp.UPDATE_DESCRIPTION]
    assert edit.content == said(2, 62)
    mine = Skill(name=current.name, description="Read before a mini-swe-agent run: 1 point.", body=body)
    assert not [e for e in header_edits(plan, mine, _render) if e.op is EditOp.UPDATE_DESCRIPTION]


def test_an_agent_description_of_an_earlier_version_is_still_refreshed() -> None:
    """The wording said every point was 'markedly more common in failed runs', which a harness
    complaint met by 3 of 4 failed and 1 of 2 resolved runs is not (held-out grading): the new
    wording claims no contrast, and a description in the old one is still skillforge's to update."""
    from skillforge.distill.offline.describe import refreshed_agent

    old = (
        "Warnings for mini-swe-agent runs: actions and loops that were markedly more common in failed runs than "
        "in resolved ones (1 point from 28 runs). Use when planning or reviewing a mini-swe-agent run."
    )
    new = _render("description_agent", agent="mini-swe-agent", count=2, runs=34)
    assert "markedly" not in new
    assert refreshed_agent(old, new, 2, _render) == _render(
        "description_agent", agent="mini-swe-agent", count=2, runs=62
    )


def test_a_skill_another_agent_names_otherwise_gets_its_header_counts_raised() -> None:
    """Codex names a repository `git-sync`, Claude Code `entireio/git-sync`: the skill, matched by name,
    got its bullets' counts merged, but its intro and description, worded with the other name, were
    taken for a person's words and kept "from 7 past runs" (loop19 defect 3c)."""
    named = "entireio/git-sync"
    tail = f"Use when working in {named}: running its tests, setting up its environment, or fixing a failure seen before."
    current = _skill(
        f"How to work on the {named} repository: run its tests with `go test TESTS`, from 7 past runs. {tail}"
    )
    current.body = current.body.replace(
        "Intro.",
        f"Learnt offline from the 8 past agent runs read on `{named}`; 7 of them support a point below.",
    )
    current.set_meta("scope", f"repository:{named}")
    plan = _plan(
        "How to work on the git-sync repository: run its tests with `go test TESTS`, from 4 past runs. "
        "Use when working in git-sync: running its tests, setting up its environment, or fixing a failure seen before."
    )
    plan.scope = Scope(ScopeKind.REPOSITORY, "git-sync")
    plan.intro = (
        "Learnt offline from the 5 past agent runs read on `git-sync`; 4 of them support a point below."
    )
    edits = {e.op: e.content for e in header_edits(plan, current, _render)}
    assert edits[EditOp.UPDATE_INTRO] == (
        f"Learnt offline from the 13 past agent runs read on `{named}`; 11 of them support a point below."
    )
    assert (
        "from 11 past runs" in edits[EditOp.UPDATE_DESCRIPTION]
        and f"the {named} repository" in (edits[EditOp.UPDATE_DESCRIPTION])
    )


def test_a_forks_runs_are_not_counted_as_runs_of_the_repository_its_skill_is_named_for() -> None:
    """`myfork/django` is another owner's repository than `django/django`: its runs, merged into the
    skill of the same name, were counted in the header as runs "on `django/django`" (review12 #5).
    Only one repository written with and without its owner is renamed."""
    named = "django/django"
    tail = f"Use when working in {named}: running its tests, setting up its environment, or fixing a failure seen before."
    current = _skill(
        f"How to work on the {named} repository: run its tests with `./runtests.py TESTS`, from 5 past runs. {tail}"
    )
    current.body = current.body.replace(
        "Intro.",
        f"Learnt offline from the 8 past agent runs read on `{named}`; 5 of them support a point below.",
    )
    current.set_meta("scope", f"repository:{named}")
    fork = "myfork/django"
    plan = _plan(
        f"How to work on the {fork} repository: run its tests with `./runtests.py TESTS`, from 4 past runs. "
        f"Use when working in {fork}: running its tests, setting up its environment, or fixing a failure seen before."
    )
    plan.scope = Scope(ScopeKind.REPOSITORY, fork)
    plan.intro = (
        f"Learnt offline from the 8 past agent runs read on `{fork}`; 4 of them support a point below."
    )
    edits = {e.op: e.content for e in header_edits(plan, current, _render)}
    assert EditOp.UPDATE_INTRO not in edits
    assert "from 5 past runs" in edits.get(EditOp.UPDATE_DESCRIPTION, current.description)
