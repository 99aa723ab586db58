"""validate on odd links and odd text: emoji codes printed as written, the platform separator when a link is checked for leaving its folder, a %00 in one link that must not hide the other findings."""

from __future__ import annotations

import ntpath
import shutil
import types
from pathlib import Path

import pytest

from skillforge.skills.rules import structure

GOOD = Path(__file__).parent / "fixtures" / "skills" / "good"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_emoji_codes_in_findings_are_printed_verbatim(cli, tmp_path: Path, fmt: str) -> None:
    """rich's emoji replacement is on (markup=False does not turn it off): ':x:' in a link becomes ❌."""
    shutil.copytree(GOOD, tmp_path / "lib")
    skill = tmp_path / "lib" / "skills" / "git-bisect" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nSee [the notes](:x:notes.md).\n")
    result = cli("validate", tmp_path / "lib", "--format", fmt)
    assert "❌" not in result.out
    assert "':x:notes.md' points to a missing file" in result.out


def test_inside_uses_the_platform_separator(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows (simulated with ntpath) a link inside the folder is reported as leaving it:
    _inside compares with real_folder + '/', realpath there uses backslashes."""
    monkeypatch.setattr(structure, "os", types.SimpleNamespace(path=ntpath, sep="\\"))
    folder = "C:\\lib\\skills\\sk"
    _parts, path, why = structure._inside(folder, ntpath.realpath(folder), "references/a.md")
    assert why is None and path is not None


def test_a_nul_escape_in_one_link_does_not_hide_the_other_findings(tmp_path: Path) -> None:
    from skillforge.skills.validate import validate_paths

    shutil.copytree(GOOD, tmp_path / "lib")
    skill = tmp_path / "lib" / "skills" / "git-bisect" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nSee [a](a%00b.md) and [b](missing.md).\n")
    rules = {f.rule for f in validate_paths([tmp_path / "lib"]).findings}
    assert "SF210" in rules  # missing.md is still reported
