"""Audit log files for secrets: raw text, read line by line in bounded chunks (memory stays flat on
large logs), findings by file:line and kind with a masked preview, never the secret itself."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.errors import InputError
from skillforge.safety.redact import find_secrets

CHUNK = 1 << 20  # characters of whole lines scanned at once
KEY_SLACK = 1 << 16  # extra characters read to finish a private key block cut by a chunk


@dataclass(frozen=True, slots=True)
class ScanFinding:
    file: str
    line: int
    kind: str
    preview: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "kind": self.kind, "preview": self.preview}


@dataclass
class ScanReport:
    findings: list[ScanFinding] = field(default_factory=list)
    files: int = 0
    bytes: int = 0

    @property
    def counts(self) -> Counter[str]:
        return Counter(f.kind for f in self.findings)

    @property
    def mb(self) -> float:
        return self.bytes / 1e6

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "bytes": self.bytes, "counts": dict(self.counts),
                "findings": [f.to_dict() for f in self.findings]}


def scan_paths(paths: Sequence[str | Path]) -> ScanReport:
    report = ScanReport()
    for file in _files([Path(p) for p in paths]):
        report.files += 1
        report.bytes += file.stat().st_size
        report.findings.extend(scan_file(file))
    return report


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        else:
            raise InputError(f"{path}: no such file or folder", "pass log files or folders")


def scan_file(path: Path) -> Iterator[ScanFinding]:
    """Secrets in one file, streamed in chunks of whole lines."""
    try:
        fh = path.open(encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", "check the path and permissions") from None
    with fh:
        base, lines, size = 1, [], 0
        for line in fh:
            lines.append(line)
            size += len(line)
            if size >= CHUNK and not (_open_key(lines) and size < CHUNK + KEY_SLACK):
                yield from _chunk(path, base, lines)
                base, lines, size = base + len(lines), [], 0
        if lines:
            yield from _chunk(path, base, lines)


def _open_key(lines: list[str]) -> bool:
    tail = "".join(lines[-200:])
    return tail.rfind("-----BEGIN") > tail.rfind("-----END")


def _chunk(path: Path, base: int, lines: list[str]) -> Iterator[ScanFinding]:
    for f in find_secrets("".join(lines)):
        yield ScanFinding(str(path), base + f.line - 1, f.kind, f.preview)
