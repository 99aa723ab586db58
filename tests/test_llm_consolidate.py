"""LLM consolidation: clustering, the merge tree, non-overlapping edits, locked skills."""

from __future__ import annotations

import pytest

from skillforge.config import Settings
from skillforge.distill.cost import Budget, Price, Prices
from skillforge.distill.llm import build
from skillforge.distill.llm.consolidate import cluster, resolve_overlaps
from skillforge.distill.write import apply_edits
from skillforge.model import EditOp, Evidence, Lesson, LessonKind, Level, Scope, ScopeKind, Skill, SkillEdit
from tests.llm_server import Reply, Seen
from tests.merge_script import edit, is_condense, is_decide, is_repair, is_topics, shown, topic_reply

FREE = Prices({"*": Price()})


def make_lesson(title: str, trigger: str, tid: str) -> Lesson:
    return Lesson(
        title,
        trigger,
        f"Do: {title}.",
        LessonKind.SUCCESS_PATTERN,
        evidence=[Evidence(tid, [1], "q")],
        signature=title.lower(),
    )


DATES = [
    make_lesson("Parse ISO dates with fromisoformat", "date string ends with Z", "t1"),
    make_lesson("Parse ISO dates using fromisoformat not strptime", "ISO date string with Z suffix", "t2"),
]
GIT = [make_lesson("Rebase before pushing a branch", "git push rejected non-fast-forward", "t3")]
SKILLS = [
    Skill(
        "python-dates", "Handle dates in Python. Use when parsing timestamps.", "# Dates\n\n## Parsing\n\nx\n"
    ),
    Skill(
        "git-workflow",
        "Git habits. Use when pushing.",
        "# Git\n\n## Pushing\n\ny\n",
        metadata={"skillforge-locked": "true"},
    ),
]


@pytest.fixture
def consolidator(llm_provider):
    def make(**settings):
        _, c = build(Settings.load(settings), llm_provider(), Budget(prices=FREE))
        return c

    return make


def test_cluster_groups_similar_lessons_apart_from_unrelated():
    groups = cluster(DATES + GIT)
    assert sorted(len(g) for g in groups) == [1, 2]
    assert {x.title for x in next(g for g in groups if len(g) == 2)} == {x.title for x in DATES}


def by_word(title: str) -> str:
    return "dates" if "date" in title.lower() else title


def test_deepens_existing_skill_and_adds_new_one_without_touching_locked(consolidator, llm_server):
    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, by_word)
        got = shown(seen)
        dates = [k for k, t in got.items() if "date" in t.lower()]
        git = [k for k, t in got.items() if "Rebase" in t]
        out = [edit("append_section", "python-dates", dates, section="Parsing")]
        if is_repair(seen) and "is locked" in seen.user_text:  # repair round: the model gives in
            out.append(
                edit(
                    "add_skill",
                    "push-safely",
                    git,
                    description="Push without rejections. Use when a push fails.",
                )
            )
        else:
            out.append(edit("append_section", "git-workflow", git, section="Pushing"))
        return Reply(json={"edits": out})

    llm_server.responder = script
    edits = consolidator().consolidate(DATES + GIT, SKILLS)
    by_skill = {e.skill: e for e in edits}
    assert set(by_skill) == {"python-dates", "push-safely"}
    assert (
        by_skill["python-dates"].op is EditOp.APPEND_SECTION and by_skill["python-dates"].section == "Parsing"
    )
    assert len(by_skill["python-dates"].lessons) == 2
    new = by_skill["push-safely"].new_skill
    assert new is not None and new.description.startswith("Push without") and "## Steps" in new.body
    prompts = " ".join(s.user_text for s in llm_server.requests)
    assert "git-workflow (LOCKED: do not edit)" in prompts
    # two small topics share one merge call (packed up to merge_fanout)
    assert sum(1 for s in llm_server.requests if is_decide(s) and not is_repair(s)) == 1


def test_invalid_new_skill_name_is_sent_back_for_repair(consolidator, llm_server):
    bad = edit("add_skill", "Push Safely!", ["L0"], description="Use when pushing.")
    good = edit("add_skill", "push-safely", ["L0"], description="Push. Use when pushing.")
    llm_server.push(Reply(json={"edits": [bad]}), Reply(json={"edits": [good]}))
    edits = consolidator().consolidate(GIT, [])
    assert [e.skill for e in edits] == ["push-safely"]
    assert "lowercase words joined by single hyphens" in llm_server.requests[1].user_text


