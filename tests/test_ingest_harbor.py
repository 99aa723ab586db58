"""Harbor trial folders (the reward in ``result.json`` as the outcome, the trial's other files passed over),
ATIF v1.7 embedded subagent trajectories, ``--from`` for the new agents, and ``--format atif`` given by
mistake for ``--to atif``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillforge.errors import InputError
from skillforge.ingest import IngestReport, default_folder, read
from skillforge.model import Outcome

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def document(**extra: Any) -> dict[str, Any]:
    return {
        "schema_version": "ATIF-v1.7",
        "session_id": "run-42",
        "agent": {"name": "opencode", "version": "1.2.3"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "Make the failing test pass."},
            {
                "step_id": 2,
                "source": "agent",
                "message": "Done.",
                "tool_calls": [
                    {"tool_call_id": "c1", "function_name": "task", "arguments": {"prompt": "review"}}
                ],
                "observation": {
                    "results": [
                        {
                            "source_call_id": "c1",
                            "content": "ok",
                            "subagent_trajectory_ref": [{"trajectory_id": "sub-1"}],
                        }
                    ]
                },
            },
        ],
        **extra,
    }


def trial(root: Path, result: Any, reward_txt: str | None = None) -> Path:
    folder = root / "jobs" / "job-1" / "trial-1"
    (folder / "agent").mkdir(parents=True)
    (folder / "agent" / "trajectory.json").write_text(json.dumps(document(), indent=2))
    if result is not None:
        (folder / "result.json").write_text(json.dumps(result))
    (folder / "config.json").write_text(json.dumps({"agent": {"name": "opencode"}}))
    (folder / "trial.log").write_text("started\n")
    (root / "jobs" / "job-1" / "result.json").write_text(json.dumps({"stats": {"n_trials": 1}}))
    if reward_txt is not None:
        (folder / "verifier").mkdir()
        (folder / "verifier" / "reward.txt").write_text(reward_txt)
    return folder


@pytest.mark.parametrize(("reward", "outcome"), [(1.0, Outcome.SUCCESS), (0, Outcome.FAILURE)])
def test_result_json_reward_is_the_outcome(tmp_path: Path, reward: float, outcome: Outcome) -> None:
    result = {
        "task_name": "fix-cart",
        "verifier_result": {"rewards": {"reward": reward}},
        "exception_info": {"exception_type": "AgentTimeoutError"},
    }
    trial(tmp_path, result, reward_txt="0.0" if reward else "1.0")  # result.json wins over reward.txt
    report = IngestReport()
    (traj,) = read([tmp_path], report)
    assert traj.outcome is outcome and traj.outcome_source == "harbor:result.json"
    assert traj.metadata["reward"] == reward and traj.metadata["harbor_exception"] == "AgentTimeoutError"
    assert not report.problems and not report.unrecognised
    # result.json and config.json, trial.log, the job's result.json, the verifier's reward.txt
    assert report.passed_over["Harbor trial or job file (the trajectory is in agent/)"] == 5


def test_reward_txt_when_result_json_has_no_reward(tmp_path: Path) -> None:
    trial(tmp_path, {"verifier_result": None}, reward_txt="1.0\n")
    (traj,) = read([tmp_path])
    assert traj.outcome is Outcome.SUCCESS and traj.outcome_source == "harbor:reward"


def test_verifier_reward_json_and_the_verifier_folder_passed_over(tmp_path: Path) -> None:
    folder = trial(tmp_path, None)  # no result.json: the trial stopped before Harbor wrote it
    (folder / "verifier").mkdir()
    (folder / "verifier" / "reward.json").write_text('{"reward": 0.75}\n')  # what Harbor's verifier reads
    (folder / "verifier" / "ctrf.json").write_text('{"results": {"tests": []}}')
    report = IngestReport()
    (traj,) = read([tmp_path], report)
    assert traj.outcome is Outcome.SUCCESS and traj.outcome_source == "harbor:reward"
    assert traj.metadata["reward"] == 0.75
    assert not report.unrecognised and not report.problems
    assert report.passed_over["Harbor trial or job file (the trajectory is in agent/)"] == 5


def test_embedded_subagent_trajectories_are_linked(tmp_path: Path) -> None:
    sub = {**document(), "trajectory_id": "sub-1", "session_id": "run-42-sub"}
    sub["steps"] = [
        {"step_id": 1, "source": "user", "message": "review"},
        {"step_id": 2, "source": "agent", "message": "fine"},
    ]
    path = tmp_path / "trajectory.json"
    path.write_text(json.dumps(document(subagent_trajectories=[sub, "not a document"])))
    report = IngestReport()
    main, child = read([path], report)
    assert main.native_id == "run-42" and main.parent_id is None
    assert child.parent_id == "run-42" and child.native_id == "run-42-sub" and child.task == "review"
    assert child.id != main.id and child.metadata["subagent"] == "subagent"
    assert report.formats["atif"].skipped["not an ATIF document"] == 1


def test_from_copilot_and_opencode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "cp"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    (tmp_path / "cp" / "session-state").mkdir(parents=True)
    (tmp_path / "share" / "opencode").mkdir(parents=True)
    assert default_folder("copilot") == tmp_path / "cp" / "session-state"
    assert default_folder("opencode") == tmp_path / "share" / "opencode"
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="COPILOT_HOME"):
        default_folder("copilot")


def test_format_atif_on_other_logs_points_to_to_atif(cli: Any) -> None:
    res = cli("ingest", FIXTURES / "codex", "--format", "atif")
    assert res.code == 2 and "use --to atif" in res.err
    assert cli("ingest", FIXTURES / "codex", "--to", "atif").code == 0


def test_external_subagent_files_are_linked_and_paths_leaving_the_folder_refused(tmp_path: Path) -> None:
    job = tmp_path / "jobs" / "job-1"
    agent = job / "trial-1" / "agent"
    (agent / "subagents").mkdir(parents=True)
    sub = {**document(), "session_id": "run-42-sub"}
    sub["steps"] = [
        {"step_id": 1, "source": "user", "message": "review"},
        {"step_id": 2, "source": "agent", "message": "fine"},
    ]
    (agent / "subagents" / "sub-1.json").write_text(json.dumps(sub))  # one line: read as JSONL too
    (job / "outside.json").write_text(json.dumps({**sub, "session_id": "outside"}))
    (agent / "subagents" / "link.json").symlink_to(job / "outside.json")
    main = document()
    main["steps"][1]["observation"]["results"][0]["subagent_trajectory_ref"] = [
        {"trajectory_id": "sub-1", "trajectory_path": "subagents/sub-1.json"},
        {"trajectory_path": "../../outside.json"},
        {"trajectory_path": "/etc/passwd"},
        {"trajectory_path": "subagents/link.json"},  # a symlink out of the folder
        {"trajectory_path": "subagents/missing.json"},
        {"trajectory_path": "subagents/sub-1.json"},  # named twice: read once
    ]
    (agent / "trajectory.json").write_text(json.dumps(main, indent=2))
    report = IngestReport()
    found = list(read([tmp_path / "jobs"], report))
    by_id = {t.native_id: t for t in found if "link.json" not in t.source}
    assert sorted(t.native_id or "" for t in found) == ["outside", "outside", "run-42", "run-42-sub"]
    assert by_id["run-42-sub"].parent_id == "run-42" and by_id["run-42-sub"].task == "review"
    assert by_id["outside"].parent_id is None  # read on its own by the walk, not through the refused refs
    stats = report.formats["atif"]
    assert stats.skipped["subagent trajectory path outside the log's folder"] == 3
    assert stats.skipped["subagent trajectory file not found"] == 1
    assert stats.ignored["subagent trajectory file (read through the trajectory.json that refers to it)"] == 1
    problems = [p for p in report.problem_lines() if "refused" in p]
    assert len(problems) == 3 and all("\n" not in p for p in problems)
    assert any("../../outside.json refused" in p for p in problems)
    alone = list(read([agent / "trajectory.json"]))  # the parent named alone brings its subagent
    assert [(t.native_id, t.parent_id) for t in alone] == [("run-42", None), ("run-42-sub", "run-42")]


def _trial_with_refs(tmp_path: Path, refs: list[str], sub_prefix: bytes = b"") -> None:
    agent = tmp_path / "agent"
    (agent / "subagents").mkdir(parents=True)
    main = document()
    main["steps"][1]["observation"]["results"][0]["subagent_trajectory_ref"] = [
        {"trajectory_path": r} for r in refs
    ]
    (agent / "trajectory.json").write_text(json.dumps(main, indent=2))
    sub = {**document(), "session_id": "run-42-sub"}
    sub["steps"] = [
        {"step_id": 1, "source": "user", "message": "review"},
        {"step_id": 2, "source": "agent", "message": "fine"},
    ]
    (agent / "subagents" / "sub-1.json").write_bytes(sub_prefix + json.dumps(sub, indent=2).encode())


@pytest.mark.parametrize("bad", ["a\x00b", "x" * 5000])
def test_an_unusable_subagent_path_costs_one_line_not_the_document(tmp_path: Path, bad: str) -> None:
    _trial_with_refs(tmp_path, [bad, "subagents/sub-1.json"])
    report = IngestReport()
    ids = sorted(t.native_id or "" for t in read([tmp_path], report))
    assert ids == ["run-42", "run-42-sub"], report.problem_lines()


def test_a_subagent_file_with_a_bom_is_read_through_its_parent(tmp_path: Path) -> None:
    _trial_with_refs(tmp_path, ["subagents/sub-1.json"], b"\xef\xbb\xbf")
    report = IngestReport()
    ids = sorted(t.native_id or "" for t in read([tmp_path], report))
    assert ids == ["run-42", "run-42-sub"], report.problem_lines()
