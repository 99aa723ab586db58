"""LLM providers: ``resolve(settings)`` picks the backend from the resolved settings.

=====================  ================================================  ==========================
provider setting       backend                                            key variable
=====================  ================================================  ==========================
``anthropic``          Anthropic Messages API (``anthropic`` SDK)         ``ANTHROPIC_API_KEY``
``openai``             OpenAI Chat Completions (``openai`` SDK)           ``OPENAI_API_KEY``
``openai-compatible``  Chat Completions at ``--base-url`` (vLLM, Ollama)  ``OPENAI_API_KEY`` (optional)
``offline`` / empty    no LLM (empty/``auto`` picks a provider by key)    —
=====================  ================================================  ==========================

SDKs are imported only when a provider is built, so commands that never call an LLM stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillforge.errors import ConfigError
from skillforge.providers.base import ChatRequest, ChatResponse, Message, Provider, TokenUsage, Tool, ToolCall
from skillforge.providers.ratelimit import RateLimiter

if TYPE_CHECKING:
    from skillforge.config import Settings

__all__ = ["ChatRequest", "ChatResponse", "Message", "Provider", "TokenUsage", "Tool", "ToolCall", "resolve"]

PROVIDERS = ("anthropic", "openai", "openai-compatible", "offline")


def resolve(settings: Settings) -> Provider | None:
    """The configured provider, or None for offline (provider empty/"auto" with no API key set).
    Keys and servers come from ``settings`` (resolved from the environment there), never read here."""
    name = settings.provider.strip().lower()
    if name == "offline":
        return None
    if name in ("", "auto"):
        if settings.anthropic_api_key:
            name = "anthropic"
        elif settings.openai_api_key:
            name = "openai"
        else:
            return None
    if name not in PROVIDERS:
        raise ConfigError(f"unknown provider {name!r}", f"use one of: {', '.join(PROVIDERS)}")
    common: dict[str, Any] = {
        "model": settings.model,
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
        "limiter": RateLimiter(settings.rpm, settings.tpm),
    }
    if name == "anthropic":
        from skillforge.providers.anthropic import AnthropicProvider

        key = _key(settings.anthropic_api_key, "ANTHROPIC_API_KEY", name)
        return AnthropicProvider(key, base_url=settings.base_url or settings.anthropic_base_url, **common)
    from skillforge.providers.openai import OpenAIProvider

    base_url = settings.base_url or settings.openai_base_url
    if name == "openai":
        return OpenAIProvider(
            _key(settings.openai_api_key, "OPENAI_API_KEY", name), base_url=base_url, **common
        )
    return _compatible(settings, base_url, common)


def _compatible(settings: Settings, base_url: str, common: dict[str, Any]) -> Provider:
    """An OpenAI-compatible server (vLLM, Ollama, …): it needs a URL and a model name, a key is optional."""
    from skillforge.providers.openai import OpenAIProvider

    if not base_url:
        raise ConfigError(
            "provider openai-compatible needs a server URL",
            "pass --base-url http://localhost:8000/v1 (or set OPENAI_BASE_URL)",
        )
    if not common["model"]:
        raise ConfigError(
            "provider openai-compatible needs a model name", "pass --model NAME as the server knows it"
        )
    return OpenAIProvider(
        settings.openai_api_key or "not-needed", base_url=base_url, name="openai-compatible", **common
    )


def _key(value: str, variable: str, provider: str) -> str:
    """The API key, or a ConfigError (exit 2, like a missing server URL) naming the variable to set."""
    if not value:
        raise ConfigError(
            f"provider {provider} needs an API key but {variable} is not set",
            f"export {variable}=… or use --provider offline",
        )
    return value
