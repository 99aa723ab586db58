"""Offline miners on self-written trajectories: what they find, what they must not find, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.offline.runs import OK, SUBMIT, TRACE_NO_PYTEST, gave_up, run, sympy_like

from skillforge.distill.offline import OfflineMapper
from skillforge.distill.offline.contrast import fisher_greater
from skillforge.model import Lesson, LessonKind, Outcome, Trajectory, Trust


def mine(*trajs: Trajectory) -> list[Lesson]:
    m = OfflineMapper()
    return m.reduce([m.map(t) for t in trajs])


def of_kind(lessons: list[Lesson], kind: LessonKind) -> list[Lesson]:
    return [le for le in lessons if le.kind is kind]


def test_error_recovery_groups_same_failure_across_runs() -> None:
    lessons = of_kind(
        mine(sympy_like("a"), sympy_like("b"), sympy_like("c", Outcome.FAILURE)), LessonKind.ERROR_RECOVERY
    )
    assert len(lessons) == 1
    le = lessons[0]
    assert le.support == 3
    assert "No module named 'pytest'" in le.body and "`bin/test <tests>`" in le.body
    assert "3 of 3 runs" in le.body and "2 resolved" in le.body
    assert le.scope.value == "acme/widgets"


def test_evidence_cites_existing_steps_with_source_and_least_trust() -> None:
    traj = sympy_like("a")
    le = of_kind(mine(traj), LessonKind.ERROR_RECOVERY)[0]
    ev = le.evidence[0]
    assert all(traj.step(i) is not None for i in ev.steps)
    assert ev.source == "a.json:8"  # the failing call
    assert ev.trust is Trust.TOOL_OUTPUT  # the error text came from tool output
    assert ev.task == "Fix bug a in the parser" and ev.outcome is Outcome.SUCCESS
    assert "No module named pytest" in ev.quote


def test_test_fixed_in_code_then_passing_is_not_a_recovery() -> None:
    calls = [
        ("pytest tests/test_a.py", 1, "E   AssertionError: assert 1 == 2\n== 1 failed in 0.1s =="),
        ("sed -i 's/1/2/' src/a.py", OK, ""),
        ("pytest tests/test_a.py", OK, "1 passed"),
    ]
    assert of_kind(mine(run("x", calls), run("y", calls)), LessonKind.ERROR_RECOVERY) == []


def test_runs_without_errors_give_no_error_or_waste_lessons() -> None:
    calls = [("ls", OK, "a"), ("pytest tests/test_a.py", OK, "1 passed")]
    lessons = mine(run("x", calls), run("y", calls))
    assert of_kind(lessons, LessonKind.ERROR_RECOVERY) == []
    assert of_kind(lessons, LessonKind.ANTI_PATTERN) == []


def test_recipe_names_dominant_test_command_with_alternatives() -> None:
    runs = [run(f"r{i}", [(f"cd /testbed && pytest tests/test_{i}.py -q", OK, "ok")]) for i in range(3)]
    runs.append(run("r9", [("python -m pytest tests/test_9.py", OK, "ok")]))
    (le,) = of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE)
    assert le.signature == "recipe:test"
    assert "`pytest <tests>` (worked in 3 of 4 runs" in le.body
    assert le.support == 3


def test_failed_commands_are_not_recipes() -> None:
    runs = [run(f"r{i}", [("python -m pytest tests/test_a.py", 1, TRACE_NO_PYTEST)]) for i in range(3)]
    assert of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE) == []


def test_a_failing_test_run_piped_into_tail_is_not_a_success() -> None:
    """``| tail`` makes the step's exit code tail's: the test run's own report decides."""
    failing = "--- FAIL: TestParse (0.00s)\nFAIL\nFAIL\tacme/widgets/parse\t0.004s"
    runs = [run(f"r{i}", [(f"go test ./parse/{i} 2>&1 | tail -20", OK, failing)]) for i in range(3)]
    assert of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE) == []
    passing = "ok  \tacme/widgets/parse\t0.004s"
    runs = [run(f"r{i}", [(f"go test ./parse/{i} 2>&1 | tail -20", OK, passing)]) for i in range(3)]
    (le,) = of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE)
    assert "`go test <tests>` (worked in 3 of 3 runs" in le.body


