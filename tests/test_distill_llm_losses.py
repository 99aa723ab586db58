"""LLM distill never loses a lesson, end to end through the real anthropic SDK against the scripted
server: a merge answer that breaks a write-path rule gets its repair round; a merge answer unusable
twice is reported (exit status partial, "Not applied" in the PR body), its lessons wait in
.skillforge/pending.json and their trajectories are not marked distilled; two topics proposing the
same new skill are merged into it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import git
import orjson
import pytest

from tests.llm_server import Reply, Seen
from tests.merge_script import edit, is_decide, is_repair, is_topics, shown, topic_reply

FIX = Path(__file__).parent / "fixtures" / "distill"
INSTALL = {
    "title": "Install the src-layout package before running its tests",
    "trigger": "tests fail to import the project's own package",
    "lesson": "Run `python -m pip install -e .`, then `python -m pytest -q`.",
}
EDITABLE = {
    "title": "Prefer an editable install while iterating on a package",
    "trigger": "changes to the source do not show up when the tests run",
    "lesson": "Use `pip install -e .` so edits apply without reinstalling.",
}
SKILL_BODY = "# Testing ledgerkit\n\n## Steps\n\n1. `python -m pip install -e .`\n2. `python -m pytest -q`\n"


def analyst(seen: Seen, lessons: list[dict[str, str]]) -> Reply | None:
    found = re.search(r"Trajectory id: (\w+)\.", seen.user_text)
    if not found:
        return None
    step = re.search(r"\[(\d+)\][^\n]*python -m pip install -e \.", seen.user_text)
    evidence = [
        {
            "trajectory_id": found.group(1),
            "steps": [int(step.group(1))] if step else [0],
            "quote": "python -m pip install -e .",
        }
    ]
    return Reply(
        json={
            "lessons": [
                {
                    **x,
                    "kind": "success_pattern",
                    "level": "functional",
                    "scope": {"kind": "repository", "value": "ledgerkit"},
                    "confidence": 0.8,
                    "evidence": evidence,
                }
                for x in lessons
            ]
        }
    )


def add(
    lids: list[str],
    description: str = "Run ledgerkit's tests. Use when its tests fail to import.",
    body: str = SKILL_BODY,
) -> Reply:
    return Reply(
        json={"edits": [edit("add_skill", "ledgerkit-testing", lids, description=description, content=body)]}
    )


def run(cli: Any, server: Any, lib: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(lib),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        server.anthropic_url,
        "--model",
        "test-model",
        "--workers",
        "1",
        "--json",
        *extra,
    )
    return res.code, orjson.loads(res.out)


def committed(lib: Path, branch: str, rel: str) -> str:
    return str(git.Repo(lib).git.show(f"{branch}:{rel}"))  # not a blob stream: its Repo may be collected


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("SKILLFORGE_MERGE_FANOUT", "3")  # one merge call per topic of three lessons


def test_description_breaking_a_write_path_rule_gets_the_repair_round(cli, tmp_path, llm_server) -> None:
    def script(seen: Seen) -> Reply:
        reply = analyst(seen, [INSTALL])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        lids = sorted(shown(seen))
        if is_repair(seen):
            return add(
                lids, description="Run ledgerkit's tests with MODEL. Use when its tests fail to import."
            )
        return add(lids, description="Run ledgerkit's tests with <model>. Use when its tests fail to import.")

    llm_server.responder = script
    code, report = run(cli, llm_server, tmp_path / "lib")
    assert code == 0 and report["failures"] == [], report
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    repair = next(s for s in llm_server.requests if is_repair(s))
    assert "SF112" in repair.user_text
    skill = committed(tmp_path / "lib", report["branch"], "skills/ledgerkit-testing/SKILL.md")
    assert "with MODEL" in skill and "skillforge-scope: repository:ledgerkit" in skill


def test_merge_answer_unusable_twice_is_reported_and_kept_pending(cli, tmp_path, llm_server) -> None:
    def script(seen: Seen) -> Reply:
        reply = analyst(
            seen,
            [
                INSTALL,
                {
                    **EDITABLE,
                    "title": "Check the coverage report after a test run",
                    "trigger": "coverage drops",
                    "lesson": "Read htmlcov/index.html.",
                },
            ],
        )
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        lids = sorted(shown(seen))
        if any("coverage" in t for t in shown(seen).values()):
            return Reply(text="I would rather not answer in JSON.")
        return add(lids)

    llm_server.responder = script
    lib = tmp_path / "lib"
    code, report = run(cli, llm_server, lib)
    assert code == 3 and report["partial"]
    lost = [
        f for f in report["failures"] if f.startswith("not applied: 3 lessons (Check the coverage report")
    ]
    assert lost and "malformed answer" in lost[0]
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    pending = orjson.loads(committed(lib, report["branch"], ".skillforge/pending.json"))
    assert [x["title"] for x in pending["lessons"]] == ["Check the coverage report after a test run"]
    distilled = orjson.loads(committed(lib, report["branch"], ".skillforge/distilled.json"))
    assert distilled["trajectories"] == {}  # each run still has a lesson that was not applied
    body = Path(report["pr_body"]).read_text() if report.get("pr_body") else ""
    assert "## Not applied (3)" in body and "Check the coverage report after a test run" in body

    git.Repo(lib).git.merge(report["branch"])  # the review branch is merged; the next run completes it

    def fixed(seen: Seen) -> Reply:
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        lids = sorted(shown(seen))
        return Reply(
            json={
                "edits": [
                    edit(
                        "append_section",
                        "ledgerkit-testing",
                        lids,
                        section="Coverage",
                        content="Read htmlcov/index.html after a run.",
                    )
                ]
            }
        )

    llm_server.responder = fixed
    before = len(llm_server.requests)
    code, again = run(cli, llm_server, lib)
    assert code == 0, again
    decided = [t for s in llm_server.requests[before:] if is_decide(s) for t in shown(s).values()]
    assert decided and set(decided) == {
        "Check the coverage report after a test run"
    }  # not the install lesson again
    distilled = orjson.loads(committed(lib, again["branch"], ".skillforge/distilled.json"))
    assert len(distilled["trajectories"]) == 3 and not distilled.get("held")


def test_every_merge_unusable_with_cached_analyses_loses_nothing(cli, tmp_path, llm_server) -> None:
    def broken(seen: Seen) -> Reply:
        reply = analyst(seen, [INSTALL])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        return Reply(text="no")

    llm_server.responder = broken
    lib = tmp_path / "lib"
    code, report = run(cli, llm_server, lib)
    assert code == 3 and any(f.startswith("not applied: 3 lessons") for f in report["failures"])
    assert report["branch"] is None

    def fixed(seen: Seen) -> Reply:  # the next run: analyses come from the cache, the merge works
        if is_topics(seen):
            return topic_reply(seen, lambda title: "one")
        return add(sorted(shown(seen)))

    llm_server.responder = fixed
    before = len(llm_server.requests)
    code, again = run(cli, llm_server, lib)
    assert code == 0 and again["skipped_trajectories"] == 0 and again["lessons"] == 3
    assert not any("Trajectory id:" in s.user_text for s in llm_server.requests[before:])
    assert [c["skill"] for c in again["changes"]] == ["ledgerkit-testing"]


def test_two_topics_proposing_the_same_new_skill_are_merged(cli, tmp_path, llm_server) -> None:
    def script(seen: Seen) -> Reply:
        reply = analyst(seen, [INSTALL, EDITABLE])
        if reply is not None:
            return reply
        if is_topics(seen):
            return topic_reply(seen, lambda title: title)
        lids = sorted(shown(seen))
        if any("editable" in t for t in shown(seen).values()):
            return add(lids, body="# Testing ledgerkit\n\n## Editable installs\n\nUse `pip install -e .`.\n")
        return add(lids)

    llm_server.responder = script
    lib = tmp_path / "lib"
    code, report = run(cli, llm_server, lib)
    assert code == 0, report
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    skill = committed(lib, report["branch"], "skills/ledgerkit-testing/SKILL.md")
    assert "## Steps" in skill and "## Editable installs" in skill
    evidence = committed(lib, report["branch"], "skills/ledgerkit-testing/references/evidence.md")
    assert "Install the src-layout package" in evidence and "Prefer an editable install" in evidence
    decisions = [s for s in llm_server.requests if is_decide(s)]
    assert len(decisions) == 2 and "ledgerkit-testing (this run)" in decisions[1].user_text


def test_same_lesson_in_different_words_makes_one_skill_and_a_later_run_deepens_it(
    cli, tmp_path, llm_server
) -> None:
    wordings = iter(
        [
            "Install the package editable before testing",
            "Run pip install -e . before pytest",
            "Make the src-layout package importable first",
        ]
        * 3
    )

    def script(seen: Seen) -> Reply:
        if re.search(r"Trajectory id: (\w+)\.", seen.user_text):
            if "pytest: command not found" in seen.user_text:  # the second batch teaches something new
                return analyst(
                    seen,
                    [
                        {
                            "title": "Run pytest through the interpreter",
                            "trigger": "pytest not on PATH",
                            "lesson": "Use `python -m pytest`.",
                        }
                    ],
                )
            return analyst(seen, [{**INSTALL, "title": next(wordings)}])
        if is_topics(seen):
            return topic_reply(seen, lambda title: "pytest" if "interpreter" in title else "install")
        lids = sorted(shown(seen))
        if "ledgerkit-testing" in seen.user_text:  # the skill exists: deepen it
            return Reply(
                json={
                    "edits": [
                        edit(
                            "append_section",
                            "ledgerkit-testing",
                            lids,
                            section="Pitfalls",
                            content="- `pytest` may be missing from PATH: run `python -m pytest`.",
                        )
                    ]
                }
            )
        return add(lids)

    llm_server.responder = script
    lib = tmp_path / "lib"
    code, report = run(cli, llm_server, lib)
    assert code == 0 and [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    assert report["lessons"] == 3 and len([s for s in llm_server.requests if is_decide(s)]) == 1
    repo = git.Repo(lib)
    repo.git.merge(report["branch"])
    res = cli(
        "distill",
        str(FIX / "batch2"),
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(lib),
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--workers",
        "1",
        "--json",
    )
    again = orjson.loads(res.out)
    assert res.code == 0, again
    assert [(c["skill"], c["action"]) for c in again["changes"]] == [("ledgerkit-testing", "updated")]
    skill = committed(lib, again["branch"], "skills/ledgerkit-testing/SKILL.md")
    assert (
        "## Steps" in skill
        and "run `python -m pytest`" in skill
        and "version: '2'" in skill.replace('"', "'")
    )
