"""Tool calls understood: each typed action (:mod:`skillforge.model.actions`, decoded by the log
readers) becomes an :class:`Action` with its class (test / build / install / edit / explore / reproduce /
submit / other), the main program, the files it writes and its recipe form. A shell command is split
into its simple commands (``cmdline``) and each is classified (``classes``); the command that does the
most (submit, then any action over looking around) is the main one. A command run in a scratch folder
or on scratch files is marked ``scratch``. Results are cached per command text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from skillforge.distill.offline.classes import (
    ACTION_CLASSES,
    BUILD,
    CHECK,
    EDIT,
    EXPLORE,
    INSTALL,
    OTHER,
    REPRODUCE,
    SUBMIT,
    TEST,
    segment_class,
)
from skillforge.distill.offline.cmdline import (
    change_dir,
    dedupe,
    env_prefix,
    is_scratch_dir,
    is_scratch_file,
    normalise_recipe,
    pipes_into_filter,
    program,
    redirect_target,
    safe_split,
    split_heredoc,
    split_list,
    status_hidden,
    strip_wrappers,
    with_context,
)
from skillforge.model import Action as ToolAction
from skillforge.model import EditFile, Other, Patch, ReadFile, Search, Shell, Submit

__all__ = [
    "ACTION_CLASSES",
    "BUILD",
    "CHECK",
    "EDIT",
    "EXPLORE",
    "INSTALL",
    "OTHER",
    "REPRODUCE",
    "SUBMIT",
    "TEST",
]

# the line keeps a piped command's own status: `set -o pipefail`, or `exit ${PIPESTATUS[0]}` after it
_STATUS_KEPT = re.compile(r"pipefail|PIPESTATUS\[0\]")


@dataclass(slots=True)
class Action:
    """One tool call, understood: its class, the main program, what it writes, its recipe form."""

    cls: str
    program: str = ""
    recipe: str = ""  # normalised main command ('' for non-shell tools)
    classes: list[str] = field(default_factory=list)  # every segment's class, in order
    writes: list[str] = field(default_factory=list)  # files written (edit targets)
    heredoc: str = ""  # body of a `cat <<EOF > file` write, for code locations
    cwd: str = ""  # working folder of the main command, relative to the repository ('' = its root)
    scratch: bool = False  # ran in a scratch folder (/tmp, reproduce_issue/…) or on scratch files
    masked: bool = False  # the exit status is not the main command's own: a filter's after a pipe, or a
    # later command's (``; echo``, ``|| true``)


def classify(action: ToolAction | None, root: str | None = None) -> Action:
    """Understand one tool call from its typed action. ``root`` is the run's working directory: a
    shell command recorded in a folder under it starts there (``cd`` chains are followed from it)."""
    if isinstance(action, Shell):
        start = _below(action.cwd, root)
        return parse_command(f"cd {start} && {action.command}" if start else action.command)
    if isinstance(action, ReadFile | Search):
        return Action(EXPLORE, _verb(action), classes=[EXPLORE])
    if isinstance(action, EditFile):
        return Action(EDIT, _verb(action), classes=[EDIT], writes=[action.path] if action.path else [])
    if isinstance(action, Patch):
        return Action(EDIT, _verb(action), classes=[EDIT], writes=list(action.paths))
    if isinstance(action, Submit):
        return Action(SUBMIT, _verb(action), classes=[SUBMIT])
    return Action(OTHER, _verb(action), classes=[OTHER])


def _verb(action: ToolAction | None) -> str:
    """A non-shell action's program, the same whichever agent's tool did it (``edit-with:write``)."""
    if isinstance(action, EditFile):
        return "write" if action.created else "edit"
    if isinstance(action, Other):
        return action.tool
    return _VERBS.get(type(action), "")


_VERBS: dict[type, str] = {ReadFile: "read", Search: "search", Patch: "apply_patch", Submit: "submit"}


def _below(cwd: str | None, root: str | None) -> str:
    """``cwd`` relative to ``root`` when it is a folder under it, else ''."""
    if not cwd or not root:
        return ""
    prefix = root.rstrip("/") + "/"
    return cwd[len(prefix) :].strip("/") if cwd.startswith(prefix) else ""


CACHE_MAX_CHARS = 2000


@lru_cache(maxsize=8192)
def _parse(command: str) -> Action:
    body, heredoc, heredoc_target = split_heredoc(command.replace("\\\n", " "))
    parts = split_list(body)
    classes: list[str] = []
    writes: list[str] = [heredoc_target] if heredoc_target else []
    main, main_cls, main_ctx, main_raw, main_at = "", OTHER, ("", ""), "", 0
    cwd, exported = "", ""
    for at, (raw, _op) in enumerate(parts):
        seg = strip_wrappers(raw)
        if re.match(r"^(?:cd|pushd)\b", seg):
            cwd = change_dir(cwd, seg.split(None, 1)[1] if " " in seg else "")
            continue
        if re.match(r"^export\s+\w+=", seg):
            exported = f"{exported} {seg.split(None, 1)[1]}".strip()
            continue
        if not seg or seg.startswith("#") or re.match(r"^(?:popd|source|\.|export|set)\b", seg):
            continue
        cls = segment_class(seg)
        classes.append(cls)
        writes.extend(writes_of(seg, cls))
        if _takes_over(cls, main_cls):
            main, main_cls, main_ctx = seg, cls, (cwd, f"{exported} {env_prefix(raw)}".strip())
            main_raw, main_at = raw, at
    if heredoc_target and main_cls in (EXPLORE, OTHER):
        main_cls = EDIT
    prog = program(main)
    recipe = ""
    if main_cls in (TEST, BUILD, INSTALL, CHECK):
        recipe = with_context(normalise_recipe(main, main_cls, main_ctx[0]), *main_ctx)
    scratch = is_scratch_dir(main_ctx[0]) or any(is_scratch_file(w) for w in safe_split(main)[1:])
    masked = (pipes_into_filter(main_raw) and not _STATUS_KEPT.search(body)) or status_hidden(parts, main_at)
    return Action(
        main_cls,
        prog,
        recipe,
        classes or [OTHER],
        dedupe(writes),
        heredoc,
        main_ctx[0],
        scratch,
        masked,
    )


def _takes_over(cls: str, main_cls: str) -> bool:
    """Whether a later segment becomes the command's main action (submit wins; actions beat looking; a
    check after a test, build or install leaves it the main one)."""
    if cls == SUBMIT:
        return True
    if main_cls == SUBMIT or (cls == OTHER and main_cls == EXPLORE):
        return False
    if cls == CHECK and main_cls in (TEST, BUILD, INSTALL):
        return False  # `go test ./... && go vet ./...` is a test run, then a check
    return cls not in (EXPLORE, OTHER) or main_cls in (EXPLORE, OTHER)


def parse_command(command: str) -> Action:
    command = command.strip()
    # repeated short commands come from the cache; long ones (heredoc file writes) are rarely
    # repeated and would keep megabytes alive in it
    act = _parse(command) if len(command) <= CACHE_MAX_CHARS else _parse.__wrapped__(command)
    return Action(
        act.cls,
        act.program,
        act.recipe,
        list(act.classes),
        list(act.writes),
        act.heredoc,
        act.cwd,
        act.scratch,
        act.masked,
    )


def writes_of(seg: str, cls: str) -> list[str]:
    if cls != EDIT:
        return []
    words = safe_split(seg)
    if words and words[0] in ("sed", "gsed", "perl"):
        args = [w for w in words[1:] if not w.startswith("-")]
        has_e = any(w == "-e" or w.startswith("-e") for w in words[1:])
        files = args if has_e else args[1:]
        return [w for w in files if "/" in w or "." in w]
    target = redirect_target(seg)
    return [target] if target else []
