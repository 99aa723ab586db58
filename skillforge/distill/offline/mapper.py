"""OfflineMapper: mines one trajectory into small JSON-safe facts (no LLM, no network), and reduces the
facts of many trajectories into lessons with evidence merged across runs.

``map`` is a pure function of one trajectory; its facts hold only signatures, counts, normalised
commands, short quotes and step indices, so they can be cached on disk and computed in another
process. ``reduce`` is deterministic: the same facts in any order give the same lessons. ``reducer()``
gives the same reduce as a stream (``add(facts)`` per run, ``lessons()`` at the end), so the driver
needs not keep every run's facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skillforge.distill.base import MapResult
from skillforge.distill.offline import areas, contrast, errors, harness, recipes, regressions, waste, workflow
from skillforge.distill.offline.accumulate import K, brief
from skillforge.distill.offline.actions import Act, actions, repository, short_task, source_of
from skillforge.distill.offline.codeloc import (
    Location,
    diff_locations,
    language_of,
    patch_locations,
    snippet_location,
)
from skillforge.distill.offline.commands import EDIT, SUBMIT
from skillforge.distill.offline.evidence import Facts, cite, relative_source, repo_scope
from skillforge.model import EditFile, Lesson, Patch, Scope, ScopeKind, Trajectory, content_id
from skillforge.text import owner_of_names

MINER_VERSION = "offline-25"
_SCOPE_KINDS = frozenset(k.value for k in ScopeKind)
MAX_EDITS = 40


class OfflineMapper:
    """The offline provider's mapper (see ``skillforge.distill.base.Mapper``)."""

    name = "offline"

    def __init__(self, roots: Sequence[str] = ()) -> None:
        # the inputs given on the command line: evidence paths are written relative to them
        self.roots = [str(r) for r in roots]
        self.read: dict[str, tuple[int, int]] = {}  # scope -> (runs read, resolved), filled by the reduce
        self.mapped: set[str] = set()  # the trajectories the reduce counted in ``read``

    def cache_key(self, traj: Trajectory) -> str:
        from skillforge.safety.redact import scrub

        # as redaction writes it (/home/alice/… -> ~/…), so that the key is the same before and after
        source, roots = scrub(traj.source)[0], [scrub(r)[0] for r in self.roots]
        shown = relative_source(source, roots) if roots else source
        # the run as read (outcome, repository, steps) too: facts carry them, so labels given later or a
        # newer reader must not reuse facts mined from the run as it was read before
        return f"{traj.id}:{MINER_VERSION}:{traj.digest()}:{shown}"

    def map(self, traj: Trajectory) -> MapResult:
        facts = mine(traj)
        if self.roots:
            _relative_sources(facts, self.roots)
        return MapResult(trajectory_id=traj.id, facts=facts)

    def reducer(self, k: int = K) -> Reducer:
        """A streaming reduce: ``add(facts)`` per run as results arrive, ``lessons()`` at the end."""
        return Reducer(k, self.read, self.mapped)

    def reduce(self, results: Sequence[MapResult]) -> list[Lesson]:
        fold = self.reducer()
        for r in results:
            if r.error is None:
                fold.add(r.facts)
        return fold.lessons()


class Reducer:
    """Lessons from a stream of facts, in memory bounded by the number of distinct groups (signatures,
    recipes, files, features…), not runs: each miner keeps counters per group and the evidence of the
    ``k`` smallest trajectory ids only (``Lesson.runs`` then gives the true count). The result does not
    depend on the order facts arrive in. Only the ids seen are kept per run (a repeated id counts once)."""

    def __init__(
        self, k: int = K, read: dict[str, tuple[int, int]] | None = None, mapped: set[str] | None = None
    ) -> None:
        self.read = read if read is not None else {}  # scope -> (runs read, resolved): skill headers
        self.mapped = mapped if mapped is not None else set()  # the runs counted in ``read``
        self.counts: dict[str, list[int]] = {}
        self.seen: set[str] = set()
        self.full: set[str] = set()  # the owner/name spellings of repositories seen
        self.miners = [
            m.Acc(k=k) for m in (errors, recipes, contrast, waste, workflow, areas, harness, regressions)
        ]

    def add(self, facts: Any) -> bool:
        """Count one run's facts (False: not offline facts of this miner version, or a repeated id)."""
        if not isinstance(facts, dict) or facts.get("v") != MINER_VERSION or facts["id"] in self.seen:
            return False
        self.seen.add(facts["id"])
        repo = facts.get("repo") or ""
        if "/" in repo:
            self.full.add(repo)
        meta = brief(facts)
        for key in (str(repo_scope(facts)), f"agent:{facts.get('agent') or 'agent'}", "all"):
            tally = self.counts.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += facts["outcome"] == "success"
        for miner in self.miners:
            miner.add(facts, meta)
        return True

    def resolve(self, scope: Scope) -> Scope:
        """Group runs of one repository that agents spelled differently.

        A remote or SWE-bench id gives ``owner/name``; a Claude Code or Aider log often only has the
        working folder's ``name``. A bare name joins the ``owner/name`` that ends with it when exactly
        one does, so ``acme/ledgerkit`` and ``ledgerkit`` become one scope while ``a/utils`` and
        ``b/utils`` stay apart."""
        if scope.kind is not ScopeKind.REPOSITORY:
            return scope
        owner = owner_of_names(self.full).get(scope.value.lower())
        return Scope(ScopeKind.REPOSITORY, owner) if owner else scope

    def lessons(self) -> list[Lesson]:
        for name, (n, won) in self.counts.items():
            kind, _, value = name.partition(":")
            scope = str(self.resolve(Scope(ScopeKind(kind), value))) if kind in _SCOPE_KINDS else name
            old = self.read.get(scope, (0, 0))
            self.read[scope] = (old[0] + n, old[1] + won)
        self.counts = {}
        self.mapped.update(self.seen)
        found = [le for miner in self.miners for le in miner.lessons(self.resolve)]
        return sorted(found, key=lambda le: (str(le.scope), le.kind.value, le.signature, le.title))


