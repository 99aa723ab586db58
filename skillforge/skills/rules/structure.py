"""Structure of a skill folder: body size, relative links, reference depth and orphan files.

Links: every relative markdown link or image (``[t](references/x.md)``, ``[t]: path``) outside code
must resolve to a file inside the skill folder (no ``..`` out, no absolute path, no symlink out).
Depth: linked files sit at most one folder below SKILL.md, and linked markdown files do not link on
to further local files. Orphans: a file in the folder is used when SKILL.md (or a markdown file it
links) names it or one of its folders anywhere: a link, inline code or a code block (``python
scripts/run.py``). ``LICENSE*``, ``evals/``, ``agents/openai.yaml`` and dot files are never orphans.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from skillforge.skills.findings_cache import FindingsCache, content_key
from skillforge.skills.rules.base import Finding, SkillFile, finding, rule
from skillforge.skills.rules.content import mask_code
from skillforge.text import estimate_tokens

NO_SKILL_MD = rule("SF001", "skill-md-missing", "warning", "add a SKILL.md or move the folder out of skills/")
SKILL_MD_CASE = rule("SF002", "skill-md-case", "error", "rename skill.md to SKILL.md")
BODY_LINES = rule(
    "SF201", "body-lines", "warning", "keep SKILL.md under 500 lines: move details into references/ files"
)
BODY_TOKENS = rule(
    "SF202", "body-tokens", "warning", "keep the body under ~5000 tokens: move details into references/ files"
)
BODY_EMPTY = rule("SF203", "body-empty", "warning", "write the instructions below the front matter")
LINK_BROKEN = rule("SF210", "link-broken", "error", "fix the path or add the missing file")
LINK_OUTSIDE = rule(
    "SF211", "link-outside", "error", "link only to files inside the skill folder, by relative path"
)
REFERENCE_DEPTH = rule(
    "SF212",
    "reference-depth",
    "warning",
    "keep referenced files one level deep (e.g. references/x.md) and link them from SKILL.md",
)
ORPHAN = rule("SF220", "orphan-file", "warning", "link the file from SKILL.md or delete it")

MAX_LINES = 500
MAX_TOKENS = 5000
# link text may hold one level of [brackets]; an inner "[" never opens a nested pair here, so a line of
# many "[" costs linear time (an inner [^\]\n]* backtracked over the rest of the line from each "[")
_INLINE = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*<?([^)\s>]+)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IGNORED_DIRS = {"evals", "__pycache__", "node_modules"}
_IGNORED_FILES = {"agents/openai.yaml"}


def links(text: str) -> list[tuple[int, str]]:
    """(0-based line, target) of each local link outside code; URLs and #anchors are left out."""
    masked = mask_code(text)
    found: list[tuple[int, str]] = []
    for pattern in (_INLINE, _REFDEF):
        line, counted = 0, 0  # lines are counted from the previous match: linear in the number of links
        for m in pattern.finditer(masked):
            line += masked.count("\n", counted, m.start())
            counted = m.start()
            target = m.group(1)
            if _SCHEME.match(target) and not re.match(r"^[A-Za-z]:[\\/]", target):
                continue
            target = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if target:
                found.append((line, target))
    return sorted(found)


def files_of(sf: SkillFile) -> list[str]:
    """The skill folder's files (listed once per validation), or an in-memory skill's files."""
    if sf.files is None:
        if sf.virtual is not None:
            sf.files = sorted(sf.virtual)
        else:
            sf.files = skill_files(sf.folder) if sf.folder is not None else []
    return sf.files


def links_of(sf: SkillFile, cache: FindingsCache | None = None) -> list[tuple[int, str]]:
    if sf.body_links is None:
        sf.body_links = cached_links(sf.body, cache)
    return sf.body_links


def check(sf: SkillFile, cache: FindingsCache | None = None) -> Iterator[Finding]:
    """``cache``: the local links of each markdown text, by content (see :func:`cached_links`)."""
    yield from _size(sf)
    if sf.virtual is not None:
        yield from _virtual(sf, sf.virtual)
    elif sf.folder is not None:
        yield from _links(sf, sf.folder, cache)
        yield from _orphans(sf, sf.folder, cache)


