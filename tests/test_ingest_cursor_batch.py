"""Cursor transcripts read in one batch (``reading.jsonl_whole_as``: the whole file decoded by one msgspec
call) give what the line-by-line path gives, and every file the batch path cannot read exactly as that path
does falls back to it: a bad line in the middle, blank lines, a BOM, CRLF, Latin-1, two records on a line,
a block of another shape, a tool input only msgspec reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, cursor, read
from skillforge.ingest.base import BOM, ParseContext
from skillforge.ingest.reading import jsonl_whole_as, log_id

TID = "3f0c9a1e-0000-4000-8000-000000000002"
PROMPT = {"role": "user", "message": {"content": "<user_query>fix cart.js</user_query>"}}
SHELL = {"type": "tool_use", "name": "Shell", "input": {"command": "npm test", "working_directory": "/r"}}
READ = {"type": "tool_use", "name": "Read", "input": {"path": "/r/cart.js", "limit": 20}}
TURN = {"type": "turn_ended", "status": "success"}


def line(obj: Any) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def assistant(*blocks: Any) -> bytes:
    return line({"role": "assistant", "message": {"content": list(blocks)}})


CLEAN = b"".join(
    [
        line(PROMPT),
        assistant({"type": "thinking", "thinking": "tests first"}, {"type": "text", "text": "Run."}, SHELL),
        assistant(READ, {"type": "image"}, {"type": "text", "text": "Read it."}),
        line({"role": "system", "message": {"content": []}}),
        line(TURN),
    ]
)
# each falls back to the line-by-line path, for the reason named
FALLBACKS = {
    "bad line in the middle": CLEAN.replace(line(TURN), b'{"role": "assistant", "mess\n' + line(TURN)),
    "blank line": CLEAN.replace(line(TURN), b"\n  \n" + line(TURN)),
    "BOM and CRLF": BOM + CLEAN.replace(b"\n", b"\r\n"),
    "Latin-1": CLEAN.replace(b"Run.", b"R\xe9sum\xe9"),
    "two records on a line": CLEAN.replace(b"}\n" + line(TURN), b"} " + line(TURN)),
    # as many records as lines: only the "} {" test sees it
    "two records on a line, one over two lines": CLEAN.replace(b'"Read it."}', b'"Read it."\n}').replace(
        b"}\n" + line(TURN), b"}" + line(TURN)
    ),
    "Latin-1 in a field not read": CLEAN.replace(b'"text": "Run."', b'"text": "Run.", "note": "\xe9"'),
    "a field the reader does not know": CLEAN.replace(
        b'"thinking": "tests first"', b'"thinking": "t", "sig": "x"'
    ),
    "a number only msgspec skips": CLEAN.replace(b'"status": "success"', b'"status": "success", "n": 1e400'),
    "record spanning two lines": CLEAN.replace(b'"Read it."}', b'"Read it."\n}'),
    "a block that is not an object": assistant("just text", {"type": "text", "text": "x"}),
    "a field of another type": assistant({"type": "text", "text": ["a", {"text": "b"}]}),
    "a record that is not an object": CLEAN + b"[1, 2]\n",
    "a number only msgspec reads": CLEAN + b'{"role": "assistant", "message": {"content": '
    b'[{"type": "tool_use", "name": "Grep", "input": {"n": 1e400}}]}}\n',
    "a truncated last line": CLEAN + b'{"role": "user", "message": {"content": "<user_query>x',
}


def write(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "agent-transcripts" / TID
    folder.mkdir(parents=True)
    path = folder / f"{TID}.jsonl"
    path.write_bytes(data)
    return path


def read_all(path: Path) -> tuple[list[dict[str, Any]], list[Any]]:
    report = IngestReport()
    trajs = [t.to_dict() for t in read([path], report)]
    stats = report.formats["cursor"]
    return trajs, [dict(stats.skipped), [(p.message, p.line) for p in report.problems], stats.steps]


def whole(path: Path) -> Any:
    data = path.read_bytes()
    return jsonl_whole_as(path, ParseContext(path=path, head=data[:65536], data=data), cursor._DECODER)


def test_clean_transcript_takes_the_batch_path_and_reads_as_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, CLEAN)
    batch = whole(path)
    assert batch is not None and len(batch[0]) == 5
    assert batch[1] == CLEAN.replace(b"\n", b"")  # what the per-line digest hashes
    trajs, figures = read_all(path)
    (traj,) = trajs
    assert traj["id"] == log_id(CLEAN.replace(b"\n", b""))
    assert [s["source"]["line"] for s in traj["steps"]] == [1, 2, 2, 2, 3, 3]
    assert figures[0] == {"unknown content block image": 1, "line without role and message content": 1}
    assert traj["metadata"]["turn_status"] == {"success": 1}
    monkeypatch.setattr(cursor, "jsonl_whole_as", lambda *a: None)
    assert read_all(path) == (trajs, figures)


# read by the batch path, and as the line path reads them
SAME = {
    "an integer orjson reads as a float": assistant(
        {"type": "tool_use", "name": "Grep", "input": {"n": 10**30}}
    ),
    "content as a string": line({"role": "assistant", "message": {"content": "done"}}),
    "null and missing fields": line({"role": "user", "message": {"content": None}})
    + assistant({"type": "tool_use", "input": None}, {"type": "thinking", "text": "t"}, {"type": None}),
}


@pytest.mark.parametrize("case", sorted(SAME))
def test_batch_path_reads_as_the_line_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = write(tmp_path, SAME[case])
    assert whole(path) is not None
    result = read_all(path)
    assert result[0]  # a trajectory was read
    monkeypatch.setattr(cursor, "jsonl_whole_as", lambda *a: None)
    assert read_all(path) == result


@pytest.mark.parametrize("case", sorted(FALLBACKS))
def test_what_the_batch_path_cannot_read_exactly_is_read_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = write(tmp_path, FALLBACKS[case])
    result = read_all(path)
    monkeypatch.setattr(cursor, "jsonl_whole_as", lambda *a: None)
    assert read_all(path) == result  # the same trajectories, ids, skips and problems


@pytest.mark.parametrize("case", sorted(set(FALLBACKS) - {"a number only msgspec reads"}))
def test_the_batch_decoder_refuses_what_it_cannot_read_exactly(tmp_path: Path, case: str) -> None:
    assert whole(write(tmp_path, FALLBACKS[case])) is None


def test_a_tool_input_orjson_refuses_restarts_line_by_line_counting_nothing_twice(tmp_path: Path) -> None:
    """msgspec skips over 1e400 inside a tool input; orjson (the line path) refuses the line."""
    path = write(tmp_path, FALLBACKS["a number only msgspec reads"])
    assert whole(path) is not None  # the batch decode itself succeeds; the reader then starts again
    (traj,), (skipped, problems, steps) = read_all(path)
    assert skipped == {
        "unknown content block image": 1,
        "line without role and message content": 1,
        "invalid JSON": 1,
    }
    assert [line for _, line in problems] == [3, 4, 6]
    assert steps == len(traj["steps"]) == 6


def test_bad_line_in_the_middle_is_skipped_counted_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, FALLBACKS["bad line in the middle"])
    (traj,), (skipped, problems, _) = read_all(path)
    assert skipped["invalid JSON"] == 1
    assert [line for message, line in problems if "invalid JSON" in message] == [5]
    assert traj["metadata"]["turn_status"] == {"success": 1}  # line 6, read after the bad one
    assert [s["source"]["line"] for s in traj["steps"]] == [1, 2, 2, 2, 3, 3]
    blank = write(tmp_path / "b", FALLBACKS["blank line"])
    (traj,), _ = read_all(blank)
    assert [s["source"]["line"] for s in traj["steps"]] == [1, 2, 2, 2, 3, 3]
