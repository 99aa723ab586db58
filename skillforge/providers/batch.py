"""The providers' batch APIs, through the real SDKs: submit many chat requests as one batch (about
half the price, answered within 24 hours), check its status, read its answers.

=========  =====================================================================================
Anthropic  Message Batches: ``client.messages.batches.create / retrieve / results`` (JSONL results)
OpenAI     Batch: ``client.files.create`` (JSONL upload), ``client.batches.create / retrieve``,
           ``client.files.content`` (JSONL output and error files)
=========  =====================================================================================

    api = batch_api(provider)            # ConfigError when the provider has no batch API
    batch_id = api.submit([(custom_id, ChatRequest(...)), ...])
    api.status(batch_id).done            # poll later (hours), e.g. from ``distill --resume``
    for answer in api.results(batch_id): answer.custom_id, answer.response or answer.error

Custom ids must match ``[A-Za-z0-9_-]{1,64}``. Batch calls are priced at :data:`BATCH_DISCOUNT`.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from skillforge.errors import ConfigError, ProviderError
from skillforge.providers.base import ChatRequest, ChatResponse, Provider, classify

BATCH_DISCOUNT = 0.5  # both providers charge half the real-time price for batch calls
CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
OPENAI_ENDPOINT = "/v1/chat/completions"


@dataclass
class BatchStatus:
    id: str
    state: str  # the provider's own word: in_progress, ended, completed, failed, expired, …
    done: bool  # answers can be read (some may be errors)
    failed: bool = False  # the batch as a whole failed, expired or was cancelled
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class BatchAnswer:
    custom_id: str
    response: ChatResponse | None = None
    error: str | None = None


class BatchAPI(Protocol):
    provider: Provider

    def submit(self, requests: Iterable[tuple[str, ChatRequest]]) -> str: ...

    def status(self, batch_id: str) -> BatchStatus: ...

    def results(self, batch_id: str) -> Iterator[BatchAnswer]: ...


def check_batch(provider: Provider | None) -> None:
    """Refuse ``--batch`` / ``--resume`` without a provider that has a batch API (``provider`` None:
    offline). Distill calls it before planning, so a dry run refuses what the real run would."""
    if provider is None:
        raise ConfigError(
            "--batch and --resume need an LLM provider",
            "set ANTHROPIC_API_KEY or OPENAI_API_KEY, or pass --provider anthropic|openai",
        )
    if provider.name not in ("anthropic", "openai"):
        raise ConfigError(
            f"provider {provider.name} has no batch API",
            "--batch works with --provider anthropic or openai; drop --batch for real-time calls",
        )


def batch_api(provider: Provider) -> BatchAPI:
    """The batch API of ``provider`` (Anthropic or OpenAI; see :func:`check_batch`)."""
    check_batch(provider)
    return AnthropicBatch(provider) if provider.name == "anthropic" else OpenAIBatch(provider)


def discounted(cost: float) -> float:
    return cost * BATCH_DISCOUNT


def _check_id(custom_id: str) -> str:
    if not CUSTOM_ID.match(custom_id):
        raise ValueError(f"batch custom id {custom_id!r} must match {CUSTOM_ID.pattern}")
    return custom_id


class AnthropicBatch:
    def __init__(self, provider: Any):
        self.provider = provider
        self._batches = provider._client.messages.batches

    def submit(self, requests: Iterable[tuple[str, ChatRequest]]) -> str:
        body = [{"custom_id": _check_id(cid), "params": self.provider.payload(req)} for cid, req in requests]
        batch = self._call(self._batches.create, requests=body)
        return str(batch.id)

    def status(self, batch_id: str) -> BatchStatus:
        batch = self._call(self._batches.retrieve, batch_id)
        counts = {k: int(v or 0) for k, v in batch.request_counts.model_dump().items()}
        return BatchStatus(
            batch_id, batch.processing_status, batch.processing_status == "ended", counts=counts
        )

    def results(self, batch_id: str) -> Iterator[BatchAnswer]:
        with _sdk_errors(self.provider.name, "anthropic"):  # lines are read (and decoded) lazily
            for line in self._batches.results(batch_id):
                result = line.result
                if result.type == "succeeded":
                    yield BatchAnswer(line.custom_id, self.provider._response(result.message))
                else:
                    detail = getattr(getattr(getattr(result, "error", None), "error", None), "message", "")
                    yield BatchAnswer(
                        line.custom_id, error=f"anthropic batch: {result.type} {detail}".strip()
                    )

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return _sdk_call(self.provider.name, "anthropic", fn, *args, **kwargs)


class OpenAIBatch:
    def __init__(self, provider: Any):
        self.provider = provider
        self._client = provider._client

    def submit(self, requests: Iterable[tuple[str, ChatRequest]]) -> str:
        with tempfile.SpooledTemporaryFile(max_size=8 << 20) as fh:  # spills to disk past 8 MB
            for cid, req in requests:
                line = {
                    "custom_id": _check_id(cid),
                    "method": "POST",
                    "url": OPENAI_ENDPOINT,
                    "body": self.provider.payload(req),
                }
                fh.write(orjson.dumps(line) + b"\n")
            fh.seek(0)
            upload = self._call(
                self._client.files.create, file=("skillforge-batch.jsonl", fh), purpose="batch"
            )
        batch = self._call(
            self._client.batches.create,
            input_file_id=upload.id,
            endpoint=OPENAI_ENDPOINT,
            completion_window="24h",
        )
        return str(batch.id)

    def status(self, batch_id: str) -> BatchStatus:
        batch = self._call(self._client.batches.retrieve, batch_id)
        counts = batch.request_counts.model_dump() if batch.request_counts is not None else {}
        failed = batch.status in ("failed", "expired", "cancelled")
        done = batch.status == "completed" or (failed and bool(batch.output_file_id or batch.error_file_id))
        return BatchStatus(batch_id, batch.status, done, failed, {k: int(v or 0) for k, v in counts.items()})

    def results(self, batch_id: str) -> Iterator[BatchAnswer]:
        batch = self._call(self._client.batches.retrieve, batch_id)
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                yield from self._lines(file_id)

    def _lines(self, file_id: str) -> Iterator[BatchAnswer]:
        # the download starts when the streaming response is entered, so SDK errors are mapped here
        with (
            _sdk_errors(self.provider.name, "openai"),
            self._client.files.with_streaming_response.content(file_id) as resp,
        ):
            for raw in resp.iter_lines():
                answer = self._answer(raw) if raw.strip() else None
                if answer is not None:
                    yield answer

    def _answer(self, raw: str) -> BatchAnswer | None:
        """One output/error-file line as an answer; None when not even its custom id can be read."""
        from openai.types.chat import ChatCompletion

        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(line, dict) or not line.get("custom_id"):
            return None
        cid, response = str(line["custom_id"]), line.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        if isinstance(response, dict) and response.get("status_code") == 200 and isinstance(body, dict):
            try:
                return BatchAnswer(cid, self.provider._response(ChatCompletion.model_validate(body)))
            except (ValueError, ProviderError) as exc:
                return BatchAnswer(
                    cid, error=f"openai batch: unreadable answer ({str(exc).splitlines()[0][:160]})"
                )
        error = line.get("error") or (body.get("error") if isinstance(body, dict) else None) or {}
        message = error.get("message", "") if isinstance(error, dict) else str(error)
        status = response.get("status_code") if isinstance(response, dict) else None
        return BatchAnswer(cid, error=f"openai batch: HTTP {status} {message}".strip())

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return _sdk_call(self.provider.name, "openai", fn, *args, **kwargs)


def _sdk_call(name: str, sdk: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an SDK method, turning its exceptions into ProviderError with a hint."""
    with _sdk_errors(name, sdk):
        return fn(*args, **kwargs)


@contextlib.contextmanager
def _sdk_errors(name: str, sdk: str) -> Iterator[None]:
    module = importlib.import_module(sdk)
    try:
        yield
    except module.APIError as exc:
        raise classify(exc, name) from exc
    except (ValueError, KeyError) as exc:
        raise ProviderError(
            f"{name}: the batch API's answer is not readable ({exc})",
            "check --base-url points at the provider's API",
            retryable=False,
        ) from exc
