"""Why labelled runs failed: SWE-bench reports' failing tests carried onto the runs, how each run that
broke existing tests missed it, and the agent's warning that states the counts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from skillforge.distill.offline import OfflineMapper
from skillforge.distill.offline.regressions import (
    BASELINE,
    EDITED,
    NEVER,
    PART,
    PASSED,
    SAW,
    SAW_CHANGED,
    STALE,
    TIMED_OUT,
    UNKNOWN,
)
from skillforge.distill.offline.testfiles import file_of_test, runs_of
from skillforge.distill.runid import label_of
from skillforge.ingest import read
from skillforge.ingest.labels import load_labels
from skillforge.model import Lesson, Outcome, Trajectory

SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"


def diff_of(*files: str) -> str:
    """A diff that changes a line of each file; a file named with a leading + only gains a line."""
    return "".join(
        f"diff --git a/{f[1:]} b/{f[1:]}\n--- a/{f[1:]}\n+++ b/{f[1:]}\n@@ -1 +1,2 @@\n a\n+b\n"
        if f.startswith("+")
        else f"diff --git a/{f} b/{f}\n--- a/{f}\n+++ b/{f}\n@@ -1 +1 @@\n-a\n+b\n"
        for f in files
    )


def write_run(
    folder: Path, iid: str, commands: list[tuple[str, int, str]], submitted: tuple[str, ...]
) -> None:
    """A mini-swe-agent trajectory: each (command, return code, output), then a submission of ``submitted``."""
    messages = [
        {"role": "system", "content": "You are a helpful assistant that can interact with a computer shell."},
        {"role": "user", "content": f"<pr_description>\nFix issue {iid}\n</pr_description>"},
    ]
    for cmd, code, out in [*commands, (SUBMIT, 0, diff_of(*submitted))]:
        messages.append({"role": "assistant", "content": f"THOUGHT: next.\n\n```bash\n{cmd}\n```"})
        messages.append(
            {"role": "user", "content": f"<returncode>{code}</returncode>\n<output>\n{out}\n</output>"}
        )
    info = {"exit_status": "Submitted", "submission": diff_of(*submitted), "mini_version": "1.15.0"}
    path = folder / iid / f"{iid}.traj.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"info": info, "messages": messages, "instance_id": iid}))


def write_report(folder: Path, iid: str, resolved: bool, not_fixed: list[str], broke: list[str]) -> None:
    status = {
        "FAIL_TO_PASS": {
            "success": [] if not_fixed else ["tests/test_new.py::test_issue"],
            "failure": not_fixed,
        },
        "PASS_TO_PASS": {"success": ["tests/test_old.py::test_kept"], "failure": broke},
    }
    path = folder / iid / "report.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({iid: {"resolved": resolved, "tests_status": status}}))


EDIT = ("sed -i 's/a/b/' src/widgets/core.py", 0, "")
FAILED_RUN = "F.\n=================== 1 failed, 1 passed in 0.20s ==================="
PASSED_RUN = "..\n=================== 2 passed in 0.20s ==================="
TIMEOUT_RUN = "The last command <command>pytest tests/test_core.py</command> timed out and has been killed."
BROKEN = "tests/test_core.py::test_keeps_order"

# iid -> (commands, submitted files, report: (resolved, not fixed, broke), how the regression was missed)
RUNS: dict[
    str, tuple[list[tuple[str, int, str]], tuple[str, ...], tuple[bool, list[str], list[str]], str]
] = {
    "acme__widgets-1": (
        [EDIT, ("pytest tests/test_core.py", 1, FAILED_RUN)],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        SAW,
    ),
    "acme__widgets-2": (
        [EDIT, ("python reproduce.py", 0, "ok")],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        NEVER,
    ),
    "acme__widgets-3": (
        [EDIT, ("pytest tests/", 0, PASSED_RUN), ("sed -i 's/b/c/' src/widgets/core.py", 0, "")],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        STALE,
    ),
    "acme__widgets-4": (
        [EDIT, ("sed -i 's/x/y/' tests/test_core.py", 0, ""), ("pytest tests/test_core.py", 0, PASSED_RUN)],
        ("src/widgets/core.py", "tests/test_core.py"),
        (False, [], [BROKEN]),
        EDITED,
    ),
    "acme__widgets-5": (
        [EDIT, ("pytest tests/test_core.py::test_keeps_order", 0, PASSED_RUN)],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        PART,
    ),
    "acme__widgets-6": (
        [EDIT, ("pytest tests/test_core.py", 0, PASSED_RUN)],
        ("src/widgets/core.py",),
        (False, ["tests/test_new.py::test_issue"], []),
        "",
    ),
    "acme__widgets-7": (
        [EDIT, ("pytest tests/test_core.py", 0, PASSED_RUN)],
        ("src/widgets/core.py",),
        (True, [], []),
        "",
    ),
    "acme__widgets-8": (  # a changelog edited after the last run changes no code
        [EDIT, ("pytest tests/test_core.py", 0, PASSED_RUN), ("sed -i 's/a/b/' CHANGES.rst", 0, "")],
        ("src/widgets/core.py", "CHANGES.rst"),
        (False, [], [BROKEN]),
        PASSED,
    ),
    "acme__widgets-9": (
        [EDIT, ("pytest tests/test_core.py", 124, TIMEOUT_RUN)],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        TIMED_OUT,
    ),
    "acme__widgets-10": (  # the test file run as a script, not through a runner
        [EDIT, ("cd /testbed && python3 tests/test_core.py", 1, "FAILED (errors=1)")],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        SAW,
    ),
    "acme__widgets-11": (  # a new test added to the file is no change of the tests that broke
        [EDIT, ("sed -i '$a def test_new(): pass' tests/test_core.py", 0, "")],
        ("src/widgets/core.py", "+tests/test_core.py"),
        (False, [], [BROKEN]),
        NEVER,
    ),
    "acme__widgets-12": (
        [EDIT, ("pytest tests/test_core.py", 1, FAILED_RUN), ("sed -i 's/b/c/' src/widgets/core.py", 0, "")],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        SAW_CHANGED,
    ),
    "acme__widgets-14": (  # the file failed before the run changed anything
        [("pytest tests/test_core.py", 1, FAILED_RUN), EDIT, ("pytest tests/test_core.py", 1, FAILED_RUN)],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        BASELINE,
    ),
    "acme__widgets-13": (  # naming pytest is not running it: an install, a heredoc's import
        [
            EDIT,
            ("pip install pytest", 0, "Successfully installed pytest"),
            (
                "cat <<'EOF' > test_fix.py\nimport pytest\nfrom widgets import core\nEOF\npython test_fix.py",
                0,
                "ok",
            ),
        ],
        ("src/widgets/core.py",),
        (False, [], [BROKEN]),
        NEVER,
    ),
}


@pytest.fixture
def logs(tmp_path: Path) -> tuple[Path, Path]:
    trajs, reports = tmp_path / "trajs", tmp_path / "reports"
    for iid, (commands, submitted, (resolved, not_fixed, broke), _) in RUNS.items():
        write_run(trajs, iid, commands, submitted)
        write_report(reports, iid, resolved, not_fixed, broke)
    return trajs, reports


def facts_by_id(trajs: Path, reports: Path) -> dict[str, dict]:
    labels, source = load_labels([reports])
    mapper = OfflineMapper()
    return {t.task_id: mapper.map(t).facts for t in read([trajs], labels=labels, labels_source=source)}


def warning(lessons: list[Lesson], scope: str = "tool:mini-swe-agent") -> Lesson:
    return next(le for le in lessons if le.signature == "regression:broke" and str(le.scope) == scope)


def test_reports_keep_each_instances_failing_tests(logs: tuple[Path, Path]) -> None:
    labels, _ = load_labels([logs[1]])
    assert labels["acme__widgets-1"] is Outcome.FAILURE and labels["acme__widgets-7"] is Outcome.SUCCESS
    assert labels.tests["acme__widgets-1"] == {"not_fixed": [], "broke": [BROKEN]}
    assert labels.tests["acme__widgets-6"] == {"not_fixed": ["tests/test_new.py::test_issue"], "broke": []}


def test_a_bare_report_inside_its_instance_folder_keeps_its_tests(tmp_path: Path) -> None:
    (tmp_path / "acme__x-1").mkdir()
    status = {"FAIL_TO_PASS": {"failure": ["t1"]}, "PASS_TO_PASS": {"failure": [f"t{i}" for i in range(9)]}}
    (tmp_path / "acme__x-1" / "report.json").write_text(
        json.dumps({"resolved": False, "tests_status": status})
    )
    labels, _ = load_labels([tmp_path])
    assert labels.tests["acme__x-1"] == {"not_fixed": ["t1"], "broke": [f"t{i}" for i in range(5)]}  # 5 kept


def test_ingest_puts_the_failing_tests_on_the_labelled_run(logs: tuple[Path, Path]) -> None:
    labels, source = load_labels([logs[1]])
    runs = {t.task_id: t for t in read([logs[0]], labels=labels, labels_source=source)}
    assert runs["acme__widgets-2"].failing_tests == {"not_fixed": [], "broke": [BROKEN]}
    assert runs["acme__widgets-7"].failing_tests == {}  # resolved: nothing failed
    assert "failing_tests" not in runs["acme__widgets-7"].metadata


def test_each_regression_is_judged_by_the_runs_of_the_test_file_that_broke(logs: tuple[Path, Path]) -> None:
    facts = facts_by_id(*logs)
    for iid, (*_, how) in RUNS.items():
        verdict = facts[iid]["verdict"]
        if iid == "acme__widgets-7":
            assert verdict is None  # resolved runs have no failure to explain
        elif how:
            assert (verdict["kind"], verdict["how"], verdict["file"]) == (
                "broke",
                how,
                "tests/test_core.py",
            ), iid
        else:
            assert (verdict["kind"], verdict["tests"]) == ("not_fixed", ["tests/test_new.py::test_issue"])
    assert facts["acme__widgets-1"]["verdict"]["quote"] == "1 failed, 1 passed in 0.20s"  # the summary, cited


def test_the_agents_warning_states_how_each_regression_was_missed(logs: tuple[Path, Path]) -> None:
    mapper = OfflineMapper()
    labels, source = load_labels([logs[1]])
    lesson = warning(
        mapper.reduce([mapper.map(t) for t in read([logs[0]], labels=labels, labels_source=source)])
    )
    assert lesson.body == (
        "- Before you submit, run the existing test file of the code you changed and submit only when it "
        "passes (or fails the same way without your change), without changing its tests: 12 of 13 failed runs "
        "with a test report failed tests the benchmark expected to keep passing (in `tests/test_core.py`). Of "
        "those, 1 had seen that file fail without their change too (`1 failed, 1 passed in 0.20s`): the "
        "evaluation environment, not the patch, may fail it; 2 had seen that file's tests fail in their last run of "
        "it and submitted anyway (`1 failed, 1 passed in 0.20s`); 1 had seen them fail, changed the code "
        "again and submitted without running them again; 1 saw their last run of it time out; 1 changed the "
        "code again after a passing run of it; 1 ran only some of its tests, which passed; 3 never ran it; 1 "
        "changed existing lines of that test file (the evaluation runs the repository's version); 1 saw it "
        "pass in their own last run. The other 1 did not make the issue's own tests pass."
    )
    broke = {f"acme__widgets-{i}" for i in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14)}
    assert sorted(e.trajectory_id for e in lesson.evidence) == sorted(
        t.id for t in read([logs[0]]) if t.task_id in broke
    )


def test_the_repositorys_warning_names_the_test_file_to_run(logs: tuple[Path, Path]) -> None:
    mapper = OfflineMapper()
    labels, source = load_labels([logs[1]])
    found = mapper.reduce([mapper.map(t) for t in read([logs[0]], labels=labels, labels_source=source)])
    lesson = warning(found, "repository:acme/widgets")
    assert lesson.body == (
        "- Before you submit, run the existing tests in `tests/test_core.py` and submit only when they pass (or "
        f"fail the same way without your change): 12 failed runs failed tests there that the benchmark expected "
        f"to keep passing (`{BROKEN}`); 1 had seen them fail without their change too (`1 failed, 1 passed in "
        "0.20s`): the evaluation environment, not the patch, may fail them; 2 had seen them fail in their last "
        "run and submitted anyway (`1 failed, 1 passed in 0.20s`); 1 had seen them fail, changed the code again "
        "and submitted without running them again; 1 saw their last run time out; 1 changed the code again "
        "after a passing run; 1 ran only some of those tests, which passed; 3 never ran them; 1 changed "
        "existing lines of a test file that broke (the evaluation runs the repository's version); 1 saw them "
        "pass in their own last run."
    )
    assert len(lesson.evidence) == 12


def test_the_reduce_gives_the_same_warnings_in_any_order(logs: tuple[Path, Path]) -> None:
    mapper = OfflineMapper()
    labels, source = load_labels([logs[1]])
    results = [mapper.map(t) for t in read([logs[0]], labels=labels, labels_source=source)]
    forward = [
        (le.scope, le.body) for le in OfflineMapper().reduce(results) if le.signature == "regression:broke"
    ]
    backward = [
        (le.scope, le.body)
        for le in OfflineMapper().reduce(results[::-1])
        if le.signature == "regression:broke"
    ]
    assert forward == backward and len(forward) == 2


def test_one_regression_makes_no_warning(tmp_path: Path) -> None:
    write_run(tmp_path / "trajs", "acme__widgets-1", RUNS["acme__widgets-1"][0], ("src/widgets/core.py",))
    write_report(tmp_path / "reports", "acme__widgets-1", False, [], [BROKEN])
    labels, source = load_labels([tmp_path / "reports"])
    mapper = OfflineMapper()
    found = mapper.reduce(
        [mapper.map(t) for t in read([tmp_path / "trajs"], labels=labels, labels_source=source)]
    )
    assert not [le for le in found if le.signature == "regression:broke"]


def test_without_reports_runs_carry_no_verdict(logs: tuple[Path, Path]) -> None:
    labels = {f"acme__widgets-{i}": Outcome.FAILURE for i in range(1, 15)}  # outcomes only (labels.json)
    mapper = OfflineMapper()
    assert all(mapper.map(t).facts["verdict"] is None for t in read([logs[0]], labels=labels))


@pytest.mark.parametrize(
    ("test_id", "where"),
    [
        (
            "astropy/io/fits/tests/test_header.py::TestHeaderFunctions::test_rename_keyword",
            "astropy/io/fits/tests/test_header.py",
        ),
        ("test_requests.py::RequestsTestCase::test_HTTP_200_OK_GET", "test_requests.py"),
        ("tests/test_x.py::test_y[a::b/c]", "tests/test_x.py"),
        ("test_load_empty_dir (migrations.test_loader.LoaderTests)", "migrations.test_loader"),
        ("test_load (migrations.test_loader.LoaderTests.test_load)", "migrations.test_loader"),  # 3.11+
        ("test_issue_12345", ""),  # a bare name (sympy): the file is unknown
        ("tests::it_works", ""),  # a Rust module path, not a file
    ],
)
def test_where_a_test_lives(test_id: str, where: str) -> None:
    assert file_of_test(test_id) == where


@pytest.mark.parametrize(
    ("cmd", "where", "runs", "part"),
    [
        ("pytest astropy/io/fits/tests/test_header.py", "astropy/io/fits/tests/test_header.py", True, False),
        (
            "pytest astropy/io/fits/tests/test_header.py::T::t -x",
            "astropy/io/fits/tests/test_header.py",
            True,
            True,
        ),
        ("pytest astropy/io/fits/tests/", "astropy/io/fits/tests/test_header.py", True, False),
        ("cd /testbed && pytest -q", "tests/test_core.py", True, False),  # the whole suite
        ("env PYTHONPATH=/testbed python -m pytest", "tests/test_core.py", True, False),
        ("pytest /workspace/proj__proj-1/tests/", "tests/test_core.py", True, False),
        ("pytest tests/lint/test_pylinter.py", "tests/lint/unittest_lint.py", False, False),
        ("pytest sklearn/linear_model/tests/test_base.py", "sklearn/tests/test_base.py", False, False),
        ("cd sklearn/tests && pytest test_base.py", "sklearn/tests/test_base.py", True, False),
        ("pytest --ignore=tests/test_core.py", "tests/test_core.py", False, False),
        ("pytest -k keeps_order tests | tail -20", "tests/test_core.py", True, False),
        ("python -m unittest tests.test_core", "tests/test_core.py", True, False),
        ("python -m unittest tests.test_core.CoreTests", "tests/test_core.py", True, True),
        ("python3 tests/runtests.py migrations.test_loader", "migrations.test_loader", True, False),
        ("python3 tests/runtests.py migrations", "migrations.test_loader", True, False),
        (
            "./tests/runtests.py migrations.test_loader.LoaderTests.test_load",
            "migrations.test_loader",
            True,
            True,
        ),
        ("python3 tests/runtests.py migrations.test_writer", "migrations.test_loader", False, False),
        ("python3 tests/runtests.py admin_views", "migrations.test_loader", False, False),  # another app
        ("/usr/bin/python3 -m pytest test_requests.py -k scheme", "test_requests.py", True, False),
        ("tox -e py39", "tests/test_core.py", True, False),
        ('python -c "import unittest; print(1)"', "tests/test_core.py", False, False),
        ("pytest tests/test_core.py -k 'unbalanced", "tests/test_core.py", True, False),
    ],
)
def test_which_test_commands_run_a_file(cmd: str, where: str, runs: bool, part: bool) -> None:
    found = runs_of(cmd, where)
    assert (found.covers, found.part) == (runs, part)


def test_a_script_run_counts_only_when_it_is_the_test_file_itself() -> None:
    assert runs_of("python3 test_requests.py", "test_requests.py", runner_only=False).covers
    assert not runs_of("python3 test_requests.py", "test_requests.py").covers  # runners only
    assert not runs_of("python3 reproduce.py", "test_requests.py", runner_only=False).covers
    assert not runs_of("cd /testbed/tests && ls", "tests/test_core.py", runner_only=False).covers


def test_a_later_report_replaces_the_failing_tests_of_an_earlier_one(tmp_path: Path) -> None:
    write_report(tmp_path / "a", "acme__widgets-1", False, [], [BROKEN])
    later = tmp_path / "b" / "acme__widgets-1" / "report.json"
    later.parent.mkdir(parents=True)
    later.write_text(json.dumps({"acme__widgets-1": {"resolved": False, "tests_status": {}}}))  # not applied
    labels, _ = load_labels([tmp_path / "a", tmp_path / "b"])
    assert labels["acme__widgets-1"] is Outcome.FAILURE and "acme__widgets-1" not in labels.tests
    odd = tmp_path / "c" / "acme__widgets-2" / "report.json"
    odd.parent.mkdir(parents=True)
    status = {"PASS_TO_PASS": {"failure": [None, 3, "tests/test_core.py::t"]}}
    odd.write_text(json.dumps({"acme__widgets-2": {"resolved": False, "tests_status": status}}))
    assert load_labels([odd])[0].tests["acme__widgets-2"]["broke"] == ["tests/test_core.py::t"]


@pytest.mark.parametrize(
    "value",
    [{"broke": 5}, ["tests/x.py::t"], {"broke": "tests/x.py::t"}, "x", {"broke": [1, None]}],
)
def test_failing_tests_of_another_shape_in_a_logs_metadata_are_ignored(value: object) -> None:
    traj = Trajectory(
        id="t",
        source="s",
        format="f",
        agent="a",
        steps=[],
        outcome=Outcome.FAILURE,
        metadata={"failing_tests": value},
    )
    assert traj.failing_tests == {}
    assert OfflineMapper().map(traj).facts["verdict"] is None


def test_adding_the_reports_to_labelled_runs_makes_a_new_run_id() -> None:
    def traj(**metadata: object) -> Trajectory:
        return Trajectory(
            id="t",
            source="s",
            format="f",
            agent="a",
            steps=[],
            outcome=Outcome.FAILURE,
            outcome_source="labels:labels.json",
            metadata=dict(metadata),
        )

    assert label_of(traj()) == "failure"  # outcomes alone: the run ids of earlier versions
    reported = label_of(traj(failing_tests={"broke": [BROKEN], "not_fixed": []}))
    assert reported.startswith("failure:") and reported != label_of(traj(failing_tests={"broke": ["x"]}))


def test_a_regression_in_a_file_the_report_does_not_name_is_unknown(tmp_path: Path) -> None:
    write_run(tmp_path / "trajs", "acme__widgets-1", [EDIT], ("src/widgets/core.py",))
    write_report(tmp_path / "reports", "acme__widgets-1", False, [], ["test_keeps_order"])
    labels, source = load_labels([tmp_path / "reports"])
    (traj,) = read([tmp_path / "trajs"], labels=labels, labels_source=source)
    assert OfflineMapper().map(traj).facts["verdict"]["how"] == UNKNOWN


def test_distill_writes_the_warning_into_the_agents_skill(
    cli, logs: tuple[Path, Path], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    assert cli("init", lib).code == 0
    res = cli("distill", logs[0], "--labels", logs[1], "--library", lib, "--json")
    assert res.code == 0, res.err
    branch = json.loads(res.out)["branch"]

    text = subprocess.run(
        ["git", "-C", str(lib), "show", f"{branch}:skills/mini-swe-agent-warnings/SKILL.md"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (
        "12 of 13 failed runs with a test report failed tests the benchmark expected to keep passing" in text
    )
    repo_skill = subprocess.run(
        ["git", "-C", str(lib), "show", f"{branch}:skills/widgets-workflow/SKILL.md"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "run the existing tests in `tests/test_core.py` and submit only when they pass" in repo_skill


def test_a_command_is_read_whole_and_line_by_line(tmp_path: Path) -> None:
    """``Act.cmd`` is one line of at most 160 characters: the file named past that, or on the line after
    another command, was lost or read as that command's argument."""
    long_run = "pytest " + " ".join(f"tests/test_other_{i}.py" for i in range(12)) + " tests/test_core.py"
    write_run(
        tmp_path / "trajs", "acme__widgets-1", [EDIT, (long_run, 1, FAILED_RUN)], ("src/widgets/core.py",)
    )
    write_run(
        tmp_path / "trajs",
        "acme__widgets-2",
        [EDIT, ("git log -1\npytest tests/test_core.py", 1, FAILED_RUN)],
        ("src/widgets/core.py",),
    )
    for iid in ("acme__widgets-1", "acme__widgets-2"):
        write_report(tmp_path / "reports", iid, False, [], [BROKEN])
    facts = facts_by_id(tmp_path / "trajs", tmp_path / "reports")
    assert facts["acme__widgets-1"]["verdict"]["how"] == SAW
    assert facts["acme__widgets-2"]["verdict"]["how"] == SAW
    assert not runs_of("pytest tests/test_other.py\ncd tests", "tests/test_core.py").covers  # 2 commands