def test_a_test_run_whose_pipe_keeps_its_status_is_judged_by_its_exit_code() -> None:
    """With ``pipefail`` the exit code is the test run's own: 0 means it passed, whatever it printed."""
    text = "FAIL\tacme/widgets/parse\t0.004s (an earlier run, printed by the test itself)"
    runs = [run(f"r{i}", [(f"set -o pipefail; go test ./parse/{i} | tail", OK, text)]) for i in range(2)]
    assert len(of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE)) == 1


def test_fisher_exact_tail() -> None:
    assert abs(fisher_greater(5, 0, 0, 5) - 1 / 252) < 1e-12
    assert fisher_greater(1, 1, 1, 1) > 0.5


def _contrast_runs(failed_with: int, won_with: int) -> list[Trajectory]:
    runs = []
    for i in range(6):
        extra = [("sed -i 's/a/b/' setup.py", OK, "")] if i < failed_with else []
        runs.append(run(f"f{i}", [("pytest tests/test_a.py", OK, "ok"), *extra], outcome=Outcome.FAILURE))
    for i in range(6):
        extra = [("sed -i 's/a/b/' setup.py" if i < won_with else "sed -i 's/a/b/' src/a.py", OK, "")]
        runs.append(run(f"s{i}", [("pytest tests/test_a.py", OK, "ok"), *extra], outcome=Outcome.SUCCESS))
    return runs


def test_contrast_warns_about_action_concentrated_in_failed_runs() -> None:
    warnings = of_kind(mine(*_contrast_runs(6, 0)), LessonKind.WARNING)
    repo = [w for w in warnings if w.scope.value == "acme/widgets"]
    assert [w.signature for w in repo] == ["contrast:edited:config"]
    assert "6 of 6 failed runs vs 0 of 6 resolved runs" in repo[0].body
    assert {e.outcome for e in repo[0].evidence} == {Outcome.FAILURE}


def test_contrast_below_threshold_or_unknown_outcomes_is_silent() -> None:
    assert of_kind(mine(*_contrast_runs(3, 2)), LessonKind.WARNING) == []
    unknown = [run(f"u{i}", [("sed -i 's/a/b/' setup.py", OK, "")]) for i in range(8)]
    assert of_kind(mine(*unknown), LessonKind.WARNING) == []


def test_all_successes_give_no_warnings() -> None:
    runs = [run(f"s{i}", [("sed -i 's/a/b/' setup.py", OK, "")], outcome=Outcome.SUCCESS) for i in range(6)]
    assert of_kind(mine(*runs), LessonKind.WARNING) == []


def test_waste_repeated_identical_failure_names_alternative() -> None:
    loop = [("python -m pytest tests/test_a.py", 1, TRACE_NO_PYTEST)] * 3
    failed = [run(f"w{i}", loop, outcome=Outcome.FAILURE) for i in range(2)]
    won = [run(f"ok{i}", [("bin/test tests/test_a.py", OK, "ok")], outcome=Outcome.SUCCESS) for i in range(2)]
    (le,) = of_kind(mine(*failed, *won), LessonKind.ANTI_PATTERN)
    assert "`python -m pytest <tests>`" in le.body and "3 times" in le.body
    assert "Resolved runs here used `bin/test <tests>`" in le.body


def test_a_long_repeated_command_is_shortened_visibly() -> None:
    """A command without a recipe, quoted in a waste lesson, is cut with a marker, not mid-word."""
    cmd = 'python -c \'import sympy; print(sympy.Symbol("x").is_positive, ' + "sympy.S(1), " * 10 + "1)'"
    loop = [(cmd, 1, "Traceback (most recent call last):\nModuleNotFoundError: No module named 'sympy'")] * 3
    failed = [run(f"w{i}", loop, outcome=Outcome.FAILURE) for i in range(2)]
    (le,) = of_kind(mine(*failed), LessonKind.ANTI_PATTERN)
    quoted = le.body.split("`", 2)[1]
    assert quoted.endswith("…") and cmd.startswith(quoted[:-1]) and len(quoted) <= 100, le.body


