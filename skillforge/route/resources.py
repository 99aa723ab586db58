"""What a skill holds beside its SKILL.md (``references/``, ``scripts/``…) that makes it unsafe to hand
out: route indexes SKILL.md alone, but an agent given a skill reads the files it lists, and a skill
folder linked into an agent's skills folder hands it every file. A skill is held back when a file
beside its SKILL.md has a safety error of ``skillforge validate`` (an injected instruction, a secret,
an unsafe command, a text file too large to check) or when the folder holds a symlink out of the
library. Validate reads every file an agent could open as text, whatever its name (a ``.rst``, a dot
file, UTF-16, ``references/SKILL.md``) and through links inside the library; only the skill's own
top-level SKILL.md is left to route's index.

``problems`` checks many folders at once (install); ``problem`` checks one skill as route hands it
out, with the verdict cached on disk by the folder's files' (name, size, mtime), so a prompt that
routes to an unchanged skill pays a few ``stat`` calls and no scan.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from skillforge.fsutil import agent_files
from skillforge.skills.findings_cache import FindingsCache

VERSION = "2"  # bump when what counts as a problem changes (part of the cache key)
CACHE = FindingsCache("resources")


def problems(folders: dict[str, Path], library: Path) -> dict[str, str]:
    """skill name -> why, for the skills of ``folders`` (name -> skill folder) that must not be handed
    out for what lies beside their SKILL.md; the others are absent."""
    found = _links_out(folders, library.resolve())
    for name, why in _unsafe_files({n: f for n, f in folders.items() if n not in found}).items():
        found[name] = why
    return found


def problem(name: str, folder: Path, library: Path) -> str:
    """ "" when skill ``name`` (its folder ``folder``) may be handed out, else why not (see the module)."""
    stamp = _stamp(folder)
    if not stamp:  # SKILL.md alone: route's own index has checked it
        return ""
    key = hashlib.blake2b(
        f"{VERSION}|{_rules_stamp()}|{folder.resolve()}|{library.resolve()}|{stamp}".encode(
            "utf-8", "surrogateescape"
        ),
        digest_size=16,
    ).hexdigest()
    cached = CACHE.get(key)
    if isinstance(cached, str):
        return cached
    why = problems({name: folder}, library).get(name, "")
    CACHE.put(key, why)
    CACHE.save()
    return why


def _stamp(folder: Path) -> str:
    """(relative path, size, mtime) of every file validate reads below ``folder`` but its SKILL.md,
    and of each link itself: an edited link target, or a link pointed elsewhere, is checked again."""
    rows: list[str] = []
    for rel, why in agent_files(folder):
        if rel in ("SKILL.md", "skill.md"):
            continue
        path = os.path.join(folder, rel)
        try:
            st, link = os.stat(path), os.lstat(path)
        except OSError:
            rows.append(f"{rel}|missing|{why}")
            continue
        rows.append(f"{rel}|{st.st_size}|{st.st_mtime_ns}|{st.st_mode}|{link.st_mtime_ns}|{why}")
    return "\n".join(rows)


def _rules_stamp() -> str:
    """The safety rules' and the package's stamp, as route's index uses (an edited rule re-checks)."""
    from skillforge.route.index import built_by

    return built_by()


def _links_out(folders: dict[str, Path], root: Path) -> dict[str, str]:
    """name -> why, for skill folders holding a symlink out of the library: validate does not read
    through links, and an agent reading the linked folder would."""
    found: dict[str, str] = {}
    for name, folder in folders.items():
        for dirpath, dirs, files in os.walk(folder):
            for entry in (*dirs, *files):
                path = Path(dirpath) / entry
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    found.setdefault(name, f"holds a link out of the library ({path.relative_to(folder)})")
    return found


def _unsafe_files(folders: dict[str, Path]) -> dict[str, str]:
    """name -> why, for skill folders with a safety error in a file beside their SKILL.md."""
    from skillforge.skills.validate import validate_paths

    if not folders:
        return {}
    by_folder = {folder.resolve(): name for name, folder in folders.items()}
    found: dict[str, str] = {}
    for f in validate_paths(list(by_folder), use_cache=True).findings:
        if f.severity != "error" or f.rule[:3] not in ("SF5", "SF6"):
            continue
        path = Path(os.path.abspath(f.file))  # not resolved: a linked file is named by its link
        folder = next((p for p in path.parents if p in by_folder), None)
        if folder is None or path in (folder / "SKILL.md", folder / "skill.md"):
            continue  # the skill's own SKILL.md: route's index has checked it
        found.setdefault(by_folder[folder], f"findings: {f.name} in {path.relative_to(folder)}")
    return found
