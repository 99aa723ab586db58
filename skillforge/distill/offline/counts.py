"""Run counts in the offline skills' text, merged when a later run updates a skill: a bullet seen again
(the same point, :func:`bullet_key`) gets its counts raised ("seen in 3 runs" + "seen in 2 runs" ->
"seen in 5 runs"), and so do the intro ("Read 35 past runs …; 25 of them support a point below") and the
description. Text a person edited keeps its words.

Distill only hands consolidation the runs the library has not learnt from yet, so old and new counts
never overlap: they add up.
"""

from __future__ import annotations

import re

from skillforge.distill.offline.cmdline import same_command

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# what templates/offline/lesson_error_recovery.j2 brackets before the fix, varying from run to run:
# "(or `c` in 1, `d` in 2)", "(`h` ran in between in 2)"
_ASIDE = re.compile(r" \((?:or )?`.*? in \d+\)")
_PLURAL = re.compile(r"\b(run|point)s\b")  # "1 run", "1 point" (the agent warnings' description)
# "3 of 4", "seen in 3 runs", "2 resolved" (not "2 resolved runs", which is the "of" total's noun),
# "70 complaints cost 71 turns" (harness complaints)
_COUNTS = re.compile(
    r"\b(\d+) of (\d+)\b|\bseen in (\d+) runs?\b|\b(\d+) resolved\b(?! runs)"
    r"|\b(\d+) complaints cost (\d+) turns\b"
)
# a recipe's other commands and the runs each worked in (templates/offline/lesson_recipe.j2):
# "Also worked: `python3 tests/runtests.py <tests>` (6), `tox` (2)", raised command by command
_ALSO = re.compile(r"(`[^`\n]+`) \((\d+)\)")
# an error recovery's other failing commands and helper steps (templates/offline/lesson_error_recovery.j2):
# "(or `c` in 1, `d` in 2)", "(`h` ran in between in 2)", raised command by command the same way
_ASIDE_COUNT = re.compile(r"(`[^`\n]+`(?: ran in between)? in )(\d+)\b")
# the counts of the intro and description templates (templates/offline/intro_*.j2, description_*.j2):
# runs read, resolved, supporting (not a count of points, which merging bullets does not add up)
_INTRO_COUNT = re.compile(
    r"\b\d+(?= past (?:agent )?runs\b| resolved\b| of them\b| of the \d+ past\b| runs(?:, each with its own counts)?\)\.)"
)


def merge_bullets(old_lines: list[str], lines: list[str]) -> tuple[list[str] | None, list[str]]:
    """(the section's lines with matching bullets' counts merged, or None when none changed; the new
    bullets). Blank lines and prose under the heading are kept as they are."""
    keys = {bullet_key(ln): i for i, ln in enumerate(old_lines) if ln.startswith("- ")}
    merged = list(old_lines)
    added: list[str] = []
    for line in lines:
        k = bullet_key(line)
        if k in keys:
            merged[keys[k]] = merge_counts(old_lines[keys[k]], line)
        elif line not in added:
            added.append(line)
    return (merged if merged != old_lines else None), added


def bullet_key(line: str) -> str:
    """What makes a bullet the same point as another: its words up to its counts' bracket, numbers
    masked, without the other commands and helper steps a run met (another run meets others); a
    recipe's command as :func:`same_command` tells it apart (a run that typed
    ``python3 tests/runtests.py`` raises the bullet of ``tests/runtests.py``)."""
    if line.startswith("- "):
        line = _ASIDE.sub("", line).split("(", 1)[0]
        line = _RECIPE_HEAD.sub(lambda m: f"{m.group(1)}{same_command(m.group(2))}`", line, count=1)
    return _NUMBER.sub("#", line).strip()


# a recipe bullet's verb and command (templates/offline/lesson_recipe.j2), up to the command's closing "`"
_RECIPE_HEAD = re.compile(r"^(- [^`\n]+: `)([^`\n]+)`")


def merge_counts(old: str, new: str) -> str:
    """The new line with the old line's run counts added ("seen in 3 runs" + "seen in 2 runs" ->
    "seen in 5 runs", "3 of 4" + "1 of 2" -> "4 of 6", harness complaints and the turns they cost),
    count by count of the same kind in order.
    Distill only hands consolidation the runs the library has not learnt from yet, so the two never
    overlap: a line the new runs write word for word as the old one adds up too ("seen in 2 runs" twice is
    "seen in 4 runs"). Medians and p-values are taken from the new line. When the old line's words differ from
    the new one's (numbers aside), a person edited it: its words are kept and only its counts added to."""
    if _words(old) != _words(new):
        return _add_counts(old, new)
    return _add_counts(new, old)


