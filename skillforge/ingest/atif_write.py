"""Writing trajectories as ATIF (Agent Trajectory Interchange Format, Harbor RFC 0001, v1.7): any log
skillforge reads can be fed to Harbor-style tooling (Terminal-Bench, SkillsBench).

skillforge's steps are flat (a thought, a message, a tool call, a tool result); an ATIF agent step holds
reasoning, a message, tool calls and their observations together. Consecutive steps are grouped into
one ATIF step while they keep that order (and each result's call is in the same step, as Harbor
requires); anything else starts a new step, so reading the document back gives the steps in their
order. What ATIF has no field for (each step's role, trust, error flag and exit code; the trajectory's
task, outcome, labels and metadata) goes to ``extra.skillforge``, which ``atif`` reads back: read →
write → read gives the same trajectories.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from skillforge.model import Role, Step, StepKind, Trajectory

SCHEMA = "ATIF-v1.7"
_PHASE = {StepKind.THOUGHT: 0, StepKind.ASSISTANT_MESSAGE: 1, StepKind.TOOL_CALL: 2, StepKind.TOOL_RESULT: 3}
TRAJECTORY_FIELDS = (
    "id",
    "source",
    "format",
    "task",
    "task_id",
    "cwd",
    "repository",
    "started_at",
    "ended_at",
    "outcome_source",
    "parent_id",
    "agent_version",
)


def to_atif(traj: Trajectory) -> dict[str, Any]:
    """One trajectory as an ATIF document (a JSON-ready dict)."""
    doc = atif_stream(traj)
    doc["steps"] = list(doc["steps"])
    return doc


def atif_stream(traj: Trajectory) -> dict[str, Any]:
    """One trajectory as an ATIF document whose ``steps`` is an iterator of step dicts, each built when
    asked for (``ingest --to atif`` writes them one by one, so a large session's ATIF steps are never
    all held at once). ``final_metrics`` comes after ``steps`` and its ``total_steps`` is filled in when
    the iterator is exhausted."""
    agent: dict[str, Any] = {"name": traj.agent, "version": traj.agent_version or "unknown"}
    if traj.model:
        agent["model_name"] = traj.model
    kept = {key: getattr(traj, key) for key in TRAJECTORY_FIELDS if getattr(traj, key) not in (None, "")}
    kept.update(outcome=traj.outcome.value, skills_used=list(traj.skills_used), metadata=traj.metadata)
    metrics: dict[str, Any] = {"total_steps": 0}
    return {
        "schema_version": SCHEMA,
        "session_id": traj.native_id or traj.id,
        "trajectory_id": traj.id,
        "agent": agent,
        "steps": _steps(traj, metrics),
        "final_metrics": metrics,
        "extra": {"skillforge": kept},
    }


def _steps(traj: Trajectory, metrics: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The trajectory's ATIF steps, each handed over once the next has started; ``metrics`` gets their
    count when they run out."""
    grouper = _Grouper()
    for step in traj.steps:
        grouper.add(step)
        yield from grouper.finished()
    yield from grouper.finished(last=True)
    if not grouper.count:  # Harbor refuses a trajectory without steps: one empty step, read back as none
        grouper.count = 1
        yield {"step_id": 1, "source": "system", "message": "", "extra": {"skillforge": []}}
    metrics["total_steps"] = grouper.count


