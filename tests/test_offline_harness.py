"""Harness complaints and the final submission as mined facts: malformed actions, cut output and
timeouts as errors with their cost in turns; files a patch adds, scratch files left in it, tests it
changes; warnings only when they separate failed from resolved runs, with both rates."""

from __future__ import annotations

from fixtures.offline.runs import OK

from skillforge.distill.offline import OfflineMapper
from skillforge.distill.offline.contrast import mine as contrast_features
from skillforge.distill.offline.contrast import submission
from skillforge.distill.offline.harness import MALFORMED, TIMEOUT, TRUNCATED, complaint
from skillforge.distill.offline.harness import mine as harness_mine
from skillforge.model import Lesson, LessonKind, Outcome, Role, Step, StepKind, Trajectory, Trust

REJECT = "Please always provide EXACTLY ONE action in triple backticks, found 2 actions.\n\nPlease format your action"
CUT = "<returncode>0</returncode>\n<warning>\nThe output of your last command was too long.\nPlease try a different command"


def traj(
    ident: str,
    *,
    rejected: int = 0,
    cut: bool = False,
    outcome: Outcome = Outcome.UNKNOWN,
    diff: str = "",
    repo: str = "acme/widgets",
) -> Trajectory:
    """A mini-swe-agent-like run: task, ``rejected`` malformed replies, one command (optionally cut)."""
    steps = [Step(0, Role.USER, StepKind.USER_MESSAGE, f"Fix bug {ident}", trust=Trust.PERSON)]

    def add(role: Role, kind: StepKind, text: str, trust: Trust, **kw: object) -> None:
        steps.append(Step(len(steps), role, kind, text, trust=trust, **kw))  # type: ignore[arg-type]

    for _ in range(rejected):
        add(
            Role.ASSISTANT,
            StepKind.ASSISTANT_MESSAGE,
            "THOUGHT: two things\n```bash\nls\n```\n```bash\npwd\n```",
            Trust.AGENT,
        )
        add(Role.USER, StepKind.USER_MESSAGE, REJECT, Trust.INJECTED)
    add(
        Role.ASSISTANT, StepKind.TOOL_CALL, "cat src/a.py", Trust.AGENT, tool_name="bash", pair=len(steps) + 1
    )
    add(
        Role.TOOL,
        StepKind.TOOL_RESULT,
        CUT if cut else "x = 1",
        Trust.TOOL_OUTPUT,
        tool_name="bash",
        pair=len(steps) - 1,
        exit_code=OK,
    )
    meta = {"submission": diff} if diff else {}
    return Trajectory(
        id=f"t-{ident}",
        source=f"{ident}.json",
        format="test",
        agent="mini-swe-agent",
        steps=steps,
        task=f"Fix bug {ident}",
        repository=repo,
        outcome=outcome,
        metadata=meta,
    )


def lessons(*trajs: Trajectory) -> list[Lesson]:
    m = OfflineMapper()
    return m.reduce([m.map(t) for t in trajs])


def test_complaint_kinds() -> None:
    assert complaint(REJECT) == MALFORMED
    assert complaint(CUT) == TRUNCATED
    assert complaint("The last command <command>pytest</command> timed out and has been killed.") == TIMEOUT
    assert complaint("<returncode>0</returncode>\n<output>ok</output>") == ""
    assert complaint("x" * 700 + "found 2 actions") == ""  # only the opening of a message counts


def test_each_complaint_cites_the_agents_reply_and_counts_turns() -> None:
    t = traj("a", rejected=2)
    found = harness_mine(t)
    assert [it["kind"] for it in found] == [MALFORMED, MALFORMED]
    first = found[0]
    assert t.step(first["steps"][0]).role is Role.ASSISTANT  # the malformed reply itself, trusted text
    assert first["cost"] == 1 and found[1]["cost"] == 1  # messages until a command ran or the next complaint
    assert first["next"] == "cat"


def test_a_chain_of_complaints_costs_one_turn_each() -> None:
    """Three rejected replies in a row, then a command: three turns were lost, not 3 + 2 + 1 (a real
    seaborn run's two chains of three made "53 complaints cost 59 turns" where 53 turns were lost)."""
    found = harness_mine(traj("chain", rejected=3))
    assert [it["cost"] for it in found] == [1, 1, 1]
    found_lessons = lessons(traj("c1", rejected=3), traj("c2", rejected=3))
    (harness,) = [le for le in found_lessons if le.signature.startswith("harness:")]
    assert "6 complaints cost 6 turns" in harness.body


