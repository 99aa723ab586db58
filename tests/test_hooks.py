"""``skillforge route --hook AGENT``: each agent's output JSON, and failing open under faults."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skillforge import config
from skillforge.route.index import cache_root, fingerprint

FIXTURE = Path(__file__).parent / "fixtures" / "route" / "library"
PROMPT = "I rebased onto main and lost two commits, get them back"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE, dest)
    return dest


def event(agent: str, prompt: str = PROMPT, cwd: str = "/tmp") -> str:
    if agent == "cline":
        return json.dumps(
            {
                "clineVersion": "3.40",
                "hookName": "UserPromptSubmit",
                "timestamp": "1763800000000",
                "taskId": "t1",
                "workspaceRoots": [cwd],
                "userId": "u1",
                "userPromptSubmit": {"prompt": prompt, "attachments": []},
            }
        )
    name = "BeforeAgent" if agent == "gemini" else "UserPromptSubmit"
    base = {
        "session_id": "s1",
        "transcript_path": None,
        "cwd": cwd,
        "hook_event_name": name,
        "prompt": prompt,
    }
    if agent == "codex":
        base.update(model="gpt-5-codex", permission_mode="default", turn_id="t1")
    return json.dumps(base)


def hook_log() -> str:
    path = config.log_dir() / "hooks.log"
    return path.read_text() if path.exists() else ""


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_claude_and_codex_get_user_prompt_submit_context(cli, library: Path, agent: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", agent, "--library", str(library), stdin=event(agent))
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) == {"hookSpecificOutput"}
    assert set(data["hookSpecificOutput"]) == {"hookEventName", "additionalContext"}
    assert data["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    context = data["hookSpecificOutput"]["additionalContext"]
    assert "git-rebase-recovery" in context and len(context) <= 9500


def test_gemini_gets_only_additional_context(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", "gemini", "--library", str(library), stdin=event("gemini"))
    data = json.loads(result.out)
    assert list(data) == ["hookSpecificOutput"] and list(data["hookSpecificOutput"]) == ["additionalContext"]
    assert "git-rebase-recovery" in data["hookSpecificOutput"]["additionalContext"]


def test_cline_gets_context_modification(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("route", "--hook", "cline", "--library", str(library), stdin=event("cline")).out)
    assert data["cancel"] is False and "git-rebase-recovery" in data["contextModification"]


def test_cline_prompts_lose_the_plan_act_wrapper(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    from skillforge.route.hooks import prompt_and_cwd

    wrapped = f'<user_input mode="act">{PROMPT}</user_input>'
    assert prompt_and_cwd("cline", json.loads(event("cline", wrapped, "/repo"))) == (PROMPT, "/repo")
    data = json.loads(
        cli("route", "--hook", "cline", "--library", str(library), stdin=event("cline", wrapped)).out
    )
    assert "git-rebase-recovery" in data["contextModification"]
    assert prompt_and_cwd("claude", {"prompt": wrapped})[0] == wrapped  # only Cline wraps its prompts


def test_no_match_prints_nothing(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude", "bake a cake"))
    assert (result.code, result.out) == (0, "")
    cline = cli("route", "--hook", "cline", "--library", str(library), stdin=event("cline", "bake a cake"))
    assert json.loads(cline.out) == {"cancel": False}


def test_bad_stdin_fails_open_and_logs(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", "claude", "--library", str(library), stdin="{not json")
    assert (result.code, result.out) == (0, "")
    assert "JSONDecodeError" in hook_log()


def test_missing_library_fails_open(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", "codex", "--library", str(tmp_path / "gone"), stdin=event("codex"))
    assert (result.code, result.out) == (0, "")
    assert "no such skill library" in hook_log()


def test_unknown_agent_fails_open(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("route", "--hook", "emacs", "--library", str(library), stdin=event("claude"))
    assert (result.code, result.out) == (0, "")
    assert "unknown agent" in hook_log()


def test_corrupt_index_cache_is_rebuilt_under_a_hook(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude"))
    key, _ = fingerprint(library)
    (cache_root(library) / key / "index.json").write_text("{truncated")
    result = cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude"))
    assert result.code == 0 and "git-rebase-recovery" in result.out


def test_unreadable_skill_files_do_not_break_the_hook(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    (library / "skills" / "binary").mkdir()
    (library / "skills" / "binary" / "SKILL.md").write_bytes(b"---\nname: \xff\xfe\n---\n")
    cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude"))  # index it
    (library / "skills" / "git-rebase-recovery" / "SKILL.md").unlink()  # vanished after indexing
    result = cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude"))
    assert (result.code, hook_log()) == (0, "")  # handled, not a logged failure
    assert "git-rebase-recovery" not in result.out


def test_skill_whose_body_cannot_be_read_is_offered_as_a_pointer(library: Path) -> None:
    from skillforge.route import Router
    from skillforge.route.render import top_body

    router = Router(library)
    matches = router.route(PROMPT)
    Path(matches[0].path).write_bytes(b"---\nname: x\n---\n\xff\xfe broken")
    assert top_body(router, matches, 10_000, 0) is None


def test_hook_process_through_the_fast_path(library: Path) -> None:
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "skillforge", "route", "--hook", "claude", "--library", str(library)],
        input=event("claude"),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    bad = subprocess.run(
        [sys.executable, "-m", "skillforge", "route", "--hook", "gemini", "--library", str(library)],
        input="[]",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (bad.returncode, bad.stdout) == (0, "")


def test_unparseable_hook_command_line_fails_open(library: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "skillforge",
            "route",
            "--hook",
            "claude",
            "--max-tokens=lots",
            "--library",
            str(library),
        ],
        input=event("claude"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_hook_with_closed_stdout_exits_zero(library: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "skillforge", "route", "--hook", "claude", "--library", str(library)],
        input=event("claude").encode(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert (proc.returncode, proc.stderr) == (0, b"")


def test_oversized_hook_input_fails_open(cli, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from skillforge.route import hooks

    monkeypatch.setattr(hooks, "MAX_STDIN", 100)
    result = cli("route", "--hook", "claude", "--library", str(library), stdin=event("claude", PROMPT * 5))
    assert (result.code, result.out) == (0, "")
    assert "larger than 100 characters" in hook_log()


def _hook_with_open_stdin(library: Path, sent: str) -> tuple[int, bytes, float]:
    """Run the hook, write ``sent`` and keep stdin open (no end of file); its exit code, stdout and time."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillforge", "route", "--hook", "claude", "--library", str(library)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    start = time.monotonic()
    proc.stdin.write(sent.encode())
    proc.stdin.flush()  # and no close: no end of file
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
    return code, proc.stdout.read(), time.monotonic() - start


def test_a_hook_whose_stdin_never_ends_fails_open_within_its_deadline(library: Path) -> None:
    """An agent that writes half an event and keeps stdin open must not hang the prompt (before: forever)."""
    code, out, _ = _hook_with_open_stdin(library, event("claude")[:-5])
    assert code == 0 and out == b""  # failed open: nothing injected
    assert "no end of input" in hook_log()


def test_a_whole_event_on_a_stdin_left_open_is_answered_without_waiting(library: Path) -> None:
    """A whole JSON event needs no end of file: it was thrown away after the 3 s deadline."""
    from skillforge.route import hooks

    code, out, took = _hook_with_open_stdin(library, event("claude"))
    assert code == 0 and "git-rebase-recovery" in json.loads(out)["hookSpecificOutput"]["additionalContext"]
    assert took < hooks.STDIN_SECONDS  # answered, not timed out
