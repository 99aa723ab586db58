"""skillforge.text: the one home of the tokenizer, word splitting, token estimate and tree-sitter parsers."""

from __future__ import annotations

import pytest

from skillforge.text import estimate_tokens, grammar, parser, tokenize, words


def test_tokenize_splits_identifiers_drops_stop_words_and_stems() -> None:
    tokens = tokenize("Fix the failing Django migrations in user_profile.models")
    assert tokens == ["fix", "fail", "django", "migr", "user", "profil", "model"]
    assert tokenize("migration") == tokenize("migrations") and tokenize("parsing") == tokenize("parse")
    assert tokenize("parseHTTPResponse") == ["pars", "http", "respons"]


def test_words_keep_apostrophes_hyphens_and_underscores() -> None:
    assert words("Don't re-run user_id TWICE") == ["don't", "re-run", "user_id", "twice"]


@pytest.mark.parametrize(
    ("text", "expected"), [("", 0), ("abc", 1), ("abcd", 1), ("abcde", 2), ("x" * 400, 100)]
)
def test_estimate_is_the_ceiling_of_a_quarter_of_the_characters(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected
    assert estimate_tokens(len(text)) == expected


def test_one_cached_parser_per_grammar_whatever_the_alias() -> None:
    assert grammar("py") == grammar("python3") == "python"
    assert grammar("zsh") == "bash" and grammar("text") is None
    assert parser("py") is parser("python")
    tree = parser("python").parse(b"def f(:\n    pass\n")
    assert tree.root_node.has_error
    assert not parser("sh").parse(b"echo hi | grep h\n").root_node.has_error


def test_no_grammar_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        parser("cobol")
