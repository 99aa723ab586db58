"""``skillforge validate``: check skills against the spec and skillforge's policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import UsageError

if TYPE_CHECKING:
    from skillforge.skills.validate import ValidationReport

FORMATS = ("text", "json", "github")


@dataclass(frozen=True)
class ValidateArgs:
    paths: tuple[str, ...] = (".",)
    strict: bool = False
    allow_hosts: tuple[str, ...] = ()
    fmt: str = "text"
    cache: bool = True  # reuse the safety findings of unchanged files (--no-cache: scan everything)


@dataclass(frozen=True)
class ValidateResult:
    report: ValidationReport
    strict: bool
    fmt: str

    @property
    def status(self) -> str:
        return "findings" if self.report.failed(self.strict) else "ok"

    @property
    def exit_code(self) -> int:
        return int(self.report.exit_code(self.strict))

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.report.to_dict(self.strict))
        if self.report.skills == 0:
            out["notes"] = [NO_SKILLS]
        return out


# said in every format when the paths hold no skill: a CI job pointed at the wrong folder passes
NO_SKILLS = "no skills found (pass a library, a skills/ folder, a skill folder or SKILL.md files)"


def run(settings: Settings, args: ValidateArgs) -> ValidateResult:
    from skillforge.skills.validate import validate_paths

    if args.fmt not in FORMATS:
        raise UsageError(f"unknown --format {args.fmt!r}", f"use one of: {', '.join(FORMATS)}")
    configured = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    report = validate_paths(
        list(args.paths) or ["."],
        strict=args.strict,
        allowed_hosts=[*configured, *args.allow_hosts],
        use_cache=args.cache,
    )
    return ValidateResult(report, args.strict, args.fmt)
