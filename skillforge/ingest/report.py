"""What ``read`` saw, per format: files, trajectories, steps, tool calls (and those without a result),
outcomes (guessed ones apart), records skipped or ignored by reason, and the problems, summarised one line
per reason for people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from skillforge.ingest.base import Problem
from skillforge.ingest.walk import OUTSIDE
from skillforge.model import StepKind, Trajectory

NO_LOGS_HINT = "pass log files or folders (see docs/formats/README.md), or --from claude / --from codex"


@dataclass
class FormatStats:
    files: int = 0
    trajectories: int = 0
    steps: int = 0
    tool_calls: int = 0
    unpaired: int = 0  # tool calls with no result in the log (not recorded, or the run stopped first)
    errors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    guessed: Counter[str] = field(default_factory=Counter)  # outcomes inferred, not labelled or stated
    skipped: Counter[str] = field(default_factory=Counter)  # records that could not be used
    ignored: Counter[str] = field(default_factory=Counter)  # records deliberately left out (bookkeeping)
    bytes: int = 0


@dataclass
class IngestReport:
    """What ``read`` saw, per format; problems are one line each (file, line, what, the rest read)."""

    formats: dict[str, FormatStats] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    # files met in a folder walk that are not logs, by reason (binary, Entire's checkpoint metadata, …):
    # counted, not listed, and not making the run partial
    passed_over: Counter[str] = field(default_factory=Counter)
    labels: int = 0  # ids in the --labels files
    labelled: int = 0  # trajectories whose outcome one of them set
    example_id: str = ""  # a trajectory's id, to show next to a label that matched none

    @property
    def label_warning(self) -> str:
        """Labels were given and none matched a trajectory read: say so (outcomes are guessed instead)."""
        if not self.labels or self.labelled or not self.example_id:
            return ""
        return (
            f"none of the {self.labels} ids in --labels matched a trajectory (matched on a trajectory's "
            f"id, task id, native id or file name, e.g. {self.example_id!r}): outcomes were not set from them"
        )

    @property
    def partial(self) -> bool:
        return bool(self.problems or self.unrecognised)

    def stats(self, fmt: str) -> FormatStats:
        st = self.formats.get(fmt)  # not setdefault: a FormatStats (four Counters) built per call
        if st is None:
            st = self.formats[fmt] = FormatStats()
        return st

    def count(self, traj: Trajectory) -> None:
        st = self.stats(traj.format)
        st.trajectories += 1
        st.steps += len(traj.steps)
        steps = traj.steps  # list comprehensions: a Struct field read through attrgetter costs twice as much
        tool_call = StepKind.TOOL_CALL
        pairs = [step.pair for step in steps if step.kind is tool_call]
        st.tool_calls += len(pairs)
        st.unpaired += pairs.count(None)
        st.errors += sum([step.is_error for step in steps])
        st.outcomes[traj.outcome.value] += 1
        if traj.labelled:
            self.labelled += 1
        elif not self.example_id:
            self.example_id = traj.native_id or traj.task_id or traj.id
        if traj.outcome_guessed:
            st.guessed[traj.outcome.value] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "formats": {
                name: {
                    "files": s.files,
                    "trajectories": s.trajectories,
                    "steps": s.steps,
                    "tool_calls": s.tool_calls,
                    "unpaired_calls": s.unpaired,
                    "errors": s.errors,
                    "bytes": s.bytes,
                    "outcomes": dict(s.outcomes),
                    "guessed_outcomes": dict(s.guessed),
                    "skipped": dict(s.skipped),
                    "ignored": dict(s.ignored),
                }
                for name, s in self.formats.items()
            },
            "problems": [str(p) for p in self.problems],
            "unrecognised": self.unrecognised,
            "passed_over": dict(self.passed_over),
            "labelled": self.labelled,
            **({"label_warning": self.label_warning} if self.label_warning else {}),
            "partial": self.partial,
        }

    def no_logs_hint(self) -> str:
        """How to go on when nothing was read: the symlinks a walk did not follow, when there were."""
        links = self.passed_over.get(OUTSIDE, 0)
        return f"{links} {OUTSIDE}; else {NO_LOGS_HINT}" if links else NO_LOGS_HINT

    def problem_summary(self) -> list[tuple[str, int, str]]:
        """(reason, files it happened in, one line saying it) for each kind of problem, most frequent
        first: what a person reads by default. Each problem is in :attr:`problems` and each file that
        is not a log in :attr:`unrecognised` (both shown under ``skillforge -v``)."""
        groups: dict[str, list[Problem]] = {}
        for problem in self.problems:
            groups.setdefault(problem.reason, []).append(problem)
        ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        return [
            (reason, len({p.file for p in items}), _summary_line(reason, items)) for reason, items in ranked
        ]

    def problem_lines(self) -> list[str]:
        """Every problem, and every file passed over as not a log, one line each (for ``-v``)."""
        lines = [str(p) for p in self.problems]
        named = {p.file for p in self.problems}
        return lines + [
            f"{path}: not a known agent log format" for path in self.unrecognised if path not in named
        ]


def _summary_line(reason: str, items: list[Problem]) -> str:
    files = {p.file for p in items}
    lines = [p for p in items if p.line and not p.fatal]
    if len(files) == 1:
        more = f" (and {len(items) - 1} more like it in that file)" if len(items) > 1 else ""
        return f"{items[0]}{more}"
    what = f"{len(lines)} lines in {len(files)} files" if lines else f"{len(files)} files"
    return f"{what}: {reason} (first: {items[0]}; skillforge -v … lists each)"
