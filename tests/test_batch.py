"""Batch mode: the real anthropic/openai SDKs' batch methods against the scripted server's batch
endpoints; batch ids persisted and collected by ``distill --resume``; batch calls priced at half."""

from __future__ import annotations

import re
from pathlib import Path

import git
import orjson
import pytest

from skillforge.distill.batchstate import Answer, BatchRecord, BatchState
from skillforge.errors import ConfigError
from skillforge.providers.base import ChatRequest, Message, TokenUsage
from skillforge.providers.batch import BATCH_DISCOUNT, batch_api
from tests.llm_server import Reply, Seen

FIX = Path(__file__).parent / "fixtures" / "distill"
LESSON = {
    "title": "Install the src-layout package before running its tests",
    "trigger": "tests fail to import the project's own package",
    "lesson": "Run `python -m pip install -e .`, then `python -m pytest -q`.",
    "kind": "success_pattern",
    "level": "functional",
    "scope": {"kind": "repository", "value": "ledgerkit"},
    "confidence": 0.8,
}


def script(seen: Seen) -> Reply:
    """Analysts cite the install step; drafts and edits turn the lesson into one skill."""
    analyst = re.search(r"Trajectory id: (\w+)\.", seen.user_text)
    ids = sorted(set(re.findall(r"--- (\S+) \(support", seen.user_text)))
    if analyst:
        step = re.search(r"\[(\d+)\][^\n]*python -m pip install -e \.", seen.user_text)
        evidence = [
            {
                "trajectory_id": analyst.group(1),
                "steps": [int(step.group(1))] if step else [0],
                "quote": "python -m pip install -e .",
            }
        ]
        return Reply(
            json={"lessons": [{**LESSON, "evidence": evidence}]}, input_tokens=1000, output_tokens=200
        )
    if '"drafts"' in seen.user_text:
        return Reply(
            json={
                "drafts": [
                    {
                        "title": LESSON["title"],
                        "trigger": LESSON["trigger"],
                        "lesson": LESSON["lesson"],
                        "sources": ids,
                    }
                ]
            }
        )
    content = "# Testing ledgerkit\n\n## Steps\n\n1. `python -m pip install -e .`\n2. `python -m pytest -q`\n"
    return Reply(
        json={
            "edits": [
                {
                    "op": "add_skill",
                    "skill": "ledgerkit-testing",
                    "section": "",
                    "content": content,
                    "description": "Run ledgerkit's tests. Use when its tests fail with ModuleNotFoundError.",
                    "reason": "three runs installed the package before testing",
                    "sources": ids,
                }
            ]
        }
    )


def _request(text: str) -> ChatRequest:
    return ChatRequest(system="be brief", messages=[Message("user", text)], max_tokens=100)


# ------------------------------------------------------------------------------- the batch clients


def test_anthropic_batch_submits_polls_and_reads_results(llm_provider, llm_server) -> None:
    api = batch_api(llm_provider("anthropic"))
    llm_server.batches.ready = False
    llm_server.push(Reply(text="first"), Reply(status=500))
    batch_id = api.submit([("a1", _request("one")), ("a2", _request("two"))])
    assert not api.status(batch_id).done and llm_server.requests == []
    llm_server.batches.ready = True
    status = api.status(batch_id)
    assert status.done and status.counts["succeeded"] == 1 and status.counts["errored"] == 1
    answers = {a.custom_id: a for a in api.results(batch_id)}
    assert answers["a1"].response is not None and answers["a1"].response.text == "first"
    assert answers["a2"].response is None and "errored" in str(answers["a2"].error)
    sent = llm_server.requests[0]
    assert sent.batch == batch_id and sent.body["messages"][0]["content"][0]["text"] == "one"
    assert ("GET", f"/v1/messages/batches/{batch_id}/results") in llm_server.batches.calls


