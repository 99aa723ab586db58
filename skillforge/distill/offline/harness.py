"""Harness and environment complaints as errors: a turn where the agent's harness rejected the reply
(malformed action: no command or several), cut the output, or killed a command that timed out. Each
complaint is paired with what the agent did next and the turns it cost (messages until the next
accepted command ran or the next complaint); the reduce groups them per agent and says how often failed and resolved runs met
them, so the lesson names both rates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skillforge.distill.offline.accumulate import (
    K,
    Runs,
    Sample,
    entry,
    evidence_of,
    regroup,
    runs_if_sampled,
)
from skillforge.distill.offline.evidence import Facts, cite, evidence, render
from skillforge.model import Lesson, LessonKind, Level, Role, Scope, ScopeKind, Step, StepKind, Trajectory

MALFORMED, TRUNCATED, TIMEOUT = "malformed-action", "output-truncated", "timeout"
_KINDS = (
    (
        MALFORMED,
        re.compile(
            r"(?:provide|format).{0,40}\bEXACTLY ONE\b|found \d+ actions|no (?:valid )?(?:action|command|tool call) (?:was )?found",
            re.I,
        ),
    ),
    (
        TRUNCATED,
        re.compile(
            r"output of your last command was too long|output (?:was |has been )?truncated|<output_head>",
            re.I,
        ),
    ),
    (TIMEOUT, re.compile(r"timed out and has been killed|command timed out|TimeoutExpired", re.I)),
)
_WORDS = (
    "exactly one",
    "actions",
    "no action",
    "no valid",
    "no command",
    "no tool call",
    "too long",
    "truncated",
    "<output_head>",
    "timed out",
    "timeoutexpired",
)
WHAT = {
    MALFORMED: "the harness rejected a reply as a malformed action (none or several commands)",
    TRUNCATED: "the harness cut a command's output as too long",
    TIMEOUT: "a command timed out and was killed",
}
ADVICE = {
    MALFORMED: "send exactly one command per reply; chain steps with `&&` inside one block",
    TRUNCATED: "narrow the output first (`grep -n`, `sed -n 'a,bp'`, `head`) instead of printing whole files or test logs",
    TIMEOUT: "run a narrower selection (one test file or id) or a short script instead of the whole suite",
}
HEAD = 600  # characters of a step searched for a complaint
MIN_DIFF = 0.15  # with outcomes known: failed-run share minus resolved-run share a lesson needs


def complaint(text: str) -> str:
    """The kind of harness complaint a message or result opens with ('' for none)."""
    head = text[:HEAD]
    low = head.lower()
    if not any(word in low for word in _WORDS):  # most results: one cheap scan instead of three regexes
        return ""
    return next((kind for kind, rx in _KINDS if rx.search(head)), "")


def mine(traj: Trajectory) -> list[dict[str, Any]]:
    """Each complaint: its kind, the step, the turns until a command ran again, and what came next."""
    out: list[dict[str, Any]] = []
    steps = traj.steps
    for pos, s in enumerate(steps):
        if s.kind not in (StepKind.USER_MESSAGE, StepKind.TOOL_RESULT) or pos < 2:
            continue
        kind = complaint(s.text)
        if not kind:
            continue
        nxt = next((t for t in steps[pos + 1 :] if t.kind is StepKind.TOOL_CALL), None)
        # the agent's own reply the complaint answers: the lesson is about it, and it is trusted text
        reply = next((t.index for t in reversed(steps[:pos]) if t.role is Role.ASSISTANT), None)
        cost = _cost(steps[pos : nxt.index if nxt else len(steps)])
        out.append(
            cite(
                traj,
                ([reply] if reply is not None else []) + [s.index] + ([nxt.index] if nxt else []),
                s.text.strip().splitlines()[0] if s.text.strip() else kind,
                kind=kind,
                cost=max(cost, 1),
                next=(nxt.text.split()[0] if nxt and nxt.text.split() else ""),
            )
        )
        if len(out) >= 50:
            break
    return out


def _cost(until_next_command: list[Step]) -> int:
    """The turns one complaint cost: user messages from it to the next command, stopping at the next
    complaint, which bills its own (three rejected replies in a row cost three turns, not 3 + 2 + 1)."""
    cost = 0
    for t in until_next_command:
        if t.kind is StepKind.USER_MESSAGE:
            if cost and complaint(t.text):
                break
            cost += 1
    return cost


@dataclass
class _Group:
    runs: Runs = field(default_factory=Runs)  # runs with this complaint
    turns: int = 0
    complaints: int = 0
    sample: Sample = field(default_factory=Sample)


@dataclass
class Acc:
    """Streaming reduce: per agent and complaint kind, the runs that met it by outcome, and per agent
    the runs read by outcome (the denominators)."""

    k: int = K
    groups: dict[tuple[Scope, str], _Group] = field(default_factory=dict)
    read: dict[tuple[Scope], Runs] = field(default_factory=dict)

    def _group(self) -> _Group:
        return _Group(sample=Sample(self.k))

    def add(self, f: Facts, meta: Facts) -> None:
        scope = Scope(ScopeKind.TOOL, f.get("agent") or "agent")
        entry(self.read, (scope,), Runs).add(f["outcome"])
        kinds: Counter[str] = Counter()
        for it in f.get("harness") or []:
            g = entry(self.groups, (scope, it["kind"]), self._group)
            if not kinds[it["kind"]]:
                g.runs.add(f["outcome"])
            kinds[it["kind"]] += 1
            g.turns += it["cost"]
            g.complaints += 1
            g.sample.add(meta, it)

    def lessons(self, resolve: Callable[[Scope], Scope]) -> list[Lesson]:
        read = {str(k[0]): r for k, r in self.read.items()}
        out: list[Lesson] = []
        for (scope, kind), g in sorted(
            regroup(self.groups, resolve).items(), key=lambda kv: (str(kv[0][0]), kv[0][1])
        ):
            total = read.get(str(scope), Runs())
            failed_total, won_total = total.known - total.wins, total.wins
            failed = g.runs.known - g.runs.wins
            if g.runs.n < 2 or (
                failed_total and won_total and failed / failed_total - g.runs.wins / won_total < MIN_DIFF
            ):
                continue  # the usefulness gate: met as often by resolved runs, it explains no failure
            out.append(_lesson(scope, kind, g, total))
        return out


def _lesson(scope: Scope, kind: str, g: _Group, total: Runs) -> Lesson:
    """The lesson on one harness complaint seen in ``g.runs`` of the scope's ``total`` runs."""
    failed_total, won_total = total.known - total.wins, total.wins
    body = render(
        "lesson_harness",
        what=WHAT[kind],
        advice=ADVICE[kind],
        n=g.runs.n,
        total=total.n,
        complaints=g.complaints,
        turns=g.turns,
        known=bool(total.known),
        failed=g.runs.known - g.runs.wins,
        failed_total=failed_total,
        won=g.runs.wins,
        won_total=won_total,
    )
    return Lesson(
        title=f"Harness: {kind.replace('-', ' ')}",
        trigger=f"when {WHAT[kind]}",
        body=body,
        kind=LessonKind.ERROR_RECOVERY,
        level=Level.ATOMIC,
        scope=scope,
        evidence=evidence_of(g.sample, evidence),
        confidence=round(g.runs.n / max(total.n, 1), 3),
        signature=f"harness:{kind}|family:",
        runs=runs_if_sampled(g.runs.n, g.sample),
    )
