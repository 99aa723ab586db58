"""Where in a markdown text a match sits, so a finding can say how sure it is.

A phrase such as "ignore previous instructions" is an attack when a skill says it to the agent and an
example when a security skill quotes it: inside quotes, inline code or a fenced block, in a table row,
or on a line that presents examples ("e.g.", "payload", "such as"). :class:`Context` answers that for
an offset in linear time (the fences are found once per text), and :func:`made_up_host` tells the
reserved or illustrative hosts (``attacker.example``, ``target``, ``$DOMAIN``) from real ones.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from skillforge.safety.prefilter import fence_matches, finditer_from_own, folds_apart, lowered

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_EXAMPLE_WORDS = re.compile(
    r"(?i)\b(?:e\.g\.|for example|for instance|examples?(?!\.)|such as|payloads?|attacks?|attackers?|injections?|"
    r"jailbreaks?|detect\w*|malicious|adversarial|red[ -]team\w*|guardrails?|mitre|att&ck|yara|sigma|"
    r"look for|watch for|phrases?|reject\w*)\b"
)
_EXAMPLE_STARTS = (  # every match of _EXAMPLE_WORDS starts with one of these, lowered
    *("e.g.", "for", "example", "such", "payload", "attack", "injection", "jailbreak", "detect"),
    *("malicious", "adversarial", "red", "guardrail", "mitre", "att&ck", "yara", "sigma", "look", "watch"),
    *("phrase", "reject"),
)
_ILLUSTRATIVE = (
    "attacker",
    "evil",
    "victim",
    "target",
    "malicious",
    "your",
    "my-",
    "yourdomain",
    "c2",
    "exfil",
    "oast",
    "burpcollaborator",
    "interact.sh",
    "ngrok",
    "requestbin",
    "webhook.site",
)
_RESERVED_TLDS = ("example", "test", "invalid", "local", "localhost", "internal", "lan", "corp")


REACH = 2000  # how far along its line the context of an offset is read


class Context:
    """Answers "is this offset quoted, in code, in a table or among examples?" for one text."""

    def __init__(self, text: str, script: bool = False) -> None:
        self.text = text
        self.script = script  # a script file (.py, .sh…): its lines are code, never one sentence
        self._fences = self._fence_ranges(text)
        self._examples: tuple[list[int], list[int]] | None = None

    def prose(self, offset: int) -> bool:
        """Whether the offset is in prose, whose paragraph lines read as one sentence (not a script, not
        a code block)."""
        return not self.script and not self.in_code_block(offset)

    @staticmethod
    def _fence_ranges(text: str) -> list[int]:
        """Sorted offsets alternating opening and closing fence (an unclosed fence runs to the end)."""
        out: list[int] = []
        marker = ""
        for m in fence_matches(_FENCE, text):
            fence = m.group(1)
            if not marker:
                marker = fence
                out.append(m.start())
            elif fence[0] == marker[0] and len(fence) >= len(marker):
                out.append(m.end())
                marker = ""
        if marker:
            out.append(len(text))
        return out

    def in_code_block(self, offset: int) -> bool:
        return bisect_right(self._fences, offset) % 2 == 1

    def line_bounds(self, offset: int) -> tuple[int, int]:
        """The offset's line, at most ``REACH`` characters either side: every question below reads
        it, once per finding, so a long line with many findings costs linear time, not quadratic."""
        low = max(0, offset - REACH)
        start = self.text.rfind("\n", low, offset)
        end = self.text.find("\n", offset, offset + REACH)
        return start + 1 if start != -1 else low, min(len(self.text), offset + REACH) if end == -1 else end

    def quoted(self, offset: int) -> bool:
        """Inside inline code or a quotation on its line."""
        start, _ = self.line_bounds(offset)
        before = self.text[start:offset]
        if before.count("`") % 2 == 1 or (before.count('"') % 2 == 1 and not _title(before, '"')):
            return True
        if before.count("“") > before.count("”") or before.count("«") > before.count("»"):
            return True
        last = before.rfind("'")  # an opening single quote: the last one, at a word's start
        opens = last != -1 and (last == 0 or before[last - 1].isspace() or before[last - 1] in "([:=,")
        return opens and not _title(before, "'")

    def in_table(self, offset: int) -> bool:
        start, _ = self.line_bounds(offset)
        return self.text[start:offset].lstrip().startswith("|")

    def among_examples(self, offset: int) -> bool:
        """The line (or the line before it, a heading or list lead-in) presents examples."""
        start, end = self.line_bounds(offset)
        low = max(0, start - 1 - REACH)
        prev = self.text.rfind("\n", low, max(0, start - 1))
        prev = prev + 1 if prev != -1 else low
        if self._examples is None:  # every example word of the text, found once
            found = [(m.start(), m.end()) for m in _example_words(self.text)]
            self._examples = ([a for a, _ in found], [b for _, b in found])
        starts, ends = self._examples
        i = bisect_left(starts, prev)  # matches do not overlap: the first from prev ends first
        return i < len(starts) and ends[i] <= end

    def illustrative(self, offset: int) -> bool:
        """Quoted, in code, in a table or among examples: shown, not said to the agent."""
        return (
            self.in_code_block(offset)
            or self.quoted(offset)
            or self.in_table(offset)
            or self.among_examples(offset)
        )


def _example_words(text: str) -> Iterator[re.Match[str]]:
    """``_EXAMPLE_WORDS.finditer(text)``, tried only where a start word occurs in the lowered text (the
    whole text when it holds a character the case-insensitive pattern reads as another: İ, ı, ſ)."""
    low = lowered(text)
    if folds_apart(low):
        return _EXAMPLE_WORDS.finditer(text)
    return finditer_from_own(_EXAMPLE_WORDS, text, _EXAMPLE_STARTS, low)


# a link's destination, then the title's opening quote: [text](url "title"), [ref]: url 'title'
_LINK_TITLE = re.compile(r"(?:\]\(\s*<?[^\s()<>]*>?|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?\S+>?)\s+\Z")


def _title(before: str, mark: str) -> bool:
    """The quote ``mark`` that opens the rest of the line is a markdown link's title: hover text
    shown to nobody reading the page, read by an agent all the same (not a quotation)."""
    q = before.rfind(mark)
    return bool(_LINK_TITLE.search(before, max(0, q - 400), q))


def made_up_host(host: str) -> bool:
    """A reserved, illustrative or templated host (``attacker.example``, ``target``, ``$IP``, ``{host}``)."""
    host = host.lower().strip("[]")
    if not host or host[0] in "${<%" or "." not in host:
        return True
    if host.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return True
    return any(word in host for word in _ILLUSTRATIVE)
