"""Where distill's map stage runs: ``local`` (a thread pool, :func:`skillforge.distill.parallel.imap_unordered`)
or ``ray`` (tasks on an existing Ray cluster, or a local instance started on 127.0.0.1).

Both executors run the same :class:`MapTask`: cache lookup and store on the driver's cache, the
mapper's ``map`` with per-item error capture, and the run's stop flag (budget). Trajectories arrive
as a lazy stream; Ray tasks take ``chunk`` of them and at most ``window`` tasks are in flight, so the
driver never holds the corpus.
Results come back in completion order: the offline miner's streaming reduce does not depend on it and
the pipeline sorts other mappers' results by trajectory id before ``reduce``, so a Ray run and a local
run on the same input give the same library.

    executor = create("ray", workers=4, address="ray://head:10001")
    for result in executor.map(MapTask(mapper, cache, stop), trajectories): ...
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from skillforge.distill.base import Mapper, MapResult
from skillforge.distill.cache import MapCache
from skillforge.errors import BudgetExceeded, ConfigError, ProviderError, SkillforgeError
from skillforge.model import Trajectory

EXECUTORS = ("local", "ray")
BUDGET_PREFIX = "budget: "
NOT_STARTED = "not started: the budget was exhausted"
LOCALHOST = "127.0.0.1"
# a local instance: no usage reporting, and 127.0.0.1 kept as the node address (on Linux Ray otherwise
# replaces a loopback node address with the machine's outward IP)
LOCAL_RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def compute_many(mapper: Any, trajs: list[Trajectory]) -> list[MapResult]:
    """:func:`compute` over a chunk (one Ray task maps several trajectories: less overhead per task)."""
    return [compute(mapper, traj) for traj in trajs]


def compute(mapper: Any, traj: Trajectory) -> MapResult:
    """``mapper.map(traj)`` with failures captured in the result (runs in a thread or a Ray worker),
    except a provider error every later call would repeat (a bad key, an unknown model): it stops
    the run, with its hint."""
    try:
        return mapper.map(traj)
    except ProviderError as exc:
        if exc.stops_run:
            raise
        return MapResult(traj.id, error=str(exc))  # with its hint
    except BudgetExceeded as exc:
        return MapResult(traj.id, error=BUDGET_PREFIX + exc.message)
    except SkillforgeError as exc:
        return MapResult(traj.id, error=exc.message)
    except Exception as exc:  # one bad trajectory must not sink the run; it is reported
        return MapResult(traj.id, error=f"{type(exc).__name__}: {exc}")


@dataclass
class MapTask:
    """The per-trajectory work and its driver-side bookkeeping (cache, stop flag)."""

    mapper: Mapper
    cache: MapCache | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def lookup(self, traj: Trajectory) -> tuple[str, MapResult | None]:
        """(cache key, cached result or None); a stopped run answers "not started" for new items."""
        key = self.mapper.cache_key(traj)
        hit = self.cache.get(key) if self.cache is not None and key else None
        if hit is None and self.stop.is_set():
            return key, MapResult(traj.id, error=NOT_STARTED)
        return key, hit

    def finish(self, key: str, result: MapResult) -> MapResult:
        """Store a fresh result in the cache; a budget failure stops the run."""
        if result.error is not None and result.error.startswith(BUDGET_PREFIX):
            self.stop.set()
        elif result.error is None and self.cache is not None and key:
            self.cache.put(key, result)
        return result

    def __call__(self, traj: Trajectory) -> MapResult:
        key, hit = self.lookup(traj)
        if hit is not None:
            return hit
        try:
            return self.finish(key, compute(self.mapper, traj))
        except ProviderError:  # stops the run: the items waiting for a worker are not started
            self.stop.set()
            raise


class Executor(Protocol):
    name: str

    def map(self, task: MapTask, items: Iterable[Trajectory]) -> Iterator[MapResult]: ...


class LocalExecutor:
    """Threads on this machine (LLM calls are I/O-bound; the offline miners are quick)."""

    name = "local"

    def __init__(self, workers: int = 8):
        self.workers = max(1, workers)

    def map(self, task: MapTask, items: Iterable[Trajectory]) -> Iterator[MapResult]:
        from skillforge.distill.parallel import imap_unordered

        for _, result in imap_unordered(task, items, self.workers):
            yield result


class RayExecutor:
    """Ray tasks of ``chunk`` trajectories not already cached, at most ``window`` tasks in flight.

    ``address`` None starts a local instance (``num_cpus=workers``, bound to 127.0.0.1, no
    dashboard, no usage stats) and shuts it down afterwards; an address connects to that cluster.
    When Ray is already initialised in this process, that session is used and left running.
    """

    name = "ray"

    def __init__(self, workers: int = 0, address: str | None = None, window: int = 0, chunk: int = 8):
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.address = address or None
        self.window = window if window > 0 else 2 * self.workers
        self.chunk = max(1, chunk)

    def map(self, task: MapTask, items: Iterable[Trajectory]) -> Iterator[MapResult]:
        ray = _import_ray(self.address)
        _check_picklable(task.mapper)
        started = self._connect(ray)
        try:
            yield from self._run(ray, task, items)
        finally:
            if started:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Initialise Ray unless it already is; True when this call did (and must shut it down)."""
        if ray.is_initialized():
            return False
        if self.address is None:
            ray.init(
                address=None,
                include_dashboard=False,
                num_cpus=min(self.workers, os.cpu_count() or 1),
                _node_ip_address=LOCALHOST,
                log_to_driver=False,
                logging_level="ERROR",
            )
        else:
            try:
                ray.init(address=self.address, log_to_driver=False, logging_level="ERROR")
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    f"cannot connect to the Ray cluster at {self.address}: {exc}",
                    "check --ray-address (e.g. ray://head:10001 or auto), or omit it "
                    "to start a local instance",
                ) from None
        return True

    def _run(self, ray: Any, task: MapTask, items: Iterable[Trajectory]) -> Iterator[MapResult]:
        remote = ray.remote(num_cpus=1, max_retries=1)(compute_many)
        mapper_ref = ray.put(task.mapper)
        pending: dict[Any, list[tuple[str, str]]] = {}  # object ref -> [(cache key, trajectory id)]
        chunk: list[tuple[str, Trajectory]] = []

        def send() -> None:  # the workers get the trajectories; the driver keeps ids and a reference
            pending[remote.remote(mapper_ref, [t for _, t in chunk])] = [(k, t.id) for k, t in chunk]
            chunk.clear()

        try:
            for traj in items:
                key, hit = task.lookup(traj)
                if hit is not None:
                    yield hit
                    continue
                chunk.append((key, traj))
                if len(chunk) >= self.chunk:
                    send()
                while len(pending) >= self.window:
                    yield from _drain(ray, task, pending)
            if chunk:
                send()
            while pending:
                yield from _drain(ray, task, pending)
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise


