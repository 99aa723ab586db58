"""Route: choose the right skills for a new task.

The Python API (load once, route many)::

    from skillforge import Router

    router = Router("path/to/library")
    for match in router.route("fix the flaky login test", k=3, cwd="."):
        print(match.name, match.score, match.path, match.why)

``route`` returns at most ``k`` :class:`~skillforge.route.rank.Match` objects, best first, and an
empty list when nothing scores above the abstention threshold (learnt for the library by
``skillforge eval route --save``, see :mod:`skillforge.route.calibrate`). The BM25 index is built
with numpy and cached on disk (see :mod:`skillforge.route.index`); this module imports no LLM SDK.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from skillforge.errors import SkillforgeError
from skillforge.route.folder import require_folder
from skillforge.route.index import Index, fingerprint, load_or_build, skills_root
from skillforge.route.rank import ABSTAIN, Context, Match, rank_skills
from skillforge.safety.paths import refuse_symlinks

__all__ = ["Context", "Match", "Router"]


class Router:
    """A skill library's router. Reloads the index only when the library changed (``refresh()``)."""

    def __init__(
        self,
        library: str | Path = ".",
        *,
        threshold: float | None = None,
        use_utility: bool = True,
        one_shot: bool = False,
    ):
        self.library = Path(library).expanduser()
        require_folder(self.library)
        refuse_symlinks(
            self.library
        )  # a committed skills/ or .skillforge/ link would serve or write elsewhere
        self.threshold, self.threshold_source = _threshold(self.library, threshold)
        self.use_utility = use_utility
        self.one_shot = one_shot  # a process that routes once: skip numpy for small libraries
        self.index: Index = load_or_build(self.library, plain=one_shot)
        self.utility: dict[str, float] = self._load_utility()

    def refresh(self) -> None:
        """Pick up changes to the library (rebuilds only what changed; nothing when nothing did)."""
        key, _ = fingerprint(self.library)
        if key != self.index.key:
            self.index = load_or_build(self.library, plain=self.one_shot)
        self.utility = self._load_utility()

    def _load_utility(self) -> dict[str, float]:
        if not self.use_utility:
            return {}
        from skillforge.route.feedback import utility_prior

        return utility_prior(self.library)

    def route(
        self,
        task: str,
        *,
        k: int = 3,
        cwd: str | Path | None = None,
        context: Context | None = None,
        threshold: float | None = None,
    ) -> list[Match]:
        """The best ``k`` skills for ``task`` (empty when none is good enough)."""
        ctx = context if context is not None else Context.detect(cwd)
        while True:  # withheld skills (findings) are left out before the best k are chosen
            matches = rank_skills(
                self.index,
                task,
                k=k,
                context=ctx,
                utility=self.utility,
                threshold=self.threshold if threshold is None else threshold,
            )
            if not self._withhold_unsafe_resources(m.name for m in matches):
                return matches

    def _withhold_unsafe_resources(self, names: Iterable[str]) -> bool:
        """Withhold (for this index) each skill of ``names`` with an unsafe file beside its SKILL.md
        (see :mod:`skillforge.route.resources`); whether any was."""
        from skillforge.route.resources import problem

        found = False
        for name in names:
            i = self.index.position(name)
            if i is None or self.index.blocked[i]:
                continue
            why = problem(name, Path(self.index.paths[i]).parent, self.library)
            if why:
                self.index.withhold(i, why)
                found = True
        return found

    def body(self, name: str) -> str:
        """The SKILL.md body of ``name`` (front matter stripped)."""
        i = self.index.position(name)
        if i is None:
            raise SkillforgeError(
                f"no skill named {name!r} in {skills_root(self.library)}",
                "run `skillforge route` to see the available skills",
            )
        self._withhold_unsafe_resources([name])
        if self.index.blocked[i]:
            raise SkillforgeError(
                f"skill {name!r} is withheld: {self.index.blocked[i]}",
                "run `skillforge validate` on the library and fix the skill",
            )
        return read_body(Path(self.index.paths[i]))

    @property
    def names(self) -> list[str]:
        return list(self.index.names)


def _threshold(library: Path, given: float | None) -> tuple[float, str]:
    """The abstention threshold and where it came from: given, learnt for this library, or the default."""
    if given is not None:
        return given, "given"
    from skillforge.route.calibrate import load_threshold

    learnt = load_threshold(library)
    return (learnt, "learnt") if learnt is not None else (ABSTAIN, "default")


def read_body(path: Path) -> str:
    """The markdown after the front matter of a SKILL.md (no YAML parsing needed)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            nl = text.find("\n", end + 4)
            return text[nl + 1 :] if nl != -1 else ""
    return text
