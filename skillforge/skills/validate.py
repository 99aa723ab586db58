"""``skillforge validate``: check skills against the Agent Skills spec, its strictest validators and
skillforge's policy (structure, duplicates, code blocks, secrets, injected instructions).

``validate_paths(paths)`` takes library roots, ``skills/`` folders, skill folders or SKILL.md files
(as pre-commit passes them) and returns a :class:`ValidationReport`; ``validate_skill(skill, folder)``
checks one in-memory :class:`~skillforge.model.Skill`; ``check_text(text, where)`` runs only the
secret and injection rules (distill runs it before writing, route before printing). The rules live
in :mod:`skillforge.skills.rules` (one module per concern), each with a stable id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillforge.errors import ExitCode, InputError
from skillforge.model import Skill
from skillforge.safety.paths import refuse_symlinks
from skillforge.skills.document import MAX_SKILL_FILE, SKILL_FILE, render
from skillforge.skills.findings_cache import FindingsCache
from skillforge.skills.rules import content, duplicates, safety, spec, structure
from skillforge.skills.rules.base import RULES, Finding, Rule, SkillFile, finding, rule
from skillforge.skills.rules.safety import check_text

__all__ = ["RULES", "Finding", "Rule", "ValidationReport", "check_text", "validate_paths", "validate_skill"]


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)
    skills: int = 0  # skills checked

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def exit_code(self, strict: bool = False) -> ExitCode:
        return ExitCode.FINDINGS if self.failed(strict) else ExitCode.OK

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "skills": self.skills,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "ok": not self.failed(strict),
            "findings": [f.to_dict() for f in self.findings],
        }


UNCHECKED = rule(
    "SF099",
    "rule-failed",
    "error",
    "report this skill to the skillforge developers; until then, simplify the line named",
)


def check_file(
    sf: SkillFile, allowed_hosts: Iterable[str] | None = None, cache: FindingsCache | None = None
) -> list[Finding]:
    """Every per-skill rule on one SKILL.md (already read into ``sf``). A rule that fails on content
    nobody foresaw (a URL, link or front matter no parser takes) becomes a finding on this skill, so
    one odd skill never stops the validation or routing of the rest of the library. ``cache`` holds the
    safety findings of texts already scanned (see :mod:`skillforge.skills.findings_cache`)."""
    found = _guarded(spec.read, sf)
    found += _guarded(spec.check, sf)
    if sf.front or sf.body:
        found += _guarded(lambda f: structure.check(f, cache), sf)
        found += _guarded(lambda f: content.check(f, cache), sf)
    found += _guarded(lambda f: safety.check(f, allowed_hosts, cache), sf)
    return found


def _guarded(check: Callable[[SkillFile], Iterable[Finding]], sf: SkillFile) -> list[Finding]:
    try:
        return list(check(sf))
    except Exception as exc:  # a finding on this skill, never a crash of the whole library's check
        return [
            finding(
                UNCHECKED,
                sf.path,
                1,
                f"a rule could not check this skill ({type(exc).__name__}: {str(exc)[:120]})",
            )
        ]


def validate_skill(skill: Skill, folder: Path | None = None) -> list[Finding]:
    """Validate an in-memory skill as skillforge would write it (lines are lines of the rendered file).

    ``folder`` is where the skill lives or will live (its name must match). When it does not exist yet
    (or is None), links and orphans are checked against ``skill.files`` instead of the disk, if the
    skill carries files; a skill without files and folder (parsed from text) gets no link checks."""
    where = str((folder / SKILL_FILE) if folder else Path(skill.name or "skill") / SKILL_FILE)
    on_disk = folder is not None and folder.is_dir()
    sf = SkillFile(
        where,
        render(skill),
        folder if on_disk else None,
        virtual=dict(skill.files) if skill.files and not on_disk else None,
    )
    found = check_file(sf)
    if folder is not None and not on_disk and skill.name and skill.name != folder.name:
        found.append(
            finding(
                spec.NAME_FOLDER,
                where,
                sf.line_of("name"),
                f"name {skill.name!r} differs from its folder {folder.name!r}",
            )
        )
    return _sorted(found)


def validate_paths(
    paths: Sequence[str | Path],
    strict: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    use_cache: bool = False,
) -> ValidationReport:
    """Validate every skill under ``paths``. ``strict`` only changes :meth:`ValidationReport.failed`.
    ``use_cache``: reuse (and store) the safety findings of unchanged files across runs, in
    ``config.cache_dir()/findings/validate.json``."""
    report = ValidationReport()
    cache = FindingsCache("validate") if use_cache else None
    hosts = list(allowed_hosts or ())
    folders, found = _skill_folders([Path(p) for p in paths] or [Path(".")])
    report.findings.extend(found)
    files: list[SkillFile] = []
    for folder in folders:
        sf, problems = _read(folder)
        report.findings.extend(problems)
        if sf is not None:
            report.findings.extend(check_file(sf, hosts, cache))
            files.append(sf)
    report.skills = len(files)
    reported = {sf.path for sf in files}
    report.findings.extend(duplicates.check_library(files + _siblings(folders), reported, cache))
    report.findings = _sorted(report.findings)
    if cache is not None:
        cache.save()
    return report


def _sorted(found: list[Finding]) -> list[Finding]:
    unique = dict.fromkeys(found)
    return sorted(unique, key=lambda f: (f.file, f.line, f.rule, f.message))


def _skill_folders(paths: list[Path]) -> tuple[list[Path], list[Finding]]:
    """Skill folders named by ``paths`` (deduplicated, in order) and problems with the layout."""
    folders: list[Path] = []
    found: list[Finding] = []
    for path in paths:
        if not path.exists():
            raise InputError(
                f"{path}: no such file or folder", "pass a library, a skills/ folder, a skill or a SKILL.md"
            )
        if path.is_file():
            if path.name.lower() != SKILL_FILE.lower():
                raise InputError(f"{path}: not a SKILL.md file", "pass SKILL.md files or skill folders")
            # "SKILL.md" named from inside its folder: the folder has a name only as an absolute path
            folders.append(path.parent if path.parent.name else path.absolute().parent)
        elif _has_skill_md(path):
            folders.append(path)
        else:
            refuse_symlinks(path)  # a committed skills/ link would validate (and serve) another folder
            root = path / "skills" if (path / "skills").is_dir() else path
            for child in sorted(root.iterdir(), key=lambda p: p.name):
                if not child.is_dir() or child.name.startswith((".", "_")):
                    continue
                if _has_skill_md(child):
                    folders.append(child)
                else:
                    found.append(finding(structure.NO_SKILL_MD, str(child), 1, "folder has no SKILL.md"))
    if len(paths) == 1:  # one root's children, or one skill: no folder twice
        return folders, found
    unique: dict[Path, Path] = {}  # the same folder by two spellings (skills/x, skills/../skills/x): once
    for folder in folders:
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values()), found


def _has_skill_md(folder: Path) -> bool:
    return (folder / SKILL_FILE).is_file() or (folder / "skill.md").is_file()


def _read(folder: Path) -> tuple[SkillFile | None, list[Finding]]:
    path = folder / SKILL_FILE
    found: list[Finding] = []
    if not path.is_file():
        path = folder / "skill.md"
        found.append(finding(structure.SKILL_MD_CASE, str(path), 1, "the file is named skill.md"))
    if path.stat().st_size > MAX_SKILL_FILE:
        fix = "move long material into references/ files linked from SKILL.md"
        return None, [*found, _unreadable(path, f"file is over {MAX_SKILL_FILE // 2**20} MiB", fix)]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fix = "re-save SKILL.md as UTF-8 (e.g. iconv -t UTF-8)"
        return None, [*found, _unreadable(path, "file is not UTF-8 text", fix)]
    except OSError as exc:
        fix = "check the file's permissions"
        return None, [*found, _unreadable(path, f"file cannot be read ({exc.strerror})", fix)]
    return SkillFile(str(path), text, folder), found


def _unreadable(path: Path, message: str, fix: str) -> Finding:
    return finding(spec.FRONT_MATTER, str(path), 1, message, fix=fix)


def _siblings(folders: list[Path]) -> list[SkillFile]:
    """The other skills next to the validated ones, so that a single SKILL.md (pre-commit) is still
    compared with the rest of its library. Only read for comparison, never reported."""
    named = set(folders)  # a folder named as given needs no resolve (a whole library: every child)
    chosen: set[Path] | None = None  # resolved once a child is not one of them
    parents = dict.fromkeys(f.parent for f in folders)
    files: list[SkillFile] = []
    for parent in parents:
        for child in sorted(parent.iterdir(), key=lambda p: p.name):
            if child in named or not child.is_dir() or not (child / SKILL_FILE).is_file():
                continue
            chosen = {f.resolve() for f in folders} if chosen is None else chosen
            if child.resolve() in chosen:
                continue
            sf, problems = _read(child)
            if sf is not None and not problems:
                spec.read(sf)
                files.append(sf)
    return files
