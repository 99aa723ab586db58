"""The compact transcript an LLM analyst receives instead of the whole trajectory.

``prepare(traj, max_tokens)`` keeps the task (whole up to ``TASK_CHARS``, else its head and a visible
marker naming the ``read_task`` tool that returns the rest), a one-line index entry per step, each
labelled with who wrote it (person, agent, tool output, harness: harness messages are never shown as
a person's), long outputs cut head and tail with a marker, identical consecutive entries folded, the
errors, and the final state with the final diff or submission in full up to ``FINAL_CHARS``, all
under a token budget (chars/4). When the index is still too long, lines get narrower and then quiet
middle stretches are folded into ranges; the analyst reads any step in full through its ``read_step``
and ``search`` tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skillforge.model import StepKind, Trajectory, Trust
from skillforge.text import estimate_tokens

WIDTHS = (160, 100, 60)
CUT = "…"
TASK_CHARS = 6000  # a task up to this long is shown whole
FINAL_CHARS = 4000  # the final diff / submission, shown whole up to this long
WRITER = {
    Trust.PERSON: "person",
    Trust.AGENT: "agent",
    Trust.TOOL_OUTPUT: "tool output",
    Trust.INJECTED: "harness",
}


def tokens(text: str) -> int:
    return estimate_tokens(text)


def squash(text: str) -> str:
    return " ".join(text.split())


def cut(text: str, width: int) -> str:
    """One line of at most ~``width`` chars: head and tail with a marker saying what was left out."""
    text = squash(text)
    if len(text) <= width:
        return text
    head, tail = width * 2 // 3, width // 3
    return f"{text[:head]}{CUT}[+{len(text) - head - tail} chars]{CUT}{text[-tail:]}"


@dataclass
class Entry:
    first: int
    last: int
    text: str
    important: bool
    count: int = 1

    def render(self) -> str:
        where = f"[{self.first}]" if self.first == self.last else f"[{self.first}-{self.last}]"
        times = f" ×{self.count}" if self.count > 1 else ""
        return f"{where}{times} {self.text}"


@dataclass
class Transcript:
    task: str
    header: list[str]
    entries: list[Entry]
    errors: list[str]
    final: str
    steps: int
    folded: int = 0
    extra: list[str] = field(default_factory=list)

    def render(self) -> str:
        parts = ["TASK:", self.task or "(no task text)", "", *self.header, "", "STEP INDEX:"]
        parts += [e.render() for e in self.entries]
        if self.errors:
            parts += ["", "ERRORS:", *self.errors]
        parts += ["", "FINAL STATE:", self.final or "(none)"]
        return "\n".join(parts)

    @property
    def tokens(self) -> int:
        return tokens(self.render())


def summary(
    step_kind: StepKind,
    tool: str | None,
    text: str,
    width: int,
    error: bool,
    exit_code: int | None,
    trust: Trust = Trust.AGENT,
) -> str:
    """One index line, starting with who wrote the step: person, agent, tool output or harness."""
    who = WRITER.get(trust, trust.value)
    if step_kind is StepKind.TOOL_CALL:
        return f"{who} call {tool or 'tool'}: {cut(text, width)}"
    if step_kind is StepKind.TOOL_RESULT:
        status = "ERROR " if error else ""
        code = f"exit {exit_code} " if exit_code not in (None, 0) else ""
        return f"{who}: {status}{code}result ({text.count(chr(10)) + 1 if text else 0} lines): {cut(text, width)}"
    kind = {StepKind.THOUGHT: " thought"}.get(step_kind, "")
    return f"{who}{kind}: {cut(text, width)}"


def index(traj: Trajectory, width: int) -> list[Entry]:
    """One entry per step; identical consecutive summaries fold into one entry with a count."""
    out: list[Entry] = []
    for s in traj.steps:
        text = summary(s.kind, s.tool_name, s.text, width, s.is_error, s.exit_code, s.trust)
        important = s.is_error or s.kind is StepKind.USER_MESSAGE
        if out and out[-1].text == text:
            out[-1].last, out[-1].count = s.index, out[-1].count + 1
            continue
        out.append(Entry(s.index, s.index, text, important))
    return out


def fold(entries: list[Entry], keep: int) -> list[Entry]:
    """Keep the first and last quarter, every important entry, and an even sample of the rest."""
    if len(entries) <= keep:
        return entries
    edge = max(1, keep // 4)
    middle = entries[edge:-edge]
    budget = max(0, keep - 2 * edge - sum(e.important for e in middle))
    stride = max(1, len(middle) // max(1, budget)) if budget else len(middle) + 1
    out: list[Entry] = list(entries[:edge])
    gap: list[Entry] = []
    for i, e in enumerate(middle):
        if e.important or (budget and i % stride == 0):
            _flush(out, gap)
            out.append(e)
        else:
            gap.append(e)
    _flush(out, gap)
    return out + entries[-edge:]


def _flush(out: list[Entry], gap: list[Entry]) -> None:
    if gap:
        n = sum(g.last - g.first + 1 for g in gap)
        out.append(Entry(gap[0].first, gap[-1].last, f"… {n} steps folded (use search / read_step)", False))
        gap.clear()


def prepare(traj: Trajectory, max_tokens: int = 6000) -> Transcript:
    header = [f"trajectory: {traj.id}", f"agent: {traj.agent or '?'}  steps: {len(traj.steps)}"]
    if traj.repository:
        header.append(f"repository: {traj.repository}")
    errors = [f"[{s.index}] {cut(s.text, 160)}" for s in traj.errors][:20]
    final = _final(traj)
    base = Transcript(task_text(traj.task), header, [], errors, final, len(traj.steps))
    fixed = base.tokens
    for width in WIDTHS:
        base.entries = index(traj, width)
        if fixed + sum(tokens(e.render()) for e in base.entries) <= max_tokens:
            return base
    per_line = max(1, sum(len(e.render()) for e in base.entries) // max(1, len(base.entries)) // 4 + 1)
    keep = max(8, (max_tokens - fixed) // per_line)
    while True:
        folded = fold(base.entries, keep)
        if fixed + sum(tokens(e.render()) for e in folded) <= max_tokens or keep <= 8:
            base.folded = len(base.entries) - len(folded)
            base.entries = folded
            return base
        keep = int(keep * 0.8)


def task_text(task: str) -> str:
    """The task whole up to TASK_CHARS, else its head and a marker naming the tool that returns it."""
    if len(task) <= TASK_CHARS:
        return task
    return (
        f"{task[:TASK_CHARS]}\n[task cut here: {len(task) - TASK_CHARS} more chars; "
        f"read_task(offset={TASK_CHARS}) returns the rest]"
    )


def _head(text: str, limit: int, more: str) -> str:
    """``text`` whole up to ``limit`` chars, else its head and a marker saying how to read on."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[cut here: {len(text) - limit} more chars; {more}]"


