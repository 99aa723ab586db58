"""LLM analysts end to end against the scripted server: tools, evidence checks, judge, repair,
refusal, comparative analysis and the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.config import Settings
from skillforge.distill.base import MapResult
from skillforge.distill.cost import Budget, Price, Prices
from skillforge.distill.llm import build
from skillforge.errors import BudgetExceeded, ProviderError
from skillforge.model import LessonKind, Outcome, Trajectory, Trust
from tests.llm_server import Reply, Seen

FIXTURE = Path(__file__).parent / "fixtures" / "llm" / "dates_success.json"
FREE = Prices({"*": Price()})


def trajectory(**changes) -> Trajectory:
    traj = Trajectory.from_dict(json.loads(FIXTURE.read_text()))
    for key, value in changes.items():
        setattr(traj, key, value)
    return traj


def lesson(title, steps, quote, tid="traj-dates-ok", kind="success_pattern"):
    return {
        "title": title,
        "trigger": "a date string ends in Z",
        "lesson": "Use fromisoformat.",
        "kind": kind,
        "level": "atomic",
        "scope": {"kind": "language", "value": "python"},
        "evidence": [{"trajectory_id": tid, "steps": steps, "quote": quote}],
        "confidence": 0.8,
    }


GOOD = lesson("Parse ISO dates with fromisoformat", [3, 6], "unconverted data remains: Z")
UNQUOTED = lesson("Run the failing test first", [2], "this text is not in step 2")
BOGUS = lesson("Invented lesson", [99], "nothing")


def analyst(seen: Seen) -> Reply:
    """Reads step 3, searches, then answers."""
    if not seen.tool_results:
        return Reply(tool_calls=[("read_step", {"index": 3}), ("search", {"pattern": "fromisoformat"})])
    return Reply(json={"lessons": [GOOD, UNQUOTED, BOGUS]})


@pytest.fixture
def mapper(llm_provider):
    def make(api="anthropic", budget=None, **settings):
        provider = llm_provider(api)
        m, _ = build(Settings.load(settings), provider, budget or Budget(prices=FREE))
        return m

    return make


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_analyst_uses_tools_and_checks_evidence(api, mapper, llm_server):
    llm_server.responder = analyst
    result = mapper(api).map(trajectory())
    assert result.error is None
    tool_results = llm_server.requests[1].tool_results
    assert "unconverted data remains: Z" in tool_results[0] and "[6]" in tool_results[1]
    titles = [x.title for x in result.lessons]
    assert titles == ["Parse ISO dates with fromisoformat", "Run the failing test first"]  # bogus dropped
    good, unquoted = result.lessons
    assert good.evidence[0].trust is Trust.TOOL_OUTPUT  # step 3 is tool output
    assert good.evidence[0].quote == "unconverted data remains: Z" and good.confidence == 0.8
    assert unquoted.evidence[0].quote == "" and unquoted.confidence == 0.4  # downgraded
    assert good.evidence[0].outcome is Outcome.SUCCESS and good.evidence[0].task.startswith("Fix the failing")
    assert good.evidence[0].source == "session.jsonl:4"


def test_success_prompt_and_index_sent_not_whole_trajectory(mapper, llm_server):
    llm_server.responder = analyst
    mapper().map(trajectory())
    first = llm_server.requests[0]
    assert "SUCCEEDED" in first.user_text and "STEP INDEX" in first.user_text
    assert "Trajectory id: traj-dates-ok" in first.user_text
    assert {t["name"] for t in first.body["tools"]} == {"read_step", "search"}


def test_usage_recorded_per_item_and_stage(mapper, llm_server):
    llm_server.responder = analyst
    budget = Budget(prices=Prices({"*": Price(input=1e6, output=1e6)}))
    result = mapper(budget=budget).map(trajectory())
    assert result.usage.calls == 2 and budget.usage["success-analyst"].calls == 2
    assert result.usage.cost == pytest.approx(result.usage.input_tokens + result.usage.output_tokens)


def test_tool_budget_switches_tools_off(mapper, llm_server):
    llm_server.responder = lambda s: (
        Reply(tool_calls=[("search", {"pattern": "x"})])
        if s.body.get("tool_choice", {}) in ({"type": "auto"}, "auto")
        else Reply(json={"lessons": [GOOD]})
    )
    result = mapper(analyst_steps=2).map(trajectory())
    assert result.error is None and len(llm_server.requests) == 3
    assert llm_server.requests[-1].body["tool_choice"] == {"type": "none"}


def judged_failure(seen: Seen) -> Reply:
    """The judge calls the run a failure; the analyst then answers with one failure lesson."""
    if "Decide whether" in seen.user_text:
        return Reply(json={"outcome": "failure", "reason": "tests still fail", "steps": [3]})
    return Reply(json={"lessons": [lesson("Check the format", [3], "ValueError", kind="failure_trigger")]})


def test_judge_decides_unknown_outcome(mapper, llm_server):
    llm_server.responder = judged_failure
    result = mapper().map(trajectory(outcome=Outcome.UNKNOWN, outcome_source=None))
    assert result.facts["outcome"] == "failure" and result.facts["outcome_source"] == "llm-judge"
    assert "FAILED" in llm_server.requests[1].user_text
    assert result.lessons[0].evidence[0].outcome is Outcome.FAILURE


def test_a_guessed_outcome_is_judged_not_taken_as_the_verdict(mapper, llm_server):
    """A success guessed from the last test run (it agrees with a benchmark's verdict about half the
    time) is not told to the analyst as "SUCCEEDED": the judge decides, and sees the guess as a hint."""
    llm_server.responder = judged_failure
    result = mapper().map(trajectory(outcome=Outcome.SUCCESS, outcome_source="tests"))
    judge = llm_server.requests[0].user_text
    assert "Decide whether" in judge and "recorded outcome: unknown (guessed success from tests)" in judge
    assert result.facts["outcome"] == "failure" and result.facts["outcome_source"] == "llm-judge"
    assert "FAILED" in llm_server.requests[1].user_text
    labelled = mapper().map(trajectory(outcome=Outcome.SUCCESS, outcome_source="labels:results.json"))
    assert labelled.facts["outcome"] == "success"  # a label is taken as it is: no judge
    assert not any("Decide whether" in r.user_text for r in llm_server.requests[2:])


REPORT_TESTS = {
    "broke": ["tests/test_dates.py::test_keeps_offset"],
    "not_fixed": ["tests/test_dates.py::test_z"],
}


def reported_failure() -> Trajectory:
    """A failed run with a SWE-bench report's failing tests on it (as ingest puts them)."""
    return trajectory(
        outcome=Outcome.FAILURE, outcome_source="labels:report.json", metadata={"failing_tests": REPORT_TESTS}
    )


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_the_failed_analyst_is_told_which_tests_the_patch_broke(api, mapper, llm_server):
    """A SWE-bench report's failing tests (ingest puts them on the run) go into the failure analyst's
    prompt, so it can say why the run failed; a run without a report gets no such paragraph."""
    llm_server.responder = judged_failure
    failed = reported_failure()
    assert mapper(api).map(failed).error is None
    prompt = llm_server.requests[0].user_text
    assert "FAILED" in prompt
    assert "expected to keep passing fail\nafter the patch: tests/test_dates.py::test_keeps_offset." in prompt
    assert "The issue's own tests still fail after this run's patch: tests/test_dates.py::test_z." in prompt
    plain = trajectory(outcome=Outcome.FAILURE, outcome_source="labels:report.json")
    mapper(api).map(plain)
    assert "expected to keep passing" not in llm_server.requests[-1].user_text


