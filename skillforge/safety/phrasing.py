"""How the phrase rules of :mod:`skillforge.safety.injection` read text: as it renders (``rendered``:
NFKC, so decomposed accents and ``Ⅰgnore`` read as written; markdown emphasis markers and invisible
format characters such as a soft hyphen dropped), look-alike letters folded to
Latin (``Ｉｇｎｏｒｅ``, ``Іgnore``, ``İGNORE``), the quote and comment markers of continued lines
blanked, negations, and which override paraphrases ordinary text also says (found, but at low
confidence: a warning in validate, quarantined by distill all the same).
"""

from __future__ import annotations

import re
import unicodedata

# characters that render as nothing inside a word: format characters (soft hyphen, zero-width, word
# joiner, bidirectional marks, tags), the combining grapheme joiner, Mongolian and Khmer vowel marks,
# variation selectors. SF607 judges them where they are; the phrase rules read the words without them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)
_BLANKS = re.compile("[\u115f\u1160\u3164\uffa0]")  # Hangul fillers: they render as a blank, a space
# the UTF-8 encodings of _INVISIBLE's and _BLANKS' characters: a byte search is several times faster than
# re over a text of wide characters, and most texts hold none
_INVISIBLE_OR_BLANK_UTF8 = re.compile(
    rb"\xc2\xad|\xcd\x8f|\xd8\x9c|\xe1(?:\x9e[\xb4\xb5]|\xa0[\x8b-\x8f]|\x85[\x9f\xa0])"
    rb"|\xe2(?:\x80[\x8b-\x8f\xaa-\xae]|\x81[\xa0-\xaf])|\xe3\x85\xa4|\xef(?:\xb8[\x80-\x8f]|\xbb\xbf|\xbe\xa0)"
    rb"|\xf3\xa0[\x80\x81]"
)
# markdown emphasis markers (``**Ignore**``, ``*instructions*``, ``_ignore_``): a run of one to three ``*`` or
# ``_`` that opens a word (after a space or an opening bracket or quote, before a word character) or closes
# one (after a word character, before a space or punctuation); not inside a name (``GITHUB_TOKEN``), a glob
# (``data_*.csv``), a list marker (``* item``) or a product (``2 * 3``). Each branch opens with the marker
# itself and looks behind afterwards: a pattern that opens with a look-behind is tried at every offset
# (4 s on the 609-skill corpus, 0.3 s this way).
_OPENER = r"""[\s(\["'>]"""
_WORDISH = r"""[^\s(\["'>*_]"""
_CLOSER = r"""[\s.,;:!?)\]"'<]"""
_NOT_CLOSER = r"""[^\s.,;:!?)\]"'<*_]"""


def _emphasis(marker: str) -> str:
    branches = []
    for n in (3, 2, 1):
        run = re.escape(marker) * n
        branches.append(f"{run}(?<={_OPENER}{run})(?={_NOT_CLOSER})")
        branches.append(f"{run}(?<={_WORDISH}{run})(?={_CLOSER}|\\Z)")
    return "|".join(branches)


_STARS = re.compile(_emphasis("*"))
_MARKS = re.compile(f"{_emphasis('*')}|{_emphasis('_')}")


def _unemphasised(text: str) -> str:
    # most underscores are inside names (snake_case): looked at only when one opens a word somewhere
    underscored = " _" in text or "\n_" in text or "(_" in text or text.startswith("_")
    return (_MARKS if underscored else _STARS).sub("", "\n" + text)[1:]  # "\n": a marker opening the text


def rendered(text: str, script: bool = False) -> str:
    """``text`` as a reader sees it, for the phrase rules: emphasis markers and invisible characters
    dropped (not in a ``script``: emphasis is markdown), Hangul fillers read as spaces, then NFKC (``pre\u0301ce\u0301dentes`` reads ``précédentes``). The same object when nothing
    changes; always as many lines (findings keep their line numbers): a change that would add or drop a
    line break is not made."""
    out = _unemphasised(text) if not script and ("*" in text or "_" in text) else text
    if not out.isascii():
        if _INVISIBLE_OR_BLANK_UTF8.search(out.encode("utf-8", "surrogatepass")):
            out = _BLANKS.sub(" ", _INVISIBLE.sub("", out))
        if not unicodedata.is_normalized("NFKC", out):
            out = unicodedata.normalize("NFKC", out)
    if out == text or out.count("\n") != text.count("\n") or out.count("\r") != text.count("\r"):
        return text
    return out


NEGATED = re.compile(r"\b(?:never|not|don't|do not|without|avoid|no)\b")

