"""The real logs in ../shared/corpus (skipped where it is absent): every log is recognised as its
format, every tool call is paired, and the SWE-bench labels reach the mini-swe-agent runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillforge.ingest import IngestReport, detect, read
from skillforge.ingest.labels import load_labels
from skillforge.model import Outcome, StepKind

# corpus folder -> the format its logs must be recognised as
FORMATS = {"claude-code": "claude-code", "codex": "codex", "swe-agent": "swe-agent",
           "mini-swe-agent/trajs": "mini-swe-agent", "openhands": "openhands"}
READERS = {"claude-code": "claude_code", "codex": "codex"}
LOG_SUFFIXES = (".jsonl", ".traj", ".json")


def logs(folder: Path) -> list[Path]:
    """The agent logs under a corpus folder (not the patches, predictions and READMEs beside them)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(LOG_SUFFIXES)
                  and p.name != "all_preds.jsonl")


@pytest.mark.parametrize("folder", sorted(FORMATS))
def test_every_log_is_recognised_as_its_format(corpus: Path, folder: str) -> None:
    if folder in READERS:  # written concurrently by another engineer
        pytest.importorskip(f"skillforge.ingest.{READERS[folder]}")
    files = logs(corpus / folder)
    assert files
    wrong = {str(p.relative_to(corpus)): getattr(detect(p), "FORMAT", None) for p in files}
    assert {k: v for k, v in wrong.items() if v != FORMATS[folder]} == {}


@pytest.mark.parametrize("folder", ["swe-agent", "mini-swe-agent/trajs", "openhands"])
def test_every_tool_call_is_paired(corpus: Path, folder: str) -> None:
    report = IngestReport()
    trajs = list(read([corpus / folder], report))
    assert trajs and not [str(p) for p in report.problems if p.fatal and "not agent logs" not in p.message]
    for traj in trajs:
        assert [s.index for s in traj.steps] == list(range(len(traj.steps)))
        for call in (s for s in traj.steps if s.kind is StepKind.TOOL_CALL):
            assert call.pair is not None, f"{traj.source}: step {call.index} has no result"
            assert traj.steps[call.pair].call_id == call.call_id


def test_all_mini_swe_agent_outcomes_match_the_labels(corpus: Path) -> None:
    labels, source = load_labels([corpus / "mini-swe-agent" / "labels.json"])
    trajs = list(read([corpus / "mini-swe-agent" / "trajs"], labels=labels, labels_source=source))
    assert len(trajs) == 100
    assert all(t.outcome is labels[t.native_id] and t.outcome_source == source for t in trajs)  # type: ignore[index]
    assert sum(t.outcome is Outcome.SUCCESS for t in trajs) == 50


def test_swebench_report_folder_labels_40_runs(corpus: Path) -> None:
    labels, _ = load_labels([corpus / "mini-swe-agent" / "swebench-reports"])
    full, _ = load_labels([corpus / "mini-swe-agent" / "labels.json"])
    assert len(labels) == 40 and all(full[iid] is outcome for iid, outcome in labels.items())
    trajs = list(read([corpus / "mini-swe-agent" / "trajs"], labels=labels, labels_source="labels:reports"))
    assert sum(t.outcome_source == "labels:reports" for t in trajs) == 40


def test_through_the_cli_with_labels(cli, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("ingest", corpus / "mini-swe-agent" / "trajs", "--labels", corpus / "mini-swe-agent" / "labels.json")
    assert res.code == 0 and "Traceback" not in res.err
    flat = " ".join(res.out.split())
    assert "mini-swe-agent" in flat and "100" in flat
