"""Safety of skill text: secrets (``find_secrets``), injected instructions (``find_injections``) and
home folders that name a person, in SKILL.md and every other text file of the skill folder.

``check_text(text, where)`` is the entry point distill uses before writing and route before printing.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from skillforge.fsutil import agent_files
from skillforge.safety import redact
from skillforge.safety.hidden import hidden_in_name
from skillforge.safety.injection import SEVERITY, find_injections
from skillforge.safety.paths import find_home_paths
from skillforge.safety.redact import find_secrets
from skillforge.skills.findings_cache import FindingsCache, content_key, rows
from skillforge.skills.rules.base import RULES, Finding, Rule, SkillFile, finding, rule, stored_finding
from skillforge.text import is_binary, looks_utf16

SECRET = rule(
    "SF501",
    "secret",
    "error",
    "remove the secret (rotate it if it was ever pushed); use an environment variable name instead",
)
HOME_PATH = rule("SF502", "home-path", "warning", "write ~ instead of a home folder that names a person")

INJECTION_RULES: dict[str, Rule] = {
    "instruction-override": rule(
        "SF601",
        "instruction-override",
        SEVERITY["instruction-override"],
        "remove text that tells the agent to ignore or replace its instructions",
    ),
    "credential-request": rule(
        "SF602",
        "credential-request",
        SEVERITY["credential-request"],
        "remove requests to read, print or send credentials, keys or the environment",
    ),
    "unknown-host": rule(
        "SF603",
        "unknown-host",
        SEVERITY["unknown-host"],
        "link to a well-known host, or allow this one with --allow-host",
    ),
    "url-data": rule(
        "SF604",
        "url-data",
        SEVERITY["url-data"],
        "remove the query string or interpolation: URLs must not carry data out",
    ),
    "pipe-to-shell": rule(
        "SF605",
        "pipe-to-shell",
        SEVERITY["pipe-to-shell"],
        "download to a file, check it, then run it; never pipe a download into a shell",
    ),
    "base64-blob": rule(
        "SF606",
        "base64-blob",
        SEVERITY["base64-blob"],
        "remove encoded data; ship files in assets/ and describe them",
    ),
    "hidden-unicode": rule(
        "SF607",
        "hidden-unicode",
        SEVERITY["hidden-unicode"],
        "delete invisible and bidirectional control characters",
    ),
    "image-exfiltration": rule(
        "SF608",
        "image-exfiltration",
        SEVERITY["image-exfiltration"],
        "remove the image or its query string/interpolation",
    ),
    "tls-disabled": rule(
        "SF609",
        "tls-disabled",
        SEVERITY["tls-disabled"],
        "keep TLS verification on; install the CA certificate instead",
    ),
    "untrusted-index": rule(
        "SF610",
        "untrusted-index",
        SEVERITY["untrusted-index"],
        "install from the default index over https; never --trusted-host",
    ),
    "credential-upload": rule(
        "SF611",
        "credential-upload",
        SEVERITY["credential-upload"],
        "never send the environment, credential files or secret variables to a URL",
    ),
}
UNCHECKED = rule(
    "SF612",
    "unchecked-file",
    "error",
    "split the file below 1 MiB or move it out of the skill folder: a file validate does not read is "
    "not vouched for",
)
_SAFETY_IDS = frozenset({SECRET.id, HOME_PATH.id, UNCHECKED.id, *(r.id for r in INJECTION_RULES.values())})
MAX_SCANNED = 1024 * 1024
HEAD = 8192  # the first bytes that tell text from binary


def check_text(text: str, where: str, allowed_hosts: Iterable[str] | None = None) -> list[Finding]:
    """Secrets and injected instructions in ``text`` (lines are 1-based lines of ``text``). A finding is
    an error only at high confidence; every one is ``unsafe`` (quarantines a lesson) but the notices.
    Computed once per text content and host list (cached), so validate and the route index are fast."""
    hosts = tuple(sorted(set(allowed_hosts or ())))
    return [replace(f, file=where) for f in _cached(text, hosts, is_script(where))]


# the files whose text is prose (a paragraph's lines read as one sentence); any other is a script or data
PROSE_SUFFIXES = frozenset({"", ".md", ".markdown", ".mdx", ".txt", ".rst", ".mdc"})


def is_script(where: str) -> bool:
    """Whether the file named ``where`` is a script or data file (``scripts/run.py``), not prose."""
    return _suffix(where).lower() not in PROSE_SUFFIXES


def _suffix(where: str) -> str:
    """``PurePosixPath(where).suffix`` (backslashes read as slashes) without building a path: this runs
    for every file of every skill. A name that starts or ends with its only dot has no suffix."""
    name = where.replace("\\", "/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


@lru_cache(maxsize=4096)
def _cached(text: str, hosts: tuple[str, ...], script: bool = False) -> tuple[Finding, ...]:
    found = [
        finding(
            SECRET,
            "",
            s.line,
            f"{s.kind} secret ({s.preview})",
            "error" if s.confidence == "high" else "warning",
            unsafe=True,
        )
        for s in find_secrets(text)
        if s.confidence == "high" or _worth_a_warning(text[s.start : s.end])
    ]
    for inj in find_injections(text, hosts, script):
        found.append(
            finding(INJECTION_RULES[inj.rule], "", inj.line, inj.message, inj.severity, unsafe=inj.unsafe)
        )
    return tuple(sorted(found, key=lambda f: (f.line, f.rule)))


_NOT_A_VALUE = re.compile(
    r"(?i)^[~/.]|[/\\].*[/\\]|environ|process\.env|getenv|\$\{?[A-Z_]|^[\d.,~<>=+-]+[A-Za-z]{0,2}$"
)


def _worth_a_warning(value: str) -> bool:
    """A keyword or entropy guess is shown (as a warning) only when the value could be a secret: at
    least 8 characters with letters and digits, not a path, an environment lookup or a quantity.
    Redaction removes every guess regardless."""
    return (
        len(value) >= 8
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and not _NOT_A_VALUE.search(value)
    )


def clear_cache() -> None:
    """Forget cached findings (benchmarks time a cold run)."""
    _cached.cache_clear()
    redact.clear_cache()


def check(
    sf: SkillFile, allowed_hosts: Iterable[str] | None = None, cache: FindingsCache | None = None
) -> Iterator[Finding]:
    """Secrets, injected instructions and home folders in SKILL.md and every other text file of the
    skill. With ``cache``, each file's findings are looked up by content hash first (see
    :mod:`skillforge.skills.findings_cache`) and stored after a scan."""
    hosts = tuple(sorted(set(allowed_hosts or ())))
    yield from _file_findings(sf.text, sf.path, hosts, cache)
    if sf.virtual is not None:
        for rel, text in sf.virtual.items():
            yield from _file_findings(text, rel, hosts, cache)
        return
    if sf.folder is None:
        return
    top = str(sf.folder)
    for rel, why in agent_files(sf.folder):
        path = os.path.join(top, *rel.split("/"))  # str(sf.folder / rel), without pathlib per file
        char = hidden_in_name(rel)
        if char:
            yield finding(
                INJECTION_RULES["hidden-unicode"],
                path,
                1,
                f"file name holds a hidden or bidirectional unicode character {char}",
                "error",
                unsafe=True,
            )
        if rel in ("SKILL.md", "skill.md"):
            continue
        content, why = (None, why) if why else read_text(path)
        if why:
            yield finding(UNCHECKED, path, 1, f"{rel} {why}", "error", unsafe=True)
        elif content is not None:
            yield from _file_findings(content, path, hosts, cache)


def read_text(path: str | Path) -> tuple[str | None, str]:
    """(text, "") of a file an agent would read as text, judged by its content, whatever its name: no
    NUL bytes in its first block (a stray one among lines is allowed, as ingest reads logs), or
    UTF-16. (None, "") for a binary file, a FIFO or device (never opened), an unreadable file; (None,
    why) for text over ``MAX_SCANNED``, which is not read, so the skill is not vouched for."""
    try:  # one stat (os, not pathlib: this runs for every file of every skill); a link is followed
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, ""
        with open(path, "rb") as f:
            head = f.read(HEAD)
            utf16 = looks_utf16(head)
            if not utf16 and is_binary(head):
                return None, ""
            if st.st_size > MAX_SCANNED:
                return (
                    None,
                    f"is {st.st_size / 2**20:.1f} MiB of text, over the {MAX_SCANNED >> 20} MiB validate reads",
                )
            raw = head + f.read()
    except OSError:
        return None, ""
    return _decoded(raw, utf16), ""


def _decoded(raw: bytes, utf16: bool) -> str:
    if not utf16:
        return raw.decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    little = raw[1:256:2].count(0) == len(raw[1:256:2])
    return raw.decode("utf-16-le" if little else "utf-16-be", errors="replace")


def _file_findings(
    text: str, where: str, hosts: tuple[str, ...], cache: FindingsCache | None
) -> list[Finding]:
    """check_text's findings and the home folders of one file, from ``cache`` when it holds them."""
    if cache is None:
        return [*check_text(text, where, hosts), *_home_paths(text, where)]
    script = is_script(where)
    key = content_key("validate", "\n".join(hosts), *(("script",) if script else ()), text)
    found_rows = rows(cache.get(key), _SAFETY_IDS)
    if found_rows is None:
        found = [*check_text(text, where, hosts), *_home_paths(text, "")]  # rows keep no file
        found_rows = [[f.line, f.rule, f.severity, f.message, f.unsafe] for f in found]
        cache.put(key, found_rows)
    return [
        stored_finding(RULES[r], where, line, msg, sev, unsafe) for line, r, sev, msg, unsafe in found_rows
    ]


def _home_paths(text: str, where: str) -> Iterator[Finding]:
    for line, home in find_home_paths(text):
        yield finding(HOME_PATH, where, line, f"path names a home folder ({home})")
