"""The hook's input is read with a size limit and a deadline (issue 17): an agent that keeps stdin
open without end of file, or sends too much, cannot hold the hook."""

from __future__ import annotations

import os
import time

import pytest

from skillforge.safety.stdin import read_bounded


def test_reads_to_end_of_file() -> None:
    r, w = os.pipe()
    os.write(w, b'{"prompt": "fix the export"}')
    os.close(w)
    assert read_bounded(r, 1024, 2.0) == b'{"prompt": "fix the export"}'
    os.close(r)


def test_open_stdin_without_end_of_file_times_out() -> None:
    r, w = os.pipe()
    os.write(w, b'{"prompt": "half an event')
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        read_bounded(r, 1024, 0.3)
    assert time.monotonic() - start < 5  # bounded by the deadline, not by the writer
    os.close(w)
    os.close(r)


def test_too_much_input_is_refused() -> None:
    r, w = os.pipe()
    os.write(w, b"x" * 5000)
    os.close(w)
    with pytest.raises(ValueError, match="larger than 4096"):
        read_bounded(r, 4096, 2.0)
    os.close(r)


def test_a_whole_document_needs_no_end_of_file() -> None:
    r, w = os.pipe()
    os.write(w, b'{"prompt": "fix the export"}\n')
    whole = read_bounded(r, 1024, 5.0, complete=lambda data: data.strip().endswith(b'"}'))
    assert whole == b'{"prompt": "fix the export"}\n'
    os.close(w)
    os.close(r)
