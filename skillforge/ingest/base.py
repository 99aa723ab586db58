"""What every log reader shares: the reader contract, the per-file parse context that counts skipped
records and problems, and small helpers for clipping huge fields and flattening message content.
Building a trajectory's numbered steps is ``steps``; reading the bytes (JSONL, JSON documents,
schemas, ids) is ``reading``.

A reader is a module with::

    FORMAT: str                                    # e.g. "claude-code"
    AGENT: str                                     # e.g. "claude-code"
    def detect(path: Path, head: bytes) -> bool    # content-based: ``head`` is the first 64 KiB
    def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]

and optionally ``detect_dir(path: Path, names: Collection[str] | None) -> bool`` for formats stored as
a folder (OpenHands event folders; ``names`` are the folder's entries when the caller listed it), and
``OPENS: bytes``, the bytes of which a log's first non-whitespace byte is one (``b"{"``: a JSON object
or JSONL): ``detect`` is not asked about other content. A reader without ``OPENS`` is asked about every
text file.
``parse`` streams: it never reads a JSONL file whole, and it yields each trajectory as soon as it is
complete. A bad record is reported through ``ctx.skip(...)`` and parsing goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from skillforge.ingest.opening import is_binary as is_binary
from skillforge.ingest.opening import shown_name
from skillforge.model import Role, StepKind, Trajectory, Trust
from skillforge.safety.redact import redact_message

HEAD_BYTES = 64 * 1024
MAX_TEXT = 100_000  # characters kept of any one field; the middle of longer text is cut with a marker
MAX_JSON_FILE = 512 * 1024 * 1024  # single-document JSON files larger than this are refused
IMAGE_MARKER = "[image omitted]"
BOM = b"\xef\xbb\xbf"


class Reader(Protocol):
    """A log reader: a module of this package with these names (see the module docstring)."""

    FORMAT: str
    AGENT: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def parse(self, path: Path, ctx: ParseContext) -> Iterator[Trajectory]: ...


@runtime_checkable
class FolderReader(Reader, Protocol):
    """A reader whose logs can be a folder (OpenHands event folders)."""

    # the files of a detected folder that are its log (None: the whole folder); others beside them are
    # read as logs of their own
    FOLDER_FILES: frozenset[str] | None
    # names of which a folder this reader claims has one, as its own name or an entry's: a folder walk
    # asks ``detect_dir`` about no other folder
    DIR_NAMES: frozenset[str]

    def detect_dir(self, path: Path, names: Collection[str] | None) -> bool: ...


@dataclass(slots=True)
class Problem:
    """Something in a file that could not be used. ``line`` is 1-based where the format has lines."""

    file: str
    message: str
    line: int | None = None
    fatal: bool = False  # the whole file was unusable

    def __post_init__(self) -> None:  # a message may quote the bad record: never echo a secret in it
        self.message = redact_message(self.message)
        self.file = shown_name(self.file)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    @property
    def reason(self) -> str:
        """The message without its per-file details, to count problems of one kind together."""
        return re.split(r" \(|; |: ", self.message, maxsplit=1)[0]


@dataclass
class ParseContext:
    """Handed to a reader for one file: where problems and skipped records are counted."""

    path: Path
    format: str = ""
    skipped: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    max_problems: int = 20  # problems kept per file (all are counted in ``skipped``)
    head: bytes | None = None  # the file's first HEAD_BYTES as read for detection (None: not read)
    named: bool = False  # the user named this file (not met in a folder walk)
    data: bytes | None = None  # the whole file, when it was read whole with its head (a small file)

    def first_line(self) -> bytes:
        """The file's first line (as ``readline``), from ``head`` when it holds it: no second open."""
        head = self.head if self.data is None else self.data
        if head is not None:
            end = head.find(b"\n")
            if end != -1:
                return head[: end + 1]
            if len(head) < HEAD_BYTES:  # the whole file
                return head
        with self.path.open("rb") as fh:
            return fh.readline()

    def whole(self, path: Path | str) -> bytes | None:
        """All of ``path``'s bytes when it is this file and they were read with its head (``data``, or a
        ``head`` under ``HEAD_BYTES``): small logs are then opened once, for detection and reading both.
        Else None."""
        head = self.data if self.data is not None else self.head
        if head is None or not (path is self.path or path == self.path):
            return None
        return head if self.data is not None or len(head) < HEAD_BYTES else None

    def start(self, size: int = 16) -> bytes:
        """The file's first ``size`` bytes (at most ``HEAD_BYTES``), from ``head`` when it was read."""
        if self.head is not None:
            return self.head[:size]
        with self.path.open("rb") as fh:
            return fh.read(size)

    def skip(self, reason: str, line: int | None = None, detail: str | None = None) -> None:
        """Count a skipped record. ``detail`` turns it into a reported problem (bad data, not a known
        record type we choose to ignore)."""
        self.skipped[reason] += 1
        if detail is not None and len(self.problems) < self.max_problems:
            self.problems.append(Problem(str(self.path), f"{reason}: {detail}", line))

    def ignore(self, reason: str) -> None:
        """Count a record left out on purpose (bookkeeping the format documents): not a skip."""
        self.ignored[reason] += 1

    def fail(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(str(self.path), message, line, fatal=True))

    def warn(self, message: str, line: int | None = None) -> None:
        """Report something odd that was still read (e.g. text that is not UTF-8)."""
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(str(self.path), message, line))


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep the head and tail of a long text with a marker in the middle."""
    if len(text) <= limit:
        return text
    half = (
        limit - 48
    ) // 2  # room for the marker: the result fits the limit, so clipping twice changes nothing
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
            btype = block.get("type")
            btype = btype if isinstance(btype, str) else ""
            if btype in ("image", "input_image", "image_url") or "image" in btype:
                parts.append(IMAGE_MARKER)
            elif btype == "document":
                parts.append("[document omitted]")
            elif btype in ("audio", "input_audio"):  # ATIF 1.8 audio parts, OpenAI's input audio
                parts.append("[audio omitted]")
            elif "text" in block and isinstance(block["text"], str):
                parts.append(block["text"])
            elif "content" in block:
                parts.append(text_of(block["content"]))
    return clip("\n".join(p for p in parts if p))


def head_line(head: bytes) -> bytes:
    """``head.split(b"\\n", 1)[0]`` without copying the rest of the head (64 KiB, once per reader asked)."""
    end = head.find(b"\n")
    return head if end < 0 else head[:end]


def object_line(line: bytes) -> bool:
    """Whether ``line`` could hold one JSON object (braces at both ends): a cheap test before parsing a
    line during detection, where most candidates are not JSON lines at all."""
    line = line.strip()
    return line[:1] == b"{" and line[-1:] == b"}"


_SWEBENCH_ID = re.compile(r"^([A-Za-z0-9_.-]+?)__([A-Za-z0-9_.-]+)-\d+$")


def repository_of(instance_id: str | None) -> str | None:
    """``"django__django-11141"`` -> ``"django/django"`` (SWE-bench instance ids); else None."""
    match = _SWEBENCH_ID.match(instance_id or "")
    return f"{match.group(1)}/{match.group(2)}" if match else None


def as_dict(value: Any) -> dict[str, Any]:
    """A field that should be an object: itself when it is one, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A field that should be an array: itself when it is one, else an empty list."""
    return value if isinstance(value, list) else []


def str_or_none(value: Any) -> str | None:
    """A field that should be text (a record's type, an id): itself when it is a string, else None, so
    a list or an object there can be looked up in a set without raising."""
    return value if isinstance(value, str) else None


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


# The text up to the first closing tag, as ``(.*?)\s*</tag>`` would find it but written as an unrolled
# loop (``[^<]*`` runs in one go); the caller strips the group, so its trailing blanks do not matter.
_TASK_PATTERNS = (
    re.compile(
        r"<pr_description>\s*(?:Consider the following PR description:\s*)?"
        r"([^<]*(?:<(?!/pr_description>)[^<]*)*)</pr_description>"
    ),
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