def test_two_failures_are_not_waste() -> None:
    loop = [("python -m pytest tests/test_a.py", 1, TRACE_NO_PYTEST)] * 2
    assert of_kind(mine(run("a", loop), run("b", loop)), LessonKind.ANTI_PATTERN) == []


FAILED3 = (gave_up("f1"), gave_up("f2"), gave_up("f3"))  # three failed runs that never tested


def test_workflow_skeleton_of_resolved_runs() -> None:
    resolved = (sympy_like("a"), sympy_like("b"), sympy_like("c"))
    (le,) = of_kind(mine(*resolved, *FAILED3), LessonKind.WORKFLOW)
    assert "explore → reproduce → edit → test → submit" in le.body
    assert "(3 of 3 resolved runs; 0 of 3 failed runs" in le.body
    assert "Test step: `bin/test <tests>`" in le.body


def test_workflow_on_too_few_runs_to_tell_is_dropped() -> None:
    """Two of two resolved runs against one failed run is no evidence (Fisher p = 0.33): held-out
    readers found such workflow bullets generic or misleading (astropy: 2 of 3 resolved, 0 of 5 failed,
    p = 0.11, where only the failed runs ran the test suite)."""
    assert of_kind(mine(sympy_like("a"), sympy_like("b"), gave_up("c")), LessonKind.WORKFLOW) == []


def test_workflow_that_failed_runs_followed_as_often_is_dropped() -> None:
    """The usefulness gate: a skeleton as common in failed runs as in resolved ones says nothing."""
    assert (
        of_kind(mine(sympy_like("a"), sympy_like("b"), sympy_like("c", Outcome.FAILURE)), LessonKind.WORKFLOW)
        == []
    )


def _docs_repro(ident: str) -> Trajectory:
    """A resolved run that writes a small project into a scratch folder, builds it to see the bug, then
    fixes the repository: writing the scratch project is reproducing, not editing."""
    return run(
        ident,
        [
            ("grep -rn 'toctree' src", OK, "src/toc.py:3:def toctree():"),
            ("mkdir reproduce_issue", OK, ""),
            ("cat <<'EOF' > reproduce_issue/conf.py\nproject = 'x'\nEOF", OK, ""),
            ("cat <<'EOF' > /testbed/reproduce_issue/index.rst\nTitle\nEOF", OK, ""),
            ("python3 -m docbuild reproduce_issue out", OK, "warning: missing document"),
            ("sed -i 's/warn/skip/' src/toc.py", OK, ""),
            ("pytest tests/test_toc.py", OK, "1 passed"),
            SUBMIT,
        ],
        outcome=Outcome.SUCCESS,
    )


def test_workflow_writes_into_a_scratch_folder_are_reproduction() -> None:
    (le,) = of_kind(mine(_docs_repro("a"), _docs_repro("b"), _docs_repro("c"), *FAILED3), LessonKind.WORKFLOW)
    assert "explore → reproduce → edit → test → submit" in le.body
    assert "Median per run: 2 explore, 3 reproduce, 1 edit" in le.body


def _pytest_repro(ident: str, repro: str) -> Trajectory:
    """A resolved run on a test runner's own repository: the bug is shown by a test file the run writes
    and runs with pytest before editing; the project's tests run after the fix."""
    return run(
        ident,
        [
            ("grep -rn 'def readouterr' src", OK, "src/cap.py:9:def readouterr():"),
            (f"cat <<'EOF' > {repro}\ndef test_cr(capfd):\n    assert 0\nEOF", OK, ""),
            (f"pytest {repro}", 1, "E   assert 0\n== 1 failed in 0.01s =="),
            ("sed -i 's/a/b/' src/cap.py", OK, ""),
            (f"pytest {repro}", OK, "== 1 passed in 0.01s =="),
            ("pytest testing/test_cap.py", OK, "== 12 passed in 0.3s =="),
            SUBMIT,
        ],
        outcome=Outcome.SUCCESS,
    )