def test_an_outcome_only_file_after_the_reports_keeps_their_failing_tests(tmp_path: Path) -> None:
    write_report(tmp_path / "reports", "acme__widgets-1", False, [], [BROKEN])
    write_report(tmp_path / "reports", "acme__widgets-2", False, [], [BROKEN])
    outcomes = tmp_path / "labels.json"
    outcomes.write_text(json.dumps({"acme__widgets-1": "failure", "acme__widgets-2": "success"}))
    labels, _ = load_labels([tmp_path / "reports", outcomes])
    assert labels.tests["acme__widgets-1"]["broke"] == [BROKEN]  # the same verdict: the tests stand
    assert "acme__widgets-2" not in labels.tests  # now resolved: nothing failed
    (tmp_path / "reports" / "results.json").write_text(
        json.dumps({"resolved": [], "unresolved": ["acme__widgets-1"]})
    )
    labels, _ = load_labels([tmp_path / "reports"])  # a summary beside the reports, sorted after them
    assert labels.tests["acme__widgets-1"]["broke"] == [BROKEN]


@pytest.mark.parametrize(
    ("cmd", "where", "runs"),
    [
        ("timeout 120 python3 test_requests.py", "test_requests.py", True),
        ("env X=1 python -W ignore test_requests.py", "test_requests.py", True),
        ("pytest /testbed", "tests/test_core.py", True),  # the whole checkout
        ("pytest /testbed/tests/test_core.py", "tests/test_core.py", True),
        ("pytest /tmp/tests", "tests/test_core.py", False),  # a scratch folder
        ("pip install pytest", "tests/test_core.py", False),
        ("which pytest && cat tests/runtests.py", "tests/test_core.py", False),
        ("cat <<EOF > t.py\nimport pytest\nEOF\npython t.py", "tests/test_core.py", False),
        ("python manage.py test migrations", "migrations.test_loader", True),
        ("go test ./...", "tests/test_core.py", False),
    ],
)
def test_only_the_program_a_command_runs_counts(cmd: str, where: str, runs: bool) -> None:
    assert runs_of(cmd, where, runner_only=False).covers is runs


