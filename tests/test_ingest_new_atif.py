"""ATIF round trip for the readers of 2026's agents (issue 18): what OpenCode (both SQLite generations and
the JSON tree) and Cursor (the IDE database) logs read as comes back the same after --to atif."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import read
from skillforge.ingest.atif_write import to_atif
from tests.test_ingest_cursor import state_db
from tests.test_ingest_opencode import database, tree


def _key(t: Any) -> dict[str, Any]:
    d = t.to_dict()
    for name in ("id", "source", "format"):
        d.pop(name)
    for step in d["steps"]:
        step.pop("source", None)
    d["metadata"] = {k: v for k, v in d.get("metadata", {}).items() if not k.startswith("original_")}
    return d


BUILDS: dict[str, Callable[[Path], Path]] = {
    "opencode-sqlite-v1": lambda tmp: database(tmp / "opencode.db"),
    "opencode-sqlite-v2": lambda tmp: database(tmp / "opencode.db", v2=True),
    "opencode-json-tree": lambda tmp: tree(tmp / "storage"),
    "cursor-ide": lambda tmp: state_db(tmp / "state.vscdb"),
}


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_new_formats_survive_an_atif_round_trip(tmp_path: Path, name: str) -> None:
    (tmp_path / "in").mkdir()
    first = list(read([BUILDS[name](tmp_path / "in")]))
    assert first and any(t.steps for t in first)
    out = tmp_path / "runs.atif.jsonl"
    out.write_text("".join(json.dumps(to_atif(t)) + "\n" for t in first))
    again = list(read([out]))
    assert [_key(t) for t in again] == [_key(t) for t in first]
