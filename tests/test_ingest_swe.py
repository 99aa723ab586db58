"""SWE-agent (.traj 0.x/1.1/RetryAgent/history-only) and mini-swe-agent (v1, v1.1) readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge.ingest import detect, read
from skillforge.model import Outcome, StepKind, Trajectory, Trust

DIR = Path(__file__).parent / "fixtures" / "ingest"


def one(path: Path) -> Trajectory:
    (traj,) = list(read([path]))
    return traj


def calls(traj: Trajectory) -> list:
    return [s for s in traj.steps if s.kind is StepKind.TOOL_CALL]


def assert_paired(traj: Trajectory) -> None:
    assert [s.index for s in traj.steps] == list(range(len(traj.steps)))
    for call in calls(traj):
        result = traj.steps[call.pair]
        assert result.kind is StepKind.TOOL_RESULT and result.pair == call.index
        assert result.call_id == call.call_id and result.tool_name == call.tool_name


def test_swe_agent_0x_roles_trust_and_task() -> None:
    traj = one(DIR / "swe_agent" / "acme__dates-12.traj")
    assert (traj.format, traj.native_id, traj.repository) == ("swe-agent", "acme__dates-12", "acme/dates")
    assert traj.task == "parse_date() crashes on an empty string"
    assert [s.trust for s in traj.steps[:3]] == [Trust.INJECTED, Trust.INJECTED, Trust.PERSON]
    assert traj.steps[3].kind is StepKind.THOUGHT and traj.steps[3].text == "Let me open the parser."
    assert traj.cwd == "/acme__dates"  # from the 0.x state, a JSON string
    assert_paired(traj)


def test_swe_agent_actions_become_readable_tool_calls() -> None:
    traj = one(DIR / "swe_agent" / "acme__dates-12.traj")
    assert [c.tool_name for c in calls(traj)] == ["open", "bash", "edit", "bash", "submit"]
    assert calls(traj)[1].text == "python -m pytest tests/test_parse.py"
    assert calls(traj)[1].input == {"command": "python -m pytest tests/test_parse.py"}
    assert traj.steps[calls(traj)[1].pair].text.endswith("1 failed, 1 passed in 0.05s ===================")


def test_swe_agent_submitted_is_not_success_but_last_test_run_is() -> None:
    traj = one(DIR / "swe_agent" / "acme__dates-12.traj")
    assert traj.metadata["exit_status"] == "submitted"
    assert (traj.outcome, traj.outcome_source) == (Outcome.SUCCESS, "tests")  # the last pytest: 2 passed


def test_swe_agent_1_1_replay_config_string_and_function_calls() -> None:
    traj = one(DIR / "swe_agent" / "run-1.1.traj")
    assert (traj.model, traj.repository, traj.native_id) == ("gpt-4o", "acme/widgets", "widgets-issue-7")
    assert traj.task == "Widget.resize ignores the height argument"
    assert [c.call_id for c in calls(traj)] == ["call_A1", "call_B2"]
    assert traj.agent_version == "1.1.0"
    assert not any("HUGE PROMPT COPY" in s.text for s in traj.steps)  # per-step `query` is skipped
    assert traj.steps[calls(traj)[1].pair].is_error  # a traceback


def test_replays_of_one_demonstration_are_one_session(tmp_path: Path) -> None:
    """SWE-agent's run-replay writes replay__<instance>__<config>/: one hand-written demonstration
    replayed under eight configurations is one run's evidence, not eight (a reader found a skill "from
    2 past runs" whose two runs were replays of the same demonstration)."""
    data = (DIR / "swe_agent" / "acme__dates-12.traj").read_bytes()
    for n, folder in enumerate(
        ("replay__acme__dates-12__default", "replay__acme__dates-12__xml", "run-a", "run-b")
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "acme__dates-12.traj").write_bytes(data + b" " * n)  # four logs, four ids
    runs = {Path(t.source).parent.name: t for t in read([tmp_path])}
    first, second = runs["replay__acme__dates-12__default"], runs["replay__acme__dates-12__xml"]
    assert first.id != second.id and first.session == second.session
    assert first.metadata["replay_of"] == "acme__dates-12"
    assert len({runs["run-a"].session, runs["run-b"].session, first.session}) == 3  # attempts count apart
    assert "replay_of" not in runs["run-a"].metadata


def test_replays_in_swe_agent_1_x_layout_are_one_session(tmp_path: Path) -> None:
    """SWE-agent 1.x writes trajectories/<user>/replay___<stem>/<instance>/<instance>.traj."""
    data = (DIR / "swe_agent" / "acme__dates-12.traj").read_bytes()
    for n, stem in enumerate(("replay___default", "replay___function_calling")):
        folder = tmp_path / stem / "acme__dates-12"
        folder.mkdir(parents=True)
        (folder / "acme__dates-12.traj").write_bytes(data + b" " * n)
    first, second = read([tmp_path])
    assert first.id != second.id and first.session == second.session


