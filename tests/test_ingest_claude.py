"""Claude Code reader: detection, the parentUuid tree, subagents, pairing, trust, ids and bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillforge import ingest
from skillforge.ingest import aider, claude_code, codex
from skillforge.ingest.base import HEAD_BYTES, IMAGE_MARKER, ParseContext
from skillforge.model import Role, StepKind, Trajectory, Trust

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = FIXTURES / "ingest" / "claude"
S1 = "3f0c2a91-7d4e-4b7a-9c11-5e2f8a6b1d01"
S2 = "9b1d7c44-2e6f-4a53-8d0e-7c3a9f4e2b10"
V1 = ROOT / "v1" / "projects" / "-home-dev-todo-api" / f"{S1}.jsonl"
V2 = ROOT / "v2" / "projects" / "-home-dev-shop" / f"{S2}.jsonl"
AGENT_FILE = ROOT / "v2" / "projects" / "-home-dev-shop" / S2 / "subagents" / "agent-a7f3e21.jsonl"
OTHERS = [
    *sorted((FIXTURES / "ingest" / "codex").rglob("*.jsonl")),
    FIXTURES / "ingest" / "aider" / "invoicer" / ".aider.chat.history.md",
]


def parse(path: Path) -> tuple[list[Trajectory], ParseContext]:
    ctx = ParseContext(path=path)
    return list(claude_code.parse(path, ctx)), ctx


def head(path: Path) -> bytes:
    return path.read_bytes()[:HEAD_BYTES]


def texts(traj: Trajectory) -> list[str]:
    return [s.text for s in traj.steps]


@pytest.mark.parametrize("path", [V1, V2, AGENT_FILE], ids=lambda p: p.name)
def test_detects_claude_files_by_content(path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "log.txt"
    shutil.copy(path, renamed)
    assert claude_code.detect(renamed, head(renamed))
    assert ingest.detect(path) is claude_code
    assert not codex.detect(path, head(path)) and not aider.detect(path, head(path))


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_rejects_other_formats(path: Path) -> None:
    assert not claude_code.detect(path, head(path))


def test_rejects_headless_stream_json_and_interchange_lines() -> None:
    stream = (
        b'{"type":"system","subtype":"init","session_id":"e2e5","tools":[]}\n'
        b'{"type":"assistant","message":{"content":[]},"session_id":"e2e5"}\n'
    )
    interchange = json.dumps(Trajectory(id="x", source="s", format="claude-code", agent="a").to_dict())
    assert not claude_code.detect(Path("x.jsonl"), stream)
    assert not claude_code.detect(Path("x.jsonl"), interchange.encode() + b"\n")


def test_detects_a_first_line_longer_than_the_head() -> None:
    line = json.dumps(
        {
            "parentUuid": None,
            "sessionId": "s",
            "type": "user",
            "message": {"role": "user", "content": "x" * (HEAD_BYTES + 10)},
        }
    ).encode()
    assert claude_code.detect(Path("s.jsonl"), line[:HEAD_BYTES])


def test_v1_main_chain_follows_the_latest_branch_and_dedupes() -> None:
    trajs, ctx = parse(V1)
    main = trajs[0]
    assert main.native_id == S1 and main.parent_id is None
    assert main.task.startswith("The pagination test in tests/test_api.py fails")
    assert "I will rewrite the whole module." not in texts(main)  # the rewound branch
    assert ctx.skipped["duplicate record"] == 1
    assert ctx.ignored["rewound branch (a later edit of the conversation replaced it)"] == 1
    assert (
        ctx.ignored["session metadata (summary, kept in the trajectory's metadata)"] == 1 and not ctx.problems
    )
    assert main.metadata["summaries"] == ["Fix failing pagination test"]
    assert [s.tool_name for s in main.tool_calls] == ["Task", "Read", "Edit", "Bash"]


def test_v1_inline_sidechain_is_a_linked_trajectory() -> None:
    trajs, _ = parse(V1)
    assert len(trajs) == 2
    sub = trajs[1]
    assert sub.parent_id == S1 and sub.native_id == "b0000001-0000-4000-8000-000000000001"
    assert sub.task.startswith("Run pytest tests/test_api.py")
    assert sub.steps[0].trust is Trust.AGENT  # written by the parent agent, not a person
    result = sub.steps[2]
    assert (result.kind, result.is_error, result.exit_code) == (StepKind.TOOL_RESULT, True, 1)
    assert all(s.text != sub.steps[0].text for s in trajs[0].steps if s.kind is StepKind.USER_MESSAGE)


@pytest.mark.parametrize("path", [V1, V2, AGENT_FILE], ids=lambda p: p.name)
def test_every_call_is_paired_with_its_result(path: Path) -> None:
    for traj in parse(path)[0]:
        assert [s.index for s in traj.steps] == list(range(len(traj.steps)))
        for call in traj.tool_calls:
            result = traj.steps[call.pair]  # type: ignore[index]
            assert result.kind is StepKind.TOOL_RESULT and result.pair == call.index
            assert (result.call_id, result.tool_name) == (call.call_id, call.tool_name)


def test_bash_call_text_is_the_command_and_exit_code_zero_when_clean() -> None:
    main = parse(V1)[0][0]
    bash = next(s for s in main.tool_calls if s.tool_name == "Bash")
    assert bash.text == "pytest tests/test_api.py -q" and bash.input["description"] == "Re-run the tests"
    assert main.steps[bash.pair].exit_code == 0  # type: ignore[index]
    read = next(s for s in main.tool_calls if s.tool_name == "Read")
    assert json.loads(read.text) == {"file_path": "/home/dev/todo-api/api/pages.py"}


def test_source_lines_point_at_the_records() -> None:
    main = parse(V1)[0][0]
    lines = V1.read_text().splitlines()
    for step in main.steps:
        assert step.source is not None and step.source.file == str(V1)
        assert json.loads(lines[step.source.line - 1])["type"] in ("user", "assistant")  # type: ignore[operator]
    assert main.steps[0].source.line == 2  # type: ignore[union-attr]


def test_v2_split_response_is_not_duplicated() -> None:
    main = parse(V2)[0][0]
    assert texts(main).count("Let me look at the stylesheet and the component in parallel.") == 1
    kinds = [s.kind for s in main.steps[1:5]]
    assert kinds == [StepKind.THOUGHT, StepKind.ASSISTANT_MESSAGE, StepKind.TOOL_CALL, StepKind.TOOL_CALL]
    assert main.model == "claude-opus-4-6" and main.agent_version == "2.1.56"


def test_v2_parallel_calls_pair_by_id_and_error_result() -> None:
    main = parse(V2)[0][0]
    grep, read = main.steps[3], main.steps[4]
    assert (grep.pair, read.pair) == (5, 6)
    assert not main.steps[5].is_error and main.steps[6].is_error
    assert "File does not exist" in main.steps[6].text


def test_v2_compaction_keeps_earlier_steps_and_marks_summary_injected() -> None:
    main = parse(V2)[0][0]
    summary = next(s for s in main.steps if s.text.startswith("This session is being continued"))
    assert summary.trust is Trust.INJECTED and summary.kind is StepKind.USER_MESSAGE
    before = [s.tool_name for s in main.tool_calls if s.index < summary.index]
    after = [s.tool_name for s in main.tool_calls if s.index > summary.index]
    assert before == ["Grep", "Read", "Agent"] and after == ["Edit", "Bash", "Skill"]


def test_v2_skills_trust_and_task() -> None:
    main = parse(V2)[0][0]
    assert main.skills_used == ["release-notes"]
    body = next(s for s in main.steps if s.text.startswith("Base directory for this skill"))
    assert body.trust is Trust.INJECTED and body.role is Role.USER
    assert main.task.startswith("The checkout button overlaps the footer")
    assert {s.trust for s in main.steps if s.kind is StepKind.TOOL_RESULT} == {Trust.TOOL_OUTPUT}
    assert {s.trust for s in main.steps if s.kind is StepKind.TOOL_CALL} == {Trust.AGENT}


def test_v2_image_becomes_a_marker() -> None:
    main = parse(V2)[0][0]
    assert IMAGE_MARKER in main.steps[0].text and "iVBOR" not in main.steps[0].text
    assert main.steps[0].trust is Trust.PERSON


def test_v2_bookkeeping_and_unknown_records_are_counted() -> None:
    trajs, ctx = parse(V2)
    assert len(trajs) == 1
    for reason in (
        "file backups (file-history-snapshot)",
        "attachment deferred_tools_delta (a listing or reminder re-sent to the model)",
        "session metadata (ai-title, kept in the trajectory's metadata)",
        "live progress (repeated in the tool result)",
        "compaction marker (the summary after it is kept)",
        "timing (turn_duration)",
        "session bookkeeping (last-prompt)",
    ):
        assert ctx.ignored[reason] == 1, reason
    assert dict(ctx.skipped) == {
        "unknown record type future-thing": 1
    }  # only what no version is known to write
    assert trajs[0].metadata["title"] == "Checkout button overlap fix"
    assert not ctx.problems


def test_subagent_file_links_to_its_session() -> None:
    [sub], _ctx = parse(AGENT_FILE)
    assert (sub.native_id, sub.parent_id) == ("a7f3e21", S2)
    assert sub.model == "claude-haiku-4-5" and len(sub.tool_calls) == 2
    assert sub.repository == "shop" and sub.cwd == "/home/dev/shop"


def test_folder_read_gives_session_and_subagent() -> None:
    report = ingest.IngestReport()
    trajs = list(ingest.read([ROOT / "v2"], report))
    assert {(t.native_id, t.parent_id) for t in trajs} == {(S2, None), ("a7f3e21", S2)}
    assert report.formats["claude-code"].files == 2


def test_ids_are_content_hashes(tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere.jsonl"
    shutil.copy(V1, moved)
    ids = [t.id for t in parse(V1)[0]]
    assert ids == [t.id for t in parse(moved)[0]] and len(set(ids)) == 2
    moved.write_text(moved.read_text().replace("Both tests pass now.", "All tests pass."))
    changed = [t.id for t in parse(moved)[0]]
    assert changed[0] != ids[0] and changed[1] == ids[1]  # only the main chain's content changed


def test_bad_line_mid_file_is_skipped_with_its_line_number(tmp_path: Path) -> None:
    lines = V1.read_text().splitlines(keepends=True)
    broken = tmp_path / "s.jsonl"
    broken.write_text("".join([*lines[:5], '{"parentUuid": "oops", "type": \n', *lines[5:]]))
    trajs, ctx = parse(broken)
    assert [p.line for p in ctx.problems] == [6] and ctx.skipped["invalid JSON"] == 1
    assert [len(t.steps) for t in trajs] == [len(t.steps) for t in parse(V1)[0]]


def test_unknown_record_inside_the_chain_does_not_break_it(tmp_path: Path) -> None:
    recs = [
        {
            "type": "user",
            "uuid": "u1",
            "parentUuid": None,
            "sessionId": "s",
            "message": {"role": "user", "content": "hi"},
        },
        {"type": "brand-new", "uuid": "n1", "parentUuid": "u1", "sessionId": "s"},
        {
            "type": "assistant",
            "uuid": "a1",
            "parentUuid": "n1",
            "sessionId": "s",
            "message": {"id": "m", "role": "assistant", "content": [{"type": "text", "text": "hello"}]},
        },
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    [traj], ctx = parse(path)
    assert texts(traj) == ["hi", "hello"] and ctx.skipped["unknown record type brand-new"] == 1


def test_slash_command_prompt_and_meta_expansion(tmp_path: Path) -> None:
    recs = [
        {
            "type": "user",
            "uuid": "u1",
            "parentUuid": None,
            "sessionId": "s",
            "message": {
                "role": "user",
                "content": "<command-message>fix is running…</command-message>\n<command-name>/fix</command-name>\n"
                "<command-args>the login bug</command-args>",
            },
        },
        {
            "type": "user",
            "uuid": "u2",
            "parentUuid": "u1",
            "sessionId": "s",
            "isMeta": True,
            "message": {
                "role": "user",
                "content": [{"type": "text", "text": "Fix the bug described below."}],
            },
        },
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    [traj], _ = parse(path)
    assert traj.task == "/fix the login bug"
    assert [s.trust for s in traj.steps] == [Trust.PERSON, Trust.INJECTED]


@pytest.mark.parametrize(
    "command",
    [
        "/clear",
        "<command-name>/compact</command-name>",
        "/model",
        "<command-name>/model</command-name><command-args>opus</command-args>",
        "/compact focus on the auth module",
    ],
)
def test_a_housekeeping_command_is_not_the_task(tmp_path: Path, command: str) -> None:
    """A reader saw "Task: /clear" in evidence: a session opened by /clear, /compact or /model (no
    arguments) is about the message the person typed next."""
    prompts = [command, "Update the home page so that it says it is open source."]
    recs = [
        {
            "type": "user",
            "uuid": f"u{n}",
            "parentUuid": f"u{n - 1}" if n else None,
            "sessionId": "s",
            "message": {"role": "user", "content": text},
        }
        for n, text in enumerate(prompts)
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    [traj], _ = parse(path)
    assert traj.task == prompts[1]
    assert traj.steps[0].text.startswith("/") and traj.steps[0].trust is Trust.PERSON  # kept as a step


def test_cli_ingest_reports_claude(cli: Callable[..., Any]) -> None:
    result = cli("ingest", str(ROOT), "--json")
    assert result.code == 0
    rows = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    assert len(rows) == 4 and {r["format"] for r in rows} == {"claude-code"}
    assert "JSON Lines" in " ".join(cli("ingest", "--help").out.split())  # one object a line, as printed


def test_real_corpus_is_recognised_and_paired(corpus: Path) -> None:
    """Every transcript (``raw_transcript`` too) is read; a call without a result is one whose result the
    file does not hold (the session ended or was copied mid-call)."""
    files = sorted(
        p
        for p in (corpus / "claude-code").rglob("*")
        if p.is_file() and (p.suffix == ".jsonl" or p.name == "raw_transcript")
    )
    assert len(files) >= 44
    for path in files:
        assert ingest.detect(path) is claude_code, path
        trajs, ctx = parse(path)
        assert trajs and not ctx.problems
        data = path.read_bytes()
        for traj in trajs:
            for call in traj.tool_calls:
                assert call.pair is not None or data.count(f'"tool_use_id":"{call.call_id}"'.encode()) == 0, (
                    path
                )
    big = next(p for p in files if p.name.startswith("fe5e1c67"))
    trajs, _ = parse(big)
    assert len(trajs) == 6 and all(t.parent_id == trajs[0].native_id for t in trajs[1:])
    assert sum(len(t.tool_calls) for t in trajs) == 167


def test_sidechains_hanging_off_the_main_chain_stay_separate(tmp_path: Path) -> None:
    def rec(uuid: str, parent: str | None, side: bool, text: str) -> dict[str, object]:
        return {
            "type": "user",
            "uuid": uuid,
            "parentUuid": parent,
            "sessionId": "s",
            "isSidechain": side,
            "message": {"role": "user", "content": text},
        }

    recs = [
        rec("m1", None, False, "main task"),
        rec("x1", "m1", True, "sub one"),
        rec("y1", "m1", True, "sub two"),
        rec("m2", "m1", False, "main follow-up"),
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    trajs, _ = parse(path)
    assert [texts(t) for t in trajs] == [["main task", "main follow-up"], ["sub one"], ["sub two"]]


def test_records_without_parent_uuid_are_read_in_file_order(tmp_path: Path) -> None:
    # transcripts written by other tools in Claude Code's shape (read with --format claude-code) may
    # leave parentUuid out: each record then follows the one before it, none is dropped unseen
    lines = [
        {
            "type": "user",
            "uuid": "u1",
            "sessionId": "s",
            "message": {"role": "user", "content": "tidy the logs"},
        },
        {
            "type": "assistant",
            "uuid": "a1",
            "sessionId": "s",
            "message": {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls logs"}}
                ],
            },
        },
        {
            "type": "user",
            "uuid": "r1",
            "sessionId": "s",
            "message": {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "a.log"}],
            },
        },
    ]
    path = tmp_path / "other-tool.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    [traj], _ = parse(path)
    assert traj.task == "tidy the logs"
    assert [s.kind for s in traj.steps] == [StepKind.USER_MESSAGE, StepKind.TOOL_CALL, StepKind.TOOL_RESULT]
    assert traj.steps[1].pair == 2