def test_the_failing_tests_are_part_of_the_analysis_cache_key(mapper):
    failed = trajectory(outcome=Outcome.FAILURE, outcome_source="labels:report.json")
    reported = trajectory(
        outcome=Outcome.FAILURE,
        outcome_source="labels:report.json",
        metadata={"failing_tests": {"broke": ["t"], "not_fixed": []}},
    )
    assert mapper().cache_key(failed) != mapper().cache_key(reported)


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_malformed_answer_gets_one_repair_then_fails_item(api, mapper, llm_server):
    llm_server.push(Reply(text="Sure! Here are lessons: none"), Reply(text="{still broken"))
    result = mapper(api).map(trajectory())
    assert result.error and "malformed" in result.error and result.lessons == []
    assert "could not be used" in llm_server.requests[1].user_text
    assert len(llm_server.requests) == 2


def test_schema_error_is_repaired(mapper, llm_server):
    broken = dict(GOOD, kind="tip")
    llm_server.push(Reply(json={"lessons": [broken]}), Reply(json={"lessons": [GOOD]}))
    result = mapper("openai").map(trajectory())
    assert result.error is None and [x.kind for x in result.lessons] == [LessonKind.SUCCESS_PATTERN]
    assert "'tip' is not one of" in llm_server.requests[1].user_text


def test_refusal_fails_the_item_only(mapper, llm_server):
    llm_server.push(Reply(refusal=True))
    result = mapper().map(trajectory())
    assert result.error and "refused" in result.error


def test_retryable_provider_failure_is_recorded(mapper, llm_server):
    llm_server.push(*[Reply(status=503)] * 2)
    result = mapper().map(trajectory())
    assert result.error and "503" in result.error