def _drain(ray: Any, task: MapTask, pending: dict[Any, list[tuple[str, str]]]) -> Iterator[MapResult]:
    """Wait for at least one task, then take every one that is ready. A task whose worker died
    (out of memory, node lost) after Ray's retry fails its trajectories; the run goes on."""
    refs = list(pending)
    ready, _ = ray.wait(refs, num_returns=1)
    more, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
    for ref in dict.fromkeys([*ready, *more]):
        items = pending.pop(ref)
        try:
            results = ray.get(ref)
        except ray.exceptions.RayError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, ProviderError) and cause.stops_run:
                raise cause from None
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            results = [MapResult(tid, error=f"ray: {type(exc).__name__}: {first}") for _, tid in items]
        for (key, _), result in zip(items, results, strict=True):
            yield task.finish(key, result)


def _import_ray(address: str | None) -> Any:
    """Ray, imported (for a local instance, ``address`` None, after setting the environment it reads
    at import and passes to the processes it starts)."""
    if address is None:
        os.environ.update(LOCAL_RAY_ENV)
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--executor ray needs Ray, which is not installed",
            "pip install 'skillforge-distill[ray]' (or use --executor local)",
        ) from None
    return ray


def _check_picklable(mapper: Any) -> None:
    from ray import cloudpickle

    try:
        cloudpickle.dumps(mapper)
    except Exception as exc:
        raise ConfigError(
            f"the {mapper.name} stage cannot be sent to Ray workers ({exc})",
            "LLM analysis is network-bound: use --executor local, or --batch for batch "
            "prices; --executor ray runs the offline miners",
        ) from None


def check(name: str = "local", address: str | None = None, mapper: Any = None) -> str:
    """The executor's name (normalised), after refusing what it cannot run: an unknown name,
    ``--ray-address`` without Ray, Ray not installed and, given the ``mapper`` that will be sent to
    it, a stage Ray workers cannot take. Distill calls it before planning, so a dry run refuses
    what the real run would."""
    name = (name or "local").strip().lower()
    if name not in EXECUTORS:
        raise ConfigError(f"unknown executor {name!r}", f"use one of: {', '.join(EXECUTORS)}")
    if address and name != "ray":
        raise ConfigError("--ray-address needs --executor ray", "add --executor ray, or drop --ray-address")
    if name == "ray":
        _import_ray(address or None)
        if mapper is not None:
            _check_picklable(mapper)
    return name


def create(name: str = "local", workers: int = 8, address: str | None = None) -> Executor:
    """The executor called ``name`` (``local`` or ``ray``; see :func:`check`)."""
    factories: dict[str, Callable[[], Executor]] = {
        "local": lambda: LocalExecutor(workers),
        "ray": lambda: RayExecutor(workers, address),
    }
    return factories[check(name, address)]()
