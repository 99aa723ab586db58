"""The only concurrency in skillforge: a bounded pool that maps a function over items, yields results
in completion order with their index, and on Ctrl-C cancels what has not started and lets running
calls finish, so nothing is half-written. :class:`RateLimiter` caps requests and tokens per minute
across all workers (providers call ``acquire`` before every request).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def imap_unordered(fn: Callable[[T], R], items: Iterable[T], workers: int = 8) -> Iterator[tuple[int, R]]:
    """Apply ``fn`` to every item with at most ``workers`` in flight; yield ``(index, result)``.

    Items are pulled lazily, so a stream of trajectories is never held whole. Exceptions from ``fn``
    propagate (callers that want to go on catch them inside ``fn``).
    """
    workers = max(1, workers)
    if workers == 1:
        for i, item in enumerate(items):
            yield i, fn(item)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skillforge")
    pending: dict[Future[R], int] = {}
    source = enumerate(items)
    try:
        for i, item in source:
            pending[pool.submit(fn, item)] = i
            if len(pending) >= workers * 2:
                yield from _drain(pending, FIRST_COMPLETED)
        while pending:
            yield from _drain(pending, FIRST_COMPLETED)
    except BaseException:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _drain(pending: dict[Future[R], int], how: str) -> Iterator[tuple[int, R]]:
    done, _ = wait(list(pending), return_when=how)
    for fut in done:
        index = pending.pop(fut)
        yield index, fut.result()


class RateLimiter:
    """Token buckets for requests per minute and tokens per minute (0 = unlimited), shared by threads.

    ``acquire(tokens)`` blocks until one request and ``tokens`` tokens may be spent. A request larger
    than the whole per-minute token allowance waits for a full bucket and then goes through.
    """

    def __init__(self, rpm: float = 0, tpm: float = 0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self._limits = (float(rpm), float(tpm))
        self._levels = [float(rpm), float(tpm)]
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self, tokens: int = 0) -> float:
        """Wait for capacity; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                delay = self._take(tokens)
            if delay <= 0:
                return waited
            self._sleep(delay)
            waited += delay

    def _take(self, tokens: int) -> float:
        now = self._clock()
        elapsed, self._last = now - self._last, now
        need = (1.0, float(tokens))
        delay = 0.0
        for i, limit in enumerate(self._limits):
            if limit <= 0:
                continue
            self._levels[i] = min(limit, self._levels[i] + elapsed * limit / 60.0)
            want = min(need[i], limit)
            if self._levels[i] < want:
                delay = max(delay, (want - self._levels[i]) * 60.0 / limit)
        if delay > 0:
            return delay
        for i, limit in enumerate(self._limits):
            if limit > 0:
                self._levels[i] -= min(need[i], limit)
        return 0.0
