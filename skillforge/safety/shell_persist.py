"""Commands stored where a shell runs them later, for the shell check: a line appended to a shell's startup
file (``echo 'curl … | sh' >> ~/.bashrc``), a crontab entry (``(crontab -l; echo '* * * * * curl … | sh') |
crontab -``), a prompt hook (``export PROMPT_COMMAND='…'``), an alias, a trap, and the git settings git
runs as shell commands (``git config core.fsmonitor '…'``, ``alias.x '!…'``, a filter's ``smudge``).

Each function returns (where, command text) pairs; :mod:`~skillforge.safety.shell` checks the text as a
snippet of its own, so a stored command is unsafe exactly when running it would be. Nothing here runs code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from skillforge.safety.shell_interpreters import base

Stored = tuple[str, str]  # (where the command is stored, the command)

# files a shell (or cron) reads and runs: login and interactive startup files, system ones, cron tables
_STARTUP_NAMES = frozenset(
    {".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin"}
    | {".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".login", "config.fish", "bash.bashrc", "zshrc", "profile"}
)
_STARTUP_DIRS = ("/etc/profile.d/", "/.config/fish/conf.d/", "/etc/zsh/", "/.git/hooks/", ".husky/")
_CRON_DIRS = ("/etc/cron.d/", "/etc/crontab", "/var/spool/cron/")
# the variables a shell runs as a command: before each prompt, in the prompt strings ($(…) is expanded)
PROMPT_VARIABLES = frozenset({"PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS4", "RPROMPT", "RPS1"})
# the git settings whose value git runs through a shell (core.hooksPath names a folder: nothing to read)
_GIT_KEYS = frozenset(
    {"core.fsmonitor", "core.sshcommand", "core.pager", "core.editor", "sequence.editor", "diff.external"}
    | {"credential.helper", "gpg.program", "core.askpass", "uploadpack.packobjectshook", "web.browser"}
)
_GIT_PATTERNS = re.compile(
    r"(?:alias|pager)\.[^.]+|filter\..+\.(?:clean|smudge|process)|diff\..+\.(?:textconv|command)"
    r"|merge\..+\.driver"
)
_CRON_LINE = re.compile(r"\s*(?:@\w+|(?:\S+\s+){4}\S+)\s+(.*)")
_ESCAPED_NEWLINE = re.compile(r"\\n")


def startup_file(path: str) -> str | None:
    """The kind of file ``path`` is when a shell or cron runs what it holds: ``"startup"``, ``"cron"`` or
    None (``~/.bashrc``, ``"$HOME/.zshrc"``, ``/etc/profile.d/x.sh``, ``/etc/cron.d/x``)."""
    path = path.strip("\"'")
    if any(d in path for d in _CRON_DIRS):
        return "cron"
    if base(path) in _STARTUP_NAMES or any(d in path for d in _STARTUP_DIRS):
        return "startup"
    return None


def printed(ws: list[str]) -> str | None:
    """What ``echo``/``printf`` prints (its escaped newlines as newlines), or None for another command."""
    if not ws or base(ws[0]) not in ("echo", "printf"):
        return None
    args = [w for w in ws[1:] if not (base(ws[0]) == "echo" and re.fullmatch(r"-[neE]+", w))]
    return _ESCAPED_NEWLINE.sub("\n", " ".join(args))


def written(text: str, kind: str, where: str) -> list[Stored]:
    """The commands ``text`` holds once written to a file of ``kind`` (a cron table's lines without their
    schedule, and a system table's user field)."""
    if kind != "cron":
        return [(where, text)]
    system = where.startswith("/etc/")
    return [(where, command) for command in cron_commands(text, system)]


def cron_commands(text: str, system: bool = False) -> list[str]:
    """The commands of a crontab's lines: each line's schedule (five fields or ``@reboot``) dropped, and
    the user field of a system table (``/etc/crontab``, ``/etc/cron.d``)."""
    out = []
    for line in text.splitlines():
        m = _CRON_LINE.fullmatch(line)
        if m is None or line.lstrip().startswith("#"):
            continue
        command = m[1]
        if system and " " in command:
            command = command.split(None, 1)[1]
        out.append(command)
    return out


def piped_into(commands: list[list[str]]) -> list[Stored]:
    """What a pipe writes where a shell runs it later: ``echo … | tee -a ~/.bashrc``, ``(crontab -l; echo
    '…') | crontab -``: the text the pipe's ``echo``/``printf`` stages print."""
    if len(commands) < 2 or not commands[-1]:
        return []
    sink = commands[-1]
    name = base(sink[0])
    if name == "crontab" and not any(w in ("-l", "-r", "-e") for w in sink[1:]):
        kind, where = "cron", "the crontab"
    elif name == "tee":
        files = [(k, w) for w in sink[1:] if not w.startswith("-") for k in (startup_file(w),) if k]
        if not files:
            return []
        kind, where = files[0]
    else:
        return []
    texts = [t for t in (printed(ws) for ws in commands[:-1]) if t]
    return [stored for text in texts for stored in written(text, kind, where)]


def defined(ws: list[str]) -> Iterator[Stored]:
    """Commands a command defines to run later: an alias's value, a trap's action, a git setting git runs
    through a shell (``git config core.fsmonitor '…'``, ``git -c alias.x='!…' x``)."""
    if not ws:
        return
    name = base(ws[0])
    if name == "alias":
        for w in ws[1:]:
            key, eq, value = w.partition("=")
            if eq:
                yield f"the alias {key}", value
    elif name == "trap" and len(ws) > 2:
        yield "a trap", ws[1]
    elif name == "git":
        yield from _git_settings(ws)


def _git_settings(ws: list[str]) -> Iterator[Stored]:
    for i, w in enumerate(ws[1:], 1):
        if ws[i - 1] == "-c" and "=" in w:
            key, _, value = w.partition("=")
            if _runs_as_shell(key):
                yield f"git's {key.lower()}", value.removeprefix("!")
    if "config" not in ws:
        return
    args = ws[ws.index("config") + 1 :]
    for i, w in enumerate(args[:-1]):
        if _runs_as_shell(w):
            yield f"git's {w.lower()}", args[i + 1].removeprefix("!")
            return


def _runs_as_shell(key: str) -> bool:
    low = key.lower()
    return low in _GIT_KEYS or _GIT_PATTERNS.fullmatch(low) is not None


def assigned(assignment: str) -> Stored | None:
    """``PROMPT_COMMAND='…'`` (a variable assignment's text, quotes kept): the command, or None."""
    name, eq, value = assignment.partition("=")
    if not eq or name.rstrip("+") not in PROMPT_VARIABLES:
        return None
    return f"${name.rstrip('+')}", _strip_quotes(value)


def _strip_quotes(value: str) -> str:
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value.removeprefix("$'").removesuffix("'") if value.startswith("$'") else value


def heredoc_target(ws: list[str], redirects: Iterable[str]) -> tuple[str, str] | None:
    """(kind, file) a here-document is written to: ``cat >> ~/.bashrc <<EOF``, ``tee -a ~/.zshrc <<EOF``."""
    if not ws or base(ws[0]) not in ("cat", "tee"):
        return None
    paths = list(redirects) if base(ws[0]) == "cat" else [w for w in ws[1:] if not w.startswith("-")]
    return next(((k, p) for p in paths for k in (startup_file(p),) if k), None)
