"""What every log reader shares: the reader contract, the per-file parse context that counts skipped
records and problems, and small helpers for streaming JSONL and clipping huge fields.

A reader is a module with::

    FORMAT: str                                    # e.g. "claude-code"
    AGENT: str                                     # e.g. "claude-code"
    def detect(path: Path, head: bytes) -> bool    # content-based: ``head`` is the first 64 KiB
    def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]

and optionally ``detect_dir(path: Path) -> bool`` for formats stored as a folder (OpenHands event
folders). ``parse`` streams: it never reads a JSONL file whole, and it yields each trajectory as soon as
it is complete. A bad record is reported through ``ctx.skip(...)`` and parsing goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

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


def iter_jsonl(path: Path, ctx: ParseContext) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, record)`` for each JSON line, streaming; bad lines are skipped and counted.

    A final line without a newline that does not parse is reported as truncated.
    """
    for lineno, _raw, record in iter_jsonl_raw(path, ctx):
        yield lineno, record


def iter_jsonl_raw(path: Path, ctx: ParseContext) -> Iterator[tuple[int, bytes, Any]]:
    """Like :func:`iter_jsonl`, also yielding each line's raw bytes (for content hashes)."""
    latin1 = False
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            if not raw.strip():
                continue
            try:
                yield lineno, raw, orjson.loads(raw)
            except orjson.JSONDecodeError:
                record = _loads_lenient(raw)
                if record is not None:
                    if not latin1:
                        ctx.warn("not UTF-8; read as Latin-1 (from this line on, where needed)", lineno)
                    latin1 = True
                    yield lineno, raw, record
                    continue
                reason = "truncated line" if not raw.endswith(b"\n") else "invalid JSON"
                ctx.skip(reason, lineno, f"{_preview(raw)} (the rest of the file is still read)")


def load_json(path: Path, ctx: ParseContext) -> Any | None:
    """Read a whole-document JSON file with a size check; report and return None when unusable."""
    loaded = read_json_doc(path, ctx)
    return None if loaded is None else loaded[1]


def read_json_doc(path: Path, ctx: ParseContext) -> tuple[bytes, Any] | None:
    """Like :func:`load_json`, also returning the file's bytes (for the content hash)."""
    size = path.stat().st_size
    if size > MAX_JSON_FILE:
        ctx.fail(f"file is {size // 2**20} MiB, over the {MAX_JSON_FILE // 2**20} MiB limit for JSON documents")
        return None
    data = path.read_bytes()
    body = data[len(BOM):] if data.startswith(BOM) else data
    try:
        return data, orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        record = _loads_lenient(body)
        if record is not None:
            ctx.warn("not UTF-8; read as Latin-1")
            return data, record
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


class StepList:
    """Builds a trajectory's steps: numbers them 0..n-1 and links tool calls and results by call id."""

    def __init__(self, file: str):
        self.file = file
        self.steps: list[Step] = []
        self._calls: dict[str, int] = {}

    def add(self, role: Role, kind: StepKind, text: str, trust: Trust, *, line: int | None = None,
            record: str | None = None, timestamp: str | None = None, tool_name: str | None = None,
            input: Any = None, call_id: str | None = None, pair: int | None = None, is_error: bool = False,
            exit_code: int | None = None) -> Step:
        if len(text) > MAX_TEXT:
            text = clip(text)
        step = Step(len(self.steps), role, kind, text, tool_name, input, call_id, pair, is_error, exit_code,
                    timestamp, SourceLocation(self.file, line, record), trust)
        self.steps.append(step)
        return step

    def message(self, role: Role, text: str, trust: Trust, **where: Any) -> Step | None:
        """A user/assistant/system message; empty text adds nothing."""
        if not text.strip():
            return None
        kind = StepKind.ASSISTANT_MESSAGE if role is Role.ASSISTANT else StepKind.USER_MESSAGE
        return self.add(role, kind, text, trust, **where)

    def thought(self, text: str, **where: Any) -> Step | None:
        if not text.strip():
            return None
        return self.add(Role.ASSISTANT, StepKind.THOUGHT, text, Trust.AGENT, **where)

    def call(self, tool_name: str, text: str, call_id: str, input: Any = None, **where: Any) -> Step:
        step = self.add(Role.ASSISTANT, StepKind.TOOL_CALL, text, Trust.AGENT, tool_name=tool_name,
                        input=input, call_id=call_id, **where)
        self._calls[call_id] = step.index
        return step

    def result(self, call_id: str | None, text: str, *, is_error: bool = False,
               exit_code: int | None = None, tool_name: str | None = None, **where: Any) -> Step:
        """A tool result; linked to its call when ``call_id`` names an open call."""
        call_index = self._calls.pop(call_id, None) if call_id is not None else None
        call = self.steps[call_index] if call_index is not None else None
        step = self.add(Role.TOOL, StepKind.TOOL_RESULT, text, Trust.TOOL_OUTPUT, call_id=call_id,
                        tool_name=tool_name or (call.tool_name if call else None), is_error=is_error,
                        exit_code=exit_code, pair=call_index, **where)
        if call is not None:
            call.pair = step.index
        return step

    def is_open(self, call_id: str | None) -> bool:
        return call_id is not None and call_id in self._calls


_TASK_PATTERNS = (
    re.compile(r"<pr_description>\s*(?:Consider the following PR description:\s*)?(.*?)\s*</pr_description>", re.S),
    re.compile(r"ISSUE:\s*\n(.*?)\n\s*INSTRUCTIONS:", re.S),
    re.compile(r"<issue_description>\s*(.*?)\s*</issue_description>", re.S),
)


def extract_task(text: str) -> str:
    """The issue text inside an agent's instance template (SWE-agent ``ISSUE:``, mini-swe-agent
    ``<pr_description>``, OpenHands ``<issue_description>``); the whole text when there is none."""
    for pattern in _TASK_PATTERNS:
        match = pattern.search(text)
        if match and match.group(1).strip():
            return clip(match.group(1).strip())
    return clip(text.strip())
