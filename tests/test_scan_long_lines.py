"""``scan`` on awkward files: one huge line is read in overlapping pieces (memory stays flat, a secret cut
between two pieces is still found, with its line number), and a file it cannot read (a FIFO, a broken
gzip) is named under ``skipped`` while the scan goes on."""

from __future__ import annotations

import gzip
import os
import tracemalloc
from pathlib import Path

from skillforge.safety import scan
from skillforge.safety.scan import CHUNK, scan_paths

TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4"


def test_a_secret_at_the_end_of_a_huge_line_is_found_with_flat_memory(tmp_path: Path) -> None:
    log = tmp_path / "one-line.jsonl"
    with log.open("w") as fh:
        fh.write('{"first": 1}\n')
        fh.write('{"output": "' + "lorem ipsum " * (CHUNK // 2) + f'token {TOKEN}"}}\n')
        fh.write('{"last": 2}\n')
    tracemalloc.start()
    report = scan_paths([log])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(f.line, f.kind) for f in report.findings] == [(2, "github-token")]
    assert TOKEN not in str(report.to_dict())
    assert peak < 12 * CHUNK  # the line is 6 chunks long: read in pieces, never whole with copies


def test_a_secret_cut_between_two_pieces_is_found(tmp_path: Path) -> None:
    log = tmp_path / "cut.jsonl"
    head = "x" * (CHUNK - 10)  # the token straddles the first piece's end
    log.write_text(head + " " + TOKEN + " " + "y" * CHUNK + "\nsecond line\n")
    report = scan_paths([log])
    assert {f.kind for f in report.findings} == {"github-token"}
    assert {f.line for f in report.findings} == {1}


def test_line_numbers_after_a_long_line(tmp_path: Path) -> None:
    log = tmp_path / "after.jsonl"
    log.write_text("z" * (3 * CHUNK) + "\nplain\n" + f"GITHUB_TOKEN={TOKEN}\n")
    assert [f.line for f in scan_paths([log]).findings] == [3]


def test_unreadable_files_are_named_and_the_scan_goes_on(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    os.mkfifo(logs / "a-pipe.jsonl")
    (logs / "b-broken.jsonl.gz").write_bytes(gzip.compress(b"x" * 5000)[:30])
    (logs / "c-good.jsonl").write_text(f"GITHUB_TOKEN={TOKEN}\n")
    report = scan_paths([logs])
    assert [f.file for f in report.findings] == [str(logs / "c-good.jsonl")]
    names = " ".join(report.skipped)
    assert "a-pipe.jsonl" in names and "b-broken.jsonl.gz" in names
    assert all(len(s.splitlines()) == 1 for s in report.skipped)


def test_a_fifo_named_directly_does_not_abort_the_scan(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    good = tmp_path / "good.jsonl"
    good.write_text(f"token: {TOKEN}\n")
    report = scan_paths([fifo, good])
    assert len(report.findings) == 1 and "pipe.jsonl" in report.skipped[0]
    assert scan.OVERLAP < CHUNK
