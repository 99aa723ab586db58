"""Ingest time against plain parsing of the same data, for the formats with no real logs in the corpus:
Cursor's ``state.vscdb``, OpenCode's ``opencode.db`` (1.2 tables) and Copilot CLI ``events.jsonl``.

Builds synthetic data shaped as in ``../shared/reference/trajectory-formats-more.md`` (``--size`` MB per
format, default 40), then times, in this process, ``--repeat`` back-to-back pairs of runs of:

* raw: reading every row (``SELECT``) or line and ``orjson.loads`` of each JSON value;
* ingest: ``skillforge.ingest.read`` on the file, consuming every trajectory.

Times are CPU seconds of this process (the machine may be busy with other work).

Prints MB/s for both (fastest run) and the median ratio of the pairs (target: ingest within 3x of raw).
Usage: ``python benchmarks/more_formats.py [--size MB] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from skillforge.ingest import IngestReport, read

OUTPUT = (
    "collected 12 items\n" + "tests/test_cart.py::test_total PASSED\n" * 40 + "1 failed, 11 passed in 0.4s\n"
)


# what a real bubble carries beside the fields read (rich text, context, capability bookkeeping)
EXTRA = {
    "richText": json.dumps(
        {"root": {"children": [{"children": [{"text": "Fix the failing cart test please. "}]}]}}
    ),
    "codeBlocks": [],
    "context": {
        "fileSelections": [{"uri": {"fsPath": f"/repo/src/f{i}.js"}} for i in range(8)],
        "terminalFiles": [],
    },
    "capabilitiesRan": {str(i): [] for i in range(20)},
    "tokenCount": {"inputTokens": 0, "outputTokens": 0},
    "isAgentic": True,
}


def cursor_db(path: Path, size: int) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    written, n = 0, 0
    while written < size:
        cid, headers, rows = f"c{n:06d}", [], []
        for b in range(40):
            bid = f"b{b:03d}"
            bubble: dict[str, object] = {
                "_v": 3,
                "type": 1 if b % 10 == 0 else 2,
                "bubbleId": bid,
                "text": "Fix the failing cart test please. " * 3 if b % 4 else "",  # a quarter: empty shells
                **EXTRA,
            }
            if b % 2:
                bubble["toolFormerData"] = {
                    "toolCallId": f"toolu_{b}",
                    "name": "run_terminal_command_v2",
                    "rawArgs": json.dumps({"command": "pytest -q"}),
                    "result": json.dumps({"output": OUTPUT}),
                    "status": "completed",
                }
            headers.append({"bubbleId": bid, "type": bubble["type"]})
            rows.append((f"bubbleId:{cid}:{bid}", json.dumps(bubble)))
        composer = {
            "composerId": cid,
            "name": "Fix cart",
            "createdAt": 1785578400000,
            "status": "completed",
            "modelConfig": {"modelName": "claude-4.5-sonnet"},
            "fullConversationHeadersOnly": headers,
        }
        rows.append((f"composerData:{cid}", json.dumps(composer)))
        db.executemany("INSERT INTO cursorDiskKV VALUES (?, ?)", rows)
        written += sum(len(v) for _, v in rows)
        n += 1
    db.commit()
    db.close()


def opencode_db(path: Path, size: int) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE session (id TEXT PRIMARY KEY, directory TEXT, title TEXT, time_created INTEGER);"
        "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, data TEXT);"
        "CREATE INDEX m ON message(session_id);"
        "CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, data TEXT);"
        "CREATE INDEX p ON part(session_id);"
    )
    written, n = 0, 0
    while written < size:
        sid = f"ses_{n:012d}"
        db.execute("INSERT INTO session VALUES (?, '/repo', 'Fix cart', 0)", (sid,))
        for m in range(20):
            mid = f"msg_{n:08d}{m:04d}"
            info = {
                "role": "user" if m % 5 == 0 else "assistant",
                "modelID": "claude-sonnet-4-5",
                "time": {"created": m},
            }
            db.execute("INSERT INTO message VALUES (?, ?, ?, ?)", (mid, sid, m, json.dumps(info)))
            parts = [  # one LLM step, as OpenCode 1.2 writes it (bash output repeated in metadata)
                {"type": "step-start", "snapshot": "4b1f9c0e" * 5},
                {"type": "text", "text": "Running the tests. " * 5, "time": {"start": 1, "end": 2}},
                {
                    "type": "tool",
                    "callID": f"toolu_{m:022d}",
                    "tool": "bash",
                    "state": {
                        "status": "completed",
                        "input": {"command": "pytest -q", "description": "Run tests"},
                        "output": OUTPUT,
                        "title": "Run tests",
                        "metadata": {"exit": 1, "output": OUTPUT, "description": "Run tests"},
                        "time": {"start": 1785578409100, "end": 1785578410900},
                    },
                },
                {
                    "type": "step-finish",
                    "reason": "tool-calls",
                    "snapshot": "4b1f9c0e" * 5,
                    "cost": 0.0041,
                    "tokens": {
                        "input": 1240,
                        "output": 48,
                        "reasoning": 0,
                        "cache": {"read": 9600, "write": 0},
                    },
                },
            ]
            for p, part in enumerate(parts):
                data = json.dumps(part)
                db.execute("INSERT INTO part VALUES (?, ?, ?, ?)", (f"prt_{mid}{p}", mid, sid, data))
                written += len(data)
        n += 1
    db.commit()
    db.close()


def copilot_event(n: int) -> tuple[str, dict[str, object]]:
    """The n-th event: a prompt every 20, else a request (with the opaque reasoning real messages carry)
    and its completion (with the detailed copy and telemetry real results carry)."""
    if n == 0:
        return "system.message", {"content": "You are GitHub Copilot CLI. Skills: …" * 800}
    if n % 20 == 0:
        return "user.message", {"content": "Fix cart.py tests", "transformedContent": "Fix cart.py tests"}
    if n % 2:
        request = {"toolCallId": f"t{n}", "name": "bash", "arguments": {"command": "pytest -q"}}
        return "assistant.message", {
            "messageId": f"m{n}",
            "model": "claude-sonnet-4.5",
            "content": "Running.",
            "toolRequests": [request],
            "reasoningText": "Run the tests.",
            "encryptedContent": "QUJD" * 300,
            "outputTokens": 52,
        }
    result = {"content": OUTPUT, "detailedContent": OUTPUT}
    telemetry = {"properties": {"command": "pytest"}, "metrics": {"durationMs": 1800}}
    return "tool.execution_complete", {
        "toolCallId": f"t{n - 1}",
        "success": True,
        "result": result,
        "toolTelemetry": telemetry,
    }


def copilot_jsonl(path: Path, size: int) -> None:
    with path.open("w") as fh:
        written, n = 0, 0
        while written < size:
            kind, data = copilot_event(n)
            event = {
                "type": kind,
                "data": data,
                "id": f"e{n}",
                "timestamp": "2026-08-05T10:00:00Z",
                "parentId": f"e{n - 1}",
            }
            line = json.dumps(event) + "\n"
            fh.write(line)
            written, n = written + len(line), n + 1


def raw_db(path: Path, query: str) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    for (value,) in db.execute(query):
        orjson.loads(value)
    db.close()


def raw_jsonl(path: Path) -> None:
    with path.open("rb") as fh:
        for line in fh:
            orjson.loads(line)


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()  # CPU seconds: steadier than the wall clock on a shared machine
    fn()
    return time.process_time() - start


def pairs(raw: Callable[[], object], ingest: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """The fastest raw and ingest times, and the median of the ratios of back-to-back pairs (steadier
    than the ratio of the fastest runs when the machine's speed drifts)."""
    runs = [(cpu(raw), cpu(ingest)) for _ in range(repeat)]
    return min(r for r, _ in runs), min(i for _, i in runs), statistics.median(i / r for r, i in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=40, help="MB of JSON per format")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = args.size * 2**20
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("cursor", Path(tmp) / "state.vscdb", cursor_db, "SELECT value FROM cursorDiskKV"),
            (
                "opencode",
                Path(tmp) / "opencode.db",
                opencode_db,
                "SELECT data FROM part UNION ALL SELECT data FROM message",
            ),
            ("copilot-cli", Path(tmp) / "events.jsonl", copilot_jsonl, None),
        ]
        for name, path, build, query in cases:
            build(path, size)
            report = IngestReport()
            raw, ingest, ratio = pairs(
                lambda p=path, q=query: raw_db(p, q) if q else raw_jsonl(p),
                lambda p=path, r=report: sum(len(t.steps) for t in read([p], r)),
                args.repeat,
            )
            mb = size / 2**20
            print(
                f"{name:12} raw {mb / raw:7.1f} MB/s  ingest {mb / ingest:7.1f} MB/s  ratio {ratio:5.2f}x"
                f"  (target <= 3x; {report.formats[name].trajectories // args.repeat} runs, "
                f"{report.formats[name].steps // args.repeat} steps)"
            )


if __name__ == "__main__":
    main()