def add_counts(new: str, waiting: str) -> str:
    """The text of this run's lesson with the run counts of the same lesson waiting from an earlier run
    (``.skillforge/pending.json``) added: they make its support together, so its text counts both. The
    words, medians and p-values are this run's. A waiting text that says another thing (a lesson is
    joined by its signature: the earlier runs' test command was another) adds nothing to this text's
    counts: its runs did not do what this text says ('`pytest <tests>` worked in 4 of 4' where
    `python3 -m pytest` was the 4th); a recipe's other command joins its "Also worked" instead, and so
    does an error recovery's other fix (:func:`_join_fixes`)."""
    if bullet_key(new) != bullet_key(waiting):
        return _join_recipes(new, waiting) or _join_fixes(new, waiting) or new
    return _add_counts(new, waiting)


# a recipe bullet's opening (templates/offline/lesson_recipe.j2): its verb, command and runs counted
_RECIPE = re.compile(r"^(- [^`\n]+: )`([^`\n]+)` \(worked in (\d+) of (\d+) runs\b")
_ALSO_LIST = re.compile(r" Also worked: (?:`[^`\n]+` \(\d+\)(?:, )?)+\.")


def _join_recipes(new: str, waiting: str) -> str | None:
    """This run's recipe bullet with a waiting recipe of the same kind whose command was another: the
    runs where the kind worked add up ("worked in 1 of 2"), the command stays this run's with its own
    runs, and the waiting command joins "Also worked" with the runs it worked in, so the bullet accounts
    for every run of the lesson's support (written as this run's alone, a skill the gate let in with 2
    runs said "seen in 1 run"). None when the two are not recipe bullets of the same verb."""
    n, w = _RECIPE.match(new), _RECIPE.match(waiting)
    if n is None or w is None or n.group(1) != w.group(1):
        return None
    main, worked = f"`{n.group(2)}`", int(n.group(3))
    also = _also(new)
    for cmd, count in [*_also(waiting).items(), (f"`{w.group(2)}`", int(w.group(3)))]:
        if _command(cmd) == _command(main):  # the same command typed another way (an older run's text)
            worked += count
            continue
        same = next((c for c in also if _command(c) == _command(cmd)), cmd)
        also[same] = also.get(same, 0) + count
    total = str(int(n.group(4)) + int(w.group(4)))
    text = _ALSO_LIST.sub("", f"{new[: n.start(3)]}{worked} of {total}{new[n.end(4) :]}", count=1)
    close = text.find(").", n.end())
    if close < 0:
        return None
    if not also:
        return text
    listed = ", ".join(f"{cmd} ({count})" for cmd, count in also.items())
    return f"{text[: close + 2]} Also worked: {listed}.{text[close + 2 :]}"


# an error recovery bullet (templates/offline/lesson_error_recovery.j2): what worked, in how many of the
# runs that met the error: "what worked: `fix` (1 of 2 runs; " or "run `h` first; then it worked (1 of 2 runs; "
_RECOVERY = re.compile(r"^- When `[^`\n]+`")
_WORKED = re.compile(
    r"(?:, what worked: `(?P<fix>[^`\n]+)`|, run `(?P<helper>[^`\n]+)`(?: or `[^`\n]+`)? first; then it worked)"
    r" \((?P<n>\d+) of (?P<total>\d+) runs; "
)


def _join_fixes(new: str, waiting: str) -> str | None:
    """This run's error recovery bullet with a waiting one of the same error whose fix (or failing
    command) was another: the runs that met the error add up ("1 of 2 runs; seen in 2 runs", as one
    pass over all the runs says), the fix stays this run's with its own runs (raised by the waiting
    runs when the fix is the same), and the waiting fix joins "Also worked" with the runs it worked in.
    Written as this run's alone, a lesson of 2 runs said "1 of 1 runs; seen in 1 run". None when the
    two are not error recovery bullets."""
    n, w = _WORKED.search(new), _WORKED.search(waiting)
    if n is None or w is None or not (_RECOVERY.match(new) and _RECOVERY.match(waiting)):
        return None
    main, other = f"`{n['fix'] or n['helper']}`", f"`{w['fix'] or w['helper']}`"
    worked = int(n["n"]) + (int(w["n"]) if other == main else 0)
    text = f"{new[: n.start('n')]}{worked} of {int(n['total']) + int(w['total'])}{new[n.end('total') :]}"
    also = _also(text)
    for cmd, count in [*_also(waiting).items(), *([(other, int(w["n"]))] if other != main else [])]:
        if cmd != main:
            also[cmd] = also.get(cmd, 0) + count
    rest = waiting[: w.start("n")] + waiting[w.end("total") :]  # its runs' other counts: seen, resolved
    text = _add_counts(_ALSO_LIST.sub("", text, count=1), _ALSO_LIST.sub("", rest, count=1))
    close = text.find(").", n.start())
    if close < 0:
        return None
    if not also:
        return text
    listed = ", ".join(f"{cmd} ({count})" for cmd, count in also.items())
    return f"{text[: close + 2]} Also worked: {listed}.{text[close + 2 :]}"


