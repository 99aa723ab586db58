"""The only concurrency in skillforge: a bounded pool that maps a function over items, yields results
in completion order with their index, and on Ctrl-C cancels what has not started and lets running
calls finish, so nothing is half-written. (Rate limits live with the providers:
:mod:`skillforge.providers.ratelimit`.)
"""

from __future__ import annotations

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
