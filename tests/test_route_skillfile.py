"""The route index's fast front-matter reader agrees with YAML, and hands anything unusual to libyaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skillforge.route.skillfile import read, simple_yaml

PLAIN = [
    "name: pdf-tools\ndescription: Fill PDF forms. Use when a form must be filled, signed, or merged.",
    'name: a\ndescription: "Quoted, with: a colon and a # hash"\nmetadata:\n  skillforge-scope: repository:acme/x',
    "name: b\ndescription: 'single (quoted) text'\nlicense: MIT\n\nmetadata:\n  skillforge-level: plan",
    "name: c\ndescription:   trailing spaces are trimmed   ",
]
TRICKY = [
    "name: on",  # a YAML boolean
    "name: 1.10",  # a float: YAML reads 1.1
    "description: >\n  folded text",
    "description: |\n  literal",
    'description: "escaped \\" quote"',
    "description: it's: two colons",
    "tags:\n  - a\n  - b",
    "metadata:\n    deep: indentation",
    "description: text # a comment",
    "name: a\nname: b",
    "description: 'it''s'",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_front_matter_reads_as_yaml_does(text: str) -> None:
    assert simple_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", TRICKY)
def test_unusual_front_matter_goes_to_libyaml(text: str) -> None:
    assert simple_yaml(text) is None


def test_read_gives_the_same_fields_on_both_paths(tmp_path: Path) -> None:
    plain, tricky = tmp_path / "plain", tmp_path / "tricky"
    plain.mkdir()
    tricky.mkdir()
    (plain / "SKILL.md").write_text(
        "---\nname: plain\ndescription: Plain text.\nmetadata:\n  skillforge-scope: tool:git\n---\n# Body\n"
    )
    (tricky / "SKILL.md").write_text(
        "---\nname: tricky\ndescription: >\n  Folded\n  text.\nmetadata:\n"
        "  skillforge-scope: tool:git\n---\n# Body\n"
    )
    a, b = read(plain), read(tricky)
    assert (a.description, a.scope, a.body) == ("Plain text.", "tool:git", "# Body\n")
    assert (b.description, b.scope, b.body) == ("Folded text.\n", "tool:git", "# Body\n")
