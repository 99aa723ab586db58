"""Counts a reviewer can check: skill headers give the runs read of their scope and how many resolved
(not only the runs that support a point); evidence paths are relative to the input given and cite the
log's own records; loops seen only in resolved runs are no warning."""

from __future__ import annotations

from fixtures.offline.runs import OK, gave_up, run, sympy_like

from skillforge.distill.offline import OfflineConsolidator, OfflineMapper
from skillforge.distill.offline.evidence import relative_source
from skillforge.model import EditOp, LessonKind, Outcome, SourceLocation


def test_repository_header_counts_runs_read_and_resolved_not_supporting_runs() -> None:
    m = OfflineMapper()
    runs = [sympy_like("a"), sympy_like("b"), gave_up("c"), gave_up("d"), gave_up("e")]
    lessons = m.reduce([m.map(t) for t in runs])
    (edit,) = [
        e for e in OfflineConsolidator("", m.read).consolidate(lessons, []) if e.skill == "widgets-workflow"
    ]
    assert edit.new_skill is not None
    body = edit.new_skill.body
    assert (
        "the 5 past agent runs read on `acme/widgets` (2 resolved); 2 of them support a point below" in body
    )


def test_a_skills_header_counts_the_waiting_runs_it_has_not_counted_yet() -> None:
    """A lesson waiting in pending.json joins this run's with the evidence of a run an earlier run read.
    A skill this run adds counts that run in its intro and description, as its bullets and
    ``skillforge-evidence`` do (left out, django-workflow said "from 4 past runs" and "7 past agent runs
    read; 4 of them support" over evidence of 5 and a bullet "seen in 5 runs"). A skill that exists
    counts it unless its header did already: counted again, a re-run said "10 past agent runs read …; 11
    of them" (sympy/sympy in mini-swe-agent read 5 + 5 with one lesson waiting); left out of a skill
    that was locked when the run was read, the header said "from 5 past runs" over evidence of 7
    (review12 #4)."""
    from skillforge.distill.offline.counts import add_counts
    from skillforge.distill.runs import with_waiting

    earlier = OfflineMapper()
    waiting = earlier.reduce([earlier.map(sympy_like("a"))])  # below support: each lesson waits
    (a,) = {e.trajectory_id for le in waiting for e in le.evidence}
    m = OfflineMapper()
    fresh = m.reduce([m.map(t) for t in (sympy_like("b"), gave_up("c"))])
    lessons = [le for le in with_waiting(waiting, fresh, add_counts) if le.support >= 2]
    (edit,) = [
        e
        for e in OfflineConsolidator("", m.read, m.mapped).consolidate(lessons, [])
        if e.skill == "widgets-workflow"
    ]
    assert edit.new_skill is not None
    assert "3 past agent runs read on `acme/widgets` (2 resolved); 2 of them support" in edit.new_skill.body
    assert "from 2 past runs" in edit.new_skill.description
    assert "seen in 2 runs" in edit.new_skill.body and edit.new_skill.meta("evidence") == "2"
    current = edit.new_skill
    current.body = current.body.replace(
        "3 past agent runs read on `acme/widgets` (2 resolved); 2 of",
        "1 past agent runs read on `acme/widgets` (1 resolved); 1 of",
    )
    current.description = current.description.replace("from 2 past runs", "from 1 past runs")

    def header(seen: tuple[set[str], set[str]]) -> tuple[str, str]:
        edits = OfflineConsolidator("", m.read, m.mapped, lambda name: seen).consolidate(lessons, [current])
        (intro,) = [e.content for e in edits if e.op is EditOp.UPDATE_INTRO]
        (described,) = [e.content for e in edits if e.op is EditOp.UPDATE_DESCRIPTION]
        return intro, described

    # the skill the earlier run wrote lists a in its evidence file (read and counted there): only b is added
    intro, described = header(({a}, {a}))
    assert "3 past agent runs read on `acme/widgets` (2 resolved); 2 of them support" in intro
    assert "from 2 past runs" in described
    # read by a run that updated the skill, but no point of a was written there: a supports now
    intro, described = header((set(), {a}))
    assert "3 past agent runs read on `acme/widgets` (2 resolved); 3 of them support" in intro
    assert "from 3 past runs" in described
    # the skill was locked when a was read (its lessons waited): a is read and supports now, as the
    # bullet ("seen in 2 runs") and skillforge-evidence (+2) count it
    intro, described = header((set(), set()))
    assert "4 past agent runs read on `acme/widgets` (3 resolved); 3 of them support" in intro
    assert "from 3 past runs" in described


