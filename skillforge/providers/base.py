"""The provider-neutral chat interface every LLM backend implements.

A :class:`ChatRequest` carries the long shared instructions first (``system``, so prompt caches
serve them), provider-neutral ``messages`` (user/assistant text, assistant tool calls, tool
results), ``tools`` (name, description, JSON schema), an optional ``output_schema`` (ask for JSON)
and ``max_tokens``. Backends translate it to their wire format and return a :class:`ChatResponse`.
Retries live in the SDKs (configured with ``max_retries`` and ``timeout``); exceptions that survive
them are classified by :func:`classify` into a :class:`~skillforge.errors.ProviderError`.
"""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from skillforge.errors import ExitCode, ProviderError
from skillforge.providers.ratelimit import RateLimiter
from skillforge.text import estimate_tokens


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
        chars = len(self.system) + sum(
            len(m.text) + sum(len(str(c.args)) for c in m.tool_calls) for m in self.messages
        )
        chars += sum(len(t.description) + len(str(t.schema)) for t in self.tools)
        return estimate_tokens(chars)


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


class Provider(ABC):
    """What distill needs of an LLM: ``chat``. ``name`` and ``model`` say which, for reports and cache
    keys. Backends over an official SDK derive from :class:`SDKProvider`."""

    name = "provider"
    default_model = ""

    def __init__(self, model: str = ""):
        self.model = model or self.default_model

    @abstractmethod
    def chat(self, request: ChatRequest) -> ChatResponse:
        """Send one request and return the answer; failures raise ProviderError."""


class SDKProvider(Provider):
    """A backend over an official SDK client, built once with the SDK's own timeout and retries. The
    SDK module is imported only here, when a provider is built. ``chat`` waits for the rate limiter,
    sends the backend's ``payload`` through the client (``_send``) and reads the answer
    (``_response``); SDK errors become ProviderError."""

    sdk = ""  # the SDK's module, its client class and the base class of its exceptions
    client_class = ""
    error_class = ""

    def __init__(
        self,
        api_key: str,
        *,
        model: str = "",
        base_url: str = "",
        timeout: float = 120.0,
        max_retries: int = 4,
        limiter: RateLimiter | None = None,
        name: str = "",
    ):
        super().__init__(model)
        self.limiter = limiter or RateLimiter()
        self.name = name or self.name
        self._client = self._connect(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )

    def chat(self, request: ChatRequest) -> ChatResponse:
        self.limiter.acquire(request.estimate_tokens() + request.max_tokens)
        try:
            resp = self._send(self.payload(request))
        except self._sdk_error() as exc:
            raise classify(exc, self.name) from exc
        except ValueError as exc:  # a body that is not JSON, or not the API's shape
            raise unreadable(exc, self.name) from exc
        return self._response(resp)

    # what a backend implements
    @abstractmethod
    def payload(self, request: ChatRequest) -> dict[str, Any]:
        """The SDK call's keyword arguments for ``request`` (batch files reuse them)."""

    @abstractmethod
    def _send(self, payload: dict[str, Any]) -> Any: ...

    @abstractmethod
    def _response(self, resp: Any) -> ChatResponse: ...

    def _connect(self, **options: Any) -> Any:
        return getattr(importlib.import_module(self.sdk), self.client_class)(**options)

    def _sdk_error(self) -> type[Exception]:
        error: type[Exception] = getattr(importlib.import_module(self.sdk), self.error_class)
        return error


