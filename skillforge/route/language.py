"""The programming language a skill is about, from its name, and the languages a task shows, from its
words and its working folder: a skill for one language is damped on a task that shows only others (a
task that shows none leaves it alone: damping those too cost the Go tasks that name only a Go library).

Public libraries name language-specific skills with the language first (``golang-error-handling``,
``python-testing``, ``react-best-practices``), and their descriptions share ordinary words (errors,
tests, documentation, CI) with tasks in every language: on real prompts, "benchmark this Python
function", "add Sentry to our Flask app" and "add JSDoc comments to App.tsx" picked Go skills. Only a name's first word is read (``llama-cpp`` is
a tool, not a C++ skill), and only words that name a language or a framework of exactly one; a skill
with an explicit ``language:`` scope is judged by that scope instead (:func:`route.rank.scope_factor`).
A task's languages come from unambiguous cues (``pytest``, ``.go`` files, ``package.json``, ``cargo``…)
in its text and from the marker files of its working folder.
"""

from __future__ import annotations

import re
from functools import cache

MISMATCH = 0.5  # a skill for one language on a task that shows only other languages

_FAMILY = {"typescript": "javascript"}  # one ecosystem: a JavaScript skill fits a TypeScript task

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

_CUES = {  # unambiguous signs of a language in a task's text (lowercased)
    "go": r"\bgolang\b|\bgo (?:test|build|run|mod|get|vet|generate|install|work)\b|\bgo\.(?:mod|sum)\b|\w\.go\b"
    r"|\bgoroutines?\b|\bgofmt\b",
    "python": r"\bpython[23]?\b|\w\.py\b|\.ipynb\b|\bpip3? install\b|\bpytest\b|\bdjango\b|\bflask\b|\bfastapi\b"
    r"|\bpandas\b|\bnumpy\b|\bpytorch\b|\bjupyter\b|\bconda\b|\bpyproject\.toml\b|\brequirements\.txt\b"
    r"|traceback \(most recent call last\)|\bmodulenotfounderror\b",
    "javascript": r"\b(?:java|type)script\b|\bnode\.?js\b|\bnpm\b|\bnpx\b|\byarn\b|\bpnpm\b|\w\.(?:m?js|jsx|tsx?|vue|svelte)\b"
    r"|\breact\b|\bnext\.?js\b|\bvue\b|\bangular\b|\bsvelte\b|\bpackage\.json\b|\bdeno\b|\bvite\b",
    "rust": r"\brust\b|\bcargo\b|\w\.rs\b|\bcrates?\b",
    "java": r"\bjava\b|\w\.java\b|\bgradle\b|\bmaven\b|\bspring boot\b|\bandroid\b|\bswing\b",
    "kotlin": r"\bkotlin\b|\w\.kts?\b|\bandroid\b",
    "swift": r"\bswift(?:ui)?\b|\w\.swift\b|\bxcode\b",
    "ruby": r"\bruby\b|\brails\b|\w\.rb\b|\bgemfile\b",
    "php": r"\bphp\b|\w\.php\b|\blaravel\b|\bwordpress\b",
    "c#": r"\bc#|\w\.cs\b|\bdotnet\b|\.net\b|\bunity\b",
    "c++": r"\bc\+\+|\w\.(?:cpp|cc|hpp)\b|\bcmake\b|\barduino\b|\w\.ino\b",
    "elixir": r"\belixir\b|\w\.exs?\b|\bmix (?:test|compile|deps)\b",
}
_LANGS = tuple(_CUES)
_TASK = re.compile("|".join(f"(?P<g{n}>{cue})" for n, cue in enumerate(_CUES.values())))


@cache
def skill_language(name: str) -> str:
    """The language a skill is about, from the first word of its name ("" when it names none)."""
    return _NAME_FIRST_WORD.get(re.split(r"[-_.\s]", name.lower(), maxsplit=1)[0], "")


def task_languages(text: str, folder_languages: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """The languages a task shows: cues in its text, and its working folder's marker files."""
    found = {_LANGS[int(m.lastgroup[1:])] for m in _TASK.finditer(text.lower()) if m.lastgroup}
    found.update(lang.lower() for lang in folder_languages)
    return frozenset(_FAMILY.get(lang, lang) for lang in found)


def language_factor(skill: str, task: frozenset[str]) -> float:
    """The factor for a skill about language ``skill`` on a task showing languages ``task``."""
    return MISMATCH if skill and task and skill not in task else 1.0