def _size(sf: SkillFile) -> Iterator[Finding]:
    body = sf.body.strip("\n")
    if not body.strip():
        yield finding(BODY_EMPTY, sf.path, sf.body_line, "SKILL.md has no body")
        return
    n_lines = body.count("\n") + 1
    if n_lines > MAX_LINES:
        yield finding(
            BODY_LINES, sf.path, sf.body_line + MAX_LINES, f"body is {n_lines} lines (max {MAX_LINES})"
        )
    tokens = estimate_tokens(body)
    if tokens > MAX_TOKENS:
        yield finding(BODY_TOKENS, sf.path, sf.body_line, f"body is about {tokens} tokens (max {MAX_TOKENS})")


def relative_parts(target: str) -> tuple[list[str], str | None]:
    """The normalised parts of a relative link target, or why it is not one inside the skill."""
    if target.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:[\\/]", target):
        return [], "is an absolute path"
    parts: list[str] = []
    for part in target.replace("\\", "/").split("/"):  # PurePosixPath's parts, without pathlib
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return [], "leaves the skill folder"
            parts.pop()
        else:
            parts.append(part)
    return parts, None


def resolve_link(folder: Path, target: str) -> tuple[Path | None, str | None]:
    """(file, None) for a target inside ``folder``; (None, why) when it leaves it."""
    parts, why = relative_parts(target)
    if why:
        return None, why
    path = folder / Path(*parts)
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return None, "resolves outside the skill folder (through a symlink)"
    return path, None


def _sibling_skill(folder: Path, target: str) -> bool:
    """``../other-skill/...``: a link that leaves the skill only into another skill of the library
    (stricter than the spec, so a warning)."""
    parts = PurePosixPath(target.split("#", 1)[0].replace("\\", "/")).parts
    if len(parts) < 2 or parts[0] != ".." or ".." in parts[1:] or target.startswith(("/", "~")):
        return False
    sibling = folder.parent / parts[1]
    return sibling != folder and sibling.is_dir() and ((sibling / "SKILL.md").is_file() or len(parts) == 2)


def _inside(folder: str, real_folder: str, target: str) -> tuple[list[str], str | None, str | None]:
    """:func:`resolve_link` on strings (os.path, no pathlib in the per-link loop): the target's parts,
    its path on disk (None when it leaves the folder) and why it leaves."""
    parts, why = relative_parts(target)
    if why:
        return parts, None, why
    if any("\0" in part for part in parts):  # %00 decoded: no system takes it, and realpath raises
        return parts, None, "is not a usable path (a NUL byte)"
    path = os.path.join(folder, *parts)
    real = os.path.realpath(path)
    if real != real_folder and not real.startswith(real_folder.rstrip(os.sep) + os.sep):
        return parts, None, "resolves outside the skill folder (through a symlink)"
    return parts, path, None


def _resolved(sf: SkillFile, folder: Path, target: str) -> tuple[list[str], str | None, str | None]:
    """:func:`_inside` of a body link, worked out once per skill (links and orphans both ask)."""
    if sf.resolved is None:
        sf.resolved = {"": (str(folder), os.path.realpath(folder))}
    if target not in sf.resolved:
        base, real = sf.resolved[""]
        sf.resolved[target] = _inside(base, real, target)
    return sf.resolved[target]


def _is_md(name: str) -> bool:
    """``PurePath(name).suffix.lower() == ".md"`` (a name that is only ``.md`` has no suffix)."""
    return len(name) > 3 and name[-3:].lower() == ".md"


def _links(sf: SkillFile, folder: Path, cache: FindingsCache | None = None) -> Iterator[Finding]:
    for line, target in links_of(sf, cache):
        where = sf.body_line + line
        parts, path, why = _resolved(sf, folder, target)
        if why and _sibling_skill(folder, target):
            yield finding(
                LINK_OUTSIDE,
                sf.path,
                where,
                f"link {target!r} points into a sibling skill",
                severity="warning",
                fix="name the other skill instead of linking into its folder",
            )
        elif why:
            yield finding(LINK_OUTSIDE, sf.path, where, f"link {target!r} {why}")
        elif path is not None and not os.path.exists(path):
            yield finding(LINK_BROKEN, sf.path, where, f"link {target!r} points to a missing file")
        elif path is not None and os.path.isfile(path):
            rel = "/".join(parts)
            if rel.count("/") > 1:
                yield finding(REFERENCE_DEPTH, sf.path, where, f"{rel!r} is more than one folder deep")
            elif _is_md(parts[-1]) and _local_links(sf, path, cache):
                yield finding(
                    REFERENCE_DEPTH,
                    sf.path,
                    where,
                    f"{rel!r} links further files; link them from SKILL.md instead",
                )


