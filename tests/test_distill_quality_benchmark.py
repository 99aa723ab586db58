"""benchmarks/distill_quality.py on the fixtures against the scripted server (OpenAI-compatible API,
the way a local model is served): the report counts lessons, skills, near-duplicates by the
validator's own rules, losses, cache reads, tokens and the plan's error."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.llm_server import Reply, Seen
from tests.merge_script import edit, is_decide, shown
from tests.test_distill_llm_plan import BODY, model

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "distill"


def bench():
    spec = importlib.util.spec_from_file_location(
        "distill_quality", ROOT / "benchmarks" / "distill_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(server, tmp_path, *extra):
    out = tmp_path / "report.json"
    code = bench().main(
        [
            "--base-url",
            server.openai_url,
            "--model",
            "test-model",
            "--labels",
            str(FIX / "labels.json"),
            "--workers",
            "1",
            "--out",
            str(out),
            *extra,
            str(FIX / "batch1"),
        ]
    )
    return code, json.loads(out.read_text())


def test_benchmark_reports_quality_losses_and_usage(llm_server, tmp_path, capsys):
    def cached(seen: Seen) -> Reply:
        reply = model(seen)
        reply.cache_read = 500
        return reply

    llm_server.responder = cached
    code, report = run(llm_server, tmp_path)
    assert code == 0 and report["provider"] == "openai-compatible" and report["trajectories"] == 3
    assert report["lessons"] == 9 and report["skills_added"] == 1 and report["lessons_per_skill"] == 9.0
    assert report["near_duplicates"] == [] and report["losses"]["not_applied_lessons"] == 0
    assert report["usage"]["cache_read_tokens"] == 500 * report["usage"]["calls"]
    assert abs(report["plan"]["calls_error"]) <= 0.25
    assert "lessons per skill" in capsys.readouterr().out


def test_benchmark_flags_near_duplicate_skills_and_losses(llm_server, tmp_path):
    def duplicating(seen: Seen) -> Reply:
        if is_decide(seen):  # a weak model: a new skill per call, the same text each time
            got = sorted(shown(seen))
            if any("traceback" in t.lower() for t in shown(seen).values()):
                return Reply(text="sorry")
            return Reply(
                json={
                    "edits": [
                        edit(
                            "add_skill",
                            f"ledgerkit-tests-{got[0].lower()}",
                            got,
                            description="Test ledgerkit. Use when its tests fail to import.",
                            content="## Steps\n\n" + BODY,
                        )
                    ]
                }
            )
        return model(seen)

    llm_server.responder = duplicating
    code, report = run(llm_server, tmp_path, "--min-support", "1", "--merge-fanout", "3")
    rules = {d["rule"] for d in report["near_duplicates"]}
    assert code == 0 and report["skills_added"] == 2 and rules & {"SF302", "SF303"}
    assert report["losses"]["not_applied_lessons"] == 3 and report["losses"]["pending_lessons"] == 1
