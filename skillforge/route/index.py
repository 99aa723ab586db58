"""The route index: built from a skill library, cached on disk, keyed by the library's content.

Three BM25 indexes: one document per skill's name and description (``meta``: what an agent sees in
a skill list, and what generalises best), one per skill's body (``body``, its first ``MAX_BODY``
tokens: the evidence a long or technical task meets) and one document per past task (the task texts of the trajectories each skill was learnt from, from
``<library>/.skillforge/provenance.json``). The cache lives in ``config.cache_dir()/route/<library>/<key>/``
where ``key`` hashes every SKILL.md's (name, mtime, size), provenance.json's and the index version.
Query time reads raw native arrays (``*.bin``, as numpy arrays or, for one-shot processes, as
``array.array``) and JSON: no bm25s, no YAML. A rebuild re-reads only the skills whose SKILL.md
changed (the others keep their record in ``records.json`` and their term ids, see
:mod:`skillforge.route.terms`) and then rebuilds the BM25 matrices with numpy
(:mod:`skillforge.route.matrix`).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from skillforge import config
from skillforge.text import tokenize

INDEX_VERSION = "11"  # bump when what a build stores changes, route.topic's words included
MAX_TASKS = 50  # past tasks indexed per skill
MAX_BODY = 1000  # body tokens indexed per skill: 800 to 4,000 route the tuning sets alike
PLAIN_MAX = 3000  # above this many skills, numpy pays for its import even in a one-shot process
ARRAYS = ("data", "indices", "indptr")
# array kind -> (array.array typecode, numpy dtype); files are raw native-endian ``<name>.bin``
KINDS = {
    "data": ("f", "float32"),
    "indices": ("i", "int32"),
    "indptr": ("q", "int64"),
    "task_skill": ("i", "int32"),
    "task_ptr": ("q", "int64"),
}
PROVENANCE = Path(".skillforge") / "provenance.json"
WORDS = "words.json"  # raw word -> number of skills using it


def skills_root(library: Path) -> Path:
    """``<library>/skills`` when it exists, else the library folder itself."""
    sub = library / "skills"
    return sub if sub.is_dir() else library


def fingerprint(library: Path) -> tuple[str, list[tuple[str, int, int]]]:
    """The cache key of ``library`` and the (name, mtime_ns, size) of each SKILL.md in it."""
    root = skills_root(library)
    entries: list[tuple[str, int, int]] = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(root) as it:
        for entry in it:
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            try:
                st = os.stat(os.path.join(entry.path, "SKILL.md"))
            except OSError:
                continue
            entries.append((entry.name, st.st_mtime_ns, st.st_size))
    entries.sort()
    h = hashlib.blake2b(digest_size=10)
    h.update(f"{built_by()}|{_checker_present()}|{root.resolve()}".encode())
    for name, mtime, size in entries:
        h.update(f"{name}|{mtime}|{size}\n".encode("utf-8", "surrogateescape"))  # a non-UTF-8 name
    with contextlib.suppress(OSError):
        st = os.stat(library / PROVENANCE)
        h.update(f"provenance|{st.st_mtime_ns}|{st.st_size}".encode())
    return h.hexdigest(), entries


_STAMP: list[str] = []


def built_by() -> str:
    """The index version and a stamp of the safety rules that decide which skills are withheld
    (skillforge's version, each rule module's name, size and change time): a build by other rules is
    neither loaded nor reused skill by skill, so an upgrade that adds a rule re-checks every skill."""
    if not _STAMP:
        from skillforge.version import __version__

        package = Path(__file__).resolve().parent.parent
        parts = [INDEX_VERSION, __version__]
        for folder in (package / "safety", package / "skills" / "rules"):
            with contextlib.suppress(OSError), os.scandir(folder) as it:
                parts += sorted(
                    f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}"
                    for e in it
                    if e.name.endswith(".py")
                )
        _STAMP.append(
            f"{INDEX_VERSION}:{hashlib.blake2b('|'.join(parts).encode(), digest_size=6).hexdigest()}"
        )
    return _STAMP[0]


def _checker_present() -> bool:
    """Whether the skill validator (whose findings block skills) is installed: part of the cache key."""
    skills = Path(__file__).resolve().parent.parent / "skills"
    return (skills / "validate.py").exists() or (skills / "rules" / "safety.py").exists()


def cache_root(library: Path) -> Path:
    digest = hashlib.blake2b(str(library.resolve()).encode(), digest_size=8).hexdigest()
    return config.cache_dir() / "route" / digest


def bm25_idf(df: int, n: int) -> float:
    """BM25's IDF of a term in ``df`` of ``n`` documents, as bm25s computes it (see ``matrix``)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass(slots=True)
