"""Hostile or odd input files: each gets a one-line reason or is read, and the rest of the input is read.

A FIFO is refused (opening it would block), a ``.jsonl.gz`` is read decompressed, an OpenHands
``events/`` folder does not hide the logs beside it, one NUL byte costs one line (not the whole file),
and a file name that is not UTF-8 is shown escaped instead of raising."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from skillforge.ingest import IngestReport, read
from tests.attack import builders as b

EVENTS = [b.user("Fix it"), b.call("python -m pytest -q"), b.result("5 passed in 0.1s"), b.say("Fixed.")]


def claude_log(folder: Path, run_id: str = "r-1") -> Path:
    b.write("claude-code", folder, b.Run(run_id, "Fix the CSV export", EVENTS))
    return next(folder.rglob("*.jsonl"))


def read_all(*paths: Path) -> tuple[list[object], IngestReport]:
    report = IngestReport()
    return list(read([str(p) for p in paths], report)), report


def test_a_fifo_is_refused_in_one_line_and_the_rest_is_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    logs = tmp_path / "logs"
    claude_log(logs)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    res = cli("ingest", str(fifo), str(logs))  # a writer never comes: reading it would hang
    assert res.code == 3
    lines = [line for line in res.err.splitlines() if "pipe.jsonl" in line]
    assert len(lines) == 1 and "FIFO" in lines[0]
    assert "claude-code" in res.out


def test_a_gzipped_log_is_read_and_named(tmp_path: Path) -> None:
    log = claude_log(tmp_path / "logs")
    packed = log.with_name(log.name + ".gz")
    packed.write_bytes(gzip.compress(log.read_bytes()))
    log.unlink()
    trajs, report = read_all(tmp_path / "logs")
    assert len(trajs) == 1 and not report.problems
    assert trajs[0].source == str(packed)  # type: ignore[attr-defined]
    assert all(s.source is None or s.source.file == str(packed) for s in trajs[0].steps)  # type: ignore[attr-defined]


def test_a_broken_gzip_gets_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "run.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"a": 1}\n' * 100)[:40])
    trajs, report = read_all(bad)
    assert trajs == []
    assert [str(p) for p in report.problems] and "gzip" in str(report.problems[0])
    assert str(report.problems[0]).startswith(str(bad))


def test_an_events_folder_does_not_hide_logs_beside_it(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    claude_log(root)
    events = root / "events"
    events.mkdir()
    (events / "0.json").write_text(
        json.dumps({"id": 0, "source": "user", "action": "message", "args": {"content": "Fix the bug"}})
    )
    trajs, report = read_all(root)
    assert sorted(report.formats) == ["claude-code", "openhands"]
    assert len(trajs) == 2


def test_one_nul_line_costs_one_line(tmp_path: Path) -> None:
    log = claude_log(tmp_path / "logs")
    with log.open("ab") as fh:
        fh.write(b'{"type": "user", "x": "\x00\x00"}\n')
    trajs, report = read_all(log)
    assert len(trajs) == 1
    assert report.formats["claude-code"].files == 1
    assert any(":" in str(p) for p in report.problems) or sum(report.formats["claude-code"].skipped.values())


def test_a_real_binary_file_is_still_binary(tmp_path: Path) -> None:
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(bytes(range(256)) * 8)
    trajs, report = read_all(blob)
    assert trajs == [] and "binary" in str(report.problems[0])


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="macOS refuses names that are not UTF-8")
def test_a_name_that_is_not_utf8_is_escaped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = claude_log(tmp_path / "logs")
    os.rename(log, os.fsencode(log.parent) + b"/bad\xffname.jsonl")
    res = cli("ingest", str(tmp_path / "logs"), "--json")
    assert res.code == 0, res.err
    record = json.loads(res.out.splitlines()[0])
    assert record["source"].endswith("bad\\xffname.jsonl")
    assert "Traceback" not in res.err


def test_the_binary_test_samples_the_first_8_kib() -> None:
    """A NUL inside the first 8 KiB is weighed (many make the head binary), one beyond it is not seen."""
    from skillforge.ingest.opening import is_binary

    text = b'{"a": 1}\n' * 2000
    assert not is_binary(text)
    assert is_binary(b"\x00" * 200 + text)  # NULs: more than 1 in 64 of the sample
    assert not is_binary(text[:8191] + b"\x00" + text)  # one NUL in a line-broken text stays text
    assert is_binary(b"\x00" * 8192) and not is_binary(b"x" * 8192 + b"\x00" * 9000)