def test_non_retryable_provider_failure_stops_the_run(mapper, llm_server):
    llm_server.push(Reply(status=401))
    with pytest.raises(ProviderError, match="AuthenticationError"):
        mapper().map(trajectory())


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_budget_reached_mid_run_raises(api, mapper, llm_server):
    llm_server.push(Reply(tool_calls=[("read_step", {"index": 3})], input_tokens=5000))
    with pytest.raises(BudgetExceeded, match="max-tokens"):
        mapper(api, budget=Budget(max_tokens=6000, prices=FREE)).map(trajectory())
    assert len(llm_server.requests) == 1


def test_cache_key_tracks_templates_and_model(mapper, llm_provider, tmp_path):
    m = mapper()
    key = m.cache_key(trajectory())
    assert key == m.cache_key(trajectory())
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "analyst.j2").write_text("changed {{ transcript }}")
    other, _ = build(Settings.load({"templates": str(tmp_path)}), llm_provider(), Budget(prices=FREE))
    assert other.cache_key(trajectory()) != key
    remodel, _ = build(Settings.load({}), llm_provider(model="other-model"), Budget(prices=FREE))
    assert remodel.cache_key(trajectory()) != key
    included = tmp_path / "included"
    (included / "prompts").mkdir(parents=True)
    (included / "prompts" / "_failing_tests.j2").write_text("{{ tests }}")  # the analysts include it
    with_part, _ = build(Settings.load({"templates": str(included)}), llm_provider(), Budget(prices=FREE))
    assert with_part.cache_key(trajectory()) != key


def test_cache_key_changes_with_what_ingest_read_not_only_the_log_bytes(mapper):
    """The id hashes the log's bytes; a label given later, or a newer reader that names the repository
    or reads a step differently, must not reuse an analysis of the run as it was read before."""
    m = mapper()
    key = m.cache_key(trajectory())
    labelled = trajectory(outcome=Outcome.FAILURE, outcome_source="labels:labels.json")
    assert m.cache_key(labelled) != key
    assert m.cache_key(trajectory(repository="acme/dates")) != key
    assert m.cache_key(trajectory(task="Another task")) != key
    reread = trajectory()
    reread.steps[3].text += " (read again)"
    assert m.cache_key(reread) != key
    moved = trajectory(source="/elsewhere/session.jsonl")
    for step in moved.steps:
        if step.source is not None:
            step.source.file = "/elsewhere/session.jsonl"
    assert m.cache_key(moved) == key  # where the log lies is not what was read
    relined = trajectory()
    relined.steps[3].source.line += 1  # type: ignore[union-attr]
    assert m.cache_key(relined) != key  # evidence cites the line
    noted = trajectory()
    noted.metadata["submission"] = "diff --git a/x b/x"
    assert m.cache_key(noted) != key  # the transcript shows the submission
    redacted = trajectory()
    first = m.cache_key(redacted)
    redacted.steps[3].text = "<redacted>"  # distill redacts in place after asking once
    assert m.cache_key(redacted) == first


def facts(tid, outcome, text):
    return MapResult(
        tid,
        facts={
            "id": tid,
            "task": "fix dates",
            "task_id": "acme-dates",
            "repository": "acme/widgets",
            "outcome": outcome,
            "outcome_source": "labels",
            "lessons": [],
            "key_steps": [
                {"step": 3, "kind": "tool_result", "text": text, "trust": "tool_output", "source": None}
            ],
        },
    )


def test_comparative_analyst_runs_where_both_outcomes_exist(mapper, llm_server):
    good = lesson("Successful runs read the error first", [3], "Z", tid="ok1", kind="comparative_insight")
    stray = lesson("Cites an unknown run", [3], "Z", tid="elsewhere", kind="comparative_insight")
    llm_server.push(Reply(json={"lessons": [good, stray]}))
    results = [
        facts("ok1", "success", "ValueError ... Z"),
        facts("bad1", "failure", "timeout"),
        facts("bad2", "failure", "x"),
    ]
    lessons = mapper().reduce(results)
    assert len(llm_server.requests) == 1
    prompt = llm_server.requests[0].user_text
    assert "ok1 — SUCCESS" in prompt and "bad1 — FAILURE" in prompt
    assert [x.title for x in lessons] == ["Successful runs read the error first"]
    assert lessons[0].kind is LessonKind.COMPARATIVE_INSIGHT


