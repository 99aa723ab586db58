"""The wheel ships what an installed skillforge needs: the top-level templates/ folder, as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skillforge import templates

ROOT = Path(__file__).resolve().parents[1]


def test_a_source_checkout_reads_the_top_level_templates() -> None:
    assert templates.BUILTIN == ROOT / "templates"
    assert (ROOT / "templates" / "prompts" / "analyst.j2").is_file()
    assert not list((ROOT / "skillforge").rglob("*.j2")), "prompts live in templates/, not in the package"


@pytest.mark.slow
def test_the_wheel_ships_every_template_where_the_loader_looks(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".j2")}
    wanted = {
        f"skillforge/templates/builtin/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates").rglob("*.j2")
    }
    assert wanted and shipped == wanted
