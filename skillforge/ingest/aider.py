"""Aider chat histories (``.aider.chat.history.md`` in a repository's root), best effort.

The file is markdown appended across sessions: ``# aider chat started at <time>`` opens a session,
``#### `` lines are what the user typed, ``> `` lines are aider's own output (start-up banner, token
counts, ``Applied edit to <file>``, commits, command and test output) and everything else is the
model's reply. SEARCH/REPLACE blocks in a reply become ``edit`` tool calls (input ``{"path": …}``),
paired with the ``Applied edit to <path>`` line that follows, as are the files a reply lists in full
when the banner names the ``whole`` edit format; ``/run``/``/test`` commands become ``shell`` calls
paired with the output block after them. Aider quotes only the first line of a multi-line message of
its own; its ``<thinking-content-…>`` tag wraps the model's reasoning (a thought); ``#### <blank>`` is
an empty input (dropped). One trajectory per session, streamed line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skillforge.ingest.base import (
    K_ASSISTANT_MESSAGE,
    K_THOUGHT,
    K_TOOL_CALL,
    K_TOOL_RESULT,
    K_USER_MESSAGE,
    R_ASSISTANT,
    R_TOOL,
    R_USER,
    T_AGENT,
    T_PERSON,
    T_TOOL_OUTPUT,
    ParseContext,
    clip,
)
from skillforge.ingest.reading import digest_id, new_digest
from skillforge.model import Role, SourceLocation, Step, StepKind, Trajectory, Trust

FORMAT = "aider"
AGENT = "aider"

_START_RE = re.compile(r"^# aider chat started at (.+?)\s*$")
_VERSION_RE = re.compile(r"^Aider v(\S+)")
_MODEL_RE = re.compile(r"^(?:Main )?[Mm]odel: (\S+)")
_EDIT_FORMAT_RE = re.compile(r"^(?:Main )?[Mm]odel: \S+ with (\S+) edit format")
# architect mode (``--architect``): the main model plans, its editor model writes the edits in this format
_EDITOR_FORMAT_RE = re.compile(r"^Editor model: \S+ with (?:editor-)?(\S+) edit format")
# aider wraps the model's reasoning in this tag (aider/reasoning_tags.py), in the history as in the chat
_THINK_RE = re.compile(
    r"<thinking-content-7bbeb8e1441453ad999a0bbba8a46d4b>(.*?)(?:</thinking-content-7bbeb8e1441453ad999a0bbba8a46d4b>|\Z)",
    re.S,
)
_APPLIED_RE = re.compile(r"^Applied edit to (.+?)\s*$")
_SHELL_CMD_RE = re.compile(r"^/(run|test|!)\s*(.*)$|^!(.*)$")
_NOISE = ("Tokens:", "Cost:")
_SEARCH = "<<<<<<< SEARCH"
_REPLACE = ">>>>>>> REPLACE"


def detect(path: Path, head: bytes) -> bool:
    return (
        head.startswith(b"\n# aider chat started at ")
        or head.startswith(b"# aider chat started at ")
        or b"\n# aider chat started at " in head[:4096]
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    session: _Session | None = None
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            start = _START_RE.match(line)
            if start:
                breaks = session is not None and session.breaks
                if session is not None:
                    yield from session.finish(ctx)
                session = _Session(path, start.group(1), lineno, breaks)
            elif session is None:
                if line.strip():
                    ctx.skip("text before the first session", lineno)
                continue
            session.feed(line, lineno, raw)
    if session is not None:
        yield from session.finish(ctx)


class _Session:
    """Accumulates one session: the current block (user / tool / assistant lines) and the steps."""

    def __init__(self, path: Path, started: str, line: int, breaks: bool = False) -> None:
        self.path = path
        self.started = started.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", started) else started
        self.digest = new_digest()
        self.steps: list[Step] = []
        self.block: str | None = None  # "user" | "tool" | "assistant"
        self.lines: list[str] = []
        self.linenos: list[int] = []
        self.block_line = line
        self.version: str | None = None
        self.model: str | None = None
        self.pending_edits: dict[str, int] = {}  # path -> index of an edit call awaiting "Applied edit"
        self.pending_shell: int | None = None
        self.task = ""
        self.edit_format: str | None = None  # "whole": a reply lists each file it writes in full
        self.architect = False  # architect mode: the main model's reply is handed to the editor as a "####"
        self.reply = ""  # the model's last reply, as an editor's "####" input would quote it
        self.editing = False  # architect mode: the last "####" message was the plan handed to the editor
        self.tool_open = False  # the last "> " message has not reached its closing "  " yet
        self.after_blank = False
        # the file keeps the "  " aider ends its lines with (an editor or a hook may have stripped them):
        # only then does a missing "  " mean a message of aider's own goes on past a blank line
        self.breaks = breaks

    def feed(self, line: str, lineno: int, raw: bytes) -> None:
        self.digest.update(raw)
        if _START_RE.match(line):
            return
        if line.startswith(("#### ", "> ")):
            self.breaks = self.breaks or line.endswith("  ")
        if line.startswith("#### ") or line == "####":
            kind, text = "user", line[5:].rstrip()
            if text == "<blank>":  # aider's note that the person sent an empty line
                return
        elif line.startswith("> ") or line == ">":
            kind, text = "tool", line[2:].rstrip()
            self.tool_open = self.breaks and not line.endswith("  ")
        elif self._continues_tool_output(line):
            kind, text = "tool", line.rstrip()
            self.tool_open = self.tool_open and not line.endswith("  ")
        elif not line.strip() and self.block in ("user", "tool"):
            self.after_blank = True
            return  # blank lines end nothing: aider writes one between blocks
        else:
            kind, text = "assistant", line
        self.after_blank = not line.strip()
        if kind != self.block:
            self._flush()
            self.block, self.block_line = kind, lineno
        self.lines.append(text)
        self.linenos.append(lineno)

    def _continues_tool_output(self, line: str) -> bool:
        """Aider quotes only the first line of a multi-line message of its own ("> " … "  " after the
        last line); the model's reply always starts after a blank line. So an unquoted line belongs to
        the message before it while that message is unfinished, or when no blank line separates them."""
        if self.block != "tool":
            return False
        return self.tool_open or (bool(line.strip()) and not self.after_blank)

    def finish(self, ctx: ParseContext) -> Iterator[Trajectory]:
        self._flush()
        if not self.steps:
            ctx.skip("empty aider session")
            return
        yield Trajectory(
            id=digest_id(self.digest),
            source=str(self.path),
            format=FORMAT,
            agent=AGENT,
            steps=self.steps,
            native_id=self.started,
            agent_version=self.version,
            model=self.model,
            task=self.task,
            repository=self.path.resolve().parent.name or None,
            started_at=self.started,
        )

    # ---- steps

    def _add(self, role: Role, kind: StepKind, text: str, trust: Trust, **kw: Any) -> Step:
        step = Step(
            index=len(self.steps),
            role=role,
            kind=kind,
            text=clip(text),
            trust=trust,
            source=SourceLocation(str(self.path), line=self.block_line),
            **kw,
        )
        self.steps.append(step)
        return step

    def _flush(self) -> None:
        block, lines, linenos = self.block, self.lines, self.linenos
        self.block, self.lines, self.linenos = None, [], []
        text = "\n".join(lines).strip("\n")
        if not text.strip():
            return
        if block == "user":
            self._user(text)
        elif block == "tool":
            self._tool(lines, linenos)
        else:
            self._assistant(text)

    def _user(self, text: str) -> None:
        command = _SHELL_CMD_RE.match(text.strip())
        if command:
            cmd = (command.group(2) or command.group(3) or text).strip()
            step = self._add(
                R_USER,
                K_TOOL_CALL,
                cmd,
                T_PERSON,
                tool_name="shell",
                input={"command": cmd},
                call_id=f"shell-{len(self.steps)}",
            )
            self.pending_shell = step.index
            return
        self.editing = self.architect and bool(self.reply) and _lines(text) == self.reply
        if self.editing:  # the plan handed to the editor
            self._add(R_USER, K_USER_MESSAGE, text, T_AGENT)
            return
        self._add(R_USER, K_USER_MESSAGE, text, T_PERSON)
        if not self.task and not text.startswith("/"):
            self.task = text

    def _assistant(self, text: str) -> None:
        for thought in _THINK_RE.findall(text):
            if thought.strip():
                self._add(R_ASSISTANT, K_THOUGHT, thought.strip(), T_AGENT)
        text = _THINK_RE.sub("", text).strip()
        if not text:
            return
        self._add(R_ASSISTANT, K_ASSISTANT_MESSAGE, text, T_AGENT)
        self.reply = _lines(text) if self.architect else ""
        blocks = list(_edit_blocks(text))
        if not blocks and self.edit_format == "whole" and (self.editing or not self.architect):
            blocks = list(_whole_files(text))  # in architect mode only the editor's reply writes files
        for path, block in blocks:
            step = self._add(
                R_ASSISTANT,
                K_TOOL_CALL,
                block,
                T_AGENT,
                tool_name="edit",
                input={"path": path},
                call_id=f"edit-{len(self.steps)}",
            )
            self.pending_edits[path] = step.index

    def _tool(self, lines: list[str], linenos: list[int]) -> None:
        rest: list[str] = []
        for line, lineno in zip(lines, linenos, strict=True):
            applied = _APPLIED_RE.match(line)
            if applied and applied.group(1) in self.pending_edits:
                self.block_line = lineno
                self._result(self.pending_edits.pop(applied.group(1)), line)
            elif self._banner(line):
                continue
            else:
                if not rest:
                    first = lineno
                rest.append(line)
        text = "\n".join(rest).strip()
        if not text:
            return
        self.block_line = first
        if self.pending_shell is not None:
            index, self.pending_shell = self.pending_shell, None
            self._result(index, text)
        else:
            self._add(R_TOOL, K_TOOL_RESULT, text, T_TOOL_OUTPUT, tool_name="aider")

    def _banner(self, line: str) -> bool:
        version = _VERSION_RE.match(line)
        if version:
            self.version = self.version or version.group(1)
        model = _MODEL_RE.match(line)
        if model:
            self.model = self.model or model.group(1)
        main_format = _EDIT_FORMAT_RE.match(line)
        if main_format:  # the banner again (``/chat-mode``): the mode it names holds from here on
            self.architect = main_format.group(1) == "architect"
        edit_format = main_format or _EDITOR_FORMAT_RE.match(line)
        if edit_format:
            self.edit_format = edit_format.group(1)
        return not self.steps or line.startswith(_NOISE) or not line.strip()  # the start-up banner

    def _result(self, call_index: int, text: str) -> None:
        call = self.steps[call_index]
        failed = text.startswith(("Failed to apply", "The LLM did not conform")) or "Traceback" in text
        step = self._add(
            R_TOOL,
            K_TOOL_RESULT,
            text,
            T_TOOL_OUTPUT,
            tool_name=call.tool_name,
            call_id=call.call_id,
            pair=call.index,
            is_error=failed,
        )
        call.pair = step.index


def _lines(text: str) -> str:
    """``text`` without the spaces at its lines' ends (aider ends its "####" lines with two)."""
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _edit_blocks(text: str) -> Iterator[tuple[str, str]]:
    """(path, block text) for each SEARCH/REPLACE block; the path is the last plain line before it."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != _SEARCH:
            i += 1
            continue
        path = _path_before(lines, i)
        end = next((j for j in range(i, len(lines)) if lines[j].strip() == _REPLACE), len(lines) - 1)
        if path:
            yield path, "\n".join([path, *lines[i : end + 1]])
        i = end + 1


def _whole_files(text: str) -> Iterator[tuple[str, str]]:
    """(path, block text) for each file a reply in aider's "whole" edit format writes: a line naming
    the file, then the file in a fence."""
    lines = text.split("\n")
    i = 1
    while i < len(lines):
        path = lines[i - 1].strip().strip("*").rstrip(":").strip("`").lstrip("#").strip()  # as aider reads it
        if not lines[i].startswith("```") or not _looks_like_path(path):
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines) - 1)
        yield path, "\n".join(lines[i - 1 : end + 1])
        i = end + 2


def _looks_like_path(text: str) -> bool:
    return bool(text) and " " not in text and any(c in text for c in "./\\") and not text.startswith("```")


def _path_before(lines: list[str], index: int) -> str | None:
    for j in range(index - 1, max(index - 4, -1), -1):
        candidate = lines[j].strip()
        if candidate.startswith("```"):
            candidate = candidate[3:].strip()
            if not candidate or " " in candidate or ("." not in candidate and "/" not in candidate):
                continue  # a language tag, not a path
        if candidate:
            return candidate.strip("`*")
    return None
