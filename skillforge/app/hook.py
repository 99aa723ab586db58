"""``skillforge route --hook AGENT``: the agent's hook JSON on stdin, the agent's JSON out; fails open.

Every failure, from the settings to a closed stdout, prints nothing, exits 0 and is appended to
``hooks.log`` (:func:`skillforge.route.hooks.log_failure`). k and the token budget come from the
route_k and route_max_tokens settings unless the command line gives them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from skillforge.app import load_settings
from skillforge.route import hooks


@dataclass(frozen=True)
class HookArgs:
    agent: str
    library: str | None = None
    k: int | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class HookResult:
    agent: str
    text: str  # what goes to stdout ("" prints nothing)
    status: str = "ok"
    exit_code: int = 0  # a hook never fails closed

    def to_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "output": self.text}


def run(args: HookArgs) -> HookResult:
    """The hook's answer; the settings are loaded here, inside the fail-open guard."""
    try:
        settings = load_settings(args.library)
        # no library named anywhere: the hook's own working folder (from the event) is the library
        library = settings.library if settings.sources.get("library") != "default" else None
        k = args.k or settings.route_k
        budget = settings.route_max_tokens if args.max_tokens is None else args.max_tokens
        text = hooks.respond(args.agent, read_event(), library, k, budget)
    except BaseException as exc:  # fail open, whatever happened
        if not isinstance(exc, KeyboardInterrupt | SystemExit):
            hooks.log_failure(args.agent, exc)
        return HookResult(args.agent, "")
    return HookResult(args.agent, text)


def unusable_command_line(argv: list[str], reason: str) -> HookResult:
    """A hook whose own command line cannot be parsed still fails open."""
    agent = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--hook"), "route")
    hooks.log_failure(agent, ValueError(f"unusable hook command line: {' '.join(argv)} ({reason})"))
    return HookResult(agent, "")


def emit(result: HookResult) -> None:
    """Write the hook's answer; a closed stdout (the agent went away) is logged, never raised."""
    try:
        sys.stdout.write(result.text)
        sys.stdout.flush()
    except Exception as exc:
        hooks.log_failure(result.agent, exc)
        _drop_stdout()


def read_event() -> str:
    """The hook's stdin: at most :data:`hooks.MAX_STDIN` bytes, and end of input within
    :data:`hooks.STDIN_SECONDS` (an agent that keeps stdin open never hangs the hook)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # not a real stream (in-process callers)
        data = sys.stdin.read(hooks.MAX_STDIN + 1)
        if len(data) > hooks.MAX_STDIN:
            raise ValueError(f"hook input is larger than {hooks.MAX_STDIN} characters") from None
        return data
    from skillforge.safety.stdin import read_bounded

    return read_bounded(fd, hooks.MAX_STDIN, hooks.STDIN_SECONDS, _whole_json).decode(
        "utf-8", errors="replace"
    )


def _whole_json(data: bytes) -> bool:
    """Whether ``data`` is a whole JSON object already (the payload, before any end of file)."""
    import orjson

    try:
        return isinstance(orjson.loads(data), dict)
    except orjson.JSONDecodeError:
        return False


def _drop_stdout() -> None:
    """Point stdout at the null device so that the interpreter's final flush cannot fail (exit 120)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except Exception:
        pass
