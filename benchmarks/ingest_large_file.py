"""Peak memory of ``skillforge ingest`` (and ``distill --offline``) on one large Claude Code session.

Writes a synthetic Claude Code JSONL of ``--size`` MB (default 108, the file the safety issue measured
at 710 MB peak) shaped like the real sessions in ../shared/corpus/claude-code/public: user prompts,
thinking, text, Bash/Read/Edit/Grep tool calls, and long tool results (file reads and command output up
to ~200 KB, with the ``toolUseResult`` copy Claude Code keeps beside each), plus summary and
file-history lines. Then runs, each in a fresh process, ``skillforge ingest FILE --json > /dev/null``,
``skillforge ingest FILE --to atif > /dev/null`` and (``--distill``) ``skillforge distill FILE --provider offline`` into a new library, ``--runs`` times
each, and prints the median peak RSS (``ru_maxrss`` of the child) and wall time as JSON.

Usage: ``python benchmarks/ingest_large_file.py [--size MB] [--scale 1.0] [--runs 3] [--distill] [--keep FILE]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

SESSION = "5c0ffee0-0000-4000-8000-000000000108"
HEAD = {
    "isSidechain": False,
    "userType": "external",
    "cwd": "/home/dev/ledgerkit",
    "sessionId": SESSION,
    "version": "2.1.5",
    "gitBranch": "main",
}
WORDS = re.findall(
    r"\w+",
    "def class return import self value ledger account balance entry total amount row header csv "
    "export write read open path file error raise test assert config parse format date time list",
)
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode
print(code, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


class Writer:
    """Appends Claude Code lines, each pointing at the one before (``parentUuid``)."""

    def __init__(self, fh: object, rng: random.Random) -> None:
        self.fh, self.rng, self.parent, self.clock = fh, rng, None, 0

    def line(self, kind: str, message: dict[str, object], **extra: object) -> str:
        uid = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.clock += 1
        stamp = f"2026-01-12T{10 + self.clock // 3600 % 12:02d}:{self.clock // 60 % 60:02d}:{self.clock % 60:02d}Z"
        doc = {"parentUuid": self.parent, **HEAD, "type": kind, "message": message, "uuid": uid}
        self.fh.write(json.dumps(doc | {"timestamp": stamp} | extra) + "\n")  # type: ignore[attr-defined]
        self.parent = uid
        return uid

    def extra(self, doc: dict[str, object]) -> None:
        """A line that is no message (progress, summary), in the chain like the others."""
        uid = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.fh.write(json.dumps({"parentUuid": self.parent, **HEAD, **doc, "uuid": uid}) + "\n")  # type: ignore[attr-defined]
        self.parent = uid


def source_text(rng: random.Random, size: int) -> str:
    """Python-looking text of about ``size`` characters."""
    lines, total = [], 0
    while total < size:
        indent = "    " * rng.randrange(3)
        line = indent + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
        lines.append(f"{len(lines) + 1:6d}\t{line}")
        total += len(lines[-1]) + 1
    return "\n".join(lines)


def turn(w: Writer, rng: random.Random, n: int, scale: float = 1.0) -> None:
    """One agent step: thinking, a tool call and its (often long) result."""
    model = {
        "model": "claude-opus-4-5-20251101",
        "id": f"msg_{n:08d}",
        "type": "message",
        "role": "assistant",
    }
    think = {
        "type": "thinking",
        "thinking": source_text(rng, rng.randrange(200, 2000)),
        "signature": "x" * 400,
    }
    w.line("assistant", model | {"content": [think]})
    tool, call_id = rng.choice(("Bash", "Bash", "Read", "Read", "Edit", "Grep")), f"toolu_{n:08d}"
    size = int(rng.paretovariate(1.2) * 2000 * scale) % int(200_000 * scale)
    if tool == "Bash":
        args: dict[str, object] = {
            "command": f"python -m pytest -q tests/test_{n % 40}.py",
            "description": "run",
        }
    elif tool == "Read":
        args = {"file_path": f"/home/dev/ledgerkit/src/mod_{n % 60}.py"}
    elif tool == "Edit":
        args = {"file_path": f"/home/dev/ledgerkit/src/mod_{n % 60}.py", "old_string": "a", "new_string": "b"}
        size = 200
    else:
        args = {"pattern": "balance", "path": "src"}
    use = {"type": "tool_use", "id": call_id, "name": tool, "input": args}
    w.line("assistant", model | {"content": [use]})
    output = source_text(rng, size)
    if tool == "Bash":  # Claude Code 2.1 streams a long command's output in progress lines first
        for part in (output[: len(output) // 3], output[: 2 * len(output) // 3]):
            data = {"type": "bash_progress", "output": part[-2000:], "fullOutput": part, "totalLines": 0}
            w.extra(
                {"type": "progress", "data": data, "toolUseID": "bash-progress-0", "parentToolUseID": call_id}
            )
    result = {"tool_use_id": call_id, "type": "tool_result", "content": output, "is_error": False}
    copy = (
        {"stdout": output, "stderr": "", "interrupted": False}
        if tool == "Bash"
        else {"file": {"content": output}}
    )
    w.line("user", {"role": "user", "content": [result]}, toolUseResult=copy)


def generate(path: Path, size_mb: float, seed: int = 0, scale: float = 1.0) -> int:
    """A session of about ``size_mb`` MB; ``scale`` multiplies the tool results' sizes."""
    rng = random.Random(seed)
    target = int(size_mb * 1_000_000)
    with path.open("w") as fh:
        w = Writer(fh, rng)
        n = 0
        while fh.tell() < target:
            if n % 40 == 0:
                w.line(
                    "user",
                    {"role": "user", "content": f"Fix the CSV export bug number {n // 40} in ledgerkit"},
                )
            turn(w, rng, n, scale)
            if n % 25 == 24:
                fh.write(
                    json.dumps({"type": "summary", "summary": "CSV export work", "leafUuid": w.parent}) + "\n"
                )
            n += 1
        text = {"type": "text", "text": "Fixed: the header is written once; the tests pass."}
        w.line("assistant", {"role": "assistant", "id": "msg_last", "content": [text]})
    return path.stat().st_size


