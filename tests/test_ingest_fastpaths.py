"""The fast paths written for ingest speed give the same answers as the plain code they replaced."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import cast

import pytest
import xxhash

from skillforge.ingest import _folder_readers, _suffix, detect, discover, outcome, readers, walk
from skillforge.ingest.base import HEAD_BYTES, FolderReader, extract_task, is_binary, object_line
from skillforge.ingest.mini_swe_agent import _V1_FENCES, _actions, split_observation
from skillforge.ingest.reading import digest_id, log_id, new_digest
from skillforge.ingest.steps import StepList
from skillforge.model import Role, Trust, content_id

FIXTURES = Path(__file__).parent / "fixtures"


def test_content_id_is_sha1_of_the_parts_cut_to_16_hex_digits() -> None:
    assert content_id(b"abc") == hashlib.sha1(b"abc\x00").hexdigest()[:16]
    assert content_id("a", "b") == hashlib.sha1(b"a\x00b\x00").hexdigest()[:16]
    assert content_id("a", "b") != content_id("ab")


def test_log_ids_are_xxh3_128_cut_to_16_hex_digits_and_streaming_agrees() -> None:
    assert log_id(b"abc") == xxhash.xxh3_128_hexdigest(b"abc")[:16]
    assert log_id(b"a", b"b") == xxhash.xxh3_128_hexdigest(b"a\x00b\x00")[:16] != log_id(b"ab")
    digest = new_digest()
    digest.update(b"ab")
    digest.update(b"c")
    assert digest_id(digest) == log_id(b"abc")


def test_steps_of_one_record_share_a_location_and_others_get_their_own() -> None:
    steps = StepList("run.traj")
    thought = steps.thought("look first", record="messages[2]")
    call = steps.call("bash", "ls", "c1", record="messages[2]")
    result = steps.result("c1", "a.py", record="messages[3]")
    assert thought is not None and thought.source is call.source
    assert str(call.source) == "run.traj#messages[2]" and str(result.source) == "run.traj#messages[3]"
    assert (call.pair, result.pair, result.tool_name) == (2, 1, "bash")


def test_blank_messages_add_no_step() -> None:
    steps = StepList("x")
    assert steps.message(Role.USER, " \n\t", Trust.PERSON) is None and steps.thought("") is None
    assert steps.steps == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<returncode>0</returncode>\n<output>\n\nhello\n</output>\n", "hello"),
        ("<returncode>0</returncode>\n<output>\n</output>", ""),
        ("<returncode>1</returncode>\n<output>a</output> trailing", "<output>a</output> trailing"),
        ("<returncode>1</returncode>\nplain", "plain"),
        ("<returncode>-9</returncode>\n<output>\n\n\n</output>\n", ""),
        (
            "<exception>boom</exception>\n<returncode>1</returncode><output>x\n</output>\n</output>",
            "x\n</output>",
        ),
        ("<returncode>0</returncode>\n<output>\n  keep\n\n  blanks  \n\n</output>", "  keep\n\n  blanks  "),
        ("<returncode>2</returncode>", ""),
    ],
)
def test_output_is_unwrapped_only_when_the_wrapper_closes_the_text(text: str, expected: str) -> None:
    code, output = split_observation(text)
    assert code is not None and output == expected


def test_an_observation_without_a_return_code_is_kept_whole() -> None:
    assert split_observation("<returncode>x</returncode>\nhi") == (None, "<returncode>x</returncode>\nhi")
    assert split_observation("plain output") == (None, "plain output")


def test_actions_finds_both_fence_kinds_in_text_order() -> None:
    text = "x\n```mswea_bash_command\nls\n```\nthen\n```bash\npwd\n```\n```bash no\n```"
    assert _actions(text) == [(2, "ls"), (36, "pwd")]
    assert _actions(text, _V1_FENCES) == [(36, "pwd")]  # version 1 logs know only ```bash


@pytest.mark.parametrize(
    ("command", "is_test"),
    [
        ("cd /testbed && python -m pytest tests/test_x.py -q", True),
        ("npm  run test", True),
        ("tox -e py311", True),
        ("cat /testbed/setup.cfg", False),
        ("python mytest.py", False),
        ("xpytest -q", False),
        ("go\ttest ./...", True),
        ("x;pytest", True),
        ("(cd a && jest)", True),
        ("/usr/bin/py.test", True),
        ("cargo  nextest run", True),
        ("python -m unittest discover", True),
        ("./runtests.py", True),
        ("manage.py test", True),
        ("nox -s t", True),
        ("yarn run test", True),
        ("bun test", True),
        ("vitest", True),
        ("mocha spec", True),
        ("pnpm test", True),
        ("pytest_cache", False),
        ("echo tests/", False),
        ("cat tox.ini", False),
        ("vim pytest.ini", False),
    ],
)
def test_test_commands(command: str, is_test: bool) -> None:
    assert outcome.is_test_command(command) is is_test


@pytest.mark.parametrize(
    ("text", "task"),
    [
        (
            "<pr_description>\nConsider the following PR description:\n Fix <b>it</b> \n</pr_description>",
            "Fix <b>it</b>",
        ),
        ("ISSUE:\nDates break\n\nINSTRUCTIONS: go", "Dates break"),
        ("<issue_description> a </issue_description> <issue_description>b</issue_description>", "a"),
        ("<pr_description> </pr_description> just this", "<pr_description> </pr_description> just this"),
    ],
)
def test_task_text_is_the_first_tagged_block(text: str, task: str) -> None:
    assert extract_task(text) == task


def test_object_line() -> None:
    assert object_line(b' {"a": 1} \n') and not object_line(b"{") and not object_line(b"[1]")


def test_log_suffixes_follow_pathlib() -> None:
    for name in ("a.JSONL", "..md", ".jsonl", "a.", "x.traj", "noext"):
        assert _suffix(name) == Path(name).suffix.lower()


def test_discover_walks_sorted_and_skips_tool_folders(tmp_path: Path) -> None:
    for rel in ("b/run.jsonl", "a/run.traj.json", "a/notes.txt", ".git/x.jsonl", "node_modules/y.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    os.symlink(tmp_path / "a", tmp_path / "c")  # the same folder again, inside the root: walked once
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    # every file is a candidate (logs are told by content, whatever their names); tool folders are not walked
    assert found == ["a/notes.txt", "a/run.traj.json", "b/run.jsonl"]


class _AskedReader:
    """A folder reader that claims folders named ``claim`` and notes every folder it is asked about."""

    FORMAT = "asked"
    FOLDER_FILES = None
    DIR_NAMES = frozenset({"claim"})

    def __init__(self) -> None:
        self.asked: list[str] = []

    def detect(self, path: Path, head: bytes) -> bool:
        return False

    def parse(self, path: Path, ctx: object) -> list[object]:
        return []

    def detect_dir(self, path: Path, names: object) -> bool:
        self.asked.append(path.name)
        return path.name == "claim"


def test_walk_asks_folder_readers_only_about_folders_their_dir_names_name(tmp_path: Path) -> None:
    for rel in ("plain/a/x.json", "has/claim/y.json", "has/z.json", "other/w.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    reader = _AskedReader()
    found = [
        p.relative_to(tmp_path).as_posix() for p in walk.discover([tmp_path], [cast(FolderReader, reader)])
    ]
    # "has" holds an entry named claim, "claim" is named so: asked; "plain", "a" and "other" are not
    assert sorted(reader.asked) == ["claim", "has"]
    assert found == ["has/claim", "has/z.json", "other/w.json", "plain/a/x.json"]


def test_folder_readers_claim_no_folder_without_one_of_their_dir_names(tmp_path: Path) -> None:
    """``DIR_NAMES`` may only rule out folders ``detect_dir`` would refuse: folders shaped like each
    reader's (event files, storage's subfolders) under other names are refused, the real shapes claimed."""
    shapes = {
        "conv/events/event-00001-a.json": "conv",  # OpenHands V1
        "sess/events/1.json": "sess",  # OpenHands V0
        "storage/session/x.json": "storage",  # OpenCode's tree
    }
    for rel in [*shapes, "evts/1.json", "st/session/x.json", "st/message/x.json", "st/part/x.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    for sub in ("message", "part", "project"):
        (tmp_path / "storage" / sub).mkdir()
    readers = _folder_readers()
    hints = frozenset().union(*(m.DIR_NAMES for m in readers))
    for folder in [p for p in tmp_path.rglob("*") if p.is_dir()]:
        names = {p.name for p in folder.iterdir()}
        claimed = any(m.detect_dir(folder, names) for m in readers)
        if claimed:
            assert folder.name in hints or names & hints, folder
    claimed_names = {
        f.name for f in tmp_path.rglob("*") if f.is_dir() and any(m.detect_dir(f, None) for m in readers)
    }
    assert {"conv", "sess", "storage"} <= claimed_names


def _detect_asking_all(path: Path, head: bytes) -> str | None:
    """Detection as it was before ``OPENS``: every reader asked, in order."""
    for mod in readers():
        try:
            if mod.detect(path, head):
                return mod.FORMAT
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            continue
    return None


def test_readers_opens_rule_out_only_content_their_detect_refuses() -> None:
    """Each fixture log, as it is, after blank lines and spaces, wrapped in a list and with its first
    byte changed: detection through ``OPENS`` picks the reader that asking every reader picks."""
    heads = []
    for path in sorted((FIXTURES / "ingest").rglob("*")):
        if path.is_file():
            head = path.read_bytes()[:HEAD_BYTES]
            if head.strip() and not is_binary(head):
                heads += [(path, h) for h in (head, b"\n \t\r\n" + head, b"[" + head, b"x" + head[1:])]
    assert len(heads) > 100
    picked = {_detect_asking_all(path, head) for path, head in heads}
    assert {"openhands", "claude-code", "codex"} <= picked
    for path, head in heads:
        mod = detect(path, head)
        assert (mod.FORMAT if mod else None) == _detect_asking_all(path, head), path


@pytest.mark.skipif(os.name != "posix", reason="the remembered parents are used on POSIX only")
def test_real_folder_is_realpath_with_parents_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for rel in ("a/b/c", "a/d", "x/y"):
        (tmp_path / rel).mkdir(parents=True)
    os.symlink(tmp_path / "a" / "b", tmp_path / "x" / "lb")  # a named folder that is a symlink
    os.symlink(tmp_path / "a", tmp_path / "la")  # a parent that is a symlink
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    monkeypatch.chdir(tmp_path / "x")
    known: dict[str, str] = {}
    names = ["a/b/c", "a/d", "la/b/c", "la/d", "x/lb", "x/lb/../y", "a/b/../d", "loop", "x/y", "x", ""]
    paths = [str(tmp_path / n) for n in names] + ["y", "lb", "../a/b", "lb/..", "."]
    for path in paths * 2:  # the second time through, from the parents remembered
        assert walk._real_folder(path, known) == os.path.realpath(path), path


@pytest.mark.skipif(os.name != "posix", reason="the remembered parents are used on POSIX only")
def test_a_folder_named_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    """The parents' real paths are found in a loop: a recursion per level ended in RecursionError for a
    folder named about a thousand levels deep (here the limit is lowered, so that the tree stays small
    enough for pytest to remove)."""
    deep = tmp_path
    for _ in range(300):
        deep = deep / "a"
        deep.mkdir()
    (deep / "f.jsonl").write_bytes(b'{"role": "user", "message": {"content": "hi"}}\n')
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        real = walk._real_folder(str(deep), {})
        found = [p.name for p in walk.discover([deep], [])]
    finally:
        sys.setrecursionlimit(limit)
    assert real == os.path.realpath(deep)
    assert found == ["f.jsonl"]
