"""Codex CLI reader: wrapped and legacy rollouts, pairing, exit codes, trust, dedupe and bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillforge import ingest
from skillforge.ingest import aider, claude_code, codex
from skillforge.ingest.base import HEAD_BYTES, ParseContext
from skillforge.model import Role, Step, StepKind, Trajectory, Trust

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = FIXTURES / "ingest" / "codex"
TID = "019c8a4d-2b1e-7f30-9a44-3d5e6f708192"
LID = "5973b6c0-94b8-487b-a530-2aeb6098ae0e"
WRAPPED = ROOT / "wrapped" / "sessions" / "2026" / "03" / "01" / f"rollout-2026-03-01T11-00-00-{TID}.jsonl"
LEGACY = ROOT / "legacy" / f"rollout-2025-07-14T11-30-12-{LID}.jsonl"
OTHERS = [
    *sorted((FIXTURES / "ingest" / "claude").rglob("*.jsonl")),
    FIXTURES / "ingest" / "aider" / "invoicer" / ".aider.chat.history.md",
]


def parse(path: Path) -> tuple[Trajectory, ParseContext]:
    ctx = ParseContext(path=path)
    [traj] = list(codex.parse(path, ctx))
    return traj, ctx


def head(path: Path) -> bytes:
    return path.read_bytes()[:HEAD_BYTES]


def call(traj: Trajectory, call_id: str) -> tuple[Step, Step]:
    step = next(s for s in traj.tool_calls if s.call_id == call_id)
    assert step.pair is not None
    return step, traj.steps[step.pair]


@pytest.mark.parametrize("path", [WRAPPED, LEGACY], ids=["wrapped", "legacy"])
def test_detects_both_layouts_by_content(path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "whatever.log"
    shutil.copy(path, renamed)
    assert codex.detect(renamed, head(renamed)) and ingest.detect(path) is codex
    assert not claude_code.detect(path, head(path)) and not aider.detect(path, head(path))


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_rejects_other_formats(path: Path) -> None:
    assert not codex.detect(path, head(path))


def test_rejects_interchange_and_exec_json_streams() -> None:
    interchange = json.dumps(Trajectory(id="x", source="s", format="codex", agent="codex").to_dict())
    assert not codex.detect(Path("t.jsonl"), interchange.encode() + b"\n")
    assert not codex.detect(Path("t.jsonl"), b'{"type":"thread.started","thread_id":"019a"}\n')


def test_wrapped_metadata() -> None:
    traj, _ = parse(WRAPPED)
    assert (traj.native_id, traj.agent_version, traj.model) == (TID, "0.104.0", "gpt-5.3-codex")
    assert (traj.repository, traj.cwd) == ("invoicer", "/home/dev/invoicer")
    assert traj.started_at == "2026-03-01T10:00:00.090Z" and traj.ended_at == "2026-03-01T10:00:15.200Z"
    assert traj.metadata["git_branch"] == "main" and traj.skills_used == ["tdd-loop"]


def test_wrapped_trust_levels_and_task() -> None:
    traj, _ = parse(WRAPPED)
    messages = [(s.role, s.trust) for s in traj.steps if s.kind is StepKind.USER_MESSAGE]
    assert messages == [
        (Role.SYSTEM, Trust.INJECTED),
        (Role.USER, Trust.INJECTED),
        (Role.USER, Trust.INJECTED),
        (Role.USER, Trust.PERSON),
    ]
    assert traj.task.startswith("Use $tdd-loop: the VAT total is rounded wrong")


def test_messages_written_twice_are_counted_once() -> None:
    traj, ctx = parse(WRAPPED)
    texts = [s.text for s in traj.steps]
    assert sum(t.startswith("Use $tdd-loop") for t in texts) == 1
    assert sum(t.startswith("Fixed: totals now use Decimal") for t in texts) == 1
    assert ctx.ignored["event user_message: copy of a user message"] == 1
    assert ctx.ignored["event agent_message: copy of an assistant message"] == 1


def test_reasoning_summary_is_a_thought_and_encrypted_is_skipped() -> None:
    traj, ctx = parse(WRAPPED)
    assert [s.text for s in traj.steps if s.kind is StepKind.THOUGHT] == ["**Inspecting rounding code**"]
    assert ctx.ignored["encrypted reasoning (not readable)"] == 1
    assert all("gAAAA" not in s.text for s in traj.steps)


def test_shell_exec_and_patch_calls_pair_with_exit_codes() -> None:
    traj, _ = parse(WRAPPED)
    shell, shell_out = call(traj, "call_shell1")
    assert shell.text == "grep -n round invoicer/totals.py" and shell_out.exit_code == 0
    failing, failing_out = call(traj, "call_exec1")
    assert failing.text == "make test" and failing.input == {
        "cmd": "make test",
        "workdir": "/home/dev/invoicer",
        "yield_time_ms": 10000,
    }
    assert (failing_out.exit_code, failing_out.is_error) == (1, True)
    patch, patch_out = call(traj, "call_patch1")
    assert patch.text.startswith("*** Begin Patch") and patch.tool_name == "apply_patch"
    assert patch_out.text.startswith("Success. Updated") and patch_out.exit_code == 0
    assert all(c.pair is not None for c in traj.tool_calls) and len(traj.tool_calls) == 6


def test_invalid_arguments_are_kept_as_the_raw_string() -> None:
    traj, _ = parse(WRAPPED)
    bad, out = call(traj, "call_bad1")
    assert isinstance(bad.input, str) and bad.input.startswith('{"command": "sed -i')
    assert out.is_error


def test_bookkeeping_and_unknown_records_are_counted() -> None:
    _, ctx = parse(WRAPPED)
    assert ctx.skipped["unknown record type world_state"] == 1
    assert ctx.ignored["ghost_snapshot item (compaction or undo bookkeeping)"] == 1
    assert ctx.ignored["event token_count: token counts"] == 1
    assert not ctx.problems


def test_source_lines_are_one_based() -> None:
    traj, _ = parse(WRAPPED)
    lines = WRAPPED.read_text().splitlines()
    person = next(s for s in traj.steps if s.trust is Trust.PERSON)
    assert person.source is not None and person.source.line == 7
    assert json.loads(lines[6])["payload"]["role"] == "user"


def test_legacy_layout() -> None:
    traj, ctx = parse(LEGACY)
    assert (traj.native_id, traj.repository, traj.cwd) == (LID, "slugify", "/work/slugify")
    assert traj.task.startswith("slugify('Ünïcode')") and ctx.ignored["state record (bookkeeping)"] == 3
    shell, shell_out = call(traj, "call_L1")
    assert shell.text == "python -m pytest -q"
    assert (shell_out.exit_code, shell_out.is_error) == (1, True)
    assert shell_out.text.startswith("F.\nFAILED")
    local, local_out = call(traj, "call_L2")
    assert local.text == "sed -n 1,20p slugify.py" and local_out.exit_code == 0


def test_exec_command_end_fills_a_missing_exit_code(tmp_path: Path) -> None:
    lines = [
        {"timestamp": "t", "type": "session_meta", "payload": {"id": "x", "cwd": "/r"}},
        {
            "timestamp": "t",
            "type": "response_item",
            "payload": {
                "type": "function_call",
                "name": "exec_command",
                "arguments": '{"cmd":"ls"}',
                "call_id": "c1",
            },
        },
        {
            "timestamp": "t",
            "type": "response_item",
            "payload": {"type": "function_call_output", "call_id": "c1", "output": "ls: cannot access"},
        },
        {
            "timestamp": "t",
            "type": "event_msg",
            "payload": {"type": "exec_command_end", "call_id": "c1", "exit_code": 2},
        },
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    traj, _ = parse(path)
    assert (traj.steps[1].exit_code, traj.steps[1].is_error) == (2, True)


def test_bad_line_mid_file_is_skipped_with_its_line_number(tmp_path: Path) -> None:
    lines = WRAPPED.read_text().splitlines(keepends=True)
    broken = tmp_path / "r.jsonl"
    broken.write_text("".join([*lines[:9], "{not json\n", *lines[9:]]))
    traj, ctx = parse(broken)
    assert [p.line for p in ctx.problems] == [10] and ctx.skipped["invalid JSON"] == 1
    assert len(traj.steps) == len(parse(WRAPPED)[0].steps)


def test_id_is_a_content_hash(tmp_path: Path) -> None:
    moved = tmp_path / "copy.jsonl"
    shutil.copy(WRAPPED, moved)
    assert parse(moved)[0].id == parse(WRAPPED)[0].id != parse(LEGACY)[0].id
    moved.write_text(moved.read_text().replace("9 passed", "10 passed"))
    assert parse(moved)[0].id != parse(WRAPPED)[0].id


def test_subagent_rollout_links_to_its_parent(tmp_path: Path) -> None:
    meta = {
        "id": "child",
        "cwd": "/r",
        "source": {"subagent": {"thread_spawn": {"parent_thread_id": "p1", "depth": 1}}},
    }
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"timestamp": "t", "type": "session_meta", "payload": meta}) + "\n")
    traj, _ = parse(path)
    assert (traj.native_id, traj.parent_id) == ("child", "p1")


def test_cli_ingest_reports_codex(cli: Callable[..., Any]) -> None:
    result = cli("ingest", str(ROOT), "--json")
    assert result.code == 0
    rows = [json.loads(line) for line in result.out.splitlines() if line.strip()]
    assert sorted(r["native_id"] for r in rows) == sorted([TID, LID])


def test_real_corpus_is_recognised(corpus: Path) -> None:
    """Every rollout, whatever its name (``rollout-*.jsonl``, Entire's ``full.jsonl`` and ``raw_transcript``),
    is read as one thread; a call without its output is one the file holds no output for."""
    files = sorted(
        p
        for p in (corpus / "codex").rglob("*")
        if p.is_file() and p.suffix in ("", ".jsonl") and p.name != "metadata.json"
    )
    assert len(files) >= 21
    for path in files:
        assert ingest.detect(path) is codex, path
        traj, ctx = parse(path)
        assert not ctx.problems and traj.task and traj.model and traj.native_id, path
        if path.name.startswith("rollout-"):
            assert traj.native_id in path.name
        data = path.read_bytes()
        for call in traj.tool_calls:
            assert call.pair is not None or data.count(f'"call_id":"{call.call_id}"'.encode()) == 1, path


def test_a_file_with_no_session_and_no_message_is_counted_not_silently_dropped(tmp_path: Path) -> None:
    # e.g. a fragment holding only token counts: nothing to read, but the report says why
    usage = {"type": "token_count", "info": {"total_token_usage": {"input_tokens": 90, "total_tokens": 90}}}
    lines = [
        {"timestamp": "2026-05-01T08:00:00.000Z", "type": "event_msg", "payload": usage},
        {
            "timestamp": "2026-05-01T08:01:00.000Z",
            "type": "response_item",
            "payload": {"type": "message", "role": "assistant"},
        },
    ]
    path = tmp_path / "fragment.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ctx = ParseContext(path=path)
    assert list(codex.parse(path, ctx)) == []
    assert ctx.skipped["rollout with no session and no message"] == 1
