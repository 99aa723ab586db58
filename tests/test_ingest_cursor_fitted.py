"""Cursor transcript lines decoded into the schema of their usual shape (``cursor_fitted``) read exactly
as the general path reads them, and the lines that do not fit it go the general way: each case and a
seeded fuzz of line shapes are read both ways (``_transcript(..., fitted=False)`` reads every line the
general way) and compared whole: steps, actions, ids, task, folder, skipped counts and problems."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from skillforge.ingest import IngestReport, cursor, read
from skillforge.ingest.base import MAX_TEXT, ParseContext
from skillforge.ingest.cursor_fitted import DECODER
from skillforge.ingest.reading import GIVE_UP
from skillforge.ingest.tools import decode_actions
from skillforge.model import ReadFile, Shell


def fits(line: str | bytes) -> bool:
    try:
        DECODER.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return False
    return True


def read_both(tmp_path: Path, data: bytes) -> list[Any]:
    """What the fast path and the general path make of a transcript: each trajectory as ingest finishes
    it (actions decoded), and the reading's skipped counts and problems."""
    path = tmp_path / "agent-transcripts" / "t1" / "t1.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    out = []
    for fitted in (True, False):
        ctx = ParseContext(path=path, format="cursor")
        traj = cursor._transcript(path, ctx, fitted)
        decode_actions(traj)
        out.append([traj.to_dict(), dict(ctx.skipped), [str(p) for p in ctx.problems]])
    return out


def same(tmp_path: Path, lines: Sequence[str | bytes]) -> dict[str, Any]:
    data = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    fast, general = read_both(tmp_path, data)
    assert fast == general
    return dict(fast[0])


def line(content: Any, role: str = "assistant") -> str:
    return json.dumps({"role": role, "message": {"content": content}})


