"""Building a trajectory's steps as a reader finds them: numbered 0..n-1, tool calls and their results
linked by call id (in any order), huge fields clipped, one shared source location per record."""

from __future__ import annotations

from typing import Any

from skillforge.ingest.base import (
    K_ASSISTANT_MESSAGE,
    K_THOUGHT,
    K_TOOL_CALL,
    K_TOOL_RESULT,
    K_USER_MESSAGE,
    MAX_TEXT,
    R_ASSISTANT,
    R_TOOL,
    T_AGENT,
    T_TOOL_OUTPUT,
    clip,
)
from skillforge.model import Role, SourceLocation, Step, StepKind, Trust


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

    def add(
        self,
        role: Role,
        kind: StepKind,
        text: str,
        trust: Trust,
        *,
        line: int | None = None,
        record: str | None = None,
        timestamp: str | None = None,
        tool_name: str | None = None,
        input: Any = None,
        call_id: str | None = None,
        pair: int | None = None,
        is_error: bool = False,
        exit_code: int | None = None,
    ) -> Step:
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps = self.steps
        step = Step(
            len(steps),
            role,
            kind,
            text,
            tool_name,
            input,
            call_id,
            pair,
            is_error,
            exit_code,
            timestamp,
            self._source(line, record),
            trust,
        )
        steps.append(step)
        return step

    def message(
        self,
        role: Role,
        text: str,
        trust: Trust,
        record: str | None = None,
        line: int | None = None,
        timestamp: str | None = None,
    ) -> Step | None:
        """A user/assistant/system message; empty text adds nothing. ``record`` and ``line`` may be given
        by position: keyword arguments cost a readers' per-step loop measurably."""
        if not text or text.isspace():
            return None
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(
            len(steps),
            role,
            K_ASSISTANT_MESSAGE if role is R_ASSISTANT else K_USER_MESSAGE,
            text,
            None,
            None,
            None,
            None,
            False,
            None,
            timestamp,
            loc,
            trust,
        )
        steps.append(step)
        return step

    def thought(
        self, text: str, record: str | None = None, line: int | None = None, timestamp: str | None = None
    ) -> Step | None:
        if not text or text.isspace():
            return None
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(
            len(steps),
            R_ASSISTANT,
            K_THOUGHT,
            text,
            None,
            None,
            None,
            None,
            False,
            None,
            timestamp,
            loc,
            T_AGENT,
        )
        steps.append(step)
        return step

    def call(
        self,
        tool_name: str,
        text: str,
        call_id: str,
        input: Any = None,
        record: str | None = None,
        line: int | None = None,
        timestamp: str | None = None,
    ) -> Step:
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc = self.steps, self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(
            len(steps),
            R_ASSISTANT,
            K_TOOL_CALL,
            text,
            tool_name,
            input,
            call_id,
            None,
            False,
            None,
            timestamp,
            loc,
            T_AGENT,
        )
        self._calls[call_id] = step.index
        steps.append(step)
        return step

    def result(
        self,
        call_id: str | None,
        text: str,
        *,
        is_error: bool = False,
        exit_code: int | None = None,
        tool_name: str | None = None,
        record: str | None = None,
        line: int | None = None,
        timestamp: str | None = None,
    ) -> Step:
        """A tool result; linked to its call when ``call_id`` names an open call."""
        call_index = self._calls.pop(call_id, None) if call_id is not None else None
        steps = self.steps
        call = steps[call_index] if call_index is not None else None
        if len(text) > MAX_TEXT:
            text = clip(text)
        loc = self._loc
        if loc.record != record or loc.line != line:
            loc = self._loc = SourceLocation(self.file, line, record)
        step = Step(
            len(steps),
            R_TOOL,
            K_TOOL_RESULT,
            text,
            tool_name or (call.tool_name if call else None),
            None,
            call_id,
            call_index,
            is_error,
            exit_code,
            timestamp,
            loc,
            T_TOOL_OUTPUT,
        )
        steps.append(step)
        if call is not None:
            call.pair = step.index
        return step

    def pair(
        self,
        tool_name: str,
        text: str,
        call_id: str,
        input: Any,
        output: str,
        is_error: bool,
        exit_code: int | None,
        timestamp: str | None,
    ) -> None:
        """A tool call and its result at once, by position: the steps :meth:`call` then :meth:`result`
        with the same ``call_id`` add (no record or line), for readers that find both in one record."""
        if len(text) > MAX_TEXT:
            text = clip(text)
        if len(output) > MAX_TEXT:
            output = clip(output)
        steps, loc, n = self.steps, self._loc, len(self.steps)
        if loc.record is not None or loc.line is not None:
            loc = self._loc = SourceLocation(self.file)
        self._calls.pop(call_id, None)  # an earlier open call of the same id: its result never comes
        steps.append(
            Step(
                n,
                R_ASSISTANT,
                K_TOOL_CALL,
                text,
                tool_name,
                input,
                call_id,
                n + 1,
                False,
                None,
                timestamp,
                loc,
                T_AGENT,
            )
        )
        steps.append(
            Step(
                n + 1,
                R_TOOL,
                K_TOOL_RESULT,
                output,
                tool_name,
                None,
                call_id,
                n,
                is_error,
                exit_code,
                timestamp,
                loc,
                T_TOOL_OUTPUT,
            )
        )

    def put(
        self,
        role: Role,
        kind: StepKind,
        text: str,
        trust: Trust,
        tool: str | None,
        input: Any,
        call_id: str | None,
        error: bool,
        code: int | None,
        ts: str | None,
        opens: str | None = None,
        closes: str | None = None,
    ) -> Step:
        """A step whose every field the reader knows (ATIF documents skillforge wrote), by position:
        ``tool`` its tool name, ``error`` and ``code`` its error flag and exit code, ``ts`` its timestamp. A
        call ``opens`` the id results name it by; a result ``closes`` one and is linked to it as
        :meth:`result` links them (``call_id`` is what the step keeps, which may differ)."""
        if len(text) > MAX_TEXT:
            text = clip(text)
        steps, loc, n = self.steps, self._loc, len(self.steps)
        if loc.record is not None or loc.line is not None:
            loc = self._loc = SourceLocation(self.file)
        pair = self._calls.pop(closes, None) if closes is not None else None
        steps.append(Step(n, role, kind, text, tool, input, call_id, pair, error, code, ts, loc, trust))
        if opens is not None:
            self._calls[opens] = n
        if pair is not None:
            steps[pair].pair = n
        return steps[n]

    def is_open(self, call_id: str | None) -> bool:
        return isinstance(call_id, str) and call_id in self._calls
