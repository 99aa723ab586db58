"""Code locations with tree-sitter: for each edit a trajectory makes (diffs in submissions and
``git diff`` output, ``str_replace``/``edit`` tool inputs, whole-file heredoc writes, ``sed -i``), the
file, its language and the enclosing function or class of the change.

Grammars come from the per-language wheels (``tree_sitter_python``, ``tree_sitter_javascript``,
``tree_sitter_typescript``, ``tree_sitter_bash``), imported lazily on first use. A diff hunk is parsed
from its post-image text; when the enclosing definition starts above the hunk, git's hunk header
context (``@@ … @@ class Foo:``) names it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

from skillforge.text import parse

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".tsx": "tsx",
    ".sh": "bash",
    ".bash": "bash",
}
_DEFS = {
    "function_definition",
    "class_definition",
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "class_declaration",
    "abstract_class_declaration",
    "interface_declaration",
    "class",
    "function_expression",
    "arrow_function",
}
_FILE = re.compile(r"^\+\+\+ (?:b/)?(\S+)", re.M)
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$")
_HEADER_NAME = re.compile(r"\b(?:def|class|function|async function|interface)\s+([A-Za-z_$][\w$]*)")


@dataclass(slots=True, frozen=True)
class Location:
    file: str
    language: str
    symbol: str = ""  # "Class.method", "function", or '' when the edit is at module level / unknown
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file, "lang": self.language, "symbol": self.symbol}
        if self.line is not None:
            d["line"] = self.line
        return d


def language_of(path: str) -> str:
    for ext, lang in LANGUAGES.items():
        if path.endswith(ext):
            return lang
    return ""


def enclosing(source: str, line: int, lang: str) -> str:
    """The qualified name of the definitions enclosing 0-based ``line`` ('' at module level)."""
    if lang not in ("python", "javascript", "typescript", "tsx", "bash"):
        return ""
    root = parse(lang, source)
    lines = source.split("\n")
    line = max(0, min(line, len(lines) - 1))
    col = len(lines[line]) - len(lines[line].lstrip()) if lines else 0
    node = root.descendant_for_point_range((line, col), (line, col))
    names: list[str] = []
    while node is not None:
        if node.type in _DEFS:
            name = _name(node)
            if name:
                names.append(name)
        node = node.parent
    return ".".join(reversed(names))


def _name(node: Any) -> str:
    named = node.child_by_field_name("name")
    if named is None and node.type in ("arrow_function", "function_expression", "class"):
        parent = node.parent
        if parent is not None and parent.type in ("variable_declarator", "pair", "assignment_expression"):
            named = (
                parent.child_by_field_name("name")
                or parent.child_by_field_name("key")
                or parent.child_by_field_name("left")
            )
    if named is None:
        return ""
    text: str = named.text.decode("utf-8", "replace")
    return text


def diff_locations(diff: str, limit: int = 40) -> list[Location]:
    """Locations of every hunk of a unified diff (first changed line of each hunk)."""
    out: list[Location] = []
    for file_block in re.split(r"^diff --git ", diff, flags=re.M):
        m = _FILE.search(file_block)
        if not m or m.group(1) == "/dev/null":
            continue
        path = m.group(1)
        lang = language_of(path)
        for header, new_start, body in _hunks(file_block):
            out.append(_hunk_location(path, lang, header, new_start, body))
            if len(out) >= limit:
                return out
    return out


def _hunks(block: str) -> list[tuple[str, int, list[str]]]:
    hunks: list[tuple[str, int, list[str]]] = []
    current: tuple[str, int, list[str]] | None = None
    for line in block.split("\n"):
        m = _HUNK.match(line)
        if m:
            current = (m.group(2), int(m.group(1)), [])
            hunks.append(current)
        elif current is not None and line[:1] in (" ", "+", "-", ""):
            current[2].append(line)
    return hunks


def _hunk_location(path: str, lang: str, header: str, new_start: int, body: list[str]) -> Location:
    post = [ln[1:] for ln in body if ln[:1] in (" ", "+") or ln == ""]
    changed = 0
    row = 0
    for ln in body:
        if ln[:1] in ("+", "-"):
            changed = row
            break
        if ln[:1] != "-":
            row += 1
    outer = _header_symbol(header, lang)
    inner = enclosing(textwrap.dedent("\n".join(post)), changed, lang) if lang and post else ""
    symbol = inner
    if outer and not inner.startswith(outer):
        symbol = f"{outer}.{inner}" if inner else outer
    return Location(path, lang, symbol, new_start + changed)


def _header_symbol(header: str, lang: str) -> str:
    """The name of the definition git printed as the hunk's context (its own line, parsed)."""
    header = header.strip()
    if not header:
        return ""
    if lang == "python" and re.match(r"^(?:async\s+)?(?:def|class)\s", header):
        name = enclosing(header.rstrip(":") + ":\n    pass", 1, "python")
        if name:
            return name
    m = _HEADER_NAME.search(header)
    return m.group(1) if m else ""


def snippet_location(path: str, snippet: str) -> Location:
    """An edit given as a code snippet (``new_str`` of a str_replace edit): the definition inside it."""
    lang = language_of(path)
    if not lang or not snippet.strip():
        return Location(path, lang)
    text = textwrap.dedent(snippet)
    first = next((i for i, ln in enumerate(text.split("\n")) if ln.strip()), 0)
    symbol = enclosing(text, first, lang)
    if not symbol:
        m = _HEADER_NAME.search(text)
        symbol = m.group(1) if m else ""
    return Location(path, lang, symbol)


def patch_locations(text: str, limit: int = 40) -> list[Location]:
    """Locations in a Codex-style ``apply_patch`` envelope (``*** Update File: path`` then ``@@`` hunks)."""
    out: list[Location] = []
    for block in re.split(r"^\*\*\* (?:Update|Add) File: ", text, flags=re.M)[1:]:
        path, _, rest = block.partition("\n")
        path = path.strip()
        lang = language_of(path)
        chunks = re.split(r"^@@ ?(.*)$", rest, flags=re.M)
        # chunks = [before, header1, body1, header2, body2, …]; a patch without @@ is one body
        pairs = list(zip(chunks[1::2], chunks[2::2], strict=False)) or [("", chunks[0])]
        for header, body in pairs:
            lines = [ln for ln in body.split("\n") if not ln.startswith("*** ")]
            loc = _hunk_location(path, lang, header, 1, lines)
            out.append(Location(loc.file, loc.language, loc.symbol))  # patches carry no line numbers
            if len(out) >= limit:
                return out
    return out