def tool(name: Any, args: Any, **more: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": args, **more}


SHELL = tool("Shell", {"command": "npm test", "working_directory": "/repo"})
FITTING: list[str] = [
    line([{"type": "text", "text": "<timestamp>x</timestamp>\n<user_query>\nfix it\n</user_query>"}], "user"),
    line([{"type": "text", "text": "<user_query>second</user_query>"}], "user"),
    line([{"type": "text", "text": "catalogue of subagents"}], "user"),
    line("a prompt as a string", "user"),
    line("an answer as a string"),
    line([{"type": "thinking", "thinking": "plan"}, {"type": "text", "text": "Running."}, SHELL]),
    line([{"type": "thinking", "thinking": "", "text": "from text"}, {"type": "thinking", "text": None}]),
    line([{"type": "thinking", "thinking": "   "}, {"type": "text", "text": "\n"}, {"type": "text"}]),
    line([{"type": "text", "text": None}, {"type": "thinking"}]),
    line([tool("Shell", {"command": "ls"}), tool("Shell", {"command": "ls", "working_directory": ""})]),
    line([tool("Shell", {"command": "pwd", "working_directory": "/a", "description": "x", "timeout": 30})]),
    line([tool("Shell", {"command": ["bash", "-lc", "make"]}), tool("Shell", {"cmd": "echo"})]),
    line([tool("Shell", {"command": "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: a.py\n"})]),
    line([tool("run_terminal_cmd", {"command": "ls", "cwd": "/c", "working_directory": "/w"})]),
    line([tool("Shell", {"working_directory": "/w", "cwd": "/c", "command": "ls"})]),
    line([tool("Read", {"path": "/repo/a.js"}), tool("Read", {"path": "", "url": "http://x"})]),
    line([tool("Write", {"path": "b.py", "contents": "x = 1\n"}), tool("Glob", {"glob_pattern": "*.py"})]),
    line([tool("StrReplace", {"path": "c.py", "old_string": "a", "new_string": "b", "replace_all": True})]),
    line(
        [tool("FooTool", {"x": 1.5, "y": None, "z": [1, "a", False]}), tool("run_shell", {"command": "id"})]
    ),
    line([tool("Read", None), tool("Read", {}), tool(None, {"a": 1}), {"type": "tool_use"}]),
    line([tool("Read", {"path": "/x"}, id="call-1"), tool("Read", {"path": "/y"}, id="")]),
    line([tool("Grep", {"pattern": "\u0000\u00e9\U0001f600", "n": 2**63 - 1, "m": -(2**63)})]),
    line(
        [
            {"type": "thinking", "thinking": "t" * (MAX_TEXT + 5)},
            {"type": "text", "text": "u" * (MAX_TEXT + 1)},
        ]
    ),
    line([tool("Shell", {"command": "c" * (MAX_TEXT + 7)}), tool("Read", {"path": "p" * MAX_TEXT})]),
    line([{"type": "text", "text": "<user_query>" + "q" * (MAX_TEXT + 3) + "</user_query>"}], "user"),
    '{"role": "user", "role": "assistant", "message": {"content": "last role wins"}}',
    '{"role":"assistant","message":{"content":[{"type":"text","text":"a","text":"b"}]}}',
    '{"\\u0072ole": "assistant", "message": {"content": [{"type": "text", "text": "escaped key"}]}}',
    '  {"role": "assistant", "message": {"content": []}}  ',
]
MISFITS: list[str | bytes] = [
    '{"type": "turn_ended", "status": "success"}',
    '{"type": "turn_ended", "status": "error", "error": "quota"}',
    '{"type": "turn_ended", "status": "error", "error": {"message": "auth"}}',
    '{"type": "turn_ended", "error": {"code": 1}}',
    '{"role": "assistant", "id": "m1", "message": {"content": "an extra field"}}',
    '{"role": "assistant", "message": {"role": "assistant", "content": "extra field"}}',
    line([{"type": "text", "text": "before"}, {"type": "image", "source": {}}, SHELL]),
    line([{"text": "no type"}, "a string block", 3, None, {"type": "text", "text": "after"}]),
    line([{"type": "text", "text": "x", "cache": True}]),
    line([tool("TodoWrite", {"todos": [{"id": "1", "content": "a", "status": "done"}], "merge": True})]),
    line([tool("Shell", "ls -l"), tool("Read", ["/a"]), tool("Read", 5)]),
    line([tool("Read", {"path": "/a", "n": 2**64})]),
    line([tool("Read", {"path": "/a", "n": 2**63})]),
    line([tool("Read", {"path": "/a", "n": -(2**63) - 1})]),
    line([tool("Read", {"path": "/a", "n": 10**30})]),
    line([tool(7, {"path": "/a"}), tool("Read", {"path": "/b"}, id=12)]),
    line(
        [{"type": "text", "text": ["a", {"type": "text", "text": "b"}]}, {"type": "thinking", "thinking": {}}]
    ),
    line([{"type": "text", "text": {"x": 1}}], "user"),
    line("a system line", "system"),
    '{"role": "user", "message": "no content list"}',
    '{"role": "user", "message": {}}',
    '{"role": "user", "message": {"content": null}}',
    '{"role": "user"}',
    '{"role":"assistant","message":{"content":[{"type":"text","type":"thinking","text":"x"}]}}',
    '{"role":"assistant","message":{"content":[{"type":"thinking","type":"text","text":"x"}]}}',
    "[1, 2]",
    '"a string line"',
    "{broken",
    '{"role": "assistant", "message": {"content": "\\ud800 lone surrogate"}}',
    b'{"role": "assistant", "message": {"content": "caf\xe9 in Latin-1"}}',
    '{"role": "assistant", "message": {"content": "x"}} trailing',
    '{"role": "assistant", "message": {"content": [{"type": "text", "text": 1e400}]}}',
]


@pytest.mark.parametrize("text", FITTING)
def test_a_line_of_the_usual_shape_fits_and_reads_as_the_general_path_reads_it(
    tmp_path: Path, text: str
) -> None:
    assert fits(text)
    same(tmp_path, [text])


@pytest.mark.parametrize("text", MISFITS)
def test_a_line_of_another_shape_reads_as_before(tmp_path: Path, text: str | bytes) -> None:
    assert not fits(text)
    same(tmp_path, [FITTING[0], text, FITTING[5]])


def test_a_transcript_mixing_both_reads_the_same_and_keeps_its_session_state(tmp_path: Path) -> None:
    lines: list[str | bytes] = [FITTING[2], FITTING[9], *FITTING, *MISFITS, "", "   ", FITTING[0]]
    traj = same(tmp_path, lines)
    assert traj["task"] == "fix it"
    # the folder comes from the first call that names one; commands that name none get it (they are
    # read before it, and in both paths)
    assert traj["cwd"] == "/repo"
    shells = [s for s in traj["steps"] if s.get("tool_name") == "Shell" and s["text"] == "ls"]
    assert shells[0]["action"] == {"type": "shell", "command": "ls", "cwd": "/repo"}


def test_the_fast_path_decodes_actions_as_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        FITTING[5] + "\n" + line([tool("Read", {"path": "/r"}), tool("Shell", {"command": "ls"})]) + "\n"
    )
    traj = cursor._transcript(path, ParseContext(path=path, format="cursor"))
    calls = [s for s in traj.steps if s.action is not None]  # before decode_actions runs
    assert [c.action for c in calls] == [Shell("npm test", "/repo"), ReadFile("/r"), Shell("ls", "/repo")]
    assert [s.source.line for s in traj.steps if s.source] == [1, 1, 1, 2, 2]


