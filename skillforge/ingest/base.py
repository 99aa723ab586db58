"""What every log reader shares: the reader contract, the per-file parse context that counts skipped
records and problems, and small helpers for streaming JSONL and clipping huge fields.

A reader is a module with::

    FORMAT: str                                    # e.g. "claude-code"
    AGENT: str                                     # e.g. "claude-code"
    def detect(path: Path, head: bytes) -> bool    # content-based: ``head`` is the first 64 KiB
    def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]

and optionally ``detect_dir(path: Path, names: Collection[str] | None) -> bool`` for formats stored as
a folder (OpenHands event folders; ``names`` are the folder's entries when the caller listed it). ``parse`` streams: it never reads a JSONL file whole, and it yields each trajectory as soon as
it is complete. A bad record is reported through ``ctx.skip(...)`` and parsing goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import msgspec
import orjson
import xxhash

from skillforge.model import Role, SourceLocation, Step, StepKind, Trajectory, Trust

HEAD_BYTES = 64 * 1024
MAX_TEXT = 100_000  # characters kept of any one field; the middle of longer text is cut with a marker
MAX_JSON_FILE = 512 * 1024 * 1024  # single-document JSON files larger than this are refused
IMAGE_MARKER = "[image omitted]"
BOM = b"\xef\xbb\xbf"


class Reader(Protocol):
    FORMAT: str
    AGENT: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def parse(self, path: Path, ctx: ParseContext) -> Iterator[Trajectory]: ...


@dataclass(slots=True)
class Problem:
    """Something in a file that could not be used. ``line`` is 1-based where the format has lines."""

    file: str
    message: str
    line: int | None = None
    fatal: bool = False  # the whole file was unusable

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class ParseContext:
    """Handed to a reader for one file: where problems and skipped records are counted."""

    path: Path
    format: str = ""
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    max_problems: int = 20  # problems kept per file (all are counted in ``skipped``)

    def skip(self, reason: str, line: int | None = None, detail: str | None = None) -> None:
        """Count a skipped record. ``detail`` turns it into a reported problem (bad data, not a known
        record type we choose to ignore)."""
        self.skipped[reason] += 1
        if detail is not None and len(self.problems) < self.max_problems:
            self.problems.append(Problem(str(self.path), f"{reason}: {detail}", line))

    def fail(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(str(self.path), message, line, fatal=True))

    def warn(self, message: str, line: int | None = None) -> None:
        """Report something odd that was still read (e.g. text that is not UTF-8)."""
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(str(self.path), message, line))


Doc = TypeVar("Doc")


def iter_jsonl(path: Path, ctx: ParseContext) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, record)`` for each JSON line, streaming; bad lines are skipped and counted.

    A final line without a newline that does not parse is reported as truncated.
    """
    for lineno, _raw, record in iter_jsonl_raw(path, ctx):
        yield lineno, record


def iter_jsonl_raw(path: Path, ctx: ParseContext) -> Iterator[tuple[int, bytes, Any]]:
    """Like :func:`iter_jsonl`, also yielding each line's raw bytes (for content hashes)."""
    lines = _JsonLines(path, ctx)
    for lineno, raw in lines:
        try:
            yield lineno, raw, orjson.loads(raw)
        except orjson.JSONDecodeError:
            record = lines.lenient(lineno, raw)
            if record is not _BAD:
                yield lineno, raw, record


def iter_jsonl_as(path: Path, ctx: ParseContext, decoder: msgspec.json.Decoder[Doc]) -> Iterator[tuple[int, bytes, Doc]]:
    """Like :func:`iter_jsonl_raw`, each line decoded straight into a reader's schema (as in
    :func:`read_json_as`). A line that is not a JSON object is skipped and counted."""
    lines = _JsonLines(path, ctx)
    decode = decoder.decode
    for lineno, raw in lines:
        try:
            record = decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            record = lines.refit(lineno, raw, decoder)
            if record is _BAD:
                continue
        yield lineno, raw, record


_BAD: Any = object()  # a line that was skipped (and counted)


class _JsonLines:
    """The non-blank lines of a JSONL file, and the slow path for the lines that do not parse as they are."""

    def __init__(self, path: Path, ctx: ParseContext):
        self.path, self.ctx, self.latin1 = path, ctx, False

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        with self.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if lineno == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                if raw and not raw.isspace():
                    yield lineno, raw

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
            return _BAD


def load_json(path: Path, ctx: ParseContext) -> Any | None:
    """Read a whole-document JSON file with a size check; report and return None when unusable."""
    loaded = read_json_doc(path, ctx)
    return None if loaded is None else loaded[1]


