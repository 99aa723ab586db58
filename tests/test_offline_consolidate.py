"""Offline consolidation: new skills, section edits for existing skills, locked skills untouched."""

from __future__ import annotations

from fixtures.offline.runs import gave_up, sympy_like

from skillforge.distill.offline import OfflineConsolidator, OfflineMapper
from skillforge.distill.offline.consolidate import NAME_RE
from skillforge.model import EditOp, Lesson, LessonKind, Outcome, Skill, SkillEdit, Trajectory
from skillforge.skills.document import parse, render
from skillforge.skills.sections import sections_of


def lessons() -> list[Lesson]:
    m = OfflineMapper()
    runs = [  # widgets: 4 of 4 resolved runs and 1 of 5 failed ones followed one workflow (Fisher p = 0.04)
        sympy_like("a"),
        sympy_like("b"),
        sympy_like("a2"),
        sympy_like("a3"),
        sympy_like("c", Outcome.FAILURE),
        gave_up("d"),
        gave_up("d2"),
        gave_up("d3"),
        gave_up("e"),
        sympy_like("g1", repo="acme/gadgets"),
        sympy_like("g2", repo="acme/gadgets"),
    ]
    return [le for le in m.reduce([m.map(t) for t in runs]) if le.support >= 2]


def add_edits() -> list[SkillEdit]:
    return OfflineConsolidator().consolidate(lessons(), [])


def test_new_skills_per_repository_and_error_family() -> None:
    edits = add_edits()
    assert [(e.op, e.skill) for e in edits] == [
        (EditOp.ADD_SKILL, "gadgets-workflow"),
        (EditOp.ADD_SKILL, "python-import-errors"),
        (EditOp.ADD_SKILL, "widgets-workflow"),
    ]
    family = edits[1].new_skill
    assert family is not None and "acme/gadgets" in family.body and "acme/widgets" in family.body
    repo = edits[2].new_skill
    assert repo is not None
    # the failure seen in both repositories has one home: the family skill, not the repository skill
    assert set(sections_of(repo.body)) == {"Running tests", "Workflow", "Code areas"}
    assert "`bin/test <tests>`" in sections_of(repo.body)["Running tests"]
    assert repo.metadata["skillforge-scope"] == "repository:acme/widgets"
    assert repo.metadata["skillforge-level"] == "plan"
    assert edits[2].lessons and edits[2].reason.startswith("new plan skill")


def test_skill_documents_are_spec_valid() -> None:
    for edit in add_edits():
        skill = edit.new_skill
        assert skill is not None
        assert NAME_RE.match(skill.name) and len(skill.name) <= 64
        assert "<" not in skill.description and ">" not in skill.description
        assert len(skill.description) <= 1024 and "Use when" in skill.description
        assert parse(render(skill)).name == skill.name


def test_consolidation_is_deterministic() -> None:
    first = [render(e.new_skill) for e in add_edits() if e.new_skill]
    second = [render(e.new_skill) for e in add_edits() if e.new_skill]
    assert first == second


def _existing(body: str, **meta: str) -> Skill:
    new = next(e.new_skill for e in add_edits() if e.skill == "widgets-workflow")
    assert new is not None
    metadata = {"skillforge-id": new.metadata["skillforge-id"], **meta}
    return Skill(name="my-widgets", description="Mine. Use when x.", body=body, metadata=metadata)


def test_existing_skill_matched_by_id_gets_section_edits() -> None:
    current = _existing("# Widgets\n\n## Running tests\n\n- Use `make check` (team rule).\n")
    edits = [e for e in OfflineConsolidator().consolidate(lessons(), [current]) if e.skill == "my-widgets"]
    ops = {(e.op, e.section) for e in edits}
    assert (EditOp.APPEND_SECTION, "Running tests") in ops
    assert (EditOp.APPEND_SECTION, "Workflow") in ops
    appended = next(e for e in edits if e.section == "Running tests")
    assert "bin/test" in appended.content and "make check" not in appended.content


