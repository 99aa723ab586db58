"""Ctrl-C while ``ingest --json`` / ``--to atif`` streams to stdout: the stream ends with its last
whole line and the message ("nothing was half-written") is true (user18 A3: the last line was cut
mid-record, 560 KB of invalid JSON with no newline, under that same message)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from skillforge import console
from skillforge.cli.boundary import guard
from tests.attack import builders as b


def large_sessions(folder: Path, runs: int = 6, calls: int = 1500) -> Path:
    """``runs`` Claude Code sessions of ``calls`` commands with ~1 KB of output each: every record is
    a JSON line of a few MB, so a Ctrl-C sent once output starts lands in the middle of one."""
    for r in range(runs):
        events = [
            ev for i in range(calls) for ev in (b.call(f"cat part{i}.txt"), b.result(f"row {i} " * 150))
        ]
        b.write("claude-code", folder / f"s{r}", b.Run(f"big{r}", f"Read every part of batch {r}", events))
    return folder


@pytest.mark.parametrize("output", [["--json"], ["--to", "atif"]])
def test_ctrl_c_while_streaming_leaves_only_whole_json_lines(tmp_path: Path, output: list[str]) -> None:
    logs = large_sessions(tmp_path / "logs")
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillforge", "ingest", str(logs), *output],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.read1(65536)  # the stream has started: a line is going out
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = first + rest
    assert proc.returncode == 130, err.decode()
    assert b"interrupted; nothing was half-written" in err and b"Traceback" not in err
    assert first and out.endswith(b"\n")
    lines = out.splitlines()
    assert 1 <= len(lines) < 6  # interrupted: some records, not all
    for line in lines:
        record = orjson.loads(line)  # every line is a whole JSON document
        assert len(record["steps"]) >= 1500


@pytest.fixture
def python_ctrl_c() -> object:
    """Python's own Ctrl-C handler (KeyboardInterrupt), as a command line has it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
    console._cut["line"] = False


def test_a_ctrl_c_during_a_held_write_waits_for_its_end(python_ctrl_c: object) -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), console.ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)
        done.append("after the signal")  # the block goes on to its end
    assert done == ["after the signal"] and not console.output_cut()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_cuts_at_once_and_the_message_says_so(
    python_ctrl_c: object, capsys: pytest.CaptureFixture[str]
) -> None:
    done = []

    def stream() -> int:
        with console.ctrl_c_held():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
            done.append("after the second signal")
        return 0

    assert guard(stream) == 130
    assert not done and console.output_cut()
    err = capsys.readouterr().err
    assert "stdout ends with an incomplete line" in err and "nothing was half-written" not in err