class _Grouper:
    """Groups flat steps into ATIF steps (see the module's docstring). A step is finished once the
    next one starts; :meth:`finished` hands over the finished ones and forgets them."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []  # the steps not yet handed over, the open one last
        self.count = 0
        self.current: dict[str, Any] | None = None
        self.phase = -1
        self.ids: dict[int, str] = {}  # a call's index -> the tool_call_id written for it

    def finished(self, last: bool = False) -> list[dict[str, Any]]:
        """The steps no later flat step can change (all of them when ``last``), forgotten here."""
        keep = 0 if last else 1
        done, self.steps = self.steps[: len(self.steps) - keep], self.steps[len(self.steps) - keep :]
        return done

    def add(self, step: Step) -> None:
        """One flat step: into the open ATIF step while the order thought, message, calls, results holds
        (and a result's call is in it), else into a new one."""
        phase = (
            _PHASE.get(step.kind)
            if step.role is not Role.SYSTEM or step.kind is not StepKind.ASSISTANT_MESSAGE
            else None
        )
        if phase is None:  # a user or system message: a step of its own
            source = "system" if step.role is Role.SYSTEM else "user"
            self._new({"source": source, "message": step.text}, step)
            self.current = None
            return
        calls = {c["tool_call_id"] for c in self.current.get("tool_calls", [])} if self.current else set()
        call_id = self.ids.get(step.pair, step.call_id) if step.pair is not None else step.call_id
        if (
            self.current is None
            or phase < self.phase
            or (phase <= 1 and phase == self.phase)
            or (phase == 3 and call_id not in calls)
        ):
            self.current = self._new({"source": "agent", "message": ""}, None)
            self.phase = -1
        self._fill(self.current, step, call_id if call_id in calls or phase != 3 else None)
        self.phase = phase
        note = _step_extra(step)
        if phase == 3 and call_id is not None and call_id not in calls:
            note["paired_call_id"] = call_id  # its call is in an earlier step: no source_call_id may name it
        self.current["extra"]["skillforge"].append(note)
        if self.current.get("timestamp") is None and step.timestamp and iso_or_none(step.timestamp):
            self.current["timestamp"] = step.timestamp

    def _new(self, body: dict[str, Any], step: Step | None) -> dict[str, Any]:
        self.count += 1
        out = {"step_id": self.count, **body, "extra": {"skillforge": []}}
        if step is not None:
            out["extra"]["skillforge"].append(_step_extra(step))
            if step.timestamp and iso_or_none(step.timestamp):
                out["timestamp"] = step.timestamp
        self.steps.append(out)
        return out

    def _fill(self, out: dict[str, Any], step: Step, call_id: str | None) -> None:
        if step.kind is StepKind.THOUGHT:
            out["reasoning_content"] = step.text
        elif step.kind is StepKind.ASSISTANT_MESSAGE:
            out["message"] = step.text
        elif step.kind is StepKind.TOOL_CALL:
            arguments = (
                step.input
                if isinstance(step.input, dict)
                else {"input": step.input}
                if step.input is not None
                else {}
            )
            self.ids[step.index] = step.call_id or f"call-{step.index}"
            out.setdefault("tool_calls", []).append(
                {
                    "tool_call_id": self.ids[step.index],
                    "function_name": step.tool_name or "tool",
                    "arguments": arguments,
                    "extra": {
                        "skillforge_text": step.text,
                        "input_wrapped": not isinstance(step.input, dict) and step.input is not None,
                    },
                }
            )
        else:
            result: dict[str, Any] = {"content": step.text}
            if call_id is not None:
                result["source_call_id"] = call_id
            out.setdefault("observation", {"results": []})["results"].append(result)


def iso_or_none(timestamp: str) -> str | None:
    """``timestamp`` when it is ISO 8601 as Harbor's model checks it (``fromisoformat``, ``Z`` allowed),
    else None: a log's other spellings (an HTTP date, epoch milliseconds) stay in the step's note only."""
    try:
        datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return timestamp


def _step_extra(step: Step) -> dict[str, Any]:
    """What ATIF has no field for, per flat step, in the order the reader emits them."""
    out: dict[str, Any] = {"role": step.role.value, "kind": step.kind.value, "trust": step.trust.value}
    for key in ("tool_name", "call_id", "exit_code", "timestamp"):
        value = getattr(step, key)
        if value is not None:
            out[key] = value
    if step.is_error:
        out["is_error"] = True
    return out
