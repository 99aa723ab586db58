"""Ranking: BM25 over skills and over past tasks, a scope boost, a utility prior, and abstention.

``score = (meta + TASK_WEIGHT · best_past_task) × scope × utility``, where ``meta`` and
``best_past_task`` are BM25 scores divided by the query's IDF mass (the score a document holding each
query term once would get), so scores are comparable across queries and one threshold can decide
"nothing fits". The threshold (``ABSTAIN``) is calibrated with ``skillforge eval route``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.route.index import Index, Postings
from skillforge.route.text import tokenize

TASK_WEIGHT = 1.2
ABSTAIN = 0.15
MAX_QUERY = 20_000  # characters of a task that are read: a pasted log beyond this only slows routing
SCOPE_MATCH, REPO_MISMATCH, LANGUAGE_MISMATCH = 1.25, 0.8, 0.85

LANGUAGE_MARKERS = {
    "pyproject.toml": "python", "setup.py": "python", "requirements.txt": "python", "setup.cfg": "python",
    "package.json": "javascript", "tsconfig.json": "typescript", "Cargo.toml": "rust", "go.mod": "go",
    "pom.xml": "java", "build.gradle": "java", "build.gradle.kts": "kotlin", "Gemfile": "ruby",
    "composer.json": "php", "mix.exs": "elixir", "CMakeLists.txt": "c++", "Package.swift": "swift",
}
_REMOTE = re.compile(r"url\s*=\s*(\S+)")


@dataclass(slots=True)
class Context:
    """Where the task happens: the repository (``owner/name`` or a folder name) and its languages."""

    repository: str = ""
    languages: list[str] = field(default_factory=list)

    @classmethod
    def detect(cls, cwd: str | Path | None) -> Context:
        if not cwd:
            return cls()
        folder = Path(cwd)
        root = _git_root(folder)
        repo = _remote_repo(root) if root else ""
        base = root or folder
        langs = sorted({lang for marker, lang in LANGUAGE_MARKERS.items() if (base / marker).exists()})
        return cls(repository=repo or base.name, languages=langs)


def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *list(folder.parents)[:12]):
        if (candidate / ".git").exists():
            return candidate
    return None


def _remote_repo(root: Path) -> str:
    try:
        text = (root / ".git" / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    match = _REMOTE.search(text.split('[remote "origin"]', 1)[-1])
    if not match:
        return ""
    url = match.group(1).removesuffix(".git").rstrip("/")
    parts = re.split(r"[/:]", url)
    return "/".join(parts[-2:]) if len(parts) >= 2 else url


@dataclass(slots=True)
class Match:
    """One routed skill: a pointer and why it matched."""

    name: str
    description: str
    path: str
    score: float
    why: list[str] = field(default_factory=list)
    blocked: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "path": self.path,
                "score": round(self.score, 4), "why": list(self.why)}


def bm25(post: Postings, token_ids: list[int]) -> Any:
    import numpy as np

    scores = np.zeros(post.num_docs, dtype=np.float32)
    for t in token_ids:
        start, end = post.indptr[t], post.indptr[t + 1]
        scores[post.indices[start:end]] += post.data[start:end]
    return scores


def bm25_plain(post: Postings, token_ids: list[int], norm: float) -> dict[int, float]:
    """Pure-Python BM25 over ``array.array`` postings: document -> score / ``norm`` (non-zero only)."""
    scores: dict[int, float] = {}
    get = scores.get
    for t in token_ids:
        start, end = post.indptr[t], post.indptr[t + 1]
        for doc, value in zip(post.indices[start:end], post.data[start:end], strict=True):
            scores[doc] = get(doc, 0.0) + value
    return {doc: value / norm for doc, value in scores.items()}


def _ids_and_mass(post: Postings, tokens: list[str]) -> tuple[list[int], float]:
    ids = [post.vocab[t] for t in tokens if t in post.vocab]
    mass = sum(post.idf(i) for i in ids) + post.unknown_idf() * (len(tokens) - len(ids))
    return ids, mass


@dataclass(slots=True)
class Scores:
    """The scores of the best ``pool`` skills: combined, description-only, and their best past task."""

    combined: dict[int, float]
    meta: dict[int, float]
    best_task: dict[int, int]


def score_all(index: Index, tokens: list[str], pool: int) -> Scores:
    """Scores of the ``pool`` best skills for the query ``tokens`` (numpy or pure Python)."""
    if index.plain:
        return _score_plain(index, tokens, pool)
    import numpy as np

    n = len(index.names)
    meta_ids, meta_mass = _ids_and_mass(index.meta, tokens)
    meta = bm25(index.meta, meta_ids) / meta_mass if meta_ids else np.zeros(n, np.float32)
    per_task = None
    combined = meta
    task_ids, task_mass = _ids_and_mass(index.task, tokens) if len(index.tasks) else ([], 0.0)
    if task_ids:
        per_task = bm25(index.task, task_ids) / task_mass
        ptr = index.task_ptr
        has = ptr[1:] > ptr[:-1]
        best = np.zeros(n, dtype=np.float32)
        best[has] = np.maximum.reduceat(per_task, ptr[:-1][has])
        combined = meta + TASK_WEIGHT * best
    candidates = np.flatnonzero(combined)
    if len(candidates) > pool:
        candidates = candidates[np.argpartition(-combined[candidates], pool)[:pool]]
    top = [int(i) for i in candidates]
    return Scores({i: float(combined[i]) for i in top}, {i: float(meta[i]) for i in top},
                  {i: _best_task(index, per_task, i) for i in top})


def _score_plain(index: Index, tokens: list[str], pool: int) -> Scores:
    import heapq

    meta_ids, meta_mass = _ids_and_mass(index.meta, tokens)
    meta = bm25_plain(index.meta, meta_ids, meta_mass) if meta_ids else {}
    best: dict[int, tuple[float, int]] = {}
    task_ids, task_mass = _ids_and_mass(index.task, tokens) if len(index.tasks) else ([], 0.0)
    if task_ids:
        for task, value in bm25_plain(index.task, task_ids, task_mass).items():
            skill = index.task_skill[task]
            if value > best.get(skill, (0.0, -1))[0]:
                best[skill] = (value, task)
    combined = {i: meta.get(i, 0.0) + TASK_WEIGHT * best.get(i, (0.0, -1))[0] for i in meta.keys() | best.keys()}
    top = heapq.nlargest(pool, combined, key=combined.__getitem__)
    return Scores({i: combined[i] for i in top}, {i: meta.get(i, 0.0) for i in top},
                  {i: best.get(i, (0.0, -1))[1] for i in top})


def rank_skills(index: Index, query: str, *, k: int, context: Context | None = None,
                utility: dict[str, float] | None = None, threshold: float = ABSTAIN) -> list[Match]:
    """The top ``k`` skills for ``query`` scoring at least ``threshold`` (empty: abstain)."""
    tokens = list(dict.fromkeys(tokenize(query[:MAX_QUERY])))
    if not tokens or not index.names:
        return []
    scores = score_all(index, tokens, max(k * 4, 20))
    scored = []
    for i, raw in scores.combined.items():
        if raw <= 0:
            continue
        factor, scope_why = scope_factor(index.scopes[i], context, tokens)
        q = utility.get(index.names[i]) if utility else None
        if q is not None:
            factor *= 0.85 + 0.3 * q
        if raw * factor >= threshold:
            scored.append((raw * factor, i, scope_why, q))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [_match(index, i, score, scores.best_task[i], scores.meta[i], tokens, scope_why, q)
            for score, i, scope_why, q in scored[:k]]


def _best_task(index: Index, per_task: Any, i: int) -> int:
    if per_task is None:
        return -1
    start, end = int(index.task_ptr[i]), int(index.task_ptr[i + 1])
    if start == end:
        return -1
    j = start + int(per_task[start:end].argmax())
    return j if per_task[j] > 0 else -1


def _match(index: Index, i: int, score: float, task: int, meta: float, tokens: list[str],
           scope_why: str, utility: float | None) -> Match:
    """The pointer for skill ``i``, with the reasons it matched."""
    why: list[str] = []
    matched = [t for t in tokens if _contains(index.meta, t, i)]
    if matched and meta > 0:
        why.append("terms: " + ", ".join(matched[:6]))
    if task >= 0:
        why.append(f"like past task: {_short(index.tasks[task])}")
    if scope_why:
        why.append(scope_why)
    if utility is not None:
        why.append(f"utility {utility:.2f}")
    return Match(index.names[i], index.descriptions[i], index.paths[i], score, why, index.blocked[i])


def _contains(post: Postings, token: str, doc: int) -> bool:
    from bisect import bisect_left

    t = post.vocab.get(token)
    if t is None:
        return False
    col = post.indices[post.indptr[t]: post.indptr[t + 1]]  # sorted documents of the term
    pos = bisect_left(col, doc)
    return pos < len(col) and int(col[pos]) == doc


def scope_factor(scopes: list[str], context: Context | None, tokens: list[str]) -> tuple[float, str]:
    """A boost when the skill's scope matches the task's repository, languages or named tools."""
    if not scopes or context is None:
        return 1.0, ""
    repo = context.repository.lower()
    langs = {lang.lower() for lang in context.languages}
    factor, reasons = 1.0, []
    for scope in scopes:
        kind, _, value = scope.partition(":")
        value = value.strip().lower()
        if kind == "repository" and repo and value:
            same = value == repo or value.rsplit("/", 1)[-1] == repo.rsplit("/", 1)[-1]
            factor *= SCOPE_MATCH if same else REPO_MISMATCH
            reasons += [scope] if same else []
        elif kind == "language" and langs and value:
            factor *= SCOPE_MATCH if value in langs else LANGUAGE_MISMATCH
            reasons += [scope] if value in langs else []
        elif kind == "tool" and value and set(tokenize(value)) & set(tokens):
            factor *= SCOPE_MATCH
            reasons.append(scope)
    return factor, ("scope: " + ", ".join(reasons)) if reasons else ""


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def cwd_default() -> str:
    return os.environ.get("CLAUDE_PROJECT_DIR") or os.getcwd()
