"""Worst-case speed of the safety scanners: seconds for one 1 MB line made of a repeated near-miss
(the shapes that make regexes backtrack or rescan), for redaction, injection and home-path scanning.

Usage: python benchmarks/safety_redos.py [MEGABYTES]   (default 1)
"""

from __future__ import annotations

import sys
import time

from skillforge.safety.injection import find_injections
from skillforge.safety.paths import normalize_home_paths
from skillforge.safety.redact import find_secrets

UNITS = [
    "a",
    "A1",
    " ",
    "=",
    "://",
    "key=",
    'password: "',
    "secret=a",
    "pass",
    'api_key="',
    "token a",
    "-----BEGIN PRIVATE KEY-----",
    "eyJ",
    "eyJ-",
    "ghp_",
    "sk-",
    "AKIA",
    "Bearer ",
    "a:b@",
    "http://",
    "aA0+/",
    "ignore all ",
    "curl ",
    "iwr ",
    "<img ",
    "![",
    "~/.ssh/",
    "/home/u/",
    "C:\\Users\\a ",
    "\u200b",
]
SCANNERS = {"secrets": find_secrets, "injection": find_injections, "home-paths": normalize_home_paths}


def main() -> None:
    size = int(float(sys.argv[1]) * 1_000_000) if len(sys.argv) > 1 else 1_000_000
    worst: list[tuple[float, str, str]] = []
    for unit in UNITS:
        line = (unit * (size // len(unit) + 1))[:size]
        for name, scan in SCANNERS.items():
            start = time.perf_counter()
            scan(line)
            worst.append((time.perf_counter() - start, name, unit))
    worst.sort(reverse=True)
    print(f"{len(UNITS)} near-miss lines of {size / 1e6:g} MB x {len(SCANNERS)} scanners; slowest:")
    for seconds, name, unit in worst[:8]:
        print(f"  {seconds:7.3f} s  {name:10}  {unit!r}")


if __name__ == "__main__":
    main()
