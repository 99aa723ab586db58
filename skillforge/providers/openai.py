"""The OpenAI Chat Completions backend (``openai`` SDK, imported lazily), also used for
OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LM Studio) through ``--base-url``.

JSON output uses ``response_format`` json_schema (non-strict); tool calls map to ``tool_calls`` and
``role: tool`` messages; ``usage.prompt_tokens_details.cached_tokens`` counts prompt-cache reads.
Retries are the SDK's own.
"""

from __future__ import annotations

from typing import Any

import orjson

from skillforge.errors import ProviderError
from skillforge.providers.base import (
    ChatRequest,
    ChatResponse,
    Message,
    SDKProvider,
    TokenUsage,
    ToolCall,
)


class OpenAIProvider(SDKProvider):
    name = "openai"
    default_model = "gpt-5-mini"

    sdk, client_class, error_class = "openai", "OpenAI", "OpenAIError"

    def _send(self, payload: dict[str, Any]) -> Any:
        return self._client.chat.completions.create(**payload)

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, *to_messages(request.messages)],
        }
        # self-hosted servers (Ollama, llama.cpp, older vLLM) know only the older max_tokens
        body["max_tokens" if self.name == "openai-compatible" else "max_completion_tokens"] = (
            request.max_tokens
        )
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.schema},
                }
                for t in request.tools
            ]
            body["tool_choice"] = request.tool_choice
        if request.output_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.output_schema, "strict": False},
            }
        return body

    def _response(self, resp: Any) -> ChatResponse:
        if not resp.choices:
            raise ProviderError(
                f"{self.name}: the server answered without a choice", "check --base-url and --model"
            )
        choice = resp.choices[0]
        msg = choice.message
        calls = [
            ToolCall(c.id, c.function.name, _args(c.function.arguments))
            for c in (msg.tool_calls or [])
            if getattr(c, "function", None) is not None
        ]
        usage = TokenUsage()
        if resp.usage is not None:
            details = getattr(resp.usage, "prompt_tokens_details", None)
            cached = (getattr(details, "cached_tokens", 0) or 0) if details is not None else 0
            usage = TokenUsage(
                input=(resp.usage.prompt_tokens or 0) - cached,
                output=resp.usage.completion_tokens or 0,
                cache_read=cached,
            )
        refusal = bool(getattr(msg, "refusal", None))
        stop = "refusal" if refusal else (choice.finish_reason or "")
        return ChatResponse(
            msg.content or "", calls, stop, usage, refusal=refusal, model=resp.model or self.model
        )


def _args(raw: str | None) -> dict[str, Any]:
    try:
        value = orjson.loads(raw or "{}")
    except orjson.JSONDecodeError:
        return {"_malformed": raw or ""}
    return value if isinstance(value, dict) else {"value": value}


def to_messages(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            out.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.text})
        elif m.role == "assistant":
            turn: dict[str, Any] = {"role": "assistant", "content": m.text or None}
            if m.tool_calls:
                turn["tool_calls"] = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": orjson.dumps(c.args).decode()},
                    }
                    for c in m.tool_calls
                ]
            out.append(turn)
        else:
            out.append({"role": "user", "content": m.text})
    return out
