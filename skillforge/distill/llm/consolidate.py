"""LLM consolidation: lessons -> :class:`~skillforge.model.SkillEdit` objects that deepen the library.

1. Topics by meaning (:mod:`.topics`): one call assigns lessons to topics from their titles and
   triggers (lexical clusters when its answer is unusable).
2. A topic with more than ``fanout`` lessons is condensed in a tree (while ``levels`` allow), keeping
   every unique insight; a lesson a condense answer skips, or every lesson of a failed condense call,
   goes on uncondensed.
3. Small topics are packed into merge calls of up to ``fanout`` items, and the calls are made **in
   order**, each against the library as this run has grown it (:mod:`.mergecheck`): skills created or
   changed by earlier decisions are shown first, so the model deepens them instead of adding near
   duplicates. Each answer is checked (sources, targets, every write-path rule through the validator)
   with one repair round.
4. A merge call whose answer is unusable twice (or whose provider call failed) loses nothing: the
   edits of its last answer that pass the check on their own are kept, the other lessons are listed
   in :attr:`LLMConsolidator.unmerged` with the reason, and the pipeline reports them, keeps them
   pending and leaves their trajectories undistilled.

The edits are returned in decision order (later ones build on earlier ones; the writer applies them
in that order). Locked skills (``skillforge-locked: "true"``) never get edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from skillforge import templates
from skillforge.distill.cost import Budget
from skillforge.distill.llm import schema
from skillforge.distill.llm.agent import SKIPPABLE, Caller, ItemFailed, answer_json, skippable
from skillforge.distill.llm.mergecheck import GrowingLibrary, new_skill
from skillforge.distill.llm.topics import by_meaning, pack
from skillforge.distill.llm.topics import lexical as cluster
from skillforge.distill.parallel import imap_unordered
from skillforge.model import EditOp, Lesson, Skill, SkillEdit, content_id
from skillforge.providers.base import ChatRequest, Message

__all__ = ["LLMConsolidator", "MergeOptions", "cluster", "resolve_overlaps"]

TEMPLATES = ("merge_system.j2", "merge_topics.j2", "merge_condense.j2", "merge_decide.j2", "repair.j2")
Items = dict[str, list[Lesson]]


@dataclass
class MergeOptions:
    fanout: int = 8
    levels: int = 3
    template_dir: str = ""
    workers: int = 8
    max_tokens: int = 8192
    threshold: float = 0.3


class LLMConsolidator:
    def __init__(self, provider: Any, budget: Budget, options: MergeOptions):
        self.provider, self.budget, self.options = provider, budget, options
        self.unmerged: list[tuple[list[Lesson], str]] = []  # lessons no edit could carry, with why
        self.topics_by_meaning = False

    @property
    def fingerprint(self) -> str:
        digests = [templates.digest(f"prompts/{n}", self.options.template_dir) for n in TEMPLATES]
        return content_id(
            *digests,
            self.provider.name,
            self.provider.model,
            str(self.options.fanout),
            str(self.options.levels),
        )

    def consolidate(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> list[SkillEdit]:
        self.unmerged = []
        caller = self._caller()
        topics, self.topics_by_meaning = by_meaning(
            caller, lessons, self._system(caller), self.options.threshold
        )
        prepared: list[tuple[list[dict[str, Any]], Items]] = [([], {})] * len(topics)
        keyed = _keys(topics)
        for i, found in imap_unordered(self._condense_topic, list(enumerate(keyed)), self.options.workers):
            prepared[i] = found
        items: Items = {k: v for _, topic_items in prepared for k, v in topic_items.items()}
        library = GrowingLibrary(skills)
        edits: list[SkillEdit] = []
        for batch in pack([shown for shown, _ in prepared], self.options.fanout):
            for edit in self._decide_batch(batch, items, library):
                library.apply(edit)
                edits.append(edit)
        return resolve_overlaps(edits, skills)

    # -- condense ------------------------------------------------------------------------------------

    def _condense_topic(self, job: tuple[int, dict[str, Lesson]]) -> tuple[list[dict[str, Any]], Items]:
        n, lessons = job
        items: Items = {k: [x] for k, x in lessons.items()}
        shown = {k: _item(x, k, n) for k, x in lessons.items()}
        level, fanout = 1, max(2, self.options.fanout)
        caller = self._caller()
        while len(shown) > fanout and level < self.options.levels:
            try:
                shown, items = self._condense(caller, shown, items, f"{n}.{level}")
            except SKIPPABLE as exc:  # the lessons go on uncondensed: nothing is lost
                if not skippable(exc):
                    raise
                break
            level += 1
        return list(shown.values()), items

    def _condense(
        self, caller: Caller, shown: dict[str, dict[str, Any]], items: Items, tag: str
    ) -> tuple[dict[str, dict[str, Any]], Items]:
        new_shown: dict[str, dict[str, Any]] = {}
        new_items: Items = {}
        values = list(shown.values())
        for n, chunk in enumerate(
            values[i : i + self.options.fanout] for i in range(0, len(values), max(1, self.options.fanout))
        ):
            ids = {c["id"] for c in chunk}
            user = caller.render("merge_condense.j2", items=chunk)
            data = answer_json(
                caller,
                "merge-condense",
                self._request(caller, user),
                schema.DRAFTS,
                extra_check=partial(_draft_errors, ids=ids),
            )
            covered: set[str] = set()
            for k, draft in enumerate(data["drafts"]):
                sources = [s for s in dict.fromkeys(draft["sources"]) if s not in covered]
                if not sources:
                    continue
                key = f"D{tag}.{n}.{k}"
                covered.update(sources)
                new_items[key] = [x for s in sources for x in items[s]]
                first = shown[sources[0]]
                new_shown[key] = {
                    "id": key,
                    "title": draft["title"],
                    "trigger": draft["trigger"],
                    "lesson": draft["lesson"],
                    "support": _support(new_items[key]),
                    "topic": first.get("topic", 0),
                }
            for missing in sorted(ids - covered):  # never lose an insight the model skipped
                new_items[missing], new_shown[missing] = items[missing], shown[missing]
        return new_shown, new_items

    # -- decide --------------------------------------------------------------------------------------

    def _decide_batch(
        self, batch: list[dict[str, Any]], items: Items, library: GrowingLibrary
    ) -> list[SkillEdit]:
        try:
            return self._decide(self._caller(), batch, items, library)
        except SKIPPABLE as exc:
            if not skippable(exc):
                raise
            lessons = [x for c in batch for x in items[c["id"]]]
            self.unmerged.append((lessons, str(exc)))
            return []

    def _decide(
        self, caller: Caller, chunk: list[dict[str, Any]], items: Items, library: GrowingLibrary
    ) -> list[SkillEdit]:
        ids = {c["id"] for c in chunk}
        text = " ".join(f"{c['title']} {c['trigger']}" for c in chunk)
        user = caller.render("merge_decide.j2", items=chunk, skills=library.candidates(text))

        def check(value: dict[str, Any]) -> list[str]:
            errors = library.errors(value["edits"], ids, lambda e: _to_edit(e, items))
            used = {s for e in value["edits"] for s in e["sources"]}
            missing = sorted(ids - used)
            if missing:
                errors.append(
                    f"these ids are in no edit: {', '.join(missing)}; every lesson must go into "
                    "an edit (append it to the skill it deepens if it adds little)"
                )
            return errors

        try:
            data = answer_json(caller, "merge", self._request(caller, user), schema.EDITS, extra_check=check)
        except ItemFailed as exc:
            if exc.value is None:
                raise
            return self._salvage(exc.value["edits"], ids, items, library, str(exc))
        return [_to_edit(e, items) for e in data["edits"]]

    def _salvage(
        self, entries: list[dict[str, Any]], ids: set[str], items: Items, library: GrowingLibrary, reason: str
    ) -> list[SkillEdit]:
        """After the repair round, keep the edits that pass the check on their own; the lessons of
        the others (and any the answer left out) are reported as unmerged, with the errors."""
        good = [e for e in entries if not library.errors([e], ids, lambda x: _to_edit(x, items))]
        kept = {s for e in good for s in e["sources"]}
        lost = [x for lid in sorted(ids - kept) for x in items[lid]]
        if lost:
            self.unmerged.append((lost, reason))
        return [_to_edit(e, items) for e in good]

    # -- helpers -------------------------------------------------------------------------------------

    def _caller(self) -> Caller:
        return Caller(self.provider, self.budget, self.options.template_dir)

    def _system(self, caller: Caller) -> str:
        return caller.render("merge_system.j2")

    def _request(self, caller: Caller, user: str) -> ChatRequest:
        return ChatRequest(
            system=self._system(caller), messages=[Message("user", user)], max_tokens=self.options.max_tokens
        )


def _keys(topics: list[list[Lesson]]) -> list[dict[str, Lesson]]:
    """Each topic's lessons under ids unique across the run (L0, L1, … in topic order)."""
    out, n = [], 0
    for topic in topics:
        keyed = {}
        for lesson in topic:
            keyed[f"L{n}"] = lesson
            n += 1
        out.append(keyed)
    return out


