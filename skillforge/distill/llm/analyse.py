"""LLM analysts: per trajectory a judge (when the outcome is unknown) and a success or failure
analyst sub-agent with read_step/search tools; in ``reduce``, a comparative analyst wherever the
same task or repository has both successes and failures, working only from each trajectory's
compact ``facts`` (task, repository, outcome, the analyst's lessons in full, and de-duplicated key
steps labelled with who wrote them). A comparative result is cached by the content of its request,
so a re-run over the same analyses pays for it once.

Every call shares one long system prompt (``analyst_system.j2``), placed first so the providers'
automatic prompt caching serves it; each job's own instructions come in the user message."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skillforge import templates
from skillforge.distill.base import MapResult
from skillforge.distill.cache import MapCache
from skillforge.distill.cost import Budget
from skillforge.distill.llm import schema
from skillforge.distill.llm.agent import SKIPPABLE, Caller, answer_json, skippable
from skillforge.distill.llm.evidence import Origin, StepRef, to_lessons
from skillforge.distill.llm.tools import Toolbox
from skillforge.distill.llm.transcript import TASK_CHARS, WRITER, Transcript, cut, prepare
from skillforge.distill.parallel import imap_unordered
from skillforge.errors import BudgetExceeded
from skillforge.model import Lesson, Outcome, Trajectory, Trust, content_id
from skillforge.providers.base import ChatRequest, Message, Provider
from skillforge.text import owner_of_names

TEMPLATES = (
    "analyst_system.j2",
    "analyst.j2",
    "_failing_tests.j2",  # included by the analysts' prompts
    "judge.j2",
    "comparative.j2",
    "repair.j2",
    "budget_exhausted.j2",
)
KEY_STEPS = 8
GROUP_MAX = 4  # trajectories per outcome in one comparative call


@dataclass
class Options:
    template_dir: str = ""
    analyst_steps: int = 12
    transcript_tokens: int = 6000
    workers: int = 8
    max_tokens: int = 4096


class LLMMapper:
    name = "llm"

    def __init__(self, provider: Provider, budget: Budget, options: Options):
        self.provider, self.budget, self.options = provider, budget, options
        self.not_compared = 0  # comparative calls the budget refused (set by ``reduce``)
        self.dropped: Counter[str] = Counter()  # what comparative answers held that did not check out

    def caller(self) -> Caller:
        return Caller(self.provider, self.budget, self.options.template_dir)

    @property
    def fingerprint(self) -> str:
        """Templates, provider, model and analyst settings: what makes an analysis reproducible."""
        digests = [templates.digest(f"prompts/{t}", self.options.template_dir) for t in TEMPLATES]
        return content_id(
            *digests,
            self.provider.name,
            self.provider.model,
            str(self.options.analyst_steps),
            str(self.options.transcript_tokens),
        )

    def cache_key(self, traj: Trajectory) -> str:
        return content_id(traj.id, traj.digest(), self.fingerprint)

    def reducer(self) -> None:
        """None: analyses are reduced together, once every trajectory is mapped."""
        return None

    # -- map ---------------------------------------------------------------------------------------

    def map(self, traj: Trajectory) -> MapResult:
        caller = self.caller()
        try:
            lessons, facts, dropped = self._analyse(traj, caller)
        except BudgetExceeded:
            raise  # the executor records it and stops the map stage
        except SKIPPABLE as exc:
            if not skippable(exc):
                raise
            return MapResult(traj.id, error=str(exc), usage=caller.usage)
        return MapResult(traj.id, lessons=lessons, facts=facts, usage=caller.usage, dropped=dropped)

    def _analyse(
        self, traj: Trajectory, caller: Caller
    ) -> tuple[list[Lesson], dict[str, Any], dict[str, int]]:
        transcript = prepare(traj, self.options.transcript_tokens)
        toolbox = Toolbox(traj)
        outcome, source = traj.known_outcome, traj.outcome_source  # a guess is judged again
        if outcome is Outcome.UNKNOWN:
            outcome, source = self._judge(traj, transcript, caller, toolbox), "llm-judge"
        kind = "success" if outcome is Outcome.SUCCESS else "failure"
        user = caller.render(
            "analyst.j2",
            analyst=kind,
            transcript=transcript.render(),
            trajectory_id=traj.id,
            tests=traj.failing_tests,
            steps=self.options.analyst_steps,
            task_cut=len(traj.task) > TASK_CHARS,
        )
        data = answer_json(
            caller,
            f"{kind}-analyst",
            self._request(caller, user),
            schema.LESSONS,
            toolbox,
            self.options.analyst_steps,
        )
        origins = {traj.id: Origin(traj.task, outcome)}
        lessons, dropped = to_lessons(data, _trajectory_lookup(traj), origins)
        return lessons, _facts(traj, outcome, source, lessons), dropped

    def _judge(self, traj: Trajectory, transcript: Transcript, caller: Caller, toolbox: Toolbox) -> Outcome:
        user = caller.render("judge.j2", transcript=transcript.render())
        data = answer_json(
            caller,
            "judge",
            self._request(caller, user),
            schema.JUDGE,
            toolbox,
            min(3, self.options.analyst_steps),
        )
        return Outcome(data["outcome"])

    def _request(self, caller: Caller, user: str) -> ChatRequest:
        return ChatRequest(
            system=caller.render("analyst_system.j2"),
            messages=[Message("user", user)],
            max_tokens=self.options.max_tokens,
        )

    # -- reduce ------------------------------------------------------------------------------------

    def reduce(self, results: Sequence[MapResult]) -> list[Lesson]:
        """The analysts' lessons and the comparative ones; ``not_compared`` counts the groups the
        budget left without their comparative call, ``dropped`` what the comparative answers held that
        did not check out."""
        lessons = [lesson for r in results for lesson in r.lessons]
        facts = [r.facts for r in results if isinstance(r.facts, dict)]
        groups = comparable_groups(facts)
        self.not_compared = 0
        self.dropped = Counter()
        for _, found in imap_unordered(self._compare, groups, self.options.workers):
            if found is None:
                self.not_compared += 1
            else:
                lessons.extend(found.lessons)
                self.dropped.update(found.dropped)
        return lessons

    def _compare(self, group: list[dict[str, Any]]) -> MapResult | None:
        """The group's comparative lessons (None: the budget refused the call)."""
        caller = self.caller()
        user = caller.render("comparative.j2", trajectories=group)
        request = self._request(caller, user)
        key = content_id("comparative", request.system, user, self.provider.name, self.provider.model)
        cache = MapCache()
        hit = cache.get(key)
        if hit is not None:
            return hit
        try:
            data = answer_json(caller, "comparative", request, schema.LESSONS)
        except BudgetExceeded:
            return None
        except SKIPPABLE as exc:
            if not skippable(exc):
                raise
            return MapResult("comparative")
        origins = {f["id"]: Origin(f["task"], Outcome(f["outcome"])) for f in group}
        lessons, dropped = to_lessons(data, _facts_lookup(group), origins)
        result = MapResult("comparative", lessons=lessons, usage=caller.usage, dropped=dropped)
        cache.put(key, result)
        return result


