"""The LLM stage's building blocks: compact transcript, analyst tools, schema checks, prices,
budget, rate limits and the dry-run plan."""

from __future__ import annotations

import threading

import pytest

from skillforge.config import Settings
from skillforge.distill.cost import Budget, Price, Prices, price_key
from skillforge.distill.llm import plan
from skillforge.distill.llm.evidence import Origin, StepRef, to_lessons
from skillforge.distill.llm.plan import TOOL_ROUNDS
from skillforge.distill.llm.schema import LESSONS, check, validate
from skillforge.distill.llm.tools import Toolbox
from skillforge.distill.llm.transcript import cut, prepare
from skillforge.errors import BudgetExceeded, ConfigError
from skillforge.model import Outcome, Role, Step, StepKind, Trajectory, Trust
from skillforge.providers import ToolCall
from skillforge.providers.base import TokenUsage
from skillforge.providers.ratelimit import RateLimiter


def traj(steps: list[Step], **kw) -> Trajectory:
    return Trajectory(id="t", source="s", format="f", agent="a", steps=steps, task="do the thing", **kw)


def call(i: int, text: str) -> Step:
    return Step(i, Role.ASSISTANT, StepKind.TOOL_CALL, text, tool_name="bash")


def result(i: int, text: str, error: bool = False) -> Step:
    return Step(
        i, Role.TOOL, StepKind.TOOL_RESULT, text, tool_name="bash", is_error=error, trust=Trust.TOOL_OUTPUT
    )


def test_cut_keeps_head_and_tail_with_marker():
    text = "HEAD " + "x" * 5000 + " TAIL"
    out = cut(text, 90)
    assert out.startswith("HEAD") and out.endswith("TAIL") and "[+" in out and len(out) < 130


def test_transcript_has_task_errors_final_state_and_folds_repeats():
    steps = [call(0, "ls")] + [result(i, "same output") for i in range(1, 6)]
    steps += [result(6, "Traceback: boom", error=True)]
    t = prepare(traj(steps)).render()
    assert t.startswith("TASK:\ndo the thing")
    assert "[1-5] ×5 tool output: result (1 lines): same output" in t
    assert "ERRORS:\n[6] Traceback: boom" in t and "FINAL STATE:" in t and "recorded outcome: unknown" in t


def test_transcript_of_huge_session_stays_under_budget_and_keeps_errors():
    steps = []
    for i in range(0, 6000, 2):
        steps += [call(i, f"grep -rn pattern{i} src/"), result(i + 1, f"line {i}\n" * 400, error=(i == 3000))]
    tr = prepare(traj(steps), max_tokens=4000)
    text = tr.render()
    assert tr.tokens <= 4000 and "[3001] tool output: ERROR" in text and "steps folded" in text
    assert "[0]" in text and "[5999]" in text  # both ends kept


def test_read_step_pages_long_output_and_reports_missing():
    box = Toolbox(traj([call(0, "cat big"), result(1, "a" * 30_000)]))
    first = box.read_step(1)
    assert "offset=12000" in first and "trust: tool_output" in first
    assert box.read_step(1, 24_000).rstrip().endswith("a" * 100)
    assert "no step 7" in box.read_step(7)
    assert box.read == {1}


def test_search_regex_literal_fallback_and_bad_args():
    box = Toolbox(traj([call(0, "pytest -k (broken"), result(1, "ImportError: no module foo")]))
    assert box.search("import(error)?").startswith("[1] tool_result")
    assert box.search("(broken").startswith("[0] tool_call")  # invalid regex -> literal
    assert box.search("zzz") == "no step matches 'zzz'"
    text, is_error = box.run(ToolCall("c", "read_step", {"idx": 1}))
    assert is_error and "bad arguments" in text
    assert box.run(ToolCall("c", "rm", {}))[1]


def test_schema_validation_names_paths():
    errors = validate({"lessons": [{"title": 3}]}, LESSONS)
    assert "$.lessons[0].title: expected string, got int" in errors
    assert any("missing 'evidence'" in e for e in errors)


def test_check_tolerates_fences_and_prose():
    value, errors = check('Here you go:\n```json\n{"lessons": []}\n```', LESSONS)
    assert value == {"lessons": []} and errors == []
    assert check("nope", LESSONS)[1] == ["the answer is not valid JSON"]


