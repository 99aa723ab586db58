"""``skillforge distill`` with an LLM provider, end to end through the real anthropic SDK against the
scripted server: analysts' lessons become a committed skill, usage is reported, the re-run is cached."""

from __future__ import annotations

import re
from pathlib import Path

import git
import orjson

from tests.llm_server import Reply, Seen

FIX = Path(__file__).parent / "fixtures" / "distill"
LESSON = {
    "title": "Install the src-layout package before running its tests",
    "trigger": "tests fail to import the project's own package",
    "lesson": "Run `python -m pip install -e .`, then `python -m pytest -q`.",
    "kind": "success_pattern",
    "level": "functional",
    "scope": {"kind": "repository", "value": "ledgerkit"},
    "confidence": 0.8,
}


def script(seen: Seen) -> Reply:
    analyst = re.search(r"Trajectory id: (\w+)\.", seen.user_text)
    if analyst:
        step = re.search(r"\[(\d+)\][^\n]*python -m pip install -e \.", seen.user_text)
        evidence = [
            {
                "trajectory_id": analyst.group(1),
                "steps": [int(step.group(1))] if step else [0],
                "quote": "python -m pip install -e .",
            }
        ]
        return Reply(json={"lessons": [{**LESSON, "evidence": evidence}]})
    if '"drafts"' in seen.user_text:
        ids = sorted(set(re.findall(r"--- (\S+) \(support", seen.user_text)))
        return Reply(
            json={
                "drafts": [
                    {
                        "title": LESSON["title"],
                        "trigger": LESSON["trigger"],
                        "lesson": LESSON["lesson"],
                        "sources": ids,
                    }
                ]
            }
        )
    ids = sorted(set(re.findall(r"--- (\S+) \(support", seen.user_text)))
    content = "# Testing ledgerkit\n\n## Steps\n\n1. `python -m pip install -e .`\n2. `python -m pytest -q`\n"
    return Reply(
        json={
            "edits": [
                {
                    "op": "add_skill",
                    "skill": "ledgerkit-testing",
                    "section": "",
                    "content": content,
                    "description": "Run ledgerkit's tests. Use when its tests fail with ModuleNotFoundError.",
                    "reason": "three runs installed the package before testing",
                    "sources": ids,
                }
            ]
        }
    )


def test_llm_distill_commits_a_skill_and_reports_usage(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    lib = tmp_path / "lib"
    args = (
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
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--json",
    )
    res = cli(*args)
    report = orjson.loads(res.out)
    assert res.code == 0, res.err
    assert report["provider"] == "anthropic" and report["usage"]["calls"] >= 3
    assert [c["skill"] for c in report["changes"]] == ["ledgerkit-testing"]
    tree = git.Repo(lib).commit(report["branch"]).tree
    assert "pip install -e ." in (tree / "skills/ledgerkit-testing/SKILL.md").data_stream.read().decode()
    evidence = (tree / "skills/ledgerkit-testing/references/evidence.md").data_stream.read().decode()
    assert "ledgerkit-101.traj.json" in evidence
    calls = len(llm_server.requests)
    again = orjson.loads(cli(*args[:5], str(tmp_path / "lib2"), *args[6:]).out)
    analyst_calls = [r for r in llm_server.requests[calls:] if "Trajectory id:" in r.user_text]
    assert analyst_calls == [] and again["changes"] == report["changes"]


def test_llm_evidence_names_logs_relative_to_the_inputs(cli, tmp_path, llm_server, monkeypatch) -> None:
    # the offline miner wrote 'batch1/…'; with an LLM, evidence.md and the pull-request body (meant to be
    # published) held the absolute local path of every log
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    lib = tmp_path / "lib"
    res = cli(
        "distill", str(FIX / "batch1"), "--labels", str(FIX / "labels.json"), "--library", str(lib), "--init",
        "--provider", "anthropic", "--base-url", llm_server.anthropic_url, "--model", "test-model", "--json",
    )  # fmt: skip
    report = orjson.loads(res.out)
    evidence = committed_text(lib, report["branch"], "skills/ledgerkit-testing/references/evidence.md")
    body = Path(report["pr_body"]).read_text()
    assert "`batch1/mini-swe-agent/ledgerkit-101/ledgerkit-101.traj.json`" in evidence
    assert str(FIX) not in evidence and str(FIX) not in body


def committed_text(lib: Path, branch: str, path: str) -> str:
    return (git.Repo(lib).commit(branch).tree / path).data_stream.read().decode()


def test_budget_stops_the_run_and_reports_partial(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--max-tokens",
        "50",
        "--workers",
        "1",
        "--json",
    )
    report = orjson.loads(res.out)
    assert res.code == 3 and report["partial"] and report["branch"] is None
    assert report["failures"] and all("budget" in f for f in report["failures"])
    assert any("stopped early" in n for n in report["notes"]) and llm_server.requests == []


def test_human_output_shows_usage_per_stage_and_next_commands(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(tmp_path / "lib"),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
    )
    out = " ".join(res.out.split())
    assert res.code == 0 and "LLM usage" in out and "success-analyst" in out and "total" in out
    assert "ledgerkit-testing" in out and "merge skillforge/" in out and "remote add origin" in out


def test_dry_run_prints_the_plan_and_calls_nothing(cli, tmp_path, llm_server, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    lib = tmp_path / "lib"
    res = cli(
        "distill",
        str(FIX / "batch1"),
        "--library",
        str(lib),
        "--init",
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--dry-run",
        "--json",
    )
    plan = orjson.loads(res.out)["plan"]
    assert res.code == 0 and plan["trajectories"] == 3 and plan["calls"]["analyst"] >= 3
    assert plan["input_tokens"] > 0 and "dollars" in plan
    assert llm_server.requests == [] and not lib.exists()


def test_a_rerun_from_another_path_and_cache_calls_no_llm(cli, tmp_path, llm_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The run id is known before the map stage: a re-run that is already on its branch pays nothing."""
    import shutil

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    llm_server.responder = script
    args = [
        "--labels",
        str(FIX / "labels.json"),
        "--library",
        str(tmp_path / "lib"),
        "--provider",
        "anthropic",
        "--base-url",
        llm_server.anthropic_url,
        "--model",
        "test-model",
        "--json",
    ]
    first = orjson.loads(cli("distill", str(FIX / "batch1"), "--init", *args).out)
    assert first["status"] == "committed" and llm_server.requests
    shutil.copytree(FIX / "batch1", tmp_path / "moved")
    monkeypatch.setenv("SKILLFORGE_HOME", str(tmp_path / "another-home"))
    before = len(llm_server.requests)
    again = orjson.loads(cli("distill", str(tmp_path / "moved"), *args).out)
    assert again["status"] == "already_done" and again["branch"] == first["branch"]
    assert len(llm_server.requests) == before  # not one call
