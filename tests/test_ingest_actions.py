"""Typed actions decoded at ingest: every reader's tool calls come out as Shell / ReadFile / EditFile /
Patch / Search / Submit / Message / Other, with a shell command's working directory, on the readers'
own fixtures and on small self-written Gemini and ATIF logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.ingest import read
from skillforge.ingest.tools import TOOLS, decode
from skillforge.model import (
    Action,
    EditFile,
    Message,
    Other,
    Patch,
    ReadFile,
    Role,
    Search,
    Shell,
    Step,
    StepKind,
    Submit,
    Trajectory,
)
from tests.test_ingest_copilot import SID, ev, events, write
from tests.test_ingest_cursor import TID, state_db
from tests.test_ingest_cursor import transcript_lines as cursor_transcript
from tests.test_ingest_opencode import ASSIST, SES, dump, tree

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def actions(path: Path) -> list[list[Action | None]]:
    return [[s.action for s in t.tool_calls] for t in read([path])]


def test_claude_code_tools_and_the_session_cwd() -> None:
    runs = actions(FIXTURES / "claude" / "v1")
    root = "/home/dev/todo-api"
    assert runs[0] == [
        Message("Run pytest tests/test_api.py and report which test fails and why."),
        ReadFile(f"{root}/api/pages.py"),
        EditFile(f"{root}/api/pages.py", text="start + size"),
        Shell("pytest tests/test_api.py -q", root),
    ]
    shop = [a for run in actions(FIXTURES / "claude" / "v2") for a in run]
    assert Search("checkout-button", "src") in shop and Search("src/styles/*.css") in shop
    assert Shell("npm test -- --run layout", "/home/dev/shop") in shop
    assert Other("skill") in shop


def test_codex_shell_patch_and_workdir() -> None:
    [run] = actions(FIXTURES / "codex" / "wrapped")
    assert run[0] == Shell("grep -n round invoicer/totals.py", "/home/dev/invoicer")
    assert isinstance(run[1], Patch) and run[1].paths == ("invoicer/totals.py",)
    assert run[1].text.startswith("*** Begin Patch")
    assert run[2] == Shell("make test", "/home/dev/invoicer")
    [legacy] = actions(FIXTURES / "codex" / "legacy")
    assert legacy == [
        Shell("python -m pytest -q", "/work/slugify"),
        Shell("sed -n 1,20p slugify.py", "/work/slugify"),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"cmd": "make test", "workdir": "/r/sub"}, Shell("make test", "/r/sub")),
        ({"command": ["bash", "-lc", "pytest -q"]}, Shell("pytest -q")),
        ({"command": ["ls", "-la", "my dir"]}, Shell("ls -la 'my dir'")),
        (
            {"command": ["apply_patch", "*** Begin Patch\n*** Add File: a.py\n+x\n*** End Patch"]},
            Patch(("a.py",), "*** Begin Patch\n*** Add File: a.py\n+x\n*** End Patch"),
        ),
    ],
)
def test_codex_shell_arguments(args: dict[str, object], expected: Action) -> None:
    assert decode("codex", "shell" if "command" in args else "exec_command", "", args) == expected


def test_codex_write_stdin_is_a_message_not_an_edit() -> None:
    action = decode("codex", "write_stdin", "[to session 7] y", {"session_id": 7, "chars": "y\n"})
    assert action == Message("y\n")


def test_swe_agent_aci_commands_and_function_calls() -> None:
    [run] = actions(FIXTURES / "swe_agent" / "acme__dates-12.traj")
    assert run == [
        ReadFile("dates/parse.py"),
        Shell("python -m pytest tests/test_parse.py", "/acme__dates"),
        EditFile("", text="def parse_date(s):\n    if not s: return None"),
        Shell("python -m pytest tests/test_parse.py", "/acme__dates"),
        Submit("submit"),
    ]
    assert decode("swe-agent", "create", "create reproduce.py", {}) == EditFile("reproduce.py", created=True)
    assert decode("swe-agent", "search_dir", 'search_dir "def parse" src', {}) == Search("def parse", "src")
    editor = {"command": "create", "path": "/testbed/a.py", "file_text": "x = 1\n"}
    assert decode("swe-agent", "str_replace_editor", "", editor) == EditFile("/testbed/a.py", True, "x = 1\n")


def test_mini_swe_agent_and_interchange_shell_commands() -> None:
    assert actions(FIXTURES / "mini" / "acme__slugs-3.traj.json") == [
        [Shell("grep -n slugify slugs.py"), Shell("pytest -q tests")]
    ]
    found = [a for run in actions(FIXTURES / "interchange" / "runs.jsonl") for a in run]
    assert found == [Shell("pytest -q"), ReadFile("Makefile")]


def test_openhands_events_and_editor_views() -> None:
    [run] = actions(FIXTURES / "openhands" / "v1conv" / "0a1b2c3d")
    assert run == [Shell("grep -n argparse cli.py"), ReadFile("/repo/missing.py")]
    [run] = actions(FIXTURES / "openhands" / "trajectory.json")
    assert run == [ReadFile("/workspace"), Shell("mv /workspace/a.py /workspace/c.py")]


def test_aider_edit_blocks_and_shell_commands() -> None:
    run = actions(FIXTURES / "aider" / "invoicer" / ".aider.chat.history.md")[0]
    assert run == [
        EditFile("invoicer/cli.py"),
        EditFile("invoicer/format.py"),
        Shell("pytest -q"),
        EditFile("tests/test_format.py"),
    ]


def test_gemini_tools_with_their_directory(tmp_path: Path) -> None:
    calls = [
        ("run_shell_command", {"command": "pytest -q", "dir_path": "/w/kiln/tests"}),
        ("read_file", {"absolute_path": "/w/kiln/kiln.py"}),
        ("replace", {"file_path": "/w/kiln/kiln.py", "old_string": "a", "new_string": "b"}),
        ("write_file", {"file_path": "/w/kiln/new.py", "content": "x = 1\n"}),
        ("search_file_content", {"pattern": "def fire", "path": "/w/kiln"}),
    ]
    tool_calls = [
        {
            "id": f"c{i}",
            "name": name,
            "args": args,
            "status": "success",
            "timestamp": "2026-08-01T10:00:10.000Z",
        }
        for i, (name, args) in enumerate(calls)
    ]
    lines = [
        {
            "sessionId": "7c1e5a20-4f1b-4c6a-9d0e-2b3f4a5c6d7e",
            "projectHash": "9f2b" * 16,
            "startTime": "2026-08-01T10:00:00.000Z",
            "lastUpdated": "2026-08-01T10:00:00.000Z",
            "kind": "main",
        },
        {
            "id": "u1",
            "timestamp": "2026-08-01T10:00:05.000Z",
            "type": "user",
            "content": [{"text": "fix it"}],
        },
        {
            "id": "g1",
            "timestamp": "2026-08-01T10:00:09.000Z",
            "type": "gemini",
            "content": "",
            "toolCalls": tool_calls,
        },
    ]
    path = tmp_path / "chats" / "session-2026-08-01T10-00-7c1e5a20.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert actions(path) == [
        [
            Shell("pytest -q", "/w/kiln/tests"),
            ReadFile("/w/kiln/kiln.py"),
            EditFile("/w/kiln/kiln.py", text="b"),
            EditFile("/w/kiln/new.py", created=True, text="x = 1\n"),
            Search("def fire", "/w/kiln"),
        ]
    ]


def test_atif_calls_use_the_producing_agents_table_or_the_guess(tmp_path: Path) -> None:
    calls = [
        {"tool_call_id": "c1", "function_name": "bash", "arguments": {"command": "pytest -q"}},
        {"tool_call_id": "c2", "function_name": "write_file", "arguments": {"path": "a.py", "content": "x"}},
        {"tool_call_id": "c3", "function_name": "todo_update", "arguments": {}},
    ]
    doc = {
        "schema_version": "ATIF-v1.7",
        "session_id": "run-1",
        "agent": {"name": "opencode", "version": "1"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "fix"},
            {"step_id": 2, "source": "agent", "message": "", "tool_calls": calls},
        ],
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    assert actions(path) == [
        [Shell("pytest -q"), EditFile("a.py", created=True, text="x"), Other("todo_update")]
    ]


def test_every_table_decodes_its_own_names() -> None:
    for agent, table in TOOLS.items():
        for name in table:
            assert decode(agent, name, "text", {}) is not None, (agent, name)


def test_actions_round_trip_through_the_step_dictionary() -> None:
    step = Step(0, Role.ASSISTANT, StepKind.TOOL_CALL, "x", action=Patch(("a.py", "b.py"), "diff"))
    again = Step.from_dict(json.loads(json.dumps(step.to_dict())))
    assert again.action == Patch(("a.py", "b.py"), "diff")
    traj = Trajectory(id="t", source="s", format="f", agent="a", steps=[step])
    assert Trajectory.from_dict(traj.to_dict()).steps[0].action == step.action


def test_copilot_cli_tools(tmp_path: Path) -> None:
    patch_text = "*** Begin Patch\n*** Update File: cart.py\n-a\n+b\n*** End Patch"
    calls = [
        ("powershell", {"command": "Get-ChildItem"}),
        ("write_bash", {"sessionId": "s1", "input": "y\n"}),
        ("read_bash", {"sessionId": "s1"}),
        ("create", {"path": "/repo/new.py", "file_text": "x = 1\n"}),
        ("edit", {"path": "/repo/cart.py", "old_str": "a", "new_str": "b"}),
        ("str_replace_editor", {"command": "view", "path": "/repo/cart.py"}),
        ("apply_patch", {"input": patch_text}),
        ("glob", {"pattern": "**/*.py", "path": "/repo"}),
    ]
    requests = [{"toolCallId": f"c{i}", "name": n, "arguments": a} for i, (n, a) in enumerate(calls)]
    more = ev("assistant.message", {"messageId": "m3", "content": "", "toolRequests": requests}, 15)
    path = write(tmp_path / "session-state" / SID / "events.jsonl", [*events(), more])
    main = actions(path)[0]
    assert main == [
        Shell("pytest -q", "/repo"),
        ReadFile("cart.py"),
        Message("review"),
        Shell("Get-ChildItem", "/repo"),
        Message("y\n"),
        Other("read_bash"),
        EditFile("/repo/new.py", created=True, text="x = 1\n"),
        EditFile("/repo/cart.py", text="b"),
        ReadFile("/repo/cart.py"),
        Patch(("cart.py",), patch_text),
        Search("**/*.py", "/repo"),
    ]


def test_opencode_tools_by_their_argument_names(tmp_path: Path) -> None:
    storage = tree(tmp_path)
    patch_text = "*** Begin Patch\n*** Add File: b.py\n+x\n*** End Patch"
    calls = [
        ("bash", {"command": "make", "description": "build", "workdir": "/repo/sub"}),
        ("read", {"filePath": "/repo/a.py"}),
        ("write", {"filePath": "/repo/c.py", "content": "y = 2\n"}),
        ("multiedit", {"filePath": "/repo/a.py", "edits": [{"oldString": "a", "newString": "b"}]}),
        ("patch", {"patchText": patch_text}),
        ("grep", {"pattern": "def total", "path": "/repo", "include": "*.py"}),
        ("list", {"path": "/repo"}),
    ]
    for i, (name, args) in enumerate(calls):
        part = {
            "id": f"prt_9a1c2f0000{i:02d}Zz",
            "type": "tool",
            "callID": f"call_{i}",
            "tool": name,
            "state": {"status": "completed", "input": args, "output": "ok"},
        }
        dump(storage / "part" / ASSIST / f"{part['id']}.json", part)
    found = {t.native_id: [s.action for s in t.tool_calls] for t in read([tmp_path])}
    assert found[SES] == [
        Shell("pytest -q", "/repo"),
        Message("review"),
        EditFile("a.py"),
        Shell("make", "/repo/sub"),
        ReadFile("/repo/a.py"),
        EditFile("/repo/c.py", created=True, text="y = 2\n"),
        EditFile("/repo/a.py", text="b"),
        Patch(("b.py",), patch_text),
        Search("def total", "/repo"),
        Search("", "/repo"),
    ]


def test_cursor_transcript_tools_with_their_directory(tmp_path: Path) -> None:
    blocks = [
        ("Shell", {"command": "npm run lint", "working_directory": "/repo/web"}),
        ("Write", {"path": "/repo/new.js", "contents": "export {}\n"}),
        ("StrReplace", {"path": "/repo/cart.js", "old_string": "a", "new_string": "b"}),
        ("Glob", {"glob_pattern": "**/*.test.js", "target_directory": "/repo/src"}),
    ]
    content = [{"type": "tool_use", "name": n, "input": a} for n, a in blocks]
    lines = [*cursor_transcript()[:2], {"role": "assistant", "message": {"content": content}}]
    path = tmp_path / f"{TID}.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert actions(path) == [
        [
            Shell("npm test", "/repo"),
            ReadFile("/repo/cart.js"),
            Shell("npm run lint", "/repo/web"),
            EditFile("/repo/new.js", created=True, text="export {}\n"),
            EditFile("/repo/cart.js", text="b"),
            Search("**/*.test.js", "/repo/src"),
        ]
    ]


def test_cursor_ide_tools(tmp_path: Path) -> None:
    found = {
        t.native_id: [s.action for s in t.tool_calls] for t in read([state_db(tmp_path / "state.vscdb")])
    }
    assert found["c1"] == [Shell("npm test", "/repo"), EditFile("a.js")]
    assert decode("cursor", "edit_file", "", {"target_file": "b.js", "code_edit": "x"}) == EditFile(
        "b.js", text="x"
    )
    assert decode("cursor", "search_replace", "", {"file_path": "c.js", "new_string": "y"}) == EditFile(
        "c.js", text="y"
    )
    assert decode("cursor", "read_file", "", {"target_file": "d.js"}) == ReadFile("d.js")
    assert decode("cursor", "file_search", "", {"query": "cart"}) == Search("cart")
    assert decode("cursor", "list_dir", "", {"relative_workspace_path": "src"}) == Search("", "src")


def test_aci_words_without_quoting_split_as_shlex_does() -> None:
    """The fast split of ACI command lines with no quote or backslash gives shlex.split's words, also
    with blanks shlex does not split on (vertical tab, form feed, no-break space) and other oddities."""
    import random
    import shlex

    from skillforge.ingest.tools import _aci_words

    alphabet = "ab/._-:=#$*?;&|<>()[]{}~!%^+,@ \t\r\x0b\x0c\xa0\u2003\x00é"
    rng = random.Random(7)
    lines = ["open dates/parse.py 20", "search_dir  foo   src/ ", "find_file", "", " \t ", "goto\x0c 12"]
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for line in lines:
        first = line.strip().split("\n", 1)[0]
        assert _aci_words(line) == shlex.split(first)[1:], repr(line)
    assert _aci_words('search_dir "two words" src') == ["two words", "src"]  # quoting: shlex itself


def test_a_long_unlisted_tool_name_is_guessed_but_not_kept_in_the_cache() -> None:
    """The guess per tool name is cached for the process; a name of thousands of characters (a corrupt or
    hostile log) is decoded the same way without the cache keeping it (1,024 such names held ~77 MB)."""
    from skillforge.ingest import tools
    from skillforge.model import Other

    long_shell = "x" * 5000 + "_bash"
    before = tools._guessed.cache_info().currsize
    assert tools.guess(long_shell, "ls", {"command": "ls"}) == Shell("ls", None)
    assert tools.guess("y" * 5000, "", {}) == Other("y" * 5000)
    assert tools._guessed.cache_info().currsize == before
    assert tools.guess("terminal_bash", "ls", {"command": "ls"}) == Shell("ls", None)
    assert tools._guessed.cache_info().currsize <= before + 1