def test_swe_agent_exit_cost_is_a_failure() -> None:
    traj = one(DIR / "swe_agent" / "run-1.1.traj")
    assert (traj.outcome, traj.outcome_source) == (Outcome.FAILURE, "log:exit_status")


def test_swe_agent_retry_reads_the_chosen_attempt() -> None:
    traj = one(DIR / "swe_agent" / "retry.traj")
    assert traj.metadata["attempts"] == 2 and traj.metadata["best_attempt_idx"] == 1
    assert [c.text for c in calls(traj)] == ["ls"] and traj.outcome is Outcome.UNKNOWN


def test_swe_agent_history_only_file() -> None:
    traj = one(DIR / "swe_agent" / "demo_history_only.traj")
    (call,) = calls(traj)
    assert (call.tool_name, call.call_id, call.text) == ("open", "call_X", "open dates/parse.py")
    assert_paired(traj)


def test_mini_v1_bash_blocks_returncodes_and_format_errors() -> None:
    traj = one(DIR / "mini" / "acme__slugs-3.traj.json")
    assert (traj.format, traj.agent_version, traj.model) == (
        "mini-swe-agent",
        "1.15.0",
        "anthropic/claude-sonnet-4",
    )
    assert [c.text for c in calls(traj)] == ["grep -n slugify slugs.py", "pytest -q tests"]
    results = [traj.steps[c.pair] for c in calls(traj)]
    assert [(r.exit_code, r.is_error) for r in results] == [(0, False), (1, True)]
    assert results[0].text == "3:def slugify(s):"
    feedback = next(s for s in traj.steps if s.text.startswith("Please always provide"))
    assert feedback.trust is Trust.INJECTED
    assert not any("SECRET-REASONING-BLOB" in s.text for s in traj.steps)  # extra.response skipped
    assert_paired(traj)


def test_mini_limits_exceeded_is_a_failure_from_the_log() -> None:
    traj = one(DIR / "mini" / "acme__slugs-3.traj.json")
    assert (traj.outcome, traj.outcome_source) == (Outcome.FAILURE, "log:exit_status")
    assert traj.task == "slugify() drops unicode letters" and traj.repository == "acme/slugs"


def test_mini_v1_1_tool_calls_and_submitted_stays_unknown_in_metadata() -> None:
    traj = one(DIR / "mini" / "toolcalls.traj.json")
    assert [(c.call_id, c.text) for c in calls(traj)] == [
        ("tc_1", "cat cli.py"),
        ("tc_2", "python -m pytest"),
    ]
    assert traj.metadata["exit_status"] == "Submitted"
    assert (traj.outcome, traj.outcome_source) == (Outcome.SUCCESS, "tests")
    assert_paired(traj)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("swe_agent/acme__dates-12.traj", "swe-agent"),
        ("swe_agent/run-1.1.traj", "swe-agent"),
        ("mini/acme__slugs-3.traj.json", "mini-swe-agent"),
        ("mini/toolcalls.traj.json", "mini-swe-agent"),
    ],
)
def test_detection_is_by_content(path: str, fmt: str, tmp_path: Path) -> None:
    renamed = tmp_path / "log.data"
    renamed.write_bytes((DIR / path).read_bytes())
    mod = detect(renamed)
    assert mod is not None and fmt == mod.FORMAT


def test_trajectory_id_is_a_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere.traj"
    copy.write_bytes((DIR / "swe_agent" / "run-1.1.traj").read_bytes())
    assert one(copy).id == one(DIR / "swe_agent" / "run-1.1.traj").id
    assert one(copy).id != one(DIR / "swe_agent" / "retry.traj").id


def test_no_two_readers_claim_the_same_fixture() -> None:
    """Every reader's detect() on every fixture of every format: exactly one claims each log file."""
    from skillforge.ingest import readers
    from skillforge.ingest.base import HEAD_BYTES

    for path in sorted(DIR.rglob("*")):
        if (
            not path.is_file()
            or "bad" in path.parts
            or "events" in path.parts
            or path.name == "base_state.json"
        ):
            continue
        head = path.read_bytes()[:HEAD_BYTES]
        claimed = [m.FORMAT for m in readers() if m.detect(path, head)]
        assert len(claimed) == 1, f"{path.relative_to(DIR)} claimed by {claimed}"


def test_function_calling_arguments_are_the_input() -> None:
    traj = one(DIR / "swe_agent" / "demo_history_only.traj")
    assert calls(traj)[0].input == {"path": "dates/parse.py"}
    assert one(DIR / "swe_agent" / "run-1.1.traj").tool_calls[0].input == {"command": "grep -rn resize src/"}
