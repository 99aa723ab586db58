"""A scripted LLM server for tests and benchmarks: speaks the Anthropic Messages API
(``POST /v1/messages``) and OpenAI Chat Completions (``POST /v1/chat/completions``) on 127.0.0.1.

Answers come from a queue (``server.push(Reply(...))``) or, when the queue is empty, from
``server.responder(seen) -> Reply``. Faults: an HTTP status with headers (429 + Retry-After, 500),
``sleep`` past the client's timeout, a ``raw`` body (malformed JSON), ``refusal``. ``latency`` delays
every answer. Every request is recorded in ``server.requests`` (api, path, body, time) so tests can
assert what reached the "LLM". The real SDKs talk to it through their ``base_url``:
``server.anthropic_url`` and ``server.openai_url``.

Use it with the ``llm_server`` fixture (``pytest_plugins = ["tests.llm_server"]`` in conftest.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    text: str = ""
    json: Any = None  # serialised into text when given
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, args)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    sleep: float = 0.0
    raw: str | None = None  # send this body verbatim (malformed JSON)
    refusal: bool = False
    input_tokens: int | None = None  # default: request body chars / 4
    output_tokens: int | None = None
    cache_read: int = 0


@dataclass
class Seen:
    """A recorded request, as a responder sees it."""

    api: str  # "anthropic" | "openai"
    path: str
    body: Any
    at: float
    batch: str | None = None  # the batch id when the request came in a batch

    @property
    def system(self) -> str:
        if self.api == "openai":
            return next((m["content"] for m in self.body["messages"] if m["role"] == "system"), "")
        sys = self.body.get("system", "")
        return sys if isinstance(sys, str) else "".join(b.get("text", "") for b in sys)

    @property
    def tool_results(self) -> list[str]:
        """Contents of every tool result sent so far, in order."""
        out: list[str] = []
        for m in self.body.get("messages", []):
            if self.api == "openai" and m.get("role") == "tool":
                out.append(str(m.get("content", "")))
            elif self.api == "anthropic" and isinstance(m.get("content"), list):
                out += [_text(b.get("content")) for b in m["content"] if b.get("type") == "tool_result"]
        return out

    @property
    def user_text(self) -> str:
        """All user text of the conversation (prompts and repair requests), joined."""
        parts = []
        for m in self.body.get("messages", []):
            if m.get("role") == "user":
                c = m.get("content")
                parts.append(
                    c
                    if isinstance(c, str)
                    else "".join(b.get("text", "") for b in c if b.get("type") == "text")
                )
        return "\n".join(parts)

    @property
    def text(self) -> str:
        """Everything this request would show a model (for secret-leak assertions)."""
        return json.dumps(self.body)


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return str(content or "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many workers connect at once in the benchmark


class ScriptedLLM:
    def __init__(self) -> None:
        self.queue: deque[Reply] = deque()
        self.responder: Callable[[Seen], Reply] | None = None
        self.latency = 0.0
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ids = 0
        self.httpd = _Server(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.anthropic_url = self.url
        self.openai_url = f"{self.url}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.batches = _Batches(self)

    def start(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def push(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            self._ids += 1
            if self.queue:
                return self.queue.popleft()
        if self.responder is not None:
            return self.responder(seen)
        return Reply(
            status=418, raw='{"error": {"type": "script_exhausted", "message": "no scripted reply left"}}'
        )

    def wait(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _handler(server: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            if _batch_route(self.path):  # the batch endpoints (see _Batches below)
                self._send(*server.batches.post(self.path, raw, self.headers.get("content-type", "")))
                return
            api = "openai" if self.path.endswith("/chat/completions") else "anthropic"
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            reply = server._next(Seen(api, self.path, body, time.monotonic()))
            server.wait(server.latency + reply.sleep)
            status, payload = _render(api, reply, body or {}, len(raw))
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def do_GET(self) -> None:
            self._send(*server.batches.get(self.path))

        def _send(self, status: int, payload: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _render(api: str, reply: Reply, body: dict[str, Any], size: int) -> tuple[int, bytes]:
    if reply.raw is not None:
        return reply.status, reply.raw.encode()
    if reply.status != 200:
        err = {"type": "error", "error": {"type": "scripted_error", "message": f"scripted {reply.status}"}}
        return reply.status, json.dumps(err if api == "anthropic" else {"error": err["error"]}).encode()
    text = json.dumps(reply.json) if reply.json is not None else reply.text
    tin = reply.input_tokens if reply.input_tokens is not None else size // 4
    tout = reply.output_tokens if reply.output_tokens is not None else len(text) // 4 + 1
    model = body.get("model", "scripted")
    doc = (_anthropic if api == "anthropic" else _openai)(reply, text, model, (tin, tout, reply.cache_read))
    return 200, json.dumps(doc).encode()


def _anthropic(reply: Reply, text: str, model: str, usage: tuple[int, int, int]) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [
        {"type": "tool_use", "id": f"toolu_{i}_{name}", "name": name, "input": args}
        for i, (name, args) in enumerate(reply.tool_calls)
    ]
    stop = "refusal" if reply.refusal else ("tool_use" if reply.tool_calls else "end_turn")
    return {
        "id": "msg_scripted",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage[0],
            "output_tokens": usage[1],
            "cache_read_input_tokens": usage[2],
            "cache_creation_input_tokens": 0,
        },
    }


def _openai(reply: Reply, text: str, model: str, usage: tuple[int, int, int]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if reply.refusal else (text or None),
        "refusal": (text or "I can't help with that.") if reply.refusal else None,
    }
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}_{name}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate(reply.tool_calls)
        ]
    finish = "tool_calls" if reply.tool_calls else "stop"
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": usage[0] + usage[2],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
            "prompt_tokens_details": {"cached_tokens": usage[2]},
        },
    }


# ------------------------------------------------------------------------------------------ batches
# Anthropic Message Batches (POST /v1/messages/batches, GET …/{id}, GET …/{id}/results) and OpenAI Batch
# (POST /v1/files, POST /v1/batches, GET /v1/batches/{id}, GET /v1/files/{id}/content). Each request in
# a batch is answered like a real-time one (queue, then responder) and recorded in ``server.requests``
# with ``batch`` set. A batch stays in progress while ``server.batches.ready`` is False; it is processed
# at the first status check after that. ``server.batches.calls`` records (method, path) of batch calls.


def _batch_route(path: str) -> bool:
    return path.startswith(("/v1/messages/batches", "/v1/files", "/v1/batches"))


class _Batches:
    def __init__(self, server: ScriptedLLM) -> None:
        self.server = server
        self.ready = True
        self.calls: list[tuple[str, str]] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def post(self, path: str, raw: bytes, ctype: str) -> tuple[int, bytes]:
        with self._lock:
            self.calls.append(("POST", path))
            n = len(self.jobs) + len(self.files) + 1
            if path == "/v1/files":
                return self._upload(f"file-{n}", raw, ctype)
            body = json.loads(raw or b"{}")
            if path == "/v1/messages/batches":
                job = {"api": "anthropic", "requests": body["requests"], "done": None}
                self.jobs[f"msgbatch_{n}"] = job
                return 200, json.dumps(self._anthropic_doc(f"msgbatch_{n}", job)).encode()
            if path == "/v1/batches":
                lines = self.files[body["input_file_id"]].decode().splitlines()
                job = {
                    "api": "openai",
                    "requests": [json.loads(x) for x in lines if x.strip()],
                    "done": None,
                    "input_file_id": body["input_file_id"],
                }
                self.jobs[f"batch_{n}"] = job
                return 200, json.dumps(self._openai_doc(f"batch_{n}", job)).encode()
        return 404, b'{"error": {"type": "not_found_error", "message": "no such route"}}'

    def get(self, path: str) -> tuple[int, bytes]:
        self.calls.append(("GET", path))
        parts = path.split("?")[0].strip("/").split("/")
        if parts[:2] == ["v1", "files"] and len(parts) == 4 and parts[2] in self.files:
            return 200, self.files[parts[2]]
        bid = parts[3] if parts[1:3] == ["messages", "batches"] and len(parts) > 3 else parts[2]
        job = self.jobs.get(bid)
        if job is None:
            return 404, b'{"error": {"type": "not_found_error", "message": "no such batch"}}'
        if self.ready and job["done"] is None:
            self._process(bid, job)
        if parts[-1] == "results":
            return 200, "".join(json.dumps(line) + "\n" for line in job["done"] or []).encode()
        doc = (self._anthropic_doc if job["api"] == "anthropic" else self._openai_doc)(bid, job)
        return 200, json.dumps(doc).encode()

    def _upload(self, fid: str, raw: bytes, ctype: str) -> tuple[int, bytes]:
        import email.parser
        import email.policy

        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
            b"content-type: " + ctype.encode() + b"\r\n\r\n" + raw
        )
        parts = [p for p in msg.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
        content = bytes(parts[0].get_payload(decode=True))
        self.files[fid] = content
        return 200, json.dumps(
            {
                "id": fid,
                "object": "file",
                "bytes": len(content),
                "created_at": 0,
                "filename": "batch.jsonl",
                "purpose": "batch",
                "status": "processed",
            }
        ).encode()

    def _process(self, bid: str, job: dict[str, Any]) -> None:
        out = []
        for item in job["requests"]:
            api = job["api"]
            body = item["params"] if api == "anthropic" else item["body"]
            path = "/v1/messages" if api == "anthropic" else "/v1/chat/completions"
            reply = self.server._next(Seen(api, path, body, time.monotonic(), batch=bid))
            status, payload = _render(api, reply, body, len(json.dumps(body)))
            out.append(_batch_line(api, item["custom_id"], status, json.loads(payload)))
        job["done"] = out
        if job["api"] == "openai":
            self.files[f"file-out-{bid}"] = "".join(json.dumps(x) + "\n" for x in out).encode()

    def _anthropic_doc(self, bid: str, job: dict[str, Any]) -> dict[str, Any]:
        done = job["done"]
        ok = sum(1 for x in done or [] if x["result"]["type"] == "succeeded")
        ended = done is not None
        return {
            "id": bid,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else len(job["requests"]),
                "succeeded": ok,
                "errored": len(done or []) - ok,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T01:00:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.server.url}/v1/messages/batches/{bid}/results" if ended else None,
        }

    def _openai_doc(self, bid: str, job: dict[str, Any]) -> dict[str, Any]:
        done = job["done"]
        failed = sum(1 for x in done or [] if x["response"]["status_code"] != 200)
        return {
            "id": bid,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "input_file_id": job["input_file_id"],
            "created_at": 0,
            "status": "completed" if done is not None else "in_progress",
            "output_file_id": f"file-out-{bid}" if done is not None else None,
            "error_file_id": None,
            "request_counts": {
                "total": len(job["requests"]),
                "completed": len(done or []) - failed,
                "failed": failed,
            },
        }


def _batch_line(api: str, custom_id: str, status: int, doc: dict[str, Any]) -> dict[str, Any]:
    if api == "openai":
        return {
            "id": f"req-{custom_id}",
            "custom_id": custom_id,
            "error": None,
            "response": {"status_code": status, "request_id": f"r-{custom_id}", "body": doc},
        }
    if status == 200:
        return {"custom_id": custom_id, "result": {"type": "succeeded", "message": doc}}
    error = {"type": "error", "error": doc.get("error", doc)}
    return {"custom_id": custom_id, "result": {"type": "errored", "error": error}}


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_provider(llm_server: ScriptedLLM, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``llm_provider(api="anthropic", **settings)``: a real provider (resolved from Settings, API key
    set in the environment) that talks to ``llm_server``."""
    from skillforge.config import Settings
    from skillforge.providers import resolve

    def make(api: str = "anthropic", **overrides: Any) -> Any:
        monkeypatch.setenv("ANTHROPIC_API_KEY" if api == "anthropic" else "OPENAI_API_KEY", "test-key")
        url = llm_server.anthropic_url if api == "anthropic" else llm_server.openai_url
        opts = {"provider": api, "base_url": url, "model": "test-model", "max_retries": 1, "timeout": 5.0}
        return resolve(Settings.load({**opts, **overrides}))

    return make
