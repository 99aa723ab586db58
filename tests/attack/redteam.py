"""Helpers for the red-team cases (``test_redteam_*.py``): random values of a token's alphabet and
length (generated, never real keys), a skill folder to validate, and the findings validate reports."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
UPPER_B32 = "023456789ACDEFGHJKLMNPQRSTUVWXYZ"  # bech32's alphabet, upper case (age keys)


def rand(seed: str, alphabet: str, n: int) -> str:
    """``n`` characters of ``alphabet``, the same for the same ``seed`` (never a real key)."""
    rng = random.Random(seed)
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        if alphabet is not ALNUM or (any(c.isdigit() for c in value) and any(c.isupper() for c in value)):
            return value


def skill_folder(root: Path, body: str, description: str = "", files: dict[str, str] | None = None) -> Path:
    """A library at ``root`` holding one skill ``ledgerkit-setup`` whose body is ``body``."""
    folder = root / "skills" / "ledgerkit-setup"
    folder.mkdir(parents=True, exist_ok=True)
    desc = description or "Set up ledgerkit before its tests run. Use when installing ledgerkit."
    (folder / "SKILL.md").write_text(
        f"---\nname: ledgerkit-setup\ndescription: {desc}\n---\n# Ledgerkit setup\n\n{body}\n",
        encoding="utf-8",
    )
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return root


def validate(cli: Callable[..., Any], root: Path) -> tuple[list[dict[str, Any]], str]:
    """validate ``root`` as JSON: (findings, everything printed)."""
    res = cli("validate", str(root), "--json", "--no-cache")
    report = orjson.loads(res.out) if res.out.strip().startswith("{") else {}
    return list(report.get("findings", [])), res.out + res.err


def safety(findings: list[dict[str, Any]], severity: str | None = None) -> list[dict[str, Any]]:
    """The safety findings (SF5xx, SF6xx, but not the unknown-host notice), of ``severity`` if given."""
    return [
        f
        for f in findings
        if f["rule"][:3] in ("SF5", "SF6")
        and f["rule"] not in ("SF603", "SF502")
        and (severity is None or f["severity"] == severity)
    ]