def test_the_comparative_analyst_is_told_which_tests_failed_runs_failed(mapper, llm_server):
    """The per-run failure analyst's failing tests reach the comparison too (its facts carry them), so
    it can say what the resolved runs checked that the failed run did not; a resolved run carries none."""
    llm_server.responder = judged_failure
    tests = REPORT_TESTS
    failed = reported_failure()
    bad = mapper().map(failed)
    assert bad.facts["failing_tests"] == tests
    good = facts("ok1", "success", "ValueError ... Z")
    llm_server.responder = None
    llm_server.push(Reply(json={"lessons": []}))
    mapper().reduce([good, bad])
    prompt = llm_server.requests[-1].user_text
    assert "Job: compare runs" in prompt
    assert (
        "fail after this run's patch (the patch or the\nenvironment fails them): tests/test_dates.py::test_keeps_offset"
        in prompt
    )
    assert "the issue's own tests still failing after this run's patch: tests/test_dates.py::test_z" in prompt
    assert prompt.count("tests/test_dates.py::test_z") == 1  # under the failed run only


def test_no_comparative_call_without_both_outcomes(mapper, llm_server):
    assert mapper().reduce([facts("a", "success", "x"), facts("b", "success", "y")]) == []
    assert llm_server.requests == []


def test_facts_keep_cited_and_error_steps(mapper, llm_server):
    llm_server.responder = analyst
    result = mapper().map(trajectory())
    assert [k["step"] for k in result.facts["key_steps"]] == [2, 3, 6]
    assert result.facts["task_id"] == "acme-dates" and result.facts["outcome"] == "success"


def test_no_secret_reaches_the_llm_after_redaction(mapper, llm_server):
    from skillforge.safety.trajectory_redaction import redact_trajectory

    secret = "AKIA" + "ABCDEFGHIJKLMNOP"
    traj = trajectory()
    traj.steps[5].text += f"\nAWS_ACCESS_KEY_ID={secret}\n"
    traj.steps[4].input = {"command": f"echo {secret}"}
    redact_trajectory(traj)
    llm_server.responder = lambda s: (
        Reply(
            tool_calls=[
                ("read_step", {"index": 5}),
                ("read_step", {"index": 4}),
                ("search", {"pattern": "AKIA"}),
            ]
        )
        if not s.tool_results
        else Reply(json={"lessons": [GOOD]})
    )
    mapper().map(traj)
    assert len(llm_server.requests) == 2 and "<redacted:aws-access-key>" in llm_server.requests[1].text
    assert all(secret not in seen.text for seen in llm_server.requests)


def test_model_that_ignores_tool_budget_fails_the_item(mapper, llm_server):
    llm_server.responder = lambda s: Reply(tool_calls=[("search", {"pattern": "x"})])
    result = mapper(analyst_steps=1).map(trajectory())
    assert result.error and "kept calling tools" in result.error
    assert len(llm_server.requests) == 3


def test_llm_modules_do_not_import_sdks():
    import subprocess
    import sys

    code = "import sys, skillforge.distill.llm, skillforge.providers; print('anthropic' in sys.modules or 'openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_comparative_call_has_its_own_prompt_with_lesson_bodies_and_is_cached(mapper, llm_server):
    llm_server.push(
        Reply(
            json={
                "lessons": [lesson("Read the error first", [3], "Z", tid="ok1", kind="comparative_insight")]
            }
        )
    )
    ok = facts("ok1", "success", "ValueError ... Z")
    ok.facts["lessons"] = [
        {
            "title": "Parse with fromisoformat",
            "trigger": "Z suffix",
            "lesson": "Call datetime.fromisoformat on the string.",
        }
    ]
    results = [ok, facts("bad1", "failure", "timeout")]
    first = mapper().reduce(results)
    (seen,) = llm_server.requests
    assert "Job: compare runs" in seen.user_text and "You have no tools" in seen.user_text
    assert "Call datetime.fromisoformat on the string." in seen.user_text
    assert "tools" not in seen.body and "read_step(index" not in seen.system
    again = mapper().reduce(results)  # the same content: answered from the cache, no call
    assert len(llm_server.requests) == 1 and [x.title for x in again] == [x.title for x in first]


def test_key_steps_skip_repeated_errors_and_harness_rejections(mapper, llm_server):
    from skillforge.model import Role, Step, StepKind

    traj = trajectory()
    n = len(traj.steps)
    traj.steps += [
        Step(
            n + i,
            Role.USER,
            StepKind.USER_MESSAGE,
            "Please format your action in one block.",
            is_error=True,
            trust=Trust.INJECTED,
        )
        for i in range(4)
    ]
    traj.steps += [
        Step(
            n + 4 + i,
            Role.TOOL,
            StepKind.TOOL_RESULT,
            "ValueError: bad date",
            tool_name="bash",
            is_error=True,
            trust=Trust.TOOL_OUTPUT,
        )
        for i in range(3)
    ]
    llm_server.push(Reply(json={"lessons": []}))
    facts_ = mapper().map(traj).facts
    texts = [k["text"] for k in facts_["key_steps"]]
    assert not any("Please format" in t for t in texts) and texts.count("ValueError: bad date") <= 1
