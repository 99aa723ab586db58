"""The shortcuts the warm validate run takes give the answers of the slow forms they replace: a file's
suffix without pathlib, the folder walk that calls realpath only on links, the findings rebuilt from the
cache without redacting again, and the sibling skills found without resolving every folder."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from skillforge import config
from skillforge.fsutil import agent_files
from skillforge.skills.rules import safety
from skillforge.skills.rules.safety import PROSE_SUFFIXES, is_script
from skillforge.skills.validate import validate_paths

NAMES = [
    "SKILL.md",
    "references/notes.MD",
    "scripts/run.py",
    ".md",
    ".env",
    "foo.",
    "a.tar.gz",
    "dir.d/file",
    "dir.md/run",
    "scripts\\win.PS1",
    "notes\\guide.markdown",
    "README",
    "x/.hidden.txt",
    "..",
    "a..b",
    "",
]


@pytest.mark.parametrize("name", NAMES)
def test_is_script_reads_the_suffix_as_pathlib_does(name: str) -> None:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    assert is_script(name) is (suffix not in PROSE_SUFFIXES)


def walk_by_realpath(folder: Path) -> list[str]:
    """agent_files' listing as the walk that resolved every folder (the form it replaced)."""
    top = os.path.realpath(folder)
    seen, stack, out = {top}, [""], []
    while stack:
        here = stack.pop()
        entries = sorted(os.scandir(os.path.join(folder, here)), key=lambda e: e.name)
        dirs = []
        for entry in entries:
            rel = f"{here}/{entry.name}" if here else entry.name
            if not entry.is_dir():
                out.append(rel)
            elif entry.name not in (".git", "__pycache__"):
                real = os.path.realpath(entry.path)
                if entry.is_symlink() and (top + os.sep).startswith(real.rstrip(os.sep) + os.sep):
                    out.append(rel + " (ancestor)")
                elif real not in seen:
                    seen.add(real)
                    dirs.append(rel)
        stack.extend(reversed(dirs))
    return out


def test_the_walk_follows_each_folder_once_through_links(tmp_path: Path) -> None:
    real_root = tmp_path / "real"
    skill = real_root / "skill"
    for rel in ("zeta/a.md", "zeta/deep/b.md", "refs/c.md", "outside/d.md"):
        (skill / rel).parent.mkdir(parents=True, exist_ok=True)
        (skill / rel).write_text("x\n")
    (skill / "alias").symlink_to("zeta", target_is_directory=True)  # before its target in name order
    (skill / "refs" / "again").symlink_to("../zeta/deep", target_is_directory=True)
    (skill / "refs" / "up").symlink_to("../..", target_is_directory=True)  # holds the skill folder
    (tmp_path / "via").symlink_to(real_root, target_is_directory=True)  # the skill reached through a link
    for folder in (skill, tmp_path / "via" / "skill"):
        listed = [
            rel + (" (ancestor)" if why.startswith("links a folder") else "")
            for rel, why in agent_files(folder)
        ]
        assert listed == walk_by_realpath(folder)
        assert "alias/a.md" in listed and "zeta/a.md" not in listed  # the folder once, by its first name
        assert "refs/again/b.md" not in listed and "refs/up (ancestor)" in listed


AWS = "AKIA" + "Q3EGRZ7VN2XK4PLM"  # split so no scanner flags this test file itself


def make_library(root: Path) -> Path:
    for name, body in {
        "deploy-app": f"# Deploy\n\nexport AWS_ACCESS_KEY_ID={AWS}\n",
        "format-code": "# Format\n\nRun `make fmt`.\n",
    }.items():
        folder = root / "skills" / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: Do {name}. Use when asked.\n---\n\n{body}"
        )
        (folder / "notes.txt").write_text(f"token={AWS}\n")
    return root


def test_findings_from_the_cache_are_the_redacted_ones(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib")
    safety.clear_cache()
    cold = [f.to_dict() for f in validate_paths([lib], use_cache=True).findings]
    assert (config.cache_dir() / "findings" / "validate.json").is_file()
    safety.clear_cache()
    warm = [f.to_dict() for f in validate_paths([lib], use_cache=True).findings]
    assert warm == cold
    secrets = [f for f in warm if f["rule"] == "SF501"]
    assert len(secrets) == 3 and all(AWS not in str(f) for f in warm)


def test_a_single_skill_is_still_compared_with_its_siblings(tmp_path: Path) -> None:
    lib = make_library(tmp_path / "lib")
    twin = lib / "skills" / "format-code-again"
    twin.mkdir()
    text = (
        (lib / "skills" / "format-code" / "SKILL.md")
        .read_text()
        .replace("name: format-code", "name: format-code-again")
    )
    (twin / "SKILL.md").write_text(text)
    alone = validate_paths([twin / "SKILL.md"]).findings
    assert {f.rule for f in alone} >= {"SF302"}  # the duplicate of a sibling it was not named with
    whole = validate_paths([lib]).findings
    assert len([f for f in whole if f.rule == "SF302"]) == 1  # named together: reported once, on one