def test_changed_counts_replace_the_section() -> None:
    old = "- Run the tests: `bin/test <tests>` (succeeded in 1 of 1 runs that ran tests here; seen in 1 run)."
    current = _existing(f"## Running tests\n\n{old}\n- keep me\n")
    edits = OfflineConsolidator().consolidate(lessons(), [current])
    replace = next(e for e in edits if e.section == "Running tests")
    assert replace.op is EditOp.REPLACE_SECTION
    assert "6 of 6 runs" in replace.content and "seen in 6 runs" in replace.content  # 1 old + 5 new runs
    assert "keep me" in replace.content and old not in replace.content


def test_new_runs_that_word_a_bullet_as_before_still_add_to_its_counts() -> None:
    """Consolidation is only handed runs the library has not learnt from (distilled.json, and lessons an
    earlier run wrote are taken out): a bullet the new runs write word for word as before was seen in
    as many more runs. It kept the old counts ("seen in 1 run" after two runs)."""
    first = next(e.new_skill for e in add_edits() if e.skill == "widgets-workflow")
    assert first is not None
    edits = [e for e in OfflineConsolidator().consolidate(lessons(), [first]) if e.skill == first.name]
    tests = next(e for e in edits if e.section == "Running tests")
    old = next(ln for ln in sections_of(first.body)["Running tests"].split("\n") if "seen in" in ln)
    n = int(old.split("seen in ", 1)[1].split(" ", 1)[0])
    assert f"seen in {2 * n} runs" in tests.content, tests.content


def test_locked_skill_is_never_edited() -> None:
    current = _existing("## Running tests\n\n- old\n", **{"skillforge-locked": "true"})
    edits = OfflineConsolidator().consolidate(lessons(), [current])
    assert all(e.skill != "my-widgets" for e in edits)
    assert all(e.skill != "widgets-workflow" for e in edits)


def test_repository_with_only_generic_lessons_gets_no_skill() -> None:
    generic = [le for le in lessons() if le.kind.value == "workflow"]
    assert generic and OfflineConsolidator().consolidate(generic, []) == []


def test_names_avoid_reserved_words_and_collisions() -> None:
    from fixtures.offline.runs import OK, run

    def recipe_runs(repo: str) -> list[Trajectory]:
        return [run(f"{repo}{i}", [(f"pytest tests/test_{i}.py", OK, "ok")], repo=repo) for i in range(2)]

    m = OfflineMapper()
    trajs = [*recipe_runs("anthropics/claude-tools"), *recipe_runs("a/utils"), *recipe_runs("b/utils")]
    edits = OfflineConsolidator().consolidate(m.reduce([m.map(t) for t in trajs]), [])
    names = [e.skill for e in edits]
    assert "tools-workflow" in names and "utils-workflow" in names
    assert len(set(names)) == 3 and all(NAME_RE.match(n) and len(n) <= 64 for n in names)


def test_agent_wide_warnings_become_an_agent_skill() -> None:
    from fixtures.offline.runs import OK, run

    trajs = []
    for repo in ("a/one", "b/two"):
        for i in range(4):
            trajs.append(
                run(
                    f"{repo}f{i}",
                    [("pytest tests/t.py", OK, ""), ("sed -i 's/a/b/' setup.py", OK, "")],
                    repo=repo,
                    outcome=Outcome.FAILURE,
                )
            )
            trajs.append(
                run(
                    f"{repo}s{i}",
                    [("pytest tests/t.py", OK, ""), ("sed -i 's/a/b/' src/a.py", OK, "")],
                    repo=repo,
                    outcome=Outcome.SUCCESS,
                )
            )
    m = OfflineMapper()
    edits = OfflineConsolidator().consolidate(m.reduce([m.map(t) for t in trajs]), [])
    agent = next(e for e in edits if e.skill == "mini-swe-agent-warnings")
    assert agent.new_skill is not None
    assert "8 of 8 failed runs vs 0 of 8 resolved runs" in sections_of(agent.new_skill.body)["Warnings"]


def test_merge_counts_adds_counts_of_the_same_kind() -> None:
    from skillforge.distill.offline.counts import merge_counts

    old = "- x (2 of 3 resolved runs; seen in 1 run, 1 resolved). Median per run: 5 explore"
    new = "- x (4 of 5 resolved runs; seen in 3 runs, 2 resolved). Median per run: 7 explore"
    assert (
        merge_counts(old, new)
        == "- x (6 of 8 resolved runs; seen in 4 runs, 3 resolved). Median per run: 7 explore"
    )


