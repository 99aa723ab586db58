"""Home folders (and so user names) in paths: ``/Users/alice/x`` -> ``~/x``, ``/home/bob`` -> ``~``.

Applied with secret redaction to every trajectory before it reaches an LLM, a skill file or a commit,
so a skill never names the person whose session it came from. Handles POSIX homes (``/home/<user>``,
``/Users/<user>``, ``/root``) and Windows ones (``C:\\Users\\<user>``, also JSON-escaped with doubled
backslashes or written with forward slashes).
"""

from __future__ import annotations

import re

# Folders under /Users or /home that are not a person's home.
_NOT_USERS = r"(?!(?:Shared|Guest|Public|Default|All Users|linuxbrew)\b)"
_END = r"(?=[/\\\"'\s:;,)\]}>|`]|\\\\|$)"
_POSIX = re.compile(
    r"(?<![\w.:/\\-])(?:/(?:Users|home)/" + _NOT_USERS + r"[A-Za-z0-9._-]+|/root)" + _END, re.M
)
_WINDOWS = re.compile(
    r"(?<![\w])[A-Za-z]:(?:\\\\|\\|/)(?:Users|Documents and Settings)(?:\\\\|\\|/)"
    + _NOT_USERS + r"(?:[A-Za-z0-9._-]+(?: [A-Za-z0-9._-]+)+(?=\\\\|\\|/)|[A-Za-z0-9._-]+" + _END + ")", re.M,
)
_KEYWORDS = ("/users/", "/home/", "/root", ":\\", ":/users")


def normalize_home_paths(text: str) -> tuple[str, int]:
    """Replace home folders in paths by ``~``. Returns the new text and how many were replaced."""
    lowered = text.lower()
    if not any(k in lowered for k in _KEYWORDS):
        return text, 0
    text, n_posix = _POSIX.subn("~", text)
    text, n_win = _WINDOWS.subn("~", text)
    return text, n_posix + n_win


def find_home_paths(text: str) -> list[tuple[int, str]]:
    """(1-based line, matched home folder) for each home folder in ``text``; for validation."""
    found: list[tuple[int, str]] = []
    lowered = text.lower()
    if not any(k in lowered for k in _KEYWORDS):
        return found
    for pattern in (_POSIX, _WINDOWS):
        for m in pattern.finditer(text):
            found.append((text.count("\n", 0, m.start()) + 1, m.group(0)))
    return sorted(found)
