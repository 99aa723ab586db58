"""The dry-run plan against what a run really does: a scripted model that behaves the way the plan
assumes a capable model does (two tool rounds, three lessons a run, a comparison where outcomes
differ) answers a real distill through the anthropic SDK; the plan's calls and input tokens are
within 25% of the calls and tokens the server recorded."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from tests.llm_server import Reply, Seen
from tests.merge_script import edit, is_decide, is_topics, shown, topic_reply

FIX = Path(__file__).parent / "fixtures" / "distill"
TITLES = [
    ("Install the package editable before running its tests", "tests cannot import the package"),
    ("Run the narrowest failing test first", "a large suite fails"),
    ("Read the traceback's last frame before editing", "an exception is raised in the tests"),
]
BODY = (
    "1. Run `python -m pip install -e .` from the repository root.\n2. Re-run `python -m pytest -q` and "
    "read the first failure.\nDo not add src/ to sys.path by hand: it hides packaging errors."
)


def lessons(tid: str, step: int, kind: str, titles: list[tuple[str, str]]) -> Reply:
    return Reply(
        json={
            "lessons": [
                {
                    "title": title,
                    "trigger": trigger,
                    "lesson": BODY,
                    "kind": kind,
                    "level": "functional",
                    "scope": {"kind": "repository", "value": "ledgerkit"},
                    "confidence": 0.8,
                    "evidence": [{"trajectory_id": tid, "steps": [step], "quote": "pip install -e ."}],
                }
                for title, trigger in titles
            ]
        }
    )


def model(seen: Seen) -> Reply:
    analyst = re.search(r"Trajectory id: (\w+)\.", seen.user_text)
    if analyst:
        step = re.search(r"\[(\d+)\][^\n]*pip install -e \.", seen.user_text)
        at = int(step.group(1)) if step else 0
        rounds = len([m for m in seen.body["messages"] if m["role"] == "assistant"])
        if rounds == 0:
            return Reply(tool_calls=[("read_step", {"index": at}), ("search", {"pattern": "pytest"})])
        if rounds == 1:
            return Reply(tool_calls=[("read_step", {"index": max(0, at - 1)})])
        kind = "success_pattern" if "SUCCEEDED" in seen.user_text else "failure_trigger"
        return lessons(analyst.group(1), at, kind, TITLES)
    if "Job: compare runs" in seen.user_text:
        ids = re.findall(r"=== trajectory (\w+) — (\w+)", seen.user_text)
        step = re.search(r"\[(\d+)\][^\n]*pip install -e \.", seen.user_text)
        return lessons(
            ids[0][0],
            int(step.group(1)) if step else 0,
            "comparative_insight",
            [
                ("Compare the install step across runs", "one run fails where another passes"),
                ("Check the environment before the code", "runs differ only in setup"),
            ],
        )
    if is_topics(seen):
        return topic_reply(seen, lambda title: title)
    if is_decide(seen):
        got = sorted(shown(seen))
        if "ledgerkit-testing (this run)" in seen.user_text:
            return Reply(
                json={
                    "edits": [edit("append_section", "ledgerkit-testing", got, section="Steps", content=BODY)]
                }
            )
        return Reply(
            json={
                "edits": [
                    edit(
                        "add_skill",
                        "ledgerkit-testing",
                        got,
                        content="## Steps\n\n" + BODY,
                        description="Test ledgerkit. Use when its tests fail.",
                    )
                ]
            }
        )
    return Reply(status=418)


def test_dry_run_plan_is_within_a_quarter_of_the_real_run(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = model
    labels = {
        **orjson.loads((FIX / "labels.json").read_bytes()),
        "ledgerkit-102": "failure",
        "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b": "failure",
    }  # both outcomes: a comparison is made
    (tmp_path / "labels.json").write_bytes(orjson.dumps(labels))
    args = [
        "distill",
        str(FIX / "batch1"),
        str(FIX / "batch2"),
        "--labels",
        str(tmp_path / "labels.json"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--workers",
        "1",
        "--json",
    ]
    plan = orjson.loads(cli(*args, "--dry-run").out)["plan"]
    res = cli(*args)
    report = orjson.loads(res.out)
    assert res.code == 0, report
    planned_calls = sum(plan["calls"].values())
    made = len(llm_server.requests)
    used = report["usage"]["input_tokens"] + report["usage"]["cache_read_tokens"]
    assert plan["calls"]["comparative"] >= 1 and made == report["usage"]["calls"]
    assert abs(planned_calls - made) <= 0.25 * made, (plan, made)
    assert abs(plan["input_tokens"] - used) <= 0.25 * used, (plan["input_tokens"], used)


def test_cache_reads_are_recorded_and_shown_in_the_usage_table(
    cli, tmp_path, llm_server, monkeypatch
) -> None:
    """The shared system prompt comes first and is long enough for automatic prompt caching; cache
    reads reported by the server (openai: prompt_tokens_details.cached_tokens) reach the report."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")

    def cached(seen: Seen) -> Reply:
        reply = model(seen)
        reply.cache_read = 1000 if reply.status == 200 else 0
        return reply

    llm_server.responder = cached
    base = [
        "distill",
        str(FIX / "batch1"),
        "--labels",
        str(FIX / "labels.json"),
        "--init",
        "--provider",
        "openai",
        "--base-url",
        llm_server.openai_url,
        "--model",
        "test-model",
        "--workers",
        "1",
    ]
    report = orjson.loads(cli(*base, "--library", str(tmp_path / "a"), "--json").out)
    assert report["usage"]["cache_read_tokens"] == 1000 * report["usage"]["calls"] > 0
    first = llm_server.requests[0].body["messages"][0]
    assert (
        first["role"] == "system" and len(first["content"]) // 4 > 1024
    )  # over the providers' cache minimum
    out = " ".join(cli(*base, "--library", str(tmp_path / "b")).out.split())
    assert "cache read" in out