def _template_fix(ident: str) -> Trajectory:
    """A resolved run that fixes the repository's own template code: django/template/,
    .../templatetags/ and a templates/ folder are the repository's folders, not scratch ones."""
    return run(
        ident,
        [
            ("grep -rn 'def floatformat' django", OK, "django/template/defaultfilters.py:9:def floatformat"),
            ("sed -i 's/round/quantize/' django/template/defaultfilters.py", OK, ""),
            ("sed -i 's/a/b/' /testbed/django/contrib/admin/templatetags/admin_list.py", OK, ""),
            ("cat <<'EOF' > templates/index.html\n<p>{{ total }}</p>\nEOF", OK, ""),
            ("pytest tests/test_filters.py", OK, "1 passed"),
            SUBMIT,
        ],
        outcome=Outcome.SUCCESS,
    )


def test_workflow_pytest_on_a_file_the_run_wrote_is_reproduction() -> None:
    """Held-out pytest-dev runs showed 'explore → reproduce → test → edit → submit … Test step: pytest
    <tests>' where every 'test' before the edit was `pytest reproduce_issue.py` or `pytest test_dummy.py`,
    files the run had just written: reproduction, as the recipes miner already counts it."""
    runs = [
        _pytest_repro("a", "reproduce_issue.py"),
        _pytest_repro("b", "test_dummy.py"),
        _pytest_repro("c", "reproduce_issue.py"),
        *FAILED3,
    ]
    (le,) = of_kind(mine(*runs), LessonKind.WORKFLOW)
    assert "explore → reproduce → edit → test → submit" in le.body
    assert "1 test," in le.body  # the project's tests once, not the scratch file's runs too


def test_workflow_edits_in_repository_template_folders_are_edits() -> None:
    """A write into a folder named like a scratch one deep in the repository (django/template/,
    admin/templatetags/) or into templates/ is an edit: only a scratch folder the run makes is
    reproduction (``temp*`` matched ``template*``, so fixing Django's template code read as
    reproducing)."""
    (le,) = of_kind(
        mine(_template_fix("a"), _template_fix("b"), _template_fix("c"), *FAILED3), LessonKind.WORKFLOW
    )
    assert "explore → edit → test → submit" in le.body, le.body
    assert "Median per run: 2 explore, 3 edit" in le.body, le.body


def test_single_run_has_no_workflow_lesson() -> None:
    assert of_kind(mine(sympy_like("a")), LessonKind.WORKFLOW) == []


def test_facts_are_json_and_small_and_cache_key_versioned() -> None:
    m = OfflineMapper()
    traj = sympy_like("a")
    facts = m.map(traj).facts
    text = json.dumps(facts)
    assert json.loads(text) == facts
    assert len(text) < 8000
    assert m.cache_key(traj).startswith("t-a:")
    renamed = sympy_like("a")
    renamed.repository = "sympy/sympy-fork"  # a newer reader names the same log's repository
    assert m.cache_key(renamed) != m.cache_key(traj)  # facts carry it: not mined again would keep the old
    assert m.cache_key(sympy_like("a")) == m.cache_key(traj)


def test_cache_key_is_the_same_before_and_after_redaction() -> None:
    """Distill asks for the key before it redacts a run in place (its fast path) and after (the map
    task): a log under /home/<name> has its source rewritten to ~/…, and every rerun missed the fast path."""
    from skillforge.safety.trajectory_redaction import redact_trajectory

    m = OfflineMapper(roots=["/home/alice/logs"])
    traj = sympy_like("a")
    traj.source = "/home/alice/logs/run-a.traj.json"
    traj.steps[0].text += " GH_TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    before = m.cache_key(traj)
    assert redact_trajectory(traj)  # the token and the home folder were rewritten
    assert traj.source == "~/logs/run-a.traj.json"
    assert m.cache_key(traj) == before


def test_reduce_is_deterministic_and_order_independent() -> None:
    m = OfflineMapper()
    runs = [sympy_like("a"), sympy_like("b"), sympy_like("c", Outcome.FAILURE), *_contrast_runs(6, 0)]
    results = [m.map(t) for t in runs]
    first = [le.to_dict() for le in m.reduce(results)]
    second = [le.to_dict() for le in m.reduce(list(reversed(results)))]
    assert json.dumps(first) == json.dumps(second)
    assert first