# exception class name -> (retryable, hint); looked up along the exception's MRO
ERROR_TABLE: dict[str, tuple[bool, str]] = {
    "AuthenticationError": (False, "check the API key variable"),
    "PermissionDeniedError": (False, "the key may not have access to this model"),
    "PaymentRequiredError": (False, "the account is out of credit"),
    "NotFoundError": (False, "check --model and --base-url"),
    "BadRequestError": (
        False,
        "the request was rejected; check --model (it may not support tools or JSON output)",
    ),
    "UnprocessableEntityError": (False, "the request was rejected; check --model"),
    "ContentTooLargeError": (False, "the prompt is too large for this model"),
    "RateLimitError": (
        True,
        "rate limited after retries; lower --workers, or set SKILLFORGE_RPM / SKILLFORGE_TPM "
        "or raise SKILLFORGE_MAX_RETRIES (or rpm, tpm, max_retries in skillforge.toml)",
    ),
    "APITimeoutError": (
        True,
        "timed out after retries; lower --workers or raise SKILLFORGE_TIMEOUT "
        "(seconds; or timeout in skillforge.toml)",
    ),
    "APIConnectionError": (True, "cannot reach the server; check --base-url and the network"),
    "InternalServerError": (True, "the provider failed after retries; try again later"),
    "APIStatusError": (True, "the provider failed after retries; try again later"),
    "APIResponseValidationError": (False, "the server's answer was not valid; check --base-url"),
    "APIError": (False, "the provider returned an unreadable answer; check --base-url"),
}

# errors every later call would repeat: the run stops at the first one, exiting with this code
# (2: the key, --model or --base-url is wrong; 1: the account cannot pay)
STOPS_RUN: dict[str, ExitCode] = {
    "AuthenticationError": ExitCode.USAGE,
    "PermissionDeniedError": ExitCode.USAGE,
    "NotFoundError": ExitCode.USAGE,
    "BadRequestError": ExitCode.USAGE,
    "UnprocessableEntityError": ExitCode.USAGE,
    "PaymentRequiredError": ExitCode.ERROR,
}

# a request rejected because its prompt is longer than the model's context (Anthropic: "prompt is too
# long"; OpenAI: context_length_exceeded, "maximum context length"; vLLM, llama.cpp, LM Studio: the
# same words about the context): it depends on this item's content, so only the item fails, as for 413
REJECTED = ("BadRequestError", "UnprocessableEntityError")
CONTEXT_OVERFLOW = re.compile(
    r"prompt is too long|context[_ ]length|maximum context|context window|context size"
    r"|exceed_context_size|exceeds? the (?:available |model's )?context",
    re.IGNORECASE,
)
TOO_LONG_HINT = (
    "this item's prompt is longer than the model's context (a long trajectory): only it fails; lower "
    "the transcript_tokens or analyst_steps setting, or use a model with a longer context"
)


def classify(exc: BaseException, provider: str) -> ProviderError:
    """Turn an SDK exception into a ProviderError with a hint, by class name along the MRO."""
    for cls in type(exc).__mro__:
        if cls.__name__ in ERROR_TABLE:
            retryable, hint = ERROR_TABLE[cls.__name__]
            status = getattr(exc, "status_code", None)
            where = f" (HTTP {status})" if status else ""
            first = _first_line(exc, 200) or cls.__name__
            too_long = cls.__name__ in REJECTED and _too_long(exc)
            stops = cls.__name__ in STOPS_RUN and not too_long
            return ProviderError(
                f"{provider}: {cls.__name__}{where}: {first}",
                TOO_LONG_HINT if too_long else hint,
                retryable=retryable,
                stops_run=stops,
                exit_code=STOPS_RUN.get(cls.__name__) if stops else None,
            )
    return ProviderError(
        f"{provider}: {type(exc).__name__}: {_first_line(exc, 200)}", "run with --debug for details"
    )


def _too_long(exc: BaseException) -> bool:
    """Whether a rejected request's error says its prompt does not fit the model's context (the
    message, the OpenAI error ``code`` and the body the SDK parsed are read)."""
    said = f"{exc} {getattr(exc, 'code', '') or ''} {getattr(exc, 'body', '') or ''}"
    return bool(CONTEXT_OVERFLOW.search(said))


def unreadable(exc: ValueError, provider: str) -> ProviderError:
    first = _first_line(exc, 160) or type(exc).__name__
    return ProviderError(
        f"{provider}: the server's answer is not a valid API response ({first})",
        "check --base-url points at an Anthropic/OpenAI-compatible API",
        retryable=False,
    )


def _first_line(exc: BaseException, width: int) -> str:
    """The start of an exception's message: provider errors can quote the server's whole answer."""
    lines = str(exc).splitlines()
    return lines[0][:width] if lines else ""