def test_existing_skill_matched_by_name_when_it_has_no_id() -> None:
    current = Skill(name="widgets-workflow", description="Hand-written. Use when x.", body="# W\n")
    edits = [
        e for e in OfflineConsolidator().consolidate(lessons(), [current]) if e.skill == "widgets-workflow"
    ]
    assert edits and all(e.op is EditOp.APPEND_SECTION for e in edits)


def test_skill_id_depends_on_scope_and_theme_only() -> None:
    full = next(e.new_skill for e in add_edits() if e.skill == "widgets-workflow")
    recipes_only = [le for le in lessons() if le.kind.value == "environment_recipe"]
    part = next(
        e.new_skill
        for e in OfflineConsolidator().consolidate(recipes_only, [])
        if e.skill == "widgets-workflow"
    )
    assert full is not None and part is not None
    assert full.metadata["skillforge-id"] == part.metadata["skillforge-id"]
    assert full.body != part.body


def test_a_bare_folder_name_joins_the_one_owner_repository_that_ends_with_it() -> None:
    from fixtures.offline.runs import OK, run

    def recipe_runs(repo: str, prefix: str) -> list[Trajectory]:
        return [run(f"{prefix}{i}", [(f"pytest tests/test_{i}.py", OK, "ok")], repo=repo) for i in range(2)]

    m = OfflineMapper()
    trajs = [*recipe_runs("acme/ledgerkit", "a"), *recipe_runs("ledgerkit", "b")]
    lessons = m.reduce([m.map(t) for t in trajs])
    scopes = {str(le.scope) for le in lessons if le.scope.kind.value == "repository"}
    assert scopes == {"repository:acme/ledgerkit"}
    assert max(le.support for le in lessons) == 4


def guessed(traj: Trajectory) -> Trajectory:
    traj.outcome_source = "tests"  # read from the last test run: a guess
    return traj


def test_guessed_outcomes_are_not_taken_for_resolved_runs() -> None:
    """Outcomes guessed from the last test run (they agree with a benchmark's verdict about half the
    time) do not make runs "resolved": no resolved count in the skill, none behind its points. The same
    runs with labelled outcomes give them."""
    m = OfflineMapper()

    def body(runs: list[Trajectory]) -> str:
        kept = [le for le in m.reduce([m.map(t) for t in runs]) if le.support >= 2]
        edits = OfflineConsolidator().consolidate(kept, [])
        (skill,) = [e.new_skill for e in edits if e.new_skill and e.new_skill.name == "widgets-workflow"]
        return skill.body

    def runs() -> list[Trajectory]:
        return [sympy_like("a"), sympy_like("b"), sympy_like("c"), sympy_like("d", Outcome.FAILURE)]

    labelled = body(runs())
    assert "(3 resolved)" in labelled and "seen in 4 runs, 3 resolved" in labelled
    facts = m.map(guessed(sympy_like("a"))).facts
    assert facts is not None and facts["outcome"] == "unknown"
    unlabelled = body([guessed(t) for t in runs()])
    assert "resolved" not in unlabelled.lower()
    assert "`bin/test <tests>`" in unlabelled  # what the commands themselves showed is still learnt


def test_a_hand_edited_bullet_keeps_its_words_when_its_counts_are_updated() -> None:
    from skillforge.distill.offline.counts import merge_counts

    written = "- Run the tests: `tox -e py` (succeeded in 3 of 3 runs that ran tests here; seen in 3 runs)."
    edited = written.replace("seen in 3 runs)", "seen in 3 runs; needs Docker running, ask Ana)")
    new = "- Run the tests: `tox -e py` (succeeded in 2 of 2 runs that ran tests here; seen in 2 runs)."
    assert merge_counts(written, new) == new.replace("2 of 2", "5 of 5").replace("2 runs)", "5 runs)")
    assert merge_counts(edited, new) == (
        "- Run the tests: `tox -e py` (succeeded in 5 of 5 runs that ran tests here; seen in 5 runs;"
        " needs Docker running, ask Ana)."
    )


