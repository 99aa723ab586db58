"""Audit log files for secrets: raw text, read line by line in bounded chunks (memory stays flat on
large logs), findings by file:line and kind with a masked preview, never the secret itself.

Gzip files (``.jsonl.gz``) are read decompressed and UTF-16 files (a byte-order mark, or NUL bytes
between ASCII ones) decoded; a file that cannot be read is recorded in ``ScanReport.skipped`` with a
one-line reason and the scan goes on."""

from __future__ import annotations

import gzip
import os
import stat
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from skillforge.errors import InputError
from skillforge.safety.redact import find_secrets

CHUNK = 1 << 20  # characters of whole lines scanned at once
KEY_SLACK = 1 << 16  # extra characters read to finish a private key block cut by a chunk
OVERLAP = 1 << 12  # characters of a long line's previous piece scanned again with the next one


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
    skipped: list[str] = field(default_factory=list)  # "path: reason" of files that could not be read

    @property
    def counts(self) -> Counter[str]:
        return Counter(f.kind for f in self.findings)

    @property
    def mb(self) -> float:
        return self.bytes / 1e6

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "counts": dict(self.counts),
            "findings": [f.to_dict() for f in self.findings],
            "skipped": self.skipped,
        }


def scan_paths(paths: Sequence[str | Path]) -> ScanReport:
    """Every file under ``paths`` scanned; an InputError when they hold no file at all (an empty folder:
    "secrets: none" would read as a clean audit of logs that were never there)."""
    report = ScanReport()
    links: list[Path] = []  # symlinks met in folders: not followed
    for file in _files([Path(p) for p in paths], links):
        try:
            size = file.stat().st_size
            found = list(scan_file(file))
        except (InputError, OSError, EOFError, UnicodeError) as exc:
            report.skipped.append(f"{file}: {getattr(exc, 'message', None) or exc}")
            continue
        report.files += 1
        report.bytes += size
        report.findings.extend(found)
    if not report.files and not report.skipped:
        where = ", ".join(str(p) for p in paths)
        if links:
            raise InputError(
                f"no files found in {where}: {len(links)} symlink(s) there, which a folder scan does not follow",
                "pass the files themselves (a symlink named on the command line is read)",
            )
        raise InputError(
            f"no files found in {where}",
            "pass the log files or folders to scan (folders are read recursively)",
        )
    return report


def _files(paths: list[Path], links: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_symlink():
                    links.append(p)
                elif not p.is_dir():
                    yield p
        elif path.exists() or path.is_symlink():  # a FIFO or a device too: scan_file names it, skipped
            yield path
        else:
            raise InputError(f"{path}: no such file or folder", "pass log files or folders")


def scan_file(path: Path) -> Iterator[ScanFinding]:
    """Secrets in one file, streamed in chunks of whole lines; a line longer than a chunk is read in
    pieces that overlap by :data:`OVERLAP` characters, so memory stays flat on one huge line."""
    try:
        fh = _open(path)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc})", "check the path and permissions"
        ) from None
    with fh:
        base, lines, size, carry = 1, list[str](), 0, ""
        while piece := fh.readline(CHUNK):
            if carry or (len(piece) >= CHUNK and not piece.endswith("\n")):  # a piece of a long line
                if lines:
                    yield from _chunk(path, base, lines)
                    base, lines, size = base + len(lines), [], 0
                yield from _long_piece(path, base, carry, piece)
                carry = "" if piece.endswith("\n") else (carry + piece)[-OVERLAP:]
                base += 1 if piece.endswith("\n") else 0
                continue
            lines.append(piece)
            size += len(piece)
            if size >= CHUNK and not (_open_key(lines) and size < CHUNK + KEY_SLACK):
                yield from _chunk(path, base, lines)
                base, lines, size = base + len(lines), [], 0
        if lines:
            yield from _chunk(path, base, lines)


def _long_piece(path: Path, line: int, carry: str, piece: str) -> Iterator[ScanFinding]:
    """Findings of one piece of a long line, read with the tail of the piece before it (a secret cut
    between two pieces is whole there); those entirely inside that tail were reported already."""
    for f in find_secrets(carry + piece):
        if f.end > len(carry):
            yield ScanFinding(str(path), line, f.kind, f.preview)


def _open(path: Path) -> IO[str]:
    """A text stream of the file: gunzipped when it is gzip, UTF-16 when it says or looks so."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device: never block on it
        raise OSError(0, "not a regular file (a FIFO, socket or device)")
    with path.open("rb") as raw:
        head = raw.read(4096)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as z:
            inner = z.read(4096)
        return gzip.open(path, "rt", encoding=_encoding(inner), errors="replace", newline="")
    return path.open(encoding=_encoding(head), errors="replace", newline="")


def _encoding(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if len(head) >= 8 and head[1::2].count(0) > 0.4 * len(head) / 2:
        return "utf-16-le"
    if len(head) >= 8 and head[0::2].count(0) > 0.4 * len(head) / 2:
        return "utf-16-be"
    return "utf-8"


def _open_key(lines: list[str]) -> bool:
    tail = "".join(lines[-200:])
    return tail.rfind("-----BEGIN") > tail.rfind("-----END")


def _chunk(path: Path, base: int, lines: list[str]) -> Iterator[ScanFinding]:
    for f in find_secrets("".join(lines)):
        yield ScanFinding(str(path), base + f.line - 1, f.kind, f.preview)