def read_json_doc(path: Path, ctx: ParseContext) -> tuple[bytes, Any] | None:
    """Like :func:`load_json`, also returning the file's bytes (for the content hash)."""
    data = _read_doc(path, ctx)
    if data is None:
        return None
    loaded = _decode_general(_without_bom(data), ctx)
    return None if loaded is None else (data, loaded)


def _read_doc(path: Path, ctx: ParseContext) -> bytes | None:
    size = path.stat().st_size
    if size > MAX_JSON_FILE:
        ctx.fail(f"file is {size // 2**20} MiB, over the {MAX_JSON_FILE // 2**20} MiB limit for JSON documents")
        return None
    return path.read_bytes()


def _without_bom(data: bytes) -> bytes:
    return data[len(BOM):] if data.startswith(BOM) else data


def read_json_as(path: Path, ctx: ParseContext, decoder: msgspec.json.Decoder[Doc],
                 expected: str) -> tuple[bytes, Doc] | None:
    """Like :func:`read_json_doc`, decoding straight into a reader's schema: msgspec Structs that name only
    the fields the reader uses, so the rest of the document (whole provider responses, prompts repeated
    per step) is skipped, never built as Python objects. A file that is not plain UTF-8 JSON takes the
    general path (Latin-1 retry, error with its line) and is then fitted to the same schema, so a reader
    has one code path. A field typed ``msgspec.Raw`` stays undecoded JSON until :func:`raw_text`. ``expected`` says what the file should hold, for the error when it does not."""
    data = _read_doc(path, ctx)
    if data is None:
        return None
    body = _without_bom(data)
    try:
        return data, decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        pass
    loaded = _decode_general(body, ctx)
    if loaded is None:
        return None
    try:  # what the general path read, as plain UTF-8 JSON: the schema's raw fields still work
        return data, decoder.decode(msgspec.json.encode(loaded))
    except msgspec.ValidationError as exc:
        ctx.fail(f"{expected} ({exc})")
        return None


def raw_text(raw: msgspec.Raw) -> str:
    """The text of a field kept as raw JSON (see :func:`read_json_as`), flattened like :func:`as_str`."""
    return as_str(msgspec.json.decode(raw))


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


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep the head and tail of a long text with a marker in the middle."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[… {len(text) - 2 * half} characters cut …]\n{text[-half:]}"


def text_of(content: Any) -> str:
    """Flatten message content (a string, or a list of text/image blocks) to text; images -> marker."""
    if content is None:
        return ""
    if isinstance(content, str):
        return clip(content)
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return clip(str(content))
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            btype = block.get("type", "")
            if btype in ("image", "input_image", "image_url") or "image" in btype:
                parts.append(IMAGE_MARKER)
            elif btype == "document":
                parts.append("[document omitted]")
            elif "text" in block and isinstance(block["text"], str):
                parts.append(block["text"])
            elif "content" in block:
                parts.append(text_of(block["content"]))
    return clip("\n".join(p for p in parts if p))


# Trajectory ids hash every byte of every log, so they use XXH3-128 (about 9 GB/s here, against 1.3 GB/s
# for SHA-1, which alone cost 0.4x of the raw JSON parse time). It is an identity, not an integrity check:
# the few ids that must resist a crafted collision (lessons, cache keys of prompts) use ``content_id``.


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


def object_line(line: bytes) -> bool:
    """Whether ``line`` could hold one JSON object (braces at both ends): a cheap test before parsing a
    line during detection, where most candidates are not JSON lines at all."""
    line = line.strip()
    return line[:1] == b"{" and line[-1:] == b"}"


def is_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192]


_SWEBENCH_ID = re.compile(r"^([A-Za-z0-9_.-]+?)__([A-Za-z0-9_.-]+)-\d+$")


def repository_of(instance_id: str | None) -> str | None:
    """``"django__django-11141"`` -> ``"django/django"`` (SWE-bench instance ids); else None."""
    match = _SWEBENCH_ID.match(instance_id or "")
    return f"{match.group(1)}/{match.group(2)}" if match else None


