"""The head of a file read once for detection and handed to the reader (``ParseContext.head``): the
reader's sniffing gives what reading the file again would, also when the head does not hold it all."""

from __future__ import annotations

from pathlib import Path

from skillforge.ingest import IngestReport, read
from skillforge.ingest.base import HEAD_BYTES, ParseContext


def _ctx(path: Path) -> ParseContext:
    with path.open("rb") as fh:
        return ParseContext(path=path, head=fh.read(HEAD_BYTES))


def test_first_line_from_the_head_is_readline(tmp_path: Path) -> None:
    for name, data in (("a", b'{"x": 1}\n{"y": 2}\n'), ("b", b'{"x": 1}'), ("c", b""), ("d", b"\n\n")):
        path = tmp_path / name
        path.write_bytes(data)
        with path.open("rb") as fh:
            expected = fh.readline()
        assert _ctx(path).first_line() == expected
        assert ParseContext(path=path).first_line() == expected  # no head: the file is read


def test_first_line_longer_than_the_head_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    line = b'{"text": "' + b"x" * (HEAD_BYTES * 2) + b'"}\n'
    path.write_bytes(line + b'{"y": 2}\n')
    ctx = _ctx(path)
    assert ctx.head is not None and len(ctx.head) == HEAD_BYTES
    assert ctx.first_line() == line


def test_start_from_the_head_or_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x01" * 100)
    assert _ctx(path).start(16) == ParseContext(path=path).start(16) == b"SQLite format 3\x00"
    short = tmp_path / "short"
    short.write_bytes(b"ab")
    assert _ctx(short).start(16) == b"ab"


def test_gemini_jsonl_with_a_first_line_past_the_head_is_still_read_as_jsonl(tmp_path: Path) -> None:
    """Gemini tells its JSONL logs from its JSON documents by the first line: a header line longer than
    the head must still be found whole (named with ``fmt``: detection itself looks at the head only)."""
    header = (
        b'{"sessionId": "s1", "projectHash": "' + b"a" * (HEAD_BYTES + 10) + b'", "startTime": "2026-08-01"}'
    )
    user = (
        b'{"id": "u1", "timestamp": "2026-08-01T10:00:00Z", "type": "user", "content": [{"text": "fix it"}]}'
    )
    path = tmp_path / "chats" / "session-2026-08-01T09-00-abc.jsonl"
    path.parent.mkdir()
    path.write_bytes(header + b"\n" + user + b"\n")
    report = IngestReport()
    trajs = list(read([path], report, fmt="gemini-cli"))
    assert not report.problems
    assert [t.native_id for t in trajs] == ["s1"]
    assert trajs[0].task == "fix it"


def test_a_small_file_is_read_from_its_head(tmp_path: Path) -> None:
    """Under ``HEAD_BYTES`` the head is the whole file: lines and documents come from it (one open per
    small log), and give what reading the file gives, a BOM and a bad line included."""
    from skillforge.ingest.reading import iter_jsonl_raw, read_json_doc

    lines = tmp_path / "small.jsonl"
    lines.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n{bad\n[2]\n{"b": "\xe9"}')
    ctx = _ctx(lines)
    assert ctx.whole(lines) == lines.read_bytes()
    assert ctx.whole(tmp_path / "other.jsonl") is None  # only the file the head is of
    plain = ParseContext(path=lines)
    assert list(iter_jsonl_raw(lines, ctx)) == list(iter_jsonl_raw(lines, plain))
    assert ctx.skipped == plain.skipped and [str(p) for p in ctx.problems] == [str(p) for p in plain.problems]
    doc = tmp_path / "doc.json"
    doc.write_bytes(b'{"steps": [1, 2]}')
    assert read_json_doc(doc, _ctx(doc)) == read_json_doc(doc, ParseContext(path=doc))


def test_a_file_larger_than_the_head_is_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"x": "' + b"y" * HEAD_BYTES + b'"}\n{"z": 1}\n')
    ctx = _ctx(path)
    assert ctx.whole(path) is None
    from skillforge.ingest.reading import iter_jsonl_raw

    assert [rec for _, _, rec in iter_jsonl_raw(path, ctx)][1] == {"z": 1}


def test_a_file_up_to_a_mebibyte_is_read_once_whole(tmp_path: Path) -> None:
    """Past the head but under ``WHOLE_BYTES``, a file is read whole with its head: the head handed to
    detection is still its first ``HEAD_BYTES``, and the reader gets every byte from ``whole``."""
    from skillforge.ingest import WHOLE_BYTES, _head
    from skillforge.ingest.reading import iter_jsonl_raw

    path = tmp_path / "mid.jsonl"
    body = b'{"x": "' + b"y" * (HEAD_BYTES * 3) + b'"}\n{"z": 1}\n'
    path.write_bytes(body)
    head, data = _head(path, len(body))
    assert head == body[:HEAD_BYTES] and data == body
    ctx = ParseContext(path=path, head=head, data=data)
    assert ctx.whole(path) == body and ctx.first_line() == body.split(b"\n")[0] + b"\n"
    assert [rec for _, _, rec in iter_jsonl_raw(path, ctx)][1] == {"z": 1}
    assert _head(path, WHOLE_BYTES + 1) == (body[:HEAD_BYTES], None)  # larger: the head only


def test_a_file_grown_since_its_stat_is_not_taken_as_whole(tmp_path: Path) -> None:
    """The stat said 10 bytes, the file now holds more: its head is kept, never a truncated 'whole'."""
    from skillforge.ingest import _head

    path = tmp_path / "growing.jsonl"
    body = b'{"a": 1}\n' * 20_000  # 180 kB: more than the head
    path.write_bytes(body)
    assert _head(path, 10) == (body[:HEAD_BYTES], None)
    short = tmp_path / "short.jsonl"
    short.write_bytes(b'{"a": 1}\n{"b": 2}\n')
    head, data = _head(short, 5)
    assert head == short.read_bytes() and data is None  # under the head: whole() still knows it
    assert ParseContext(path=short, head=head).whole(short) == short.read_bytes()


def test_read_upto_reads_as_a_buffered_file_does(tmp_path: Path) -> None:
    """``read_upto`` returns the first ``size`` bytes, fewer only at the end: also from a descriptor
    whose reads come back short (a pipe written in pieces), where one ``os.read`` would stop early."""
    import os
    import threading

    from skillforge.ingest.opening import READ_FLAGS, read_upto

    path = tmp_path / "log.jsonl"
    body = b'{"a": 1}\n' * 100
    path.write_bytes(body)
    for size in (0, 1, 9, len(body) - 1, len(body), len(body) + 1, HEAD_BYTES):
        fd = os.open(path, READ_FLAGS)
        try:
            with path.open("rb") as fh:
                assert read_upto(fd, size) == fh.read(size)
        finally:
            os.close(fd)
    reader, writer = os.pipe()

    def write() -> None:
        for piece in (b"abc", b"defgh", b"ijklmn"):
            os.write(writer, piece)
        os.close(writer)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert read_upto(reader, 10) == b"abcdefghij"
        assert read_upto(reader, 10) == b"klmn"  # the end: fewer than asked
        assert read_upto(reader, 10) == b""
    finally:
        thread.join()
        os.close(reader)


def test_a_folder_or_a_missing_file_has_no_head(tmp_path: Path) -> None:
    from skillforge.ingest import _head

    assert _head(tmp_path, None) == (None, None)  # a folder opens, and fails to read
    assert _head(tmp_path / "gone.jsonl", 10) == (None, None)
