"""Text utilities, in one place: the route tokenizer, plain word splitting, the token estimate and
the tree-sitter parsers.

``tokenize`` builds the route index and reads the query with the same function: lower-case word pieces
(identifiers split on ``_``, ``-``, ``.``, ``/`` and camelCase), English stop words dropped, and a
light suffix stripper so "migrations" meets "migration" and "failing" meets "fail". ``words`` splits
prose into case-folded words (copy and overlap checks). ``estimate_tokens`` is the one chars/4
estimate. ``parser`` gives a tree-sitter parser for a language or a code fence's tag, its grammar
wheel imported on first use. ``is_binary`` and ``looks_utf16`` judge a file's first bytes (ingest
reading logs, validate reading a skill's files). Pure Python and cheap to import: it runs in the cold ``skillforge route``
path.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")

STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "else",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "like",
        "make",
        "me",
        "more",
        "most",
        "my",
        "need",
        "needs",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "use",
        "used",
        "using",
        "very",
        "via",
        "want",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "let",
        "lets",
        "new",
        "one",
        "two",
        "way",
        "thing",
        "things",
        "something",
        # greetings and acknowledgements: no request in them ("hey" routed the `video` skill at 0.69 and
        # "hello" three skills whose bodies print hello world, on real first prompts of aider sessions)
        "hi",
        "hey",
        "hello",
        "thanks",
        "thank",
        "ok",
        "okay",
        "yes",
        "yeah",
        "yep",
    ]
)

_SUFFIXES = (
    "ations",
    "ation",
    "ating",
    "ated",
    "ates",
    "ate",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "es",
    "ed",
    "ly",
    "s",
    "e",
)


def stem(word: str) -> str:
    """A conservative suffix stripper (no dictionary): enough to join plural and verb forms."""
    if len(word) <= 4:
        return word[:-1] if len(word) == 4 and word.endswith("s") and not word.endswith("ss") else word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses", "zes")):
                base = word[:-1]
            if suffix in ("ing", "ed", "er", "ers", "ings") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]  # running -> run, mapped -> map
            return base
    return word


_SEEN: dict[str, str] = {}  # raw word -> token ("" = dropped); words repeat, stemming is the cost
_SEEN_MAX = 200_000


def tokenize(text: str) -> list[str]:
    """Index/query tokens of ``text``, in order, with repeats (BM25 counts them)."""
    raw = _WORD.findall(text)
    mapped = list(map(_SEEN.get, raw))  # known words: one C-level pass
    if None in mapped:
        for i, token in enumerate(mapped):
            if token is None:
                mapped[i] = _learn(raw[i])
    return list(filter(None, mapped))


def _learn(raw: str) -> str:
    word = raw.lower()
    token = "" if len(word) < 2 or word in STOP else stem(word)
    if len(_SEEN) < _SEEN_MAX:
        _SEEN[raw] = token
    return token


_PLAIN_WORD = re.compile(r"[\w'-]+")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters, digits, ``_``, ``'`` and ``-``), case-folded, in order."""
    return [w.casefold() for w in _PLAIN_WORD.findall(text)]


CHARS_PER_TOKEN = 4


def folder_repository(cwd: str | None) -> str | None:
    """The repository a working folder is a checkout of, by its name: the folder's own name, or, for a
    git worktree, the repository's (``app/.worktrees/fix-2``, ``app/.claude/worktrees/x``,
    ``app-worktrees/app-4te``, a tool's ``.tool/worktrees/app/branch`` and Conductor's
    ``conductor/workspaces/app/tokyo`` are all ``app``), so that one repository's sessions are counted
    together. A folder merely named ``worktrees`` or ``x-worktrees`` holding other folders is not one."""
    parts = [p for p in (cwd or "").replace("\\", "/").split("/") if p and not re.fullmatch(r"[A-Za-z]:", p)]
    for i in range(len(parts) - 2, 0, -1):  # the innermost worktree folder that holds the working folder
        name, parent, child = parts[i], parts[i - 1], parts[i + 1]
        if name in (".worktrees", "worktrees") and parent == ".claude" and i > 1:
            return parts[i - 2]
        if name == ".worktrees" and not (i == 2 and parts[0] in ("home", "Users")):  # not ~/.worktrees
            return parent
        managed = name == "worktrees" and parent.startswith(".")  # a tool's .tool/worktrees/<repo>/<branch>
        if (managed or (name == "workspaces" and parent.lstrip(".") == "conductor")) and i + 2 < len(parts):
            return child
        if name.endswith("-worktrees") and child.startswith(name.removesuffix("-worktrees")):
            return name.removesuffix("-worktrees")
    return parts[-1] if parts else None