def test_a_waiting_lesson_adds_its_runs_to_the_bullet_that_admits_it() -> None:
    """A lesson waiting in pending.json and this run's copy of it make the support together, and the
    bullet says so: held-out mini-swe-agent runs read in two halves wrote matplotlib's "Run the tests:
    `pytest <tests>` (succeeded in 2 of 2 …; seen in 2 runs)" over an evidence file citing 3 runs (one
    from the first half's pending.json; the runs read in one go said 3 of 3, seen in 3 runs)."""
    from skillforge.distill.offline.counts import add_counts
    from skillforge.distill.runs import with_waiting

    earlier = OfflineMapper()
    waiting = earlier.reduce([earlier.map(sympy_like("a"))])  # below support: each lesson waits
    m = OfflineMapper()
    fresh = m.reduce([m.map(t) for t in (sympy_like("b"), gave_up("c"))])
    joined = with_waiting(waiting, fresh, add_counts)
    (recipe,) = [le for le in joined if le.signature == "recipe:test"]
    assert recipe.support == 2
    assert "(worked in 2 of 2 runs where tests passed here; seen in 2 runs, 2 resolved)" in recipe.body
    (fix,) = [le for le in joined if le.kind is LessonKind.ERROR_RECOVERY]
    assert "(2 of 2 runs; seen in 2 runs, 2 resolved)" in fix.body
    # without a count merger (an LLM's lessons: free text) the text is this run's
    (plain,) = [le for le in with_waiting(waiting, fresh) if le.signature == "recipe:test"]
    assert "seen in 1 run, 1 resolved" in plain.body


def test_a_waiting_lesson_whose_runs_are_read_again_adds_nothing_to_the_text() -> None:
    """A lesson that was not applied waits in pending.json and its runs are not marked distilled, so the
    next run reads them again: its text counts them already (adding the waiting counts said "seen in 3
    runs" for two)."""
    from skillforge.distill.offline.counts import add_counts
    from skillforge.distill.runs import with_waiting

    earlier = OfflineMapper()
    waiting = earlier.reduce([earlier.map(sympy_like("a"))])
    m = OfflineMapper()
    fresh = m.reduce([m.map(t) for t in (sympy_like("a"), sympy_like("b"))])  # a is read again
    (recipe,) = [le for le in with_waiting(waiting, fresh, add_counts) if le.signature == "recipe:test"]
    assert recipe.support == 2
    assert "(worked in 2 of 2 runs where tests passed here; seen in 2 runs, 2 resolved)" in recipe.body


def test_relative_source_is_relative_to_the_input_given() -> None:
    src = "/data/logs/trajs/x/x.traj.json#messages[14], messages[15]"
    assert relative_source(src, ["/data/logs/trajs"]) == "trajs/x/x.traj.json#messages[14], messages[15]"
    assert relative_source(src, ["/data/logs/trajs/"]) == "trajs/x/x.traj.json#messages[14], messages[15]"
    assert relative_source("/data/one.jsonl:12", ["/data/one.jsonl"]) == "one.jsonl:12"
    assert relative_source("/elsewhere/a.json", ["/data"]) == "/elsewhere/a.json"


def test_a_glob_input_is_a_root_at_its_folder() -> None:
    # 'distill "/data/logs/trajs/[a-l]*"' committed evidence with the absolute /data/logs/… paths
    src = "/data/logs/trajs/x/x.traj.json#messages[14]"
    assert relative_source(src, ["/data/logs/trajs/[a-l]*"]) == "trajs/x/x.traj.json#messages[14]"
    assert relative_source(src, ["/data/logs/**/*.traj.json"]) == "logs/trajs/x/x.traj.json#messages[14]"


def test_mapper_writes_evidence_relative_to_its_inputs_with_records() -> None:
    t = sympy_like("a")
    t.source = "/home/me/logs/run-a/a.traj.json"
    for s in t.steps:
        s.source = SourceLocation("/home/me/logs/run-a/a.traj.json", record=f"messages[{s.index}]")
    m = OfflineMapper(roots=["/home/me/logs"])
    facts = m.map(t).facts
    srcs = [it["src"] for it in facts["errors"] + facts["recipes"]]
    assert srcs and all(s.startswith("logs/run-a/a.traj.json#messages[") for s in srcs)
    assert not any("/home/me" in s for s in srcs)
    assert m.cache_key(t) != OfflineMapper(roots=["/home/me"]).cache_key(t)  # a different display path


