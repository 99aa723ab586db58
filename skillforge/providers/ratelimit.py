"""Requests and tokens per minute, shared by every worker thread: providers call ``acquire`` before every
request, so a parallel map stage never exceeds the account's limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Token buckets for requests per minute and tokens per minute (0 = unlimited), shared by threads.

    ``acquire(tokens)`` blocks until one request and ``tokens`` tokens may be spent. A request larger
    than the whole per-minute token allowance waits for a full bucket and then goes through.
    """

    def __init__(
        self,
        rpm: float = 0,
        tpm: float = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
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