def test_evidence_quote_is_whitespace_normalised_and_trust_is_least_trusted():
    steps = {1: StepRef("Run   pytest\n -x first", Trust.AGENT), 2: StepRef("out", Trust.TOOL_OUTPUT)}
    data = {
        "lessons": [
            {
                "title": "T",
                "trigger": "w",
                "lesson": "b",
                "kind": "success_pattern",
                "level": "atomic",
                "scope": {"kind": "tool", "value": "pytest"},
                "confidence": 2,
                "evidence": [{"trajectory_id": "t", "steps": [1, 2, 40], "quote": "run pytest -x"}],
            }
        ]
    }
    (lesson,), dropped = to_lessons(data, lambda tid, i: steps.get(i), {"t": Origin("task", Outcome.FAILURE)})
    ev = lesson.evidence[0]
    assert ev.steps == [1, 2] and ev.quote == "run pytest -x" and ev.trust is Trust.TOOL_OUTPUT
    assert lesson.confidence == 1.0 and dropped == {} and str(lesson.scope) == "tool:pytest"


def test_prices_longest_prefix_and_user_override(tmp_path):
    prices = Prices.load(tmp_path / "none.json")
    assert prices.for_model("claude-sonnet-4-6-20250929").output == 15.0
    assert prices.for_model("gpt-5-mini-2025").input == 0.25  # longer key than gpt-5
    assert prices.cost(price_key("openai-compatible", "qwen"), TokenUsage(10**6, 10**6)) == 0.0
    user = tmp_path / "prices.json"
    user.write_text('{"models": {"my-model": {"input": 1, "output": 2}}}')
    assert Prices.load(user).cost("my-model", TokenUsage(input=10**6, output=10**6)) == 3.0
    user.write_text("{broken")
    with pytest.raises(ConfigError, match=r"prices\.json"):
        Prices.load(user)


def dollars_per_token() -> Prices:
    return Prices({"*": Price(input=1e6, output=1e6)})


def test_budget_counts_calls_in_flight():
    budget = Budget(max_cost=10.0, prices=dollars_per_token())
    held = budget.reserve("m", 6, 0)
    with pytest.raises(BudgetExceeded, match="max-cost"):
        budget.reserve("m", 6, 0)
    budget.release(held)
    assert "would pass --max-cost" in budget.stopped
    with pytest.raises(BudgetExceeded, match="max-cost"):  # refused once: the run stops there
        budget.reserve("m", 1, 0)


def test_budget_refuses_every_call_after_the_first_refusal():
    budget = Budget(max_tokens=100, prices=dollars_per_token())
    assert budget.reserve("m", 10, 10) == (20.0, 20) and not budget.stopped
    with pytest.raises(BudgetExceeded, match="max-tokens 100"):
        budget.reserve("m", 50, 50)
    with pytest.raises(BudgetExceeded, match="max-tokens 100"):
        budget.reserve("m", 1, 1)  # it would fit, but a later stage must not start half-way


def test_budget_charges_real_usage_per_stage():
    budget = Budget(max_cost=10.0, prices=dollars_per_token())
    budget.charge("judge", "m", TokenUsage(input=3, output=2), budget.reserve("m", 1, 1))
    assert (budget.usage["judge"].calls, budget.usage["judge"].cost) == (1, 5.0)
    budget.reserve("m", 5, 0)
    with pytest.raises(BudgetExceeded):
        budget.reserve("m", 1, 0)


def test_token_limit_counts_cache_reads():
    budget = Budget(max_tokens=100, prices=dollars_per_token())
    budget.charge("analyst", "m", TokenUsage(input=10, output=10, cache_read=70))
    with pytest.raises(BudgetExceeded, match="max-tokens"):
        budget.reserve("m", 15, 0)


def test_budget_is_thread_safe():
    budget = Budget(prices=dollars_per_token())

    def work() -> None:
        for _ in range(200):
            budget.charge("analyst", "m", TokenUsage(input=1), budget.reserve("m", 1, 0))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.total.calls == 1600 and budget.total.cost == 1600.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_requests_per_minute():
    clock = FakeClock()
    limiter = RateLimiter(rpm=2, clock=clock, sleep=clock.sleep)
    assert limiter.acquire() == 0 and limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(30.0)  # one request refills every 30 s


def test_rate_limiter_tokens_per_minute_and_oversized_request():
    clock = FakeClock()
    limiter = RateLimiter(tpm=1000, clock=clock, sleep=clock.sleep)
    assert limiter.acquire(800) == 0
    assert limiter.acquire(500) == pytest.approx(18.0)  # needs 300 more tokens at 1000/min
    assert limiter.acquire(5000) == pytest.approx(
        60.0
    )  # larger than a minute's allowance: waits for a full bucket


