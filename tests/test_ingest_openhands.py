"""OpenHands reader: V0 event list, V0 session folder, V1 conversation folder, eval output.jsonl."""

from __future__ import annotations

import shutil
from pathlib import Path

from skillforge.ingest import IngestReport, read
from skillforge.ingest import openhands as oh
from skillforge.model import Outcome, Role, StepKind, Trajectory, Trust

DIR = Path(__file__).parent / "fixtures" / "ingest" / "openhands"


def by_kind(traj: Trajectory, kind: StepKind) -> list:
    return [s for s in traj.steps if s.kind is kind]


def test_v0_list_pairs_by_cause_with_exit_codes() -> None:
    (traj,) = list(read([DIR / "trajectory.json"]))
    calls = by_kind(traj, StepKind.TOOL_CALL)
    assert [(c.tool_name, c.text) for c in calls] == [
        ("str_replace_editor", "read /workspace"),
        ("execute_bash", "mv /workspace/a.py /workspace/c.py"),
    ]
    run = traj.steps[calls[1].pair]
    assert (run.call_id, run.exit_code, run.is_error, run.text) == ("toolu_02", 1, True, "mv: cannot move")
    assert traj.steps[calls[1].index - 1].text == "Now rename it."  # args.thought precedes the call


def test_v0_list_task_trust_model_and_finish() -> None:
    (traj,) = list(read([DIR / "trajectory.json"]))
    assert traj.task == "Please rename a.py to b.py" and traj.steps[0].trust is Trust.PERSON
    recall = next(s for s in traj.steps if "git mv" in s.text)
    assert recall.trust is Trust.INJECTED
    assert traj.model == "claude-3-5-sonnet-20241022"
    assert traj.steps[-1].role is Role.ASSISTANT and traj.steps[-1].text == "The file is renamed."
    assert traj.metadata["finished"] is True
    assert not any("BIG" in s.text for s in traj.steps)  # model_response never copied


def test_v0_session_folder_is_one_trajectory_in_numeric_order() -> None:
    (traj,) = list(read([DIR / "sessions"]))
    assert traj.native_id == "5e1f0c"
    assert traj.steps[-1].text == "All 3 tests pass."  # 10.json sorts after 2.json
    assert traj.steps[0].source is not None and traj.steps[0].source.record == "events/0.json"
    assert (traj.outcome, traj.outcome_source) == (Outcome.SUCCESS, "tests")


def test_v1_conversation_folder() -> None:
    (traj,) = list(read([DIR / "v1conv"]))
    assert traj.native_id == "0a1b2c3d-0000-4000-8000-000000000001"
    assert traj.model == "litellm_proxy/claude-sonnet-4-5" and traj.skills_used == ["cli-conventions"]
    calls = by_kind(traj, StepKind.TOOL_CALL)
    assert [(c.tool_name, c.text) for c in calls] == [
        ("execute_bash", "grep -n argparse cli.py"),
        ("str_replace_editor", "view /repo/missing.py"),
    ]
    error = traj.steps[calls[1].pair]
    assert error.is_error and error.text == "File /repo/missing.py does not exist"  # AgentErrorEvent
    assert traj.steps[calls[0].pair].exit_code == 0
    assert traj.steps[-1].text == "Added --verbose."


def test_v1_events_folder_named_directly_and_detect_dir(tmp_path: Path) -> None:
    assert oh.detect_dir(DIR / "v1conv" / "0a1b2c3d") and oh.detect_dir(
        DIR / "v1conv" / "0a1b2c3d" / "events"
    )
    assert not oh.detect_dir(DIR) and not oh.detect_dir(tmp_path)
    (traj,) = list(read([DIR / "v1conv" / "0a1b2c3d" / "events"]))
    assert traj.native_id == "0a1b2c3d-0000-4000-8000-000000000001"


def test_eval_output_jsonl_outcome_from_test_result_wins_over_tests() -> None:
    first, second = list(read([DIR / "output.jsonl"]))
    assert (first.native_id, first.repository, first.model) == ("acme__dates-12", "acme/dates", "gpt-4o")
    assert first.task == "parse_date() crashes on an empty string"
    assert (first.outcome, first.outcome_source) == (Outcome.SUCCESS, "log:test_result")  # last pytest failed
    assert first.steps[0].source is not None and first.steps[0].source.line == 1
    assert second.outcome is Outcome.UNKNOWN and second.metadata["error"] == "agent stuck in loop"
    assert [s.text for s in second.steps] == ["go"]  # [action, observation] pairs are flattened


def test_folder_ids_are_content_hashes(tmp_path: Path) -> None:
    shutil.copytree(DIR / "sessions" / "5e1f0c", tmp_path / "other")
    report = IngestReport()
    (a,) = list(read([tmp_path / "other"], report))
    (b,) = list(read([DIR / "sessions" / "5e1f0c"]))
    assert a.id == b.id and report.stats("openhands").files == 1