class Postings:
    """A BM25 score matrix in CSC form (term -> documents), as bm25s builds it."""

    vocab: dict[str, int]
    data: Any  # float32[nnz]
    indices: Any  # int32[nnz]: document of each score
    indptr: Any  # int64[vocab+1]
    num_docs: int

    def idf(self, term_id: int) -> float:
        return bm25_idf(int(self.indptr[term_id + 1] - self.indptr[term_id]), self.num_docs)

    def unknown_idf(self) -> float:
        return bm25_idf(0, self.num_docs)


@dataclass(slots=True)
class Index:
    """Everything route needs at query time, loaded from the cache."""

    key: str
    names: list[str]
    descriptions: list[str]
    paths: list[str]  # absolute SKILL.md paths
    scopes: list[list[str]]
    blocked: list[str]  # "" = safe to inject, else the reason
    tasks: list[str]  # past task texts
    task_skill: Any  # int32[len(tasks)]: the skill of each task
    meta: Postings
    task: Postings
    problems: list[str] = field(default_factory=list)
    task_ptr: Any = None  # int64[skills+1]: the tasks of skill i are task_ptr[i]:task_ptr[i+1]
    aliases: list[list[str]] = field(default_factory=list)  # names of each skill's repository scope
    withheld: list[int] = field(default_factory=list)  # skills with findings: never handed out
    repositories: dict[str, list[str]] = field(default_factory=dict)  # scoped repository -> aliases
    repo_skills: dict[str, list[int]] = field(default_factory=dict)  # scoped repository -> its skills
    body: Postings | None = None  # one document per skill body (None: an index without bodies)
    folder: str = ""  # the cache folder (where the word frequencies are read from, when needed)
    words: dict[str, int] | None = None  # raw word -> skills using it (route.topic); read lazily

    def __post_init__(self) -> None:
        self.withheld = [i for i, reason in enumerate(self.blocked) if reason]
        for i, (scopes, names) in enumerate(
            zip(self.scopes, self.aliases or [[]] * len(self.scopes), strict=True)
        ):
            for scope in scopes:
                kind, _, value = scope.partition(":")
                if kind == "repository" and value.strip():
                    repo = value.strip().lower()
                    self.repositories[repo] = list(dict.fromkeys(self.repositories.get(repo, []) + names))
                    self.repo_skills.setdefault(repo, []).append(i)

    @property
    def plain(self) -> bool:
        """True when the arrays are ``array.array`` (loaded without numpy, for one-shot processes)."""
        from array import array

        return isinstance(self.meta.data, array)

    def word_df(self) -> dict[str, int] | None:
        """How many skills use each raw word (:mod:`skillforge.route.topic`), read from the cache folder
        the first time a task needs it (most routes never do); None when it cannot be read."""
        if self.words is None:
            if not self.folder:
                return None
            self.words = read_words(Path(self.folder))
            if self.words is None:  # damaged: removed, so the next load rebuilds the cache folder
                with contextlib.suppress(OSError):
                    (Path(self.folder) / WORDS).unlink()
        return self.words

    def withhold(self, i: int, why: str) -> None:
        """Withhold skill ``i`` from now on (``why``: the reason shown), as if the build had found it."""
        self.blocked[i] = why
        self.withheld = [j for j, reason in enumerate(self.blocked) if reason]

    def position(self, name: str) -> int | None:
        try:
            return self.names.index(name)
        except ValueError:
            return None