def test_write_path_rule_in_description_is_sent_back_for_repair(consolidator, llm_server):
    """A description with '<' or '>' fails the validator (SF112): the answer check catches it."""
    bad = edit("add_skill", "push-safely", ["L0"], description="Push to <remote> safely. Use when pushing.")
    good = edit("add_skill", "push-safely", ["L0"], description="Push to REMOTE safely. Use when pushing.")
    llm_server.push(Reply(json={"edits": [bad]}), Reply(json={"edits": [good]}))
    edits = consolidator().consolidate(GIT, [])
    assert [e.new_skill.description for e in edits if e.new_skill] == [
        "Push to REMOTE safely. Use when pushing."
    ]
    assert "SF112" in llm_server.requests[1].user_text
    assert 'must not contain "<" or ">"' in llm_server.requests[0].system
    assert len(llm_server.requests[0].system) // 4 > 1024  # long enough for the providers' prompt caches


def test_new_skill_carries_scope_and_level_of_its_lessons(consolidator, llm_server):
    lesson = make_lesson("Rebase before pushing a branch", "push rejected", "t3")
    lesson.scope, lesson.level = Scope(ScopeKind.REPOSITORY, "django/django"), Level.ATOMIC
    llm_server.push(
        Reply(json={"edits": [edit("add_skill", "push-safely", ["L0"], description="Use when pushing.")]})
    )
    (e,) = consolidator().consolidate([lesson], [])
    assert e.new_skill.meta("scope") == "repository:django/django" and e.new_skill.meta("level") == "atomic"


def test_merge_tree_condenses_in_levels_and_keeps_every_lesson(consolidator, llm_server):
    lessons = [
        make_lesson(f"Parse ISO dates variant {i}", "ISO date string with Z", f"t{i}") for i in range(5)
    ]

    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, by_word)
        got = sorted(shown(seen))
        if is_condense(seen):  # covers only the first id; the skipped one must survive
            return Reply(
                json={
                    "drafts": [
                        {
                            "title": "Parse ISO dates",
                            "trigger": "Z suffix",
                            "lesson": "Use fromisoformat.",
                            "sources": got[:1],
                        }
                    ]
                }
            )
        return Reply(json={"edits": [edit("append_section", "python-dates", got, section="Parsing")]})

    llm_server.responder = script
    edits = consolidator(merge_fanout=2, merge_levels=2).consolidate(lessons, SKILLS)
    condense = [s for s in llm_server.requests if is_condense(s)]
    assert len(condense) == 3 and all(len(shown(s)) <= 2 for s in llm_server.requests)
    assert len(edits) == 1 and edits[0].evidence_count == 5  # decide calls merged into one section edit


def test_later_decision_sees_skills_made_earlier_in_the_run(consolidator, llm_server):
    """Two runs teach the same lesson in different words; even when the topic pass keeps them apart,
    the second decision is shown the skill the first one made, and deepens it: one skill, not two."""
    one = make_lesson("Install the package editable before testing", "ModuleNotFoundError in tests", "t1")
    two = make_lesson("Run pip install -e . first", "tests cannot import the project", "t2")

    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)  # a weak topic pass: two topics
        (lid,) = shown(seen)
        if "install-before-testing" in seen.user_text:
            return Reply(
                json={
                    "edits": [
                        edit(
                            "append_section",
                            "install-before-testing",
                            [lid],
                            section="Steps",
                            content="Also: `pip install -e .` fixes import errors.",
                        )
                    ]
                }
            )
        return Reply(
            json={
                "edits": [
                    edit(
                        "add_skill",
                        "install-before-testing",
                        [lid],
                        description="Install the project first. Use when tests cannot import it.",
                    )
                ]
            }
        )

    llm_server.responder = script
    edits = consolidator(merge_fanout=1).consolidate([one, two], [])
    result = apply_edits(edits, [], run_id="r", date="2026-01-01")
    assert [c.name for c in result.changes] == ["install-before-testing"]
    body = result.changes[0].skill.body
    assert "Do it." in body and "fixes import errors" in body and result.changes[0].evidence_count == 2
    second = [s for s in llm_server.requests if is_decide(s)][1]
    assert "install-before-testing (this run)" in second.user_text


