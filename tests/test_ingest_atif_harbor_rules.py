"""ATIF as Harbor's own models define it (harbor 0.26.0, ``harbor/models/trajectories``): the rules its
pydantic models enforce, checked on every document ``--to atif`` writes, and the shapes Harbor's agents
write that the reader must pair (its ``navigator`` agent writes results with no ``source_call_id``)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, read
from skillforge.ingest.atif_write import to_atif
from skillforge.model import StepKind, Trajectory

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
# the fields each of Harbor's models allows (all of them ``extra="forbid"``), and those it requires
ROOT = {
    "schema_version",
    "session_id",
    "trajectory_id",
    "agent",
    "steps",
    "notes",
    "final_metrics",
    "continued_trajectory_ref",
    "extra",
    "subagent_trajectories",
}
AGENT = {"name", "version", "model_name", "tool_definitions", "extra"}
STEP = {
    "step_id",
    "timestamp",
    "source",
    "model_name",
    "reasoning_effort",
    "message",
    "reasoning_content",
    "tool_calls",
    "observation",
    "metrics",
    "is_copied_context",
    "llm_call_count",
    "extra",
}
AGENT_ONLY = {"model_name", "reasoning_effort", "reasoning_content", "tool_calls", "metrics"}
CALL = {"tool_call_id", "function_name", "arguments", "extra"}
RESULT = {"source_call_id", "content", "subagent_trajectory_ref"}
FINAL = {"total_prompt_tokens", "total_completion_tokens", "total_cached_tokens", "total_cost_usd"}


def harbor_errors(doc: dict[str, Any]) -> list[str]:
    """What Harbor's ``Trajectory.model_validate`` would refuse in ``doc`` (empty: it validates)."""
    errors = [f"root field {k}" for k in set(doc) - ROOT]
    agent = doc.get("agent")
    if not isinstance(agent, dict) or not isinstance(agent.get("name"), str):
        errors.append("agent.name")
    elif not isinstance(agent.get("version"), str) or set(agent) - AGENT:
        errors.append("agent.version or an agent field")
    if not set(doc.get("final_metrics") or {}) <= FINAL | {"total_steps", "extra"}:
        errors.append("final_metrics field")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        return [*errors, "steps: at least one"]
    for n, step in enumerate(steps, 1):
        errors += [f"step {n}: {e}" for e in _step_errors(step, n)]
    return errors


def _step_errors(step: dict[str, Any], n: int) -> list[str]:
    errors = [f"field {k}" for k in set(step) - STEP]
    if step.get("step_id") != n:
        errors.append(f"step_id {step.get('step_id')}")
    if step.get("source") not in ("system", "user", "agent"):
        errors.append("source")
    elif step["source"] != "agent" and AGENT_ONLY & {k for k, v in step.items() if v is not None}:
        errors.append("an agent-only field on a non-agent step")
    if not isinstance(step.get("message"), str | list):
        errors.append("message")
    if step.get("timestamp") is not None:
        try:
            datetime.fromisoformat(step["timestamp"].replace("Z", "+00:00"))
        except (AttributeError, ValueError):
            errors.append(f"timestamp {step['timestamp']!r}")
    calls = step.get("tool_calls") or []
    for call in calls:
        if set(call) - CALL or not isinstance(call.get("arguments"), dict):
            errors.append("tool call")
        if not isinstance(call.get("tool_call_id"), str) or not isinstance(call.get("function_name"), str):
            errors.append("tool call id or name")
    ids = {c.get("tool_call_id") for c in calls}
    for result in (step.get("observation") or {}).get("results", []):
        if set(result) - RESULT:
            errors.append("observation result field")
        if result.get("source_call_id") is not None and result["source_call_id"] not in ids:
            errors.append(f"source_call_id {result['source_call_id']} not in the step's tool_calls")
    return errors


def _doc(steps: list[dict[str, Any]], **root: Any) -> dict[str, Any]:
    return {
        "schema_version": "ATIF-v1.6",
        "session_id": "trial-7",
        "agent": {"name": "navigator", "version": "0.1.0", "model_name": "vendor/model-x"},
        "steps": steps,
        **root,
    }


def _agent(n: int, calls: list[tuple[str, str]], results: list[Any]) -> dict[str, Any]:
    """An agent step as Harbor's navigator writes it: calls, then results with no ``source_call_id``."""
    return {
        "step_id": n,
        "timestamp": f"2026-03-01T09:00:{n:02d}+00:00",
        "source": "agent",
        "model_name": "vendor/model-x",
        "message": "",
        "tool_calls": [{"tool_call_id": i, "function_name": f, "arguments": {}} for i, f in calls],
        "observation": {"results": [{"content": r} for r in results]},
        "metrics": {"prompt_tokens": 100 * n, "completion_tokens": 9},
    }


def _read(tmp_path: Path, doc: dict[str, Any], name: str = "trajectory.json") -> Trajectory:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    report = IngestReport()
    [traj] = list(read([path], report))
    assert not report.problems
    return traj


