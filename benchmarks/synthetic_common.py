"""What the synthetic logs of ``benchmarks/ingest.py`` share: a test run's output (what tool results carry)
and writers of JSON / JSONL files that return the bytes written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTPUT = (
    "collected 12 items\n" + "tests/test_cart.py::test_total PASSED\n" * 40 + "1 failed, 11 passed in 0.4s\n"
)
THOUGHT = "The failing assertion compares a float total with a rounded string; check cart.py first. "


def write_jsonl(path: Path, lines: list[Any]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(x) + "\n" for x in lines)
    path.write_text(text)
    return len(text)


def write_doc(path: Path, value: Any, indent: int | None = None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=indent)
    path.write_text(text)
    return len(text)
