"""The tags route, the hook and MCP wrap a served skill in (``<skill_content>``, and the catalog's
``<available_skills>`` and ``<skill_resources>``), and :func:`neutralised`, which every served text
passes through so that a skill's own text can never end or open its wrapper. Light (``re`` only): it
sits on the route path. :mod:`skillforge.safety.role_tags` reports the same tags in validate.
"""

from __future__ import annotations

import re

# in any case and spacing: "</skill_content>", "< /Skill_Content >", "<skill_content name=…>"
WRAPPER_TAG = re.compile(r"<\s*/?\s*(?:skill_content|available_skills|skill_resources)\b", re.I)
WRAPPER_KEYS = ("skill_content", "available_skills", "skill_resources")  # lower case


def neutralised(text: str) -> str:
    """``text`` with the wrapper's tags made inert (their ``<`` written ``&lt;``)."""
    return WRAPPER_TAG.sub(lambda m: "&lt;" + m.group(0)[1:], text)
