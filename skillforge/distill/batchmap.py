"""Batch mode of the LLM analysis (``distill --batch`` / ``--resume``): one tool-less analyst call per
trajectory, sent through the provider's batch API at half price and collected later.

    submit(prepared trajectories, mapper, api, state, budget)  # new batches of up to CHUNK calls
    collect(api, state)                                        # answers of finished batches -> disk
    BatchMapper(mapper, state)                                 # map = turn a stored answer into lessons

``BatchMapper`` stands in for the LLM mapper in the normal pipeline, so batch answers go through the
same evidence checks, cache, reduce (comparative analysts, in real time), gates and review branch.
A trajectory without a batch answer is analysed in real time by the wrapped mapper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from skillforge import templates
from skillforge.config import Settings
from skillforge.distill.base import MapResult, Usage
from skillforge.distill.batchstate import Answer, BatchRecord, BatchState
from skillforge.distill.cache import MapCache
from skillforge.distill.cost import Budget, Prices, price_key
from skillforge.model import Lesson, Outcome, Trajectory, content_id
from skillforge.providers.base import ChatRequest, Message, TokenUsage
from skillforge.providers.batch import BATCH_DISCOUNT, BatchAPI, BatchStatus, discounted
from skillforge.text import estimate_tokens

STAGE = "batch-analyst"
CHUNK = 500  # calls per submitted batch: bounds the driver's memory while building one
ANSWER_TOKENS = 1500  # expected output tokens of one analysis, for estimates


def request_for(mapper: Any, traj: Trajectory) -> ChatRequest:
    """The one analyst request for ``traj``: the step index in the prompt, JSON out, no tools."""
    from skillforge.distill.llm import schema
    from skillforge.distill.llm.transcript import prepare

    caller = mapper.caller()
    transcript = prepare(traj, mapper.options.transcript_tokens)
    user = caller.render(
        "analyst_batch.j2",
        outcome=traj.known_outcome.value,
        tests=traj.failing_tests,
        transcript=transcript.render(),
        trajectory_id=traj.id,
    )
    return ChatRequest(
        system=caller.render("analyst_system.j2"),
        messages=[Message("user", user)],
        output_schema=schema.LESSONS,
        max_tokens=mapper.options.max_tokens,
        tool_choice="none",
    )


def batch_key(mapper: Any, traj: Trajectory) -> str:
    return content_id(
        mapper.cache_key(traj),
        "batch",
        templates.digest("prompts/analyst_batch.j2", mapper.options.template_dir),
        templates.digest("prompts/_failing_tests.j2", mapper.options.template_dir),
    )


def _model(mapper: Any) -> str:
    return price_key(mapper.provider.name, mapper.provider.model)


# ------------------------------------------------------------------------------------------- submit


@dataclass
class Submitted:
    batches: list[str] = field(default_factory=list)
    calls: int = 0
    dollars: float = 0.0  # estimate, at the batch discount
    over_budget: int = 0  # trajectories left out because --max-cost would be passed
    already: int = 0  # trajectories already answered, cached or in a pending batch


def submit(
    items: Iterable[Trajectory], mapper: Any, api: BatchAPI, state: BatchState, budget: Budget
) -> Submitted:
    """Send every trajectory that still needs an analysis, in batches of CHUNK; record each batch."""
    out, cache, pending = Submitted(), MapCache(), state.pending_ids()
    chunk: list[tuple[str, ChatRequest, float]] = []
    model = _model(mapper)
    for traj in items:
        if traj.id in pending or _answered(state, traj.id) or cache.path(batch_key(mapper, traj)).is_file():
            out.already += 1
            continue
        req = request_for(mapper, traj)
        cost = discounted(
            budget.prices.cost(model, TokenUsage(input=req.estimate_tokens(), output=req.max_tokens))
        )
        if budget.max_cost and budget.total.cost + out.dollars + cost > budget.max_cost:
            out.over_budget += 1
            continue
        chunk.append((traj.id, req, cost))
        out.dollars += cost
        if len(chunk) >= CHUNK:
            _send(chunk, mapper, api, state, out)
    if chunk:
        _send(chunk, mapper, api, state, out)
    return out


def _answered(state: BatchState, trajectory_id: str) -> bool:
    """An answer is on disk (a failed one is sent again)."""
    answer = state.answer(trajectory_id)
    return answer is not None and answer.error is None


def _send(
    chunk: list[tuple[str, ChatRequest, float]], mapper: Any, api: BatchAPI, state: BatchState, out: Submitted
) -> None:
    batch_id = api.submit((tid, req) for tid, req, _ in chunk)
    state.record(
        BatchRecord(
            batch_id,
            mapper.provider.name,
            mapper.provider.model,
            [tid for tid, _, _ in chunk],
            round(sum(c for _, _, c in chunk), 6),
        )
    )
    out.batches.append(batch_id)
    out.calls += len(chunk)
    chunk.clear()


# ------------------------------------------------------------------------------------------ collect


@dataclass
class Collected:
    batches: list[str] = field(default_factory=list)
    answers: int = 0
    errors: int = 0
    waiting: list[BatchStatus] = field(default_factory=list)
    lost: list[BatchStatus] = field(default_factory=list)  # failed or expired without answers
    other_provider: list[str] = field(default_factory=list)


def collect(api: BatchAPI, state: BatchState) -> Collected:
    """Store the answers of every finished batch; list those still running."""
    out = Collected()
    for record in state.pending():
        if record.provider != api.provider.name:
            out.other_provider.append(f"{record.id} ({record.provider})")
            continue
        status = api.status(record.id)
        if not status.done:
            (out.lost if status.failed else out.waiting).append(status)
            if status.failed:
                state.close(record.id)
            continue
        for ans in api.results(record.id):
            resp = ans.response
            state.save(
                Answer(
                    ans.custom_id,
                    record.id,
                    resp.text if resp else "",
                    resp.usage if resp else TokenUsage(),
                    ans.error,
                )
            )
            out.answers += 1
            out.errors += ans.error is not None
        state.close(record.id)
        out.batches.append(record.id)
    return out


def describe(report: Any, collected: Collected | None = None, sent: Submitted | None = None) -> None:
    """Notes and a ``plan["batch"]`` entry on the run's report (the CLI prints both)."""
    info = report.plan.setdefault("batch", {})
    if collected is not None:
        info.update(
            collected=collected.batches,
            answers=collected.answers,
            waiting=[s.id for s in collected.waiting],
            lost=[s.id for s in collected.lost],
        )
        report.notes.extend(_collected_notes(collected))
    if sent is not None:
        info.update(
            submitted=sent.batches,
            calls=sent.calls,
            dollars=round(sent.dollars, 4),
            over_budget=sent.over_budget,
        )
        report.notes.extend(_sent_notes(sent))


