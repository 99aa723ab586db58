"""``skillforge route``'s one entry: its parser (stdlib argparse, cheap to import) and the call into
``skillforge.app``. ``skillforge.cli`` calls :func:`main` before typer loads, because agent hooks run
this on every prompt; the typer ``route`` command forwards here too, so there is one parser and one
path. Errors go through the shared boundary (:func:`skillforge.cli.boundary.guard`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from skillforge.cli.boundary import guard


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A usage error is raised (the boundary says it once), never printed here."""
        from skillforge.errors import UsageError

        raise UsageError(f"route: {message}", "see skillforge route --help")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="skillforge route",
        description="Choose the right skills for a task: pointers (name, description, path, why) and the "
        "top skill's body.",
    )
    p.add_argument("task", nargs="?", metavar="TASK", help="The task (default: read from stdin).")
    p.add_argument(
        "--library", "-L", metavar="PATH", help="The skill library (default: . or SKILLFORGE_LIBRARY)."
    )
    p.add_argument(
        "-k", "--k", type=_count(1), metavar="N", help="How many skills (default: setting route_k)."
    )
    p.add_argument(
        "--format",
        dest="fmt",
        default="markdown",
        metavar="markdown|json|xml",
        help="Output: markdown (default), json or xml.",
    )
    p.add_argument(
        "--max-tokens",
        type=_count(0),
        metavar="N",
        help="Budget for the output (default: route_max_tokens; 0: pointers only).",
    )
    p.add_argument(
        "--hook",
        metavar="AGENT",
        help="Agent hook mode: claude, codex, gemini or cline (hook JSON on stdin; never fails).",
    )
    p.add_argument("--cwd", metavar="FOLDER", help="The task's folder, for scope (default: .).")
    p.add_argument("--rerank", action="store_true", help="Re-rank candidates with the LLM provider.")
    p.add_argument("--json", action="store_true", help="Machine-readable JSON on stdout.")
    return p


def _count(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``least`` (``-k 0`` once meant the default k, and
    ``-k -1`` an empty answer that read as "no skill fits")."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be {least} or more, got {value}")
        return value

    return parse


def main(argv: list[str], debug: bool = False) -> int:
    """Run ``skillforge route ARGV``; returns the exit code (``debug``: errors raise, for a traceback)."""
    from skillforge.cli.render import render
    from skillforge.errors import UsageError

    try:
        ns = parser().parse_args(argv)
    except UsageError as exc:
        if any(a == "--hook" or a.startswith("--hook=") for a in argv):  # a hook never fails closed
            from skillforge.app.hook import unusable_command_line

            return render(unusable_command_line(argv, exc.message))
        error = exc
        from skillforge import console
        from skillforge.cli.boundary import asks_json

        console.json_errors(asks_json(argv))
        return guard(lambda: _raise(error), lambda: debug)
    except SystemExit as exc:  # --help was printed
        return int(exc.code or 0)
    if ns.hook:
        from skillforge.app import hook

        return render(hook.run(hook.HookArgs(ns.hook, ns.library, ns.k, ns.max_tokens)))
    from skillforge import console

    console.json_errors(bool(ns.json) or ns.fmt == "json")
    return guard(lambda: _route(ns, render), lambda: debug)


def _raise(exc: Exception) -> int:
    raise exc


def _route(ns: argparse.Namespace, render: object) -> int:
    from skillforge.app import load_settings
    from skillforge.app import route as command
    from skillforge.errors import UsageError

    if ns.fmt not in ("markdown", "json", "xml"):
        raise UsageError(f"unknown --format {ns.fmt!r}", "use markdown, json or xml")
    if ns.json and ns.fmt not in ("markdown", "json"):
        raise UsageError(f"--json and --format {ns.fmt} ask for two outputs", "pass one of them")
    fmt = "json" if ns.json else ns.fmt
    args = command.RouteArgs(ns.task, ns.k, fmt, ns.max_tokens, ns.cwd, ns.rerank)
    result = command.run(load_settings(ns.library), args)
    return render(result, fmt == "json")  # type: ignore[operator]
