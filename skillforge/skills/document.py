"""SKILL.md documents: YAML front matter + markdown body <-> :class:`~skillforge.model.Skill`.

Reading is safe (size limit, no YAML tags, anchors or aliases) and lenient enough to report problems
rather than crash; writing emits plain block YAML that strict parsers (strictyaml, as used by
``skills-ref``) accept, with only the six spec keys at the top and skillforge's bookkeeping under
``metadata`` as ``skillforge-*`` string values. ``render(parse(text)) == text`` for any document
skillforge wrote, and every write is atomic.

skillforge's metadata keys: ``skillforge-id``, ``skillforge-version``, ``skillforge-level``
(plan | functional | atomic), ``skillforge-evidence`` (count of supporting trajectories),
``skillforge-updated`` (ISO date), ``skillforge-scope``, ``skillforge-locked`` ("true" = never edit),
``skillforge-utility`` (route feedback, 0..1), ``skillforge-uses``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from skillforge.errors import SkillforgeError
from skillforge.fsutil import atomic_write, safe_join
from skillforge.model import SPEC_KEYS, Skill

SKILL_FILE = "SKILL.md"
MAX_FRONT_MATTER = 64 * 1024
MAX_SKILL_FILE = 2 * 1024 * 1024

# libyaml's C scanner/loader/dumper are ~15x faster than the pure-Python ones (10,000-skill indexes)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class DocumentError(SkillforgeError):
    """A SKILL.md that cannot be read. ``line`` is 1-based within the file."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = f"{path}:{line}" if path and line else (path or "SKILL.md")
        super().__init__(f"{where}: {message}", "fix the front matter (see docs/library.md)")
        self.path = path
        self.line = line
        self.reason = message


def split_front_matter(text: str, path: str | None = None) -> tuple[str, str, int]:
    """Return (yaml_text, body, body_start_line). The front matter must open on line 1 with ``---``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise DocumentError("missing YAML front matter (the file must start with a '---' line)", path, 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            yaml_text = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1 :])
            return yaml_text, body, i + 2
    raise DocumentError("front matter is not closed by a '---' line", path, 1)


def safe_yaml(yaml_text: str, path: str | None = None) -> Any:
    """Load YAML refusing tags, anchors and aliases (alias bombs) and oversized input."""
    if len(yaml_text) > MAX_FRONT_MATTER:
        raise DocumentError(f"front matter is over {MAX_FRONT_MATTER // 1024} KiB", path, 2)
    try:
        for token in yaml.scan(yaml_text, Loader=_Loader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken | yaml.TagToken):
                kind = type(token).__name__.replace("Token", "").lower()
                raise DocumentError(
                    f"YAML {kind}s are not allowed in front matter", path, token.start_mark.line + 2
                )
        return yaml.load(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError(f"front matter is not valid YAML: {problem}", path, line) from None


def parse(text: str, path: str | None = None) -> Skill:
    """Parse a SKILL.md. Raises :class:`DocumentError` for unreadable files; keeps unknown keys in
    ``extra`` so validation can report them and writing does not lose them."""
    yaml_text, body, _ = split_front_matter(text, path)
    data = safe_yaml(yaml_text, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DocumentError("front matter must be a mapping of keys to values", path, 2)
    metadata_raw = data.get("metadata") or {}
    if not isinstance(metadata_raw, dict):
        raise DocumentError("'metadata' must be a mapping of strings to strings", path, 2)
    skill = Skill(
        name=_str(data.get("name")),
        description=_str(data.get("description")),
        body=body,
        license=_opt_str(data.get("license")),
        compatibility=_opt_str(data.get("compatibility")),
        allowed_tools=_opt_str(data.get("allowed-tools")),
        metadata={str(k): _str(v) for k, v in metadata_raw.items()},
        extra={k: v for k, v in data.items() if k not in SPEC_KEYS},
        path=str(Path(path).parent) if path else None,
    )
    return skill


def render(skill: Skill) -> str:
    """The SKILL.md text: plain block YAML front matter, then the body."""
    front: dict[str, Any] = {"name": skill.name, "description": skill.description}
    if skill.license:
        front["license"] = skill.license
    if skill.compatibility:
        front["compatibility"] = skill.compatibility
    if skill.allowed_tools:
        front["allowed-tools"] = skill.allowed_tools
    if skill.metadata:
        front["metadata"] = {str(k): str(v) for k, v in skill.metadata.items()}
    front.update(skill.extra)
    yaml_text = yaml.dump(
        front, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True, width=10_000
    )
    body = skill.body
    if body and not body.endswith("\n"):
        body += "\n"
    return f"---\n{yaml_text}---\n{body}"


def load(folder: Path) -> Skill:
    """Read ``folder/SKILL.md`` (the folder name is kept in ``skill.path``)."""
    path = folder / SKILL_FILE
    if not path.is_file():
        raise DocumentError("no SKILL.md in this folder", str(folder))
    _refuse_links_out(folder, path)
    if path.stat().st_size > MAX_SKILL_FILE:
        raise DocumentError(f"SKILL.md is over {MAX_SKILL_FILE // 2**20} MiB", str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError("SKILL.md is not UTF-8 text", str(path)) from None
    skill = parse(text, str(path))
    skill.path = str(folder)
    return skill


def _refuse_links_out(folder: Path, path: Path) -> None:
    """A skill folder or SKILL.md that is a symlink out of the library is never read (it could
    expose any file on the machine to an agent)."""
    real_folder = folder.resolve()
    if real_folder.parent != folder.parent.resolve():
        raise DocumentError(
            "the skill folder is a symlink out of its library; replace it by a real folder", str(folder)
        )
    if path.resolve().parent != real_folder:
        raise DocumentError(
            "SKILL.md is a symlink out of its skill folder; replace it by a real file", str(path)
        )


def save(skills_root: Path, skill: Skill) -> Path:
    """Write ``skills_root/<name>/SKILL.md`` and the skill's extra files, each atomically.

    The name and every file path are checked so that nothing lands outside the skill's folder.
    """
    folder = safe_join(skills_root, skill.name)
    atomic_write(folder / SKILL_FILE, render(skill))
    for rel, text in skill.files.items():
        atomic_write(safe_join(folder, rel), text)
    return folder


def iter_skill_dirs(skills_root: Path) -> Iterator[Path]:
    """Each folder directly under ``skills_root`` that holds a SKILL.md, sorted by name."""
    if not skills_root.is_dir():
        return
    for entry in sorted(skills_root.iterdir(), key=lambda p: p.name):
        if entry.is_dir() and not entry.name.startswith(".") and (entry / SKILL_FILE).is_file():
            yield entry


def load_all(skills_root: Path) -> tuple[list[Skill], list[DocumentError]]:
    """Every readable skill under ``skills_root``, and the errors of the unreadable ones."""
    skills: list[Skill] = []
    errors: list[DocumentError] = []
    for folder in iter_skill_dirs(skills_root):
        try:
            skills.append(load(folder))
        except DocumentError as exc:
            errors.append(exc)
    return skills, errors


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)