def load_or_build(library: Path, *, plain: bool = False) -> Index:
    """The index of ``library``: from the cache when it matches the library, else (re)built.

    ``plain`` loads the arrays as ``array.array`` instead of numpy (saves numpy's import in a one-shot
    process; scoring is then pure Python, fine up to a few thousand skills)."""
    key, entries = fingerprint(library)
    folder = cache_root(library) / key
    if folder.is_dir():
        try:
            return _load(folder, key, plain)
        except Exception:  # a corrupt or half-deleted cache: rebuild it
            shutil.rmtree(folder, ignore_errors=True)
    from skillforge.route.build import build

    return build(library, key, entries, folder)


def read_words(folder: Path) -> dict[str, int] | None:
    """A cache folder's word frequencies (None when missing, unreadable or not counts)."""
    try:
        words = orjson.loads((folder / WORDS).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(words, dict) or not all(type(v) is int and v >= 0 for v in words.values()):
        return None
    return words


def read_array(folder: Path, name: str, kind: str, plain: bool) -> Any:
    raw = (folder / f"{name}.bin").read_bytes()
    code, dtype = KINDS[kind]
    if plain:
        from array import array

        out = array(code)
        out.frombytes(raw)
        return out
    import numpy as np

    return np.frombuffer(raw, dtype=dtype)


def array_bytes(values: Any, kind: str) -> bytes:
    import numpy as np

    return np.ascontiguousarray(values, dtype=KINDS[kind][1]).tobytes()


def _load(folder: Path, key: str, plain: bool) -> Index:
    doc = orjson.loads((folder / "index.json").read_bytes())
    if doc.get("key") != key:
        raise ValueError("index key mismatch")
    if not (folder / WORDS).is_file():  # read lazily, so a half-deleted cache is caught here
        raise ValueError("word frequencies missing")
    plain = plain and len(doc["names"]) <= PLAIN_MAX

    def postings(prefix: str) -> Postings:
        data, indices, indptr = (read_array(folder, f"{prefix}_{name}", name, plain) for name in ARRAYS)
        if len(indptr) != len(doc[f"{prefix}_vocab"]) + 1 or len(data) != len(indices):
            raise ValueError(f"{prefix} arrays do not match the vocabulary")
        return Postings(doc[f"{prefix}_vocab"], data, indices, indptr, int(doc[f"{prefix}_docs"]))

    index = Index(
        key=key,
        names=doc["names"],
        descriptions=doc["descriptions"],
        paths=doc["paths"],
        scopes=doc["scopes"],
        blocked=doc["blocked"],
        tasks=doc["tasks"],
        task_skill=read_array(folder, "task_skill", "task_skill", plain),
        meta=postings("meta"),
        task=postings("task"),
        problems=doc.get("problems", []),
        task_ptr=read_array(folder, "task_ptr", "task_ptr", plain),
        aliases=doc.get("aliases", []),
        body=postings("body"),
        folder=str(folder),
    )
    if len(index.task_ptr) != len(index.names) + 1 or len(index.task_skill) != len(index.tasks):
        raise ValueError("task arrays do not match the index")
    return index


def publish(folder: Path, files: dict[str, Any]) -> None:
    """Write a new cache folder all at once (temp folder + rename); drop older keys of the library."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".build-"))
    try:
        for name, value in files.items():
            if isinstance(value, bytes):
                (tmp / name).write_bytes(value)
            else:
                (tmp / name).write_bytes(orjson.dumps(value))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process published the same key first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for other in folder.parent.iterdir():
        if other.name != folder.name and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)


def meta_tokens(name: str, description: str) -> list[str]:
    """The ``meta`` document of a skill: its name and description (as an agent's skill list shows it)."""
    return tokenize(name.replace("-", " ") + "\n" + description)


def body_tokens(body: str) -> list[str]:
    """The ``body`` document of a skill: the first ``MAX_BODY`` tokens of its SKILL.md body."""
    return tokenize(body[: MAX_BODY * 10])[:MAX_BODY]
