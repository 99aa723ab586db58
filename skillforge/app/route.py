"""``skillforge route``: choose the skills that fit a task (the task from the argument or stdin).

On every agent prompt this runs cold, so it imports only what routing needs: no typer, rich, SDKs or
mcp (``--rerank`` alone loads a provider).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillforge.config import Settings
from skillforge.errors import SkillforgeError, UsageError

if TYPE_CHECKING:
    from skillforge.route.rank import Match
    from skillforge.route.render import Body

FORMATS = ("markdown", "json", "xml")


@dataclass(frozen=True)
class RouteArgs:
    task: str | None = None  # None or "-": read from stdin
    k: int | None = None  # None: setting route_k
    fmt: str = "markdown"
    max_tokens: int | None = None  # None: setting route_max_tokens
    cwd: str | None = None
    rerank: bool = False


@dataclass(frozen=True)
class RouteResult:
    matches: tuple[Match, ...]
    body: Body | None
    fmt: str
    text: str  # the rendered answer (markdown, xml or the JSON document), redacted
    notes: tuple[str, ...] = ()  # said on stderr (why an empty library routes nothing)
    exit_code: int = 0

    @property
    def status(self) -> str:
        return "ok" if self.matches else "abstained"

    def to_dict(self) -> dict[str, Any]:
        from skillforge.route.render import render

        data = json.loads(self.text if self.fmt == "json" else render(list(self.matches), "json", self.body))
        data.pop("status", None)
        return dict(data)


def read_task(task: str | None) -> str:
    if task is None or task == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise SkillforgeError(
                "no task given", 'pass it as an argument: skillforge route "TASK", or on stdin'
            )
        task = sys.stdin.read()
    if not task.strip():
        raise SkillforgeError("the task is empty", 'pass a task: skillforge route "fix the flaky test"')
    return task


def run(settings: Settings, args: RouteArgs) -> RouteResult:
    from skillforge.route import Router
    from skillforge.route.command import check_library, empty_library_note
    from skillforge.route.feedback import log_matches
    from skillforge.route.render import pointer_tokens, render, top_body

    if args.fmt not in FORMATS:
        raise UsageError(f"unknown --format {args.fmt!r}", "use markdown, json or xml")
    library = Path(settings.library)
    task = read_task(args.task)
    check_library(library)
    router = Router(library, one_shot=not args.rerank)
    notes = () if router.names else (empty_library_note(library, len(router.index.problems)),)
    k = args.k or settings.route_k
    if args.rerank:
        from skillforge.route.rerank import rerank

        matches = rerank(settings, task, router.route(task, k=max(10, k), cwd=args.cwd or "."), k)
    else:
        matches = router.route(task, k=k, cwd=args.cwd or ".")
        log_matches(router.library, "cli", [m.name for m in matches])
    budget = settings.route_max_tokens if args.max_tokens is None else args.max_tokens
    body = top_body(router, matches, budget, pointer_tokens(matches))
    return RouteResult(tuple(matches), body, args.fmt, render(matches, args.fmt, body), notes)