def _item(lesson: Lesson, key: str, topic: int) -> dict[str, Any]:
    return {
        "id": key,
        "title": lesson.title,
        "trigger": lesson.trigger,
        "lesson": lesson.body,
        "kind": lesson.kind.value,
        "level": lesson.level.value,
        "scope": str(lesson.scope),
        "support": lesson.support,
        "topic": topic,
    }


def _support(lessons: list[Lesson]) -> int:
    return len({e.trajectory_id for x in lessons for e in x.evidence})


def _draft_errors(value: dict[str, Any], ids: set[str]) -> list[str]:
    return [
        f"$.drafts[{i}].sources: unknown id {s!r} (use only {sorted(ids)})"
        for i, e in enumerate(value["drafts"])
        for s in e["sources"]
        if s not in ids
    ]


def _to_edit(e: dict[str, Any], items: Items) -> SkillEdit:
    lessons = [x for s in dict.fromkeys(e["sources"]) if s in items for x in items[s]]
    op = EditOp(e["op"])
    edit = SkillEdit(op=op, skill=e["skill"], reason=e["reason"].strip(), lessons=lessons)
    if op is EditOp.ADD_SKILL:
        edit.new_skill = new_skill(e["skill"], e["description"], e["content"], lessons)
    else:
        edit.section, edit.content = e["section"].strip().lstrip("#").strip(), e["content"].strip()
    return edit


def resolve_overlaps(edits: list[SkillEdit], skills: Sequence[Skill]) -> list[SkillEdit]:
    """The edits in order, without edits of locked skills. Nothing else is dropped: later decisions
    were made against the library with the earlier ones applied, so they compose in order; a second
    ``add_skill`` of one name merges its sections into the first (as the writer does), and appends to
    the same section one after the other are joined into one edit carrying both edits' lessons."""
    locked = {s.name for s in skills if s.locked}
    out: list[SkillEdit] = []
    for edit in edits:
        if edit.skill in locked:
            continue
        last = out[-1] if out else None
        if (
            last is not None
            and last.op is EditOp.APPEND_SECTION
            and edit.op is EditOp.APPEND_SECTION
            and last.skill == edit.skill
            and (last.section or "").lower() == (edit.section or "").lower()
        ):
            last.content = f"{last.content}\n\n{edit.content}"
            last.lessons += edit.lessons
            continue
        out.append(edit)
    return out
