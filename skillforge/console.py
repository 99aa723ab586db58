"""The one place that writes to the terminal.

Two rich consoles: ``out`` (stdout) for results, ``err`` (stderr) for progress, warnings and errors.
Core modules never print; they return data that the CLI renders here. ``skillforge serve`` (MCP over
stdio) must never touch stdout, so nothing here writes to stdout unless the CLI asks for a result.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console


class _LazyConsole:
    """A rich Console created on first use: importing rich costs ~70 ms that ``--help`` and the
    route fast path should not pay."""

    def __init__(self, **options: Any):
        self._options = options
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            console = Console(**self._options)
            if not console.is_terminal:
                console.width = UNWRAPPED_WIDTH  # a file or a pipe: tables keep their natural width
            self._console = console
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


# Lines are never wrapped by rich (soft_wrap): a terminal folds a long line by itself, and a path stays one
# piece when copied; output that goes to a file or a pipe is not folded at all.
UNWRAPPED_WIDTH = 4096
out = _LazyConsole(highlight=False, soft_wrap=True, emoji=False)  # ":x:" in a path stays ":x:"
err = _LazyConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)

_state = {"verbose": 0, "quiet": False, "json": False}


def json_errors(on: bool) -> bool:
    """Set when a command's ``--json`` is parsed: its error is then a JSON document on stdout too (a
    script reading ``status`` sees ``error``, not an empty stdout). Returns ``on`` (a typer callback)."""
    _state["json"] = on
    return on


def new_command() -> None:
    """Forget what an earlier command run in this process set (its --json, a cut output line)."""
    _state["json"] = False
    _cut["line"] = False


def error_document(message: str, hint: str | None, code: int) -> None:
    """The error as ``--json`` shows it, when it was asked for."""
    if _state["json"]:
        print_json({"status": "error", "error": message, "hint": hint, "exit_code": code})


def configure(*, verbose: int = 0, quiet: bool = False) -> None:
    _state["verbose"] = verbose
    _state["quiet"] = quiet


def is_quiet() -> bool:
    return bool(_state["quiet"])


def verbose_level() -> int:
    return int(_state["verbose"])


def error(message: str, hint: str | None = None) -> None:
    err.print(f"[bold red]skillforge: error:[/] {_escape(message)}")
    if hint:
        err.print(f"  [dim]hint:[/] {_escape(hint)}")


def warn(message: str) -> None:
    if not _state["quiet"]:
        err.print(f"[yellow]warning:[/] {_escape(message)}")


def info(message: str) -> None:
    if not _state["quiet"]:
        err.print(_escape(message))


def print_result(status: str, data: dict[str, Any]) -> None:
    """A command's result as one JSON document on stdout, ``status`` first: every command's JSON says
    what it came to (``ok``, ``partial``, ``findings``, ``already_done``, …) in the same field."""
    print_json({"status": status, **data})


def print_json(data: Any) -> None:
    """One JSON document on stdout (machine output). A file name that is not UTF-8 (its undecodable
    bytes are surrogates, which JSON cannot carry) is written with those bytes as ``\\udcff``."""
    option = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    try:
        text = orjson.dumps(data, option=option).decode()
    except TypeError:
        text = orjson.dumps(_utf8(data), option=option).decode()
    with ctrl_c_held():  # whole or not at all: a Ctrl-C waits until the document is out
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _utf8(value: Any) -> Any:
    """``value`` with every string's lone surrogates written as backslash escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_utf8(k): _utf8(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_utf8(v) for v in value]
    return value


# A streamed line larger than this is built in a temporary file instead of memory (``docs/scale.md``).
LINE_SPOOL = 8 * 1024 * 1024


def print_jsonl(record: Any) -> None:
    """One JSON line on stdout (streamed machine output), written whole. A top-level value of a dict
    that is an iterator (a trajectory's steps) is serialised item by item, so a large record is never
    held whole as one object tree; the line is built aside (in memory, or a temporary file past
    ``LINE_SPOOL``) and then written and flushed with Ctrl-C held (:func:`ctrl_c_held`), so an
    interrupted stream ends with its last whole line."""
    import shutil
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=LINE_SPOOL) as line:
        if isinstance(record, dict) and any(isinstance(v, Iterator) for v in record.values()):
            _write_object(line, record)
        else:
            line.write(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS))
        line.write(b"\n")
        line.seek(0)
        sys.stdout.flush()  # text written before (none today) stays before this line
        with ctrl_c_held():
            shutil.copyfileobj(line, sys.stdout.buffer)
            sys.stdout.buffer.flush()


_cut = {"line": False}


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Run the block with Ctrl-C held: a first Ctrl-C interrupts (``KeyboardInterrupt``) once the block
    is done, so output written in it is never cut; a second one interrupts at once, and
    :func:`output_cut` then says so. Only where Python's own Ctrl-C handling is in place (the main
    thread, no other handler)."""
    import signal
    import threading

    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    pressed: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        if pressed:  # pressed again: the user means it
            _cut["line"] = True
            raise KeyboardInterrupt
        pressed.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


def output_cut() -> bool:
    """Whether a second Ctrl-C cut a line of stdout short (:func:`ctrl_c_held`)."""
    return _cut["line"]


def _write_object(out: Any, record: dict[str, Any]) -> None:
    sep = b"{"
    for key, value in record.items():
        out.write(sep + orjson.dumps(str(key)) + b":")
        sep = b","
        if not isinstance(value, Iterator):
            out.write(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
            continue
        inner = b"["
        for item in value:
            out.write(inner + orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS))
            inner = b","
        out.write(b"[]" if inner == b"[" else b"]")
    out.write(b"{}" if sep == b"{" else b"}")


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], target: _LazyConsole | None = None
) -> None:
    """A table on stdout (or ``target``: ``err`` when stdout carries a stream of records)."""
    from rich.measure import Measurement
    from rich.table import Table

    t = Table(title=title, title_justify="left", show_lines=False)
    for i, col in enumerate(columns):
        numeric = bool(rows) and all(isinstance(row[i], int | float) for row in rows)
        t.add_column(col, justify="right" if numeric else "left", no_wrap=numeric)
    for row in rows:
        t.add_row(*[str(cell) for cell in row])
    console = (target or out).get()
    if (
        Measurement.get(console, console.options.update(max_width=UNWRAPPED_WIDTH), t).maximum
        <= console.width
    ):
        console.print(t)
        return
    # too wide for this terminal: a table would split its cells (paths among them) over lines, so each
    # row is one plain line instead, which the terminal folds without breaking anything apart
    console.print(title, markup=False)
    console.print("  ".join(columns), markup=False, style="bold")
    for row in rows:
        console.print("  ".join(str(cell) for cell in row), markup=False)


def show_progress() -> bool:
    """Progress bars only for people: not with --json, not when stderr is not a terminal."""
    return err.is_terminal and not _state["quiet"]


@contextlib.contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Any]:
    """A progress bar on stderr, or a silent stand-in with the same ``advance()`` method."""
    if not show_progress():
        yield NullProgress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err.get(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield _Bar(bar, task)


class NullProgress:
    def advance(self, n: int = 1) -> None:
        pass

    def update(self, **_: Any) -> None:
        pass


class _Bar:
    def __init__(self, bar: Any, task: Any):
        self._bar, self._task = bar, task

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    def update(self, **kwargs: Any) -> None:
        self._bar.update(self._task, **kwargs)


def escape(text: str) -> str:
    """``text`` with rich markup made literal."""
    return _escape(text)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
