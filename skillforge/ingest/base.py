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

from skillforge.model import Trajectory

HEAD_BYTES = 64 * 1024
MAX_TEXT = 100_000  # characters kept of any one field; the middle of longer text is cut with a marker
MAX_JSON_FILE = 512 * 1024 * 1024  # single-document JSON files larger than this are refused
IMAGE_MARKER = "[image omitted]"


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


def iter_jsonl(path: Path, ctx: ParseContext) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, record)`` for each JSON line, streaming; bad lines are skipped and counted.

    A final line without a newline that does not parse is reported as truncated.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield lineno, orjson.loads(raw)
            except orjson.JSONDecodeError:
                record = _loads_lenient(raw)
                if record is not None:
                    yield lineno, record
                    continue
                reason = "truncated line" if not raw.endswith(b"\n") else "invalid JSON"
                ctx.skip(reason, lineno, f"{_preview(raw)} (the rest of the file is still read)")


def load_json(path: Path, ctx: ParseContext) -> Any | None:
    """Read a whole-document JSON file with a size check; report and return None when unusable."""
    size = path.stat().st_size
    if size > MAX_JSON_FILE:
        ctx.fail(f"file is {size // 2**20} MiB, over the {MAX_JSON_FILE // 2**20} MiB limit for JSON documents")
        return None
    data = path.read_bytes()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        record = _loads_lenient(data)
        if record is not None:
            return record
        ctx.fail(f"not valid JSON ({exc}); is the file truncated?", _error_line(data, exc))
        return None


def _loads_lenient(raw: bytes) -> Any | None:
    """Retry a record that is not UTF-8 (e.g. Latin-1 bytes) by decoding with replacement."""
    try:
        raw.decode("utf-8")
        return None  # it was valid UTF-8, so the JSON itself is broken
    except UnicodeDecodeError:
        pass
    try:
        return orjson.loads(raw.decode("utf-8", errors="replace"))
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
