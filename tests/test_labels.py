"""Outcome labels (--labels) and outcome inference from the last test run, and who wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.errors import InputError
from skillforge.ingest import read
from skillforge.ingest.labels import load_labels
from skillforge.ingest.outcome import infer_from_tests, outcome_of_output
from skillforge.model import Outcome, Role, Step, StepKind

DIR = Path(__file__).parent / "fixtures" / "ingest"


def run(command: str, output: str, exit_code: int | None = None, at: int = 0) -> list[Step]:
    call = Step(
        at, Role.ASSISTANT, StepKind.TOOL_CALL, command, tool_name="bash", call_id=f"c{at}", pair=at + 1
    )
    result = Step(
        at + 1, Role.TOOL, StepKind.TOOL_RESULT, output, call_id=f"c{at}", pair=at, exit_code=exit_code
    )
    return [call, result]


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("===== 3 passed, 1 warning in 0.12s =====", Outcome.SUCCESS),
        ("===== 1 failed, 3 passed in 0.12s =====", Outcome.FAILURE),
        ("2 passed, 1 error in 1.50 seconds", Outcome.FAILURE),
        ("Ran 4 tests in 0.010s\n\nOK", Outcome.SUCCESS),
        ("Ran 4 tests in 0.010s\n\nFAILED (failures=1, errors=1)", Outcome.FAILURE),
        ("ok  \texample.com/pkg\t0.012s\nok  \texample.com/other\t(cached)", Outcome.SUCCESS),
        ("--- FAIL: TestParse (0.00s)\nFAIL\nFAIL\texample.com/pkg\t0.01s", Outcome.FAILURE),
        ("test result: ok. 12 passed; 0 failed; 0 ignored", Outcome.SUCCESS),
        ("test result: FAILED. 11 passed; 1 failed; 0 ignored", Outcome.FAILURE),
        ("Tests:       1 failed, 9 passed, 10 total", Outcome.FAILURE),
        ("Tests:       10 passed, 10 total", Outcome.SUCCESS),
        ("  5 passing (20ms)\n  1 failing", Outcome.FAILURE),
        ("collected 0 items\n\n==== no tests ran in 0.01s ====", None),
        ("ModuleNotFoundError: No module named 'x'", None),
    ],
)
def test_runner_summaries(output: str, expected: Outcome | None) -> None:
    assert outcome_of_output(output) == expected


def test_only_the_last_test_command_counts() -> None:
    steps = run("pytest -q", "1 failed in 0.1s", 1) + run(
        "python -m pytest tests", "5 passed in 0.2s", 0, at=2
    )
    steps += run("git diff", "2 failed in 0.1s", 0, at=4)  # not a test command: ignored
    assert infer_from_tests(steps) == (Outcome.SUCCESS, "tests")


def test_a_file_written_after_the_last_test_run_is_not_a_test_run() -> None:
    steps = run("python -m pytest tests", "5 passed in 0.2s", 0)
    write = Step(
        2,
        Role.ASSISTANT,
        StepKind.TOOL_CALL,
        '{"file_path": "NOTES.md", "content": "run pytest -x"}',
        tool_name="Write",
        input={"file_path": "NOTES.md", "content": "run pytest -x"},
        call_id="w",
        pair=3,
    )
    written = Step(3, Role.TOOL, StepKind.TOOL_RESULT, "File created successfully", call_id="w", pair=2)
    assert infer_from_tests([*steps, write, written]) == (Outcome.SUCCESS, "tests")
    write.input = {"command": "pytest -x"}  # the same text as a shell command is a test run, and unclear
    assert infer_from_tests([*steps, write, written]) is None


def test_unclear_last_run_gives_no_answer() -> None:
    passing_then_unclear = run("pytest", "3 passed in 0.1s", 0) + run("pytest -x", "Killed", 137, at=2)
    assert infer_from_tests(passing_then_unclear) is None
    assert infer_from_tests(run("pytest", "3 passed in 0.1s", 1)) is None  # summary and exit code disagree
    assert infer_from_tests(run("ls", "3 passed in 0.1s", 0)) is None


def test_bare_report_json_in_a_folder_named_by_instance(tmp_path: Path) -> None:
    report = tmp_path / "acme__dates-12" / "report.json"
    report.parent.mkdir()
    report.write_text(json.dumps({"patch_exists": True, "resolved": False}))
    labels, source = load_labels([tmp_path])
    assert labels == {"acme__dates-12": Outcome.FAILURE} and source == f"labels:{tmp_path.name}"


def test_harness_report_results_summary_and_csv(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps({"a__b-1": {"resolved": True}}))
    (tmp_path / "results.json").write_text(json.dumps({"resolved": ["c__d-2"], "unresolved": ["e__f-3"]}))
    (tmp_path / "labels.csv").write_text("id,outcome\nt-9,pass\nt-10,fail\n")
    labels, _ = load_labels([tmp_path / "report.json", tmp_path / "results.json", tmp_path / "labels.csv"])
    assert labels == {
        "a__b-1": Outcome.SUCCESS,
        "c__d-2": Outcome.SUCCESS,
        "e__f-3": Outcome.FAILURE,
        "t-9": Outcome.SUCCESS,
        "t-10": Outcome.FAILURE,
    }


def test_unreadable_labels_file_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "labels.json"
    bad.write_text('{"x": "maybe"}')
    with pytest.raises(InputError, match="not a labels file"):
        load_labels([bad])


def test_labels_win_over_the_log_and_the_log_over_tests(tmp_path: Path) -> None:
    labels = {"widgets-issue-7": Outcome.SUCCESS, "acme__cli-9": Outcome.FAILURE}
    trajs = {
        t.native_id: t
        for t in read(
            [
                DIR / "swe_agent" / "run-1.1.traj",
                DIR / "mini" / "toolcalls.traj.json",
                DIR / "mini" / "acme__slugs-3.traj.json",
            ],
            labels=labels,
            labels_source="labels:l.json",
        )
    }
    assert (trajs["widgets-issue-7"].outcome, trajs["widgets-issue-7"].outcome_source) == (
        Outcome.SUCCESS,
        "labels:l.json",
    )  # the log said exit_cost
    assert trajs["acme__cli-9"].outcome is Outcome.FAILURE  # tests said success
    assert trajs["acme__slugs-3"].outcome_source == "log:exit_status"  # no label: the log stands


def test_labels_through_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"instance_id": "acme__slugs-3", "resolved": True}]))
    res = cli("ingest", DIR / "mini" / "acme__slugs-3.traj.json", "--labels", labels, "--json")
    record = json.loads(res.out.splitlines()[0])
    assert res.code == 0 and (record["outcome"], record["outcome_source"]) == (
        "success",
        "labels:labels.json",
    )


def test_labels_that_match_no_trajectory_are_reported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a labels file keyed by other ids was accepted in silence: every outcome stayed a guess, and the
    # table still said "pass --labels to be sure"
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"other__repo-1": "success", "other__repo-2": "failure"}))
    log = DIR / "mini" / "acme__slugs-3.traj.json"
    res = cli("ingest", log, "--labels", labels)
    assert res.code == 0 and "none of the 2 ids in --labels matched a trajectory" in " ".join(res.err.split())
    assert "acme__slugs-3" in res.err
    plan = cli(
        "distill", log, "--labels", labels, "--library", tmp_path / "lib", "--init", "--dry-run", "--json"
    )
    assert any("none of the 2 ids in --labels" in note for note in json.loads(plan.out)["notes"])
    labels.write_text(json.dumps({"acme__slugs-3": "success", "other__repo-2": "failure"}))
    assert "none of" not in cli("ingest", log, "--labels", labels).err  # one match is enough: no warning


def test_a_folder_of_logs_and_reports_gives_its_reports_as_labels_and_its_logs_to_ingest(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """SWE-bench runs keep each instance's report next to its trajectory, and ingest's own hint says
    to pass such files with --labels: the same folder as logs and --labels read the reports as labels
    (a trajectory in it is no labels file, and no error) and the trajectories as logs."""
    import shutil

    runs = tmp_path / "runs"
    (runs / "trajs").mkdir(parents=True)
    shutil.copy(DIR / "mini" / "acme__slugs-3.traj.json", runs / "trajs")
    shutil.copy(DIR / "openhands" / "trajectory.json", runs / "trajs")  # an event list: no labels
    report = runs / "reports" / "acme__slugs-3" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"acme__slugs-3": {"resolved": False}}))
    labels, _ = load_labels([runs])
    assert labels == {"acme__slugs-3": Outcome.FAILURE} and labels.files == [report]
    res = cli("ingest", runs, "--labels", runs, "--json")
    assert res.code == 0, res.err
    records = [json.loads(line) for line in res.out.splitlines()]
    slugs = [r for r in records if r["native_id"] == "acme__slugs-3"]
    assert [(r["outcome"], r["outcome_source"]) for r in slugs] == [("failure", "labels:runs")]
    assert len(records) == 2  # the OpenHands run is read as a log, not taken for labels
    assert "pass them with --labels" not in res.err  # the report was used, not passed over


def test_a_labels_folder_reads_a_plain_id_to_outcome_file_beside_reports(tmp_path: Path) -> None:
    """examples/labels.json's shape ({id: outcome}) in a folder given to --labels (a review found it
    refused alone, and ignored beside reports); a settings file there is still no labels."""
    (tmp_path / "labels.json").write_text(json.dumps({"acme__a-1": "success", "acme__b-2": "failure"}))
    (tmp_path / "settings.json").write_text(json.dumps({"theme": "dark"}))
    report = tmp_path / "acme__c-3" / "report.json"
    report.parent.mkdir()
    report.write_text(json.dumps({"acme__c-3": {"resolved": True}}))
    labels, _ = load_labels([tmp_path])
    assert labels == {
        "acme__a-1": Outcome.SUCCESS,
        "acme__b-2": Outcome.FAILURE,
        "acme__c-3": Outcome.SUCCESS,
    }
    assert tmp_path / "settings.json" not in labels.files


def test_a_labels_folder_without_labels_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"theme": "dark"}))
    with pytest.raises(InputError, match="no labels file in this folder"):
        load_labels([tmp_path])
