"""How readers read bytes: JSONL files line by line and JSON documents whole, decoded as they are
(orjson) or straight into a reader's schema (msgspec Structs naming only the fields it uses), with one
slow path for bad input (Latin-1 retry, a skipped and counted line, a one-line problem with the file
and line); and the hashes of those bytes that become trajectory ids.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import orjson
import xxhash

from skillforge.ingest.base import BOM, MAX_JSON_FILE, ParseContext, as_str, clip

Doc = TypeVar("Doc")


def iter_jsonl_raw(path: Path, ctx: ParseContext) -> Iterator[tuple[int, bytes, Any]]:
    """Yield ``(line_number, raw bytes, record)`` for each JSON line, streaming (the bytes for content
    hashes); bad lines are skipped and counted, a final line without a newline that does not parse is
    reported as truncated."""
    lines = _JsonLines(path, ctx)
    loads = orjson.loads
    with lines.open() as fh:  # one generator, the lines read in its loop: this runs for every line
        for lineno, raw in enumerate(fh, 1):
            if raw.isspace():
                continue
            try:
                record = loads(raw)
            except orjson.JSONDecodeError:
                record = lines.lenient(lineno, raw)
                if record is _BAD:
                    continue
            yield lineno, raw, record


def iter_jsonl_as(
    path: Path, ctx: ParseContext, decoder: msgspec.json.Decoder[Doc]
) -> Iterator[tuple[int, bytes, Doc]]:
    """Like :func:`iter_jsonl_raw`, each line decoded straight into a reader's schema (as in
    :func:`read_json_as`). A line that is not a JSON object is skipped and counted."""
    lines = _JsonLines(path, ctx)
    decode = decoder.decode
    with lines.open() as fh:
        for lineno, raw in enumerate(fh, 1):
            if raw.isspace():
                continue
            try:
                record = decode(raw)
            except _FAST_PATH_ERRORS:
                record = lines.refit(lineno, raw, decoder)
                if record is _BAD:
                    continue
            yield lineno, raw, record


def iter_jsonl_fitted(
    path: Path, ctx: ParseContext, decoder: msgspec.json.Decoder[Doc]
) -> Iterator[tuple[int, bytes, Doc | Any]]:
    """Like :func:`iter_jsonl_raw`, each line decoded straight into a reader's schema when it fits it (a
    ``Doc``), else read as :func:`iter_jsonl_raw` reads it (orjson, Latin-1 when it is not UTF-8, a bad
    line skipped and counted): the reader tells them apart by type. For schemas that forbid the fields
    they do not name, so that a line that fits was checked as orjson checks it. A file most of whose
    lines do not fit (another version's shape) stops trying the schema after ``GIVE_UP`` such lines: each
    try costs a failed decode before the general one."""
    lines = _JsonLines(path, ctx)
    decode, loads = decoder.decode, orjson.loads
    misfits, trying = 0, True
    with lines.open() as fh:
        for lineno, raw in enumerate(fh, 1):
            if raw.isspace():
                continue
            if trying:
                try:
                    record = decode(raw)
                except _FAST_PATH_ERRORS:
                    misfits += 1
                    trying = misfits < GIVE_UP or misfits * 2 <= lineno
                else:
                    yield lineno, raw, record
                    continue
            try:
                record = loads(raw)
            except orjson.JSONDecodeError:
                record = lines.lenient(lineno, raw)
                if record is _BAD:
                    continue
            yield lineno, raw, record


GIVE_UP = 8  # lines that do not fit a reader's schema, more than half of those read, before it stops trying


_BAD: Any = object()  # a line that was skipped (and counted)
# what sends a document or line from the schema decoder to the general path: invalid JSON, a shape the
# schema does not fit, invalid UTF-8 in a field it keeps, nesting deeper than msgspec goes (~1,000)
_FAST_PATH_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError)


class _JsonLines:
    """A JSONL file's lines, and the slow path for the lines that do not parse as they are."""

    def __init__(self, path: Path, ctx: ParseContext):
        self.path, self.ctx, self.latin1 = path, ctx, False

    def open(self) -> io.BufferedIOBase:
        """The file to iterate, its lines as ``readline`` splits them, past a UTF-8 byte-order mark (its
        bytes as read with the head when the file was small enough to be read whole)."""
        whole = self.ctx.whole(self.path)
        if whole is not None:
            return io.BytesIO(whole[len(BOM) :] if whole.startswith(BOM) else whole)
        fh = self.path.open("rb")
        if fh.read(len(BOM)) != BOM:
            fh.seek(0)
        return fh

    def lenient(self, lineno: int, raw: bytes) -> Any:
        """A line orjson refused: read as Latin-1 when it is not UTF-8, else skipped and counted."""
        record = _loads_lenient(raw)
        if record is not None:
            if not self.latin1:
                self.ctx.warn("not UTF-8; read as Latin-1 (from this line on, where needed)", lineno)
            self.latin1 = True
            return record
        reason = "truncated line" if not raw.endswith(b"\n") else "invalid JSON"
        self.ctx.skip(reason, lineno, f"{_preview(raw)} (the rest of the file is still read)")
        return _BAD

    def refit(self, lineno: int, raw: bytes, decoder: msgspec.json.Decoder[Doc]) -> Any:
        """A line the schema's decoder refused: read the general way, then fitted to the schema."""
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            record = self.lenient(lineno, raw)
            if record is _BAD:
                return _BAD
        if not isinstance(record, dict):
            self.ctx.skip("not a JSON object", lineno, type(record).__name__)
            return _BAD
        try:
            return decoder.decode(msgspec.json.encode(record))
        except msgspec.ValidationError as exc:
            self.ctx.skip("unexpected record shape", lineno, str(exc))
        except RecursionError:
            self.ctx.skip("too deeply nested", lineno, "more than about 1,000 levels of JSON")
        return _BAD


def read_json_doc(path: Path | str, ctx: ParseContext) -> tuple[bytes, Any] | None:
    """A whole-document JSON file's bytes (for the content hash) and its value, after a size check;
    None, with the problem reported, when it is unusable."""
    data = read_doc_bytes(path, ctx)
    if data is None:
        return None
    loaded = json_doc(data, ctx)
    return None if loaded is None else (data, loaded)


def json_doc(data: bytes, ctx: ParseContext) -> Any | None:
    """The value of a JSON document read whole (:func:`read_doc_bytes`), the general way (orjson, a BOM
    dropped, Latin-1 when it is not UTF-8); None, with the problem reported, when it is not JSON."""
    return _decode_general(_without_bom(data), ctx)


def decode_exact(data: bytes, decoder: msgspec.json.Decoder[Doc]) -> Doc | None:
    """A JSON document read whole, decoded straight into ``decoder``'s schema, else None (the caller then
    takes the general path). For schemas that read a document as :func:`json_doc` would: they forbid the
    fields they do not name and their ``msgspec.Raw`` fields are decoded by orjson, since msgspec skips
    those without orjson's checks (bytes that are not UTF-8, a number out of range)."""
    try:
        return decoder.decode(_without_bom(data))
    except _FAST_PATH_ERRORS:
        return None


def read_doc_bytes(path: Path | str, ctx: ParseContext) -> bytes | None:
    """A whole-document JSON file's bytes, after a size check (None, with the problem reported, when it
    is too large)."""
    whole = ctx.whole(path)
    if whole is not None:  # read whole for detection already
        return whole
    with open(path, "rb") as fh:  # one open and fstat: readers of many small files (OpenCode's tree) feel it
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_JSON_FILE:
            ctx.fail(
                f"file is {size // 2**20} MiB, over the {MAX_JSON_FILE // 2**20} MiB limit for JSON documents"
            )
            return None
        return fh.read()


def loads_doc(data: bytes) -> Any:
    """One JSON document as read whole from a file: a BOM dropped, Latin-1 when it is not UTF-8;
    ValueError when it is not JSON."""
    body = _without_bom(data)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        loaded = _loads_lenient(body)
        if loaded is None:
            raise
        return loaded


def _without_bom(data: bytes) -> bytes:
    return data[len(BOM) :] if data.startswith(BOM) else data


def read_json_as(
    path: Path, ctx: ParseContext, decoder: msgspec.json.Decoder[Doc], expected: str
) -> tuple[bytes, Doc] | None:
    """Like :func:`read_json_doc`, decoding straight into a reader's schema: msgspec Structs that name only
    the fields the reader uses, so the rest of the document (whole provider responses, prompts repeated
    per step) is skipped, never built as Python objects. A file that is not plain UTF-8 JSON takes the
    general path (Latin-1 retry, error with its line) and is then fitted to the same schema, so a reader
    has one code path. A field typed ``msgspec.Raw`` stays undecoded JSON until :func:`raw_text`.
    ``expected`` says what the file should hold, for the error when it does not."""
    data = read_doc_bytes(path, ctx)
    if data is None:
        return None
    body = _without_bom(data)
    try:
        return data, decoder.decode(body)
    except _FAST_PATH_ERRORS:
        pass
    loaded = _decode_general(body, ctx)
    if loaded is None:
        return None
    try:  # what the general path read, as plain UTF-8 JSON: the schema's raw fields still work
        return data, decoder.decode(msgspec.json.encode(loaded))
    except msgspec.ValidationError as exc:
        ctx.fail(f"{expected} ({exc})")
    except RecursionError:
        ctx.fail("too deeply nested to parse (more than about 1,000 levels of JSON)")
    return None


def raw_text(raw: msgspec.Raw) -> str:
    """The text of a field kept as raw JSON (see :func:`read_json_as`), flattened like :func:`as_str`.
    msgspec does not check the UTF-8 of raw fields, so a field that is not UTF-8 is read as Latin-1
    here, as the general path reads such files. msgspec refuses such bytes with ``UnicodeDecodeError``
    before 0.23 and with ``DecodeError`` from 0.23 on; the raw field itself is valid JSON either way."""
    try:
        return as_str(msgspec.json.decode(raw))
    except (UnicodeDecodeError, msgspec.DecodeError):
        text = bytes(raw).decode("latin-1")
    try:
        return as_str(orjson.loads(text))
    except orjson.JSONDecodeError:  # a number no double holds (1e400, 5000 digits): its JSON text
        return clip(text)


_INT_RANGE = (-(2**63), 2**64)  # what orjson writes; msgspec reads larger integers too


def json_safe(value: Any) -> Any:
    """A decoded JSON value that orjson can write back: integers beyond 64 bits become floats (as orjson
    itself reads them). For the values readers keep whole: tool inputs and metadata."""
    if type(value) is int:
        return value if _INT_RANGE[0] <= value < _INT_RANGE[1] else _as_float(value)
    if type(value) is dict:
        return {k: json_safe(v) for k, v in value.items()}
    if type(value) is list:
        return [json_safe(v) for v in value]
    return value


def _as_float(value: int) -> float:
    """An integer beyond 64 bits as a float; beyond a double's range (1e400) as an infinity, which
    orjson writes as null."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def json_or_text(value: Any) -> Any:
    """A field some builds write as a JSON string and others as a value: the string decoded when it is
    JSON, else ``value`` as it was (tool arguments and results)."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def exit_code(value: Any) -> int | None:
    """An exit status that is an integer a process could return (anything else: unknown)."""
    return value if type(value) is int and -(2**31) <= value < 2**32 else None


def _decode_general(body: bytes, ctx: ParseContext) -> Any | None:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        record = _loads_lenient(body)
        if record is not None:
            ctx.warn("not UTF-8; read as Latin-1")
            return record
        ctx.fail(f"not valid JSON ({exc}); is the file truncated?", _error_line(body, exc))
        return None


def _loads_lenient(raw: bytes) -> Any | None:
    """Retry a record that is not UTF-8 by reading it as Latin-1 (every byte is a character)."""
    try:
        raw.decode("utf-8")
        return None  # it was valid UTF-8, so the JSON itself is broken
    except UnicodeDecodeError:
        pass
    try:
        return orjson.loads(raw.decode("latin-1"))
    except orjson.JSONDecodeError:
        return None


def _error_line(data: bytes, exc: orjson.JSONDecodeError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _preview(raw: bytes, width: int = 60) -> str:
    text = raw[:width].decode("utf-8", errors="replace").strip()
    return repr(text + ("…" if len(raw) > width else ""))


# Trajectory ids hash every byte of every log, so they use XXH3-128 (about 9 GB/s here, against 1.3 GB/s
# for SHA-1, which alone cost 0.4x of the raw JSON parse time). It is an identity, not an integrity check;
# lesson ids and the digests of prompts and templates use ``skillforge.model.content_id`` (SHA-1).


def new_digest() -> Any:
    """An incremental hash for readers that hash as they stream; finish it with :func:`digest_id`."""
    return xxhash.xxh3_128()


def digest_id(digest: Any) -> str:
    """The 16-hex-digit id of an incremental hash from :func:`new_digest`."""
    return str(digest.hexdigest()[:16])


def log_id(*parts: bytes) -> str:
    """The id of a trajectory read from these bytes (a whole file, a line, or a folder's files)."""
    if len(parts) == 1:
        return str(xxhash.xxh3_128_hexdigest(parts[0])[:16])
    digest = xxhash.xxh3_128()
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return str(digest.hexdigest()[:16])


def record_digest(raw: bytes) -> bytes:
    """A record's 16-byte hash, for readers that build one trajectory's id from chosen records."""
    return bytes(xxhash.xxh3_128_digest(raw))
