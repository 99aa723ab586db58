"""The Agent Skills spec and its strictest validators (``skills-ref validate``, Anthropic's
``quick_validate.py``, the Claude API's upload rules), plus skillforge's own ``skillforge-*`` metadata.

``read(sf)`` splits a SKILL.md, scans the raw front matter for what strict YAML parsers reject (flow
style, anchors, aliases, tags, duplicate keys) and loads it; ``check(sf)`` checks every key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import yaml

from skillforge.model import SPEC_KEYS, Level
from skillforge.skills.document import MAX_FRONT_MATTER, DocumentError, split_front_matter
from skillforge.skills.rules.base import Finding, SkillFile, finding, rule

FRONT_MATTER = rule(
    "SF100",
    "front-matter",
    "error",
    "start SKILL.md with '---', a YAML mapping of the spec keys, then a closing '---'",
)
NAME_MISSING = rule("SF101", "name-missing", "error", "add 'name: <folder-name>' to the front matter")
NAME_FORMAT = rule(
    "SF102",
    "name-format",
    "error",
    "use lowercase ASCII letters, digits and single hyphens, e.g. 'deploy-staging'",
)
NAME_LENGTH = rule("SF103", "name-length", "error", "shorten the name to at most 64 characters")
NAME_FOLDER = rule("SF104", "name-folder", "error", "rename the folder or the name so that they are equal")
NAME_RESERVED = rule(  # stricter than the specification (the Claude API upload rule): a warning
    "SF105",
    "name-reserved",
    "warning",
    "remove 'claude' / 'anthropic' from the name (the Claude API refuses it)",
)
DESC_MISSING = rule(
    "SF110", "description-missing", "error", "add a description saying what the skill does and when to use it"
)
DESC_LENGTH = rule("SF111", "description-length", "error", "shorten the description to 1024 characters")
DESC_XML = rule(  # stricter than the specification (the Claude API refuses XML tags): a warning
    "SF112",
    "description-xml",
    "warning",
    "remove '<' and '>' from the description (the Claude API refuses XML tags there)",
)
# Warnings the skills skillforge writes must still pass: the Claude API refuses a skill that fails them
WRITE_BLOCKING = frozenset({DESC_XML.id})
DESC_TRIGGER = rule(
    "SF113", "description-trigger", "warning", "say when to use the skill, key use first: 'Use when …'"
)
UNKNOWN_KEY = rule(
    "SF120",
    "unknown-key",
    "error",
    "keep only name, description, license, compatibility, metadata, allowed-tools; "
    "move other values under metadata",
)
COMPATIBILITY = rule("SF121", "compatibility", "error", "make compatibility a string of 1-500 characters")
METADATA = rule("SF122", "metadata-map", "error", "make metadata a flat map of string keys to quoted strings")
ALLOWED_TOOLS = rule(
    "SF123",
    "allowed-tools",
    "error",
    "write allowed-tools as one space-separated string, e.g. 'Bash(git:*) Read'",
)
LICENSE = rule("SF124", "license", "error", "make license a string (a licence name or a bundled file)")
STRICT_YAML = rule(
    "SF130",
    "yaml-strict",
    "error",
    "use plain block YAML: no flow {…}/[…] collections, anchors, aliases or tags",
)
DUPLICATE_KEY = rule("SF131", "duplicate-key", "error", "remove the repeated key")
SF_META = rule(
    "SF140",
    "skillforge-metadata",
    "error",
    "fix the skillforge-* value (level: plan|functional|atomic, evidence: integer, "
    "updated: YYYY-MM-DD, locked: true|false)",
)
SF_META_UNKNOWN = rule(
    "SF141", "skillforge-metadata-key", "warning", "remove it or use a key without the skillforge- prefix"
)

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED = ("claude", "anthropic")
TRIGGER_RE = re.compile(
    r"(?i)\b(?:use\s+(?:this|it|when|for|if|to|whenever|on|before|after|during)|when\s+(?:the|you|a|an|"
    r"working|asked|user|users|debugging|writing|adding|fixing|running)|whenever|trigger(?:s|ed)?\b|"
    r"if\s+the\s+user|applies\s+(?:when|to)|for\s+tasks)"
)
SKILLFORGE_KEYS = (
    "id",
    "version",
    "level",
    "evidence",
    "updated",
    "scope",
    "locked",
    "utility",
    "uses",
    "sources",
    "kind",
)
_STRICT_TOKENS = {
    yaml.FlowMappingStartToken: "a flow mapping {…}",
    yaml.FlowSequenceStartToken: "a flow sequence […]",
    yaml.AnchorToken: "an anchor",
    yaml.AliasToken: "an alias",
    yaml.TagToken: "a tag",
}


_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed


class _DupLoader(_FAST):  # type: ignore[valid-type,misc]
    """SafeLoader that records duplicate mapping keys instead of keeping the last silently."""

    duplicates: list[tuple[str, int]]


def _construct_mapping(loader: _DupLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str | int | float | bool) and key in seen:
            loader.duplicates.append((str(key), key_node.start_mark.line))
        seen.add(key if isinstance(key, str | int | float | bool) else id(key))
    return dict(loader.construct_mapping(node, deep=deep))


_DupLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read(sf: SkillFile) -> list[Finding]:
    """Split and load ``sf.text`` into ``sf``; report what stops loading or strict parsers."""
    try:
        sf.front, sf.body, sf.body_line = split_front_matter(sf.text, sf.path)
    except DocumentError as exc:
        return [finding(FRONT_MATTER, sf.path, exc.line or 1, exc.reason)]
    if len(sf.front) > MAX_FRONT_MATTER:
        return [finding(FRONT_MATTER, sf.path, 2, f"front matter is over {MAX_FRONT_MATTER // 1024} KiB")]
    found, aliases = _scan(sf)
    if aliases:
        return found  # never expand aliases (alias bombs)
    loader = _DupLoader(sf.front)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [
            *found,
            finding(
                FRONT_MATTER,
                sf.path,
                (mark.line + 2) if mark else 2,
                f"front matter is not valid YAML: {problem}",
            ),
        ]
    finally:
        loader.dispose()
    found += [
        finding(DUPLICATE_KEY, sf.path, line + 2, f"key {key!r} appears more than once")
        for key, line in loader.duplicates
    ]
    if not isinstance(data, dict):
        return [*found, finding(FRONT_MATTER, sf.path, 2, "front matter must be a mapping of keys to values")]
    sf.data = data
    return found


def _scan(sf: SkillFile) -> tuple[list[Finding], bool]:
    """Strict-YAML problems in the raw front matter, and the line of each top-level key."""
    found: list[Finding] = []
    aliases = False
    try:
        tokens = list(yaml.scan(sf.front, Loader=_FAST))
    except yaml.YAMLError:
        return found, False  # loading reports it
    for i, token in enumerate(tokens):
        what = _STRICT_TOKENS.get(type(token))
        if what:
            aliases = aliases or isinstance(token, yaml.AliasToken)
            found.append(
                finding(
                    STRICT_YAML,
                    sf.path,
                    token.start_mark.line + 2,
                    f"front matter uses {what}, which strict YAML parsers reject",
                )
            )
        if isinstance(token, yaml.KeyToken) and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if isinstance(nxt, yaml.ScalarToken):
                key = nxt.value if nxt.start_mark.column == 0 else f"metadata.{nxt.value}"
                sf.key_lines.setdefault(key, nxt.start_mark.line + 2)
    return found, aliases


def check(sf: SkillFile) -> Iterator[Finding]:
    if sf.data is None:
        return
    yield from _name(sf)
    yield from _description(sf)
    yield from _other_keys(sf)
    yield from _skillforge_metadata(sf)


def _name(sf: SkillFile) -> Iterator[Finding]:
    name, line = sf.data.get("name") if sf.data else None, sf.line_of("name")
    if name is None or name == "":
        yield finding(NAME_MISSING, sf.path, line, "the front matter has no 'name'")
        return
    if not isinstance(name, str):
        yield finding(NAME_FORMAT, sf.path, line, f"name must be a string, got {type(name).__name__}")
        return
    if not NAME_RE.match(name):
        yield finding(NAME_FORMAT, sf.path, line, f"name {name!r} is not lowercase-hyphenated ASCII")
    if len(name) > 64:
        yield finding(NAME_LENGTH, sf.path, line, f"name is {len(name)} characters (max 64)")
    if sf.folder is not None and sf.folder.name != name:
        yield finding(NAME_FOLDER, sf.path, line, f"name {name!r} differs from its folder {sf.folder.name!r}")
    for word in RESERVED:
        if word in name.lower():
            yield finding(NAME_RESERVED, sf.path, line, f"name contains the reserved word {word!r}")


def _description(sf: SkillFile) -> Iterator[Finding]:
    desc, line = sf.data.get("description") if sf.data else None, sf.line_of("description")
    if not isinstance(desc, str) or not desc.strip():
        what = "is empty" if desc in (None, "") else f"must be a string, got {type(desc).__name__}"
        yield finding(DESC_MISSING, sf.path, line, f"description {what}")
        return
    if len(desc) > 1024:
        yield finding(DESC_LENGTH, sf.path, line, f"description is {len(desc)} characters (max 1024)")
    if "<" in desc or ">" in desc:
        yield finding(DESC_XML, sf.path, line, "description contains '<' or '>'")
    if not TRIGGER_RE.search(desc):
        yield finding(DESC_TRIGGER, sf.path, line, "description does not say when to use the skill")


def _other_keys(sf: SkillFile) -> Iterator[Finding]:
    data = sf.data or {}
    for key in data:
        if key not in SPEC_KEYS:
            yield finding(UNKNOWN_KEY, sf.path, sf.line_of(str(key)), f"unexpected front-matter key {key!r}")
    comp = data.get("compatibility")
    if "compatibility" in data and (not isinstance(comp, str) or not 1 <= len(comp) <= 500):
        got = f"{len(comp)} characters" if isinstance(comp, str) else type(comp).__name__
        yield finding(COMPATIBILITY, sf.path, sf.line_of("compatibility"), f"compatibility is {got} (1-500)")
    if "license" in data and not isinstance(data["license"], str):
        yield finding(LICENSE, sf.path, sf.line_of("license"), "license must be a string")
    tools = data.get("allowed-tools")
    if "allowed-tools" in data:
        if not isinstance(tools, str):
            yield finding(
                ALLOWED_TOOLS,
                sf.path,
                sf.line_of("allowed-tools"),
                f"allowed-tools must be a space-separated string, got {type(tools).__name__}",
            )
        elif re.search(r",\s*[A-Z]", tools):
            yield finding(
                ALLOWED_TOOLS,
                sf.path,
                sf.line_of("allowed-tools"),
                "allowed-tools looks comma-separated; the spec separates tools by spaces",
                "warning",
            )
    yield from _metadata_map(sf, data.get("metadata"), "metadata" in data)


def _metadata_map(sf: SkillFile, meta: Any, present: bool) -> Iterator[Finding]:
    if not present:
        return
    line = sf.line_of("metadata")
    if not isinstance(meta, dict):
        yield finding(METADATA, sf.path, line, f"metadata must be a map, got {type(meta).__name__}")
        return
    for key, value in meta.items():
        where = sf.line_of(f"metadata.{key}") if isinstance(key, str) else line
        if not isinstance(key, str):
            yield finding(METADATA, sf.path, where, f"metadata key {key!r} is not a string")
        elif isinstance(value, dict | list) or value is None:
            yield finding(METADATA, sf.path, where, f"metadata value of {key!r} is not a string")
        elif not isinstance(value, str):
            yield finding(
                METADATA,
                sf.path,
                where,
                f"metadata value of {key!r} is a YAML {type(value).__name__}; quote it",
                "warning",
            )


def _skillforge_metadata(sf: SkillFile) -> Iterator[Finding]:
    meta = (sf.data or {}).get("metadata")
    if not isinstance(meta, dict):
        return
    for key, value in meta.items():
        if not isinstance(key, str) or not key.startswith("skillforge-"):
            continue
        short, text, line = key[len("skillforge-") :], str(value).strip(), sf.line_of(f"metadata.{key}")
        if short not in SKILLFORGE_KEYS:
            yield finding(SF_META_UNKNOWN, sf.path, line, f"unknown skillforge metadata key {key!r}")
            continue
        problem = _meta_problem(short, text)
        if problem:
            yield finding(SF_META, sf.path, line, f"{key}: {problem}")


def _meta_problem(short: str, text: str) -> str | None:
    if short == "level" and text not in {lvl.value for lvl in Level}:
        return f"{text!r} is not plan, functional or atomic"
    if short in ("evidence", "uses") and not re.fullmatch(r"\d+", text):
        return f"{text!r} is not a whole number"
    if short == "locked" and text.lower() not in ("true", "false"):
        return f"{text!r} is not true or false"
    if short == "updated" and not _iso_date(text):
        return f"{text!r} is not an ISO date (YYYY-MM-DD)"
    if short == "utility":
        try:
            ok = 0.0 <= float(text) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            return f"{text!r} is not a number between 0 and 1"
    return None


def _iso_date(text: str) -> bool:
    """YYYY-MM-DD, optionally followed by an ISO time."""
    try:
        datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError:
        return False
    return True
