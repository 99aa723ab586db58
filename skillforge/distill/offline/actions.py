"""A trajectory as a list of understood actions: each tool call paired with its result, classified,
marked failed or not, and given an error signature. Every offline miner reads this list; it is built
once per trajectory in one linear pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skillforge.distill.offline.commands import BUILD, CHECK, INSTALL, TEST, classify
from skillforge.distill.offline.signature import (
    looks_failed,
    shorten,
    shows_failure,
    shows_success,
    signature,
    tests_failed,
)
from skillforge.model import Action, Step, StepKind, Trajectory, Trust

TRUST_ORDER = list(Trust)  # most to least trusted, as the enum declares them
_SWEBENCH_ID = re.compile(r"^([A-Za-z0-9_.-]+?)__([A-Za-z0-9_.-]+?)-\d+(?![\w.])")
_TAGS = re.compile(r"</?[\w_-]+>")
# a prompt's wrapper around the task ("Please solve the following issue:"), not a task that starts with
# "Please" ("Please rename game_2048.py to 2048.py" was named '' in evidence)
_BOILERPLATE = re.compile(
    r"^(?:consider the following|<|you are|your task|here is|implement the following plan\b|"
    r"please (?:solve|address|resolve|fix|implement|look at) (?:the|this) (?:following )?(?:github )?(?:issue|problem|task|pr)\b)",
    re.I,
)
# an issue template's section heading on its own line ("### Description", "**Describe the bug**"): the
# task is the text under it (astropy-14182's task read "Description")
_HEADING_ONLY = re.compile(
    r"^(?:description|summary|bug report|bug description|describe the bug|problem|issue|background|"
    r"overview|motivation|context|feature request|what happened\??|issue description|problem description)"
    r"\s*:?$",
    re.I,
)


@dataclass(slots=True)
class Act:
    call: int  # step index of the tool call
    result: int | None
    cls: str
    program: str
    recipe: str
    cmd: str  # the call, shortened to one line
    classes: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    heredoc: str = ""
    failed: bool = False
    sig: str = ""
    sig_raw: str = ""
    exc: str = ""
    output: str = ""  # the result text (kept in memory only, never in facts)
    action: Action | None = None  # the call's typed action, as the reader decoded it
    cwd: str = ""  # the main command's working folder relative to the repository ('' = its root)
    scratch: bool = False  # ran in a scratch folder or on scratch files (see commands.is_scratch_dir)
    masked: bool = False  # piped into an output filter, or followed by `; echo`, `|| true`: a 0 exit code
    # is another command's
    unsure: bool = False  # a test, build or install whose exit status is not its own: no failure in its
    # output, but no success either (``go build ./... | grep -c ^internal`` printing ``19``)

    @property
    def worked(self) -> bool:
        """Whether the call is known to have worked: not failed, and not merely not seen to fail."""
        return not self.failed and not self.unsure


def actions(traj: Trajectory) -> list[Act]:
    """Pair each tool call with its result (by ``pair``, ``call_id`` or the next result) and classify it."""
    results_by_call: dict[str, int] = {}
    for s in traj.steps:
        if s.kind is StepKind.TOOL_RESULT and s.call_id:
            results_by_call.setdefault(s.call_id, s.index)
    out: list[Act] = []
    steps = traj.steps
    for pos, s in enumerate(steps):
        if s.kind is not StepKind.TOOL_CALL:
            continue
        res_idx = _result_of(traj, pos, results_by_call)
        res = traj.step(res_idx) if res_idx is not None else None
        action = classify(s.action, traj.cwd)
        act = Act(
            call=s.index,
            result=res_idx,
            cls=action.cls,
            program=action.program,
            recipe=action.recipe,
            cmd=shorten(s.text or str(s.input or ""), 160),
            classes=action.classes,
            writes=action.writes,
            heredoc=action.heredoc,
            action=s.action,
            cwd=action.cwd,
            scratch=action.scratch,
            masked=action.masked,
        )
        if res is not None:
            _read_result(act, res)
        out.append(act)
    return out


# the classes whose success the miners count ("worked in 4 of 5 runs"): with an exit status not their
# own, the output must show it
_JUDGED = frozenset({TEST, BUILD, INSTALL, CHECK})


def _read_result(act: Act, res: Step) -> None:
    """The call's output, whether it failed, and the failure's error signature. Without a usable exit
    code (none recorded, or a pipe's into ``tail``) the output's own report decides; for a test, build
    or install whose exit status is another command's, plainer failure words count too, and it worked
    only if its output says so (else it is ``unsure``)."""
    act.output = res.text
    judged = act.masked and act.cls in _JUDGED
    act.failed = (
        res.is_error
        or (res.exit_code not in (None, 0))
        or ((res.exit_code is None or act.masked) and looks_failed(res.text))
        or (judged and shows_failure(res.text))
    )
    act.unsure = judged and not act.failed and not shows_success(res.text)
    check_beside = act.cls != CHECK and CHECK in act.classes  # `go test ./... && go vet ./...`
    if act.failed and check_beside and not tests_failed(res.text):
        act.failed, act.unsure = False, True  # `go test && go vet` failed, and no test report says it did
    if act.failed:
        sig = signature(res.text)
        if sig is not None:
            act.sig, act.sig_raw, act.exc = sig.text, sig.raw, sig.exc


def _result_of(traj: Trajectory, pos: int, by_call: dict[str, int]) -> int | None:
    call = traj.steps[pos]
    if call.pair is not None:
        return call.pair
    if call.call_id and call.call_id in by_call:
        return by_call[call.call_id]
    for nxt in traj.steps[pos + 1 : pos + 4]:
        if nxt.kind is StepKind.TOOL_RESULT:
            return nxt.index
        if nxt.kind is StepKind.TOOL_CALL:
            break
    return None


def short_task(text: str, limit: int = 160) -> str:
    """The task's first meaningful line, without tags and prompt boilerplate."""
    for line in text.splitlines():
        line = _TAGS.sub("", line).strip(" #*")
        if line and not _BOILERPLATE.match(line) and not _HEADING_ONLY.match(line):
            return shorten(line, limit)
    return ""


def least_trusted(traj: Trajectory, indices: list[int]) -> str:
    """The least trusted of the cited steps' trust values (``agent`` when none is found)."""
    found = [step.trust for i in indices if (step := traj.step(i)) is not None]
    return max(found, key=TRUST_ORDER.index).value if found else Trust.AGENT.value


def source_of(traj: Trajectory, index: int) -> str | None:
    step = traj.step(index)
    return str(step.source) if step is not None and step.source is not None else None


def repository(traj: Trajectory) -> str:
    """The trajectory's repository ('owner/name'), from the log or a SWE-bench style task id."""
    if traj.repository:
        return traj.repository.strip().removesuffix(".git")
    for ident in (traj.task_id, traj.native_id):
        m = _SWEBENCH_ID.match(ident or "")
        if m:
            return f"{m.group(1)}/{m.group(2)}"
    name = (traj.cwd or "").rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    return name if name and name not in _GENERIC_DIRS else ""


_GENERIC_DIRS = frozenset(
    {"testbed", "workspace", "repo", "app", "src", "tmp", "home", "root", "project", "code"}
)
