"""The LLM side of distill: ``build`` makes the mapper (analyst sub-agents, judge, comparative
analysis) and the consolidator (tree merge into skill edits); ``plan`` estimates calls, tokens and
dollars before a run (``--dry-run``).

    mapper, consolidator = build(settings, provider, budget)
    estimate = plan(trajectory_summaries, settings)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from skillforge import templates
from skillforge.distill.cost import Budget, Prices, price_key
from skillforge.distill.llm.analyse import LLMMapper, Options, comparable_groups
from skillforge.distill.llm.consolidate import LLMConsolidator, MergeOptions
from skillforge.model import Trajectory
from skillforge.providers.anthropic import AnthropicProvider
from skillforge.providers.base import Provider, TokenUsage
from skillforge.providers.openai import OpenAIProvider

__all__ = ["LLMConsolidator", "LLMMapper", "build", "plan"]

LESSONS_PER_TRAJECTORY = 3
TOOL_ROUNDS = 4  # expected read_step/search rounds per analyst
READ_TOKENS = 1500  # expected tokens a tool answer adds to the conversation
ANSWER_TOKENS = 1500
DEFAULT_MODELS = {p.name: p.default_model for p in (AnthropicProvider, OpenAIProvider)}  # SDKs stay unimported


def _get(settings: Any, key: str, default: Any) -> Any:
    value = getattr(settings, key, default)
    return default if value is None else value


def build(settings: Any, provider: Provider, budget: Budget) -> tuple[LLMMapper, LLMConsolidator]:
    tdir = str(_get(settings, "templates", ""))
    workers = int(_get(settings, "workers", 8))
    mapper = LLMMapper(provider, budget, Options(
        template_dir=tdir, analyst_steps=int(_get(settings, "analyst_steps", 12)),
        transcript_tokens=int(_get(settings, "transcript_tokens", 6000)), workers=workers))
    consolidator = LLMConsolidator(provider, budget, MergeOptions(
        fanout=int(_get(settings, "merge_fanout", 8)), levels=int(_get(settings, "merge_levels", 3)),
        template_dir=tdir, workers=workers))
    return mapper, consolidator


def _summary(item: Trajectory | dict[str, Any]) -> dict[str, Any]:
    if isinstance(item, Trajectory):
        chars = len(item.task) + sum(len(s.text) + len(str(s.input or "")) for s in item.steps)
        return {"id": item.id, "task": item.task, "task_id": item.task_id, "repository": item.repository,
                "outcome": item.outcome.value, "chars": chars}
    return {"chars": 0, "task": "", "outcome": "unknown", **item}


def plan(trajectory_summaries: Iterable[Trajectory | dict[str, Any]], settings: Any) -> dict[str, Any]:
    """Expected LLM calls per stage, input/output tokens and dollars (an estimate, not a promise)."""
    items = [_summary(x) for x in trajectory_summaries]
    tdir = str(_get(settings, "templates", ""))
    system = len(templates.source("prompts/analyst_system.j2", tdir)) // 4
    budget_tokens = int(_get(settings, "transcript_tokens", 6000))
    rounds = 1 + min(TOOL_ROUNDS, int(_get(settings, "analyst_steps", 12)))
    calls = {"judge": 0, "analyst": 0, "comparative": 0, "merge": 0}
    tin = tout = 0
    for it in items:
        transcript = min(budget_tokens, max(300, int(it.get("chars", 0)) // 16))
        per_call = system + transcript
        conv = rounds * per_call + READ_TOKENS * rounds * (rounds - 1) // 2
        if it.get("outcome", "unknown") == "unknown":
            calls["judge"] += 2
            tin, tout = tin + 2 * per_call + READ_TOKENS, tout + 300
        calls["analyst"] += rounds
        tin, tout = tin + conv, tout + ANSWER_TOKENS + 100 * rounds
    groups = comparable_groups([{**it, "id": it.get("id", str(i))} for i, it in enumerate(items)])
    calls["comparative"] = len(groups)
    tin, tout = tin + len(groups) * (system + 3000), tout + len(groups) * ANSWER_TOKENS
    fanout = max(2, int(_get(settings, "merge_fanout", 8)))
    lessons = LESSONS_PER_TRAJECTORY * len(items)
    merge = sum(math.ceil(lessons / fanout**lvl) for lvl in range(1, int(_get(settings, "merge_levels", 3)) + 1)
                if lessons / fanout ** (lvl - 1) > 1)
    calls["merge"] = merge
    tin, tout = tin + merge * (1500 + fanout * 300), tout + merge * 2000
    model = str(_get(settings, "model", "")) or DEFAULT_MODELS.get(str(_get(settings, "provider", "")), "")
    key = price_key(str(_get(settings, "provider", "")), model) if model else "*"
    dollars = Prices.load().cost(key, TokenUsage(input=tin, output=tout))
    return {"trajectories": len(items), "model": model, "calls": calls, "input_tokens": tin,
            "output_tokens": tout, "dollars": round(dollars, 4)}
