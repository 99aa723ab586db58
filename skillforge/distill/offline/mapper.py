"""OfflineMapper: mines one trajectory into small JSON-safe facts (no LLM, no network), and reduces the
facts of many trajectories into lessons with evidence merged across runs.

``map`` is a pure function of one trajectory; its facts hold only signatures, counts, normalised
commands, short quotes and step indices, so they can be cached on disk and computed in another
process. ``reduce`` is deterministic: the same facts in any order give the same lessons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skillforge.distill.base import MapResult
from skillforge.distill.offline import areas, contrast, errors, recipes, waste, workflow
from skillforge.distill.offline.actions import Act, actions, repository, short_task, source_of
from skillforge.distill.offline.codeloc import (
    Location,
    diff_locations,
    language_of,
    patch_locations,
    snippet_location,
)
from skillforge.distill.offline.commands import EDIT, SUBMIT
from skillforge.distill.offline.evidence import Facts, cite
from skillforge.model import Lesson, Trajectory

MINER_VERSION = "offline-1"
MAX_EDITS = 40


class OfflineMapper:
    """The offline provider's mapper (see ``skillforge.distill.base.Mapper``)."""

    name = "offline"

    def cache_key(self, traj: Trajectory) -> str:
        return f"{traj.id}:{MINER_VERSION}"

    def map(self, traj: Trajectory) -> MapResult:
        return MapResult(trajectory_id=traj.id, facts=mine(traj))

    def reduce(self, results: Sequence[MapResult]) -> list[Lesson]:
        by_id: dict[str, Facts] = {}
        for r in results:
            if r.error is None and isinstance(r.facts, dict) and r.facts.get("v") == MINER_VERSION:
                by_id.setdefault(r.facts["id"], r.facts)
        facts = unify_repositories([by_id[k] for k in sorted(by_id)])
        found: list[Lesson] = []
        for miner in (errors, recipes, contrast, waste, workflow, areas):
            found.extend(miner.lessons(facts))
        return sorted(found, key=lambda le: (str(le.scope), le.kind.value, le.signature, le.title))


def unify_repositories(facts: list[Facts]) -> list[Facts]:
    """Group runs of one repository that agents spelled differently.

    A remote or SWE-bench id gives ``owner/name``; a Claude Code or Aider log often only has the working
    folder's ``name``. A bare name joins the ``owner/name`` that ends with it when exactly one does, so
    ``acme/ledgerkit`` and ``ledgerkit`` become one scope while ``a/utils`` and ``b/utils`` stay apart.
    """
    full: dict[str, set[str]] = {}
    for f in facts:
        repo = f.get("repo") or ""
        if "/" in repo:
            full.setdefault(repo.rsplit("/", 1)[-1].lower(), set()).add(repo)
    out: list[Facts] = []
    for f in facts:
        repo = f.get("repo") or ""
        owners = full.get(repo.lower(), set()) if repo and "/" not in repo else set()
        out.append({**f, "repo": next(iter(owners))} if len(owners) == 1 else f)
    return out


def mine(traj: Trajectory) -> Facts:
    """All facts of one trajectory."""
    acts = actions(traj)
    edits = _edits(traj, acts)
    flow = workflow.mine(traj, acts)
    if flow["steps"]:
        flow.update(cite(traj, flow["steps"], flow["quote"]))
    feats = contrast.mine(acts, sorted({e["file"] for e in edits}))
    by_call = {a.call: a for a in acts}
    return {
        "v": MINER_VERSION, "id": traj.id, "repo": repository(traj), "agent": traj.agent,
        "outcome": traj.outcome.value, "task": short_task(traj.task),
        "errors": errors.mine(traj, acts), "recipes": recipes.mine(traj, acts), "waste": waste.mine(traj, acts),
        "workflow": flow, "edits": edits,
        "features": {k: cite(traj, [s], by_call[s].cmd if s in by_call else k) for k, s in feats.items()},
    }


def _edits(traj: Trajectory, acts: list[Act]) -> list[dict[str, Any]]:
    """Where the run changed code: the final diff when there is one, else each edit action."""
    out: list[dict[str, Any]] = []
    diff_act = next((a for a in reversed(acts) if a.cls == SUBMIT and "diff --git" in a.output), None)
    diff_text = diff_act.output if diff_act else str(traj.metadata.get("submission") or "")
    if "diff --git" in diff_text:
        step = diff_act.call if diff_act else (acts[-1].call if acts else 0)
        out = [_loc(traj, loc, step) for loc in diff_locations(diff_text, MAX_EDITS)]
        return out
    for a in acts:
        if a.cls != EDIT:
            continue
        inp = a.tool_input if isinstance(a.tool_input, dict) else {}
        path = str(inp.get("path") or inp.get("file_path") or "")
        snippet = _snippet(inp)
        if "*** Begin Patch" in a.cmd or "*** Update File:" in str(inp.get("input") or a.cmd):
            call = traj.step(a.call)
            patch = str(inp.get("input") or inp.get("patch") or (call.text if call else ""))
            out.extend(_loc(traj, loc, a.call) for loc in patch_locations(patch))
        elif path and snippet:
            out.append(_loc(traj, snippet_location(path, snippet), a.call))
        for written in a.writes:
            if written != path and (not out or written != out[-1]["file"]):
                out.append(_loc(traj, Location(written, language_of(written)), a.call))
        if len(out) >= MAX_EDITS:
            break
    root = (traj.cwd or "").rstrip("/") + "/"
    for e in out:
        e["file"] = relative(e["file"], root)
    return out[:MAX_EDITS]


def _snippet(inp: dict[str, Any]) -> str:
    edits = inp.get("edits")
    if isinstance(edits, list) and edits and isinstance(edits[0], dict):
        return str(edits[0].get("new_string") or "")
    return str(inp.get("new_str") or inp.get("new_string") or inp.get("content") or "")


def relative(path: str, root: str) -> str:
    """A path relative to the run's working directory (or a SWE-bench style /testbed)."""
    for prefix in (root, "/testbed/", "/workspace/", "/repo/"):
        if len(prefix) > 1 and path.startswith(prefix):
            return path[len(prefix):]
    return path.removeprefix("./")


def _loc(traj: Trajectory, loc: Location, step: int) -> dict[str, Any]:
    d = loc.to_dict()
    d["step"] = step
    d["src"] = source_of(traj, step)
    return d
