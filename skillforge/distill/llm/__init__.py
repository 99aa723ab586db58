"""The LLM side of distill: ``build`` makes the mapper (analyst sub-agents, judge, comparative
analysis) and the consolidator (tree merge into skill edits); ``plan`` (:mod:`.plan`) estimates calls,
tokens and dollars before a run (``--dry-run``).

    mapper, consolidator = build(settings, provider, budget)
    estimate = plan(trajectory_summaries, settings)
"""

from __future__ import annotations

from typing import Any

from skillforge.distill.cost import Budget
from skillforge.distill.llm.analyse import LLMMapper, Options
from skillforge.distill.llm.consolidate import LLMConsolidator, MergeOptions
from skillforge.distill.llm.plan import plan
from skillforge.providers.anthropic import AnthropicProvider
from skillforge.providers.base import Provider
from skillforge.providers.openai import OpenAIProvider

__all__ = ["LLMConsolidator", "LLMMapper", "build", "plan"]

DEFAULT_MODELS = {
    p.name: p.default_model for p in (AnthropicProvider, OpenAIProvider)
}  # SDKs stay unimported


def _get(settings: Any, key: str, default: Any) -> Any:
    value = getattr(settings, key, default)
    return default if value is None else value


def build(settings: Any, provider: Provider, budget: Budget) -> tuple[LLMMapper, LLMConsolidator]:
    tdir = str(_get(settings, "templates", ""))
    workers = int(_get(settings, "workers", 8))
    mapper = LLMMapper(
        provider,
        budget,
        Options(
            template_dir=tdir,
            analyst_steps=int(_get(settings, "analyst_steps", 12)),
            transcript_tokens=int(_get(settings, "transcript_tokens", 6000)),
            workers=workers,
        ),
    )
    consolidator = LLMConsolidator(
        provider,
        budget,
        MergeOptions(
            fanout=int(_get(settings, "merge_fanout", 8)),
            levels=int(_get(settings, "merge_levels", 3)),
            template_dir=tdir,
            workers=workers,
        ),
    )
    return mapper, consolidator