def _final(traj: Trajectory) -> str:
    last_msg = next(
        (s for s in reversed(traj.steps) if s.kind is StepKind.ASSISTANT_MESSAGE and s.text.strip()), None
    )
    last_result = next((s for s in reversed(traj.steps) if s.kind is StepKind.TOOL_RESULT), None)
    parts = []
    if last_msg is not None:
        parts.append(f"last assistant message [{last_msg.index}]: {cut(last_msg.text, 600)}")
    submission = traj.metadata.get("submission") if isinstance(traj.metadata, dict) else None
    if isinstance(submission, str) and submission.strip():
        parts.append(
            f"final submission (diff):\n{_head(submission, FINAL_CHARS, 'search the steps for the rest')}"
        )
    elif last_result is not None:
        status = "error" if last_result.is_error else "ok"
        more = f"read_step(index={last_result.index}, offset={FINAL_CHARS}) returns the rest"
        parts.append(
            f"last tool result [{last_result.index}] ({WRITER.get(last_result.trust, 'tool output')}, "
            f"{status}):\n{_head(last_result.text, FINAL_CHARS, more)}"
        )
    if traj.outcome_guessed:  # a hint for the judge, not a verdict
        parts.append(f"recorded outcome: unknown (guessed {traj.outcome.value} from {traj.outcome_source})")
    else:
        parts.append(f"recorded outcome: {traj.outcome.value}")
    return "\n".join(parts)
