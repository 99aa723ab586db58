"""The offline miners' streaming reduce: order independence, true counts with evidence capped at k,
memory bounded by groups (not runs), repository spellings merged, and the pipeline folding results."""

from __future__ import annotations

import json
import random
from typing import Any

from fixtures.offline.runs import OK, run, sympy_like

from skillforge.distill import gates
from skillforge.distill.base import MapResult
from skillforge.distill.offline import OfflineMapper
from skillforge.distill.offline.accumulate import Sample
from skillforge.distill.offline.mapper import MINER_VERSION, Reducer
from skillforge.model import Evidence, Lesson, LessonKind, Outcome


def facts(
    i: int, outcome: str = "success", repo: str = "acme/widgets", feature: bool = False
) -> dict[str, Any]:
    """Synthetic facts of one run: a recovered import error, a test recipe, a workflow, an edit."""
    cited = {"steps": [1, 3], "quote": "q", "src": None, "trust": "agent"}
    return {
        "v": MINER_VERSION,
        "id": f"t{i:05d}",
        "repo": repo,
        "agent": "bot",
        "outcome": outcome,
        "task": f"task {i}",
        "errors": [
            {
                **cited,
                "sig": "No module named 'pytest'",
                "exc": "ModuleNotFoundError",
                "cls": "test",
                "failed_cmd": "pytest",
                "fix": "bin/test",
                "between": [],
            }
        ],
        "recipes": [{**cited, "steps": [3], "kind": "test", "recipe": "bin/test" if i % 3 else "tox"}],
        "waste": [],
        "workflow": {
            **cited,
            "order": ["explore", "edit", "test"] if outcome == "success" else ["explore", "edit"],
            "counts": {"explore": 1 + i % 4, "edit": 1, "test": 2},
        },
        "edits": [{"file": "pkg/parse.py", "lang": "python", "symbol": "parse", "step": 2, "src": None}],
        "features": {"edited:config": {**cited, "steps": [2]}} if feature else {},
    }


def lessons_of(all_facts: list[dict[str, Any]], k: int = 20) -> list[dict[str, Any]]:
    fold = Reducer(k)
    for f in all_facts:
        fold.add(f)
    return [le.to_dict() for le in fold.lessons()]


def many(n: int) -> list[dict[str, Any]]:
    return [
        facts(i, "failure" if i % 4 == 0 else "success", feature=i % 4 == 0 or i % 9 == 0) for i in range(n)
    ]


def samples(obj: Any) -> list[Sample]:
    """Every evidence sample the reducer holds (walks its accumulators)."""
    if isinstance(obj, Sample):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in samples(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in samples(v)]
    if hasattr(obj, "__dataclass_fields__"):
        return [s for name in obj.__dataclass_fields__ for s in samples(getattr(obj, name))]
    return []


def test_shuffled_inputs_give_identical_lessons() -> None:
    runs = many(60)
    first = lessons_of(runs, k=5)
    for seed in range(3):
        shuffled = runs[:]
        random.Random(seed).shuffle(shuffled)
        assert json.dumps(lessons_of(shuffled, k=5)) == json.dumps(first)
    assert len(first) >= 4


def test_stream_matches_reduce_on_mined_trajectories() -> None:
    m = OfflineMapper()
    results = [m.map(t) for t in (sympy_like("a"), sympy_like("b"), sympy_like("c", Outcome.FAILURE))]
    fold = m.reducer()
    for r in reversed(results):
        fold.add(r.facts)
    assert [le.to_dict() for le in fold.lessons()] == [le.to_dict() for le in m.reduce(results)]


def test_true_counts_with_evidence_capped_at_k() -> None:
    runs = many(100)
    fold = Reducer(k=7)
    for f in reversed(runs):
        fold.add(f)
    (err,) = [le for le in fold.lessons() if le.kind is LessonKind.ERROR_RECOVERY]
    assert err.support == 100 and err.runs == 100
    assert [e.trajectory_id for e in err.evidence] == [f"t{i:05d}" for i in range(7)]
    assert "seen in 100 runs, 75 resolved" in err.body
    assert err.to_dict()["runs"] == 100 and Lesson.from_dict(err.to_dict()).support == 100


def test_recipe_counts_and_median_are_exact_beyond_the_sample() -> None:
    found = Reducer(k=3)
    for f in many(90):
        found.add(f)
    by_kind = {le.kind: le for le in found.lessons()}
    recipe = by_kind[LessonKind.ENVIRONMENT_RECIPE]
    assert recipe.title == "Run the tests: bin/test" and recipe.support == 60 and len(recipe.evidence) == 3
    assert "tox" in recipe.body  # the alternative keeps its true count (30 runs)
    workflow = by_kind[LessonKind.WORKFLOW]
    assert workflow.support == 67 and len(workflow.evidence) == 3  # resolved runs with that order


def test_contrast_counts_features_by_outcome_and_caps_evidence() -> None:
    fold = Reducer(k=4)
    for f in many(200):
        fold.add(f)
    (warning,) = [le for le in fold.lessons() if le.kind is LessonKind.WARNING]
    assert warning.support == 50 and len(warning.evidence) == 4
    assert all(e.outcome is Outcome.FAILURE for e in warning.evidence)