def test_a_top_level_test_file_renamed_or_nested_is_found_in_the_diff(tmp_path: Path) -> None:
    from skillforge.distill.offline.regressions import _changed_lines_of

    top = "diff --git a/test_requests.py b/test_requests.py\n--- a/test_requests.py\n+++ b/test_requests.py\n@@ -1 +1 @@\n-a\n+b\n"
    assert _changed_lines_of(top, "test_requests.py")
    renamed = "diff --git a/tests/test_core.py b/tests/test_core2.py\nsimilarity index 100%\nrename from tests/test_core.py\nrename to tests/test_core2.py\n"
    assert _changed_lines_of(renamed, "tests/test_core.py")
    nested_first = (
        "diff --git a/pkg/tests/test_core.py b/pkg/tests/test_core.py\n@@ -1 +1,2 @@\n a\n+b\n"
        + "diff --git a/tests/test_core.py b/tests/test_core.py\n@@ -1 +1 @@\n-a\n+b\n"
    )
    assert _changed_lines_of(nested_first, "tests/test_core.py")  # the exact path, not the first that ends so
    dashes = "diff --git a/tests/test_core.py b/tests/test_core.py\n--- a/tests/test_core.py\n+++ b/tests/test_core.py\n@@ -1 +1 @@\n--- old\n+b\n"
    assert _changed_lines_of(dashes, "tests/test_core.py")  # a removed line that starts with --


