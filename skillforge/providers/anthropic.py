"""The Anthropic Messages API backend (``anthropic`` SDK, imported lazily).

The system prompt goes first as one text block with ``cache_control`` so that repeated calls read it
from the prompt cache; tool calls and results map to ``tool_use`` / ``tool_result`` blocks; JSON output
uses ``output_config.format``. Retries (429 with Retry-After, 5xx, timeouts) are the SDK's own.
"""

from __future__ import annotations

from typing import Any

from skillforge.providers.base import (
    ChatRequest,
    ChatResponse,
    Message,
    SDKProvider,
    TokenUsage,
    ToolCall,
)


class AnthropicProvider(SDKProvider):
    name = "anthropic"
    default_model = "claude-sonnet-4-6"

    sdk, client_class, error_class = "anthropic", "Anthropic", "AnthropicError"

    def _send(self, payload: dict[str, Any]) -> Any:
        return self._client.messages.create(**payload)

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": [{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}],
            "messages": to_messages(request.messages),
        }
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.schema}
                for t in request.tools
            ]
            body["tool_choice"] = {"type": request.tool_choice}
        if request.output_schema is not None:
            body["output_config"] = {"format": {"type": "json_schema", "schema": request.output_schema}}
        return body

    def _response(self, resp: Any) -> ChatResponse:
        texts, calls = [], []
        for block in resp.content or []:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(block.id, block.name, dict(block.input or {})))
        u = resp.usage
        usage = TokenUsage(
            input=u.input_tokens or 0,
            output=u.output_tokens or 0,
            cache_read=u.cache_read_input_tokens or 0,
            cache_write=u.cache_creation_input_tokens or 0,
        )
        stop = resp.stop_reason or ""
        return ChatResponse(
            "".join(texts), calls, stop, usage, refusal=stop == "refusal", model=resp.model or self.model
        )


def to_messages(messages: list[Message]) -> list[dict[str, Any]]:
    """Neutral messages -> Anthropic turns (consecutive tool results share one user turn)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": m.tool_call_id,
                "content": m.text,
                "is_error": m.is_error,
            }
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif m.role == "assistant":
            content: list[dict[str, Any]] = [{"type": "text", "text": m.text}] if m.text else []
            content += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.args} for c in m.tool_calls
            ]
            out.append({"role": "assistant", "content": content})
        else:
            out.append({"role": "user", "content": [{"type": "text", "text": m.text}]})
    return out
