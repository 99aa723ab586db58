"""Comparing two line-per-record dumps (findings, trajectories) written before and after a change, for
``findings_same.py`` and ``ingest_same.py``: the same bytes, or the first lines gone and new."""

from __future__ import annotations

import sys
from pathlib import Path


def compare(text: str, old_path: Path, what: str, shown: int = 10) -> None:
    """Print whether ``text`` equals the dump at ``old_path``; exit 1 with a sample of ``what`` (e.g.
    "findings") gone and new when it does not."""
    old = old_path.read_text(encoding="utf-8")
    if old == text:
        print(f"identical to {old_path} ({len(text.encode())} bytes)")
        return
    old_lines, new_lines = old.splitlines(), text.splitlines()
    old_set, new_set = set(old_lines), set(new_lines)
    gone = [line for line in old_lines if line not in new_set]
    added = [line for line in new_lines if line not in old_set]
    print(f"DIFFERENT: {len(gone)} {what} gone, {len(added)} new")
    for line in gone[:shown]:
        print("-", line[:400])
    for line in added[:shown]:
        print("+", line[:400])
    sys.exit(1)