def test_code_area_from_str_replace_edits_names_enclosing_function() -> None:
    edit = (
        "str_replace_editor",
        {
            "command": "str_replace",
            "path": "pkg/parse.py",
            "old_str": "x",
            "new_str": "def parse(x):\n    return x\n",
        },
    )
    runs = [run(f"e{i}", [("ls", OK, "")], tool_calls=[edit]) for i in range(2)]
    (le,) = of_kind(mine(*runs), LessonKind.SUCCESS_PATTERN)
    assert "`pkg/parse.py` (`parse` ×2): changed in 2 runs" in le.body


def test_code_area_tells_tasks_apart_by_more_than_their_first_line() -> None:
    """Two sessions implementing two plans both open with "Implement the following plan:" (Claude
    Code's plan mode; five such sessions on one repository in ../shared/corpus/claude-code/public):
    they are two tasks, so the file both changed is a code area. Replays of one benchmark instance
    (one task id, a task text that differs by a character) stay one task."""
    edit = (
        "Edit",
        {"file_path": "src/cart.py", "old_string": "a", "new_string": "def total():\n    return 1\n"},
    )
    runs = []
    for i, plan in enumerate(("Round cart prices", "Add a discount line")):
        traj = run(f"p{i}", [("ls", OK, "")], tool_calls=[edit])
        traj.task = f"Implement the following plan:\n\n# Plan: {plan}\n\n## Context\n..."
        runs.append(traj)
    (le,) = of_kind(mine(*runs), LessonKind.SUCCESS_PATTERN)
    assert "`src/cart.py` (`total` ×2): changed in 2 runs" in le.body
    replays = []
    for i in range(3):
        traj = run(f"r{i}", [("ls", OK, "")], tool_calls=[edit])
        traj.task, traj.task_id = "Cart totals are wrong" + " " * i, "acme__shop-12"
        replays.append(traj)
    assert of_kind(mine(*replays), LessonKind.SUCCESS_PATTERN) == []


def test_claude_style_edit_tool_locations_are_relative_to_cwd() -> None:
    edit = (
        "Edit",
        {
            "file_path": "/home/me/app/web/widget.js",
            "old_string": "a",
            "new_string": "class Widget {\n  render() {\n    return 2;\n  }\n}\n",
        },
    )
    runs = []
    for i in range(2):
        traj = run(f"c{i}", [("ls", OK, "")], tool_calls=[edit])
        traj.cwd = "/home/me/app"
        runs.append(traj)
    (le,) = of_kind(mine(*runs), LessonKind.SUCCESS_PATTERN)
    assert "`web/widget.js` (`Widget` ×2)" in le.body


def test_corpus_sympy_lessons(corpus: Path) -> None:
    """On the real mini-swe-agent corpus: sympy's test runner and the pytest-missing recovery."""
    from skillforge.ingest import read
    from skillforge.ingest.labels import load_labels

    labels, _ = load_labels([corpus / "mini-swe-agent" / "labels.json"])
    lessons = mine(*read([corpus / "mini-swe-agent" / "trajs"], labels=labels))
    sympy = [le for le in lessons if le.scope.value == "sympy/sympy" and le.support >= 2]
    bodies = "\n".join(le.body for le in sympy)
    assert "`bin/test <tests>`" in bodies
    assert "No module named 'pytest'" in bodies


def test_repository_from_task_id_or_working_directory() -> None:
    from skillforge.distill.offline.actions import repository

    traj = run("x", [], repo="")
    traj.repository = None
    traj.task_id = "django__django-11138"
    assert repository(traj) == "django/django"
    traj.task_id, traj.cwd = None, "/home/me/code/shopfront/"
    assert repository(traj) == "shopfront"
    traj.cwd = "/testbed"
    assert repository(traj) == ""


def test_repository_from_replica_task_id() -> None:
    from skillforge.distill.offline.actions import repository

    traj = run("x", [], repo="")
    traj.repository, traj.task_id = None, "sympy__sympy-20590-r3"
    assert repository(traj) == "sympy/sympy"


