"""When an LLM distill run stops and what it keeps, end to end through the real anthropic SDK against
the scripted server: an error every later call would repeat (a bad key, an unknown model, a rejected
request) stops the run at the first call, with its hint and exit code."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.llm_server import Reply, Seen
from tests.merge_script import edit, is_decide, is_topics, shown, topic_reply
from tests.test_distill_llm_losses import committed

FIX = Path(__file__).parent / "fixtures" / "distill"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")


def distill(cli: Any, server: Any, lib: Path, *extra: str) -> Any:
    return cli(
        "distill", str(FIX / "batch1"), "--labels", str(FIX / "labels.json"), "--library", str(lib),
        "--init", "--provider", "anthropic", "--base-url", server.anthropic_url, "--model", "test-model",
        *extra,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (401, "AuthenticationError", "check the API key variable"),
        (403, "PermissionDeniedError", "may not have access to this model"),
        (404, "NotFoundError", "check --model and --base-url"),
        (400, "BadRequestError", "check --model"),
    ],
)
def test_a_bad_key_or_model_stops_the_run_at_the_first_call(cli, tmp_path, llm_server, status, error, hint):
    # each trajectory sent its own doomed request and failed alone: 'warning: …' per trajectory without
    # the hint, exit 3 (partial) as for a rate limit
    llm_server.responder = lambda seen: Reply(status=status)
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    doc = orjson.loads(res.out)
    assert res.code == 2, res.err
    assert doc["status"] == "error" and error in doc["error"] and hint in doc["hint"]
    assert len(llm_server.requests) == 1 and not lib.exists()
    human = distill(cli, llm_server, lib, "--workers", "2")
    assert human.code == 2 and "warning:" not in human.err
    assert f"error: anthropic: {error}" in human.err and hint in human.err


TOO_LONG = {
    "anthropic": '{"type": "error", "error": {"type": "invalid_request_error", '
    '"message": "prompt is too long: 210000 tokens > 200000 maximum"}}',
    "openai": '{"error": {"message": "This model\'s maximum context length is 128000 tokens. However, your '
    'messages resulted in 210000 tokens.", "type": "invalid_request_error", "param": "messages", '
    '"code": "context_length_exceeded"}}',
}


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_a_trajectory_too_long_for_the_model_fails_alone(cli, tmp_path, llm_server, monkeypatch, api):
    # every HTTP 400 stopped the run: one long trajectory whose prompt passed the model's context ended
    # it with exit 2 and "check --model", nothing written, and every re-run stopped at the same log
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "8")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")

    def script(seen: Seen) -> Reply:
        if "format_amount" in seen.user_text and "Trajectory id:" in seen.user_text:
            return Reply(status=400, raw=TOO_LONG[api])
        reply = analyst_reply(seen, [INSTALL])
        if reply is not None:
            return reply
        return topic_reply(seen, lambda title: "one") if is_topics(seen) else add_skill(seen)

    llm_server.responder = script
    url = llm_server.anthropic_url if api == "anthropic" else llm_server.openai_url
    res = cli(
        "distill", str(FIX / "batch1"), "--labels", str(FIX / "labels.json"), "--library", str(tmp_path / "lib"),
        "--init", "--provider", api, "--base-url", url, "--model", "test-model", "--workers", "1", "--json",
    )  # fmt: skip
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] == "committed" and report["partial"], res.out
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    [failure] = report["failures"]
    assert "BadRequestError (HTTP 400)" in failure and "longer than the model's context" in failure
    assert "check --model" not in failure


def test_a_merge_call_too_long_for_the_model_leaves_its_lessons_not_applied(
    cli, tmp_path, llm_server, monkeypatch
):
    # the same rejection in the merge stage ended the whole run, the other topic's skill unwritten
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "3")  # two topics of three lessons: two merge calls
    decided = 0

    def script(seen: Seen) -> Reply:
        nonlocal decided
        reply = analyst_reply(seen, [INSTALL, COVERAGE])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        decided += 1
        return Reply(status=400, raw=TOO_LONG["anthropic"]) if decided == 1 else add_skill(seen)

    llm_server.responder = script
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] == "committed" and decided == 2, res.out
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    [lost] = report["failures"]
    assert lost.startswith("not applied: 3 lessons") and "longer than the model's context" in lost


INSTALL = {
    "title": "Install the src-layout package before running its tests",
    "trigger": "tests fail to import the project's own package",
    "lesson": "Run `python -m pip install -e .`, then `python -m pytest -q`.",
}
COVERAGE = {
    "title": "Check the coverage report after a test run",
    "trigger": "coverage drops",
    "lesson": "Read htmlcov/index.html.",
}
LIMIT = 100_000  # --max-tokens: every call fits until one answer reports using nearly all of it


def analyst_reply(seen: Seen, lessons: list[dict[str, str]], **usage: int) -> Reply | None:
    found = re.search(r"Trajectory id: (\w[\w-]*)\.", seen.user_text)
    if not found:
        return None
    step = re.search(r"\[(\d+)\][^\n]*python -m pip install -e \.", seen.user_text)
    evidence = [
        {
            "trajectory_id": found.group(1),
            "steps": [int(step.group(1))] if step else [0],
            "quote": "python -m pip install -e .",
        }
    ]
    extra = {
        "kind": "success_pattern",
        "level": "functional",
        "scope": {"kind": "repository", "value": "ledgerkit"},
        "confidence": 0.8,
        "evidence": evidence,
    }
    return Reply(json={"lessons": [{**x, **extra} for x in lessons]}, **usage)


def add_skill(seen: Seen, **usage: int) -> Reply:
    return Reply(
        json={"edits": [edit("add_skill", "ledgerkit-testing", sorted(shown(seen)), description=DESCRIPTION,
                             content=SKILL_BODY)]},
        **usage,
    )  # fmt: skip


DESCRIPTION = "Run ledgerkit's tests. Use when its tests fail to import."
SKILL_BODY = "# Testing ledgerkit\n\n## Steps\n\n1. `python -m pip install -e .`\n2. `python -m pytest -q`\n"


def test_a_budget_stop_in_the_merge_stage_commits_the_finished_skills(cli, tmp_path, llm_server, monkeypatch):
    # the first merge call fit and the second did not: BudgetExceeded escaped the pipeline, so the run
    # ended as an error (JSON status "error" with exit 3), no usage table, nothing committed
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "3")  # two topics of three lessons: two merge calls

    def script(seen: Seen) -> Reply:
        reply = analyst_reply(seen, [INSTALL, COVERAGE], input_tokens=10, output_tokens=10)
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        return add_skill(seen, input_tokens=LIMIT - 1000, output_tokens=10)  # nearly all the budget

    llm_server.responder = script
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--max-tokens", str(LIMIT), "--json")
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] == "committed" and report["partial"], res.out
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    assert len([s for s in llm_server.requests if is_decide(s)]) == 1
    lost = [f for f in report["failures"] if f.startswith("not applied: 3 lessons")]
    assert lost and "--max-tokens" in lost[0]
    assert any(n.startswith("stopped early") for n in report["notes"])
    assert report["plan"]["usage_by_stage"]["merge"]["calls"] == 1
    pending = orjson.loads(committed(lib, report["branch"], ".skillforge/pending.json"))
    assert len(pending["lessons"]) == 1  # the refused topic waits; its runs are not marked distilled
    distilled = orjson.loads(committed(lib, report["branch"], ".skillforge/distilled.json"))
    assert distilled["trajectories"] == {}


def test_a_rerun_after_a_budget_stop_in_the_merge_stage_makes_the_refused_merge_call(
    cli, tmp_path, llm_server, monkeypatch
):
    # the run id named only the trajectories whose analysis failed: the partial run's id was the
    # complete run's, so running it again without the limit said "already done … nothing new" (exit 0,
    # no call) and the refused topic's lessons never became a skill
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "3")  # two topics of three lessons: two merge calls
    limited = True

    def script(seen: Seen) -> Reply:
        reply = analyst_reply(seen, [INSTALL, COVERAGE], input_tokens=10, output_tokens=10)
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        return add_skill(seen, input_tokens=LIMIT - 1000 if limited else 10, output_tokens=10)

    llm_server.responder = script
    lib = tmp_path / "lib"
    first = orjson.loads(
        distill(cli, llm_server, lib, "--workers", "1", "--max-tokens", str(LIMIT), "--json").out
    )
    assert first["status"] == "committed" and first["partial"], first
    limited = False
    before = len(llm_server.requests)
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    again = orjson.loads(res.out)
    made = llm_server.requests[before:]
    assert res.code == 0 and again["status"] == "committed" and not again["partial"], res.out
    assert again["branch"] != first["branch"] and again["failures"] == []
    assert not any("Trajectory id:" in s.user_text for s in made)  # the analyses come from the cache
    assert len([s for s in made if is_decide(s)]) == 2  # both topics merged this time
    assert any(n.startswith(f"3 of these trajectories are on {first['branch']}") for n in again["notes"])
    distilled = orjson.loads(committed(lib, again["branch"], ".skillforge/distilled.json"))
    assert len(distilled["trajectories"]) == 3 and "held" not in distilled  # nothing waits
    before = len(llm_server.requests)
    done = distill(cli, llm_server, lib, "--workers", "1", "--json")  # complete now: already done
    assert done.code == 0 and orjson.loads(done.out)["status"] == "already_done"
    assert len(llm_server.requests) == before


def test_a_budget_stop_in_the_analysis_commits_nothing_when_no_merge_call_fits_and_says_so(
    cli, tmp_path, llm_server, monkeypatch
):
    # a stop in the map stage refused every later call, merge calls too: nothing was committed, the
    # status was "nothing_changed" and a note said the lessons wait "on a review branch" that was
    # never made
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "8")
    analysts, limited = 0, True

    def script(seen: Seen) -> Reply:
        nonlocal analysts
        if "Trajectory id:" in seen.user_text:
            analysts += 1
            used = LIMIT - 1000 if analysts == 2 and limited else 10  # no room left for any call
            return analyst_reply(seen, [INSTALL], input_tokens=used, output_tokens=10) or Reply()
        return topic_reply(seen, lambda title: "one") if is_topics(seen) else add_skill(seen)

    llm_server.responder = script
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--max-tokens", str(LIMIT), "--json")
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] == "not_committed" and report["branch"] is None, res.out
    assert analysts == 2 and len(llm_server.requests) == 2 and report["lessons_kept"] == 2
    assert any(f.startswith("not applied: 2 lessons") for f in report["failures"])
    assert any(n.startswith("nothing committed: 2 lessons were not applied") for n in report["notes"])
    assert not any("review branch" in n or n.startswith("nothing changed") for n in report["notes"])
    limited = False
    again = orjson.loads(distill(cli, llm_server, lib, "--workers", "1", "--json").out)
    assert analysts == 3 and again["status"] == "committed" and not again["partial"], again


def test_a_budget_stop_in_the_analysis_still_merges_what_finished_when_the_merge_calls_fit(
    cli, tmp_path, llm_server, monkeypatch
):
    # the stop refused every later call: the two finished analyses were paid for and never merged,
    # though the limit had room for the merge calls once the call in flight had used far less than
    # its estimate
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "8")
    analysts, limited = 0, True
    lock = threading.Lock()

    def script(seen: Seen) -> Reply:
        nonlocal analysts
        if "Trajectory id:" in seen.user_text:
            with lock:
                analysts += 1
                n = analysts
            if not limited:
                return analyst_reply(seen, [INSTALL]) or Reply()
            # the first holds its estimate (~6.5k tokens) while the second uses nearly everything: the
            # third (~6.5k) does not fit beside it; the topic (~5.5k) and merge (~10k) calls fit after
            reply = analyst_reply(
                seen, [INSTALL], input_tokens=LIMIT - 11_500 if n == 2 else 10, output_tokens=10
            )
            if reply is not None and n == 1:
                reply.sleep = 4.0  # long enough for the second to finish first on a loaded machine
            return reply or Reply()
        return topic_reply(seen, lambda title: "one") if is_topics(seen) else add_skill(seen)

    llm_server.responder = script
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "2", "--max-tokens", str(LIMIT), "--json")
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] == "committed" and report["partial"], res.out
    assert analysts == 2 and [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    assert len([s for s in llm_server.requests if is_decide(s)]) == 1
    [failure] = report["failures"]
    assert "budget: the next LLM call" in failure and "--max-tokens" in failure
    assert any(n.startswith("stopped early") for n in report["notes"])
    distilled = orjson.loads(committed(lib, report["branch"], ".skillforge/distilled.json"))
    assert len(distilled["trajectories"]) == 2
    limited = False
    again = orjson.loads(distill(cli, llm_server, lib, "--workers", "1", "--json").out)
    assert analysts == 3 and again["status"] == "committed" and not again["partial"], again
    assert again["branch"] != report["branch"]


def test_a_budget_stop_at_the_comparative_call_reports_partial_and_keeps_the_analyses(
    cli, tmp_path, llm_server, monkeypatch
):
    # a success and a failure of one repository make a comparative call; the budget refused it and the
    # run ended as an error: no report, no usage table
    analysts = 0

    def script(seen: Seen) -> Reply:
        nonlocal analysts
        if "Trajectory id:" in seen.user_text:
            analysts += 1
            used = LIMIT - 1000 if analysts % 3 == 0 else 10  # the last analysis leaves no room
            return analyst_reply(seen, [INSTALL], input_tokens=used, output_tokens=10) or Reply()
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        if is_decide(seen):
            return add_skill(seen)
        return Reply(json={"lessons": []})  # the comparative analyst

    llm_server.responder = script
    lib, labels = tmp_path / "lib", tmp_path / "labels.json"
    labels.write_text('{"8a6d0c47-2e19-4b5f-a3d8-c1f7e4902b16": "success", '
                      '"b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b": "failure", '
                      '"c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f": "success"}')  # fmt: skip
    args = ("distill", str(FIX / "batch2"), "--labels", str(labels),
            "--library", str(lib), "--init", "--provider", "anthropic", "--base-url", llm_server.anthropic_url,
            "--model", "test-model", "--workers", "1")  # fmt: skip
    res = cli(*args, "--max-tokens", str(LIMIT), "--json")
    report = orjson.loads(res.out)
    assert res.code == 3 and report["status"] != "error" and report["partial"], res.out
    assert analysts == 3 and len(llm_server.requests) == 3  # nothing after the refused call
    assert any("comparative analysis of 1 groups" in f and "--max-tokens" in f for f in report["failures"])
    assert any(n.startswith("stopped early") for n in report["notes"])
    assert report["plan"]["usage_by_stage"]["failure-analyst"]["calls"] == 1
    again = orjson.loads(cli(*args, "--json").out)  # no limit: the analyses come from the cache
    assert analysts == 3 and again["status"] == "committed" and not again["partial"], again
    assert [c["skill"] for c in again["changes"]] == ["ledgerkit-testing"]
    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path / "another-home"))  # no cache: the same stop
    human = cli(*args[:5], str(tmp_path / "lib2"), *args[6:], "--max-tokens", str(LIMIT))
    assert human.code == 3 and analysts == 6 and "LLM usage" in human.out
    assert "stopped early" in " ".join((human.out + human.err).split())


def test_a_rerun_after_a_failed_trajectory_analyses_it_instead_of_saying_already_done(
    cli, tmp_path, llm_server, monkeypatch
):
    # the run id did not depend on which trajectories failed: the re-run found the partial run's branch,
    # said "already done … nothing new" (exit 0, no call) and never retried the failed trajectory
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "8")
    broken = True

    def script(seen: Seen) -> Reply:
        if broken and "format_amount" in seen.user_text and "Trajectory id:" in seen.user_text:
            return Reply(text="I looked at it and it seems fine.")  # malformed twice: the item fails
        reply = analyst_reply(seen, [INSTALL])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        return add_skill(seen)

    llm_server.responder = script
    lib = tmp_path / "lib"
    first = distill(cli, llm_server, lib, "--workers", "1", "--json")
    report = orjson.loads(first.out)
    assert first.code == 3 and report["status"] == "committed" and len(report["failures"]) == 1
    broken = False
    before = len(llm_server.requests)
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    again = orjson.loads(res.out)
    analysed = [s for s in llm_server.requests[before:] if "Trajectory id:" in s.user_text]
    assert len(analysed) == 1 and "format_amount" in analysed[0].user_text  # the others are cached
    assert res.code == 0 and again["status"] == "committed" and again["branch"] != report["branch"]
    distilled = orjson.loads(committed(lib, again["branch"], ".skillforge/distilled.json"))
    assert len(distilled["trajectories"]) == 3
    assert any(n.startswith(f"2 of these trajectories are on {report['branch']}") for n in again["notes"])
    before = len(llm_server.requests)
    done = distill(cli, llm_server, lib, "--workers", "1", "--json")  # nothing left out: already done
    assert done.code == 0 and orjson.loads(done.out)["status"] == "already_done"
    assert len(llm_server.requests) == before


def test_lessons_dropped_for_citations_not_in_the_log_are_counted_and_reported(cli, tmp_path, llm_server):
    # a lesson citing a step that does not exist was dropped without a word: "lessons found: 0" after
    # paid calls could not be told from a model that found nothing
    def script(seen: Seen) -> Reply:
        found = re.search(r"Trajectory id: (\w+)\.", seen.user_text)
        if not found:
            return topic_reply(seen, lambda title: "one") if is_topics(seen) else add_skill(seen)
        extra = {"kind": "success_pattern", "level": "functional", "scope": {"kind": "general", "value": ""}}
        cite = {"trajectory_id": found.group(1), "quote": "no such text anywhere in the log"}
        return Reply(
            json={
                "lessons": [
                    {**INSTALL, **extra, "confidence": 0.8, "evidence": [{**cite, "steps": [9999]}]},
                    {**COVERAGE, **extra, "confidence": 0.8, "evidence": [{**cite, "steps": [0]}]},
                ]
            }
        )

    llm_server.responder = script
    lib = tmp_path / "lib"
    res = distill(cli, llm_server, lib, "--workers", "1", "--json")
    report = orjson.loads(res.out)
    assert res.code == 0 and report["lessons"] == 3, res.out  # the coverage lesson, without its quote
    assert report["dropped"] == {"lessons": 3, "quotes": 3, "secrets": 0}
    assert any(n.startswith("3 lessons the model gave were dropped") for n in report["notes"])
    assert any(n.startswith("3 quotes the model gave were dropped") for n in report["notes"])
    again = distill(cli, llm_server, tmp_path / "lib2", "--workers", "1")  # from the cache: still counted
    text = " ".join((again.out + again.err).split())
    assert "lessons dropped (bad citations) │ 3" in text and "3 lessons the model gave were dropped" in text


OPENAI_KEY = "sk-proj-Q7vX2mK9pL4nR8tW1yB6cD3fG5hJ0kS2aE4uI7oP9zM1xN3v"
GITHUB_TOKEN = "ghp_x7Kq9mZ2pL4vN8rT1wY6bC3dF5gH0jS2aE4u"


def test_a_secret_the_model_writes_into_a_lesson_is_never_cached_or_sent_again(cli, tmp_path, llm_server):
    # the comparative call carried the analysts' lessons in full, secrets and all, and the map cache
    # kept them in clear (the gate quarantined the lesson only later, before writing)
    leaky = {
        "title": "Configure the API clients before the tests",
        "trigger": "tests need the API keys",
        "lesson": f"Export OPENAI_API_KEY={OPENAI_KEY} and GITHUB_TOKEN={GITHUB_TOKEN} first.",
    }

    def script(seen: Seen) -> Reply:
        reply = analyst_reply(seen, [INSTALL, leaky])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        if is_decide(seen):
            return add_skill(seen)
        return Reply(json={"lessons": []})  # the comparative analyst

    llm_server.responder = script
    labels = tmp_path / "labels.json"
    labels.write_text('{"8a6d0c47-2e19-4b5f-a3d8-c1f7e4902b16": "success", '
                      '"b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b": "failure", '
                      '"c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f": "success"}')  # fmt: skip
    res = cli(
        "distill", str(FIX / "batch2"), "--labels", str(labels), "--library", str(tmp_path / "lib"), "--init",
        "--provider", "anthropic", "--base-url", llm_server.anthropic_url, "--model", "test-model",
        "--workers", "1", "--json",
    )  # fmt: skip
    report = orjson.loads(res.out)
    compared = [
        s
        for s in llm_server.requests
        if "Trajectory id:" not in s.user_text and "=== trajectory" in s.user_text
    ]
    assert compared and all(OPENAI_KEY not in s.text and GITHUB_TOKEN not in s.text for s in compared)
    cached = [p.read_text() for p in Path(os.environ["SKILLFORGE_HOME"]).rglob("*.json")]
    assert cached and not any(OPENAI_KEY in t or GITHUB_TOKEN in t for t in cached)
    assert report["dropped"]["secrets"] == 3 and res.code == 0, res.out
    assert any(
        n.startswith("3 lessons the model gave were dropped: their text held a secret")
        for n in report["notes"]
    )
