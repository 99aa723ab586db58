"""Providers against the scripted server through the real anthropic/openai SDKs."""

from __future__ import annotations

import json

import pytest

from skillforge.config import Settings
from skillforge.distill.cost import Budget, Price, Prices
from skillforge.errors import BudgetExceeded, ConfigError, ProviderError
from skillforge.providers import ChatRequest, Message, Tool, resolve
from skillforge.providers.base import ToolCall
from tests.llm_server import Reply

APIS = ["anthropic", "openai"]


@pytest.fixture
def make(llm_provider):
    """``make(api, **settings)``: a real provider talking to the scripted server (tests/llm_server.py)."""
    return llm_provider


def ask(text: str = "hi", **kw) -> ChatRequest:
    return ChatRequest(system="You are terse.", messages=[Message("user", text)], **kw)


@pytest.mark.parametrize("api", APIS)
def test_plain_reply_and_usage_with_cache_reads(api, make, llm_server):
    llm_server.push(Reply(text="hello there", input_tokens=100, output_tokens=7, cache_read=900))
    resp = make(api).chat(ask())
    assert resp.text == "hello there"
    assert (resp.usage.input, resp.usage.output, resp.usage.cache_read) == (100, 7, 900)
    assert not resp.refusal and not resp.tool_calls


def test_anthropic_marks_system_prompt_cacheable(make, llm_server):
    llm_server.push(Reply(text="ok"))
    make("anthropic").chat(ask())
    system = llm_server.requests[0].body["system"]
    assert system[0]["text"] == "You are terse." and system[0]["cache_control"] == {"type": "ephemeral"}


def test_openai_sends_system_first(make, llm_server):
    llm_server.push(Reply(text="ok"))
    make("openai").chat(ask())
    assert llm_server.requests[0].body["messages"][0] == {"role": "system", "content": "You are terse."}


@pytest.mark.parametrize("api", APIS)
def test_json_output_requests_schema(api, make, llm_server):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    llm_server.push(Reply(json={"n": 3}))
    resp = make(api).chat(ask(output_schema=schema))
    assert json.loads(resp.text) == {"n": 3}
    body = llm_server.requests[0].body
    sent = (
        body["output_config"]["format"]["schema"]
        if api == "anthropic"
        else body["response_format"]["json_schema"]["schema"]
    )
    assert sent == schema


@pytest.mark.parametrize("api", APIS)
def test_tool_use_round_trip(api, make, llm_server):
    tool = Tool("read_step", "read a step", {"type": "object", "properties": {"index": {"type": "integer"}}})
    llm_server.push(Reply(tool_calls=[("read_step", {"index": 4})]), Reply(text="done"))
    provider = make(api)
    req = ask(tools=[tool])
    first = provider.chat(req)
    assert [(c.name, c.args) for c in first.tool_calls] == [("read_step", {"index": 4})]
    req.messages += [
        Message("assistant", "", first.tool_calls),
        Message("tool", "step 4 text", tool_call_id=first.tool_calls[0].id),
    ]
    assert provider.chat(req).text == "done"
    assert llm_server.requests[1].tool_results == ["step 4 text"]


@pytest.mark.parametrize("api", APIS)
def test_rate_limit_retry_after_then_success(api, make, llm_server):
    llm_server.push(Reply(status=429, headers={"retry-after": "1"}), Reply(text="finally"))
    assert make(api).chat(ask()).text == "finally"
    first, second = llm_server.requests
    assert second.at - first.at >= 0.9  # the SDK waited as Retry-After asked


@pytest.mark.parametrize("api", APIS)
def test_server_error_then_success(api, make, llm_server):
    llm_server.push(Reply(status=500, headers={"retry-after-ms": "10"}), Reply(text="recovered"))
    assert make(api).chat(ask()).text == "recovered"
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize("api", APIS)
def test_timeout_is_retryable_error_after_sdk_retries(api, make, llm_server):
    llm_server.push(Reply(text="late", sleep=3), Reply(text="late", sleep=3))
    with pytest.raises(ProviderError) as err:
        make(api, timeout=0.3, max_retries=1).chat(ask())
    assert err.value.retryable and "Timeout" in err.value.message
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize("api", APIS)
def test_unreadable_body_is_provider_error(api, make, llm_server):
    llm_server.push(Reply(raw="{not json"))
    with pytest.raises(ProviderError, match="not a valid API response") as err:
        make(api).chat(ask())
    assert not err.value.retryable and "--base-url" in (err.value.hint or "")


