"""How many commands provenance marks copied on real logs, with a sample to read by hand.

``python benchmarks/copied_commands.py LOGS... [--sample 20] [--seed 0]`` reads every trajectory, counts the
agent's shell commands, the notable ones (:func:`skillforge.safety.copied_commands.notable`) and those
marked copied, and prints a random sample of copied commands with the untrusted text they came from
(one line of context) so a person can judge each. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from skillforge.ingest import read
from skillforge.model import Shell, StepKind, Trust
from skillforge.safety.copied_commands import bounded, copied_commands, normalise, notable


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = {"trajectories": 0, "shell_commands": 0, "notable_commands": 0, "copied_commands": 0}
    marked: list[dict[str, str]] = []
    for traj in read(args.logs):
        counts["trajectories"] += 1
        found = copied_commands(traj)
        sources = [traj.task] + [s.text for s in traj.steps if s.trust in (Trust.TOOL_OUTPUT, Trust.INJECTED)]
        for step in traj.steps:
            if step.kind is not StepKind.TOOL_CALL or not isinstance(step.action, Shell):
                continue
            counts["shell_commands"] += 1
            parts = notable(step.action.command)
            counts["notable_commands"] += bool(parts)
            hits = [f for forms in parts for f in forms if f in found]
            if hits:
                counts["copied_commands"] += 1
                marked.append(
                    {"trajectory": traj.id, "command": step.action.command[:300], "form": hits[0]}
                    | {"source": _source(hits[0], sources)}
                )
    random.Random(args.seed).shuffle(marked)
    json.dump(counts | {"sample": marked[: args.sample]}, sys.stdout, indent=1)
    print()
    return 0


def _source(form: str, texts: list[str]) -> str:
    for text in texts:
        norm = normalise(text)
        at = bounded(norm, form)
        if at >= 0:
            return norm[max(0, at - 150) : at + len(form) + 80]
    return ""


if __name__ == "__main__":
    raise SystemExit(main())
