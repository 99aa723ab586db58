"""The plain JSONL interchange format (SkillX shape plus OpenAI-style tool calls)."""

from __future__ import annotations

import json
from pathlib import Path

from skillforge.ingest import detect, read
from skillforge.model import Outcome, StepKind, Trust

RUNS = Path(__file__).parent / "fixtures" / "ingest" / "interchange" / "runs.jsonl"


def test_reward_maps_to_outcome() -> None:
    outcomes = [(t.native_id, t.outcome, t.outcome_source) for t in read([RUNS])]
    assert outcomes == [
        ("t-001", Outcome.SUCCESS, "log:reward"),
        ("t-002", Outcome.FAILURE, "log:reward"),
        ("t-003", Outcome.UNKNOWN, None),
    ]


def test_tool_calls_are_paired_with_exit_codes() -> None:
    first = next(iter(read([RUNS])))
    call = next(s for s in first.steps if s.kind is StepKind.TOOL_CALL)
    result = first.steps[call.pair]
    assert (call.tool_name, call.text, call.call_id) == ("bash", "pytest -q", "c1")
    assert (result.pair, result.exit_code, result.is_error) == (call.index, 1, True)


def test_fields_trust_and_lines() -> None:
    first = next(iter(read([RUNS])))
    assert (first.agent, first.model, first.task_id, first.repository) == (
        "my-agent",
        "gpt-5",
        "acme__dates-12",
        "acme/dates",
    )
    assert [s.trust for s in first.steps[:2]] == [Trust.INJECTED, Trust.PERSON]
    assert first.task == "Make parse_date accept empty strings"
    assert all(s.source is not None and s.source.line == 1 for s in first.steps)


def test_object_arguments_are_kept_and_shown() -> None:
    third = list(read([RUNS]))[2]
    call = next(s for s in third.steps if s.kind is StepKind.TOOL_CALL)
    assert call.input == {"path": "Makefile"} and call.text == '{"path":"Makefile"}'
    assert third.steps[call.pair].text == "all: build"


def test_ids_are_per_line_content_hashes(tmp_path: Path) -> None:
    lines = RUNS.read_text().splitlines()
    other = tmp_path / "x.jsonl"
    other.write_text(lines[1] + "\n")
    ids = [t.id for t in read([RUNS])]
    assert len(set(ids)) == 3 and next(iter(read([other]))).id == ids[1]


def test_detect_needs_task_history(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(json.dumps({"role": "user", "content": "hi"}) + "\n")
    assert detect(chat) is None
    assert detect(RUNS).FORMAT == "interchange"  # type: ignore[union-attr]
