"""Facts for a human reading of the mini-swe-agent corpus (docs/offline-evaluation.md): for each run, what
its final submission holds, whether and how the existing tests were run, what the reproduction scripts
failed on, and the agent harness's own complaints (malformed actions, truncated output, timeouts).

    python benchmarks/offline_reading.py [--corpus ../shared/corpus] [--json out.json] [--run ID]

Reads the raw ``.traj.json`` files with the standard library only (no skillforge code), so the reading
is independent of the miners it is used to judge. ``messages[i]`` indices are the log's own.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```bash\s*\n(.*?)\n```", re.S)
RC = re.compile(r"<returncode>(-?\d+)</returncode>")
TEST_RUN = re.compile(
    r"(?:^|&&\s*|;\s*|\s)(?:\S*python[\d.]*\s+(?:-\S+\s+)*-m\s+pytest|pytest|py\.test|\S*runtests\.py"
    r"|\S*bin/test|\S*python[\d.]*\s+-m\s+unittest)\b"
)
SCRATCH = re.compile(
    r"(?:^|/)(?:reproduce|repro|debug|verify|check|test_fix|test_issue|test_reproduce|demo|example"
    r"|final_test|comprehensive|edge_case|simple_test|scratch|tmp|temp)[\w.-]*\.py$|\.(?:orig|bak|rej|swp)$|~$"
)
CONFIG = re.compile(
    r"(?:^|/)(?:setup\.py|setup\.cfg|pyproject\.toml|tox\.ini|conftest\.py|pytest\.ini|requirements[\w.-]*\.txt)$"
)
TESTS = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[\w]+\.py$|_tests?\.py$")
MALFORMED = "Please always provide EXACTLY ONE action"
TRUNCATED = "The output of your last command was too long"
TIMEOUT = re.compile(r"timed out and has been killed|timed out after")
EXC = re.compile(r"^(\w+(?:\.\w+)*(?:Error|Exception|Warning|Exit|Interrupt)\b.*)$", re.M)


def submission_files(diff: str) -> dict[str, list[str]]:
    """Files the final diff changes, and which of them it adds."""
    files, added = [], []
    for block in re.split(r"^diff --git ", diff, flags=re.M)[1:]:
        m = re.match(r"a/(\S+) b/(\S+)", block)
        if not m:
            continue
        files.append(m.group(2))
        if re.search(r"^new file mode", block, re.M):
            added.append(m.group(2))
    return {"files": files, "added": added}


def commands(messages: list[dict]) -> list[dict]:
    """Each assistant action with its message index, the result's return code and text."""
    out = []
    for i, m in enumerate(messages):
        if m.get("role") != "assistant":
            continue
        text = m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
        found = FENCE.findall(text)
        if len(found) != 1:
            continue
        res = messages[i + 1] if i + 1 < len(messages) else {}
        rtext = res.get("content") if isinstance(res.get("content"), str) else json.dumps(res.get("content"))
        rc = RC.search(rtext or "")
        out.append(
            {"i": i, "cmd": found[0].strip(), "rc": int(rc.group(1)) if rc else None, "out": rtext or ""}
        )
    return out


def last_exception(text: str) -> str:
    found = EXC.findall(text)
    return found[-1][:120] if found else ""