def test_a_timed_out_run_is_quoted_by_its_timeout(logs: tuple[Path, Path]) -> None:
    assert facts_by_id(*logs)["acme__widgets-9"]["verdict"]["quote"].startswith("The last command")


def test_a_run_of_the_file_after_reverting_the_change_is_a_baseline(tmp_path: Path) -> None:
    """A run that stashed or checked out its change and saw the file fail (astropy-8872, held out: its
    failures were there without the patch) is not a run that saw its own patch break the tests."""
    commands = [
        EDIT,
        ("pytest tests/test_core.py", 1, FAILED_RUN),
        ("git stash && pytest tests/test_core.py; git stash pop", 1, FAILED_RUN),
    ]
    write_run(tmp_path / "trajs", "acme__widgets-1", commands, ("src/widgets/core.py",))
    reverted = [
        EDIT,
        ("git checkout src/widgets/core.py", 0, ""),
        ("pytest tests/test_core.py", 1, FAILED_RUN),
        EDIT,
    ]
    write_run(tmp_path / "trajs", "acme__widgets-2", reverted, ("src/widgets/core.py",))
    passing_after = [
        ("pytest tests/test_core.py", 1, FAILED_RUN),
        EDIT,
        ("pytest tests/test_core.py", 0, PASSED_RUN),
    ]
    write_run(tmp_path / "trajs", "acme__widgets-3", passing_after, ("src/widgets/core.py",))
    for iid in ("acme__widgets-1", "acme__widgets-2", "acme__widgets-3"):
        write_report(tmp_path / "reports", iid, False, [], [BROKEN])
    facts = facts_by_id(tmp_path / "trajs", tmp_path / "reports")
    assert facts["acme__widgets-1"]["verdict"]["how"] == BASELINE
    assert facts["acme__widgets-2"]["verdict"]["how"] == BASELINE
    assert (
        facts["acme__widgets-3"]["verdict"]["how"] == PASSED
    )  # it passed after the change: not the environment