def _relative_sources(facts: Any, roots: list[str]) -> None:
    """Every cited ``src`` in the facts, relative to the input it was found under (in place)."""
    if isinstance(facts, dict):
        for key, value in facts.items():
            if key == "src" and isinstance(value, str):
                facts[key] = relative_source(value, roots)
            else:
                _relative_sources(value, roots)
    elif isinstance(facts, list):
        for value in facts:
            _relative_sources(value, roots)


def mine(traj: Trajectory) -> Facts:
    """All facts of one trajectory."""
    acts = actions(traj)
    edits = _edits(traj, acts)
    flow = workflow.mine(traj, acts)
    if flow["steps"]:
        flow.update(cite(traj, flow["steps"], flow["quote"]))
    complaints = harness.mine(traj)
    diff = _submission(traj, acts)
    feats = contrast.mine(acts, sorted({e["file"] for e in edits}), diff, complaints)
    by_call = {a.call: a for a in acts}
    return {
        "v": MINER_VERSION,
        "id": traj.id,
        "repo": repository(traj),
        "agent": traj.agent,
        "outcome": traj.known_outcome.value,  # a guess is no ground to set failed runs against resolved
        "task": short_task(traj.task),
        "task_key": task_key(traj),
        "errors": errors.mine(traj, acts),
        "recipes": recipes.mine(traj, acts),
        "waste": waste.mine(traj, acts),
        "workflow": flow,
        "edits": edits,
        "harness": complaints,
        "verdict": regressions.mine(traj, acts, diff),
        "features": {k: cite(traj, [s], by_call[s].cmd if s in by_call else k) for k, s in feats.items()},
    }


def task_key(traj: Trajectory) -> str:
    """What tells one task from another: the benchmark instance (replays of it are one task), else the
    whole task text (two plans opening with "Implement the following plan:" are two); '' without one."""
    if traj.task_id:
        return traj.task_id
    text = " ".join(traj.task.split())
    return content_id("task", text) if text else ""


def _final_diff(traj: Trajectory, acts: list[Act]) -> tuple[Act | None, str]:
    """The run's final diff: the submit action's output, else the log's recorded submission."""
    diff_act = next((a for a in reversed(acts) if a.cls == SUBMIT and "diff --git" in a.output), None)
    return diff_act, diff_act.output if diff_act else str(traj.metadata.get("submission") or "")


def _submission(traj: Trajectory, acts: list[Act]) -> str:
    return _final_diff(traj, acts)[1]


def _edits(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """Where the run changed code: the final diff when there is one, else each edit action."""
    diff_act, diff_text = _final_diff(traj, acts)
    if "diff --git" in diff_text:
        step = diff_act.call if diff_act else (acts[-1].call if acts else 0)
        return [_loc(traj, loc, step) for loc in diff_locations(diff_text, MAX_EDITS)]
    out: list[dict[str, Any]] = []
    for a in acts:
        if a.cls == EDIT:
            out.extend(_loc(traj, loc, a.call) for loc in _edit_locations(a, out[-1]["file"] if out else ""))
            if len(out) >= MAX_EDITS:
                break
    root = (traj.cwd or "").rstrip("/") + "/"
    for e in out:
        e["file"] = relative(e["file"], root)
    return out[:MAX_EDITS]


def _edit_locations(a: Act, last: str) -> list[Location]:
    """The code locations one edit action changed: a patch's hunks, an edit's snippet, then each
    other file it writes (``last``: the file of the location before, not repeated)."""
    action = a.action
    path = action.path if isinstance(action, EditFile) else ""
    out: list[Location] = []
    if isinstance(action, Patch):  # its hunks name every file it changes
        return patch_locations(action.text)
    if path and isinstance(action, EditFile) and action.text:
        out = [snippet_location(path, action.text)]
    for written in a.writes:
        if written != path and written != (out[-1].file if out else last):
            out.append(Location(written, language_of(written)))
    return out


def relative(path: str, root: str) -> str:
    """A path relative to the run's working directory (or a SWE-bench style /testbed)."""
    for prefix in (root, "/testbed/", "/workspace/", "/repo/"):
        if len(prefix) > 1 and path.startswith(prefix):
            return path[len(prefix) :]
    return path.removeprefix("./")


def _loc(traj: Trajectory, loc: Location, step: int) -> dict[str, Any]:
    d = loc.to_dict()
    d["step"] = step
    d["src"] = source_of(traj, step)
    return d