def owner_of_names(repositories: Iterable[str]) -> dict[str, str]:
    """A bare repository name (lowercased) -> the one ``owner/name`` among ``repositories`` that ends with
    it (when exactly one does; an ``owner/name`` is never a key): a session that knew only its folder's name and one that knew the pull request's
    owner worked on the same repository, while ``a/utils`` and ``b/utils`` stay apart."""
    owners: dict[str, set[str]] = {}
    for repo in repositories:
        if "/" in repo:
            owners.setdefault(repo.rsplit("/", 1)[-1].lower(), set()).add(repo)
    return {name: next(iter(full)) for name, full in owners.items() if len(full) == 1}


def estimate_tokens(text: str | int) -> int:
    """A cheap token estimate: ceil(characters / 4). Takes the text or its length."""
    chars = text if isinstance(text, int) else len(text)
    return -(-chars // CHARS_PER_TOKEN)


# grammar name -> (wheel module, function returning the language pointer)
GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "bash": ("tree_sitter_bash", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "json": ("tree_sitter_json", "language"),
    "yaml": ("tree_sitter_yaml", "language"),
    "toml": ("tree_sitter_toml", "language"),
}
# code-fence tags and other names -> grammar name
ALIASES: dict[str, str] = {
    "py": "python",
    "python3": "python",
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "js": "javascript",
    "mjs": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "yml": "yaml",
}


def grammar(lang: str) -> str | None:
    """The grammar for a language name or code-fence tag (None when there is none)."""
    lang = ALIASES.get(lang, lang)
    return lang if lang in GRAMMARS else None


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def parse(lang: str, text: str) -> Any:
    """The syntax tree of ``text`` (its root node); every parse of text from a log or a skill goes
    through here. For the shell grammar, characters beyond U+FFFF are given to the parser as four
    ASCII bytes (``____``, as long as their UTF-8, so byte offsets hold): tree-sitter-bash 0.25 crashes
    the whole process (SIGSEGV) on some of them after a backtick, e.g. ```sh`}{` + U+F0000``."""
    if not text.isascii() and grammar(lang) == "bash":
        text = _ASTRAL.sub("____", text)
    return parser(lang).parse(text.encode("utf-8", "replace")).root_node


def parser(lang: str) -> Any:
    """A tree-sitter parser for ``lang`` (a grammar name or an alias); KeyError for no grammar."""
    return _parser(grammar(lang) or lang)


@cache
def _parser(name: str) -> Any:
    from tree_sitter import Language, Parser

    module, func = GRAMMARS[name]
    return Parser(Language(getattr(importlib.import_module(module), func)()))


def looks_utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or ASCII text with a NUL byte after (or before) every character."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:256]
    return len(sample) >= 16 and (
        sample[1::2].count(0) == len(sample[1::2]) or sample[0::2].count(0) == len(sample[0::2])
    )


def is_binary(head: bytes) -> bool:
    """NUL bytes make a head binary only with many control bytes (more than 1 in 16), many NULs (1 in
    64) or no line break: a JSONL log with one corrupt line stays text, and the reader skips that line."""
    if head.find(0, 0, 8192) < 0:  # the usual text file: memchr, in place (count reads byte by byte)
        return False
    nuls = head.count(0, 0, 8192)
    head = head[:8192]
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls * 16 > len(head) or nuls * 64 > len(head) or b"\n" not in head


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