def read_run(path: Path, resolved: bool | None) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    msgs = data["messages"]
    info = data.get("info", {})
    sub = submission_files(info.get("submission") or "")
    cmds = commands(msgs)
    user = [
        (i, m["content"] if isinstance(m["content"], str) else "")
        for i, m in enumerate(msgs)
        if m.get("role") == "user" and i > 1
    ]
    tests = [
        c
        for c in cmds
        if TEST_RUN.search(c["cmd"].split("\n", 1)[0]) and "<<" not in c["cmd"].split("\n", 1)[0]
    ]
    repo_tests = [c for c in tests if not SCRATCH.search(c["cmd"].split()[-1] if c["cmd"].split() else "")]
    scripts = [
        c
        for c in cmds
        if re.search(
            r"(?:^|&&\s*|;\s*)(?:\S*python[\d.]*)\s+(?:-c\b|/tmp/|[\w./-]+\.py\b)", c["cmd"].split("\n", 1)[0]
        )
        and c not in tests
    ]
    return {
        "id": data.get("instance_id") or path.name.removesuffix(".traj.json"),
        "resolved": resolved,
        "exit": info.get("exit_status"),
        "messages": len(msgs),
        "actions": len(cmds),
        "submitted": bool((info.get("submission") or "").strip()),
        "files": sub["files"],
        "added": sub["added"],
        "scratch": [
            f
            for f in sub["files"]
            if SCRATCH.search(f) or (f in sub["added"] and "/" not in f and f.endswith(".py"))
        ],
        "tests_touched": [f for f in sub["files"] if TESTS.search(f)],
        "config": [f for f in sub["files"] if CONFIG.search(f)],
        "test_runs": [{"i": c["i"], "cmd": c["cmd"][:120], "rc": c["rc"]} for c in repo_tests],
        "script_runs": len(scripts),
        "script_fail": sum(1 for c in scripts if c["rc"] not in (0, None)),
        "script_errors": Counter(
            last_exception(c["out"]).split(":")[0]
            for c in scripts
            if c["rc"] not in (0, None) and last_exception(c["out"])
        ).most_common(4),
        "malformed": [i for i, t in user if t.startswith(MALFORMED)],
        "truncated": [c["i"] + 1 for c in cmds if TRUNCATED in c["out"][:400]],
        "timeouts": [i for i, t in user if TIMEOUT.search(t[:300])]
        + [c["i"] + 1 for c in cmds if TIMEOUT.search(c["out"][:300])],
        "last_cmds": [c["cmd"].split("\n", 1)[0][:100] for c in cmds[-4:]],
    }


def load(corpus: Path) -> list[dict]:
    mini = corpus / "mini-swe-agent"
    labels = {r["instance_id"]: r["resolved"] for r in json.loads((mini / "labels.json").read_text())}
    return [
        read_run(p, labels.get(p.name.removesuffix(".traj.json")))
        for p in sorted((mini / "trajs").rglob("*.traj.json"))
    ]


def share(rows: list[dict], test) -> str:
    fail = [r for r in rows if r["resolved"] is False]
    won = [r for r in rows if r["resolved"] is True]
    a, b = sum(1 for r in fail if test(r)), sum(1 for r in won if test(r))
    return f"{a} of {len(fail)} failed, {b} of {len(won)} resolved"


SUMMARY = {
    "a file added by the submission": lambda r: bool(r["added"]),
    "scratch/backup file in the submission": lambda r: bool(r["scratch"]),
    "test files in the submission": lambda r: bool(r["tests_touched"]),
    "packaging/config file in the submission": lambda r: bool(r["config"]),
    "ran the repository's tests": lambda r: bool(r["test_runs"]),
    "last repository test run passed (rc 0)": lambda r: (
        bool(r["test_runs"]) and r["test_runs"][-1]["rc"] == 0
    ),
    "a malformed action (harness complaint)": lambda r: bool(r["malformed"]),
    "3+ malformed actions": lambda r: len(r["malformed"]) >= 3,
    "output truncated by the harness": lambda r: bool(r["truncated"]),
    "a command timed out": lambda r: bool(r["timeouts"]),
    "over 80 messages": lambda r: r["messages"] > 80,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--json", type=Path, help="write every run's facts here")
    parser.add_argument("--run", help="print one run's facts")
    args = parser.parse_args()
    if not (args.corpus / "mini-swe-agent" / "labels.json").is_file():
        print(f"corpus not found at {args.corpus}: pass --corpus", file=sys.stderr)
        return 1
    rows = load(args.corpus)
    if args.run:
        print(json.dumps([r for r in rows if r["id"] == args.run], indent=1))
        return 0
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    for name, test in SUMMARY.items():
        print(f"{name}: {share(rows, test)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
