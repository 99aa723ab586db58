"""LLM providers: ``resolve(settings)`` picks the backend from settings and the environment.

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

import os
from typing import Any

from skillforge.errors import ConfigError, SkillforgeError
from skillforge.providers.base import ChatRequest, ChatResponse, Message, Provider, TokenUsage, Tool, ToolCall
from skillforge.providers.ratelimit import RateLimiter

__all__ = ["ChatRequest", "ChatResponse", "Message", "Provider", "TokenUsage", "Tool", "ToolCall", "resolve"]

PROVIDERS = ("anthropic", "openai", "openai-compatible", "offline")


def resolve(settings: Any) -> Provider | None:
    """The configured provider, or None for offline (provider empty/"auto" with no API key set)."""
    name = str(getattr(settings, "provider", "") or "").strip().lower()
    if name == "offline":
        return None
    if name in ("", "auto"):
        if os.environ.get("ANTHROPIC_API_KEY"):
            name = "anthropic"
        elif os.environ.get("OPENAI_API_KEY"):
            name = "openai"
        else:
            return None
    if name not in PROVIDERS:
        raise ConfigError(f"unknown provider {name!r}", f"use one of: {', '.join(PROVIDERS)}")
    common: dict[str, Any] = {
        "model": str(getattr(settings, "model", "") or ""),
        "timeout": float(getattr(settings, "timeout", 120.0)),
        "max_retries": int(getattr(settings, "max_retries", 4)),
        "limiter": RateLimiter(int(getattr(settings, "rpm", 0) or 0), int(getattr(settings, "tpm", 0) or 0)),
    }
    base_url = str(getattr(settings, "base_url", "") or "")
    if name == "anthropic":
        from skillforge.providers.anthropic import AnthropicProvider

        return AnthropicProvider(
            _key("ANTHROPIC_API_KEY", name),
            base_url=base_url or os.environ.get("ANTHROPIC_BASE_URL", ""),
            **common,
        )
    from skillforge.providers.openai import OpenAIProvider

    if name == "openai":
        return OpenAIProvider(
            _key("OPENAI_API_KEY", name), base_url=base_url or os.environ.get("OPENAI_BASE_URL", ""), **common
        )
    base_url = base_url or os.environ.get("OPENAI_BASE_URL", "")
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
        os.environ.get("OPENAI_API_KEY") or "not-needed",
        base_url=base_url,
        name="openai-compatible",
        **common,
    )


def _key(variable: str, provider: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise SkillforgeError(
            f"provider {provider} needs an API key but {variable} is not set",
            f"export {variable}=… or use --provider offline",
        )
    return value
