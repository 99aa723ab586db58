"""Rendering route results by progressive disclosure: pointers first, the top body when it fits.

Formats: ``markdown`` (for people and agents), ``json`` (machines) and ``xml`` (the
``<available_skills>`` catalog shape of the Agent Skills client guidance). Every text that may reach an
agent passes through :func:`skillforge.safety.redact.redact` here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.safety.redact import redact
from skillforge.safety.wrapper import neutralised
from skillforge.text import estimate_tokens

if TYPE_CHECKING:
    from skillforge.route import Router
    from skillforge.route.rank import Match

HEADER = "Skills from the skill library that match this request (read a SKILL.md before acting on it):"


MAX_RESOURCES = 30  # files of a skill folder listed with its body (named, not read)


@dataclass(slots=True)
class Body:
    name: str
    text: str
    folder: str
    resources: list[str] = field(default_factory=list)  # the folder's other files, relative paths

    @classmethod
    def of(cls, name: str, text: str, skill_md: str) -> Body:
        """A served body: its text can never close (or open) the wrapper it is served in."""
        folder = Path(skill_md).parent
        return cls(name, neutralised(text.strip()), str(folder), resources(folder))


def resources(folder: Path) -> list[str]:
    """The files a skill ships beside its SKILL.md (scripts/, references/…), relative, sorted, without
    hidden files and symlinks, at most ``MAX_RESOURCES``: the client guidance lists them, unread."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))
        )
        for f in sorted(files):
            path = os.path.join(root, f)
            if f.startswith(".") or os.path.islink(path) or (root == str(folder) and f == "SKILL.md"):
                continue
            found.append(os.path.relpath(path, folder).replace(os.sep, "/"))
            if len(found) >= MAX_RESOURCES:
                return found
    return found


def _resources_line(body: Body) -> list[str]:
    if not body.resources:
        return []
    return [
        "<skill_resources>"
        + "".join(f"<file>{escape(f)}</file>" for f in body.resources)
        + "</skill_resources>"
    ]


def escape(text: str) -> str:
    """XML text escaping (``html.escape`` costs an import on the one-shot path)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def tokens(text: str) -> int:
    """A cheap token estimate (see ``skillforge.text.estimate_tokens``)."""
    return estimate_tokens(text)


def top_body(router: Router, matches: list[Match], max_tokens: int, used: int) -> Body | None:
    """The top match's body when pointers + body stay within ``max_tokens``."""
    if not matches or max_tokens <= 0:
        return None
    try:
        text = router.body(matches[0].name)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    except Exception:  # a withheld skill (SkillforgeError): pointers only
        return None
    if used + tokens(text) + 40 > max_tokens:
        return None
    return Body.of(matches[0].name, text, matches[0].path)


def render(matches: list[Match], fmt: str = "markdown", body: Body | None = None) -> str:
    if fmt == "json":
        text = json.dumps(
            {
                "status": "ok" if matches else "abstained",
                "matches": [_served(m.to_dict()) for m in matches],
                "body": {"name": body.name, "text": body.text} if body else None,
            },
            indent=2,
        )
    elif fmt == "xml":
        text = _xml(matches, body)
    else:
        text = _markdown(matches, body)
    return redact(text)[0]


def pointer(match: Match) -> dict[str, object]:
    """``match.to_dict()`` with its texts redacted, for structured answers (MCP ``search_skills``)."""
    data = _served(match.to_dict())
    data["description"] = redact(data["description"])[0]
    data["why"] = [redact(why)[0] for why in data["why"]]
    return data


def _served(data: dict[str, Any]) -> dict[str, Any]:
    """A match's texts as served: none can open or close the wrapper (a folder's name is the skill's
    name; the reasons quote past tasks)."""
    for key in ("name", "description", "path"):
        data[key] = neutralised(str(data[key]))
    data["why"] = [neutralised(why) for why in data["why"]]
    return data


def _markdown(matches: list[Match], body: Body | None) -> str:
    if not matches:
        return "No skill in the library matches this request."
    lines = [HEADER]
    for m in matches:
        why = f" [matched: {'; '.join(m.why)}]" if m.why else ""
        lines.append(neutralised(f"- {m.name}: {m.description} (file: {m.path}){why}"))
    if body:
        lines += ["", skill_content(body)]
    return "\n".join(lines)


def skill_content(body: Body) -> str:
    """One skill's body, wrapped as the Agent Skills client guidance suggests (redacted)."""
    text = "\n".join(
        [
            f'<skill_content name="{escape(body.name)}">',
            body.text,
            f"Skill directory: {neutralised(body.folder)}",
            "Relative paths in this skill are relative to the skill directory.",
            *_resources_line(body),
            "</skill_content>",
        ]
    )
    return redact(text)[0]


def _xml(matches: list[Match], body: Body | None) -> str:
    lines = ["<available_skills>"]
    for m in matches:
        lines += [
            "  <skill>",
            f"    <name>{escape(m.name)}</name>",
            f"    <description>{escape(m.description)}</description>",
            f"    <location>{escape(m.path)}</location>",
            f"    <why>{escape('; '.join(m.why))}</why>",
            "  </skill>",
        ]
    lines.append("</available_skills>")
    if body:
        lines += [
            f'<skill_content name="{escape(body.name)}">',
            body.text,
            f"Skill directory: {escape(body.folder)}",
            *_resources_line(body),
            "</skill_content>",
        ]
    return "\n".join(lines)


def pointer_tokens(matches: list[Match]) -> int:
    return tokens(_markdown(matches, None))