def _trajectory_lookup(traj: Trajectory) -> Any:
    def lookup(tid: str, index: int) -> StepRef | None:
        step = traj.step(index) if tid == traj.id else None
        if step is None:
            return None
        return StepRef(step.text, step.trust, str(step.source) if step.source else None)

    return lookup


def _facts_lookup(group: list[dict[str, Any]]) -> Any:
    table = {(f["id"], k["step"]): k for f in group for k in f["key_steps"]}

    def lookup(tid: str, index: int) -> StepRef | None:
        k = table.get((tid, index))
        return None if k is None else StepRef(k["text"], Trust(k["trust"]), k.get("source"))

    return lookup


def _facts(traj: Trajectory, outcome: Outcome, source: str | None, lessons: list[Lesson]) -> dict[str, Any]:
    """What reduce needs later, small: task, repository, outcome, lesson titles, key steps and, for a
    failed run, the tests its evaluation saw fail."""
    cited = [i for lesson in lessons for e in lesson.evidence for i in e.steps]
    errors = [s.index for s in traj.errors if s.trust is not Trust.INJECTED]  # not the harness's rejections
    picked: list[int] = []
    texts: set[str] = set()
    for i in cited + errors[:3] + errors[-2:]:
        step = traj.step(i)
        text = " ".join(step.text.split())[:300] if step is not None else ""
        if step is None or i in picked or text in texts or len(picked) >= KEY_STEPS:
            continue  # the same text twice (a repeated error) shows once
        picked.append(i)
        texts.add(text)
    key_steps = []
    for i in sorted(picked):
        step = traj.step(i)
        if step is not None:
            key_steps.append(
                {
                    "step": i,
                    "kind": step.kind.value,
                    "text": cut(step.text, 300),
                    "writer": WRITER.get(step.trust, step.trust.value),
                    "trust": step.trust.value,
                    "source": str(step.source) if step.source else None,
                }
            )
    return {
        "id": traj.id,
        "task": cut(traj.task, 1500),
        "task_id": traj.task_id,
        "repository": traj.repository,
        "outcome": outcome.value,
        "outcome_source": source,
        "lessons": [{"title": x.title, "trigger": x.trigger, "lesson": cut(x.body, 600)} for x in lessons],
        "key_steps": key_steps,
        "failing_tests": traj.failing_tests if outcome is Outcome.FAILURE else {},
    }


def comparable_groups(facts: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Groups (same task, else same repository) holding both successes and failures, each capped at
    GROUP_MAX per outcome; a repository group is skipped when one task group already covers it."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    owner = owner_of_names(str(f.get("repository") or "") for f in facts)  # 'git-sync' is 'acme/git-sync'
    for f in facts:
        task = f.get("task_id") or " ".join(str(f.get("task", "")).split()).lower()
        if task:
            by_task[task].append(f)
        if repo := f.get("repository"):
            by_repo[owner.get(repo.lower(), repo)].append(f)
    groups: list[list[dict[str, Any]]] = []
    covered: set[str] = set()
    for members in by_task.values():
        if _mixed(members):
            groups.append(_cap(members))
            covered.update(f["id"] for f in members)
    for members in by_repo.values():
        if _mixed(members) and not {f["id"] for f in members} <= covered:
            groups.append(_cap(members))
    return groups


def _mixed(members: list[dict[str, Any]]) -> bool:
    outcomes = {f["outcome"] for f in members}
    return {"success", "failure"} <= outcomes


def _cap(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wins = [f for f in members if f["outcome"] == "success"][:GROUP_MAX]
    losses = [f for f in members if f["outcome"] == "failure"][:GROUP_MAX]
    return wins + losses
