"""ATIF: reading documents other tools write (Harbor, NeMo), writing any trajectory as ATIF, and the
round trip read → write → read on every self-written fixture of every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillforge.ingest import IngestReport, atif, detect, read
from skillforge.ingest.atif_write import to_atif
from skillforge.ingest.base import HEAD_BYTES, ParseContext
from skillforge.model import Role, StepKind, Trajectory, Trust
from skillforge.safety.redact import redact_tree

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
HARBOR = {
    "schema_version": "ATIF-v1.7",
    "session_id": "run-42",
    "agent": {
        "name": "opencode",
        "version": "1.2.3",
        "model_name": "anthropic/claude-sonnet-4-5",
        "extra": {"x": 1},
    },
    "steps": [
        {
            "step_id": 1,
            "timestamp": "2026-08-01T10:00:00Z",
            "source": "user",
            "message": "Make the failing test pass.",
        },
        {
            "step_id": 2,
            "timestamp": "2026-08-01T10:00:04Z",
            "source": "agent",
            "message": "Running the tests first.",
            "reasoning_content": "Need a baseline.",
            "model_name": "anthropic/claude-sonnet-4-5",
            "tool_calls": [
                {"tool_call_id": "call_1", "function_name": "bash", "arguments": {"command": "pytest -q"}}
            ],
            "observation": {"results": [{"source_call_id": "call_1", "content": "1 failed, 3 passed"}]},
            "metrics": {"prompt_tokens": 5200, "completion_tokens": 60},
            "llm_call_count": 1,
        },
        {
            "step_id": 3,
            "source": "agent",
            "message": [
                {"type": "text", "text": "Fixed the off-by-one."},
                {"type": "image", "source": {"media_type": "image/png", "path": "shot.png"}},
            ],
        },
        {"step_id": 4, "source": "system", "message": "Context summarised.", "is_copied_context": True},
    ],
    "final_metrics": {"total_prompt_tokens": 5200, "total_steps": 4},
    "notes": "a producer's own field",
}


def key(traj: Trajectory) -> dict[str, Any]:
    """A trajectory as JSON, without what names the file it was read from."""
    d = traj.to_dict()
    for field in ("id", "source", "format"):
        d.pop(field, None)
    for step in d["steps"]:
        step.pop("source", None)
    meta = {k: v for k, v in d.pop("metadata", {}).items() if not k.startswith("original_")}
    return {**d, "metadata": meta}


def test_a_gemini_cli_run_in_atif_keeps_its_shell_exit_codes(tmp_path: Path) -> None:
    """A held-out SkillsBench run (Gemini CLI in Harbor's ATIF): the shell tool's "Error: (none)" footer
    read as a failure and its "Exit Code: 1" was lost, as its description argument was kept in the text."""

    def shell(n: int, command: str, code: int) -> dict[str, object]:
        call_id = f"run_shell_command-{n}"
        output = f"Command: {command}\nDirectory: (root)\nOutput: done\nError: (none)\nExit Code: {code}\nSignal: 0"
        return {
            "step_id": n + 2,
            "source": "agent",
            "message": "Running it.",
            "tool_calls": [
                {
                    "tool_call_id": call_id,
                    "function_name": "run_shell_command",
                    "arguments": {"command": command, "description": "Run it."},
                }
            ],
            "observation": {"results": [{"source_call_id": call_id, "content": output}]},
        }

    doc = {
        "schema_version": "ATIF-v1.7",
        "session_id": "s1",
        "agent": {"name": "gemini-cli", "version": "0.24.0", "model_name": "gemini-3-flash-preview"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "Compute the scores."},
            shell(1, "python3 -c 'import pandas'", 1),
            shell(2, "python3 score.py", 0),
            {
                "step_id": 5,
                "source": "agent",
                "message": "Reading the log.",
                "tool_calls": [
                    {"tool_call_id": "read-5", "function_name": "read_file", "arguments": {"command": "x"}}
                ],
                "observation": {"results": [{"source_call_id": "read-5", "content": "Exit Code: 1"}]},
            },
        ],
    }
    path = tmp_path / "trajectory.json"
    path.write_text(json.dumps(doc))
    [traj] = list(read([path]))
    calls, results = traj.tool_calls, [traj.steps[c.pair] for c in traj.tool_calls if c.pair is not None]
    assert [c.text for c in calls] == ["python3 -c 'import pandas'", "python3 score.py", '{"command":"x"}']
    assert [(r.exit_code, r.is_error) for r in results] == [
        (1, True),
        (0, False),
        (None, False),
    ]  # not a shell


def test_reads_a_harbor_document(tmp_path: Path) -> None:
    path = tmp_path / "jobs" / "j1" / "trial-1" / "agent" / "trajectory.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(HARBOR, indent=2))
    (path.parent.parent / "verifier").mkdir()
    (path.parent.parent / "verifier" / "reward.txt").write_text("1.0\n")
    assert detect(path) is atif
    report = IngestReport()
    [traj] = list(read([path], report))
    assert [(s.kind, s.text) for s in traj.steps] == [
        (StepKind.USER_MESSAGE, "Make the failing test pass."),
        (StepKind.THOUGHT, "Need a baseline."),
        (StepKind.ASSISTANT_MESSAGE, "Running the tests first."),
        (StepKind.TOOL_CALL, "pytest -q"),  # a shell tool's command, as the agents' own readers show it
        (StepKind.TOOL_RESULT, "1 failed, 3 passed"),
        (StepKind.ASSISTANT_MESSAGE, "Fixed the off-by-one.\n[image omitted]"),
        (StepKind.USER_MESSAGE, "Context summarised."),
    ]
    assert traj.tool_calls[0].pair == 4 and traj.steps[4].tool_name == "bash"
    assert (
        traj.agent == "opencode"
        and traj.model == "anthropic/claude-sonnet-4-5"
        and traj.native_id == "run-42"
    )
    assert traj.task == "Make the failing test pass." and traj.steps[-1].role is Role.SYSTEM
    assert traj.steps[-1].trust is Trust.INJECTED
    assert traj.outcome.value == "success" and traj.outcome_source == "harbor:reward" and not report.problems


def test_observations_written_as_steps_of_their_own_pair_across_steps(tmp_path: Path) -> None:
    doc = {
        **HARBOR,
        "steps": [
            {"step_id": 1, "source": "user", "message": "list files"},
            {
                "step_id": 2,
                "source": "agent",
                "message": "",
                "tool_calls": [{"tool_call_id": "t1", "function_name": "ls", "arguments": {}}],
            },
            {
                "step_id": 3,
                "source": "agent",
                "message": "",
                "observation": {
                    "results": [{"source_call_id": "t1", "content": [{"type": "text", "text": "a.py"}]}]
                },
            },
        ],
    }  # as NeMo Relay writes
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    [traj] = list(read([path]))
    assert traj.tool_calls[0].pair == 2 and traj.steps[2].text == "a.py"


@pytest.mark.parametrize("fixture", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_round_trip_gives_the_same_trajectories(fixture: Path, tmp_path: Path) -> None:
    first = list(read([fixture]))
    assert first
    out = tmp_path / "atif.jsonl"
    out.write_bytes(b"".join(json.dumps(to_atif(t)).encode() + b"\n" for t in first))
    report = IngestReport()
    again = list(read([out], report))
    assert not report.problems and [key(t) for t in again] == [key(t) for t in first]
    assert {t.format for t in again} == {"atif"}


def test_written_documents_follow_the_schema_rules(fixtures: Path) -> None:
    for traj in read([FIXTURES]):
        doc = to_atif(traj)
        assert doc["schema_version"] == "ATIF-v1.7" and doc["agent"]["name"] and doc["steps"]
        assert [s["step_id"] for s in doc["steps"]] == list(range(1, len(doc["steps"]) + 1))
        for step in doc["steps"]:
            assert step["source"] in ("user", "system", "agent") and isinstance(step["message"], str)
            if step["source"] != "agent":
                assert not {"tool_calls", "observation", "reasoning_content"} & set(step)
            ids = {c["tool_call_id"] for c in step.get("tool_calls", [])}
            assert len(ids) == len(step.get("tool_calls", []))


def test_cli_writes_atif_that_reads_back(cli: Any, tmp_path: Path) -> None:
    res = cli("ingest", FIXTURES / "codex", "--to", "atif")
    assert res.code == 0
    out = tmp_path / "codex.atif.jsonl"
    out.write_text(res.out)
    assert [key(t) for t in read([out])] == [key(t) for t in read([FIXTURES / "codex"])]
    assert cli("ingest", FIXTURES / "codex", "--to", "xml").code == 2
    both = cli("ingest", FIXTURES / "codex", "--to", "atif", "--json")  # was ATIF, --json ignored
    assert both.code == 2 and "two outputs" in both.err and not both.out
    assert cli("ingest", FIXTURES / "codex", "--to", "json", "--json").code == 0


def test_cli_streams_the_same_documents_as_to_atif(cli: Any) -> None:
    # --to atif writes steps one by one; the lines are the whole documents, keys in order, counts filled
    res = cli("ingest", FIXTURES, "--to", "atif")
    assert res.code in (0, 3)  # 3: the fixtures' malformed files are reported, the rest written
    lines = [json.loads(line) for line in res.out.splitlines()]
    whole = [json.loads(json.dumps(redact_tree(to_atif(t)))) for t in read([FIXTURES])]
    assert len(lines) == len(whole) > 3 and lines == whole
    for doc in lines:
        assert list(doc)[4:6] == ["steps", "final_metrics"]
        assert doc["final_metrics"]["total_steps"] == len(doc["steps"]) > 0


@pytest.mark.parametrize(
    "head",
    [
        b'{"schema_version": "1.0", "steps": []}',  # not ATIF's version string
        b'{"sessionId": "s", "projectHash": "p", "startTime": "t"}\n',
        b'[{"schema_version": "ATIF-v1.7"}]',
    ],
)
def test_detection_rejects_other_documents(head: bytes) -> None:
    assert not atif.detect(Path("x.json"), head[:HEAD_BYTES])


def test_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    good = json.dumps(HARBOR)
    path.write_text(
        "\n".join(
            [
                good,
                '{"schema_version": "ATIF-v1.7", "steps": "none"}',
                good[:80],
                json.dumps({**HARBOR, "steps": [7, *HARBOR["steps"]]}),
            ]
        )
        + "\n"
    )
    ctx = ParseContext(path=path)
    trajs = list(atif.parse(path, ctx))
    assert len(trajs) == 2 and len(trajs[1].steps) == len(trajs[0].steps)
    assert ctx.skipped == {"not an ATIF document": 1, "invalid JSON": 1, "step that is not an object": 1}
    assert [p.line for p in ctx.problems] == [2, 3, 4]
    broken = tmp_path / "trajectory.json"
    broken.write_text(json.dumps(HARBOR, indent=2)[:-20])
    report = IngestReport()
    assert list(read([broken], report)) == [] and "not valid JSON" in str(report.problems[0])


def test_a_result_that_is_not_an_object_is_counted_and_the_others_kept(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(HARBOR))
    agent_step = next(s for s in doc["steps"] if s.get("observation"))
    results = agent_step["observation"]["results"]
    agent_step["observation"]["results"] = ["screen dump", *results]
    path = tmp_path / "trajectory.json"
    path.write_text(json.dumps(doc))
    ctx = ParseContext(path=path)
    (traj,) = atif.parse(path, ctx)
    assert ctx.skipped == {"observation result that is not an object": 1}
    kept = [s for s in traj.steps if s.kind is StepKind.TOOL_RESULT]
    assert len(kept) == sum(len(s.get("observation", {}).get("results", [])) for s in HARBOR["steps"])


def test_audio_and_image_parts_leave_a_marker(tmp_path: Path) -> None:
    doc = {
        "schema_version": "ATIF-v1.8",
        "steps": [
            {
                "step_id": 1,
                "source": "user",
                "message": [
                    {"type": "text", "text": "What does the recording say?"},
                    {"type": "audio", "source": {"media_type": "audio/wav", "path": "q.wav"}},
                    {"type": "image", "source": {"media_type": "image/png", "path": "s.png"}},
                ],
            }
        ],
    }
    path = tmp_path / "trajectory.json"
    path.write_text(json.dumps(doc))
    (traj,) = read([path])
    assert traj.steps[0].text == "What does the recording say?\n[audio omitted]\n[image omitted]"
