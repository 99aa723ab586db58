"""Bad input: every problem is one line naming the file (and line), everything readable is still read,
the exit code is PARTIAL, and there is never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillforge.errors import ExitCode
from skillforge.ingest import read

BAD = Path(__file__).parent / "fixtures" / "ingest" / "bad"
GOOD = Path(__file__).parent / "fixtures" / "ingest" / "interchange" / "runs.jsonl"


def ingest(cli, *paths: Path):  # type: ignore[no-untyped-def]
    res = cli("ingest", *paths, "--json")
    assert "Traceback" not in res.err and "Traceback" not in res.out
    trajs = [json.loads(line) for line in res.out.splitlines() if line.strip()]
    return res, trajs


def lines_naming(err: str, name: str) -> list[str]:
    return [line for line in err.splitlines() if name in line]


@pytest.mark.parametrize(
    ("name", "message", "read_count"),
    [
        ("truncated.jsonl", "truncated.jsonl:2: truncated line", 1),
        ("bad-line.jsonl", "bad-line.jsonl:2: invalid JSON", 2),
        ("latin1.jsonl", "latin1.jsonl:1: not UTF-8; read as Latin-1", 1),
        ("utf16.jsonl", "utf16.jsonl: UTF-16 text, not UTF-8", 0),
        ("binary.jsonl", "binary.jsonl: binary file, not an agent log", 0),
        ("empty.jsonl", "empty.jsonl: empty file", 0),
        ("notes.json", "notes.json: not a known agent log format", 0),
    ],
)
def test_each_bad_file_gets_one_line_and_the_rest_is_read(
    cli,
    name: str,
    message: str,  # type: ignore[no-untyped-def]
    read_count: int,
) -> None:
    res, trajs = ingest(cli, BAD / name)
    assert res.code == ExitCode.PARTIAL
    (line,) = lines_naming(res.err, name)
    assert message in line
    assert len(trajs) == read_count


def test_latin1_text_is_decoded() -> None:
    (traj,) = list(read([BAD / "latin1.jsonl"]))
    assert traj.task == "Renommer le module café"


def test_truncated_json_document_names_the_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = (Path(__file__).parent / "fixtures" / "ingest" / "swe_agent" / "run-1.1.traj").read_text()
    cut = tmp_path / "cut.traj"
    cut.write_text(doc[: len(doc) // 2])
    res, trajs = ingest(cli, cut)
    (line,) = lines_naming(res.err, "cut.traj")
    assert res.code == ExitCode.PARTIAL and trajs == []
    assert "cut.traj:" in line and "truncated" in line


def test_unexpected_shapes_never_raise(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    odd = tmp_path / "odd.traj.json"
    odd.write_text(
        json.dumps(
            {
                "info": {"mini_version": 3, "config": "x"},
                "messages": [
                    5,
                    {"role": "assistant", "content": None, "tool_calls": "oops"},
                    {"role": "tool", "content": [1, 2]},
                ],
                "trajectory_format": "mini-swe-agent-1.1",
            }
        )
    )
    res, trajs = ingest(cli, odd)
    assert len(trajs) == 1 and res.code == ExitCode.PARTIAL
    (line,) = lines_naming(res.err, "odd.traj.json")
    assert "non-object message: messages[0] is int" in line


def test_a_folder_mixing_good_and_bad_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("truncated.jsonl", "binary.jsonl", "empty.jsonl", "utf16.jsonl"):
        shutil.copy(BAD / name, tmp_path / name)
    shutil.copy(GOOD, tmp_path / "good.jsonl")
    res, trajs = ingest(cli, tmp_path)
    assert res.code == ExitCode.PARTIAL
    assert len(trajs) == 4  # 3 good lines + the intact first line of the truncated file
    for name in ("truncated.jsonl:2", "binary.jsonl", "empty.jsonl", "utf16.jsonl"):
        assert len(lines_naming(res.err, name)) == 1
    assert not lines_naming(res.err, "good.jsonl")


def test_a_clean_run_exits_ok(cli) -> None:  # type: ignore[no-untyped-def]
    res, trajs = ingest(cli, GOOD)
    assert res.code == ExitCode.OK and len(trajs) == 3 and "warning" not in res.err


def test_a_missing_path_is_an_error_not_a_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("ingest", tmp_path / "nope.jsonl")
    assert res.code == ExitCode.ERROR and "nope.jsonl: no such file or folder" in "".join(res.err.split("\n"))
    assert "Traceback" not in res.err


_MEASURE = """
import resource, sys
from skillforge.ingest import IngestReport, read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = IngestReport()
trajs = list(read([sys.argv[1]], report))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(trajs), len(report.problems), max(len(s.text) for s in trajs[0].steps), grown * 1024)
"""


def test_a_50_mb_line_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Peak memory measured in a fresh process (tracemalloc overstates orjson's buffer growth)."""
    size = 50 * 2**20
    big = tmp_path / "big.jsonl"
    record = {
        "trajectory_id": "big",
        "user_task": "t",
        "task_history": [{"role": "user", "content": "t"}, {"role": "assistant", "content": "x" * size}],
        "reward": 1,
    }
    big.write_bytes(json.dumps(record).encode() + b"\n" + GOOD.read_bytes())
    del record
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(big)], capture_output=True, text=True, check=True
    )
    count, problems, longest, grown = (int(x) for x in out.stdout.split())
    assert (count, problems) == (4, 0)
    assert longest < 200_000  # the huge field is clipped
    assert grown < 4 * size  # the line, its parsed text and little else


def test_utf16_without_a_byte_order_mark_is_named(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "export.jsonl"
    plain.write_bytes(GOOD.read_text().encode("utf-16-le"))
    res, trajs = ingest(cli, plain)
    (line,) = lines_naming(res.err, "export.jsonl:")
    assert res.code == ExitCode.PARTIAL and trajs == []
    assert "UTF-16 text" in line and "iconv -f UTF-16 -t UTF-8 'export.jsonl'" in line
