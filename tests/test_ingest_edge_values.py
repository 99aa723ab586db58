"""Values the schema-decoding readers must take as the general JSON path did: Latin-1 bytes in fields
kept raw, integers beyond 64 bits, nesting deeper than msgspec goes, fields of an unexpected type."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from skillforge.ingest import IngestReport, read
from skillforge.ingest.mini_swe_agent import split_observation
from skillforge.model import StepKind

SWE = Path(__file__).parent / "fixtures" / "ingest" / "swe_agent" / "acme__dates-12.traj"


def _read(path: Path) -> tuple[list, IngestReport]:  # type: ignore[type-arg]
    report = IngestReport()
    return list(read([path], report)), report


def _claude_line(uuid: str, parent: str | None, kind: str, content: object, **extra: object) -> bytes:
    record = {
        "parentUuid": parent,
        "isSidechain": False,
        "sessionId": "s-1",
        "cwd": "/w",
        "version": "2.1.0",
        "uuid": uuid,
        "timestamp": "2026-01-01T00:00:00Z",
        "type": kind,
        "message": {"role": kind, "id": f"m-{uuid}", "content": content},
        **extra,
    }
    return json.dumps(record).encode() + b"\n"


def test_a_latin1_byte_in_a_swe_agent_history_text_is_read_as_latin1(tmp_path: Path) -> None:
    doc = json.loads(SWE.read_text())
    first_user = next(h for h in doc["history"] if h["role"] == "user")
    first_user["content"] = "Fix the caf\u00e9 dates " + first_user["content"]
    path = tmp_path / "latin.traj"
    path.write_bytes(json.dumps(doc).encode().replace(b"caf\\u00e9", b"caf\xe9"))
    (traj,), report = _read(path)
    assert not [p for p in report.problems if p.fatal]
    assert any("caf\u00e9 dates" in step.text for step in traj.steps)


def test_integers_beyond_64_bits_are_read_and_written_back(tmp_path: Path) -> None:
    big = 10**30
    lines = _claude_line("u1", None, "user", "list the files")
    lines += _claude_line(
        "a1",
        "u1",
        "assistant",
        [
            {
                "type": "tool_use",
                "id": "t1",
                "name": "Read",
                "input": {"file_path": "/w/a.py", "offset": big},
            },
            {"type": "tool_use", "id": "t2", "name": "Bash", "input": {"command": "ls", "timeout": big}},
        ],
    )
    lines += _claude_line(
        "u2",
        "a1",
        "user",
        [
            {"type": "tool_result", "tool_use_id": "t1", "content": "x"},
            {"type": "tool_result", "tool_use_id": "t2", "content": "a.py"},
        ],
        toolUseResult={"stdout": "a.py", "exitCode": big, "interrupted": False},
    )
    path = tmp_path / "session.jsonl"
    path.write_bytes(lines)
    (traj,), report = _read(path)
    assert not report.problems
    calls = [s for s in traj.steps if s.kind is StepKind.TOOL_CALL]
    assert [c.input.get("offset", c.input.get("timeout")) for c in calls] == [float(big), float(big)]
    assert {s.exit_code for s in traj.steps} <= {None, 0}  # 10**30 is no exit status a process can return
    assert orjson.loads(orjson.dumps(traj.to_dict()))["id"] == traj.id  # what `ingest --json` writes


def test_a_line_nested_too_deep_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    deep = b"[" * 1100 + b'"bottom"' + b"]" * 1100
    lines = _claude_line("u1", None, "user", "hello")
    lines += _claude_line(
        "a1", "u1", "assistant", [{"type": "text", "text": "hi"}], toolUseResult="DEEP"
    ).replace(b'"DEEP"', deep)
    lines += _claude_line("a2", "u1", "assistant", [{"type": "text", "text": "still here"}])
    path = tmp_path / "deep.jsonl"
    path.write_bytes(lines)
    (traj,), report = _read(path)
    assert [p.line for p in report.problems] == [2] and not report.problems[0].fatal
    assert [s.text for s in traj.steps][-1] == "still here"


def test_swe_agent_fields_of_an_unexpected_type_are_ignored(tmp_path: Path) -> None:
    doc = json.loads(SWE.read_text())
    expected, _ = _read(SWE)
    for field, value in (("attempts", 3), ("attempts", {}), ("trajectory", {})):
        odd = {**doc, field: value}
        path = tmp_path / f"{field}.traj"
        path.write_text(json.dumps(odd))
        (traj,), report = _read(path)
        assert not [p for p in report.problems if p.fatal], (field, value)
        assert "attempts" not in traj.metadata
        assert traj.steps and (field != "attempts" or len(traj.steps) == len(expected[0].steps))


def test_a_return_code_no_process_could_give_is_unknown() -> None:
    assert split_observation("<returncode>99999999999999999999</returncode>\nout") == (None, "out")
    assert split_observation("<returncode>-1</returncode>\nout") == (-1, "out")