def test_a_rerun_updating_a_section_keeps_a_hand_edit_inside_a_bullet() -> None:
    first = next(e.new_skill for e in add_edits() if e.skill == "widgets-workflow")
    assert first is not None
    section = sections_of(first.body)["Running tests"]
    bullet = next(line for line in section.split("\n") if line.startswith("- "))
    note = bullet.rstrip(".") + " — run it inside the dev container."
    current = _existing(f"## Running tests\n\n{note}\n")
    edits = [
        e for e in OfflineConsolidator().consolidate(lessons(), [current]) if e.section == "Running tests"
    ]
    assert edits and all("run it inside the dev container" in e.content for e in edits), edits


def test_merge_counts_adds_harness_complaints_and_turns() -> None:
    # a second run over more logs printed "Met in 62 of 100 runs read …; 78 complaints cost 84 turns":
    # the runs summed over both runs, the complaints and turns of the new runs only
    from skillforge.distill.offline.counts import merge_counts

    old = "- When x: y. Met in 25 of 35 runs read (17 of 20 failed runs, 8 of 15 resolved); 70 complaints cost 71 turns."
    new = "- When x: y. Met in 37 of 65 runs read (23 of 30 failed runs, 14 of 35 resolved); 78 complaints cost 84 turns."
    assert merge_counts(old, new) == (
        "- When x: y. Met in 62 of 100 runs read (40 of 50 failed runs, 22 of 50 resolved); "
        "148 complaints cost 155 turns."
    )


def test_merge_intro_raises_the_run_counts_and_leaves_an_edited_intro() -> None:
    from skillforge.distill.offline.counts import merge_intro

    old = "Read 35 past runs of mini-swe-agent (15 resolved), across repositories; 25 of them support a point below."
    new = "Read 65 past runs of mini-swe-agent (7 resolved), across repositories; 37 of them support a point below."
    assert merge_intro(old, new) == (
        "Read 100 past runs of mini-swe-agent (22 resolved), across repositories; 62 of them support a point below."
    )
    repo = "Learnt offline from the 13 past agent runs read on `web2py`; 12 of them support a point below."
    assert merge_intro(repo, repo.replace("13", "4").replace("12", "3")) == repo.replace("13", "17").replace(
        "12 of", "15 of"
    )  # the 2 in the repository's name is no count
    assert merge_intro(old.replace("across", "in all"), new) is None  # a person's words: left alone
    agent = "Warnings for x runs: actions … (2 points from 30 runs). Use when planning or reviewing a x run."
    assert merge_intro(agent, agent.replace("30", "32")) == agent.replace("30", "62")  # not the points


def test_merge_intro_raises_the_counts_when_only_one_intro_says_how_many_resolved() -> None:
    """A labelled run after unlabelled ones words its intro with "(N resolved)": the old intro's words
    differed, so it was left at "the 3 past agent runs read …; 3 of them" under bullets "seen in 5 runs"
    (loop19 defect 3b)."""
    from skillforge.distill.offline.counts import merge_intro

    unlabelled = (
        "Learnt offline from the 3 past agent runs read on `acme/widgets`; 3 of them support a point below."
    )
    labelled = "Learnt offline from the 4 past agent runs read on `acme/widgets` (1 resolved); 2 of them support a point below."
    assert merge_intro(unlabelled, labelled) == unlabelled.replace("3 past", "7 past").replace("3 of", "5 of")
    assert merge_intro(labelled, unlabelled) == labelled.replace("4 past", "7 past").replace("2 of", "5 of")
    agent = "Read 50 past runs of mini-swe-agent, across repositories; 45 of them support a point below."
    assert merge_intro(
        agent,
        "Read 25 past runs of mini-swe-agent (9 resolved), across repositories; 20 of them support a point below.",
    ) == ("Read 75 past runs of mini-swe-agent, across repositories; 65 of them support a point below.")
    assert merge_intro(unlabelled.replace("support", "back"), labelled) is None  # a person's words


