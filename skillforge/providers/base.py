"""The provider-neutral chat interface every LLM backend implements.

A :class:`ChatRequest` carries the long shared instructions first (``system``, so prompt caches
serve them), provider-neutral ``messages`` (user/assistant text, assistant tool calls, tool
results), ``tools`` (name, description, JSON schema), an optional ``output_schema`` (ask for JSON)
and ``max_tokens``. Backends translate it to their wire format and return a :class:`ChatResponse`.
Retries live in the SDKs (configured with ``max_retries`` and ``timeout``); exceptions that survive
them are classified by :func:`classify` into a :class:`~skillforge.errors.ProviderError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from skillforge.distill.parallel import RateLimiter
from skillforge.errors import ProviderError


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Message:
    """``role`` user/assistant carry ``text`` (assistant also ``tool_calls``); role ``tool`` is the
    result of the call ``tool_call_id``."""

    role: Literal["user", "assistant", "tool"]
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    is_error: bool = False


@dataclass(slots=True)
class Tool:
    name: str
    description: str
    schema: dict[str, Any]


@dataclass(slots=True)
class ChatRequest:
    system: str
    messages: list[Message]
    tools: list[Tool] = field(default_factory=list)
    output_schema: dict[str, Any] | None = None
    max_tokens: int = 4096
    tool_choice: Literal["auto", "none"] = "auto"

    def estimate_tokens(self) -> int:
        """A rough input-token estimate (chars/4) used by budgets and rate limits before a call."""
        chars = len(self.system) + sum(len(m.text) + sum(len(str(c.args)) for c in m.tool_calls)
                                       for m in self.messages)
        chars += sum(len(t.description) + len(str(t.schema)) for t in self.tools)
        return chars // 4 + 1


@dataclass(slots=True)
class TokenUsage:
    input: int = 0  # uncached input tokens
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0


@dataclass(slots=True)
class ChatResponse:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_reason: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    refusal: bool = False
    model: str = ""


class Provider:
    """Base class: ``chat`` waits for the rate limiter, then calls the backend's ``_chat``."""

    name = "provider"
    default_model = ""

    def __init__(self, model: str = "", limiter: RateLimiter | None = None):
        self.model = model or self.default_model
        self.limiter = limiter or RateLimiter()

    def chat(self, request: ChatRequest) -> ChatResponse:
        self.limiter.acquire(request.estimate_tokens() + request.max_tokens)
        return self._chat(request)

    def _chat(self, request: ChatRequest) -> ChatResponse:  # pragma: no cover - abstract
        raise NotImplementedError


# exception class name -> (retryable, hint); looked up along the exception's MRO
ERROR_TABLE: dict[str, tuple[bool, str]] = {
    "AuthenticationError": (False, "check the API key variable"),
    "PermissionDeniedError": (False, "the key may not have access to this model"),
    "PaymentRequiredError": (False, "the account is out of credit"),
    "NotFoundError": (False, "check --model and --base-url"),
    "BadRequestError": (False, "the request was rejected; check --model (it may not support tools or JSON output)"),
    "UnprocessableEntityError": (False, "the request was rejected; check --model"),
    "ContentTooLargeError": (False, "the prompt is too large for this model"),
    "RateLimitError": (True, "rate limited after retries; lower --workers or raise --max-retries"),
    "APITimeoutError": (True, "timed out after retries; raise --timeout or lower --workers"),
    "APIConnectionError": (True, "cannot reach the server; check --base-url and the network"),
    "InternalServerError": (True, "the provider failed after retries; try again later"),
    "APIStatusError": (True, "the provider failed after retries; try again later"),
    "APIResponseValidationError": (False, "the server's answer was not valid; check --base-url"),
    "APIError": (False, "the provider returned an unreadable answer; check --base-url"),
}


def classify(exc: BaseException, provider: str) -> ProviderError:
    """Turn an SDK exception into a ProviderError with a hint, by class name along the MRO."""
    for cls in type(exc).__mro__:
        if cls.__name__ in ERROR_TABLE:
            retryable, hint = ERROR_TABLE[cls.__name__]
            status = getattr(exc, "status_code", None)
            where = f" (HTTP {status})" if status else ""
            first = str(exc).splitlines()[0][:200] if str(exc) else cls.__name__
            return ProviderError(f"{provider}: {cls.__name__}{where}: {first}", hint, retryable=retryable)
    return ProviderError(f"{provider}: {type(exc).__name__}: {exc}", "run with --debug for details")


def unreadable(exc: ValueError, provider: str) -> ProviderError:
    first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return ProviderError(f"{provider}: the server's answer is not a valid API response ({first})",
                         "check --base-url points at an Anthropic/OpenAI-compatible API", retryable=False)
