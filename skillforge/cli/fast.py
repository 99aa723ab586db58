"""``skillforge route``'s one entry: its parser (stdlib argparse, cheap to import) and the call into
``skillforge.app``. ``skillforge.cli`` calls :func:`main` before typer loads, because agent hooks run
this on every prompt; the typer ``route`` command forwards here too, so there is one parser and one
path. Errors go through the shared boundary (:func:`skillforge.cli.boundary.guard`)."""

from __future__ import annotations

import argparse

from skillforge.cli.boundary import guard


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="skillforge route",
        description="Choose the right skills for a task: pointers (name, description, path, why) and the "
        "top skill's body.",
    )
    p.add_argument("task", nargs="?", metavar="TASK", help="The task (default: read from stdin).")
    p.add_argument(
        "--library", "-L", metavar="PATH", help="The skill library (default: . or SKILLFORGE_LIBRARY)."
    )
    p.add_argument("-k", "--k", type=int, metavar="N", help="How many skills (default: setting route_k).")
    p.add_argument("--format", dest="fmt", default="markdown", metavar="markdown|json|xml")
    p.add_argument(
        "--max-tokens", type=int, metavar="N", help="Budget for the output (default: route_max_tokens)."
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


def main(argv: list[str]) -> int:
    """Run ``skillforge route ARGV``; returns the exit code."""
    from skillforge.cli.render import render

    hooked = any(a == "--hook" or a.startswith("--hook=") for a in argv)
    try:
        ns = parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        if hooked and exc.code:
            from skillforge.app.hook import unusable_command_line

            return render(unusable_command_line(argv, "bad options"))
        return 0 if not exc.code else 2
    if ns.hook:
        from skillforge.app import hook as command

        return render(command.run(command.HookArgs(ns.hook, ns.library, ns.k, ns.max_tokens)))
    return guard(lambda: _route(ns, render))


def _route(ns: argparse.Namespace, render: object) -> int:
    from skillforge.app import load_settings
    from skillforge.app import route as command
    from skillforge.errors import UsageError

    if ns.json and ns.fmt not in ("markdown", "json"):
        raise UsageError(f"--json and --format {ns.fmt} ask for two outputs", "pass one of them")
    fmt = "json" if ns.json else ns.fmt
    args = command.RouteArgs(ns.task, ns.k, fmt, ns.max_tokens, ns.cwd, ns.rerank)
    result = command.run(load_settings(ns.library), args)
    return render(result, fmt == "json")  # type: ignore[operator]
