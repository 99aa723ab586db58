"""Reading a SKILL.md for the route index: the fields route needs, fast, with the document module's rules.

The common SKILL.md (a regular file in a regular folder, front matter without YAML anchors, aliases
or tags) is read with libyaml directly; anything else goes through
:func:`skillforge.skills.document.load`, which applies every check and raises the precise
:class:`~skillforge.skills.document.DocumentError`. Both paths give the same fields for the same file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_UNSAFE_YAML = ("&", "*", "!")  # anchors, aliases, tags: the slow path refuses them with a reason


@dataclass(slots=True)
class SkillFields:
    name: str
    description: str
    body: str
    scope: str


def read(folder: Path) -> SkillFields:
    """The fields of ``folder/SKILL.md`` (raises ``DocumentError`` or ``OSError`` like the document
    module when the skill cannot be read)."""
    fast = _fast(folder)
    if fast is not None:
        return fast
    from skillforge.skills.document import load

    skill = load(folder)
    return SkillFields(skill.name, skill.description, skill.body, skill.meta("scope"))


def _fast(folder: Path) -> SkillFields | None:
    import yaml

    from skillforge.skills.document import MAX_FRONT_MATTER, MAX_SKILL_FILE, DocumentError, split_front_matter

    path = folder / "SKILL.md"
    try:
        if os.path.islink(folder) or os.path.islink(path) or os.path.getsize(path) > MAX_SKILL_FILE:
            return None
        text = path.read_text(encoding="utf-8")
        yaml_text, body, _ = split_front_matter(text, str(path))
    except (OSError, UnicodeDecodeError, DocumentError):
        return None
    if len(yaml_text) > MAX_FRONT_MATTER or any(c in yaml_text for c in _UNSAFE_YAML):
        return None
    try:
        data = yaml.load(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    data = {} if data is None else data
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(metadata or {}, dict):
        return None
    return SkillFields(_str(data.get("name")), _str(data.get("description")), body,
                       _str((metadata or {}).get("skillforge-scope")))


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
