"""The provider-neutral agent loop under every LLM stage.

:class:`Caller` sends one request: it reserves the estimate in the run's Budget first (raising
BudgetExceeded), then charges the real usage per stage and keeps this item's own Usage.
:func:`converse` runs the tool-use loop within a step budget (then asks for the answer with tools
off) and :func:`answer_json` validates the final answer against a schema, sending the errors back
ONCE for repair before giving up with :class:`ItemFailed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from skillforge import templates
from skillforge.distill.base import Usage
from skillforge.distill.cost import Budget, price_key
from skillforge.distill.llm.schema import check
from skillforge.errors import BudgetExceeded, ProviderError
from skillforge.providers.base import ChatRequest, ChatResponse, Message, Provider, Tool, ToolCall


class ItemFailed(Exception):
    """This item's LLM answer could not be used (refusal, malformed twice); the run goes on.
    ``value`` is the last answer when it had the right shape but failed the caller's own check (so
    the caller may keep the parts of it that pass), else None."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


SKIPPABLE = (ItemFailed, ProviderError, BudgetExceeded)


def skippable(exc: Exception) -> bool:
    """Whether the run goes on without this item: its answer was unusable, the provider failed in a
    way that may pass (rate limit, timeout, 5xx after the SDK's retries) or that is this item's own
    (its prompt is longer than the model's context, an unreadable answer), or the budget refused the
    call (the stage keeps what it has). A provider error every later call would repeat (a bad key,
    an unknown model: ``stops_run``) and other errors stop the run. (The map stage lets
    BudgetExceeded through: the executor stops the run's map there.)"""
    return isinstance(exc, (ItemFailed, BudgetExceeded)) or (
        isinstance(exc, ProviderError) and not exc.stops_run
    )


class Toolset(Protocol):
    tools: list[Tool]

    def run(self, call: ToolCall) -> tuple[str, bool]: ...


class Caller:
    def __init__(self, provider: Provider, budget: Budget, template_dir: str = ""):
        self.provider = provider
        self.budget = budget
        self.template_dir = template_dir
        self.usage = Usage()
        self.log: list[tuple[str, str]] = []  # (stage, tool or "answer") for reports and tests

    def call(self, stage: str, request: ChatRequest) -> ChatResponse:
        model = price_key(self.provider.name, self.provider.model)
        held = self.budget.reserve(model, request.estimate_tokens(), request.max_tokens)
        try:
            resp = self.provider.chat(request)
        except BaseException:
            self.budget.release(held)
            raise
        cost = self.budget.charge(stage, model, resp.usage, held)
        self.usage.add(Usage(1, resp.usage.input, resp.usage.output, resp.usage.cache_read, cost))
        if resp.refusal:
            raise ItemFailed(f"{stage}: the model refused to answer")
        return resp

    def render(self, name: str, **context: Any) -> str:
        return templates.render(f"prompts/{name}", self.template_dir, **context)


def converse(
    caller: Caller, stage: str, request: ChatRequest, toolset: Toolset | None = None, max_steps: int = 0
) -> ChatResponse:
    """Run tool calls until the model answers; after ``max_steps`` tool calls, tools are switched off
    (a model that still calls tools gets one more turn to answer, then the item fails)."""
    used, late = 0, 0
    while True:
        if toolset is not None:
            request.tools = toolset.tools
            request.tool_choice = "auto" if used < max_steps else "none"
        resp = caller.call(stage, request)
        if not resp.tool_calls or toolset is None:
            return resp
        if used >= max_steps:
            late += 1
            if late > 1:
                raise ItemFailed(f"{stage}: the model kept calling tools after its budget of {max_steps}")
        request.messages.append(Message("assistant", resp.text, list(resp.tool_calls)))
        for call in resp.tool_calls:
            if used < max_steps:
                text, is_error = toolset.run(call)
                caller.log.append((stage, call.name))
            else:
                text, is_error = caller.render("budget_exhausted.j2", steps=max_steps), True
            used += 1
            request.messages.append(Message("tool", text, tool_call_id=call.id, is_error=is_error))


def answer_json(
    caller: Caller,
    stage: str,
    request: ChatRequest,
    schema: dict[str, Any],
    toolset: Toolset | None = None,
    max_steps: int = 0,
    extra_check: Callable[[Any], list[str]] | None = None,
) -> Any:
    """The validated JSON answer; one repair round with the errors, else ItemFailed."""
    request.output_schema = schema
    resp = converse(caller, stage, request, toolset, max_steps)
    value, errors = _check(resp.text, schema, extra_check)
    if not errors:
        return value
    request.messages.append(Message("assistant", resp.text or "(empty)"))
    request.messages.append(Message("user", caller.render("repair.j2", errors=errors)))
    resp = converse(caller, f"{stage}-repair", request, toolset, 0)
    value, errors = _check(resp.text, schema, extra_check)
    if errors:
        shaped = value if not check(resp.text, schema)[1] else None
        raise ItemFailed(f"{stage}: malformed answer after one repair: {'; '.join(errors[:3])}", shaped)
    return value


def _check(
    text: str, schema: dict[str, Any], extra: Callable[[Any], list[str]] | None
) -> tuple[Any, list[str]]:
    value, errors = check(text, schema)
    if not errors and extra is not None:
        errors = extra(value)
    return value, errors
