"""The JSON shapes LLM calls must answer in, a small validator for them, and lenient parsing.

Schemas use the subset every provider's structured-output mode accepts (type, properties, required,
enum, items, additionalProperties). ``check(text, schema)`` returns the parsed value and a list of
readable errors; the caller sends those errors back once as a repair request.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from skillforge.model import LessonKind, Level, ScopeKind

LLM_KINDS = [
    LessonKind.SUCCESS_PATTERN.value,
    LessonKind.FAILURE_TRIGGER.value,
    LessonKind.COMPARATIVE_INSIGHT.value,
]


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required or list(props),
        "additionalProperties": False,
    }


_STR = {"type": "string"}
EVIDENCE = _obj(
    {"trajectory_id": _STR, "steps": {"type": "array", "items": {"type": "integer"}}, "quote": _STR}
)
LESSON = _obj(
    {
        "title": _STR,
        "trigger": _STR,
        "lesson": _STR,
        "kind": {"type": "string", "enum": LLM_KINDS},
        "level": {"type": "string", "enum": [lv.value for lv in Level]},
        "scope": _obj({"kind": {"type": "string", "enum": [k.value for k in ScopeKind]}, "value": _STR}),
        "evidence": {"type": "array", "items": EVIDENCE},
        "confidence": {"type": "number"},
    }
)
LESSONS = _obj({"lessons": {"type": "array", "items": LESSON}})
JUDGE = _obj(
    {
        "outcome": {"type": "string", "enum": ["success", "failure"]},
        "reason": _STR,
        "steps": {"type": "array", "items": {"type": "integer"}},
    }
)
DRAFT = _obj({"title": _STR, "trigger": _STR, "lesson": _STR, "sources": {"type": "array", "items": _STR}})
DRAFTS = _obj({"drafts": {"type": "array", "items": DRAFT}})
TOPIC = _obj({"name": _STR, "sources": {"type": "array", "items": _STR}})
TOPICS = _obj({"topics": {"type": "array", "items": TOPIC}})
EDIT = _obj(
    {
        "op": {"type": "string", "enum": ["add_skill", "append_section", "replace_section"]},
        "skill": _STR,
        "description": _STR,
        "section": _STR,
        "content": _STR,
        "reason": _STR,
        "sources": {"type": "array", "items": _STR},
    }
)
EDITS = _obj({"edits": {"type": "array", "items": EDIT}})

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def validate(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Errors of ``value`` against ``schema`` (empty when valid), each naming the JSON path."""
    typ = schema.get("type")
    if typ and (
        not isinstance(value, _TYPES[typ]) or (typ in ("integer", "number") and isinstance(value, bool))
    ):
        return [f"{path}: expected {typ}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {schema['enum']}"]
    errors: list[str] = []
    if typ == "object":
        props = schema.get("properties", {})
        errors += [f"{path}: missing {key!r}" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{path}: unexpected key {key!r}" for key in value if key not in props]
        for key, sub in props.items():
            if key in value:
                errors += validate(value[key], sub, f"{path}.{key}")
    elif typ == "array" and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{path}[{i}]")
    return errors


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_json(text: str) -> Any:
    """Parse a JSON answer, tolerating code fences and prose around one object."""
    text = text.strip()
    candidates = [text]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return orjson.loads(candidate)
        except orjson.JSONDecodeError:
            continue
    raise ValueError("the answer is not valid JSON")


def check(text: str, schema: dict[str, Any]) -> tuple[Any, list[str]]:
    try:
        value = parse_json(text)
    except ValueError as exc:
        return None, [str(exc)]
    errors = validate(value, schema)
    return value, errors[:20]
