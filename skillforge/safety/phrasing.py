"""How the phrase rules of :mod:`skillforge.safety.injection` read text: look-alike letters folded to
Latin (``Ｉｇｎｏｒｅ``, ``Іgnore``), negations, and which override paraphrases ordinary text also says
(found, but at low confidence: a warning in validate, quarantined by distill all the same).
"""

from __future__ import annotations

import re

NEGATED = re.compile(r"\b(?:never|not|don't|do not|without|avoid|no)\b")

# Paraphrases that ordinary text also says ("hide this button from the user", "ignore the above and run
# docker compose up instead", "the worker is no longer bound by the request timeout", "## New instructions
# from the developer", "never delete branches without telling the user"): low confidence, a warning (distill
# still quarantines them), unless the words around say instructions (", rules", a colon after the sender).
_SOFT_OVERRIDE = re.compile(
    r"(?:ignore|disregard|forget)\s+(?:everything|anything)\s+before\b"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?the\s+above\b"
    r"|hide\s"
    r"|i (?:hereby\s+)?authori[sz]e\b"
    r"|no longer\s+bound\s+by\s+(?!(?:(?:your|the|any|all|its|my|their)\s+)*(?:previous\s+|prior\s+|original\s+|"
    r"system\s+)?(?:rules|instructions|guidelines|restrictions|policies|prompt|programming)\b)"
    r"|new\s+(?:system\s+)?instructions?\s+from\s+(?:the\s+)?+[a-z]++(?!\s*:)"
)


def override_confidence(low: str, start: int) -> str:
    """``low`` for a paraphrase ordinary text also says, or a secrecy phrase after a negation."""
    if _SOFT_OVERRIDE.match(low, start):
        return "low"
    if low.startswith("without", start):
        reach = max(0, start - 400)  # the clause, looked for within a bounded reach (long lines)
        clause = max(low.rfind("\n", reach, start), low.rfind(". ", reach, start), reach - 1) + 1
        return "low" if NEGATED.search(low, clause, start) else "high"
    return "high"


# fullwidth ASCII and the Cyrillic and Greek letters that look Latin, one character for one (offsets kept);
# only the phrase rules read the folded text (a host name is never folded: аpple.com is not apple.com)
_LOOKALIKES = "аеорсухіјѕԁһӏԛԝοντιαεκ"
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        **dict(zip(_LOOKALIKES, "aeopcyxijsdhlqwovtiaek", strict=True)),
    }
)


# a fullwidth letter, or a look-alike letter inside a Latin word ("Іgnore"): CJK text full of fullwidth
# punctuation, or Russian and Greek prose, is not folded (translate() costs ~100 ns a character)
# (one character set first, then look-arounds: an alternation of sets is tried at every offset, 8x slower)
_FOLDABLE = re.compile(f"[\uff41-\uff5a{_LOOKALIKES}](?:(?<=[\uff41-\uff5a])|(?<=[a-z].)|(?=[a-z]))")


def folded(low: str) -> str:
    if not _FOLDABLE.search(low):
        return low
    folded = low.translate(_FOLD)
    return folded if len(folded) == len(low) else low