def _read(sf: SkillFile, path: str) -> list[str]:
    """A linked markdown file's text (none when it cannot be read), read once per validation: the
    depth and the orphan rules both read it."""
    if sf.linked_texts is None:
        sf.linked_texts = {}
    if path not in sf.linked_texts:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                sf.linked_texts[path] = [f.read()]
        except OSError:
            sf.linked_texts[path] = []
    return sf.linked_texts[path]


def _local_links(sf: SkillFile, path: str, cache: FindingsCache | None) -> list[str]:
    return [t for text in _read(sf, path) for _, t in cached_links(text, cache) if not t.startswith("#")]


def cached_links(text: str, cache: FindingsCache | None) -> list[tuple[int, str]]:
    """:func:`links` of ``text``, from ``cache`` (by content) when it holds them."""
    if cache is None:
        return links(text)
    key = content_key("links", text)
    value = cache.get(key)
    if isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and type(v[0]) is int and v[0] >= 0 and isinstance(v[1], str)
        for v in value
    ):
        return [(line, target) for line, target in value]
    found = links(text)
    cache.put(key, [[line, target] for line, target in found])
    return found


def skill_files(folder: Path) -> list[str]:
    """Every file in the skill folder (posix relative paths), without dot files and ignored folders."""
    found: list[str] = []
    top = str(folder)
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _IGNORED_DIRS)
        prefix = "" if root == top else os.path.relpath(root, top).replace(os.sep, "/") + "/"
        found.extend(
            prefix + name for name in sorted(files) if not name.startswith(".") and not name.endswith(".pyc")
        )
    return found


def _orphans(sf: SkillFile, folder: Path, cache: FindingsCache | None = None) -> Iterator[Finding]:
    texts = [sf.text]
    for _, target in links_of(sf, cache):
        parts, path, why = _resolved(sf, folder, target)
        if path is not None and not why and _is_md(parts[-1] if parts else "") and os.path.isfile(path):
            texts.extend(_read(sf, path))
    mentioned = "\n".join(texts)
    named: dict[str, bool] = {}  # folder -> named alone in the texts (a folder of many files asks once)
    for rel in files_of(sf):
        if (
            rel in ("SKILL.md", "skill.md")
            or rel in _IGNORED_FILES
            or rel.upper().startswith(("LICENSE", "LICENCE"))
        ):
            continue
        if not _mentioned(rel, mentioned, named):
            yield finding(ORPHAN, str(folder / rel), 1, f"{rel} is not referenced from SKILL.md")


def _mentioned(rel: str, text: str, named: dict[str, bool]) -> bool:
    """``rel`` itself, or one of its folders named on its own (``assets/``), occurs in ``text``;
    ``named`` remembers each folder's answer for the files after it."""
    if rel in text:
        return True
    parts = rel.split("/")
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i]) + "/"
        if folder not in named:
            named[folder] = _named_alone(folder, text)
        if named[folder]:
            return True
    return False


def _named_alone(word: str, text: str) -> bool:
    """``word`` occurs in ``text`` with no word character, dot or dash either side: what the regex
    ``(?<![\\w.-])word(?![\\w.-])`` finds, by ``str.find`` (``\\w`` is ``isalnum()`` or ``_``)."""
    i = text.find(word)
    while i != -1:
        end = i + len(word)
        if (i == 0 or not _wordish(text[i - 1])) and (end == len(text) or not _wordish(text[end])):
            return True
        i = text.find(word, i + 1)
    return False


def _wordish(c: str) -> bool:
    return c.isalnum() or c in "_.-"


def _virtual(sf: SkillFile, files: dict[str, str]) -> Iterator[Finding]:
    """Links and orphans of an in-memory skill whose files are not written yet."""
    for line, target in links_of(sf):
        parts, why = relative_parts(target)
        where = sf.body_line + line
        rel = "/".join(parts)
        if why:
            yield finding(LINK_OUTSIDE, sf.path, where, f"link {target!r} {why}")
        elif rel not in files and not any(f.startswith(rel + "/") for f in files):
            yield finding(LINK_BROKEN, sf.path, where, f"link {target!r} points to a missing file")
    mentioned = "\n".join([sf.text, *(t for r, t in files.items() if r.endswith(".md") and r in sf.text)])
    named: dict[str, bool] = {}
    for rel in files:
        if not _mentioned(rel, mentioned, named):
            yield finding(ORPHAN, rel, 1, f"{rel} is not referenced from SKILL.md")
