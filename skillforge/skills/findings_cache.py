"""The findings cache on disk: what the safety rules found in a text, keyed by (rules stamp, content
hash), so that validate re-run on unchanged skills (CI, pre-commit) and the route index never scan the
same text twice, across processes.

One JSON file per user of the cache under ``config.cache_dir()/findings/`` (``validate.json``,
``route.json``). An entry is data only: a file that does not parse, or an entry of the wrong shape,
counts as a miss and the text is scanned again. The key hashes the rule modules' sources (size and
mtime), the package's and the parsers' versions, the options that change findings and the text
itself, so an edited file, rule or option always misses; a stale entry is never used to hide findings.
validate stores the safety findings of every text file, the code-block findings of SKILL.md's body, the
local links of each markdown text, and for the duplicate rules each body's digest and MinHash signature
and each candidate pair's Jaccard score (under the two bodies' digests).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

MAX_ENTRIES = 50_000  # the oldest entries beyond this are dropped on save
FINDINGS_VERSION = "3"  # bump when a cached value's meaning changes


class FindingsCache:
    """key -> JSON value, loaded on first use, written back (atomically) by :meth:`save`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[str, Any] | None = None
        self.dirty = False
        self.used: set[str] = set()  # keys read or written this run: kept first when trimming

    def path(self) -> Path:
        from skillforge import config

        return config.cache_dir() / "findings" / f"{self.name}.json"

    def _load(self) -> dict[str, Any]:
        if self.data is None:
            try:
                loaded = json.loads(self.path().read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError, MemoryError):  # any unreadable file: a miss
                loaded = None
            self.data = loaded if isinstance(loaded, dict) else {}
        return self.data

    def get(self, key: str) -> Any:
        """The stored value, or None (callers check its shape: the file is not trusted)."""
        value = self._load().get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        data = self._load()
        data.pop(key, None)  # re-inserted last: the newest entries survive trimming
        data[key] = value
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the cache back; a cache folder that cannot be written only costs speed."""
        if not self.dirty or self.data is None:
            return
        # what this run used survives whatever the library's size (else a library over the limit would
        # miss the same share on every warm run); older entries fill what is left, newest first
        others = [item for item in self.data.items() if item[0] not in self.used]
        room = max(MAX_ENTRIES - len(self.used), 0)
        keep = (others[-room:] if room else []) + [(k, self.data[k]) for k in self.data if k in self.used]
        path = self.path()
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # a unique temporary name: two processes (or containers sharing a cache volume with the
            # same pid) never write into one file
            handle, tmp = tempfile.mkstemp(prefix=f".{self.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(dict(keep)))
            os.replace(tmp, path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return
        self.dirty = False


def rows(value: object, rule_ids: frozenset[str]) -> list[list[Any]] | None:
    """A cached list of findings, each ``[line, rule id, severity, message, unsafe]`` with a rule of
    ``rule_ids``, or None when ``value`` has any other shape (the file is data: a malformed entry
    means "check again")."""
    if not isinstance(value, list):
        return None
    for row in value:
        if not (
            isinstance(row, list)
            and len(row) == 5
            and type(row[0]) is int
            and row[0] >= 1
            and row[1] in rule_ids
            and row[2] in ("error", "warning")
            and isinstance(row[3], str)
            and type(row[4]) is bool
        ):
            return None
    return value


def content_key(*parts: str) -> str:
    """The cache key of a text and the options it was checked with, under the current rules: the hash
    of the stamp and each part's SHA-256 digest (fixed length, so no two lists of parts share a key),
    a long part's worked out once for a text several rules key on (SKILL.md's body: links, code
    blocks, duplicates)."""
    digest = hashlib.blake2b(rules_stamp().encode(), digest_size=16)
    for part in parts:
        digest.update(_text_digest(part) if len(part) > _LONG else _short_digest(part))
    return digest.hexdigest()


_LONG = 256  # parts longer than this are remembered (the texts of the skill being checked)


def _digest(text: str) -> bytes:
    # SHA-256: twice blake2b's speed where the CPU has SHA instructions (x86 since ~2017, ARMv8)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


_text_digest = functools.lru_cache(maxsize=16)(_digest)  # a hit costs a str compare, not a hash
_short_digest = functools.lru_cache(maxsize=1024)(_digest)  # rule names, host lists: the same few


@functools.cache
def rules_stamp() -> str:
    """Which rules produce a finding: the cache version, skillforge's and the tree-sitter parsers'
    versions and each rule module's name, size and modification time (an edited rule or an upgraded
    grammar invalidates every entry)."""
    from skillforge.version import __version__

    package = Path(__file__).resolve().parent.parent
    rules = [*(package / "safety").glob("*.py"), *(package / "skills" / "rules").glob("*.py")]
    files = sorted([*rules, package / "text.py"])  # text.py: the tokenizer and the grammars' loader
    # the interpreter too: cached MinHash signatures use its tuple hash (skills/rules/minhash.py)
    stamp = [FINDINGS_VERSION, __version__, sys.implementation.cache_tag or "", *_dependency_versions()]
    stamp += [f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files]
    return hashlib.blake2b("|".join(stamp).encode(), digest_size=8).hexdigest()


def _dependency_versions() -> list[str]:
    from importlib import metadata

    names = ["tree-sitter", "tree-sitter-bash", "tree-sitter-python", "tree-sitter-javascript"]
    names += ["tree-sitter-typescript", "tree-sitter-json", "tree-sitter-yaml", "tree-sitter-toml"]
    found = [f"hash-width={sys.hash_info.width}"]  # MinHash signatures rest on the tuple hash
    for name in [*names, "ahocorasick-rs", "numpy"]:  # the keyword pass; numpy's random generator
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return found
