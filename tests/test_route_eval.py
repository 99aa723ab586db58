"""``skillforge eval route``: metrics, the description-only baseline, calibration, and the routing set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.route.evaluate import evaluate, load_queries, metrics

FIXTURES = Path(__file__).parent / "fixtures" / "route"
ROUTING_SET = Path(__file__).parents[1] / "benchmarks" / "routing_set"


def test_metrics_by_hand() -> None:
    queries = [
        {"expected": ["a"]},
        {"expected": ["b"]},
        {"expected": ["c"]},
        {"expected": []},
        {"expected": []},
    ]
    results = [["a", "x"], ["x", "b"], [], [], ["z"]]
    m = metrics(results, queries)
    assert (m["recall@1"], m["recall@3"], m["mrr"]) == pytest.approx((1 / 3, 2 / 3, (1 + 0.5) / 3))
    assert (m["abstention_precision"], m["abstention_recall"]) == (0.5, 0.5)


def test_bad_query_line_names_the_line(tmp_path: Path) -> None:
    from skillforge.errors import InputError

    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "ok", "expected": []}\n{"expected": ["x"]}\n')
    with pytest.raises(InputError, match=r"q.jsonl:2"):
        load_queries(path)


def test_evaluate_fixture_library_beats_its_baseline_on_past_tasks() -> None:
    result = evaluate(FIXTURES / "library", FIXTURES / "queries.jsonl")
    assert result["router"]["recall@1"] == 1.0
    assert result["router"]["abstention_recall"] == 1.0
    assert result["baseline"]["recall@1"] < 1.0


def test_cli_eval_route_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "eval",
        "route",
        "--library",
        str(FIXTURES / "library"),
        "--queries",
        str(FIXTURES / "queries.jsonl"),
        "--json",
    )
    data = json.loads(result.out)
    assert data["queries"] == 4 and set(data["router"]) == set(data["baseline"])


def test_routing_set_is_well_formed() -> None:
    from skillforge.route.index import fingerprint

    queries = load_queries(ROUTING_SET / "queries.jsonl")
    _, skills = fingerprint(ROUTING_SET)
    names = {name for name, _, _ in skills}
    assert len(names) >= 30 and len(queries) >= 100
    assert sum(not q["expected"] for q in queries) >= 10
    assert all(e in names for q in queries for e in q["expected"])
    provenance = json.loads((ROUTING_SET / ".skillforge" / "provenance.json").read_text())
    assert set(provenance["skills"]) == names


@pytest.mark.slow
def test_routing_set_meets_the_quality_bar() -> None:
    result = evaluate(ROUTING_SET, ROUTING_SET / "queries.jsonl")
    assert result["router"]["recall@3"] >= 0.9
    # the baseline now reads name and description (as an agent's skill list shows them)
    assert result["router"]["recall@3"] - result["baseline"]["recall@3"] >= 0.10
