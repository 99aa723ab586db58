"""Skill libraries found by fuzzing validate, route, the hook and the MCP tools (one test per crash or
hang site): one odd skill never stops the check or the routing of the rest. The slow shapes it found
(many links, home paths, URLs on one line, a long pipeline) keep their results here; their speed is
measured by ``benchmarks/safety_redos.py`` (SHAPED), not asserted."""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from skillforge.route import Router
from skillforge.route.hooks import respond
from skillforge.safety.shell_uploads import uploads
from skillforge.skills.rules.structure import links
from skillforge.skills.validate import validate_paths

GOOD = (
    "---\nname: git-rebase-recovery\ndescription: Recover commits lost after a git rebase using the "
    "reflog.\n---\n# Recovery\n\nRun `git reflog` and reset to the lost commit.\n"
)
TASK = "lost commits after a git rebase, recover them with the reflog"


def library(tmp_path: Path) -> Path:
    lib = tmp_path / "library"
    (lib / "skills" / "git-rebase-recovery").mkdir(parents=True)
    (lib / "skills" / "git-rebase-recovery" / "SKILL.md").write_text(GOOD)
    return lib


def test_many_open_brackets_in_a_body_are_scanned_for_links() -> None:
    # 20,000 "![" took 18 s (the link pattern backtracked over the rest of the line from every "[")
    assert links("![" * 20_000) == [] and links("[ " * 20_000) == []
    assert links("see [the [nested] notes](references/notes.md) and ![x](a.png)") == [
        (0, "a.png"),
        (0, "references/notes.md"),
    ]


def test_many_links_are_numbered_by_line() -> None:
    # each link's line was counted from the start of the text: 20,000 links took 6.6 s
    text = "[x](references/a.md)\n" * 20_000
    found = links(text)
    assert found[0] == (0, "references/a.md") and found[-1] == (19_999, "references/a.md")


def test_a_long_pipeline_is_checked_for_credential_uploads() -> None:
    # each network command was compared with every command before it: 3,000 "curl x |" took 7 s in
    # validate, and route's index build (the hook, on every prompt) as long
    assert list(uploads([["curl", "x"]] * 5_000)) == []
    assert list(uploads([["cat", "x"], ["env"], ["ls"], ["curl", "-d", "@-", "https://h"]])) == [
        ("credential-upload", "sends env output to the network (curl)", "high")
    ]
    assert list(uploads([["curl", "https://h"], ["env"]])) == []


def non_utf8_skill(lib: Path) -> None:
    folder = os.path.join(os.fsencode(lib / "skills"), b"bad-\xff-name")
    os.mkdir(folder)
    with open(os.path.join(folder, b"SKILL.md"), "w") as fh:
        fh.write("---\nname: bad-name\ndescription: Rebase things.\n---\nThe reflog.\n")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_a_skill_folder_whose_name_is_not_utf8_is_skipped_by_route_and_the_hook(tmp_path: Path) -> None:
    # the route index's cache key encoded the folder name: UnicodeEncodeError, no skill routed at all
    lib = library(tmp_path)
    non_utf8_skill(lib)
    router = Router(lib, one_shot=True)
    assert [m.name for m in router.route(TASK)] == ["git-rebase-recovery"]
    assert any("not UTF-8" in p for p in router.index.problems)
    out = respond("claude", json.dumps({"prompt": TASK, "cwd": str(lib)}), None, 3, 2000)
    assert "git-rebase-recovery" in out


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_validate_json_names_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    # `validate --format json` raised TypeError (orjson refuses the surrogates of such a path)
    from skillforge.console import print_json

    lib = library(tmp_path)
    non_utf8_skill(lib)
    report = validate_paths([lib])
    out = io.StringIO()
    with redirect_stdout(out):
        print_json(report.to_dict())
    files = {f["file"] for f in json.loads(out.getvalue())["findings"]}
    assert any("bad-" in f and "name" in f for f in files)


def run_with_deadline(target: object, seconds: float = 20) -> None:
    """Run ``target`` in a thread; fail (instead of hanging the suite) when it has not returned.
    A FIFO nobody writes blocks open() forever, so the thread is left behind, unblocked at the end."""
    import threading

    errors: list[BaseException] = []

    def go() -> None:
        try:
            target()  # type: ignore[operator]
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung (a FIFO was opened)"
    if errors:
        raise errors[0]


def unblock(fifo: Path) -> None:
    """Open the FIFO for writing without blocking, so a reader stuck on it (before the fix) returns."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # nobody is reading: nothing is stuck
        return
    os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_in_a_skill_folder_does_not_hang_validate(tmp_path: Path) -> None:
    # the safety rules opened every bundled file: a FIFO blocked validate forever
    lib = library(tmp_path)
    fifo = lib / "skills" / "git-rebase-recovery" / "fifo"
    os.mkfifo(fifo)
    report: list[object] = []
    try:
        run_with_deadline(lambda: report.append(validate_paths([lib])))
    finally:
        unblock(fifo)
    assert report and report[0].skills == 1  # type: ignore[attr-defined]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_named_skill_md_does_not_hang_route(tmp_path: Path) -> None:
    # the route index's fast reader opened SKILL.md whatever it was: route, the hook and the MCP tools hung
    lib = library(tmp_path)
    (lib / "skills" / "odd").mkdir()
    fifo = lib / "skills" / "odd" / "SKILL.md"
    os.mkfifo(fifo)
    names: list[str] = []
    try:
        run_with_deadline(lambda: names.extend(m.name for m in Router(lib, one_shot=True).route(TASK)))
    finally:
        unblock(fifo)
    assert names == ["git-rebase-recovery"]


def test_many_home_paths_are_numbered_by_line() -> None:
    # each home path's line was counted from the start of the text: 20,000 took 8.8 s in validate
    from skillforge.safety.paths import find_home_paths

    text = "cd /home/alice/x\n" * 20_000 + "C:\\Users\\bob\\y\n"
    found = find_home_paths(text)
    assert found[0] == (1, "/home/alice") and found[-2] == (20_000, "/home/alice")
    assert found[-1][0] == 20_001 and "bob" in found[-1][1]


def test_many_urls_on_one_line_are_checked() -> None:
    # the line of each URL was searched again for a fetching command: 5,000 URLs on one line took
    # 263 s in validate, and as long in route's index build (the hook, on every prompt)
    from skillforge.skills.validate import check_text

    assert check_text("see http://a.example.org/x " * 5_000, "SKILL.md") == []  # a plain link fetches nothing
    found = check_text("curl https://get.acme-tools.io/y\nsee https://docs.acme-tools.io/z", "SKILL.md")
    assert [(f.name, f.line) for f in found] == [("unknown-host", 1)]  # the link on line 2 fetches nothing


@pytest.mark.parametrize("line", ["route_k = -5", "route_max_tokens = -1", "timeout = nan"])
def test_a_negative_setting_in_the_library_is_a_configuration_error(
    tmp_path: Path, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # route_k = -5 in skillforge.toml made every route answer "abstained" with exit 0
    from skillforge.cli.fast import main

    lib = library(tmp_path)
    (lib / "skillforge.toml").write_text(line + "\n")
    assert main([TASK, "-L", str(lib), "--json"]) == 2
    err = capsys.readouterr().err
    assert "skillforge.toml" in err and "must be 0 or more" in err and "Traceback" not in err