def test_install_between_failure_and_success_is_the_lesson() -> None:
    calls = [
        ("python reproduce.py", 1, "ModuleNotFoundError: No module named 'numpy'"),
        ("cd /testbed && pip install numpy", OK, "Successfully installed numpy"),
        ("python reproduce.py", OK, "done"),
    ]
    (le,) = of_kind(mine(run("a", calls), run("b", calls)), LessonKind.ERROR_RECOVERY)
    assert "run `pip install numpy` first; then it worked (2 of 2 runs" in le.body


def test_a_long_install_step_between_failure_and_fix_is_quoted_whole() -> None:
    """A new user's probe: an install with an index URL in front was cut at 100 characters,
    mid-command, so the skill said to run `PIP_INDEX_URL=… python` first. A command up to the quote
    limit is quoted whole; a longer one by its recipe (its main command, whole), never cut."""
    index = "PIP_INDEX_URL=https://pypi.internal.example.com/simple/team/ledger/with/a/longer/path/segment"
    for install, expected in [
        (f"{index} python -m pip install -e .", f"`{index} python -m pip install -e .`"),
        (f"cd /testbed && {index} python -m pip install -e . && echo {'x' * 80}", "pip install -e .`"),
    ]:
        calls = [
            ("python -m pytest tests", 1, "ModuleNotFoundError: No module named 'ledgerkit'"),
            (install, OK, "Successfully installed ledgerkit"),
            ("python -m pytest tests", OK, "3 passed"),
        ]
        (le,) = of_kind(mine(run("a", calls), run("b", calls)), LessonKind.ERROR_RECOVERY)
        quoted = le.body.split("run `", 1)[1].split("` first", 1)[0]
        assert f"`{quoted}`".endswith(expected), le.body
        assert "…" not in quoted and "xxxx" not in quoted


def test_script_failing_on_the_bug_then_passing_after_edit_is_not_a_recovery() -> None:
    calls = [
        ("python reproduce.py", 1, "ValueError: bad input"),
        ("sed -i 's/a/b/' src/a.py", OK, ""),
        ("python3 check_fix.py", OK, "fixed"),
    ]
    assert of_kind(mine(run("a", calls), run("b", calls)), LessonKind.ERROR_RECOVERY) == []


def test_failing_assertion_then_other_selection_is_not_a_recovery() -> None:
    calls = [
        ("pytest tests/test_a.py", 1, "E   AssertionError: assert 1 == 2"),
        ("pytest tests/test_a.py -k other", OK, "1 passed"),
    ]
    assert of_kind(mine(run("a", calls), run("b", calls)), LessonKind.ERROR_RECOVERY) == []


def test_error_confidence_counts_each_failing_run_once() -> None:
    from skillforge.distill.offline import errors
    from skillforge.distill.offline.accumulate import lessons_of

    def item(sig: str) -> dict[str, object]:
        return {
            "steps": [1, 3],
            "quote": sig,
            "src": None,
            "trust": "tool_output",
            "sig": sig,
            "exc": "",
            "cls": "test",
            "failed_cmd": "pytest",
            "fix": "bin/test",
            "between": [],
        }

    def facts(ident: str, *sigs: str) -> dict[str, object]:
        return {
            "id": ident,
            "repo": "acme/widgets",
            "agent": "a",
            "outcome": "success",
            "task": "t",
            "errors": [item(s) for s in sigs],
        }

    found = lessons_of(errors.Acc(), [facts("a", "no pytest", "no tox"), facts("b", "no pytest")])
    by_title = {le.title: le.confidence for le in found}
    assert by_title["no pytest (test)"] == 0.75  # fixed in 2 of the 2 runs that failed: (2+1)/(2+2)
    assert by_title["no tox (test)"] == 0.5  # (1+1)/(2+2)


def test_a_probe_that_fails_on_purpose_is_not_fixed_by_an_unrelated_install() -> None:
    """A `python -c` probe of a library's behaviour raises by design; an install for the test suite and a
    later script are no recovery from it (seen in a real run as "IDNAError → pip install pytest-httpbin")."""
    calls = [
        (
            "python3 -c \"import idna; idna.encode('.example.com')\"",
            1,
            'Traceback (most recent call last):\n  File "<string>", line 1\nidna.core.IDNAError: Empty Label',
        ),
        ("pip install pytest-httpbin", OK, "Successfully installed pytest-httpbin"),
        ("python3 check_double_dot.py", OK, "LocationParseError"),
    ]
    assert (
        of_kind(mine(*(run(i, calls, outcome=Outcome.SUCCESS) for i in "ab")), LessonKind.ERROR_RECOVERY)
        == []
    )