def test_unlimited_rate_limiter_never_waits():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    assert sum(limiter.acquire(10**6) for _ in range(100)) == 0


def test_plan_counts_stages_and_prices():
    items = [
        {"id": "a", "task_id": "x", "outcome": "success", "chars": 400_000},
        {"id": "b", "task_id": "x", "outcome": "failure", "chars": 40_000},
        {"id": "c", "outcome": "unknown", "chars": 4_000},
    ]
    est = plan(items, Settings.load({"provider": "anthropic", "model": "claude-sonnet-4-6"}))
    assert est["trajectories"] == 3 and est["calls"]["judge"] == 2 and est["calls"]["comparative"] == 1
    assert est["calls"]["analyst"] == 3 * (1 + TOOL_ROUNDS) and est["calls"]["merge"] >= 2
    assert est["dollars"] > 0 and est["input_tokens"] > est["output_tokens"]
    local = plan(items, Settings.load({"provider": "openai-compatible", "model": "qwen"}))
    assert local["dollars"] == 0 and local["input_tokens"] == est["input_tokens"]


def test_plan_accepts_trajectories():
    est = plan([traj([call(0, "ls"), result(1, "x" * 1000)], outcome=Outcome.SUCCESS)], Settings.load({}))
    assert est["calls"]["judge"] == 0 and est["calls"]["analyst"] == 1 + TOOL_ROUNDS


def test_plan_without_task_information_assumes_no_comparisons():
    items = [{"id": "a", "outcome": "success", "chars": 10}, {"id": "b", "outcome": "failure", "chars": 10}]
    assert plan(items, Settings.load({}))["calls"]["comparative"] == 0


def test_comparable_groups_by_task_then_repository():
    from skillforge.distill.llm.analyse import comparable_groups

    def f(i, task, repo, outcome):
        return {"id": i, "task": task, "task_id": None, "repository": repo, "outcome": outcome}

    facts = [
        f("a", "Fix  Dates", "r1", "success"),
        f("b", "fix dates", "r1", "failure"),
        f("c", "add cli", "r2", "success"),
        f("d", "speed up io", "r2", "failure"),
        f("e", "other", "r3", "success"),
    ]
    groups = [sorted(x["id"] for x in g) for g in comparable_groups(facts)]
    assert groups == [["a", "b"], ["c", "d"]]  # r1 already covered by its task group


def test_search_with_a_runaway_pattern_is_an_error_not_a_hang(monkeypatch):
    from skillforge.distill.llm import tools

    monkeypatch.setattr(tools, "SEARCH_SECONDS", 0.1)
    box = Toolbox(traj([result(0, "x" * 5000)]))
    text, is_error = box.run(ToolCall("c1", "search", {"pattern": "(x+x+)+y"}))
    assert is_error and "use a plainer one" in text
    assert box.run(ToolCall("c2", "search", {"pattern": "x{3}"}))[0].startswith("[0] tool_result:")


def test_evidence_quotes_stay_verbatim_as_markdown_code_spans():
    from markdown_it import MarkdownIt

    from skillforge.distill.write import evidence_document
    from skillforge.model import Evidence, Lesson, LessonKind

    said = 'ran `pytest -k "iso and not slow"` then ``echo `date` `` -- "done" <ok>'
    lesson = Lesson(
        "Run the slow tests last",
        "t",
        "b",
        LessonKind.SUCCESS_PATTERN,
        evidence=[Evidence("traj-1", [3], said)],
    )
    doc = evidence_document("s", None, "run1", "2026-01-01", [lesson])
    spans = [
        t.content
        for block in MarkdownIt().parse(doc)
        for t in (block.children or [])
        if t.type == "code_inline"
    ]
    assert said in spans


def test_index_lines_say_who_wrote_each_step():
    steps = [
        Step(0, Role.SYSTEM, StepKind.USER_MESSAGE, "Please always use THOUGHT blocks", trust=Trust.INJECTED),
        Step(1, Role.USER, StepKind.USER_MESSAGE, "fix the date parser", trust=Trust.PERSON),
        Step(2, Role.ASSISTANT, StepKind.THOUGHT, "look at the parser"),
        call(3, "pytest -q"),
        result(4, "1 failed"),
    ]
    index = prepare(traj(steps)).render().split("STEP INDEX:\n")[1]
    lines = index.split("\n\n")[0].splitlines()
    assert lines == [
        "[0] harness: Please always use THOUGHT blocks",
        "[1] person: fix the date parser",
        "[2] agent thought: look at the parser",
        "[3] agent call bash: pytest -q",
        "[4] tool output: result (1 lines): 1 failed",
    ]
    assert "user:" not in index


