"""What Gemini CLI's texts say in their own words: the exit code a shell tool prints (``Exit Code: N`` at
the start of a line near the end of its output) and the ``[Thought: …]`` markers older versions left in
an answer. Both are found with ``str.find`` (one letter, or a literal, then checked in place): regexes
that start with no literal were tried at every position of every text.
"""

from __future__ import annotations

import re

from skillforge.ingest.reading import exit_code
from skillforge.model import Step, StepKind

SHELL_TOOLS = frozenset({"run_shell_command"})  # Gemini CLI's shell tool

# ASCII digits only: ``\d`` also takes other scripts' digits (``int`` reads "١٢" as 12), which the CLI
# never prints
_EXIT_RE = re.compile(r"Exit Code: (-?[0-9]+)")
# a thought part flattened to text by versions before the fix of google-gemini/gemini-cli#23525: the
# thought's text, then this marker at the start of a line, then the answer (a marker within a line is
# text the model wrote about it)
_THOUGHT_MARK = re.compile(r"\[Thought: (?:true|false)\]")  # at the text's start or a line's: see marks


def exit_code_line(text: str, start: int = 0) -> int | None:
    """The code of the first line of ``text[start:]`` that starts ``Exit Code: N`` (as
    ``^Exit Code: (-?[0-9]+)`` searched line by line in that tail; None when N is no code a process could
    return, which JSON output could not hold either). Found by the phrase's ``x``: a one-letter
    ``str.find`` runs at ``memchr`` speed, where the phrase's (or the regex's) took a microsecond or more
    over a shell tool's output; a tail with many x's (a hex dump) is searched for the phrase instead."""
    if start < 0:
        start = 0
    x, tries = text.find("x", start + 1), 0
    while x != -1:
        at = x - 1  # a line start is checked first: it rules out most x's without a call
        if (at == start or text[at - 1] == "\n") and (match := _EXIT_RE.match(text, at)):
            return exit_code(int(match[1]))  # a code a process could return: not 10**30
        tries += 1
        if tries == 8:
            return _exit_code_phrase(text, start, x)
        x = text.find("x", x + 1)
    return None


def _exit_code_phrase(text: str, start: int, after: int) -> int | None:
    """:func:`exit_code_line` for the lines past ``after``, by the whole phrase."""
    at = text.find("Exit Code: ", after)
    while at != -1:
        if at == start or text[at - 1] == "\n":
            match = _EXIT_RE.match(text, at)
            if match:
                return exit_code(int(match.group(1)))
        at = text.find("Exit Code: ", at + 1)
    return None


def marks(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds ``[Thought: true]`` (or ``false``) at its start or a line's: each marker's
    span with the line break before it, as ``(?:^|\\n)\\[Thought: (?:true|false)\\]`` matches. Found with
    ``str.find``: that regex, which starts with no literal, was tried at every position (75 us for one
    2,400-character answer). Markers cannot overlap: each starts with a ``[`` none holds inside."""
    spans = []
    at = text.find("[Thought: ")
    while at != -1:
        match = _THOUGHT_MARK.match(text, at)
        if match is not None and (at == 0 or text[at - 1] == "\n"):
            spans.append((at - 1 if at else 0, match.end()))
        at = text.find("[Thought: ", at + 1)
    return spans


def split_marks(text: str) -> list[str]:
    """``text`` split at its markers (:func:`marks`), as ``re.split`` splits at that regex."""
    pieces, last = [], 0
    for start, end in marks(text):
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return pieces


def shell_exit_codes(steps: list[Step]) -> None:
    """Each Gemini CLI shell result's exit code (``Exit Code: N`` near its end, after ``Error: (none)``),
    for results that carry none: a Harbor ATIF document of a Gemini CLI run has no field for it. A code
    the log gave is kept."""
    for step in steps:
        if step.kind is StepKind.TOOL_RESULT and step.exit_code is None and step.tool_name in SHELL_TOOLS:
            step.exit_code = exit_code_line(step.text, len(step.text) - 2000)
            step.is_error = step.is_error or bool(step.exit_code)
