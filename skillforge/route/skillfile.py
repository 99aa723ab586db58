"""Reading a SKILL.md for the route index: the fields route needs, fast, with the document module's rules.

The common SKILL.md (a regular file in a regular folder, front matter without YAML anchors, aliases
or tags) is read with libyaml directly; anything else goes through
:func:`skillforge.skills.document.load`, which applies every check and raises the precise
:class:`~skillforge.skills.document.DocumentError`. Both paths give the same fields for the same file.
"""

from __future__ import annotations

import os
import re
import stat
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

    base = os.fspath(folder)
    path = os.path.join(base, "SKILL.md")
    try:
        st = os.lstat(path)  # a FIFO or device (open would block or never end) goes to the slow path
        if os.path.islink(base) or not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SKILL_FILE:
            return None
        with open(path, encoding="utf-8") as f:
            text = f.read()
        yaml_text, body, _ = split_front_matter(text, path)
    except (OSError, UnicodeDecodeError, DocumentError):
        return None
    if len(yaml_text) > MAX_FRONT_MATTER or any(c in yaml_text for c in _UNSAFE_YAML):
        return None
    data = simple_yaml(yaml_text)
    if data is None:
        try:
            data = yaml.load(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return None
    data = {} if data is None else data
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(metadata or {}, dict):
        return None
    return SkillFields(
        _str(data.get("name")),
        _str(data.get("description")),
        body,
        _str((metadata or {}).get("skillforge-scope")),
    )


_KEY = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(?: (.*))?$")
_PLAIN = re.compile(r"[A-Za-z_][^#\[\]{}&*!|>'\"%@`\\]*")
_SPECIAL = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def simple_yaml(text: str) -> dict[str, Any] | None:
    """The front matter as YAML would read it, for the plain shape most SKILL.md files have (``key:
    value`` lines, one ``metadata:`` level indented by two spaces, plain, single- or double-quoted
    one-line strings); None for anything else, which then goes to libyaml."""
    out: dict[str, Any] = {}
    current: dict[str, Any] = out
    for line in text.split("\n"):
        if not line.strip():
            continue
        nested = line.startswith("  ") and not line.startswith("   ")
        if nested and current is out:
            return None
        if not nested:
            current = out
        m = _KEY.fullmatch(line[2:] if nested else line)
        if m is None:
            return None
        key, raw = m.group(1), (m.group(2) or "").strip()
        if key in current:
            return None
        if not raw:
            if nested or key != "metadata":
                return None
            current = out[key] = {}
            continue
        value = _scalar(raw)
        if value is None:
            return None
        current[key] = value
    return out


def _scalar(raw: str) -> str | None:
    if "\t" in raw or "\r" in raw:
        return None
    quote = raw[0]
    if quote in "\"'":
        body = raw[1:-1]
        if len(raw) < 2 or raw[-1] != quote or quote in body or "\\" in body:
            return None  # escapes and embedded quotes: leave them to libyaml
        return body
    if not _PLAIN.fullmatch(raw) or raw.lower() in _SPECIAL or ": " in raw or raw.endswith(":"):
        return None
    return raw


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