@pytest.mark.parametrize("api", APIS)
def test_auth_error_is_not_retryable_and_has_hint(api, make, llm_server):
    llm_server.push(Reply(status=401))
    with pytest.raises(ProviderError) as err:
        make(api).chat(ask())
    assert not err.value.retryable and "API key" in (err.value.hint or "")
    assert len(llm_server.requests) == 1


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("message", "stops"),
    [
        ("prompt is too long: 210000 tokens > 200000 maximum", False),
        ("This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.", False),
        ("the request exceeds the available context size, try increasing it", False),  # llama.cpp
        ("Unrecognized request argument supplied: response_format", True),
        ("max_tokens: 200000 > 64000, which is the maximum allowed number of output tokens", True),
    ],
)
def test_a_prompt_too_long_for_the_context_fails_its_item_other_400s_stop_the_run(
    api, message, stops, make, llm_server
):
    # every 400 stopped the run, a prompt longer than the model's context too, which only one long
    # trajectory may have
    body = {"error": {"type": "invalid_request_error", "message": message}}
    llm_server.push(
        Reply(status=400, raw=json.dumps({"type": "error", **body} if api == "anthropic" else body))
    )
    with pytest.raises(ProviderError) as err:
        make(api).chat(ask())
    assert err.value.stops_run is stops and not err.value.retryable
    assert ("longer than the model's context" in (err.value.hint or "")) is not stops
    assert ("check --model" in (err.value.hint or "")) is stops


@pytest.mark.parametrize("api", APIS)
def test_refusal_flag(api, make, llm_server):
    llm_server.push(Reply(refusal=True))
    resp = make(api).chat(ask())
    assert resp.refusal and resp.stop_reason == "refusal"


def test_resolve_offline_without_keys():
    assert resolve(Settings.load({"provider": ""})) is None
    assert resolve(Settings.load({"provider": "offline"})) is None


def test_resolve_auto_picks_provider_by_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    assert resolve(Settings.load({})).name == "openai"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    assert resolve(Settings.load({"provider": "auto"})).name == "anthropic"


def test_missing_key_names_the_variable():
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        resolve(Settings.load({"provider": "anthropic"}))


@pytest.mark.parametrize(
    ("provider", "says"),
    [
        ("anthropic", "ANTHROPIC_API_KEY is not set"),
        ("openai", "OPENAI_API_KEY is not set"),
        ("openai-compatible", "needs a server URL"),
    ],
)
def test_a_provider_missing_its_key_or_server_is_a_configuration_error(
    cli, fixtures, tmp_path, provider, says
):
    """docs/index.md: exit 2 is "bad arguments or configuration"; a missing key is configuration,
    as a missing server URL is, and nothing is created."""
    lib = tmp_path / "lib"
    res = cli("distill", fixtures / "distill" / "batch1", "--library", lib, "--init", "--provider", provider)
    assert res.code == 2 and says in res.err and "Traceback" not in res.err
    assert not lib.exists()


def test_openai_compatible_needs_base_url_and_model(llm_server):
    with pytest.raises(ConfigError, match="server URL"):
        resolve(Settings.load({"provider": "openai-compatible", "model": "llama"}))
    with pytest.raises(ConfigError, match="model"):
        resolve(Settings.load({"provider": "openai-compatible", "base_url": llm_server.openai_url}))


def test_openai_compatible_works_without_key(llm_server):
    llm_server.push(Reply(text="local"))
    p = resolve(
        Settings.load({"provider": "openai-compatible", "base_url": llm_server.openai_url, "model": "qwen"})
    )
    assert p.name == "openai-compatible" and p.chat(ask()).text == "local"
    assert llm_server.requests[0].body["model"] == "qwen"


def test_unknown_provider_is_config_error():
    with pytest.raises(ConfigError, match="unknown provider"):
        resolve(Settings.load({"provider": "gemini"}))


