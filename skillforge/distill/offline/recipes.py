"""Environment recipes: how a repository's tests are run, how it is built and how its dependencies
are installed, from the commands that succeeded there. One lesson per repository and kind, naming
the dominant normalised command (most runs) and the alternatives that also worked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Runs,
    Sample,
    entry,
    evidence_of,
    ranked,
    regroup,
    runs_if_sampled,
    top,
)
from skillforge.distill.offline.actions import Act
from skillforge.distill.offline.cmdline import same_command
from skillforge.distill.offline.commands import BUILD, CHECK, INSTALL, TEST
from skillforge.distill.offline.evidence import (
    Facts,
    cite,
    confidence,
    evidence,
    render,
    repo_scope,
)
from skillforge.model import Lesson, LessonKind, Level, Scope, ScopeKind, Trajectory

# (the lesson's verb, the runs it counts): a recipe worked in n of the runs where some command of its
# kind worked; a run whose tests never passed is not among them (held-out astropy: "succeeded in 4 of 5
# runs that ran tests" where 6 ran them, one never passing)
KINDS = {
    TEST: ("Run the tests", "tests passed"),
    BUILD: ("Build", "a build worked"),
    INSTALL: ("Install", "an install worked"),
    CHECK: ("Run the checks", "a check passed"),
}


_MKDIR = re.compile(r"\bmkdir\s+(?:-\S+\s+)*([^\s;&|]+)")
_CREATES = re.compile(r"^(?:cat|echo|printf|tee)\b|<<")


def mine(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """The first successful use of each (kind, recipe) in this run (the first bare one, if a run piped
    into a filter came first), run from the repository on its own files: a command in a scratch
    folder, or on files and folders this run made, teaches nothing about the repository. Recipes are
    told apart by :func:`~skillforge.distill.offline.cmdline.same_command` (``python3 tests/runtests.py``
    is ``./tests/runtests.py``)."""
    at: dict[tuple[str, str], int] = {}  # (kind, command) -> its item in out
    out: list[dict[str, Any]] = []
    made: set[str] = set()
    for a in acts:
        made.update(made_by(a))
        if a.cls not in KINDS or not a.worked or a.result is None or not a.recipe:
            continue
        if a.scratch or on_made(a, made):
            continue
        key = (a.cls, same_command(a.recipe))
        if key in at and not (out[at[key]].get("piped") and not a.masked):
            continue
        item = cite(
            traj, [a.call], a.cmd, kind=a.cls, recipe=a.recipe, **({"piped": True} if a.masked else {})
        )
        if key in at:  # a bare run after a piped one: the example people copy
            out[at[key]] = item
        else:
            at[key] = len(out)
            out.append(item)
    return out[:30]


def made_by(a: Act) -> list[str]:
    """Files and folders an action creates (heredoc or redirect writes, ``mkdir``)."""
    found = [m.group(1).strip("'\"").rstrip("/") for m in _MKDIR.finditer(a.cmd)]
    if a.heredoc or _CREATES.search(a.cmd):
        found += a.writes
    return [f.removeprefix("./").removeprefix("/testbed/") for f in found]


def on_made(a: Act, made: set[str]) -> bool:
    """Whether the command runs in, or on, something this run made."""
    if a.cwd and a.cwd.split("/")[0] in made:
        return True
    words = [
        w.strip("'\"").removeprefix("./").removeprefix("/testbed/").split("::")[0] for w in a.cmd.split()[1:]
    ]
    return any(
        w in made or (w.split("/")[0] in made and "/" in w) for w in words if w and not w.startswith("-")
    )


def dominant(all_facts: list[Facts], scope: str, kind: str) -> str:
    """The recipe of this kind used by the most runs in this scope ('' when none)."""
    return top(
        Counter(
            it["recipe"]
            for f in all_facts
            if str(repo_scope(f)) == scope
            for it in f.get("recipes", [])
            if it["kind"] == kind
        )
    )


def tests_of(f: Facts) -> list[str]:
    """The test recipes a run used (for :func:`skillforge.distill.offline.accumulate.top`)."""
    return [it["recipe"] for it in f.get("recipes", []) if it["kind"] == TEST]


@dataclass
class _Group:
    """A kind's recipes in one scope, each keyed by its command (:func:`same_command`): the runs it
    worked in, how each was typed (the lesson shows the spelling most runs typed) and its citations."""

    runs: Runs = field(default_factory=Runs)  # distinct runs with a recipe of this kind
    counts: Counter[str] = field(default_factory=Counter)
    by_recipe: dict[str, Runs] = field(default_factory=dict)
    samples: dict[str, Sample] = field(default_factory=dict)
    typed: dict[str, Counter[str]] = field(default_factory=dict)  # command -> its spellings' runs


@dataclass
class Acc:
    """Streaming reduce: per (scope, kind), the runs of each recipe and a sample of their citations."""

    k: int = K
    groups: dict[tuple[Scope, str], _Group] = field(default_factory=dict)

    def _sample(self) -> Sample:
        return Sample(self.k)

    def add(self, f: Facts, meta: Facts) -> None:
        scope, seen = repo_scope(f), set[Any]()
        for it in f.get("recipes", []):
            g = entry(self.groups, (scope, it["kind"]), _Group)
            command = same_command(it["recipe"])
            if it["kind"] not in seen:
                g.runs.add(f["outcome"])
            if (it["kind"], command) not in seen:  # a run counts once per command, however it typed it
                entry(g.by_recipe, command, Runs).add(f["outcome"])
                g.counts[command] += 1
                entry(g.typed, command, Counter[str])[it["recipe"]] += 1
            seen.update((it["kind"], (it["kind"], command)))
            entry(g.samples, command, self._sample).add(meta, it)

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        groups = {(str(s), kind): (s, kind, g) for (s, kind), g in regroup(self.groups, resolve).items()}
        return [_lesson(*v) for _k, v in sorted(groups.items())]


def _lesson(scope: Scope, kind: str, g: _Group) -> Lesson:
    ranked = _ranked(g.counts)
    command, n = ranked[0]
    recipe = top(g.typed[command])
    chosen, verb, did = g.samples[command], *KINDS[kind]
    repo = scope.value if scope.kind is ScopeKind.REPOSITORY else ""
    body = render(
        "lesson_recipe",
        verb=verb,
        recipe=recipe,
        n=n,
        total=g.runs.n,
        did=did,
        alternatives=[(top(g.typed[r]), c) for r, c in ranked[1:4] if c >= 2],
        runs=g.by_recipe[command].phrase(),
        example=_example(chosen) if "<" in recipe else "",
    )
    return Lesson(
        title=f"{verb}: {recipe}",
        trigger=f"when you need to {verb.lower()} in {repo or 'this project'}",
        body=body,
        kind=LessonKind.ENVIRONMENT_RECIPE,
        level=Level.ATOMIC,
        scope=scope,
        evidence=evidence_of(chosen, evidence),
        confidence=confidence(n, g.runs.n),
        signature=f"recipe:{kind}",
        runs=runs_if_sampled(g.by_recipe[command].n, chosen),
    )


def _example(sample: Sample) -> str:
    """The first cited command that is bare, else the shortest of those piped into a filter
    (``| tail -20``): the one people copy."""
    quotes = [(bool(item.get("piped")), str(item["quote"])) for _meta, item in sample.pairs()]
    bare = [q for piped, q in quotes if not piped]
    return bare[0] if bare else min((q for _piped, q in quotes), key=len)


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return ranked(counts)