def test_loops_seen_only_in_resolved_runs_are_no_anti_pattern() -> None:
    loop = [
        ("python -m pytest tests/test_a.py", 1, "E   AssertionError: assert 1 == 2\n1 failed"),
        ("sed -i 's/1/2/' src/a.py", OK, ""),
    ] * 3 + [("python -m pytest tests/test_a.py", OK, "1 passed")]
    m = OfflineMapper()
    lessons = m.reduce([m.map(run(i, loop, outcome=Outcome.SUCCESS)) for i in "ab"])
    assert [le for le in lessons if le.kind is LessonKind.ANTI_PATTERN] == []
    failed = m.reduce([m.map(run(i, loop, outcome=Outcome.FAILURE)) for i in "cd"])
    assert [le for le in failed if le.kind is LessonKind.ANTI_PATTERN]


def test_agent_header_says_resolved_only_when_outcomes_are_known() -> None:
    # unlabelled runs read "Read 35 past runs of mini-swe-agent (0 resolved)", as if every one had failed
    from skillforge.distill.offline.evidence import render

    unknown = render("intro_agent", agent="mini-swe-agent", runs=28, read=(35, 0))
    assert unknown.startswith("Read 35 past runs of mini-swe-agent, across repositories;")
    known = render("intro_agent", agent="mini-swe-agent", runs=25, read=(35, 15))
    assert known.startswith("Read 35 past runs of mini-swe-agent (15 resolved), across repositories;")


def test_skill_texts_count_agent_runs_with_subagents_as_their_bullets_do() -> None:
    """Support is counted per session (a subagent with the session that started it), but a skill's own
    texts ("from 3 past runs", "3 of them support a point", its evidence count) count agent runs, as
    its bullets' "seen in 3 runs" does: the two must not disagree within one skill."""
    from skillforge.distill import gates
    from skillforge.model import Evidence, Lesson, Scope, ScopeKind, is_sampled, supporting_runs

    evidence = [Evidence(tid, [1], outcome=Outcome.SUCCESS) for tid in ("t-top", "t-sub", "t-other")]
    lesson = Lesson(
        "Run the tests",
        "",
        "- Run the tests: `npm test` (seen in 3 runs).",
        LessonKind.ENVIRONMENT_RECIPE,
        scope=Scope(ScopeKind.REPOSITORY, "shop"),
        evidence=evidence,
        signature="recipe:test",
    )
    gates.stamp_sessions([lesson], {"t-top": "claude-code:s1", "t-sub": "claude-code:s1"})
    assert lesson.support == 2  # the gate's unit: sessions
    assert supporting_runs([lesson]) == 3 and not is_sampled([lesson])  # the texts' unit: agent runs
    (edit,) = OfflineConsolidator("", {}).consolidate([lesson], [])
    assert edit.new_skill is not None and edit.evidence_count == 3
    assert "from 3 past runs" in edit.new_skill.description
    assert "Learnt offline from 3 past agent runs on `shop` (3 resolved)" in edit.new_skill.body


def test_merged_recipe_counts_raise_the_alternatives_runs_too() -> None:
    """'Also worked: `cmd` (n)' counts runs too: a later run's bullet kept the earlier run's n (or its own),
    so a django library read over 27 runs said `python3 tests/runtests.py <tests>` worked in 6 where 10
    runs used it (6 + 4). Each alternative is raised by the same command's count, wherever it stands."""
    from skillforge.distill.offline.counts import merge_counts

    old = (
        "- Run the tests: `tests/runtests.py <tests>` (worked in 6 of 12 runs where tests passed here; seen"
        " in 6 runs, 1 resolved). Also worked: `python3 tests/runtests.py <tests>` (6), `tox` (2)."
    )
    new = old.replace("6 of 12", "4 of 9").replace("6 runs, 1", "4 runs, 3").replace("(6)", "(4)")
    assert merge_counts(old, new) == old.replace("6 of 12", "10 of 21").replace(
        "6 runs, 1", "10 runs, 4"
    ).replace("(6), `tox` (2)", "(10), `tox` (4)")
    # another run's list (other commands, in another order), or the earlier wording kept as a person's:
    # each command's runs are raised by the same command's, not by the count in the same place
    other = new.replace(
        "`python3 tests/runtests.py <tests>` (4), `tox` (2)",
        "`pytest` (3), `python3 tests/runtests.py <tests>` (4)",
    )
    worded = old.replace("worked in", "succeeded in").replace("where tests passed", "that ran tests")
    for earlier in (old, worded):
        merged = merge_counts(earlier, other)
        assert "10 of 21 runs" in merged and "`python3 tests/runtests.py <tests>` (10)" in merged, merged
        assert "`tox` (2)" in merged or "`tox`" not in merged, merged