def test_malformed_actions_that_separate_outcomes_become_lesson_and_warning() -> None:
    failed = [traj(f"f{i}", rejected=2, outcome=Outcome.FAILURE) for i in range(8)]
    won = [traj(f"w{i}", rejected=1 if i < 1 else 0, outcome=Outcome.SUCCESS) for i in range(8)]
    found = lessons(*failed, *won)
    (harness,) = [le for le in found if le.signature.startswith("harness:")]
    assert "Met in 9 of 16 runs read (8 of 8 failed runs, 1 of 8 resolved)" in harness.body
    assert "17 complaints cost 17 turns" in harness.body
    # one agent on one repository: the repository's warning says it all (pooled per agent otherwise)
    warnings = [le for le in found if le.kind is LessonKind.WARNING]
    assert [w.signature for w in warnings] == ["contrast:harness:malformed-action"]
    assert (
        "8 of 8 failed runs vs 1 of 8 resolved runs" in warnings[0].body and "odds ratio" in warnings[0].body
    )


def test_complaints_met_as_often_by_resolved_runs_teach_nothing() -> None:
    runs = [traj(f"f{i}", cut=True, outcome=Outcome.FAILURE) for i in range(6)]
    runs += [traj(f"w{i}", cut=True, outcome=Outcome.SUCCESS) for i in range(6)]
    found = lessons(*runs)
    assert [le for le in found if le.signature.startswith("harness:")] == []
    assert [le for le in found if le.kind is LessonKind.WARNING] == []


def test_runs_without_complaints_give_no_harness_facts() -> None:
    assert harness_mine(traj("clean")) == []


NEW = "diff --git a/{0} b/{0}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/{0}\n@@ -0,0 +1 @@\n+x\n"
CHANGED = "diff --git a/{0} b/{0}\nindex 1111111..2222222 100644\n--- a/{0}\n+++ b/{0}\n@@ -1 +1 @@\n-x\n+y\n"


def test_submission_files_added_and_changed() -> None:
    diff = NEW.format("reproduce_issue.py") + CHANGED.format("src/a.py") + CHANGED.format("tests/test_a.py")
    assert submission(diff) == (["reproduce_issue.py", "src/a.py", "tests/test_a.py"], ["reproduce_issue.py"])
    feats = contrast_features([], [], diff)
    assert set(feats) >= {"submitted:added-file", "submitted:scratch-file", "submitted:test-files"}


def test_environment_made_config_change_in_the_patch_is_no_agent_edit() -> None:
    """`git add -A` sweeps the environment's own pyproject.toml pin into the patch: not the agent's edit."""
    feats = contrast_features([], [], CHANGED.format("pyproject.toml") + CHANGED.format("src/a.py"))
    assert "edited:config" not in feats and not any(k.startswith("submitted:") for k in feats)


def test_scratch_files_left_in_failed_patches_warn_with_both_rates() -> None:
    failed = [
        traj(
            f"f{i}",
            outcome=Outcome.FAILURE,
            diff=CHANGED.format("src/a.py") + (NEW.format("debug_run.py") if i < 6 else ""),
        )
        for i in range(8)
    ]
    won = [traj(f"w{i}", outcome=Outcome.SUCCESS, diff=CHANGED.format("src/a.py")) for i in range(8)]
    found = [
        le
        for le in lessons(*failed, *won)
        if le.kind is LessonKind.WARNING and le.scope.value == "acme/widgets"
    ]
    assert {le.signature for le in found} == {
        "contrast:submitted:added-file",
        "contrast:submitted:scratch-file",
    }
    assert all("6 of 8 failed runs vs 0 of 8 resolved runs" in le.body for le in found)


def test_an_edit_that_breaks_a_repository_file_is_a_feature_a_broken_script_is_not() -> None:
    from fixtures.offline.runs import run

    from skillforge.distill.offline.actions import actions

    broken = (
        'Traceback (most recent call last):\n  File "/testbed/reproduce.py", line 1, in <module>\n'
        '  File "/testbed/pkg/core.py", line 12\n    if x\n       ^\nSyntaxError: invalid syntax'
    )
    own = 'Traceback (most recent call last):\n  File "/testbed/reproduce.py", line 3\nSyntaxError: invalid syntax'
    repo = run("a", [("python reproduce.py", 1, broken)])
    script = run("b", [("python reproduce.py", 1, own)])
    assert "broke-syntax" in contrast_features(actions(repo), [])
    assert "broke-syntax" not in contrast_features(actions(script), [])