def test_a_script_missing_a_module_learns_the_install() -> None:
    calls = [
        (
            "python reproduce.py",
            1,
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'numpy'",
        ),
        ("pip install numpy", OK, "Successfully installed numpy"),
        ("python reproduce.py", OK, "ok"),
    ]
    (le,) = of_kind(mine(*(run(i, calls, outcome=Outcome.SUCCESS) for i in "ab")), LessonKind.ERROR_RECOVERY)
    assert "`pip install numpy`" in le.body


def test_a_task_is_named_by_its_text_not_its_issue_templates_heading() -> None:
    """SWE-bench problem statements written with an issue template open with a heading line: evidence
    named astropy-14182's task "Description"."""
    from skillforge.distill.offline.actions import short_task

    assert short_task("### Description\n\nSupport header rows in RST output\n") == (
        "Support header rows in RST output"
    )
    assert short_task("**Describe the bug**\nTimeDelta rounds down\n") == "TimeDelta rounds down"
    assert short_task("Summary: the cache is never evicted\n") == "Summary: the cache is never evicted"


def test_a_task_that_starts_with_please_is_the_task_but_a_prompt_wrapper_is_not() -> None:
    """An OpenHands task 'Please rename game_2048.py to 2048.py' was named '' in evidence, and
    astropy's 'Please support header rows …' by its second line: only a wrapper line is passed over."""
    from skillforge.distill.offline.actions import short_task

    assert short_task("Please rename game_2048.py to 2048.py") == "Please rename game_2048.py to 2048.py"
    wrapped = "Please solve the following issue:\nTimeDelta serialization loses precision\n"
    assert short_task(wrapped) == "TimeDelta serialization loses precision"


def test_a_wrapper_naming_a_github_issue_is_passed_over() -> None:
    """'Please resolve the following GitHub issue:' is a common harness prompt (public SWE-bench
    harnesses write it with 'GitHub' before 'issue'): it named the task after 'Please' stopped being
    boilerplate on its own."""
    from skillforge.distill.offline.actions import short_task

    assert short_task("Please resolve the following GitHub issue:\n\nTimeDelta loses precision\n") == (
        "TimeDelta loses precision"
    )
    assert short_task("Please fix this GitHub issue.\nHeader rows are dropped\n") == "Header rows are dropped"


def test_claude_codes_plan_wrapper_is_passed_over() -> None:
    """A Claude Code session started from an accepted plan opens 'Implement the following plan:' and
    then the plan's title: five public sessions were each named 'Implement the following plan:'."""
    from skillforge.distill.offline.actions import short_task

    task = "Implement the following plan:\n\n# Plan: Detect file references in the parser\n\n## Context\n"
    assert short_task(task) == "Plan: Detect file references in the parser"


def test_a_build_whose_exit_status_is_greps_is_no_support_for_a_recipe() -> None:
    """``go build ./... 2>&1 | grep -c ^internal`` exits with grep's status: printing ``19`` (19 lines of
    compile errors) says nothing of the build, so it is no run where the build worked; nor is
    ``mise run test | tail`` ending in mise's own "ERROR task failed"."""
    counted = [run(f"r{i}", [("go build ./... 2>&1 | grep -c '^internal'", OK, "19")]) for i in range(3)]
    assert of_kind(mine(*counted), LessonKind.ENVIRONMENT_RECIPE) == []
    tail = "[test] $ go test ./...\nFAIL\n[test] ERROR task failed"
    failing = [run(f"r{i}", [("mise run test 2>&1 | tail -100", OK, tail)]) for i in range(3)]
    assert of_kind(mine(*failing), LessonKind.ENVIRONMENT_RECIPE) == []
    echoed = [
        run(f"r{i}", [(f"go test ./p{i}/...; echo done", OK, "# acme\nx.go:3:2: undefined: ep\ndone")])
        for i in range(3)
    ]
    assert of_kind(mine(*echoed), LessonKind.ENVIRONMENT_RECIPE) == []


