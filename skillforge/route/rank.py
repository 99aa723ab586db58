"""Ranking: weighted BM25 over skills and past tasks, the repository signal, a utility prior, abstention.

``score = (meta + BODY_WEIGHT · body + TASK_WEIGHT · best_past_task) × scope × utility`` (see :mod:`skillforge.route.score`
for the query model and the length-independent normalisation). The repository is a first-class
signal: the task's repository comes from its working folder (git ``origin`` remote or folder name) or
is named in the prompt (``owner/name``, or the repository's name or package in code); a skill scoped
to that repository is *anchored* (returned whenever the task overlaps its text or past tasks, whatever
the threshold), and a skill scoped to another repository is damped so it needs strong text evidence.
The abstention threshold comes from :mod:`skillforge.route.calibrate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.route.index import Index, Postings
from skillforge.route.intent import ANY_TOPIC, KIND_FIT
from skillforge.route.language import language_factor, skill_language, task_languages
from skillforge.route.query import parse
from skillforge.route.repo import named_repositories, same_repository
from skillforge.route.score import Scores, score_all
from skillforge.route.topic import OFF_TOPIC_RATIO, off_topic
from skillforge.text import folder_repository, tokenize

NOTHING = 1e-6  # a score this small is float32 rounding of 0 (numpy sums the fields in float32)
ABSTAIN = 0.25  # default; a library learns its own with `skillforge eval route --save`
MAX_QUERY = 20_000  # characters of a task that are read: a pasted log beyond this only slows routing
SCOPE_MATCH, REPO_MATCH, REPO_MISMATCH, LANGUAGE_MISMATCH = 1.25, 1.5, 0.5, 0.85
LANGUAGE_MARKERS = {
    "pyproject.toml": "python",
    "setup.py": "python",
    "requirements.txt": "python",
    "setup.cfg": "python",
    "package.json": "javascript",
    "tsconfig.json": "typescript",
    "Cargo.toml": "rust",
    "go.mod": "go",
    "pom.xml": "java",
    "build.gradle": "java",
    "build.gradle.kts": "kotlin",
    "Gemfile": "ruby",
    "composer.json": "php",
    "mix.exs": "elixir",
    "CMakeLists.txt": "c++",
    "Package.swift": "swift",
}
_REMOTE = re.compile(r"url\s*=\s*(\S+)")


@dataclass(slots=True)
class Context:
    """Where the task happens: the repository (``owner/name`` or a folder name) and its languages.
    ``from_folder``: the repository is only the working folder's name (no git remote), which counts
    only for a skill scoped to a repository of that name (it is no evidence against the others)."""

    repository: str = ""
    languages: list[str] = field(default_factory=list)
    from_folder: bool = False

    @classmethod
    def detect(cls, cwd: str | Path | None) -> Context:
        if not cwd:
            return cls()
        folder = Path(cwd)
        root = _git_root(folder)
        repo = _remote_repo(root) if root else ""
        base = root or folder
        langs = sorted({lang for marker, lang in LANGUAGE_MARKERS.items() if (base / marker).exists()})
        name = folder_repository(str(base)) or base.name  # a worktree's folder names its repository
        return cls(repository=repo or name, languages=langs, from_folder=not repo)


def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *list(folder.parents)[:12]):
        if (candidate / ".git").exists():
            return candidate
    return None


def _git_config(root: Path) -> Path:
    """The git config of the checkout at ``root``; in a worktree (``.git`` is a file naming its git
    folder), the config of the repository it belongs to (``commondir``)."""
    dot = root / ".git"
    if not dot.is_file():
        return dot / "config"
    try:
        line = dot.read_text(encoding="utf-8", errors="replace").strip()
        gitdir = (root / line.removeprefix("gitdir:").strip()).resolve()
        common = (gitdir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return dot / "config"  # not readable: no remote, as before
    return (gitdir / common).resolve() / "config"


def _remote_repo(root: Path) -> str:
    try:
        text = _git_config(root).read_text(encoding="utf-8", errors="replace")
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
    anchored: bool = False  # scoped to the task's repository: returned whatever the threshold
    off_topic: bool = False  # the best skill misses what the task names (route.topic): a higher bar
    # what abstention reads: the score on the task's own words plus KIND_FIT of a kind of work's bonus
    # (route.intent); its score when not given
    fit: float | None = None

    def __post_init__(self) -> None:
        if self.fit is None:
            self.fit = self.score

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "path": self.path,
            "score": round(self.score, 4),
            "why": list(self.why),
        }


def rank_skills(
    index: Index,
    query: str,
    *,
    k: int,
    context: Context | None = None,
    utility: dict[str, float] | None = None,
    threshold: float = ABSTAIN,
) -> list[Match]:
    """The top ``k`` skills for ``query`` scoring at least ``threshold``, plus anchored ones (empty:
    abstain). Withheld skills never count, so k skills come back whenever k qualify."""
    text = query[:MAX_QUERY]
    parsed = parse(text)
    if not parsed.weights or not index.names:
        return []
    repos = _task_repositories(index, text, context)
    scores = score_all(index, parsed, max(k * 4, 20), _repo_skills(index, repos))
    tokens = parsed.terms
    languages = _Languages(text, context)
    scored = []  # (score, skill, scope reasons, utility, anchored, its fit: what abstention reads)
    for i, raw in scores.combined.items():
        if raw <= 0:
            continue
        factor, scope_why, anchored = scope_factor(index.scopes[i], context, tokens, repos)
        factor *= languages.factor(index.names[i], index.scopes[i])
        q = utility.get(index.names[i]) if utility else None
        if q is not None:
            factor *= 0.85 + 0.3 * q
        bonus = scores.kinds.get(i, (0.0, ()))[0]
        own = max(0.0, (raw - bonus * (1 - KIND_FIT)) * factor)  # float32 rounding aside
        anchored = anchored and own > NOTHING  # anchored when the task overlaps its own text, as before
        if raw * factor >= threshold or anchored:
            scored.append((raw * factor, i, scope_why, q, anchored, own))
    scored.sort(key=lambda item: (-item[0], item[1]))
    eligible = _few_raised(_distinct(index, scored), k, scores)  # what may be returned, and so decide
    fits = [item for item in eligible if item[5] >= threshold or item[4]]
    if not fits:
        return []  # a kind of work alone makes a skill fit only when the skill does that work well
    best = max(fits, key=lambda item: (item[5], -item[1]))  # the best fit
    chosen = _keep_anchored(eligible, k)
    off = (
        not any(item[4] for item in chosen)
        and ANY_TOPIC.isdisjoint(scores.kinds.get(best[1], (0.0, ()))[1])
        and _off_topic(index, text, best, threshold)
    )
    if off and threshold > 0:
        return []  # the best skill misses what the task is about and scores under the higher bar
    matches = []
    for score, i, scope_why, q, anchored, own in chosen:
        match = _match(index, i, score, scores, tokens, scope_why, q, anchored)
        match.fit = own  # as abstention read it above
        matches.append(match)
    if off:  # reached only at threshold 0 (calibration): marked, not dropped
        for m in matches:
            m.off_topic = True
    return matches


class _Languages:
    """A task's languages, found once and only when a skill about one language is scored
    (:mod:`route.language`)."""

    def __init__(self, text: str, context: Context | None) -> None:
        self.text, self.context = text, context
        self.found: frozenset[str] | None = None

    def factor(self, name: str, scopes: list[str]) -> float:
        declared = [s.partition(":")[2].strip().lower() for s in scopes if s.startswith("language:")]
        if declared and self.context and self.context.languages:
            return 1.0  # a declared language in a folder whose languages are known: scope_factor judges
        language = declared[0] if declared else skill_language(name)
        if not language:
            return 1.0
        if self.found is None:
            self.found = task_languages(self.text)
        return language_factor(language, self.found, self.context.languages if self.context else ())


def _off_topic(index: Index, text: str, best: Any, threshold: float) -> bool:
    """Whether ``best``, the skill the task's own words fit best (an item of ``scored``), misses the
    task's topic while that fit is under ``OFF_TOPIC_RATIO`` × ``threshold`` (always asked at threshold
    0: calibration needs it)."""
    if threshold > 0 and best[5] >= OFF_TOPIC_RATIO * threshold:
        return False
    return off_topic(index, text, best[1])


def _repo_skills(index: Index, repos: set[str]) -> list[int]:
    """The skills scoped to one of ``repos``: scored whatever their text says."""
    return [
        i
        for repo in repos
        for scoped, skills in index.repo_skills.items()
        if same_repository(scoped, repo)
        for i in skills
    ]


def _keep_anchored(scored: list[Any], k: int) -> list[Any]:
    """The best ``k``, where an anchored skill beyond ``k`` takes the place of the last unanchored one."""
    top, rest = scored[:k], scored[k:]
    for item in rest:
        if not item[4]:
            continue
        free = [j for j, kept in enumerate(top) if not kept[4]]
        if not free:
            break
        top[free[-1]] = item
    top.sort(key=lambda item: (-item[0], item[1]))
    return top


def _few_raised(scored: list[Any], k: int, scores: Scores) -> list[Any]:
    """``scored`` without the skills raised by a kind of work beyond the first ``k - 1``: kinds take at
    most k - 1 of the k places, so the skill the task's own words fit best keeps one (with k = 1, no
    kind raises a skill). Dropping by rank keeps route at any threshold equal to its threshold-0 list
    cut at that threshold, which calibration relies on."""
    out, raised = [], 0
    for item in scored:
        if item[1] in scores.kinds and not item[4]:
            raised += 1
            if raised >= k:
                continue
        out.append(item)
    return out


def _distinct(index: Index, scored: list[Any]) -> list[Any]:
    """One copy of a skill that a library holds several times (the same description, as when several
    repositories vendor it): the best-scoring copy stands for the others, so k pointers name k skills."""
    seen: set[str] = set()
    out = []
    for item in scored:
        text = index.descriptions[item[1]].strip()
        if text and text in seen and not item[4]:
            continue
        seen.add(text)
        out.append(item)
    return out


def _task_repositories(index: Index, text: str, context: Context | None) -> set[str]:
    """The repositories the task happens in: its working folder's, and those its text names (in code, in
    its first line, or again and again): a task in any folder that says which repository it is about
    gets that repository's skills."""
    named = named_repositories(text, index.repositories)
    if context is None or not context.repository:
        return named
    repo = context.repository.lower()
    if context.from_folder and not any(same_repository(scoped, repo) for scoped in index.repositories):
        return named  # a folder name that is no scoped repository's: no evidence either way
    return {repo, *named}


