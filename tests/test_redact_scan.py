"""``skillforge scan``: secrets in log files by file:line and kind, masked, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from skillforge.safety import scan as scan_mod
from skillforge.safety.scan import scan_file, scan_paths

GH = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"
KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDx7Zq2Lm9Pw4Rt6Vb8Nc1Kd3Fh5Gj0AeQw2Er5Ty8UiwAAAJgAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
)


def write_logs(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    (logs / "sub").mkdir(parents=True)
    records = [{"type": "user", "text": "hello"}, {"type": "tool", "output": f"GITHUB_TOKEN={GH}"}]
    (logs / "session.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    (logs / "sub" / "shell.log").write_text("$ cat id\n" + KEY + "$ echo done\n")
    (logs / "clean.log").write_text("all good\ncommit 9fceb02d0ae598e95dc970b74767f19372d61af8\n")
    return logs


def test_scan_finds_by_file_line_and_kind(tmp_path: Path) -> None:
    report = scan_paths([write_logs(tmp_path)])
    assert report.files == 3
    found = [(Path(f.file).name, f.line, f.kind) for f in report.findings]
    assert found == [("session.jsonl", 2, "github-token"), ("shell.log", 2, "private-key")]
    assert report.counts == {"github-token": 1, "private-key": 1}


def test_private_key_cut_by_a_chunk_boundary_is_found_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(scan_mod, "CHUNK", 40)
    path = tmp_path / "big.log"
    path.write_text("x" * 50 + "\n" + KEY + "tail\n")
    assert [(f.line, f.kind) for f in scan_file(path)] == [(2, "private-key")]


def test_scan_cli_masks_secrets_and_exits_4(cli, tmp_path: Path) -> None:
    logs = write_logs(tmp_path)
    result = cli("scan", logs)
    assert result.code == 4
    assert f"{logs / 'session.jsonl'}:2: github-token ghp_****(40 chars)" in result.out
    assert GH not in result.out and "b3BlbnNz" not in result.out


def test_scan_cli_json(cli, tmp_path: Path) -> None:
    result = cli("scan", write_logs(tmp_path), "--json")
    data = json.loads(result.out)
    assert result.code == 4 and data["counts"] == {"github-token": 1, "private-key": 1}
    assert GH not in result.out


def test_scan_cli_clean_file_exits_0(cli, tmp_path: Path) -> None:
    logs = write_logs(tmp_path)
    result = cli("scan", logs / "clean.log")
    assert result.code == 0 and result.out == ""


def test_scan_missing_path_is_an_error(cli, tmp_path: Path) -> None:
    result = cli("scan", tmp_path / "nope.log")
    assert result.code == 1 and "no such file" in " ".join(result.err.split())


def test_scan_of_a_folder_without_files_is_an_error(cli, tmp_path: Path) -> None:
    """docs/index.md: an empty folder is exit 1 for every command; scan said "0 files … secrets: none"
    and exited 0, which reads as a clean audit of logs that were not there."""
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    result = cli("scan", tmp_path / "empty")
    err = " ".join(result.err.split())
    assert result.code == 1 and result.out == "" and f"no files found in {tmp_path / 'empty'}" in err
    logs = write_logs(tmp_path)
    assert cli("scan", tmp_path / "empty", logs / "clean.log").code == 0  # one has files
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "a.log").symlink_to(logs / "clean.log")
    linked = cli("scan", tmp_path / "links")
    err = " ".join(linked.err.split())
    assert linked.code == 1 and "1 symlink(s) there, which a folder scan does not follow" in err


def test_scan_corpus_finds_no_provider_tokens(corpus: Path) -> None:
    from skillforge.safety.secret_rules import LOW_KINDS

    kinds = scan_paths([corpus]).counts
    # no known token shape anywhere in the public corpus; keyword and entropy guesses (low confidence,
    # still redacted before any LLM sees them) are expected in real code such as `CredentialOp = "fill"`
    assert set(kinds) <= LOW_KINDS