def test_openai_batch_uploads_jsonl_and_reads_the_output_file(llm_provider, llm_server) -> None:
    api = batch_api(llm_provider("openai"))
    llm_server.push(Reply(text="first", input_tokens=40, output_tokens=7), Reply(status=400))
    batch_id = api.submit([("o1", _request("one")), ("o2", _request("two"))])
    upload = next(iter(llm_server.batches.files.values())).decode().splitlines()
    assert [orjson.loads(x)["custom_id"] for x in upload] == ["o1", "o2"]
    assert orjson.loads(upload[0])["url"] == "/v1/chat/completions"
    assert api.status(batch_id).state == "completed"
    answers = {a.custom_id: a for a in api.results(batch_id)}
    assert answers["o1"].response is not None and answers["o1"].response.usage == TokenUsage(40, 7, 0, 0)
    assert "HTTP 400" in str(answers["o2"].error)
    assert [c[0] for c in llm_server.batches.calls[:2]] == ["POST", "POST"]


def test_providers_without_a_batch_api_are_refused(llm_provider, llm_server) -> None:
    provider = llm_provider("openai", provider="openai-compatible")
    with pytest.raises(ConfigError) as err:
        batch_api(provider)
    assert "--batch" in (err.value.hint or "")


def test_custom_ids_must_be_safe(llm_provider) -> None:
    with pytest.raises(ValueError):
        batch_api(llm_provider("anthropic")).submit([("has space", _request("x"))])


# --------------------------------------------------------------------------------- persisted state


def test_batch_state_records_closes_and_keeps_answers(tmp_path) -> None:
    (tmp_path / "lib" / ".git").mkdir(parents=True)
    state = BatchState.for_library(tmp_path / "lib")
    assert state.root == (tmp_path / "lib" / ".git" / "skillforge" / "batches").resolve()
    state.record(BatchRecord("b1", "anthropic", "m", ["t1", "t2"], 0.25))
    (state.root / "pending" / "broken.json").write_text("{not json")
    assert [r.id for r in state.pending()] == ["b1"] and state.pending_ids() == {"t1", "t2"}
    state.save(Answer("t1", "b1", "text", TokenUsage(3, 4)))
    state.close("b1")
    assert state.pending() == [] and (state.root / "done" / "b1.json").is_file()
    assert state.answer("t1") == Answer("t1", "b1", "text", TokenUsage(3, 4)) and state.answer("t2") is None
    assert not list(state.root.rglob("*.tmp"))


def test_library_without_git_keeps_state_in_the_cache(tmp_path) -> None:
    from skillforge.config import cache_dir

    state = BatchState.for_library(tmp_path / "plain")
    assert cache_dir() / "batches" in state.root.parents


# ------------------------------------------------------------------------------ distill end to end


def _args(lib: Path, server, api: str = "anthropic", *extra: str) -> list[str]:
    url = server.anthropic_url if api == "anthropic" else server.openai_url
    return [
        "distill",
        str(FIX / "batch1"),
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(lib),
        "--provider",
        api,
        "--base-url",
        url,
        "--model",
        "test-model",
        "--json",
        *extra,
    ]


