"""Hidden characters: invisible or direction-changing unicode that can carry instructions a reviewer does not
see. Judged by their neighbours, so Persian joiners, emoji sequences and regexes that strip such characters
pass. Findings are ``(rule, offset, message, confidence)``, as :mod:`skillforge.safety.injection` gathers them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.context import Context

_HIDDEN = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)

_HIDDEN_UTF8 = re.compile(  # the same characters' UTF-8 encodings
    rb"\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xb8[\x80-\x8f]|\xef\xbb\xbf"
    rb"|\xf3\xa0(?:[\x80\x81][\x80-\xbf]|[\x84-\x86][\x80-\xbf]|\x87[\x80-\xaf])"
)
_ALWAYS_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
_JOINERS = "\u200c\u200d"
_NEAR = 64  # how far a run of invisible characters is followed to its visible neighbours
_PUNCT = frozenset("[-]'\"/\\|()`")


def hidden_characters(text: str, ctx: Context) -> Iterator[tuple[str, int, str, str]]:
    """Invisible characters: bidirectional overrides and tag or supplementary variation characters
    always (high); zero-width characters between Latin letters (high) or elsewhere in prose (low);
    joiners inside words of scripts that need them (Persian, Indic) and in emoji are fine; a run of
    variation selectors U+FE00-U+FE0F, or one after a letter, hides data (high)."""
    if text.isascii():  # every hidden character is outside ASCII (and isascii() is O(1))
        return
    if not _HIDDEN_UTF8.search(text.encode("utf-8", "surrogatepass")):
        return  # a byte search is several times faster than re over wide characters
    body = text[1:] if text.startswith("\ufeff") else text
    offset = len(text) - len(body)
    for m in _HIDDEN.finditer(body):
        i, char = m.start(), m.group(0)
        if body[i - 1 : i] == char == body[i + 1 : i + 2]:
            continue  # inside a run of one character: its ends say as much (findings are per line)
        conf = _hidden_confidence(body, i, char, ctx, offset)
        if conf:
            yield (
                "hidden-unicode",
                i + offset,
                f"hidden or bidirectional unicode character U+{ord(char):04X}",
                conf,
            )


def _hidden_confidence(body: str, i: int, char: str, ctx: Context, offset: int) -> str | None:
    before = body[i - 1] if i > 0 else " "
    after = body[i + 1] if i + 1 < len(body) else " "
    if _ALWAYS_HIDDEN.match(char):
        return "high"
    if "\ufe00" <= char <= "\ufe0f":
        if "\ufe00" <= after <= "\ufe0f" or "\ufe00" <= before <= "\ufe0f":
            return "high"  # a run of selectors encodes bytes
        return (
            "high" if before.isascii() and before.isalpha() else None
        )  # after an emoji or symbol: its style
    if char in _JOINERS and (_between_emoji(body, i) or not (before.isascii() or after.isascii())):
        return None  # ZWJ in an emoji sequence, ZWNJ/ZWJ inside Persian, Arabic or Indic words
    if char in "\u200e\u200f" and not (before.isascii() and after.isascii()):
        return None  # direction marks beside right-to-left text
    j, k = i - 1, i + 1  # the nearest visible neighbours (a run of invisible characters counts as one)
    while j > max(0, i - _NEAR) and _HIDDEN.match(body[j]):  # within a bounded reach: a long run
        j -= 1  # costs linear time, not quadratic
    while k < min(len(body) - 1, i + _NEAR) and _HIDDEN.match(body[k]):
        k += 1
    if body[j : j + 1] in _PUNCT or body[k : k + 1] in _PUNCT:
        return "low"  # a character class, string or alternation that names the character (a stripper)
    if ctx.quoted(i + offset) or (
        ctx.in_code_block(i + offset) and not (before.isalpha() and after.isalpha())
    ):
        return "low"  # a string or character class that names the character (a stripper's regex)
    return "high"  # in prose: nothing shows it


# terminal control sequences that hide or rewrite what a person reading the file in a terminal sees:
# an OSC (hyperlink, clipboard, title), concealed text (SGR 8), cursor moves and erasing, a reset, and
# backspaces over a word; other escapes (a key code in a terminal's docs, a "\b" that a string escape
# turned into a backspace: C:\Program Files\Git\bin) only in prose
_TERMINAL = re.compile(r"\x1b(?:\]|\[[0-9;?]*[ABCDEFGHJKf]|\[[su]|[c78])")
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOUR_ARGS = {"5": 2, "2": 4}  # 38;5;n and 38;2;r;g;b (also 48, 58): n, r, g, b are colours, not modes


def _conceals(params: str) -> bool:
    """Whether an SGR sequence's parameters turn on concealed text (mode 8), read parameter by
    parameter: ``38;5;208`` (orange), ``28`` (reveal) and ``98`` (bright grey) are colours, not 8."""
    ps = params.split(";")
    i = 0
    while i < len(ps):
        mode = ps[i].lstrip("0") or "0"
        if mode == "8":
            return True
        i += 1 + (_COLOUR_ARGS.get(ps[i + 1], 0) if mode in ("38", "48", "58") and i + 1 < len(ps) else 0)
    return False


_ESC = re.compile(r"[\x1b\x08\x9b]")


def terminal_controls(text: str, ctx: Context) -> Iterator[tuple[str, int, str, str]]:
    """Terminal control characters: a sequence that conceals, moves the cursor, erases or links (high),
    any other escape or C1 control in prose (low); in code, only the first kind."""
    if "\x1b" not in text and "\x08" not in text and "\x9b" not in text:
        return
    for m in _ESC.finditer(text):
        i = m.start()
        sgr = _SGR.match(text, i)
        if (
            _TERMINAL.match(text, i)
            or (sgr and _conceals(sgr.group(1)))
            or text.startswith("\x08\x08\x08", i)  # or backspaces over a word
        ):
            conf = "high"
        elif ctx.in_code_block(i) or ctx.quoted(i):
            continue
        else:
            conf = "low"
        name = {"\x1b": "ESC", "\x08": "backspace", "\x9b": "CSI"}[text[i]]
        yield (
            "hidden-unicode",
            i,
            f"terminal control character ({name}) hides or rewrites what a terminal shows",
            conf,
        )


def _between_emoji(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and ord(text[i - 1]) >= 0x2600 and ord(text[i + 1]) >= 0x2600


_NAME_HIDDEN = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]|(?<=[\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f])"
    # a variation selector after a letter, or a run of them (one after an emoji, as in ⚠️, is its style)
    "|(?<=[\x00-\u1fff\ufe00-\ufe0f])[\ufe00-\ufe0f]"
)


def hidden_in_name(name: str) -> str | None:
    """The first invisible or direction-changing character of a file name (``notes\u202etxt.md`` shows
    as ``notesdm.txt``), as ``U+XXXX``; joiners between letters of scripts that need them pass."""
    if name.isascii():
        return None
    m = _NAME_HIDDEN.search(name)
    return f"U+{ord(m.group(0)):04X}" if m else None