def test_ingest_reads_a_folder_of_fitting_transcripts_as_the_general_path(tmp_path: Path) -> None:
    folder = tmp_path / "agent-transcripts" / "t2"
    folder.mkdir(parents=True)
    (folder / "t2.jsonl").write_text("".join(x + "\n" for x in FITTING[:8]))
    report = IngestReport()
    (traj,) = read([tmp_path], report)
    general = cursor._transcript(
        folder / "t2.jsonl", ParseContext(path=folder / "t2.jsonl", format="cursor"), False
    )
    decode_actions(general)
    assert traj.to_dict() == general.to_dict()
    assert report.formats["cursor"].steps == len(general.steps)


# -- fuzz: lines made from the usual shape with one or more values swapped for others --------------------
VALUES: list[Any] = [
    None,
    "",
    " ",
    "x",
    "<user_query>q</user_query>",
    "\u00e9\U0001f600",
    0,
    -1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    1.5,
    -0.0,
    True,
    False,
    [],
    ["a", 1],
    [{"a": 1}],
    {},
    {"a": 1},
    {"a": {"b": 2}},
]


def _mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """``value`` with one of its fields swapped, dropped or added (recursively, at random)."""
    if isinstance(value, dict) and value and depth < 4 and rng.random() < 0.8:
        out = dict(value)
        key = rng.choice(list(out))
        roll = rng.random()
        if roll < 0.15:
            del out[key]
        elif roll < 0.25:
            out[rng.choice(["extra", "type", "id", "role", "text"])] = rng.choice(VALUES)
        elif roll < 0.5:
            out[key] = rng.choice(VALUES)
        else:
            out[key] = _mutate(out[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and depth < 4 and rng.random() < 0.8:
        out_list = list(value)
        n = rng.randrange(len(out_list))
        if rng.random() < 0.2:
            out_list[n] = rng.choice(VALUES)
        else:
            out_list[n] = _mutate(out_list[n], rng, depth + 1)
        return out_list
    return rng.choice(VALUES)


def _fuzz_line(rng: random.Random) -> str:
    blocks = [
        {"type": "thinking", "thinking": "plan"},
        {"type": "text", "text": "<user_query>run</user_query>"},
        tool(
            rng.choice(["Shell", "Read", "Write", "Glob", "Other", "run_terminal_cmd"]),
            {"command": "ls", "path": "/p", "working_directory": "/w", "contents": "c"},
        ),
    ]
    rng.shuffle(blocks)
    rec: Any = {"role": rng.choice(["user", "assistant"]), "message": {"content": blocks}}
    for _ in range(rng.randrange(4)):
        rec = _mutate(rec, rng)
    try:
        return json.dumps(rec)
    except (TypeError, ValueError):
        return json.dumps({"role": "user", "message": {"content": "unserialisable"}})


def test_fuzzed_lines_read_the_same_both_ways(tmp_path: Path) -> None:
    rng = random.Random(18)
    fitted = misfit = 0
    for n in range(300):
        lines = [_fuzz_line(rng) for _ in range(rng.randrange(1, 6))]
        fitted += sum(map(fits, lines))
        misfit += sum(not fits(x) for x in lines)
        folder = tmp_path / str(n)
        folder.mkdir()
        data = "".join(x + "\n" for x in lines).encode()
        fast, general = read_both(folder, data)
        assert fast == general, lines
    assert fitted > 150 and misfit > 150  # both paths were exercised


@pytest.mark.parametrize(("misfits", "fitted"), [(3, True), (GIVE_UP, False)])
def test_a_file_of_another_shape_stops_trying_the_schema(tmp_path: Path, misfits: int, fitted: bool) -> None:
    """After ``GIVE_UP`` lines that do not fit (more than half of those read), the rest of the file is
    read the general way only (its calls then get their actions from decode_actions): the same result."""
    other = '{"role": "assistant", "id": "m1", "message": {"content": [{"type": "text", "text": "x"}]}}'
    call = line([tool("Read", {"path": "/r"})])
    path = tmp_path / "t.jsonl"
    path.write_text("".join(x + "\n" for x in [other] * misfits + [call]))
    traj = cursor._transcript(path, ParseContext(path=path, format="cursor"))
    assert (traj.steps[-1].action is not None) is fitted
    same(tmp_path, [other] * misfits + [call])