def test_same_new_skill_name_twice_is_merged_not_discarded():
    a = SkillEdit(
        EditOp.ADD_SKILL,
        "python-iso",
        "a",
        lessons=DATES[:1],
        new_skill=Skill("python-iso", "ISO dates. Use when parsing.", "# ISO\n\n## Steps\n\nAAA\n"),
    )
    b = SkillEdit(
        EditOp.ADD_SKILL,
        "python-iso",
        "b",
        lessons=DATES[1:],
        new_skill=Skill("python-iso", "ISO dates. Use when parsing.", "# ISO\n\n## Pitfalls\n\nBBB\n"),
    )
    result = apply_edits(resolve_overlaps([a, b], SKILLS), SKILLS, run_id="r", date="2026-01-01")
    (change,) = result.changes
    assert "AAA" in change.skill.body and "BBB" in change.skill.body
    assert {x.title for x in result.lessons["python-iso"]} == {x.title for x in DATES}


def test_overlapping_edits_are_merged_and_locked_dropped():
    a = SkillEdit(
        EditOp.APPEND_SECTION, "python-dates", "a", section="Parsing", content="A", lessons=DATES[:1]
    )
    b = SkillEdit(
        EditOp.APPEND_SECTION, "python-dates", "b", section="parsing", content="B", lessons=DATES[1:]
    )
    c = SkillEdit(EditOp.REPLACE_SECTION, "git-workflow", "c", section="Pushing", content="C")
    out = resolve_overlaps([a, b, c], SKILLS)
    assert len(out) == 1 and out[0].content == "A\n\nB" and out[0].evidence_count == 2


def test_edits_of_one_section_compose_in_order_and_none_is_discarded():
    replace = SkillEdit(
        EditOp.REPLACE_SECTION, "python-dates", "w", section="Parsing", content="W", lessons=GIT
    )
    append = SkillEdit(
        EditOp.APPEND_SECTION, "python-dates", "s", section="Parsing", content="S", lessons=DATES
    )
    out = resolve_overlaps([replace, append], SKILLS)
    assert out == [replace, append]
    result = apply_edits(out, SKILLS, run_id="r", date="2026-01-01")
    assert "W" in result.changes[0].skill.body and "S" in result.changes[0].skill.body


def test_failed_merge_call_is_reported_with_its_lessons(consolidator, llm_server):
    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, by_word)
        got = sorted(shown(seen))
        if any("Rebase" in t for t in shown(seen).values()):
            return Reply(text="not json at all")
        return Reply(json={"edits": [edit("append_section", "python-dates", got, section="Parsing")]})

    llm_server.responder = script
    c = consolidator(workers=1, merge_fanout=2)
    edits = c.consolidate(DATES + GIT, SKILLS)
    assert [e.skill for e in edits] == ["python-dates"]
    ((lost, reason),) = c.unmerged
    assert [x.title for x in lost] == [GIT[0].title] and "malformed answer" in reason


def test_topic_pass_that_fails_falls_back_to_lexical_clusters(consolidator, llm_server):
    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return Reply(json={"topics": [{"name": "x", "sources": ["L0"]}]})  # leaves ids out, twice
        got = sorted(shown(seen))
        return Reply(json={"edits": [edit("append_section", "python-dates", got, section="Parsing")]})

    llm_server.responder = script
    c = consolidator(merge_fanout=2)
    edits = c.consolidate(DATES + GIT, SKILLS)
    assert not c.topics_by_meaning and sum(len(e.lessons) for e in edits) == 3
    assert "in no topic" in [s for s in llm_server.requests if is_topics(s)][1].user_text


def test_bad_edit_in_a_packed_answer_loses_only_its_own_lessons(consolidator, llm_server):
    """Two topics share a merge call; the answer's edit for one stays invalid after the repair
    round: the valid edit is kept and only the other topic's lesson is reported as unmerged."""

    def script(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, by_word)
        got = shown(seen)
        dates = sorted(k for k, t in got.items() if "date" in t.lower())
        git = sorted(k for k, t in got.items() if "Rebase" in t)
        return Reply(
            json={
                "edits": [
                    edit("append_section", "python-dates", dates, section="Parsing"),
                    edit("add_skill", "../escape", git, description="Use when pushing."),
                ]
            }
        )

    llm_server.responder = script
    c = consolidator()
    edits = c.consolidate(DATES + GIT, SKILLS)
    assert [e.skill for e in edits] == ["python-dates"] and len(edits[0].lessons) == 2
    ((lost, reason),) = c.unmerged
    assert [x.title for x in lost] == [GIT[0].title] and "lowercase words" in reason