def measure(command: list[str], runs: int, fresh: Path | None = None) -> dict[str, float]:
    """Median peak RSS and wall time of ``command`` over ``runs`` fresh processes; with ``fresh``, each run
    gets a new library there (``--library fresh/run<i>``), so a distill never finds its runs done."""
    rss, wall = [], []
    for i in range(runs):
        extra = ["--library", str(fresh / f"run{i}")] if fresh else []
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, "/dev/null", *command, *extra],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        if out[0] not in ("0", "3"):
            sys.exit(f"{' '.join(command)} exited {out[0]}")
        wall.append(float(out[1]))
        rss.append(float(out[2]) / 1e6)
    return {"peak_rss_mb": round(statistics.median(rss), 1), "seconds": round(statistics.median(wall), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=float, default=108.0, help="MB of JSONL to generate (default 108)")
    ap.add_argument(
        "--scale", type=float, default=1.0, help="multiplies tool-result sizes (0.1: many short steps)"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--distill", action="store_true", help="also measure distill --provider offline")
    ap.add_argument("--keep", type=Path, help="write the file here and keep it")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "session.jsonl"
        size = path.stat().st_size if path.exists() else generate(path, args.size, scale=args.scale)
        exe = [sys.executable, "-m", "skillforge"]
        result: dict[str, object] = {"file_mb": round(size / 1e6, 1)}
        result["ingest"] = measure([*exe, "ingest", str(path), "--json"], args.runs)
        result["ingest_to_atif"] = measure([*exe, "ingest", str(path), "--to", "atif"], args.runs)
        if args.distill:
            cmd = [*exe, "distill", str(path), "--provider", "offline", "--init", "--json"]
            result["distill_offline"] = measure(cmd, args.runs, fresh=Path(tmp))
        for key in ("ingest", "ingest_to_atif", "distill_offline"):
            if key in result:
                result[key]["x_file"] = round(result[key]["peak_rss_mb"] / (size / 1e6), 2)  # type: ignore[index]
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
