"""The LLM side of distill: ``build`` makes the mapper (analyst sub-agents, judge, comparative
analysis) and the consolidator (tree merge into skill edits); ``plan`` (:mod:`.plan`) estimates calls,
tokens and dollars before a run (``--dry-run``).

    mapper, consolidator = build(settings, provider, budget)
    estimate = plan(trajectory_summaries, settings)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skillforge.distill.cost import Budget
from skillforge.distill.llm.analyse import LLMMapper, Options
from skillforge.distill.llm.consolidate import LLMConsolidator, MergeOptions
from skillforge.distill.llm.plan import plan
from skillforge.providers.anthropic import AnthropicProvider
from skillforge.providers.base import Provider
from skillforge.providers.openai import OpenAIProvider

if TYPE_CHECKING:
    from skillforge.config import Settings

__all__ = ["LLMConsolidator", "LLMMapper", "build", "plan"]

DEFAULT_MODELS = {
    p.name: p.default_model for p in (AnthropicProvider, OpenAIProvider)
}  # SDKs stay unimported


def build(settings: Settings, provider: Provider, budget: Budget) -> tuple[LLMMapper, LLMConsolidator]:
    tdir = settings.templates
    workers = settings.workers
    mapper = LLMMapper(
        provider,
        budget,
        Options(
            template_dir=tdir,
            analyst_steps=settings.analyst_steps,
            transcript_tokens=settings.transcript_tokens,
            workers=workers,
        ),
    )
    consolidator = LLMConsolidator(
        provider,
        budget,
        MergeOptions(
            fanout=settings.merge_fanout,
            levels=settings.merge_levels,
            template_dir=tdir,
            workers=workers,
        ),
    )
    return mapper, consolidator
