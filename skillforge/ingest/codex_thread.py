"""Codex rollouts, the thread being built: one rollout file is one thread, so one trajectory. It owns the
steps added while streaming (and the call/result indexes that pair them), what the ``session_meta`` and
``turn_context`` lines say about the thread (id, CLI version, model, cwd, git repository), where the thread
came from and its parent when it is a sub-agent (``parent_id``; the children a parent spawned are read
from its events in ``codex_events``), and the finished ``Trajectory`` (a ``codex exec`` run whose
last turn was aborted is a failure).
"""

from __future__ import annotations

from typing import Any

from skillforge.ingest.reading import digest_id, new_digest
from skillforge.model import Outcome, Role, SourceLocation, Step, StepKind, Trajectory, Trust
from skillforge.text import folder_repository

FORMAT = "codex"
AGENT = "codex"


class CodexThread:
    def __init__(self, source: str) -> None:
        self.source = source
        self.digest = new_digest()
        self.steps: list[Step] = []
        self.calls: dict[str, int] = {}
        self.results: dict[str, int] = {}
        self.skills: list[str] = []
        self.task = ""
        self.line = 0
        self.timestamp: str | None = None
        self.first_ts: str | None = None
        self.native_id: str | None = None
        self.version: str | None = None
        self.model: str | None = None
        self.cwd: str | None = None
        self.repository: str | None = None
        self.parent_id: str | None = None
        self.metadata: dict[str, Any] = {}
        self._loc = SourceLocation(source)

    def add(
        self,
        role: Role,
        kind: StepKind,
        text: str,
        trust: Trust,
        *,
        tool_name: str | None = None,
        input: Any = None,
        call_id: str | None = None,
        is_error: bool = False,
        exit_code: int | None = None,
    ) -> Step:
        loc = self._loc
        if loc.line != self.line:  # the steps of one line share their location
            loc = self._loc = SourceLocation(self.source, self.line)
        step = Step(
            len(self.steps),
            role,
            kind,
            text,
            tool_name,
            input,
            call_id,
            None,
            is_error,
            exit_code,
            self.timestamp,
            loc,
            trust,
        )
        self.steps.append(step)
        self.first_ts = self.first_ts or self.timestamp
        return step

    def meta(self, payload: dict[str, Any]) -> None:
        if self.native_id is not None:
            return  # a resumed file repeats the meta line; the first one names the thread
        self.native_id = _s(payload.get("id")) or _s(payload.get("session_id"))
        self.version = _s(payload.get("cli_version"))
        self.cwd = _s(payload.get("cwd"))
        self.first_ts = _s(payload.get("timestamp")) or self.timestamp
        git: dict[str, Any] = payload["git"] if isinstance(payload.get("git"), dict) else {}
        self.repository = _repo_name(_s(git.get("repository_url")))
        if _s(git.get("branch")):
            self.metadata["git_branch"] = git["branch"]
        self._source(payload)
        for key in ("originator", "model_provider", "agent_nickname", "agent_role"):
            if _s(payload.get(key)):
                self.metadata[key] = payload[key]

    def _source(self, payload: dict[str, Any]) -> None:
        """Where the thread came from: ``cli``, ``exec`` (``codex exec``), ``vscode`` (Codex Desktop and
        the IDE extension), or a sub-agent (spawned by a parent thread, or a ``review`` run); a spawned
        or forked thread's parent becomes ``parent_id``."""
        source = payload.get("source")
        sub = source.get("subagent") if isinstance(source, dict) else None
        spawn = sub.get("thread_spawn") if isinstance(sub, dict) else None
        if isinstance(spawn, dict):
            self.parent_id = _s(spawn.get("parent_thread_id"))
            self.metadata["subagent"] = "thread_spawn"
        elif isinstance(sub, str):
            self.metadata["subagent"] = sub
        elif isinstance(source, str):
            self.metadata["source"] = source
        self.parent_id = (
            self.parent_id or _s(payload.get("parent_thread_id")) or _s(payload.get("forked_from_id"))
        )

    def context(self, payload: dict[str, Any]) -> None:
        self.model = self.model or _s(payload.get("model"))
        self.cwd = self.cwd or _s(payload.get("cwd"))

    def trajectory(self) -> Trajectory:
        repo = self.repository or folder_repository(self.cwd)
        traj = Trajectory(
            id=digest_id(self.digest),
            source=self.source,
            format=FORMAT,
            agent=AGENT,
            steps=self.steps,
            native_id=self.native_id,
            agent_version=self.version,
            model=self.model,
            task=self.task,
            cwd=self.cwd,
            repository=repo,
            started_at=self.first_ts,
            ended_at=self.timestamp,
            parent_id=self.parent_id,
            skills_used=self.skills,
            metadata=self.metadata,
        )
        if self.metadata.get("source") == "exec" and str(self.metadata.get("last_turn")).startswith(
            "aborted"
        ):
            # ``codex exec`` runs one task unattended: a run whose turn was aborted did not finish
            traj.outcome, traj.outcome_source = Outcome.FAILURE, "log:turn_aborted"
        return traj


def _repo_name(url: str | None) -> str | None:
    """``git@github.com:o/app.git`` / ``https://…/o/app`` -> ``app``: the name alone, as other agents' logs
    give it (their folder's), so that one repository's sessions are counted together; an owner would
    split a repository whose organisation was renamed (entirehq/git-sync and entireio/git-sync in the
    corpus's Codex rollouts)."""
    if not url:
        return None
    name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return name[:-4] if name.endswith(".git") else name or None


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