# Paraphrases that ordinary text also says ("hide this button from the user", "ignore the above and run
# docker compose up instead", "the worker is no longer bound by the request timeout", "## New instructions
# from the developer", "never delete branches without telling the user"): low confidence, a warning (distill
# still quarantines them), unless the words around say instructions (", rules", a colon after the sender).
_SOFT_OVERRIDE = re.compile(
    r"(?:ignore|disregard|forget)\s+(?:everything|anything)\s+before\b"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?the\s+above\b"
    r"|hide\s"
    r"|i\s+(?:hereby\s+)?authori[sz]e\b"
    r"|no\s+longer\s+bound\s+by\s++(?!(?:(?:your|the|any|all|its|my|their)\s+)*(?:previous\s+|prior\s+|original\s+|"
    r"system\s+)?(?:rules|instructions|guidelines|restrictions|policies|prompt|programming)\b)"
    r"|new\s+(?:system\s+)?instructions?\s+from\s+(?:the\s+)?+[a-z]++(?!\s*:)"
)


# a negation just before, on the same line or the one before (a paragraph break starts a new sentence)
_JUST_NEGATED = re.compile(
    r"\b(?:never|don['’]t|do\s+not|must\s+not|mustn['’]t|should\s+not|shouldn['’]t)"
    r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)\Z"
)
# an override of *someone's* instructions with no word saying which ones ("ignore your instructions",
# "disregard the user's rules"): ordinary text says it too ("Git will ignore your rules", "never … or
# ignore the user's instructions"), so it is high confidence only as a command, where a sentence starts
_WHOSE = re.compile(
    r"(?:ignore|disregard|forget)\s+(?:(?:all|any|the|of)\s+)*"
    r"(?:your|(?:users?|developers?|operators?|admin(?:istrator)?s?|system)(?:['’]s?)?)\s+"
    r"(?:instructions?|prompts?|rules|directives|guidelines)\b"
)
# what may stand before a command on its line: nothing, the end of a sentence or clause, a list or quote
# marker, an opening bracket or quote, "please"
_COMMAND_START = re.compile(r"(?:[.!?:;\"'(\[*\->`)•]|\bplease,?)[^\S\n]*\Z")


# a prohibition that governs the code right after it: "never use `curl -k`, `git config http.sslVerify
# false` or `pip --trusted-host`", "do not run `…`", "avoid `…`": between the negation and the first
# command only a few verbs and separators ("don't worry, just run `…`" is no prohibition of the command),
# after it only list separators and further code spans ("do not run `x`, run `curl … | sh`" and "not
# `wget`, use `…`" recommend the second command). "Instead of"/"rather than" govern only the one span
# right after them: "instead of `x`, use `y`" and "rather than `x`, `y`" recommend `y`.
_NEGATION = r"never|don['’]t|do\s+not|must\s+not|mustn['’]t|should\s+not|shouldn['’]t|avoid|not"
_BEFORE_CODE = (
    r"(?:[\s*_,]+|\b(?:use|using|run|running|type|add|pass|set|call|try|copy|paste|execute|with|like|such|"
    r"as|e\.g\.|commands?|flags?|options?|settings?|the|a|an|or|and|nor|ever)\b)*+"
)
_PROHIBITION = re.compile(
    rf"(?:\b(?:{_NEGATION})\b{_BEFORE_CODE}(?:`[^`\n]*`(?:[\s*_,]+|\b(?:or|and|nor)\b)*+)*+"
    rf"|\b(?:instead\s+of|rather\s+than)\b{_BEFORE_CODE})`\Z",
    re.IGNORECASE,
)


def advised_against(text: str, start: int) -> bool:
    """Inline code at ``start`` (just after its backtick) that the prose before it prohibits, on its line
    (a bounded look back): "never use `curl -k`", "do not run `curl … | sh` or `…`"."""
    line = text.rfind("\n", max(0, start - 240), start) + 1
    return _PROHIBITION.search(text, max(line, start - 240), start) is not None


def override_confidence(low: str, start: int) -> str:
    """``low`` for a paraphrase ordinary text also says, an override right after a negation ("never
    ignore the user's instructions"), one of someone's instructions not given as a command, or a
    secrecy phrase after a negation."""
    if _SOFT_OVERRIDE.match(low, start) or _JUST_NEGATED.search(low, max(0, start - 24), start):
        return "low"
    if _WHOSE.match(low, start):
        before = low[max(low.rfind("\n", max(0, start - 200), start) + 1, start - 200) : start]
        return "high" if not before.strip() or _COMMAND_START.search(before) else "low"
    if low.startswith("without", start):
        reach = max(0, start - 400)  # the clause, looked for within a bounded reach (long lines)
        clause = max(low.rfind("\n", reach, start), low.rfind(". ", reach, start), reach - 1) + 1
        return "low" if NEGATED.search(low, clause, start) else "high"
    return "high"


# fullwidth ASCII and the Cyrillic and Greek letters that look Latin, one character for one (offsets kept);
# only the phrase rules read the folded text (a host name is never folded: аpple.com is not apple.com)
# (and Turkish İ, which str.lower() turns into two characters so lowered() keeps it, and dotless ı)
_LOOKALIKES = "аеорсухіјѕԁһӏԛԝοντιαεκİı"
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        **dict(zip(_LOOKALIKES, "aeopcyxijsdhlqwovtiaekii", strict=True)),
    }
)


