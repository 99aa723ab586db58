"""Benchmark the LLM distill stage's parallelism and prompt size.

1. Against the scripted LLM server (tests/llm_server.py) with a fixed latency per call, map N
   trajectories (from ../shared/corpus, replicated to N) with the LLM analysts at several worker
   counts and print the wall time beside the ideal (calls x latency / workers). Target: >= 80% of
   ideal at 16 workers.
2. On the corpus, print the analyst's prompt tokens per trajectory (system + compact transcript,
   chars/4) beside the raw trajectory's tokens (chars/4). Target: <= 25% of raw.

    /work/venv/bin/python benchmarks/distill_parallel.py [--trajectories 200] [--latency 0.5]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skillforge import templates  # noqa: E402
from skillforge.config import Settings  # noqa: E402
from skillforge.distill.cost import Budget, Price, Prices  # noqa: E402
from skillforge.distill.llm import build  # noqa: E402
from skillforge.distill.llm.transcript import prepare  # noqa: E402
from skillforge.distill.parallel import imap_unordered  # noqa: E402
from skillforge.ingest import read  # noqa: E402
from skillforge.model import Outcome, Trajectory  # noqa: E402
from skillforge.providers import resolve  # noqa: E402
from tests.llm_server import Reply, ScriptedLLM, Seen  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def load(n: int) -> list[Trajectory]:
    found = [t for t in read([CORPUS]) if t.steps]
    if not found:
        raise SystemExit(f"no trajectories found in {CORPUS}")
    out = []
    for i in range(n):
        t = copy.copy(found[i % len(found)])
        t.id = f"{t.id}-{i}"
        if t.outcome is Outcome.UNKNOWN:
            t.outcome = Outcome.SUCCESS  # one analyst call each, no judge: calls are countable
        out.append(t)
    return out


def answer(seen: Seen) -> Reply:
    tid = seen.user_text.split("Trajectory id: ", 1)[1].split(".", 1)[0]
    return Reply(
        json={
            "lessons": [
                {
                    "title": "Run the tests first",
                    "trigger": "a bug report",
                    "lesson": "Run them.",
                    "kind": "success_pattern",
                    "level": "functional",
                    "scope": {"kind": "general", "value": ""},
                    "evidence": [{"trajectory_id": tid, "steps": [0], "quote": ""}],
                    "confidence": 0.5,
                }
            ]
        }
    )


def parallel(trajs: list[Trajectory], latency: float, workers_list: list[int]) -> None:
    server = ScriptedLLM().start()
    server.latency, server.responder = latency, answer
    os.environ["ANTHROPIC_API_KEY"] = "bench"
    try:
        print(f"{'workers':>7} {'calls':>6} {'wall s':>8} {'ideal s':>8} {'of ideal':>9}")
        for workers in workers_list:
            settings = Settings.load(
                {
                    "provider": "anthropic",
                    "base_url": server.anthropic_url,
                    "model": "bench",
                    "workers": workers,
                    "max_retries": 0,
                }
            )
            provider = resolve(settings)
            assert provider is not None
            mapper, _ = build(settings, provider, Budget(prices=Prices({"*": Price()})))
            before = len(server.requests)
            start = time.perf_counter()
            failed = sum(r.error is not None for _, r in imap_unordered(mapper.map, trajs, workers))
            wall = time.perf_counter() - start
            calls = len(server.requests) - before
            ideal = calls * latency / workers
            note = f"  ({failed} failed)" if failed else ""
            print(f"{workers:>7} {calls:>6} {wall:>8.2f} {ideal:>8.2f} {ideal / wall:>8.0%}{note}")
    finally:
        server.stop()


def prompt_sizes(limit: int) -> None:
    system = len(templates.source("prompts/analyst_system.j2"))
    rows = []
    for t in read([CORPUS]):
        if not t.steps:
            continue
        raw = (len(t.task) + sum(len(s.text) + len(str(s.input or "")) for s in t.steps)) // 4
        user = templates.render(
            "prompts/analyst.j2",
            analyst="success",
            transcript=prepare(t, limit).render(),
            trajectory_id=t.id,
            steps=12,
        )
        rows.append((raw, (system + len(user)) // 4, t.format))
    raw_total, prompt_total = sum(r[0] for r in rows), sum(r[1] for r in rows)
    ratios = [p / r for r, p, _ in rows if r]
    print(f"\ncorpus: {len(rows)} trajectories, transcript budget {limit} tokens")
    print(f"{'format':<16} {'n':>4} {'raw tok/traj':>13} {'prompt tok/traj':>16} {'ratio':>7}")
    for fmt in sorted({r[2] for r in rows}):
        sel = [r for r in rows if r[2] == fmt]
        raw, prompt = sum(r[0] for r in sel), sum(r[1] for r in sel)
        print(f"{fmt:<16} {len(sel):>4} {raw // len(sel):>13} {prompt // len(sel):>16} {prompt / raw:>7.1%}")
    print(
        f"{'all':<16} {len(rows):>4} {raw_total // len(rows):>13} {prompt_total // len(rows):>16} "
        f"{prompt_total / raw_total:>7.1%}  (median per trajectory {statistics.median(ratios):.1%})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trajectories", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--workers", default="1,4,16,32")
    ap.add_argument("--transcript-tokens", type=int, default=6000)
    ap.add_argument("--skip-parallel", action="store_true")
    args = ap.parse_args()
    if not args.skip_parallel:
        trajs = load(args.trajectories)
        print(f"{len(trajs)} trajectories, {args.latency * 1000:.0f} ms per LLM call")
        parallel(trajs, args.latency, [int(w) for w in args.workers.split(",")])
    prompt_sizes(args.transcript_tokens)


if __name__ == "__main__":
    main()
