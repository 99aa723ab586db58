"""The programming language a skill is about, from its name, and the languages a task shows, from its
words and its working folder: a skill for one language is damped on a task that shows only others (a
task that shows none leaves it alone: damping those too cost the Go tasks that name only a Go library).

Public libraries name language-specific skills with the language first (``golang-error-handling``,
``python-testing``, ``react-best-practices``), and their descriptions share ordinary words (errors,
tests, documentation, CI) with tasks in every language: on real prompts, "benchmark this Python
function", "add Sentry to our Flask app" and "add JSDoc comments to App.tsx" picked Go skills. Only a name's first word is read (``llama-cpp`` is
a tool, not a C++ skill), and only words that name a language or a framework of exactly one; a
declared ``language:`` scope is read the same way, unless the working folder's languages are known (then
:func:`route.rank.scope_factor` judges it).
A task's languages come from unambiguous cues in its first characters (``pytest``, a ``.go`` file,
``package.json``, ``cargo build``; "Flask" or "Swift" only capitalised) and from the marker files of its
working folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

MISMATCH = 0.5  # a skill for one language on a task that shows only other languages

# one ecosystem: a JavaScript skill fits a TypeScript task, a Java skill (JUnit, Gradle) a Kotlin one
_FAMILY = {"typescript": "javascript", "kotlin": "java"}

_NAME_FIRST_WORD = {  # a skill name's first word -> the language the skill is about
    "golang": "go",
    "python": "python",
    "django": "python",
    "flask": "python",
    "fastapi": "python",
    "pytest": "python",
    "rust": "rust",
    "javascript": "javascript",
    "typescript": "javascript",
    "nodejs": "javascript",
    "react": "javascript",
    "nextjs": "javascript",
    "vue": "javascript",
    "angular": "javascript",
    "svelte": "javascript",
    "java": "java",
    "kotlin": "kotlin",
    "swift": "swift",
    "swiftui": "swift",
    "ruby": "ruby",
    "rails": "ruby",
    "php": "php",
    "laravel": "php",
    "csharp": "c#",
    "dotnet": "c#",
    "elixir": "elixir",
    "cpp": "c++",
}

# unambiguous signs of a language in a task: words (lowercased), file extensions, and words that are also
# ordinary English when not capitalised ("flask", "swift", "unity"), read as written
_WORDS = {
    "go": "golang goroutine goroutines gofmt",
    "python": "python python2 python3 pytest django fastapi pandas numpy pytorch jupyter conda ipynb",
    "javascript": "javascript typescript nodejs npm npx yarn pnpm deno vite nextjs",
    "rust": "rustc rustup",
    "java": "java gradle maven android",
    "kotlin": "kotlin",
    "swift": "swiftui xcode",
    "ruby": "ruby gemfile",
    "php": "php laravel wordpress",
    "c#": "dotnet csharp",
    "c++": "cmake arduino",
    "elixir": "elixir",
}
# names that are also English words, read as written and never at a sentence's start ("React to SIGTERM"),
# nor where the words around them say otherwise ("Unity Catalog", "guard Rails", "Swift payments")
_CASED = {
    "javascript": r"React\b|Vue\b(?! d['’])|Angular\b|Svelte\b",
    "rust": r"Rust\b(?!-)",
    "java": r"Swing\b",
    "swift": r"Swift\b(?! (?:payments?|codes?|messages?|transfers?|network|MT\d))",
    "ruby": r"(?<!Guard )(?<!guard )Rails\b",
    "python": r"Flask\b",
    "c#": r"Unity\b(?! Catalog)",
    "go": r"Go\b(?= (?:code|service|module|modules|backend|project|app|program|structs?|version|binary|server|client"
    r"|library|package|tests?|\d))",
}
_GO_AFTER = (
    r"\b(?:[Ii]n|[Ww]ith|[Uu]sing|[Oo]ur|[Tt]he|[Aa]|[Mm]y|[Ii]diomatic|[Ww]ritten in|[Pp]ure|[Pp]lain) Go\b"
)
_EXTENSIONS = {
    "go": "go",
    "python": "py ipynb",
    "javascript": "js mjs cjs jsx ts tsx vue svelte",
    "rust": "rs",
    "java": "java",
    "kotlin": "kt kts",
    "swift": "swift",
    "ruby": "rb",
    "php": "php",
    "c#": "cs csproj",
    "c++": "cpp cc hpp ino",
    "elixir": "ex exs",
}
_PHRASES = {  # cues of more than one word, lowercased: (substrings one of which every match holds, pattern)
    "go": (
        "go |go.|err != nil|package main",
        r"\bgo (?:test|build|run|vet|generate|install)(?: -[\w.=]+)* (?:\./|\S+\.go\b|[\w.-]+/)|\bgo (?:test|build|vet)"
        r"(?: -[\w.=]+)*\s*$|\bgo mod (?:tidy|init|download|vendor|edit|graph|verify|why)\b|\bgo get (?:-u )?[\w.-]+\.[a-z]{2,}/"
        r"|\bgo work (?:init|use|sync)\b|\bgo\.(?:mod|sum)\b|\berr != nil\b"
        r"|\bpackage main\b",
    ),
    "python": (
        "pip|pyproject|requirements.txt|traceback|modulenotfounderror",
        r"\bpip3? install\b|\bpyproject\.toml\b|\brequirements\.txt\b|traceback \(most recent call last\)"
        r"|\bmodulenotfounderror\b",
    ),
    "javascript": ("node.js|next.js|package.json", r"\bnode\.js\b|\bnext\.js\b|\bpackage\.json\b"),
    "rust": ("cargo", r"\bcargo (?:build|test|run|add|check|clippy)\b|\bcargo\.toml\b"),
    "java": ("spring boot", r"\bspring boot\b"),
    "ruby": ("bundle ", r"\bbundle (?:exec|install)\b"),
    "c#": ("c#|.net", r"(?<!\w)c#|\basp\.net\b|(?<![\w.])\.net\b"),
    "c++": ("c++", r"(?<!\w)c\+\+"),
    "elixir": ("mix ", r"\bmix (?:test|compile|deps\.get)\b"),
}


def _by_word(table: dict[str, str]) -> dict[str, str]:
    return {word: lang for lang, words in table.items() for word in words.split()}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_WORD_LANG, _EXT_LANG = _by_word(_WORDS), _by_word(_EXTENSIONS)
_CASED_LANGS = tuple(_CASED)
_URL = re.compile(r"\w+://\S+")


class _Patterns(NamedTuple):
    word: re.Pattern[str]
    cased: re.Pattern[str]
    extension: re.Pattern[str]
    go_after: re.Pattern[str]
    phrases: dict[str, tuple[tuple[str, ...], re.Pattern[str]]]


@cache
def _patterns() -> _Patterns:
    """The cues, compiled when a task's languages are first asked for (not on route's import path)."""
    cased = "|".join(f"(?P<c{n}>{p})" for n, p in enumerate(_CASED.values()))
    return _Patterns(
        re.compile(rf"\b(?:{_alternation(_WORD_LANG)})\b"),
        re.compile(r"(?<=[\w,)] )(?:" + cased + ")"),
        re.compile(rf"(?<=\w)\.({_alternation(_EXT_LANG)})\b"),
        re.compile(_GO_AFTER),
        {
            lang: (tuple(cues.split("|")), re.compile(pattern, re.M))
            for lang, (cues, pattern) in _PHRASES.items()
        },
    )


SCANNED = 4000  # a task's first characters are read: the request, and the start of a paste


@cache
def skill_language(name: str) -> str:
    """The language a skill is about, from the first word of its name ("" when it names none)."""
    return _NAME_FIRST_WORD.get(re.split(r"[-_.\s]", name.lower(), maxsplit=1)[0], "")


def task_languages(text: str, folder_languages: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """The languages a task shows: cues in its first ``SCANNED`` characters (and ``folder_languages``,
    the marker files of its working folder, when given)."""
    head = text[:SCANNED]
    lowered = head.lower()
    cues = _patterns()
    plain = _URL.sub(" ", lowered)  # not a URL's host or page (foo.io/page.php, s3://b/x.py)
    found = {_WORD_LANG[w] for w in cues.word.findall(plain)}
    found.update(_CASED_LANGS[int(m.lastgroup[1:])] for m in cues.cased.finditer(head) if m.lastgroup)
    if cues.go_after.search(head):
        found.add("go")
    found.update(_EXT_LANG[e] for e in cues.extension.findall(plain))
    found.update(
        lang
        for lang, (cues_of, pattern) in cues.phrases.items()
        if lang not in found and any(cue in lowered for cue in cues_of) and pattern.search(lowered)
    )
    found.update(lang.lower() for lang in folder_languages)
    return frozenset(map(_family, found))


def language_factor(skill: str, text: frozenset[str], folder: list[str] | tuple[str, ...] = ()) -> float:
    """The factor for a skill about language ``skill`` on a task whose text shows languages ``text`` and
    whose working folder holds the marker files of ``folder``. Only the text can say the task is in
    another language: a folder's markers say what else is there (a monorepo's root ``package.json``
    beside a Go service), so they can clear a mismatch but never make one."""
    skill = _family(skill)
    if not skill or not text or skill in text:
        return 1.0
    return 1.0 if skill in {_family(lang.lower()) for lang in folder} else MISMATCH


def _family(language: str) -> str:
    return _FAMILY.get(language, language)