def test_budget_blocks_a_call_before_it_is_sent(make, llm_server):
    from skillforge.distill.llm.agent import Caller

    prices = Prices({"test-model": Price(1e6, 1e6)})
    caller = Caller(make("anthropic"), Budget(max_cost=0.5, prices=prices))
    with pytest.raises(BudgetExceeded):
        caller.call("analyst", ask(max_tokens=10))
    assert llm_server.requests == []


def test_sdk_not_imported_by_resolve_offline():
    import subprocess
    import sys

    code = (
        "import sys; from skillforge.providers import resolve; from skillforge.config import Settings;"
        "resolve(Settings.load({'provider': 'offline'})); print('anthropic' in sys.modules, 'openai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_toolcall_ids_survive(make, llm_server):
    llm_server.push(Reply(text="x"))
    req = ask()
    req.messages += [
        Message("assistant", "", [ToolCall("t1", "search", {"pattern": "x"})]),
        Message("tool", "no match", tool_call_id="t1"),
    ]
    make("openai").chat(req)
    sent = llm_server.requests[0].body["messages"]
    assert sent[2]["tool_calls"][0]["id"] == "t1" and sent[3] == {
        "role": "tool",
        "tool_call_id": "t1",
        "content": "no match",
    }


def test_openai_compatible_sends_max_tokens(llm_server):
    llm_server.push(Reply(text="ok"))
    p = resolve(
        Settings.load({"provider": "openai-compatible", "base_url": llm_server.openai_url, "model": "m"})
    )
    p.chat(ask(max_tokens=77))
    assert llm_server.requests[0].body["max_tokens"] == 77
    assert "max_completion_tokens" not in llm_server.requests[0].body


def test_openai_answer_without_choices_is_provider_error(make, llm_server):
    llm_server.push(
        Reply(raw='{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}')
    )
    with pytest.raises(ProviderError, match="without a choice"):
        make("openai").chat(ask())


def _openai_batch(llm_provider, llm_server):
    from skillforge.providers.batch import batch_api

    api = batch_api(llm_provider("openai"))
    llm_server.push(Reply(text="one"), Reply(text="two"))
    batch_id = api.submit([("a1", ask("one")), ("a2", ask("two"))])
    assert api.status(batch_id).done
    return api, batch_id, f"file-out-{batch_id}"


def test_openai_batch_output_download_error_is_provider_error(llm_provider, llm_server):
    api, batch_id, out_file = _openai_batch(llm_provider, llm_server)
    del llm_server.batches.files[out_file]  # the server lost the output file
    with pytest.raises(ProviderError, match=r"NotFoundError \(HTTP 404\)") as err:
        list(api.results(batch_id))
    assert not err.value.retryable


def test_openai_batch_unreadable_lines_are_skipped_or_reported(llm_provider, llm_server):
    api, batch_id, out_file = _openai_batch(llm_provider, llm_server)
    good = llm_server.batches.files[out_file].splitlines()[0]
    bad_body = {"custom_id": "a2", "response": {"status_code": 200, "body": {"choices": "not a list"}}}
    llm_server.batches.files[out_file] = b"\n".join(
        [b"{not json", good, json.dumps(bad_body).encode(), b"[]"]
    )
    answers = list(api.results(batch_id))
    assert [(a.custom_id, a.response.text if a.response else None) for a in answers] == [
        ("a1", "one"),
        ("a2", None),
    ]
    assert answers[1].error is not None and answers[1].error.startswith("openai batch: unreadable answer")


def test_error_hints_name_only_options_and_settings_that_exist(cli):
    """Every --option a provider error's hint names is one of distill's options, and every
    SKILLFORGE_* variable is a setting (the hints once said --timeout and --max-retries)."""
    import re

    from skillforge.config import DEFAULTS
    from skillforge.providers.base import ERROR_TABLE

    help_text = cli("distill", "--help").out
    hints = " ".join(hint for _, hint in ERROR_TABLE.values())
    options = set(re.findall(r"--[a-z][a-z-]+", hints))
    assert options and all(opt in help_text for opt in options), options
    variables = re.findall(r"SKILLFORGE_([A-Z_]+)", hints)
    assert variables and all(v.lower() in DEFAULTS for v in variables)
    assert "--timeout" not in hints and "--max-retries" not in hints
