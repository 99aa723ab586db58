"""``ingest --json`` on a large session: the trajectory's steps are redacted and written one by one, never
held whole as a tree of dicts plus a redacted copy plus one bytes buffer (issue 17 measured 710 MB of
peak memory on one 108 MB Claude Code file; ``benchmarks/ingest_large_file.py`` measures it now)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from skillforge import console
from skillforge.app import load_settings
from skillforge.app.ingest import IngestArgs, run
from tests.attack import builders as b

KEY = "sk-ant-api03-" + "Q" * 90  # an Anthropic key shape the redactor knows


def session(tmp_path: Path, n: int = 30) -> Path:
    events = [ev for i in range(n) for ev in (b.call(f"cat part{i}.txt"), b.result(f"line {i}\n" * 50))]
    events += [b.call("env"), b.result(f"ANTHROPIC_API_KEY={KEY}\n")]
    b.write("claude-code", tmp_path, b.Run("big-1", "Read every part", events))
    return tmp_path


def test_the_json_sink_gets_its_steps_lazily_and_redacted(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    run(load_settings(), IngestArgs(paths=(str(session(tmp_path)),), to="json", sink=seen.append))
    (record,) = seen
    assert isinstance(record["steps"], Iterator)  # not a list built for the whole session
    steps = list(record["steps"])
    assert len(steps) >= 62 and all(isinstance(s, dict) and "kind" in s for s in steps)
    assert KEY not in orjson.dumps(steps).decode() and "line 29" in orjson.dumps(steps).decode()


@pytest.mark.parametrize(
    "record",
    [
        {"id": "a", "steps": iter([{"i": 1}, {"i": 2, "t": "é\n"}]), "outcome": "ok"},
        {"steps": iter([])},
        {"id": "a", "steps": iter([[1, 2], None]), "n": {1: "x"}},
        {"plain": [1, 2]},
    ],
)
def test_a_streamed_record_is_the_same_json_line(
    record: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {k: list(v) if isinstance(v, Iterator) else v for k, v in record.items()}
    record = {k: iter(expected[k]) if isinstance(v, Iterator) else v for k, v in record.items()}
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    console.print_jsonl(record)
    sys.stdout.flush()
    line = out.getvalue()
    assert line == orjson.dumps(expected, option=orjson.OPT_NON_STR_KEYS) + b"\n"
    assert json.loads(line) == json.loads(orjson.dumps(expected, option=orjson.OPT_NON_STR_KEYS))


def test_ingest_json_prints_one_valid_line_per_trajectory(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(session(tmp_path)), "--json")
    lines = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    assert len(lines) == 1 and len(lines[0]["steps"]) >= 62
    assert KEY not in result.out