def test_batch_then_resume_commits_the_skill_at_half_price(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    llm_server.batches.ready = False
    lib = tmp_path / "lib"
    sent = orjson.loads(cli(*_args(lib, llm_server), "--init", "--batch").out)
    [batch_id] = sent["plan"]["batch"]["submitted"]
    assert sent["plan"]["batch"]["calls"] == 3 and sent["branch"] is None
    assert (lib / ".git" / "skillforge" / "batches" / "pending" / f"{batch_id}.json").is_file()
    assert llm_server.requests == [] and any("--resume" in n for n in sent["notes"])

    waiting = orjson.loads(cli(*_args(lib, llm_server), "--resume").out)
    assert waiting["plan"]["batch"]["waiting"] == [batch_id] and waiting["branch"] is None

    llm_server.batches.ready = True
    done = cli(*_args(lib, llm_server), "--resume")
    report = orjson.loads(done.out)
    assert done.code == 0, done.err
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    tree = git.Repo(lib).commit(report["branch"]).tree
    assert "pip install -e ." in (tree / "skills/ledgerkit-testing/SKILL.md").data_stream.read().decode()
    analysts = [r for r in llm_server.requests if "Trajectory id:" in r.user_text]
    assert len(analysts) == 3 and all(r.batch == batch_id for r in analysts)
    assert all("tools" not in r.body for r in analysts)
    stage = report["plan"]["usage_by_stage"]["batch-analyst"]
    assert stage["calls"] == 3 and stage["input_tokens"] == 3000 and stage["output_tokens"] == 600
    full = (3000 * 3.0 + 600 * 15.0) / 1e6  # test-model is priced at the "*" row: $3 in, $15 out
    assert stage["cost"] == pytest.approx(full * BATCH_DISCOUNT)
    assert not list((lib / ".git" / "skillforge" / "batches" / "pending").iterdir())


def test_openai_batch_and_resume(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    llm_server.responder = script
    lib = tmp_path / "lib"
    sent = orjson.loads(cli(*_args(lib, llm_server, "openai"), "--init", "--batch").out)
    assert len(sent["plan"]["batch"]["submitted"]) == 1
    report = orjson.loads(cli(*_args(lib, llm_server, "openai"), "--resume").out)
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    assert ("POST", "/v1/files") in llm_server.batches.calls


def test_second_batch_submits_nothing_already_waiting(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.batches.ready = False
    lib = tmp_path / "lib"
    cli(*_args(lib, llm_server), "--init", "--batch")
    again = orjson.loads(cli(*_args(lib, llm_server), "--batch").out)
    assert again["plan"]["batch"]["submitted"] == [] and any("nothing to submit" in n for n in again["notes"])
    assert [c for c in llm_server.batches.calls if c[0] == "POST"] == [("POST", "/v1/messages/batches")]


def test_max_cost_limits_what_is_submitted(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    report = orjson.loads(
        cli(*_args(tmp_path / "lib", llm_server), "--init", "--batch", "--max-cost", "0.0001").out
    )
    assert report["plan"]["batch"]["over_budget"] == 3 and report["plan"]["batch"]["submitted"] == []
    assert llm_server.batches.calls == []


def test_dry_run_estimates_the_batch_at_the_discount(cli, tmp_path, llm_server, monkeypatch) -> None:
    from skillforge.distill.cost import Prices

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    plan = orjson.loads(cli(*_args(tmp_path / "lib", llm_server), "--dry-run", "--batch").out)["plan"]
    est = plan["batch_analysis"]
    full = Prices.load().cost(
        "test-model", TokenUsage(input=est["input_tokens"], output=est["output_tokens"])
    )
    assert est["calls"] == 3 and est["dollars"] == pytest.approx(full * BATCH_DISCOUNT, abs=1e-4)
    assert llm_server.batches.calls == []


def test_batch_needs_an_llm_provider(cli, tmp_path) -> None:
    res = cli("distill", str(FIX / "batch1"), "--library", str(tmp_path / "lib"), "--init", "--batch")
    assert res.code != 0 and "--batch and --resume need an LLM provider" in res.err
    assert "Traceback" not in res.err


def test_dry_run_refuses_batch_with_a_provider_without_a_batch_api(cli, tmp_path, llm_server) -> None:
    """The dry run printed a batch estimate for a provider the real run refuses --batch with."""
    lib = tmp_path / "lib"
    compatible = ("--provider", "openai-compatible", "--base-url", llm_server.openai_url, "--model", "m")
    args = ("distill", str(FIX / "batch1"), "--library", str(lib), "--init", *compatible, "--batch")
    dry, real = cli(*args, "--dry-run"), cli(*args)
    assert dry.code == real.code == 2, (dry.err, real.err)
    assert "provider openai-compatible has no batch API" in dry.err and dry.out == ""
    assert not lib.exists() and llm_server.requests == [] and llm_server.batches.calls == []


def test_a_failed_batch_answer_is_reported_and_sent_again(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    llm_server.push(Reply(status=500))  # the batch's first request fails
    lib = tmp_path / "lib"
    cli(*_args(lib, llm_server), "--init", "--batch")
    res = cli(*_args(lib, llm_server), "--resume")
    report = orjson.loads(res.out)
    assert (
        res.code == 3 and len(report["failures"]) == 1 and "anthropic batch: errored" in report["failures"][0]
    )
    again = orjson.loads(cli(*_args(lib, llm_server), "--batch").out)
    assert again["plan"]["batch"]["calls"] == 1 and len(again["plan"]["batch"]["submitted"]) == 1