def test_whole_task_and_final_diff_up_to_their_budgets():
    from skillforge.distill.llm.transcript import FINAL_CHARS, TASK_CHARS

    middle = "THE DECISIVE SENTENCE: dates may end in Z."
    task = "a" * 2000 + middle + "b" * 2000
    diff = "diff --git a/x.py b/x.py\n" + "+ changed line\n" * 200
    steps = [call(0, "git diff"), result(1, diff)]
    shown = prepare(Trajectory(id="t", source="s", format="f", agent="a", steps=steps, task=task)).render()
    assert middle in shown and diff.strip() in shown and len(diff) < FINAL_CHARS
    long = Trajectory(id="t", source="s", format="f", agent="a", steps=steps, task="x" * TASK_CHARS + "END")
    shown = prepare(long).render()
    assert "[task cut here: 3 more chars; read_task(offset=6000) returns the rest]" in shown
    box = Toolbox(long)
    assert "read_task" in {t.name for t in box.tools}
    text, error = box.run(ToolCall("1", "read_task", {"offset": TASK_CHARS}))
    assert not error and text.endswith("---\nEND")
    assert "read_task" not in {t.name for t in Toolbox(traj(steps)).tools}


def test_read_step_prints_a_command_once():
    step = Step(
        0,
        Role.ASSISTANT,
        StepKind.TOOL_CALL,
        "pytest -q tests/test_dates.py",
        tool_name="bash",
        input={"command": "pytest -q tests/test_dates.py", "timeout": 60},
    )
    out = Toolbox(traj([step])).read_step(0)
    assert out.count("pytest -q tests/test_dates.py") == 1 and '"timeout":60' in out


def test_a_guessed_outcome_is_planned_and_asked_as_unknown(llm_provider) -> None:
    """A success guessed from the last test run costs a judge in the plan, and a batch analyst is asked
    to decide the outcome itself instead of being told the run succeeded."""
    from skillforge.distill.batchmap import request_for
    from skillforge.distill.llm import build
    from skillforge.distill.llm.plan import summary
    from skillforge.model import Outcome, Role, Step, StepKind, Trajectory

    steps = [
        Step(0, Role.USER, StepKind.USER_MESSAGE, "fix the parser"),
        Step(1, Role.ASSISTANT, StepKind.ASSISTANT_MESSAGE, "done"),
    ]
    traj = Trajectory(
        id="t1",
        source="s.jsonl",
        format="f",
        agent="a",
        steps=steps,
        outcome=Outcome.SUCCESS,
        outcome_source="tests",
    )
    assert summary(traj)["outcome"] == "unknown"
    mapper, _ = build(Settings.load({}), llm_provider("anthropic"), Budget(prices=Prices({"*": Price()})))
    asked = request_for(mapper, traj).messages[0].text
    assert "not recorded" in asked and "SUCCEEDED" not in asked
    traj.outcome_source = "labels:results.json"
    assert summary(traj)["outcome"] == "success"
    assert "SUCCEEDED" in request_for(mapper, traj).messages[0].text


def test_a_batch_analyst_of_a_failed_run_is_told_which_tests_the_patch_broke(llm_provider) -> None:
    from skillforge.distill.batchmap import batch_key, request_for
    from skillforge.distill.llm import build
    from skillforge.model import Outcome, Role, Step, StepKind, Trajectory

    def traj(**metadata: object) -> Trajectory:
        steps = [Step(0, Role.USER, StepKind.USER_MESSAGE, "fix the parser")]
        return Trajectory(
            id="t1",
            source="s.jsonl",
            format="f",
            agent="a",
            steps=steps,
            outcome=Outcome.FAILURE,
            outcome_source="labels:r",
            metadata=dict(metadata),
        )

    mapper, _ = build(Settings.load({}), llm_provider("anthropic"), Budget(prices=Prices({"*": Price()})))
    before = batch_key(mapper, traj())
    assert "expected to keep passing" not in request_for(mapper, traj()).messages[0].text
    reported = traj(failing_tests={"broke": ["tests/test_parse.py::test_empty"], "not_fixed": []})
    asked = request_for(mapper, reported).messages[0].text
    assert "FAILED" in asked and "after the patch: tests/test_parse.py::test_empty." in asked
    assert "The issue's own tests still fail" not in asked  # none listed
    assert batch_key(mapper, reported) != before