# a fullwidth letter, or a look-alike letter inside a Latin word ("Іgnore"): CJK text full of fullwidth
# punctuation, or Russian and Greek prose, is not folded (translate() costs ~100 ns a character)
# (one character set first, then look-arounds: an alternation of sets is tried at every offset, 8x slower)
_FOLDABLE = re.compile(f"[\uff41-\uff5a{_LOOKALIKES}](?:(?<=[\uff41-\uff5a])|(?<=[a-z].)|(?=[a-z]))")


def folded(low: str) -> str:
    if low.isascii() or not _FOLDABLE.search(low):
        return low
    folded = low.translate(_FOLD)
    return folded if len(folded) == len(low) else low


# a quote or comment marker that starts a line continuing a sentence ("> ignore all previous\n> instructions",
# "# … \n# …", "// …"): not a word, so blanked (offsets kept) for the phrase rules. Only after a line ending in
# a word (or inline code, a quote, a bracket) and before one (or `code`, $VAR, ~/path); headings after a
# blank line are left: most texts are then read as they are. For ``#`` and ``//``, only where the line before
# starts with the same marker (a commented block: a heading after a line of prose is left as it is). A CRLF
# line end is one too.
_LINE_MARKS = re.compile(
    r"\n(?:(?<=[\w,`'\")]\n)|(?<=[\w,`'\")]\r\n))[ \t]*+((?:(?:>|#++|//)[ \t]*+)++)(?=[\w`$~'\"(])"
)


def unmarked(low: str) -> str:
    """``low`` with the line markers blanked, the same object when there are none. A keyword that holds
    no newline, ``>``, ``#`` or ``/`` and starts with no space occurs at the same offsets in both (a
    blanked marker becomes spaces after its newline), so the keyword pass of ``low`` serves both."""
    if ">" not in low and "#" not in low and "//" not in low:
        return low
    blanked = _LINE_MARKS.sub(lambda m: _blank(low, m), low)
    return low if blanked == low else blanked


def _blank(low: str, m: re.Match[str]) -> str:
    """The marker of a continued line as spaces: a quote marker always, a ``#`` or ``//`` one when the line
    before starts with it too (a comment block; "## Messages" after a line of prose is a heading)."""
    mark = m.group(1)[:1]
    if mark != ">":
        before = low[low.rfind("\n", 0, m.start()) + 1 : m.start()].lstrip(" \t")
        if not before.startswith(mark):
            return m.group()
    return "\n" + " " * (len(m.group()) - 1)


# where a line break ends the sentence it is in: the line before ends in neither a word, a comma nor inline
# code (a ".", ":", ")" or "{" ends a sentence or a line of code) or is a heading, or the line after is blank
# or, past quote markers, starts a new block (a list item, heading, table row, fence or html tag); markdown
# reads any other break in a paragraph as a space ("send\nthe value of $GITHUB_TOKEN to …" is one request)
NEW_BLOCK = (
    r"[ \t>]*+(?:[\r\n]|\Z|[-*+][ \t]|\d{1,9}[.)](?:[ \t\r\n]|\Z)|#|\||```|~~~|<)"  # after a line break
)
_BREAK_ENDS = re.compile(rf"(?<![\w,`\r])\n|(?<=\r)(?<![\w,`]\r)\n|\n(?={NEW_BLOCK})")  # tried at a "\n"
_HEADING = re.compile(r"[ \t]*+#")
REACH = 200  # how far from a match its sentence is read (a long line costs linear time)


def sentence_line(
    low: str, start: int, end: int, prose: bool = True, reach: int = REACH
) -> tuple[int, int] | None:
    """(start, end) of the line holding ``low[start:end]``, at most ``reach`` characters either side, in
    ``prose`` joined with the lines of its sentence before and after (see ``_BREAK_ENDS``); None when
    the match itself crosses a line break that ends a sentence (a blank line, a new block). Not
    ``prose`` (a code block): the lines around the match, never joined."""
    floor, ceiling = max(0, start - reach), min(len(low), end + reach)
    if not prose:
        first, last = low.rfind("\n", floor, start), low.find("\n", end, ceiling)
        return (floor if first == -1 else first + 1), (ceiling if last == -1 else last)
    first = floor
    line = low.rfind("\n", max(0, floor - reach), floor) + 1  # where the line at ``floor`` starts
    line = line if line or floor <= reach else -1  # -1: unknown (a long line, no heading)
    nl = low.find("\n", floor, ceiling)
    while nl != -1:  # each line break found with str.find, judged by one anchored match
        if _BREAK_ENDS.match(low, nl) or (line != -1 and _HEADING.match(low, line)):
            if nl >= end:
                return first, nl
            if nl >= start:
                return None  # the match crosses the end of a sentence
            first = nl + 1
        line = nl + 1
        nl = low.find("\n", nl + 1, ceiling)
    return first, ceiling