NAVIGATOR = [
    {"step_id": 1, "source": "user", "message": "Write the incident report."},
    _agent(2, [("c_shot", "computer_screenshot")], [[{"type": "text", "text": "[screen]"}]]),
    _agent(3, [("c_run", "terminal_run_command")], ["report.txt written"]),
    _agent(4, [("c_a", "computer_key"), ("c_b", "computer_click")], ["pressed", "clicked"]),
]


@pytest.mark.parametrize("general", [False, True], ids=["schema-decoded", "general"])
def test_results_without_source_call_id_pair_with_the_steps_calls_in_order(
    tmp_path: Path, general: bool
) -> None:
    steps = [dict(s) for s in NAVIGATOR]
    if not general:  # every result content a string: the document fits the decoded schema
        steps[1] = _agent(2, [("c_shot", "computer_screenshot")], ["[screen]"])
    traj = _read(tmp_path, _doc(steps, **({"producer_field": 1} if general else {})))
    pairs = {s.call_id: traj.steps[s.pair].text for s in traj.tool_calls if s.pair is not None}
    assert pairs == {
        "c_shot": "[screen]",
        "c_run": "report.txt written",
        "c_a": "pressed",
        "c_b": "clicked",
    }


def test_results_named_and_unnamed_and_a_count_that_does_not_match(tmp_path: Path) -> None:
    one = _agent(2, [("c1", "bash"), ("c2", "bash")], ["out 2", "out 1"])
    one["observation"]["results"][1]["source_call_id"] = "c1"  # named: the unnamed one takes c2
    many = _agent(3, [("c3", "bash_command"), ("c4", "bash_command")], ["both outputs, one screen"])
    traj = _read(tmp_path, _doc([{"step_id": 1, "source": "user", "message": "go"}, one, many]))
    by_id = {s.call_id: s for s in traj.tool_calls}
    assert traj.steps[by_id["c1"].pair].text == "out 1" and traj.steps[by_id["c2"].pair].text == "out 2"
    # Terminus writes one terminal screen for several keystroke calls: it answers none of them alone
    assert by_id["c3"].pair is None and by_id["c4"].pair is None
    assert [s.text for s in traj.steps if s.kind is StepKind.TOOL_RESULT][-1] == "both outputs, one screen"


def test_every_written_document_passes_harbors_model_rules() -> None:
    for traj in read([FIXTURES]):
        assert harbor_errors(to_atif(traj)) == [], traj.source


def test_a_result_whose_call_is_in_an_earlier_step_is_written_valid_and_reads_back(tmp_path: Path) -> None:
    doc = _doc(
        [
            {"step_id": 1, "source": "user", "message": "list"},
            {
                "step_id": 2,
                "source": "agent",
                "message": "",
                "tool_calls": [{"tool_call_id": "A", "function_name": "ls", "arguments": {}}],
            },
            {"step_id": 3, "source": "agent", "message": "while that runs"},
            {
                "step_id": 4,
                "source": "agent",
                "message": "",
                "observation": {"results": [{"source_call_id": "A", "content": "a.py"}]},
            },
        ]
    )  # NeMo's shape: Harbor's validator refuses it, skillforge reads it
    first = _read(tmp_path, doc)
    written = to_atif(first)
    assert harbor_errors(written) == []
    again = _read(tmp_path, written, "again.json")
    assert [(s.kind, s.text, s.pair, s.call_id) for s in again.steps] == [
        (s.kind, s.text, s.pair, s.call_id) for s in first.steps
    ]
    assert again.steps[again.tool_calls[0].pair].text == "a.py"


def test_a_trajectory_without_steps_is_written_with_one_empty_step(tmp_path: Path) -> None:
    empty = _read(tmp_path, _doc([{"step_id": 1, "source": "agent", "message": ""}]))
    assert empty.steps == []
    written = to_atif(empty)
    assert harbor_errors(written) == [] and written["final_metrics"]["total_steps"] == 1
    assert _read(tmp_path, written, "again.json").steps == []


def test_timestamps_that_are_not_iso_stay_in_the_notes_only(tmp_path: Path) -> None:
    doc = _doc(
        [
            {"step_id": 1, "source": "user", "message": "go", "timestamp": "Mon, 01 Jan 2026 10:00:00 GMT"},
            {"step_id": 2, "source": "agent", "message": "on it", "timestamp": "1767261600000"},
            {"step_id": 3, "source": "agent", "message": "done", "timestamp": "2026-01-01T10:00:02Z"},
        ]
    )
    first = _read(tmp_path, doc)
    written = to_atif(first)
    assert harbor_errors(written) == []
    assert [s.get("timestamp") for s in written["steps"]] == [None, None, "2026-01-01T10:00:02Z"]
    again = _read(tmp_path, written, "again.json")
    assert [s.timestamp for s in again.steps] == [s.timestamp for s in first.steps]
    assert again.steps[0].timestamp == "Mon, 01 Jan 2026 10:00:00 GMT"
