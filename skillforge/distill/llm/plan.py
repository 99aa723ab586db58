"""The dry-run plan of an LLM distill: calls per stage, input/output tokens and dollars, counted the
way the run makes its calls (an estimate, not a promise).

* judge (outcome unknown): ``JUDGE_CALLS`` calls, the last with tools off;
* analyst: ``1 + TOOL_ROUNDS`` calls per trajectory; each call re-sends the shared system prompt,
  the tool definitions, the answer schema and the compact transcript, plus every tool answer so far
  (``READS_PER_ROUND`` reads a round, each about one step of this trajectory's average size);
* comparative: one call per group with both outcomes (:func:`comparable_groups`), showing each run's
  task, lessons and key steps;
* merge: one topic-assignment call per ``TOPIC_CHUNK`` lessons, then the merge decisions, packed up
  to ``merge_fanout`` lessons a call.

The transcript's size is measured (the real :func:`prepare` on each trajectory) when the
trajectories are at hand, else estimated from their size. Every lesson is assumed to pass the gates,
so the merge figures are an upper bound when many lessons lack support. The constants were set from
a real run (4 django runs, a capable hosted model: 2.75 analyst calls and 3.25 lessons per run).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import orjson

from skillforge import templates
from skillforge.config import Settings
from skillforge.distill.cost import Prices, price_key
from skillforge.distill.llm import schema
from skillforge.distill.llm.analyse import comparable_groups
from skillforge.distill.llm.tools import TOOLS
from skillforge.distill.llm.topics import TOPIC_CHUNK
from skillforge.model import Trajectory
from skillforge.providers.base import TokenUsage
from skillforge.text import estimate_tokens

LESSONS_PER_TRAJECTORY = 3
COMPARATIVE_LESSONS = 2
TOOL_ROUNDS = 2  # tool rounds before an analyst answers
READS_PER_ROUND = 1.5  # tool calls per round
JUDGE_CALLS = 2
PROMPT_OVERHEAD = 150  # a job's own instructions around the transcript
LESSON_TOKENS = 180  # one lesson as the merge and comparative prompts show it
ANSWER_TOKENS = 1200  # an analyst's JSON answer
TOOL_CALL_TOKENS = 60  # an assistant turn that only calls tools
EDIT_TOKENS = 250  # the merge answer, per lesson merged
SKILL_CARD_TOKENS = 60
CANDIDATES = 6


def index_tokens(traj: Trajectory, budget: int) -> int:
    """The size of the compact transcript an analyst receives for ``traj``."""
    from skillforge.distill.llm.transcript import prepare

    return prepare(traj, budget).tokens


def summary(item: Trajectory | dict[str, Any], budget: int = 6000) -> dict[str, Any]:
    if isinstance(item, Trajectory):
        chars = len(item.task) + sum(len(s.text) + len(str(s.input or "")) for s in item.steps)
        return {
            "id": item.id,
            "task": item.task,
            "task_id": item.task_id,
            "repository": item.repository,
            "outcome": item.known_outcome.value,  # a guessed one is judged: counted as unknown
            "chars": chars,
            "steps": len(item.steps),
            "index_tokens": index_tokens(item, budget),
        }
    return {"chars": 0, "task": "", "outcome": "unknown", **item}


class _Tally:
    def __init__(self) -> None:
        self.calls = {"judge": 0, "analyst": 0, "comparative": 0, "topics": 0, "merge": 0}
        self.tin = self.tout = 0

    def add(self, stage: str, calls: int, tin: float, tout: float) -> None:
        self.calls[stage] += calls
        self.tin += int(tin)
        self.tout += int(tout)


def plan(trajectory_summaries: Iterable[Trajectory | dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Expected LLM calls per stage, input/output tokens and dollars."""
    budget = settings.transcript_tokens
    items = [summary(x, budget) for x in trajectory_summaries]
    tdir = settings.templates
    fixed = _tokens(templates.source("prompts/analyst_system.j2", tdir)) + _tokens(schema.LESSONS)
    tools = _tokens([(t.name, t.description, t.schema) for t in TOOLS])
    steps = settings.analyst_steps
    rounds = min(TOOL_ROUNDS, max(0, steps))
    tally = _Tally()
    for it in items:
        _analyse(tally, it, fixed + tools + PROMPT_OVERHEAD + _transcript(it, budget), rounds)
    groups = comparable_groups([{**it, "id": it.get("id", str(i))} for i, it in enumerate(items)])
    for group in groups:
        shown = sum(
            estimate_tokens(min(1500, len(str(f.get("task", "")))))
            + LESSONS_PER_TRAJECTORY * LESSON_TOKENS
            + 8 * 80
            for f in group
        )
        tally.add("comparative", 1, fixed + PROMPT_OVERHEAD + shown, ANSWER_TOKENS)
    _merge(tally, LESSONS_PER_TRAJECTORY * len(items) + COMPARATIVE_LESSONS * len(groups), settings, tdir)
    model = settings.model or _default_model(settings.provider)
    key = price_key(settings.provider, model) if model else "*"
    dollars = Prices.load().cost(key, TokenUsage(input=tally.tin, output=tally.tout))
    return {
        "trajectories": len(items),
        "model": model,
        "calls": tally.calls,
        "input_tokens": tally.tin,
        "output_tokens": tally.tout,
        "dollars": round(dollars, 4),
    }


def _analyse(tally: _Tally, it: dict[str, Any], base: int, rounds: int) -> None:
    """The judge (outcome unknown) and analyst calls of one trajectory; ``base`` is one call's input."""
    read = min(3000, estimate_tokens(int(it.get("chars", 0)) // max(1, int(it.get("steps", 0)) or 1)) + 40)
    if it.get("outcome", "unknown") == "unknown":
        tally.add("judge", JUDGE_CALLS, JUDGE_CALLS * base + read * READS_PER_ROUND, 150 + TOOL_CALL_TOKENS)
    turn = read * READS_PER_ROUND + TOOL_CALL_TOKENS  # what each tool round adds to the conversation
    tally.add(
        "analyst",
        1 + rounds,
        (1 + rounds) * base + turn * rounds * (rounds + 1) / 2,
        ANSWER_TOKENS + TOOL_CALL_TOKENS * rounds,
    )


def _merge(tally: _Tally, lessons: int, settings: Settings, tdir: str) -> None:
    if lessons == 0:
        return
    system = _tokens(templates.source("prompts/merge_system.j2", tdir))
    if lessons >= 2:
        chunks = math.ceil(lessons / TOPIC_CHUNK)
        tally.add(
            "topics",
            chunks,
            chunks * (system + _tokens(schema.TOPICS) + PROMPT_OVERHEAD) + lessons * 40,
            lessons * 12 + chunks * 50,
        )
    fanout = max(1, settings.merge_fanout)
    decide = math.ceil(lessons / fanout)
    overhead = system + _tokens(schema.EDITS) + _tokens(templates.source("prompts/merge_decide.j2", tdir))
    tally.add(
        "merge",
        decide,
        decide * (overhead + CANDIDATES * SKILL_CARD_TOKENS) + lessons * LESSON_TOKENS,
        lessons * EDIT_TOKENS,
    )


def _transcript(item: dict[str, Any], budget: int) -> int:
    if item.get("index_tokens"):
        return min(budget, int(item["index_tokens"]))
    return min(budget, max(300, int(item.get("chars", 0)) // 16))


def _tokens(value: Any) -> int:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    return estimate_tokens(text)


def _default_model(provider: str) -> str:
    from skillforge.distill.llm import DEFAULT_MODELS

    return DEFAULT_MODELS.get(provider, "")