def test_a_filtered_run_that_shows_success_counts_and_a_bare_one_is_the_example() -> None:
    """A piped test run counts when its output reports a pass; the example shown is a bare run of the
    recipe when one worked, even one cited after the piped one."""
    passing = "ok  \tacme/widgets/parse\t0.004s"
    runs = [
        run("r0", [("go test ./parse/0 2>&1 | tail -20", OK, passing), ("go test ./parse/0", OK, passing)]),
        run("r1", [("go test ./parse/1 | head -5", OK, passing)]),
    ]
    (le,) = of_kind(mine(*runs), LessonKind.ENVIRONMENT_RECIPE)
    assert "`go test <tests>` (worked in 2 of 2 runs" in le.body
    assert "Example: `go test ./parse/0`" in le.body
    only_piped = [
        run(
            "r0",
            [("go vet ./... | tail -5; echo '== tests =='; go test ./parse/0 2>&1 | tail -20", OK, passing)],
        ),
        run("r1", [("go test ./parse/1 | tail", OK, passing)]),
    ]
    (le,) = of_kind(mine(*only_piped), LessonKind.ENVIRONMENT_RECIPE)
    assert "Example: `go test ./parse/1 | tail`" in le.body  # none bare: the shortest


@pytest.mark.parametrize(
    ("command", "output", "code", "failed", "unsure"),
    [
        # a review's: the line fails on the check after the test, and every reader marks it an error
        (
            "pytest -q && ruff check .",
            "3 passed in 0.1s\nsrc/a.py:1:1: F401 unused\nFound 1 error.",
            1,
            False,
            True,
        ),
        (
            "go test ./... && go vet ./...",
            "ok  \tshop/cart\t0.01s\n# shop/cart\n./a.go:3:2: x declared and not used",
            1,
            False,
            True,
        ),
        (
            "ruff check . && pytest -q",
            "src/a.py:1:1: F401 unused\nFound 1 error.",
            1,
            False,
            True,
        ),  # no test ran
        (
            "pytest -q && ruff check .",
            "1 failed, 2 passed in 0.1s",
            1,
            True,
            False,
        ),  # the test's report failed
        (
            "pytest -q",
            "src/a.py:1: in <module>\nE   ImportError: x",
            1,
            True,
            False,
        ),  # no check: its own status
    ],
)
def test_a_failing_line_with_a_check_beside_the_test_is_not_a_failed_test(
    command: str, output: str, code: int, failed: bool, unsure: bool
) -> None:
    from skillforge.distill.offline.actions import actions
    from skillforge.model import Role, Shell, Step, StepKind, Trajectory

    steps = [
        Step(
            0,
            Role.ASSISTANT,
            StepKind.TOOL_CALL,
            command,
            tool_name="bash",
            pair=1,
            action=Shell(command=command),
        ),
        Step(
            1,
            Role.TOOL,
            StepKind.TOOL_RESULT,
            output,
            tool_name="bash",
            pair=0,
            exit_code=code,
            is_error=True,
        ),
    ]
    (act,) = actions(Trajectory(id="t", source="s", format="f", agent="a", steps=steps))
    assert (act.cls, act.failed, act.unsure) == ("test", failed, unsure)


def test_change_reasons_count_kinds_in_words() -> None:
    from skillforge.distill.offline.edits import summary as _summary
    from skillforge.model import Lesson, LessonKind, Level, Scope, ScopeKind

    def lesson(kind: LessonKind) -> Lesson:
        return Lesson(
            title="t", trigger="", body="b", kind=kind, level=Level.ATOMIC, scope=Scope(ScopeKind.TOOL, "x")
        )

    kinds = [LessonKind.SUCCESS_PATTERN] * 2 + [LessonKind.ERROR_RECOVERY] * 2 + [LessonKind.WARNING]
    assert _summary([lesson(k) for k in kinds]) == "2 code areas, 2 error recoveries, 1 warning"