def _match(
    index: Index,
    i: int,
    score: float,
    scores: Scores,
    tokens: list[str],
    scope_why: str,
    utility: float | None,
    anchored: bool,
) -> Match:
    """The pointer for skill ``i``, with the reasons it matched."""
    why: list[str] = []
    task, meta = scores.best_task[i], scores.meta[i]
    if i in scores.kinds:
        why.append("the task asks for " + " and ".join(scores.kinds[i][1]))
    matched = [t for t in tokens if _contains(index.meta, t, i)]
    if matched and meta > 0:
        why.append("terms: " + ", ".join(matched[:6]))
    body = [t for t in tokens if t not in matched and index.body is not None and _contains(index.body, t, i)]
    if body:
        why.append("in its body: " + ", ".join(body[:6]))
    if task >= 0:
        why.append(f"like past task: {_short(index.tasks[task])}")
    if scope_why:
        why.append(scope_why)
    if utility is not None:
        why.append(f"utility {utility:.2f}")
    return Match(
        index.names[i], index.descriptions[i], index.paths[i], score, why, index.blocked[i], anchored
    )


def _contains(post: Postings, token: str, doc: int) -> bool:
    from bisect import bisect_left

    t = post.vocab.get(token)
    if t is None:
        return False
    col = post.indices[post.indptr[t] : post.indptr[t + 1]]  # sorted documents of the term
    pos = bisect_left(col, doc)
    return pos < len(col) and int(col[pos]) == doc


