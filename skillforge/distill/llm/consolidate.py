"""LLM consolidation: lessons -> non-overlapping :class:`~skillforge.model.SkillEdit` objects.

Lessons are clustered lexically (word-set Jaccard of title and trigger, union-find). Each cluster is
merged in a tree: while it has more than ``fanout`` items and fewer than ``levels`` levels were used,
groups of ``fanout`` are condensed into drafts (keeping every unique insight); the last level decides,
against the library's current skills (names, descriptions, section headings), whether to deepen an
existing skill or add a new one. Answers are checked (known sources, valid names, existing unlocked
targets) with one repair round; overlapping edits are then merged so each (skill, section) is edited
once. Locked skills (``skillforge-locked: "true"``) never get edits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from skillforge import templates
from skillforge.distill.cost import Budget
from skillforge.distill.llm import schema
from skillforge.distill.llm.agent import SKIPPABLE, Caller, answer_json, skippable
from skillforge.distill.parallel import imap_unordered
from skillforge.model import EditOp, Lesson, Skill, SkillEdit, content_id
from skillforge.providers.base import ChatRequest, Message, Provider
from skillforge.safety.redact import redact

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WORD = re.compile(r"[a-z0-9]{3,}")
STOP = {"the", "and", "for", "with", "when", "use", "that", "this", "from", "into", "before", "after", "you"}
CANDIDATES = 5


@dataclass
class MergeOptions:
    fanout: int = 8
    levels: int = 3
    template_dir: str = ""
    workers: int = 8
    max_tokens: int = 8192
    threshold: float = 0.3


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cluster(lessons: Sequence[Lesson], threshold: float = 0.3) -> list[list[Lesson]]:
    """Union-find over lessons whose title+trigger word sets are similar (or share a signature)."""
    parent = list(range(len(lessons)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bags = [words(f"{x.title} {x.trigger}") for x in lessons]
    for i in range(len(lessons)):
        for j in range(i + 1, len(lessons)):
            same = lessons[i].signature and lessons[i].signature == lessons[j].signature
            if same or jaccard(bags[i], bags[j]) >= threshold:
                parent[find(j)] = find(i)
    groups: dict[int, list[Lesson]] = {}
    for i, lesson in enumerate(lessons):
        groups.setdefault(find(i), []).append(lesson)
    return list(groups.values())


def card(skill: Skill) -> dict[str, Any]:
    """What the merge model sees of an existing skill, redacted: a library can hold a hand-written secret."""
    headings = [redact(line.lstrip("#").strip())[0] for line in skill.body.splitlines() if line.startswith("#")]
    return {"name": skill.name, "description": redact(skill.description)[0], "headings": headings,
            "locked": skill.locked}


class LLMConsolidator:
    def __init__(self, provider: Provider, budget: Budget, options: MergeOptions):
        self.provider, self.budget, self.options = provider, budget, options

    @property
    def fingerprint(self) -> str:
        names = ("merge_system.j2", "merge_condense.j2", "merge_decide.j2", "repair.j2")
        digests = [templates.digest(f"prompts/{n}", self.options.template_dir) for n in names]
        return content_id(*digests, self.provider.name, self.provider.model,
                          str(self.options.fanout), str(self.options.levels))

    def consolidate(self, lessons: Sequence[Lesson], skills: Sequence[Skill]) -> list[SkillEdit]:
        cards = [card(s) for s in skills]
        clusters = cluster(lessons, self.options.threshold)
        edits: list[SkillEdit] = []

        def run(group: list[Lesson]) -> list[SkillEdit]:
            return self._cluster(group, cards)

        for _, found in imap_unordered(run, clusters, self.options.workers):
            edits.extend(found)
        return resolve_overlaps(edits, skills)

    def _cluster(self, lessons: list[Lesson], cards: list[dict[str, Any]]) -> list[SkillEdit]:
        caller = Caller(self.provider, self.budget, self.options.template_dir)
        items = {f"L{i}": [x] for i, x in enumerate(lessons)}
        shown = {k: _item(v[0], k) for k, v in items.items()}
        level, fanout = 1, max(2, self.options.fanout)
        try:
            while len(shown) > fanout and level < self.options.levels:
                shown, items = self._condense(caller, shown, items, level)
                level += 1
            return [e for chunk in _chunks(list(shown.values()), fanout)
                    for e in self._decide(caller, chunk, items, cards)]
        except SKIPPABLE as exc:
            if not skippable(exc):
                raise
            return []

    def _condense(self, caller: Caller, shown: dict[str, dict[str, Any]], items: dict[str, list[Lesson]],
                  level: int) -> tuple[dict[str, dict[str, Any]], dict[str, list[Lesson]]]:
        new_shown: dict[str, dict[str, Any]] = {}
        new_items: dict[str, list[Lesson]] = {}
        for n, chunk in enumerate(_chunks(list(shown.values()), self.options.fanout)):
            ids = {c["id"] for c in chunk}
            user = caller.render("merge_condense.j2", items=chunk)
            data = answer_json(caller, "merge", self._request(caller, user), schema.DRAFTS,
                               extra_check=partial(_draft_errors, ids=ids))
            covered: set[str] = set()
            for k, draft in enumerate(data["drafts"]):
                sources = [s for s in dict.fromkeys(draft["sources"]) if s not in covered]
                if not sources:
                    continue
                key = f"D{level}.{n}.{k}"
                covered.update(sources)
                new_items[key] = [x for s in sources for x in items[s]]
                new_shown[key] = {"id": key, "title": draft["title"], "trigger": draft["trigger"],
                                  "lesson": draft["lesson"], "support": _support(new_items[key])}
            for missing in sorted(ids - covered):  # never lose an insight the model skipped
                new_items[missing], new_shown[missing] = items[missing], shown[missing]
        return new_shown, new_items

    def _decide(self, caller: Caller, chunk: list[dict[str, Any]], items: dict[str, list[Lesson]],
                cards: list[dict[str, Any]]) -> list[SkillEdit]:
        ids = {c["id"] for c in chunk}
        text = " ".join(f"{c['title']} {c['trigger']}" for c in chunk)
        near = sorted(cards, key=lambda c: -jaccard(words(text), words(f"{c['name']} {c['description']}")))
        user = caller.render("merge_decide.j2", items=chunk, skills=near[:CANDIDATES])
        by_name = {c["name"]: c for c in cards}
        data = answer_json(caller, "merge", self._request(caller, user), schema.EDITS,
                           extra_check=lambda v: _edit_errors(v["edits"], ids, by_name))
        return [_to_edit(e, items) for e in data["edits"]]

    def _request(self, caller: Caller, user: str) -> ChatRequest:
        return ChatRequest(system=caller.render("merge_system.j2"), messages=[Message("user", user)],
                           max_tokens=self.options.max_tokens)


def _item(lesson: Lesson, key: str) -> dict[str, Any]:
    return {"id": key, "title": lesson.title, "trigger": lesson.trigger, "lesson": lesson.body,
            "kind": lesson.kind.value, "level": lesson.level.value, "scope": str(lesson.scope),
            "support": lesson.support}


def _support(lessons: list[Lesson]) -> int:
    return len({e.trajectory_id for x in lessons for e in x.evidence})


def _chunks(seq: list[Any], size: int) -> list[list[Any]]:
    return [seq[i : i + size] for i in range(0, len(seq), max(1, size))]


def _unknown_sources(entries: list[dict[str, Any]], ids: set[str]) -> list[str]:
    return [f"$[{i}].sources: unknown id {s!r} (use only {sorted(ids)})"
            for i, e in enumerate(entries) for s in e["sources"] if s not in ids]


def _draft_errors(value: dict[str, Any], ids: set[str]) -> list[str]:
    return _unknown_sources(value["drafts"], ids)


def _edit_errors(edits: list[dict[str, Any]], ids: set[str], skills: dict[str, dict[str, Any]]) -> list[str]:
    errors = _unknown_sources(edits, ids)
    errors += [f"$.edits[{i}].sources: list the ids this edit rests on" for i, e in enumerate(edits)
               if not e["sources"]]
    for i, e in enumerate(edits):
        name, target = e["skill"], skills.get(e["skill"])
        if e["op"] == "add_skill":
            if not NAME.match(name) or len(name) > 64:
                errors.append(f"$.edits[{i}].skill: {name!r} must be lowercase words joined by hyphens (<=64)")
            if target is not None:
                errors.append(f"$.edits[{i}]: skill {name!r} exists; use append_section or replace_section")
            if len(e["description"]) > 1024:
                errors.append(f"$.edits[{i}].description: at most 1024 characters")
            if "use when" not in e["description"].lower():
                errors.append(f"$.edits[{i}].description: must say 'Use when …'")
            if "#" not in e["content"]:
                errors.append(f"$.edits[{i}].content: a new skill's body needs markdown sections (## …)")
        elif target is None:
            errors.append(f"$.edits[{i}].skill: no skill named {name!r}; use add_skill to create it")
        elif target["locked"]:
            errors.append(f"$.edits[{i}].skill: {name!r} is locked and must not be edited")
        elif not e["section"].strip():
            errors.append(f"$.edits[{i}].section: name the section heading to edit")
    return errors


def _to_edit(e: dict[str, Any], items: dict[str, list[Lesson]]) -> SkillEdit:
    lessons = [x for s in dict.fromkeys(e["sources"]) for x in items[s]]
    op = EditOp(e["op"])
    edit = SkillEdit(op=op, skill=e["skill"], reason=e["reason"].strip(), lessons=lessons)
    if op is EditOp.ADD_SKILL:
        skill = Skill(name=e["skill"], description=e["description"].strip(), body=e["content"].strip() + "\n")
        skill.set_meta("evidence", _support(lessons))
        edit.new_skill = skill
    else:
        edit.section, edit.content = e["section"].strip().lstrip("#").strip(), e["content"].strip()
    return edit


def resolve_overlaps(edits: list[SkillEdit], skills: Sequence[Skill]) -> list[SkillEdit]:
    """One edit per new skill and per (skill, section); never an edit of a locked skill."""
    locked = {s.name for s in skills if s.locked}
    kept: dict[tuple[str, str], SkillEdit] = {}
    for edit in edits:
        if edit.skill in locked:
            continue
        key = (edit.skill, "" if edit.op is EditOp.ADD_SKILL else (edit.section or "").lower())
        first = kept.get(key)
        if first is None:
            kept[key] = edit
        elif first.op is EditOp.APPEND_SECTION and edit.op is EditOp.APPEND_SECTION:
            first.content = f"{first.content}\n\n{edit.content}"
            first.lessons += edit.lessons
        else:
            winner, loser = (first, edit) if first.evidence_count >= edit.evidence_count else (edit, first)
            winner.lessons += loser.lessons
            kept[key] = winner
    adds = {k[0] for k, e in kept.items() if e.op is EditOp.ADD_SKILL}
    return [e for k, e in kept.items() if e.op is EditOp.ADD_SKILL or k[0] not in adds]