def test_merged_error_recovery_raises_its_asides_counts_too() -> None:
    """An error recovery's other failing commands ("or `c` in 1") and helper steps ("`h` ran in between
    in 2") count runs too: a merged bullet kept one run's numbers (a reviewer, after the same fix for
    "Also worked")."""
    from skillforge.distill.offline.counts import merge_counts

    old = (
        "- When `pytest <tests>` (or `python -m pytest <tests>` in 1) fails with `pytest: command not found`"
        " (`pip install pytest` ran in between in 2), what worked: `bin/test <tests>` (3 of 4 runs; seen in"
        " 4 runs, 2 resolved)."
    )
    new = old.replace("in 1)", "in 2)").replace("between in 2", "between in 1").replace("3 of 4", "1 of 1")
    new = new.replace("seen in 4 runs, 2 resolved", "seen in 1 run, 1 resolved")
    merged = merge_counts(old, new)
    assert "(or `python -m pytest <tests>` in 3)" in merged, merged
    assert "(`pip install pytest` ran in between in 3)" in merged, merged
    assert "(4 of 5 runs; seen in 5 runs, 3 resolved)" in merged, merged


def test_a_waiting_lesson_that_says_another_thing_adds_no_counts_to_the_text() -> None:
    """Lessons join by signature ("recipe:test"): a test recipe waiting from an earlier run with another
    command (`python3 -m pytest`, 1 run) raised this run's "`pytest <tests>` worked in 3 of 3" to 4 of 4
    (a reviewer, on mini-swe-agent's pylint runs read in two halves; one pass over all says 3 of 4)."""
    from skillforge.distill.offline.counts import add_counts

    fresh = (
        "- Run the tests: `pytest <tests>` (worked in 3 of 3 runs where tests passed here; seen in 3 runs)."
    )
    same = fresh.replace("3 of 3", "1 of 1").replace("in 3 runs", "in 1 run")
    other = same.replace("`pytest <tests>`", "`python3 -m pytest <tests>`")
    # its runs join as the other command's, not this command's (3 of 4, as one pass over all says)
    assert add_counts(fresh, other) == fresh.replace("3 of 3", "3 of 4") + (
        " Also worked: `python3 -m pytest <tests>` (1)."
    )
    assert "worked in 4 of 4 runs" in add_counts(fresh, same) and "seen in 4 runs" in add_counts(fresh, same)


def test_a_waiting_recipe_of_another_command_joins_the_bullet_as_another_command_that_worked() -> None:
    """The support gate let a recipe in on a waiting run and this run's; their test commands differed
    (`pytest <tests>`, `pytest -n auto <tests>`). The bullet was written as this run's alone, "worked in
    1 of 1 …; seen in 1 run", over a skill with evidence of 2 (xarray-workflow, loop19 defect 3a)."""
    from skillforge.distill.offline.counts import add_counts
    from skillforge.distill.runs import with_waiting

    def tested(ident: str, command: str):  # type: ignore[no-untyped-def]
        return run(ident, [(command, OK, "===== 3 passed in 0.5s =====")], outcome=Outcome.SUCCESS)

    earlier = OfflineMapper()
    waiting = earlier.reduce([earlier.map(tested("a", "pytest tests/test_a.py"))])
    m = OfflineMapper()
    fresh = m.reduce([m.map(tested("b", "pytest -n auto tests/test_b.py"))])
    (recipe,) = [le for le in with_waiting(waiting, fresh, add_counts) if le.signature == "recipe:test"]
    assert recipe.support == 2
    assert recipe.body.startswith(
        "- Run the tests: `pytest -n auto <tests>` (worked in 1 of 2 runs where tests passed here; "
        "seen in 1 run, 1 resolved). Also worked: `pytest <tests>` (1). Example:"
    ), recipe.body
    # the same command waiting: its counts add up, no other command is named
    (same,) = [
        le
        for le in with_waiting(
            fresh, m.reduce([m.map(tested("c", "pytest -n auto tests/test_c.py"))]), add_counts
        )
        if le.signature == "recipe:test"
    ]
    assert "(worked in 2 of 2 runs where tests passed here; seen in 2 runs, 2 resolved)." in same.body
    assert "Also worked" not in same.body