def scope_factor(
    scopes: list[str], context: Context | None, tokens: list[str], repos: set[str] | None = None
) -> tuple[float, str, bool]:
    """The factor from the skill's scopes, the reasons, and whether the skill is anchored (scoped to
    one of the task's repositories ``repos``: its working folder's or those named in the task)."""
    if not scopes:
        return 1.0, "", False
    repos = (
        repos
        if repos is not None
        else ({context.repository.lower()} if context and context.repository else set())
    )
    langs = {lang.lower() for lang in context.languages} if context else set()
    factor, reasons, anchored = 1.0, [], False
    for scope in scopes:
        kind, _, value = scope.partition(":")
        value = value.strip().lower()
        if kind == "repository" and repos and value:
            same = any(same_repository(value, repo) for repo in repos)
            factor *= REPO_MATCH if same else REPO_MISMATCH
            anchored = anchored or same
            reasons += [scope] if same else []
        elif kind == "language" and langs and value:
            factor *= SCOPE_MATCH if value in langs else LANGUAGE_MISMATCH
            reasons += [scope] if value in langs else []
        elif kind == "tool" and value and set(tokenize(value)) & set(tokens):
            factor *= SCOPE_MATCH
            reasons.append(scope)
    return factor, ("scope: " + ", ".join(reasons)) if reasons else "", anchored


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