def _collected_notes(collected: Collected) -> Iterator[str]:
    if collected.batches:
        failed = f" ({collected.errors} failed)" if collected.errors else ""
        yield f"collected {collected.answers} answers from {len(collected.batches)} batches{failed}"
    for s in collected.waiting:
        done = sum(v for k, v in s.counts.items() if k not in ("processing", "total"))
        yield (
            f"batch {s.id} is still {s.state} ({done} answered so far): "
            "run skillforge distill --resume with the same logs later"
        )
    for s in collected.lost:
        yield f"batch {s.id} {s.state} without answers: its trajectories will be sent again by the next --batch"
    for name in collected.other_provider:
        yield f"batch {name} belongs to another provider: resume it with that provider"


def _sent_notes(sent: Submitted) -> Iterator[str]:
    if sent.batches:
        yield (
            f"submitted {sent.calls} analysis calls in {len(sent.batches)} batches "
            f"(~${sent.dollars:.4f} at the batch discount): {', '.join(sent.batches)}; "
            "run skillforge distill --resume with the same logs to finish"
        )
    elif not sent.over_budget:
        yield (
            "nothing to submit: every trajectory is answered or waiting in a batch; "
            "run skillforge distill --resume with the same logs"
        )
    if sent.over_budget:
        yield f"{sent.over_budget} trajectories were not submitted: they would pass --max-cost"


# -------------------------------------------------------------------------------------------- map


class BatchMapper:
    """The LLM mapper with batch answers: ``map`` reads the stored answer instead of calling."""

    name = "llm"

    def __init__(self, inner: Any, state: BatchState):
        self.inner, self.state = inner, state

    @property
    def fingerprint(self) -> str:
        return content_id(str(self.inner.fingerprint), "batch")

    def cache_key(self, traj: Trajectory) -> str:
        return batch_key(self.inner, traj)

    def reducer(self) -> None:
        return None

    def map(self, traj: Trajectory) -> MapResult:
        answer = self.state.answer(traj.id)
        if answer is None:
            return self.inner.map(traj)
        usage = Usage()
        if answer.error is None:
            cost = self.inner.budget.charge(STAGE, _model(self.inner), answer.usage, factor=BATCH_DISCOUNT)
            usage = Usage(1, answer.usage.input, answer.usage.output, answer.usage.cache_read, cost)
        if answer.error is not None:
            return MapResult(traj.id, error=answer.error)
        return self._result(traj, answer.text, usage)

    def _result(self, traj: Trajectory, text: str, usage: Usage) -> MapResult:
        from skillforge.distill.llm import schema
        from skillforge.distill.llm.analyse import _facts, _trajectory_lookup
        from skillforge.distill.llm.evidence import Origin, to_lessons

        value, errors = schema.check(text, schema.LESSONS)
        if errors:
            return MapResult(
                traj.id, error=f"{STAGE}: malformed answer: {'; '.join(errors[:3])}", usage=usage
            )
        outcome = traj.known_outcome  # a guessed one: the model decided it in the same answer
        lessons, dropped = to_lessons(value, _trajectory_lookup(traj), {traj.id: Origin(traj.task, outcome)})
        source = traj.outcome_source if outcome is not Outcome.UNKNOWN else None
        facts = _facts(traj, outcome, source, lessons)
        return MapResult(traj.id, lessons=lessons, facts=facts, usage=usage, dropped=dropped)

    def reduce(self, results: Sequence[MapResult]) -> list[Lesson]:
        return self.inner.reduce(results)


# ----------------------------------------------------------------------------------------- estimate


def estimate(summaries: Iterable[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Calls, tokens and dollars of the batch analysis (at the discount) for ``--dry-run --batch``."""
    from skillforge.distill.llm import DEFAULT_MODELS

    tdir = settings.templates
    system = estimate_tokens(templates.source("prompts/analyst_system.j2", tdir))
    cap = settings.transcript_tokens or 6000
    calls = tin = 0
    for s in summaries:
        calls += 1
        tin += system + min(cap, max(300, int(s.get("chars", 0)) // 16))
    provider = settings.provider
    model = settings.model or DEFAULT_MODELS.get(provider, "")
    full = Prices.load().cost(price_key(provider, model), TokenUsage(input=tin, output=calls * ANSWER_TOKENS))
    return {
        "calls": calls,
        "input_tokens": tin,
        "output_tokens": calls * ANSWER_TOKENS,
        "discount": BATCH_DISCOUNT,
        "dollars": round(discounted(full), 4),
    }