def _command(quoted: str) -> str:
    """A quoted command (```python3 tests/runtests.py <tests>```) as :func:`same_command` tells it apart."""
    return same_command(quoted.strip("`"))


def _also(line: str) -> dict[str, int]:
    """A recipe bullet's other commands and their runs ("Also worked: `tox` (2)")."""
    m = _ALSO_LIST.search(line)
    return {c.group(1): int(c.group(2)) for c in _ALSO.finditer(m.group(0))} if m else {}


def _words(line: str) -> str:
    """A line with its numbers masked and plurals of "run" and "point" made singular: what a person's
    edit changes."""
    return _PLURAL.sub(r"\1", _NUMBER.sub("#", line))


def _add_counts(into: str, other: str) -> str:
    """``into`` with each of its counts raised by ``other``'s count of the same kind, in order, and each
    other command of a recipe by the same command's runs in ``other``."""
    olds: dict[int, list[re.Match[str]]] = {}
    for m in _COUNTS.finditer(other):
        olds.setdefault(_count_kind(m), []).append(m)

    def add(m: re.Match[str]) -> str:
        kind = _count_kind(m)
        prev = olds.get(kind)
        if not prev:
            return m.group(0)
        o = prev.pop(0)
        if kind == 0:
            return f"{int(m.group(1)) + int(o.group(1))} of {int(m.group(2)) + int(o.group(2))}"
        if kind == 3:
            return f"{int(m.group(5)) + int(o.group(5))} complaints cost {int(m.group(6)) + int(o.group(6))} turns"
        n = int(m.group(kind + 2)) + int(o.group(kind + 2))
        return f"seen in {n} run{'s' if n != 1 else ''}" if kind == 1 else f"{n} resolved"

    also: dict[str, int] = {}
    for m in _ALSO.finditer(other):  # by command, however each line typed it
        also[_command(m.group(1))] = also.get(_command(m.group(1)), 0) + int(m.group(2))
    asides = {m.group(1): int(m.group(2)) for m in _ASIDE_COUNT.finditer(other)}
    raised = _COUNTS.sub(add, into)
    raised = _ALSO.sub(
        lambda m: f"{m.group(1)} ({int(m.group(2)) + also.pop(_command(m.group(1)), 0)})", raised
    )
    return _ASIDE_COUNT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + asides.get(m.group(1), 0)}", raised)


def _count_kind(m: re.Match[str]) -> int:
    """0: "N of M", 1: "seen in N runs", 2: "N resolved", 3: "N complaints cost M turns"."""
    if m.group(5) is not None:
        return 3
    return 0 if m.group(1) is not None else (1 if m.group(3) is not None else 2)


def merge_intro(old: str, new: str) -> str | None:
    """The intro of a skill a later run updates: the old intro with each of its run counts raised by
    the new intro's (runs read, resolved, supporting); None when the old one's words differ from what
    the new run wrote (a person edited it, or the template changed): it is left as it is. A "(N
    resolved)" only one of the two has (runs with and without known outcomes) is no edit: the old
    intro's words are kept, and its resolved count, if it has one, is raised by the new one's, if any
    (a labelled run after unlabelled ones left "the 3 past agent runs read" as it was)."""
    if _words(_RESOLVED.sub("", old)) != _words(_RESOLVED.sub("", new)):
        return None
    olds, news = _intro_counts(old), _intro_counts(new)
    if [kind for kind, _ in olds if kind] != [kind for kind, _ in news if kind]:
        return None
    resolved = iter([n for kind, n in news if not kind])
    others = iter([n for kind, n in news if kind])

    def add(m: re.Match[str]) -> str:
        n = int(m.group(0))
        return str(n + (next(resolved, 0) if _is_resolved(m) else next(others)))

    merged = _INTRO_COUNT.sub(add, old)
    return None if merged == old else merged


_RESOLVED = re.compile(r" \(\d+ resolved\)")


def _intro_counts(text: str) -> list[tuple[str, int]]:
    """(kind, count) of an intro's run counts in order; kind "" for a resolved count, else the words
    after the count ("past agent runs", "of them", …)."""
    return [
        ("" if _is_resolved(m) else m.string[m.end() : m.end() + 8], int(m.group(0)))
        for m in _INTRO_COUNT.finditer(text)
    ]


def _is_resolved(m: re.Match[str]) -> bool:
    return m.string.startswith(" resolved", m.end())
