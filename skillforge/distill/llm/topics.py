"""Topics for LLM consolidation: which lessons are about the same thing, and how they are packed
into merge calls.

``lexical(lessons)`` clusters by word overlap of title and trigger (union-find), the fallback and the
support gate's grouping. ``by_meaning(caller, lessons)`` asks the model once (per ``TOPIC_CHUNK``
lessons) to assign every lesson to a topic from its title and trigger, so two runs that teach the same
lesson in different words meet in one merge call; any answer that is unusable after its repair round
leaves those lessons to the lexical clusters. ``pack(clusters, fanout)`` fills merge calls with whole
small clusters up to ``fanout`` items each, so a run of many one-lesson topics does not make one call
per lesson.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from skillforge.distill.llm import schema
from skillforge.distill.llm.agent import SKIPPABLE, Caller, answer_json, skippable
from skillforge.model import Lesson
from skillforge.providers.base import ChatRequest, Message
from skillforge.text import words as split_words

STOP = {"the", "and", "for", "with", "when", "use", "that", "this", "from", "into", "before", "after", "you"}
TOPIC_CHUNK = 80  # lessons per topic-assignment call (titles and triggers only: small)
T = TypeVar("T")


def words(text: str) -> set[str]:
    """The content words of a title or trigger (three letters or more, common words dropped)."""
    return {w for w in split_words(text) if len(w) >= 3 and w not in STOP}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def lexical(lessons: Sequence[Lesson], threshold: float = 0.3) -> list[list[Lesson]]:
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


def by_meaning(
    caller: Caller, lessons: Sequence[Lesson], system: str, threshold: float = 0.3, max_tokens: int = 4096
) -> tuple[list[list[Lesson]], bool]:
    """(clusters, whether the model assigned them). One call per TOPIC_CHUNK lessons; a chunk whose
    answer is unusable is clustered lexically instead. Fewer than two lessons need no call."""
    if len(lessons) < 2:
        return [list(lessons)] if lessons else [], False
    out: list[list[Lesson]] = []
    used = False
    for start in range(0, len(lessons), TOPIC_CHUNK):
        chunk = list(lessons[start : start + TOPIC_CHUNK])
        found = _assign(caller, chunk, system, max_tokens)
        used = used or found is not None
        out += found if found is not None else lexical(chunk, threshold)
    return out, used


def _assign(caller: Caller, chunk: list[Lesson], system: str, max_tokens: int) -> list[list[Lesson]] | None:
    items = {f"L{i}": lesson for i, lesson in enumerate(chunk)}
    shown = [
        {"id": k, "title": x.title, "trigger": x.trigger, "scope": str(x.scope)} for k, x in items.items()
    ]
    user = caller.render("merge_topics.j2", items=shown)
    request = ChatRequest(system=system, messages=[Message("user", user)], max_tokens=max_tokens)
    try:
        data = answer_json(
            caller, "topics", request, schema.TOPICS, extra_check=lambda v: _topic_errors(v, set(items))
        )
    except SKIPPABLE as exc:
        if not skippable(exc):
            raise
        return None
    return [[items[s] for s in dict.fromkeys(t["sources"])] for t in data["topics"] if t["sources"]]


def _topic_errors(value: dict[str, Any], ids: set[str]) -> list[str]:
    seen: dict[str, int] = {}
    errors = []
    for i, topic in enumerate(value["topics"]):
        for s in topic["sources"]:
            if s not in ids:
                errors.append(f"$.topics[{i}].sources: unknown id {s!r}")
            elif s in seen and seen[s] != i:
                errors.append(
                    f"$.topics[{i}].sources: {s} is in topic {seen[s]} already; put each id in one topic"
                )
            seen.setdefault(s, i)
    missing = sorted(ids - set(seen), key=lambda k: int(k[1:]))
    if missing:
        errors.append(f"these ids are in no topic: {', '.join(missing)}; put every id in exactly one topic")
    return errors


def pack(clusters: Sequence[Sequence[T]], fanout: int) -> list[list[T]]:
    """Merge-call batches: clusters larger than ``fanout`` are cut into ``fanout``-sized pieces; the
    smaller ones share calls, whole, up to ``fanout`` items (first fit, largest first)."""
    size = max(1, fanout)
    batches: list[list[T]] = []
    small: list[list[T]] = []
    for group in clusters:
        pieces = [list(group[i : i + size]) for i in range(0, len(group), size)]
        if pieces and len(pieces[-1]) < size:
            small.append(pieces.pop())
        batches += pieces
    open_batches: list[list[T]] = []
    for group in sorted(small, key=len, reverse=True):
        target = next((b for b in open_batches if len(b) + len(group) <= size), None)
        if target is None:
            open_batches.append(list(group))
        else:
            target.extend(group)
    return batches + open_batches