def as_dict(value: Any) -> dict[str, Any]:
    """A field that should be an object: itself when it is one, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str:
    """A field that should be text: strings as they are, anything else flattened."""
    return value if isinstance(value, str) else text_of(value)


# Enum members bound once: reading ``StepKind.TOOL_CALL`` off the class costs about ten times a global
# lookup on Python 3.11, and readers do it several times per step.
R_USER, R_ASSISTANT, R_TOOL, R_SYSTEM = Role.USER, Role.ASSISTANT, Role.TOOL, Role.SYSTEM
K_USER_MESSAGE, K_ASSISTANT_MESSAGE = StepKind.USER_MESSAGE, StepKind.ASSISTANT_MESSAGE
K_THOUGHT, K_TOOL_CALL, K_TOOL_RESULT = StepKind.THOUGHT, StepKind.TOOL_CALL, StepKind.TOOL_RESULT
T_PERSON, T_AGENT, T_TOOL_OUTPUT, T_INJECTED = Trust.PERSON, Trust.AGENT, Trust.TOOL_OUTPUT, Trust.INJECTED


def blank(text: str) -> bool:
    """``not text.strip()`` without copying the text."""
    return not text or text.isspace()


class StepList:
    """Builds a trajectory's steps: numbers them 0..n-1 and links tool calls and results by call id.

    Consecutive steps from the same record share one :class:`SourceLocation` (it is never mutated).
    """

    def __init__(self, file: str):
        self.file = file
        self.steps: list[Step] = []
        self._calls: dict[str, int] = {}
        self._loc = SourceLocation(file)

    def _source(self, line: int | None, record: str | None) -> SourceLocation:
        loc = self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        return loc

    def add(self, role: Role, kind: StepKind, text: str, trust: Trust, *, line: int | None = None,
            record: str | None = None, timestamp: str | None = None, tool_name: str | None = None,
            input: Any = None, call_id: str | None = None, pair: int | None = None, is_error: bool = False,
            exit_code: int | None = None) -> Step:
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps = self.steps
        step = Step(len(steps), role, kind, text, tool_name, input, call_id, pair, is_error, exit_code,
                    timestamp, self._source(line, record), trust)
        steps.append(step)
        return step

    def message(self, role: Role, text: str, trust: Trust, *, record: str | None = None,
                line: int | None = None, timestamp: str | None = None) -> Step | None:
        """A user/assistant/system message; empty text adds nothing."""
        if not text or text.isspace():
            return None
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(len(steps), role, K_ASSISTANT_MESSAGE if role is R_ASSISTANT else K_USER_MESSAGE, text, None,
                    None, None, None, False, None, timestamp, loc, trust)
        steps.append(step)
        return step

    def thought(self, text: str, *, record: str | None = None, line: int | None = None,
                timestamp: str | None = None) -> Step | None:
        if not text or text.isspace():
            return None
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(len(steps), R_ASSISTANT, K_THOUGHT, text, None, None, None, None, False, None, timestamp,
                    loc, T_AGENT)
        steps.append(step)
        return step

    def call(self, tool_name: str, text: str, call_id: str, input: Any = None, *, record: str | None = None,
             line: int | None = None, timestamp: str | None = None) -> Step:
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(len(steps), R_ASSISTANT, K_TOOL_CALL, text, tool_name, input, call_id, None, False, None,
                    timestamp, loc, T_AGENT)
        self._calls[call_id] = step.index
        steps.append(step)
        return step

    def result(self, call_id: str | None, text: str, *, is_error: bool = False,
               exit_code: int | None = None, tool_name: str | None = None, record: str | None = None,
               line: int | None = None, timestamp: str | None = None) -> Step:
        """A tool result; linked to its call when ``call_id`` names an open call."""
        call_index = self._calls.pop(call_id, None) if call_id is not None else None
        steps = self.steps
        call = steps[call_index] if call_index is not None else None
        if len(text) > MAX_TEXT:
            text = clip(text)
        loc = self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(len(steps), R_TOOL, K_TOOL_RESULT, text, tool_name or (call.tool_name if call else None),
                    None, call_id, call_index, is_error, exit_code, timestamp, loc,
                    T_TOOL_OUTPUT)
        steps.append(step)
        if call is not None:
            call.pair = step.index
        return step

    def is_open(self, call_id: str | None) -> bool:
        return call_id is not None and call_id in self._calls


# The text up to the first closing tag, as ``(.*?)\s*</tag>`` would find it but written as an unrolled
# loop (``[^<]*`` runs in one go); the caller strips the group, so its trailing blanks do not matter.
_TASK_PATTERNS = (
    re.compile(r"<pr_description>\s*(?:Consider the following PR description:\s*)?"
               r"([^<]*(?:<(?!/pr_description>)[^<]*)*)</pr_description>"),
    re.compile(r"ISSUE:\s*\n([^\n]*(?:\n(?!\s*INSTRUCTIONS:)[^\n]*)*)\n\s*INSTRUCTIONS:"),
    re.compile(r"<issue_description>\s*([^<]*(?:<(?!/issue_description>)[^<]*)*)</issue_description>"),
)


def extract_task(text: str) -> str:
    """The issue text inside an agent's instance template (SWE-agent ``ISSUE:``, mini-swe-agent
    ``<pr_description>``, OpenHands ``<issue_description>``); the whole text when there is none."""
    for pattern in _TASK_PATTERNS:
        match = pattern.search(text)
        if match and match.group(1).strip():
            return clip(match.group(1).strip())
    return clip(text.strip())
