"""The real logs in ../shared/corpus (skipped where it is absent): every log is recognised as its
format, every tool call is paired, and the SWE-bench labels reach the mini-swe-agent runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillforge.ingest import IngestReport, detect, read
from skillforge.ingest.labels import load_labels
from skillforge.model import Outcome, StepKind, Trust

# corpus folder -> the format its logs must be recognised as
FORMATS = {
    "claude-code": "claude-code",
    "codex": "codex",
    "swe-agent": "swe-agent",
    "mini-swe-agent/trajs": "mini-swe-agent",
    "openhands": "openhands",
}
READERS = {"claude-code": "claude_code", "codex": "codex"}
LOG_SUFFIXES = (".jsonl", ".traj", ".json")


def logs(folder: Path) -> list[Path]:
    """The agent logs under a corpus folder (not the patches, predictions, READMEs and Entire's
    ``metadata.json`` beside them; Entire's v2 layout stores transcripts as ``raw_transcript``)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and (p.name.endswith(LOG_SUFFIXES) or p.name == "raw_transcript")
        and p.name not in ("all_preds.jsonl", "metadata.json")
    )


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
    res = cli(
        "ingest", corpus / "mini-swe-agent" / "trajs", "--labels", corpus / "mini-swe-agent" / "labels.json"
    )
    assert res.code == 0 and "Traceback" not in res.err
    flat = " ".join(res.out.split())
    assert "mini-swe-agent" in flat and "100" in flat


# the public Claude Code 2.x and Codex folders: what SOURCES.md there says they hold
PUBLIC = {"claude-code": (39, 30, 7), "codex": (20, 20, 9)}  # transcripts, Entire metadata, sub-agent threads


@pytest.mark.parametrize("agent", sorted(PUBLIC))
def test_public_folders_read_whole(corpus: Path, agent: str) -> None:
    """A folder walk reads every transcript under its agent (``raw_transcript`` too), passes over Entire's
    metadata without making the run partial, links sub-agents to a thread of the folder (or names one),
    pairs every call whose result the file holds, and skips under 1% of records without a named reason."""
    report = IngestReport()
    trajs = list(read([corpus / agent / "public"], report))
    transcripts, metadata, subagents = PUBLIC[agent]
    assert list(report.formats) == [agent] and report.formats[agent].files == transcripts
    assert report.passed_over["Entire checkpoint metadata"] == metadata
    assert not report.partial and not report.problems and not report.unrecognised
    subs = [t for t in trajs if t.parent_id]
    assert len(subs) == subagents
    threads = {t.native_id for t in trajs if not t.parent_id}
    # every sub-agent thread names a thread of the folder, but one Codex review run whose parent is not there
    assert sum(t.parent_id in threads for t in subs) == subagents - (agent == "codex")
    records = sum(len(p.read_bytes().splitlines()) for p in logs(corpus / agent / "public"))
    stats = report.formats[agent]
    assert sum(stats.skipped.values()) < records / 100, stats.skipped
    assert not [k for k in stats.skipped if "unknown" in k], stats.skipped
    result_key = '"tool_use_id":"{}"' if agent == "claude-code" else '_output","call_id":"{}"'
    for traj in trajs:
        data = Path(traj.source).read_bytes()
        for call in traj.tool_calls:
            if call.pair is None:  # reported unpaired: the file has no result for it
                assert result_key.format(call.call_id).encode() not in data, (traj.source, call.call_id)
            else:
                assert traj.steps[call.pair].call_id == call.call_id
        assert [s.index for s in traj.steps] == list(range(len(traj.steps)))


def test_public_claude_code_sessions_keep_titles_errors_and_compaction(corpus: Path) -> None:
    trajs = list(read([corpus / "claude-code" / "public"]))
    assert sum("title" in t.metadata for t in trajs) >= 8
    pr_links = {
        (json.loads(line)["sessionId"], json.loads(line)["prUrl"])
        for path in logs(corpus / "claude-code" / "public")
        for line in path.read_bytes().splitlines()
        if b'"type":"pr-link"' in line
    }
    kept = {(t.native_id, pr["url"]) for t in trajs for pr in t.metadata.get("pull_requests", [])}
    assert kept == pr_links
    assert sum(s.is_error and s.text.startswith("API error") for t in trajs for s in t.steps) == 4
    compaction = [t for t in trajs if t.metadata.get("subagent") == "compaction"]
    assert compaction and all(t.parent_id for t in compaction)
    edits = [s for t in trajs for s in t.steps if s.text.startswith("[the user edited ")]
    assert edits and all(s.trust is Trust.INJECTED for s in edits)


def test_public_codex_parent_lists_its_spawned_threads(corpus: Path) -> None:
    trajs = {t.native_id: t for t in read([corpus / "codex" / "public"])}
    parent = trajs["019ddb75-a272-7d50-b41d-90017f500b5a"]
    spawned = parent.metadata["subagents"]
    assert len(spawned) == 8 and all(trajs[c].parent_id == parent.native_id for c in spawned)
    assert {trajs[c].metadata["agent_nickname"] for c in spawned} == {a["nickname"] for a in spawned.values()}
    assert {t.metadata.get("originator") for t in trajs.values()} == {
        "codex-tui",
        "codex_exec",
        "Codex Desktop",
    }
