"""Aider reader: session splitting, user/tool/assistant blocks, edit and /run calls, trust and ids."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillforge import ingest
from skillforge.ingest import aider, claude_code, codex
from skillforge.ingest.base import HEAD_BYTES, ParseContext
from skillforge.model import Role, StepKind, Trajectory, Trust

FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = FIXTURES / "ingest" / "aider" / "invoicer" / ".aider.chat.history.md"
OTHERS = sorted((FIXTURES / "ingest" / "claude").rglob("*.jsonl")) + sorted(
    (FIXTURES / "ingest" / "codex").rglob("*.jsonl")
)


def parse(path: Path) -> tuple[list[Trajectory], ParseContext]:
    ctx = ParseContext(path=path)
    return list(aider.parse(path, ctx)), ctx


def one_session(folder: Path, history: str) -> Trajectory:
    """The one trajectory of ``history`` written as a chat history file in ``folder``."""
    path = folder / ".aider.chat.history.md"
    path.write_text(history)
    [traj], _ = parse(path)
    return traj


def head(path: Path) -> bytes:
    return path.read_bytes()[:HEAD_BYTES]


def test_detects_history_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "notes.md"
    shutil.copy(HISTORY, renamed)
    assert aider.detect(renamed, head(renamed)) and ingest.detect(HISTORY) is aider
    assert not claude_code.detect(HISTORY, head(HISTORY)) and not codex.detect(HISTORY, head(HISTORY))


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_rejects_other_formats(path: Path) -> None:
    assert not aider.detect(path, head(path))


def test_plain_markdown_is_not_aider() -> None:
    assert not aider.detect(Path("README.md"), b"# Project\n\n#### Usage\n\n> note\n")


def test_one_trajectory_per_session_with_banner_metadata() -> None:
    trajs, ctx = parse(HISTORY)
    assert [(t.started_at, t.agent_version, t.model) for t in trajs] == [
        ("2025-05-04T17:02:36", "0.82.2", "anthropic/claude-3-7-sonnet-20250219"),
        ("2025-05-06T09:15:02", "0.83.0", "gpt-4.1"),
    ]
    assert [t.task for t in trajs] == [
        "add a --currency option to the cli and use it when printing totals",
        "explain what invoicer/format.py does",
    ]
    assert {t.repository for t in trajs} == {"invoicer"} and not ctx.problems
    assert all("Aider v" not in s.text and "Tokens:" not in s.text for t in trajs for s in t.steps)


def test_edit_blocks_are_calls_paired_with_applied_edit() -> None:
    first = parse(HISTORY)[0][0]
    edits = [s for s in first.tool_calls if s.tool_name == "edit"]
    assert [e.input for e in edits] == [
        {"path": "invoicer/cli.py"},
        {"path": "invoicer/format.py"},
        {"path": "tests/test_format.py"},
    ]
    for edit in edits:
        result = first.steps[edit.pair]  # type: ignore[index]
        assert result.text == f"Applied edit to {edit.input['path']}" and result.pair == edit.index
        assert result.call_id == edit.call_id and result.trust is Trust.TOOL_OUTPUT
    assert "<<<<<<< SEARCH" in edits[0].text and ">>>>>>> REPLACE" in edits[0].text


def test_diff_fenced_path_inside_the_fence() -> None:
    second = parse(HISTORY)[0][1]
    [edit] = second.tool_calls
    assert edit.input == {"path": "invoicer/format.py"} and edit.pair is not None


def test_run_command_is_a_shell_call_with_its_output() -> None:
    first = parse(HISTORY)[0][0]
    run = next(s for s in first.tool_calls if s.tool_name == "shell")
    assert run.text == "pytest -q" and run.trust is Trust.PERSON
    output = first.steps[run.pair]  # type: ignore[index]
    assert output.text.startswith("....F\nFAILED tests/test_format.py::test_money")


def test_roles_trust_and_lines() -> None:
    first = parse(HISTORY)[0][0]
    user = first.steps[0]
    assert (user.role, user.kind, user.trust) == (Role.USER, StepKind.USER_MESSAGE, Trust.PERSON)
    assert user.source is not None and user.source.line == 11
    reply = first.steps[1]
    assert (reply.role, reply.trust) == (Role.ASSISTANT, Trust.AGENT)
    commit = next(s for s in first.steps if s.text.startswith("Commit c339495"))
    assert commit.kind is StepKind.TOOL_RESULT and commit.trust is Trust.TOOL_OUTPUT
    assert commit.source is not None and commit.source.line == 39
    assert [s.index for s in first.steps] == list(range(len(first.steps)))


def test_ids_are_content_hashes_per_session(tmp_path: Path) -> None:
    copy = tmp_path / ".aider.chat.history.md"
    ids = [t.id for t in parse(HISTORY)[0]]
    copy.write_text(HISTORY.read_text().replace("thousands separator", "grouping separator"))
    changed = [t.id for t in parse(copy)[0]]
    assert len(set(ids)) == 2 and changed[0] == ids[0] and changed[1] != ids[1]


def test_text_before_the_first_session_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "h.md"
    path.write_text("stray line\n\n# aider chat started at 2025-01-01 10:00:00\n\n#### hello\n\nHi!\n")
    trajs, ctx = parse(path)
    assert ctx.skipped["text before the first session"] == 1
    assert [s.text for s in trajs[0].steps] == ["hello", "Hi!"]
    assert aider.detect(path, path.read_bytes())


def test_cli_ingest_reports_aider(cli: Callable[..., Any]) -> None:
    result = cli("ingest", str(HISTORY.parent), "--json")
    assert (
        result.code == 0 and result.out.count('"format": "aider"') + result.out.count('"format":"aider"') == 2
    )


# Aider writes a multi-line message of its own (git output, a command it offers to run) with "> " on the
# first line only and "  " after the last: the lines between are aider's output, not the model's reply.
MULTILINE = (
    "\n# aider chat started at 2026-03-01 09:00:00\n\n"
    "> Aider v0.86.1  \n> Model: openai/some-model with whole edit format  \n\n"
    "#### /git stauts  \n"
    "> git: 'stauts' is not a git command. See 'git --help'.\n\nThe most similar command is\n\tstatus  \n\n"
    "#### make the build print its version  \n\n"
    "I added a `--version` flag.\n\n"
    "> Tokens: 1.2k sent, 40 received.  \n"
    "> make build\nmake check             \n./bin/tool --version  \n"
    "> Run shell commands? (Y)es/(N)o/(D)on't ask again [Yes]: n  \n\n"
    "#### thanks  \n\n"
    "You're welcome.\n\n"
)


def test_multiline_aider_output_is_tool_output_not_the_models_reply(tmp_path: Path) -> None:
    traj = one_session(tmp_path, MULTILINE)
    replies = [s.text for s in traj.steps if s.role is Role.ASSISTANT]
    assert replies == ["I added a `--version` flag.", "You're welcome."]
    outputs = [s.text for s in traj.steps if s.kind is StepKind.TOOL_RESULT]
    assert outputs[0].startswith("git: 'stauts' is not a git command.") and outputs[0].endswith("\tstatus")
    assert outputs[1].startswith("make build\nmake check") and "./bin/tool --version" in outputs[1]
    assert all(s.trust is Trust.TOOL_OUTPUT for s in traj.steps if s.kind is StepKind.TOOL_RESULT)


THINK = "thinking-content-7bbeb8e1441453ad999a0bbba8a46d4b"  # aider's own reasoning tag
WHOLE = (
    "\n# aider chat started at 2026-03-02 10:00:00\n\n"
    "> Aider v0.86.2  \n> Model: openrouter/some/model with whole edit format  \n> Git repo: none  \n\n"
    "#### make greet() say hello in French  \n\n"
    f"<{THINK}>\n\nThe user wants French. Example:\n\n```py\nprint('bonjour')\n```\n\n</{THINK}>\n\n"
    "greet.py\n```python\ndef greet():\n    return 'bonjour'\n```\n\n"
    "> Tokens: 300 sent, 90 received.  \n> Applied edit to greet.py  \n\n"
    "#### <blank>  \n\n"
    "#### thanks  \n\n"
    "You're welcome.\n\n"
)


def test_whole_edit_format_files_are_edit_calls_and_reasoning_is_a_thought(tmp_path: Path) -> None:
    traj = one_session(tmp_path, WHOLE)
    [thought] = [s for s in traj.steps if s.kind is StepKind.THOUGHT]
    assert thought.text.startswith("The user wants French.") and THINK not in thought.text
    reply = next(s for s in traj.steps if s.kind is StepKind.ASSISTANT_MESSAGE)
    assert THINK not in reply.text and reply.text.startswith("greet.py")
    [edit] = traj.tool_calls  # the example inside the reasoning is no edit
    assert edit.tool_name == "edit" and edit.input == {"path": "greet.py"}
    assert traj.steps[edit.pair].text == "Applied edit to greet.py"  # type: ignore[index]
    assert [s.text for s in traj.steps if s.role is Role.USER] == [
        "make greet() say hello in French",
        "thanks",
    ]


# The same kind of session after an editor or a pre-commit hook stripped trailing whitespace: aider's
# closing "  " is gone from every line, so a blank line is all that ends a message of its own.
STRIPPED = (
    "\n# aider chat started at 2026-03-03 11:00:00\n\n"
    "> Aider v0.84.0\n> Model: ollama_chat/some-model with whole edit format\n> Git repo: .git with 3 files\n\n"
    "#### fix the readme\n\n"
    "Please add README.md to the chat so I can change it.\n\n"
    "> Tokens: 700 sent, 30 received.\n> README.md\n> Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y\n\n"
    "I will fix the heading.\n\n"
    "README.md\n```\n# Invoicer\n```\n\n"
    "> Tokens: 900 sent, 60 received.\n> Applied edit to README.md\n\n"
    "#### thanks\n\n"
    "You're welcome.\n"
)


def test_a_reply_after_aiders_own_lines_is_the_models_when_trailing_spaces_were_stripped(
    tmp_path: Path,
) -> None:
    traj = one_session(tmp_path, STRIPPED)
    replies = [s.text for s in traj.steps if s.kind is StepKind.ASSISTANT_MESSAGE]
    assert replies[1].startswith("I will fix the heading.") and replies[2] == "You're welcome."
    [edit] = traj.tool_calls
    assert edit.input == {"path": "README.md"} and traj.steps[edit.pair].text == "Applied edit to README.md"  # type: ignore[index]
    outputs = [s.text for s in traj.steps if s.kind is StepKind.TOOL_RESULT and s.tool_name == "aider"]
    assert outputs == ["README.md\nAdd file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y"]


def test_a_file_that_keeps_trailing_spaces_still_joins_a_multiline_message_across_blank_lines(
    tmp_path: Path,
) -> None:
    text = (
        "\n# aider chat started at 2026-03-04 09:00:00\n\n> Aider v0.86.1  \n\n"
        "#### /git log -1  \n"
        "> commit 0a1b2c3\nAuthor: Someone <someone@example.invalid>\n\n    fix: the parser  \n\n"
        "#### thanks  \n\nYou're welcome.\n"
    )
    traj = one_session(tmp_path, text)
    assert [s.text for s in traj.steps if s.kind is StepKind.ASSISTANT_MESSAGE] == ["You're welcome."]
    [output] = [s.text for s in traj.steps if s.kind is StepKind.TOOL_RESULT]
    assert output.startswith("commit 0a1b2c3") and output.endswith("fix: the parser")


@pytest.mark.parametrize("named", ["`greet.py`:", "### greet.py", "**greet.py**", "greet.py:"])
def test_whole_format_file_names_are_read_as_aider_reads_them(tmp_path: Path, named: str) -> None:
    # aider's whole-format parser: strip, then "*", a trailing ":", "`", leading "#", and spaces
    text = WHOLE.replace("greet.py\n```python", f"{named}\n```python")
    traj = one_session(tmp_path, text)
    [edit] = traj.tool_calls
    assert edit.input == {"path": "greet.py"} and traj.steps[edit.pair].text == "Applied edit to greet.py"  # type: ignore[index]


# Architect mode (aider --architect, 0.86): the main model plans; aider hands its reply to the editor
# model as a "####" message, and the editor writes the files in the format its banner line names.
ARCHITECT = (
    "\n# aider chat started at 2026-08-01 00:38:07\n\n"
    "> Aider v0.86.2  \n> Model: some/planner with architect edit format  \n"
    "> Editor model: some/writer with editor-whole edit format  \n> Git repo: .git with 12 files  \n\n"
    "#### add a retry to fetch()  \n\n"
    "Wrap the request in a loop of three tries.  \n"
    "Keep the timeout as it is.\n\n"
    "> Tokens: 3.5k sent, 70 received.  \n\n"
    "#### Wrap the request in a loop of three tries.  \n"
    "#### Keep the timeout as it is.  \n\n"
    "net/fetch.py\n```python\ndef fetch(url):\n    for _ in range(3):\n        return get(url)\n```\n\n"
    "> Tokens: 1.3k sent, 90 received.  \n> Applied edit to net/fetch.py  \n\n"
)


def test_architect_mode_edits_are_read_in_the_editors_format_and_the_plan_is_the_agents(
    tmp_path: Path,
) -> None:
    traj = one_session(tmp_path, ARCHITECT)
    [edit] = traj.tool_calls
    assert edit.input == {"path": "net/fetch.py"}
    assert traj.steps[edit.pair].text == "Applied edit to net/fetch.py"  # type: ignore[index]
    users = [s for s in traj.steps if s.role is Role.USER]
    assert [s.trust for s in users] == [Trust.PERSON, Trust.AGENT]  # the plan handed on is the model's
    assert traj.task == "add a retry to fetch()"


def test_architect_plans_code_is_not_an_edit_the_editors_reply_is(tmp_path: Path) -> None:
    """The main model's plan may show a file's code under its name, as a "whole" reply would: it is
    the plan (handed to the editor as "####" lines), not an edit; only the editor's reply writes files.
    The plan's snippet read as a second edit of net/fetch.py, one that was never applied."""
    plan = "Loop three times:\n\nnet/fetch.py\n```python\ndef fetch(url):\n    for _ in range(3):\n        ...\n```"
    handed = "".join(f"#### {line}  \n" for line in plan.split("\n"))
    text = ARCHITECT.replace(
        "Wrap the request in a loop of three tries.  \nKeep the timeout as it is.\n", plan + "\n"
    ).replace(
        "#### Wrap the request in a loop of three tries.  \n#### Keep the timeout as it is.  \n", handed
    )
    traj = one_session(tmp_path, text)
    [edit] = traj.tool_calls
    assert edit.input == {"path": "net/fetch.py"} and edit.pair is not None
    assert traj.steps[edit.pair].text == "Applied edit to net/fetch.py"
    assert [s.trust for s in traj.steps if s.role is Role.USER] == [Trust.PERSON, Trust.AGENT]


def test_leaving_architect_mode_reads_whole_replies_again(tmp_path: Path) -> None:
    """``/chat-mode code`` prints the banner again with the main model's own format: its whole-file
    replies are edits again (architect mode does not stick to the session)."""
    back = (
        "#### /chat-mode code  \n\n"
        "> Aider v0.86.2  \n> Model: some/writer with whole edit format  \n> Git repo: .git with 12 files  \n\n"
        "#### log each try  \n\n"
        "net/fetch.py\n```python\ndef fetch(url):\n    log(url)\n```\n\n"
        "> Applied edit to net/fetch.py  \n"
    )
    traj = one_session(tmp_path, ARCHITECT + back)
    edits = traj.tool_calls
    assert [e.input for e in edits] == [{"path": "net/fetch.py"}] * 2
    assert all(e.pair is not None for e in edits)