def test_a_waiting_error_recovery_with_another_fix_joins_the_bullet_as_another_fix_that_worked() -> None:
    """Error recovery lessons join by their error (`error:<class>:<signature>`), not their fix: two runs
    with the same error and different fixes make one lesson of 2 runs, whose bullet said "1 of 1 runs;
    seen in 1 run" (this run's text alone) over evidence of 2 (review12 #6). Its runs add up as one pass
    over both counts them, and the waiting fix is named with its runs."""
    from skillforge.distill.offline.counts import add_counts
    from skillforge.distill.runs import with_waiting

    def fixed(ident: str, fix: str):  # type: ignore[no-untyped-def]
        calls = [("pytest tests/test_a.py", 127, "bash: pytest: command not found"), (fix, OK, "3 passed")]
        return run(ident, calls, outcome=Outcome.SUCCESS)

    earlier = OfflineMapper()
    waiting = earlier.reduce([earlier.map(fixed("a", "python -m pytest tests/test_a.py"))])
    m = OfflineMapper()
    fresh = m.reduce([m.map(fixed("b", "bin/test tests/test_a.py"))])
    (joined,) = [
        le for le in with_waiting(waiting, fresh, add_counts) if le.kind is LessonKind.ERROR_RECOVERY
    ]
    assert joined.support == 2
    assert joined.body == (
        "- When `pytest <tests>` fails with `pytest: command not found`, what worked: `bin/test <tests>` "
        "(1 of 2 runs; seen in 2 runs, 2 resolved). Also worked: `python -m pytest <tests>` (1)."
    )
    one = OfflineMapper()
    (together,) = [
        le
        for le in one.reduce(
            [
                one.map(fixed("a", "python -m pytest tests/test_a.py")),
                one.map(fixed("b", "bin/test tests/test_a.py")),
            ]
        )
        if le.kind is LessonKind.ERROR_RECOVERY
    ]
    assert "(1 of 2 runs; seen in 2 runs, 2 resolved)" in together.body  # what one pass says
    # the same fix after another failing command: its runs are this fix's too
    line = "- When `pytest <tests>` fails with `ModuleNotFoundError: No module named <q>`, what worked: `pip install -e .` (1 of 1 runs; seen in 1 run)."
    other = line.replace("`pytest <tests>`", "`python -m pytest <tests>`")
    assert add_counts(line, other) == line.replace(
        "1 of 1 runs; seen in 1 run", "2 of 2 runs; seen in 2 runs"
    )


def test_a_recipe_typed_another_way_raises_the_bullet_of_its_command() -> None:
    """loop19 defect 4: a later run whose tests ran as `python3 tests/runtests.py` added a second bullet
    beside the one for `tests/runtests.py` (typed `./tests/runtests.py`), and later runs raised only the
    second. A script run by `python3` is the script run itself: the bullet there gets the counts, in a
    section update and when a lesson waiting in pending.json joins this run's."""
    from skillforge.distill.offline.counts import add_counts, merge_bullets

    old = (
        "- Run the tests: `tests/runtests.py <tests>` (worked in 5 of 8 runs where tests passed here; seen in"
        " 5 runs). Example: `./tests/runtests.py responses.test_cookie`."
    )
    new = (
        "- Run the tests: `python3 tests/runtests.py <tests>` (worked in 4 of 6 runs where tests passed here;"
        " seen in 4 runs, 2 resolved). Example: `python3 tests/runtests.py urlpatterns_reverse`."
    )
    merged, added = merge_bullets(["", old, "- keep me"], [new])
    assert added == [] and merged is not None, (merged, added)
    assert merged[1] == old.replace("5 of 8", "9 of 14").replace("seen in 5 runs", "seen in 9 runs"), merged
    joined = add_counts(new, old)  # one lesson over both runs' support: no "Also worked" for itself
    assert "worked in 9 of 14 runs" in joined and "seen in 9 runs" in joined and "Also" not in joined, joined
    # another command still joins "Also worked", counted with the same command however it was typed
    pytest = new.replace("`python3 tests/runtests.py <tests>`", "`pytest <tests>`") + (
        " Also worked: `python tests/runtests.py <tests>` (2)."
    )
    joined = add_counts(pytest, old)
    assert (
        "worked in 4 of 14 runs" in joined
        and "Also worked: `python tests/runtests.py <tests>` (7)." in joined
    ), joined
