"""Bounded reads of untrusted input streams: at most ``limit`` bytes, within ``seconds``.

A hook's stdin comes from the agent; one that stays open without end of file must not hold the hook
(and so the agent) forever. :func:`read_bounded` reads a file descriptor with ``select`` until end of
file (or a whole JSON document, for an agent that keeps the pipe open), the size limit or the
deadline, and raises ``TimeoutError`` or ``ValueError`` so that the
caller fails open. Works on pipes, files and sockets (POSIX); on other streams it reads directly.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable


def read_bounded(
    fd: int, limit: int, seconds: float, complete: Callable[[bytes], bool] | None = None
) -> bytes:
    """All bytes of ``fd`` until end of file, or until ``complete(data)`` says the input is whole (a
    JSON document sent by an agent that keeps its end of the pipe open); ``ValueError`` past ``limit``
    bytes, ``TimeoutError`` when neither came within ``seconds``."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no end of input within {seconds:g} s")
        try:
            ready, _, _ = select.select([fd], [], [], left)
        except (OSError, ValueError):  # not selectable (e.g. a Windows console): read directly
            ready = [fd]
        if not ready:
            raise TimeoutError(f"no end of input within {seconds:g} s")
        chunk = os.read(fd, min(1 << 16, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError(f"input is larger than {limit} bytes")
        if complete is not None and chunk.rstrip().endswith(b"}") and complete(b"".join(chunks)):
            return b"".join(chunks)
