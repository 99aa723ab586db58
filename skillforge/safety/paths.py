"""Home folders (and so user names) in paths: ``/Users/alice/x`` -> ``~/x``, ``/home/bob`` -> ``~``.

Applied with secret redaction to every trajectory before it reaches an LLM, a skill file or a commit,
so a skill never names the person whose session it came from. Handles POSIX homes (``/home/<user>``,
``/Users/<user>``, ``/root``) and Windows ones (``C:\\Users\\<user>``, also JSON-escaped with doubled
backslashes or written with forward slashes).
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from skillforge.safety.prefilter import anchored_matches, contains_any, lowered

# Folders under /Users or /home that are not a person's home.
_NOT_USERS = r"(?!(?:Shared|Guest|Public|Default|All Users|linuxbrew)\b)"
_END = r"(?=[/\\\"'\s:;,)\]}>|`]|\\\\|$)"
_POSIX = re.compile(
    r"(?<![\w.:/\\-])(?:/(?:Users|home)/" + _NOT_USERS + r"[A-Za-z0-9._-]+|/root)" + _END, re.M
)
_WINDOWS = re.compile(
    r"(?<![\w])[A-Za-z]:(?:\\\\|\\|/)(?:Users|Documents and Settings)(?:\\\\|\\|/)"
    + _NOT_USERS
    + r"(?:[A-Za-z0-9._-]+(?: [A-Za-z0-9._-]+)+(?=\\\\|\\|/)|[A-Za-z0-9._-]+"
    + _END
    + ")",
    re.M,
)
_KEYWORDS = ("/users/", "/home/", "/root", ":\\", ":/users")
# where every match starts, from the lowered text (both patterns are case-sensitive): at the slash, or
# at the drive letter one before the colon
_POSIX_ANCHORS = {"/users/": (0,), "/home/": (0,), "/root": (0,)}
_WINDOWS_ANCHORS = {":\\": (1,), ":/users": (1,), ":/documents and settings": (1,)}


def normalize_home_paths(text: str) -> tuple[str, int]:
    """Replace home folders in paths by ``~``. Returns the new text and how many were replaced."""
    if not contains_any(lowered(text), _KEYWORDS):
        return text, 0
    text, n_posix = _POSIX.subn("~", text)
    text, n_win = _WINDOWS.subn("~", text)
    return text, n_posix + n_win


# accounts that name no person (root, a container's or cloud image's default user, a placeholder):
# validate does not report them (a trajectory's are still replaced by "~")
_NOBODY = frozenset(
    {"root", "user", "username", "you", "yourname", "your-username", "your_username", "me", "ubuntu"}
    | {"ec2-user", "runner", "vscode", "node", "app", "coder", "admin", "jovyan", "codespace"}
)


def _names_nobody(home: str) -> bool:
    return home.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower() in _NOBODY


def find_home_paths(text: str) -> list[tuple[int, str]]:
    """(1-based line, matched home folder) for each home folder in ``text`` that names a person (not
    ``/root`` or ``/home/ubuntu``); for validation."""
    found: list[tuple[int, str]] = []
    if not contains_any(lowered(text), _KEYWORDS):
        return found
    newlines: list[int] | None = None  # offsets of the text's newlines: a line is a bisect, not a count
    for pattern, anchors in ((_POSIX, _POSIX_ANCHORS), (_WINDOWS, _WINDOWS_ANCHORS)):
        for m in anchored_matches(pattern, text, anchors):  # as finditer, tried at the anchors only
            if _names_nobody(m.group(0)):
                continue
            if newlines is None:
                newlines = [nl.start() for nl in re.finditer("\n", text)]
            found.append((bisect.bisect_left(newlines, m.start()) + 1, m.group(0)))
    return sorted(found)


LIBRARY_DIRS = ("skills", ".skillforge", ".github")


def symlinked_dirs(library: Path) -> list[str]:
    """The folders skillforge reads, writes or serves in ``library`` (``skills/``, ``.skillforge/``,
    ``.github/``, and each skill folder) that are symbolic links: a committed link could send reads or
    writes outside the library, so callers refuse them."""
    found = [name for name in LIBRARY_DIRS if (library / name).is_symlink()]
    skills = library / "skills"
    if "skills" not in found and skills.is_dir():
        found += [f"skills/{p.name}" for p in sorted(skills.iterdir()) if p.is_symlink()]
    return found


def refuse_symlinks(library: Path) -> None:
    """Raise :class:`~skillforge.errors.InputError` naming the first symlinked library folder."""
    from skillforge.errors import InputError

    found = symlinked_dirs(library)
    if found:
        raise InputError(
            f"{library / found[0]}: is a symbolic link; skillforge does not follow links in a library",
            f"replace {found[0]} with a real folder",
        )
