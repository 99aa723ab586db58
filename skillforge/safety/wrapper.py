"""The tags route, the hook and MCP wrap a served skill in (``<skill_content>``, and the catalog's
``<available_skills>`` and ``<skill_resources>``), and :func:`neutralised`, which every served text
passes through so that a skill's own text can never end or open its wrapper. Light (``re`` only): it
sits on the route path. :mod:`skillforge.safety.role_tags` reports the same tags in validate.
"""

from __future__ import annotations

import re

# in any case and spacing, invisible characters included: "</skill_content>", "< /Skill_Content >",
# "<\u200b/skill_content>", "<skill_content name=…>"
_GAP = "[\\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]*"
WRAPPER_TAG = re.compile(rf"<{_GAP}/?{_GAP}(?:skill_content|available_skills|skill_resources)\b", re.I)
# lower case, and holding no s or k: re.I reads "ſ" as s and the Kelvin sign as k, which lowering keeps
WRAPPER_KEYS = ("_content", "available_", "_re")


def neutralised(text: str) -> str:
    """``text`` with the wrapper's tags made inert (their ``<`` written ``&lt;``)."""
    return WRAPPER_TAG.sub(lambda m: "&lt;" + m.group(0)[1:], text)
