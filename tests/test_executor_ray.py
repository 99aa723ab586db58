"""The map stage on Ray (a local instance on 127.0.0.1) gives the same results and library as the
local executor; the driver streams with a bounded window; cache, errors and the budget stop work."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import git
import orjson
import pytest

from skillforge.distill.base import MapResult
from skillforge.distill.cache import MapCache
from skillforge.distill.executors import NOT_STARTED, LocalExecutor, MapTask, RayExecutor, create
from skillforge.errors import BudgetExceeded, ConfigError
from skillforge.model import Trajectory

# Ray reads these when it is imported: no usage stats, and a local instance stays on 127.0.0.1
os.environ.update({"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"})
ray = pytest.importorskip("ray")

FIX = Path(__file__).parent / "fixtures" / "distill"
LABELS = str(FIX / "labels.json")


def _trajectories(*batches: str) -> list[Trajectory]:
    from skillforge.ingest import read

    return list(read([str(FIX / b) for b in batches]))


def _tree(lib: Path, ref: str) -> dict[str, str]:
    commit = git.Repo(lib).commit(ref)
    return {b.path: b.data_stream.read().decode() for b in commit.tree.traverse() if b.type == "blob"}


def _distill(cli, lib: Path, *extra: str) -> dict:
    res = cli(
        "distill",
        str(FIX / "batch1"),
        str(FIX / "batch2"),
        "--labels",
        LABELS,
        "--library",
        str(lib),
        "--json",
        *extra,
    )
    assert res.code == 0, res.err
    return orjson.loads(res.out)


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    """One local instance for the module, started the way ``--executor ray`` starts it."""
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # test mappers travel by value
    assert not ray.is_initialized() and RayExecutor(2)._connect(ray) is True
    yield
    ray.shutdown()
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_cli_ray_run_gives_the_same_library_as_a_local_run(ray_session, cli, tmp_path) -> None:
    from skillforge.skills.store import Library

    Library.init(tmp_path / "local")
    shutil.copytree(tmp_path / "local", tmp_path / "ray")  # the same base commit, so the same run id
    local = _distill(cli, tmp_path / "local")
    remote = _distill(cli, tmp_path / "ray", "--executor", "ray", "--workers", "2")
    assert ray.is_initialized()  # a session it did not start is left running
    assert remote["run_id"] == local["run_id"] and remote["changes"] == local["changes"]
    assert remote["changes"] and remote["lessons_kept"] == local["lessons_kept"] > 0
    assert _tree(tmp_path / "ray", remote["branch"]) == _tree(tmp_path / "local", local["branch"])


def test_local_instance_is_bound_to_loopback(ray_session) -> None:
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
    assert ray.cluster_resources()["CPU"] == min(2, os.cpu_count() or 1)


def test_offline_miners_on_ray_equal_local_results(ray_session) -> None:
    from skillforge.distill.offline import OfflineMapper

    trajs = _trajectories("batch1", "batch2")
    mapper = OfflineMapper()
    by_id = lambda r: r.trajectory_id  # noqa: E731
    local = sorted(LocalExecutor(2).map(MapTask(mapper), trajs), key=by_id)
    remote = sorted(RayExecutor(2, window=2, chunk=2).map(MapTask(mapper), trajs), key=by_id)
    assert [r.facts for r in remote] == [r.facts for r in local] and len(remote) == len(trajs)
    assert mapper.reduce(remote) == mapper.reduce(local)


class _Echo:
    """A picklable mapper: the step count as facts; fails on ids containing ``boom``/``budget``."""

    name = "echo"

    def cache_key(self, traj: Trajectory) -> str:
        return f"echo-{traj.id}"

    def map(self, traj: Trajectory) -> MapResult:
        if "boom" in traj.id:
            raise ValueError("bad run")
        if "budget" in traj.id:
            raise BudgetExceeded("over budget", "raise --max-cost")
        if "crash" in traj.id:  # only ever run in a Ray worker
            os._exit(1)
        return MapResult(traj.id, facts={"steps": len(traj.steps), "pid": os.getpid()})


def _traj(tid: str) -> Trajectory:
    return Trajectory(id=tid, source="test.jsonl", format="interchange", agent="test", task=f"task {tid}")


def _fake(n: int, prefix: str = "t") -> Iterator[Trajectory]:
    for i in range(n):
        yield _traj(f"{prefix}{i:03d}")


def test_driver_keeps_at_most_the_window_in_flight(ray_session) -> None:
    pulled = 0

    def stream() -> Iterator[Trajectory]:
        nonlocal pulled
        for traj in _fake(40):
            pulled += 1
            yield traj

    in_flight = []
    results = []
    for result in RayExecutor(2, window=3, chunk=2).map(MapTask(_Echo()), stream()):
        results.append(result)
        in_flight.append(pulled - len(results))
    assert len(results) == 40 and max(in_flight) <= 3 * 2 + 2  # window tasks of chunk runs, one filling
    assert len({r.facts["pid"] for r in results}) >= 1 and all(r.facts["pid"] != os.getpid() for r in results)


def test_results_are_cached_on_the_driver_and_reused(ray_session, tmp_path) -> None:
    cache = MapCache(tmp_path / "cache")
    first = list(RayExecutor(2).map(MapTask(_Echo(), cache), _fake(6)))
    second = list(RayExecutor(2).map(MapTask(_Echo(), cache), _fake(6)))
    assert not any(r.cached for r in first) and all(r.cached for r in second)
    assert sorted(r.trajectory_id for r in second) == sorted(r.trajectory_id for r in first)
    assert cache.path("echo-t003").is_file()


def test_a_failing_item_is_reported_and_the_others_go_on(ray_session) -> None:
    items = [*_fake(3), _traj("boom1")]
    results = {r.trajectory_id: r for r in RayExecutor(2).map(MapTask(_Echo(), MapCache()), items)}
    assert results["boom1"].error == "ValueError: bad run"
    assert all(results[f"t{i:03d}"].error is None for i in range(3))


def test_a_dead_worker_fails_its_item_only(ray_session) -> None:
    items = [_traj("crash1"), *_fake(3)]
    results = {r.trajectory_id: r for r in RayExecutor(2, chunk=1).map(MapTask(_Echo()), items)}
    assert str(results["crash1"].error).startswith("ray: ")
    assert all(results[f"t{i:03d}"].error is None for i in range(3))


def test_budget_failure_stops_new_items(ray_session) -> None:
    task = MapTask(_Echo())
    items = [_traj("budget0"), *_fake(5)]
    results = list(RayExecutor(2, window=1, chunk=1).map(task, items))
    assert task.stop.is_set() and results[0].error == "budget: over budget"
    assert [r.error for r in results[1:]] == [NOT_STARTED] * 5


def test_unpicklable_mapper_is_refused_with_a_hint(ray_session) -> None:
    import threading

    class Holder(_Echo):
        lock = None

    mapper = Holder()
    mapper.lock = threading.Lock()
    with pytest.raises(ConfigError) as err:
        list(RayExecutor(2).map(MapTask(mapper), _fake(1)))
    assert "--executor local" in (err.value.hint or "")


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_llm_analysis_is_refused_on_ray_with_a_hint(cli, tmp_path, llm_server, monkeypatch, dry_run) -> None:
    """The dry run refuses it too (it printed a plan the real run then refused)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--executor",
        "ray",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        *dry_run,
    )
    assert res.code == 2 and res.out == "" and not (tmp_path / "lib").exists()
    assert "cannot be sent to Ray workers" in res.err and "--batch" in res.err
    assert llm_server.requests == []


def test_bad_executor_options_are_one_line_errors(cli, tmp_path) -> None:
    with pytest.raises(ConfigError):
        create("spark")
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--ray-address",
        "ray://nowhere:1",
    )
    assert res.code != 0 and "--ray-address needs --executor ray" in res.err
    assert "Traceback" not in res.err
