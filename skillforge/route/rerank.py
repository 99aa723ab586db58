"""Optional LLM re-ranking of route's candidates (``skillforge route --rerank``).

The provider comes from :func:`skillforge.providers.resolve` and is imported only here, only when
``--rerank`` is given; the default route path imports no LLM SDK. The model may reorder and drop
candidates, never add one. Texts are redacted before they are sent.
"""

from __future__ import annotations

import json

from skillforge.config import Settings
from skillforge.errors import ConfigError
from skillforge.route.rank import Match
from skillforge.safety.redact import redact

SCHEMA = {
    "type": "object",
    "properties": {"ranking": {"type": "array", "items": {"type": "string"}}},
    "required": ["ranking"],
}


def rerank(settings: Settings, task: str, candidates: list[Match], k: int) -> list[Match]:
    from skillforge import templates
    from skillforge.providers import ChatRequest, Message, resolve

    settings.require_templates()
    provider = resolve(settings)
    if provider is None:
        raise ConfigError(
            "--rerank needs an LLM provider",
            "set ANTHROPIC_API_KEY or OPENAI_API_KEY, or --provider openai-compatible with --base-url",
        )
    lines = [f"Task:\n{redact(task)[0]}", "", "Candidates:"]
    lines += [f"{i + 1}. {m.name}: {redact(m.description)[0]}" for i, m in enumerate(candidates)]
    request = ChatRequest(
        system=templates.render("route_rerank.j2", settings.templates),
        messages=[Message("user", "\n".join(lines))],
        output_schema=SCHEMA,
        max_tokens=400,
    )
    response = provider.chat(request)
    return apply_ranking(response.text, candidates, k)


def apply_ranking(answer: str, candidates: list[Match], k: int) -> list[Match]:
    """Candidates in the model's order (unknown names ignored); unparseable answers keep BM25's order."""
    try:
        start, end = answer.find("{"), answer.rfind("}")
        names = json.loads(answer[start : end + 1])["ranking"]
    except (ValueError, KeyError, TypeError):
        return candidates[:k]
    by_name = {m.name: m for m in candidates}
    ordered = [by_name[n] for n in dict.fromkeys(str(n) for n in names) if n in by_name]
    for m in ordered:
        m.why.append("reranked")
    return ordered[:k]
