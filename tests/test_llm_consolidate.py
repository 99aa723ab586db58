"""LLM consolidation: clustering, the merge tree, non-overlapping edits, locked skills."""

from __future__ import annotations

import re

import pytest

from skillforge.config import Settings
from skillforge.distill.cost import Budget, Price, Prices
from skillforge.distill.llm import build
from skillforge.distill.llm.consolidate import cluster, resolve_overlaps
from skillforge.model import EditOp, Evidence, Lesson, LessonKind, Skill, SkillEdit
from tests.llm_server import Reply, Seen

FREE = Prices({"*": Price()})


def make_lesson(title: str, trigger: str, tid: str) -> Lesson:
    return Lesson(title, trigger, f"Do: {title}.", LessonKind.SUCCESS_PATTERN,
                  evidence=[Evidence(tid, [1], "q")], signature=title.lower())


DATES = [make_lesson("Parse ISO dates with fromisoformat", "date string ends with Z", "t1"),
         make_lesson("Parse ISO dates using fromisoformat not strptime", "ISO date string with Z suffix", "t2")]
GIT = [make_lesson("Rebase before pushing a branch", "git push rejected non-fast-forward", "t3")]
SKILLS = [
    Skill("python-dates", "Handle dates in Python. Use when parsing timestamps.", "# Dates\n\n## Parsing\n\nx\n"),
    Skill("git-workflow", "Git habits. Use when pushing.", "# Git\n\n## Pushing\n\ny\n",
          metadata={"skillforge-locked": "true"}),
]


def ids(seen: Seen) -> list[str]:
    return sorted(set(re.findall(r"--- (\S+) \(support", seen.user_text)))


@pytest.fixture
def consolidator(llm_provider):
    def make(**settings):
        _, c = build(Settings(settings), llm_provider(), Budget(prices=FREE))
        return c

    return make


def test_cluster_groups_similar_lessons_apart_from_unrelated():
    groups = cluster(DATES + GIT)
    assert sorted(len(g) for g in groups) == [1, 2]
    assert {x.title for x in next(g for g in groups if len(g) == 2)} == {x.title for x in DATES}


def edit(op, skill, sources, section="", description="", content="## Steps\n\nDo it."):
    return {"op": op, "skill": skill, "description": description, "section": section, "content": content,
            "reason": f"{op} {skill}", "sources": sources}


def test_deepens_existing_skill_and_adds_new_one_without_touching_locked(consolidator, llm_server):
    def script(seen: Seen) -> Reply:
        got = ids(seen)
        if "Rebase" in seen.user_text:
            if "is locked" in seen.user_text:  # repair round: the model gives in
                return Reply(json={"edits": [edit("add_skill", "push-safely", got,
                                                  description="Push without rejections. Use when a push fails.")]})
            return Reply(json={"edits": [edit("append_section", "git-workflow", got, section="Pushing")]})
        return Reply(json={"edits": [edit("append_section", "python-dates", got, section="Parsing")]})

    llm_server.responder = script
    edits = consolidator().consolidate(DATES + GIT, SKILLS)
    by_skill = {e.skill: e for e in edits}
    assert set(by_skill) == {"python-dates", "push-safely"}
    assert by_skill["python-dates"].op is EditOp.APPEND_SECTION and by_skill["python-dates"].section == "Parsing"
    assert len(by_skill["python-dates"].lessons) == 2
    new = by_skill["push-safely"].new_skill
    assert new is not None and new.description.startswith("Push without") and "## Steps" in new.body
    prompts = " ".join(s.user_text for s in llm_server.requests)
    assert "git-workflow (LOCKED: do not edit)" in prompts


def test_invalid_new_skill_name_is_sent_back_for_repair(consolidator, llm_server):
    bad = edit("add_skill", "Push Safely!", ["L0"], description="Use when pushing.")
    good = edit("add_skill", "push-safely", ["L0"], description="Push. Use when pushing.")
    llm_server.push(Reply(json={"edits": [bad]}), Reply(json={"edits": [good]}))
    edits = consolidator().consolidate(GIT, [])
    assert [e.skill for e in edits] == ["push-safely"]
    assert "lowercase words joined by hyphens" in llm_server.requests[1].user_text


def test_merge_tree_condenses_in_levels_and_keeps_every_lesson(consolidator, llm_server):
    lessons = [make_lesson(f"Parse ISO dates variant {i}", "ISO date string with Z", f"t{i}") for i in range(5)]

    def script(seen: Seen) -> Reply:
        got = ids(seen)
        if "Condense" in seen.user_text:  # covers only the first id; the skipped one must survive
            return Reply(json={"drafts": [{"title": "Parse ISO dates", "trigger": "Z suffix",
                                           "lesson": "Use fromisoformat.", "sources": got[:1]}]})
        return Reply(json={"edits": [edit("append_section", "python-dates", got, section="Parsing")]})

    llm_server.responder = script
    edits = consolidator(merge_fanout=2, merge_levels=2).consolidate(lessons, SKILLS)
    condense = [s for s in llm_server.requests if "Condense" in s.user_text]
    assert len(condense) == 3 and all(len(ids(s)) <= 2 for s in llm_server.requests)
    assert len(edits) == 1 and edits[0].evidence_count == 5  # decide calls merged into one section edit


def test_overlapping_edits_are_merged_and_locked_dropped():
    a = SkillEdit(EditOp.APPEND_SECTION, "python-dates", "a", section="Parsing", content="A", lessons=DATES[:1])
    b = SkillEdit(EditOp.APPEND_SECTION, "python-dates", "b", section="parsing", content="B", lessons=DATES[1:])
    c = SkillEdit(EditOp.REPLACE_SECTION, "git-workflow", "c", section="Pushing", content="C")
    out = resolve_overlaps([a, b, c], SKILLS)
    assert len(out) == 1 and out[0].content == "A\n\nB" and out[0].evidence_count == 2


def test_replace_conflict_keeps_better_supported_edit():
    weak = SkillEdit(EditOp.REPLACE_SECTION, "python-dates", "w", section="Parsing", content="W", lessons=GIT)
    strong = SkillEdit(EditOp.APPEND_SECTION, "python-dates", "s", section="Parsing", content="S", lessons=DATES)
    (kept,) = resolve_overlaps([weak, strong], SKILLS)
    assert kept.content == "S" and len(kept.lessons) == 3


def test_failed_cluster_does_not_stop_the_others(consolidator, llm_server):
    def script(seen: Seen) -> Reply:
        if "Rebase" in seen.user_text:
            return Reply(text="not json at all")
        return Reply(json={"edits": [edit("append_section", "python-dates", ids(seen), section="Parsing")]})

    llm_server.responder = script
    edits = consolidator(workers=1).consolidate(DATES + GIT, SKILLS)
    assert [e.skill for e in edits] == ["python-dates"]