def test_retained_evidence_stays_within_k_per_group() -> None:
    def held(n: int) -> tuple[int, list[int]]:
        fold = Reducer(k=20)
        for f in many(n):
            fold.add(f)
        found = samples(fold.miners)
        return len(found), [len(s.items) for s in found]

    groups_small, sizes_small = held(300)
    groups_large, sizes_large = held(3000)
    assert groups_large == groups_small  # the same groups: nothing grows with the number of runs
    assert max(sizes_large) == 20 and all(n <= 20 for n in sizes_large)
    assert sum(sizes_large) == sum(sizes_small)


def test_sample_keeps_smallest_ids_in_any_order() -> None:
    ids = [f"id{i:03d}" for i in range(50)]
    random.Random(1).shuffle(ids)
    sample = Sample(k=5)
    for tid in ids:
        sample.add({"id": tid}, {"steps": [0]})
    assert sample.ids == [f"id{i:03d}" for i in range(5)] and len(sample.items) == 5


def test_repeated_run_counts_once() -> None:
    fold = Reducer()
    assert fold.add(facts(1)) and not fold.add(facts(1)) and not fold.add({"v": "other", "id": "x"})
    assert fold.add(facts(2))
    (err,) = [le for le in fold.lessons() if le.kind is LessonKind.ERROR_RECOVERY]
    assert err.support == 2


def test_bare_repository_name_joins_its_owner_whatever_the_order() -> None:
    bare, full = facts(1, repo="widgets"), facts(2, repo="acme/widgets")
    for order in ([bare, full], [full, bare]):
        fold = Reducer()
        for f in order:
            fold.add(f)
        (err,) = [le for le in fold.lessons() if le.kind is LessonKind.ERROR_RECOVERY]
        assert err.scope.value == "acme/widgets" and err.support == 2


def test_support_gate_counts_true_runs_not_the_sample() -> None:
    lesson = Lesson(
        "t", "when", "body", LessonKind.WORKFLOW, evidence=[Evidence("a"), Evidence("b")], runs=40
    )
    assert gates.apply([lesson], 30).kept == [lesson]
    assert (
        gates.apply([Lesson("t", "when", "body", LessonKind.WORKFLOW, evidence=[Evidence("a")])], 2).kept
        == []
    )
    assert "runs" not in Lesson("t", "w", "b", LessonKind.WORKFLOW).to_dict()


def test_pipeline_folds_results_instead_of_keeping_them() -> None:
    from skillforge.distill.base import DistillReport
    from skillforge.distill.finish import _reduce
    from skillforge.distill.run import Run as _Run

    m = OfflineMapper()
    trajs = [sympy_like("a"), sympy_like("b"), run("c", [("ls", OK, "")])]
    stream = _Run(DistillReport(), {}, reducer=m.reducer())
    for t in trajs:
        stream.keep(m.map(t))
    stream.keep(MapResult("t-broken", error="boom"))
    assert [r.trajectory_id for r in stream.results] == ["t-a", "t-b", "t-c"]
    assert all(not hasattr(r, "facts") for r in stream.results)
    kept = _Run(DistillReport(), {})
    for t in trajs:
        kept.keep(m.map(t))
    assert [le.to_dict() for le in _reduce(stream, m)] == [le.to_dict() for le in _reduce(kept, m)]


def test_skill_counts_use_true_support_when_evidence_is_sampled() -> None:
    from skillforge.model import EditOp, Evidence, Lesson, LessonKind, SkillEdit, is_sampled, supporting_runs

    sample = [Evidence(trajectory_id=f"t{i:02d}") for i in range(20)]
    big = Lesson(
        title="a", trigger="t", body="b", kind=LessonKind.ENVIRONMENT_RECIPE, evidence=sample, runs=500
    )
    small = Lesson(
        title="c",
        trigger="t",
        body="d",
        kind=LessonKind.ERROR_RECOVERY,
        evidence=[Evidence(trajectory_id="x1"), Evidence(trajectory_id="x2")],
    )
    assert supporting_runs([big, small]) == 500 and supporting_runs([small]) == 2
    assert is_sampled([big]) and not is_sampled([small])
    assert SkillEdit(EditOp.ADD_SKILL, "s", "r", lessons=[big, small]).evidence_count == 500


def test_code_area_counts_a_symbol_once_per_run() -> None:
    """'`parse` ×3' reads as three runs: two hunks of one run in the same function count once (an
    independent reader found 'DocstringSignatureMixin ×2' from one sphinx run)."""
    runs = [facts(i) for i in range(3)]
    hunk = {"file": "pkg/parse.py", "lang": "python", "symbol": "parse", "step": 5, "src": None}
    runs[0]["edits"] = [*runs[0]["edits"], hunk]  # the first run edits parse() twice
    (area,) = [le for le in lessons_of(runs) if le["title"] == "Code area: pkg/parse.py"]
    assert "(`parse` ×3): changed in 3 runs" in area["body"]


def test_code_area_needs_runs_on_two_tasks() -> None:
    """Eight replays of one task changing one file are no pointer to where other tasks land (an
    independent reader found 'fields.py (TimeDelta ×8): changed in 8 runs' from SWE-agent's replays
    of marshmallow-1867); two tasks are."""
    task = {"task": "TimeDelta serialization precision", "task_key": "marshmallow-code__marshmallow-1867"}
    replays = [{**facts(i), **task} for i in range(8)]
    assert not [le for le in lessons_of(replays) if le["title"].startswith("Code area")]
    two = [*replays, {**facts(8), "task": "another bug", "task_key": "acme__widgets-2"}]
    (area,) = [le for le in lessons_of(two) if le["title"].startswith("Code area")]
    assert "changed in 9 runs" in area["body"]