def test_a_rerun_updates_the_intro_counts_with_the_sections() -> None:
    import re

    from skillforge.distill.write import apply_edits
    from skillforge.skills.sections import intro

    first = next(e.new_skill for e in add_edits() if e.skill == "widgets-workflow")
    assert first is not None
    before = intro(first.body)
    counts = [int(n) for n in re.findall(r"\d+(?= past agent runs| resolved| of them)", before)]
    assert len(counts) >= 2, before
    # the skill as an earlier run over other runs wrote it: one test bullet seen in 1 run
    body = re.sub(r"worked in \d+ of \d+ runs", "worked in 1 of 1 runs", first.body, count=1)
    current = _existing(re.sub(r"seen in \d+ runs?", "seen in 1 run", body, count=1))
    edits = OfflineConsolidator().consolidate(lessons(), [current])  # this run's counts: the intro's double
    assert any(e.op is EditOp.UPDATE_INTRO and e.skill == "my-widgets" for e in edits), edits
    current.description = first.description  # as the run wrote it: "… from N past runs"
    edits = OfflineConsolidator().consolidate(lessons(), [current])
    (described,) = [e.content for e in edits if e.op is EditOp.UPDATE_DESCRIPTION and e.skill == "my-widgets"]
    runs = int(re.search(r"from (\d+) past runs", first.description).group(1))  # type: ignore[union-attr]
    assert f"from {2 * runs} past runs" in described
    written = apply_edits(edits, [current], run_id="r2", date="2026-12-04")
    (change,) = [c for c in written.changes if c.name == "my-widgets"]
    assert change.skill is not None
    after = intro(change.skill.body)
    assert [int(n) for n in re.findall(r"\d+(?= past agent runs| resolved| of them)", after)] == [
        2 * n for n in counts
    ]
    assert change.skill.body.replace(after, before).split("## ")[0] == first.body.split("## ")[0]


def test_a_fix_seen_again_with_other_failing_commands_updates_its_bullet_not_a_second_one() -> None:
    """The error template words other failing commands and helper steps in brackets before the fix
    ("When `X` (or `Y` in 1) fails with …"): a re-run that met them appended the same failure and fix as a
    second bullet beside the first, each with half the counts (sympy/sympy, mini-swe-agent, read 5 + 5)."""
    from skillforge.model import Evidence, Scope, ScopeKind

    was = (
        "- When `python -m pytest <tests>` fails with `No module named 'pytest'`, what worked: "
        "`bin/test <tests>` (4 of 4 runs; seen in 4 runs, 3 resolved)."
    )
    again = (
        "- When `python -m pytest <tests>` (or `python3 -m pytest <tests>` in 1) fails with `No module "
        "named 'pytest'` (`pip list` ran in between in 2), what worked: `bin/test <tests>` (3 of 4 runs; "
        "seen in 4 runs, 2 resolved)."
    )
    lesson = Lesson(
        title="No module named 'pytest'",
        trigger="",
        body=again,
        kind=LessonKind.ERROR_RECOVERY,
        scope=Scope(ScopeKind.REPOSITORY, "acme/widgets"),
        evidence=[Evidence(trajectory_id=t) for t in "wxyz"],
        signature="error:test:No module named 'pytest'",
    )
    current = _existing(f"# Widgets\n\n## Known failures and fixes\n\n{was}\n")
    (edit,) = [e for e in OfflineConsolidator().consolidate([lesson], [current]) if e.section]
    assert edit.op is EditOp.REPLACE_SECTION, edit
    assert edit.content == was.replace(
        "(4 of 4 runs; seen in 4 runs, 3 resolved)", "(7 of 8 runs; seen in 8 runs, 5 resolved)"
    )


def test_the_agent_description_counts_runs_again_when_its_points_go_from_one_to_more() -> None:
    # a first run found 1 warning ("1 point from 35 runs"), a re-run 2 ("2 points from 27 runs"): the
    # description's words differed by "point"/"points", it was taken for a person's edit and stayed at 35
    from skillforge.distill.offline.counts import merge_intro
    from skillforge.distill.offline.evidence import render

    old = render("description_agent", agent="mini-swe-agent", count=1, runs=35)
    new = render("description_agent", agent="mini-swe-agent", count=2, runs=27)
    merged = merge_intro(old, new)
    assert merged is not None and "from 62 runs" in merged, merged
