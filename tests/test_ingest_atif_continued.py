"""ATIF ``continued_trajectory_ref``: Harbor's Terminus writes ``agent/trajectory.cont-1.json``, ``-2`` …
when it summarises its context; the segments are one run, read as one trajectory (each segment's copy
of the context it starts from left out), with the trial's outcome, and never read again on their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, read
from skillforge.model import Outcome, StepKind


def segment(n: int, next_ref: str | None, copied: bool) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    if copied:  # the context the segment starts from: a copy of the task and a summary
        steps += [
            {"step_id": 1, "source": "user", "message": "Fix the CSV header.", "is_copied_context": True},
            {"step_id": 2, "source": "agent", "message": "Summary so far.", "is_copied_context": True},
        ]
    else:
        steps.append({"step_id": 1, "source": "user", "message": "Fix the CSV header."})
    steps.append(
        {
            "step_id": len(steps) + 1,
            "source": "agent",
            "message": f"segment {n}",
            "tool_calls": [
                {
                    "tool_call_id": f"c{n}",
                    "function_name": "bash",
                    "arguments": {"command": f"pytest -k s{n}"},
                }
            ],
            "observation": {"results": [{"source_call_id": f"c{n}", "content": f"{n} passed"}]},
        }
    )
    doc: dict[str, Any] = {
        "schema_version": "ATIF-v1.6",
        "session_id": f"run-7-{n}",
        "agent": {"name": "terminus-2", "version": "2.0"},
        "steps": steps,
    }
    if next_ref is not None:
        doc["continued_trajectory_ref"] = next_ref
    return doc


def calls(traj: Any) -> list[str]:
    """The segment each tool call came from (its command's last word)."""
    return [s.input["command"].split()[-1] for s in traj.steps if s.kind is StepKind.TOOL_CALL]


def trial(root: Path, refs: list[str | None], reward: float | None = 1.0) -> Path:
    """A Harbor trial whose trajectory.json continues in trajectory.cont-1.json … (refs[i]: the ref the
    i-th document carries)."""
    agent = root / "jobs" / "job-1" / "trial-1" / "agent"
    agent.mkdir(parents=True)
    for n, ref in enumerate(refs):
        name = "trajectory.json" if n == 0 else f"trajectory.cont-{n}.json"
        (agent / name).write_text(json.dumps(segment(n, ref, copied=n > 0), indent=2))
    if reward is not None:
        result = {"verifier_result": {"rewards": {"reward": reward}}}
        (agent.parent / "result.json").write_text(json.dumps(result))
    return agent


def test_continuations_are_read_as_one_trajectory_in_order(tmp_path: Path) -> None:
    trial(tmp_path, ["trajectory.cont-1.json", "trajectory.cont-2.json", None])
    report = IngestReport()
    [traj] = list(read([tmp_path / "jobs"], report))
    assert traj.native_id == "run-7-0" and traj.outcome is Outcome.SUCCESS
    assert calls(traj) == ["s0", "s1", "s2"]
    results = [s for s in traj.steps if s.kind is StepKind.TOOL_RESULT]
    assert [(traj.steps[r.pair].input["command"], r.text) for r in results if r.pair is not None] == [
        ("pytest -k s0", "0 passed"),
        ("pytest -k s1", "1 passed"),
        ("pytest -k s2", "2 passed"),
    ]
    assert not any("Summary so far" in s.text for s in traj.steps)  # the copied context is left out
    assert [s.text for s in traj.steps].count("Fix the CSV header.") == 1
    assert traj.metadata["continued_in"] == ["trajectory.cont-1.json", "trajectory.cont-2.json"]
    stats = report.formats["atif"]
    assert stats.ignored["continued trajectory file (read as part of the trajectory.json it continues)"] == 2
    assert stats.ignored["context copied into a continued trajectory"] == 4
    assert not stats.skipped


def test_the_first_document_named_alone_brings_its_continuations(tmp_path: Path) -> None:
    agent = trial(tmp_path, ["trajectory.cont-1.json", None])
    [traj] = list(read([agent / "trajectory.json"]))
    assert calls(traj) == ["s0", "s1"]


def test_a_continuation_nothing_names_is_read_on_its_own(tmp_path: Path) -> None:
    trial(tmp_path, [None, None])  # trajectory.json does not name trajectory.cont-1.json
    found = sorted(t.native_id or "" for t in read([tmp_path / "jobs"]))
    assert found == ["run-7-0", "run-7-1"]


@pytest.mark.parametrize(
    ("refs", "reason"),
    [
        (["../../../outside.json", None], "continued trajectory path outside the log's folder"),
        (["/etc/passwd", None], "continued trajectory path outside the log's folder"),
        (["trajectory.cont-9.json", None], "continued trajectory file not found"),
        (["a\x00b", None], "continued trajectory path unusable"),
    ],
)
def test_a_bad_continuation_costs_one_line_not_the_trajectory(
    tmp_path: Path, refs: list[str | None], reason: str
) -> None:
    (tmp_path / "jobs" / "job-1").mkdir(parents=True)
    (tmp_path / "jobs" / "job-1" / "outside.json").write_text(json.dumps(segment(5, None, copied=False)))
    trial(tmp_path, refs)
    report = IngestReport()
    found = {t.native_id: t for t in read([tmp_path / "jobs"], report)}
    assert "run-7-0" in found and found["run-7-0"].outcome is Outcome.SUCCESS
    assert report.formats["atif"].skipped[reason] == 1
    assert all("\n" not in line for line in report.problem_lines())


def test_a_loop_of_continuations_ends(tmp_path: Path) -> None:
    trial(tmp_path, ["trajectory.cont-1.json", "trajectory.json"])  # cont-1 points back at the first
    [traj] = list(read([tmp_path / "jobs"]))
    assert calls(traj) == ["s0", "s1"]


def test_an_unreadable_continuation_keeps_the_steps_before_it(tmp_path: Path) -> None:
    agent = trial(tmp_path, ["trajectory.cont-1.json", None])
    (agent / "trajectory.cont-1.json").write_text('{"schema_version": "ATIF-v1.6", "steps": [')
    report = IngestReport()
    [traj] = list(read([tmp_path / "jobs"], report))
    assert calls(traj) == ["s0"]
    assert report.formats["atif"].skipped["unreadable continued trajectory"] == 1


@pytest.mark.parametrize("spoil", ["bom", "latin-1"])
def test_a_first_document_with_a_bom_or_latin_1_still_owns_its_continuation(
    tmp_path: Path, spoil: str
) -> None:
    first = trial(tmp_path, ["trajectory.cont-1.json", None]) / "trajectory.json"
    data = first.read_bytes()
    first.write_bytes(b"\xef\xbb\xbf" + data if spoil == "bom" else data.replace(b"header.", b"header \xe9."))
    assert [calls(t) for t in read([tmp_path / "jobs"])] == [["s0", "s1"]]  # not also cont-1 alone


def test_a_jsonl_line_naming_a_continuation_does_not_follow_it(tmp_path: Path) -> None:
    (tmp_path / "trajectory.cont-1.json").write_text(json.dumps(segment(1, None, copied=True)))
    lines = [json.dumps(segment(0, "trajectory.cont-1.json", copied=False)) for _ in range(3)]
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")
    report = IngestReport()
    found = list(read([tmp_path], report))
    assert sorted(map(calls, found)) == [["s0"], ["s0"], ["s0"], ["s1"]]  # the segment once, on its own
    assert report.formats["atif"].ignored["continued_trajectory_ref in a JSONL document (not followed)"] == 3


def test_subagents_of_a_continuation_are_read_and_linked(tmp_path: Path) -> None:
    agent = trial(tmp_path, ["trajectory.cont-1.json", None])
    cont = json.loads((agent / "trajectory.cont-1.json").read_text())
    embedded = {**segment(8, None, copied=False), "trajectory_id": "summariser"}
    cont["subagent_trajectories"] = [embedded]
    cont["steps"][-1]["observation"]["results"][0]["subagent_trajectory_ref"] = [
        {"trajectory_path": "summary.json"}
    ]
    (agent / "trajectory.cont-1.json").write_text(json.dumps(cont))
    (agent / "summary.json").write_text(json.dumps(segment(9, None, copied=False)))
    for given in (agent / "trajectory.json", tmp_path / "jobs"):
        found = {tuple(calls(t)): t for t in read([given])}
        assert set(found) == {("s0", "s1"), ("s8",), ("s9",)}, given
        assert found[("s8",)].parent_id == found[("s9",)].parent_id == "run-7-0"


def test_a_continuation_named_alone_says_which_file_to_read(tmp_path: Path) -> None:
    agent = trial(tmp_path, ["trajectory.cont-1.json", None])
    report = IngestReport()
    assert list(read([agent / "trajectory.cont-1.json"], report)) == []
    [line] = [p for p in report.problem_lines() if "trajectory.cont-1.json" in p]
    assert "read through" in line and "trajectory.json" in line and "\n" not in line
