"""``skillforge install AGENT``: wire an agent to the library without clobbering its settings.

Per agent (``--project``: paths under the current folder; ``--user``: under the home folder):

==========  =====================================================  ==================================
agent       prompt hook                                            MCP server
==========  =====================================================  ==================================
claude      ``.claude/settings.json`` hooks.UserPromptSubmit       ``.mcp.json`` (user: ``~/.claude.json``)
codex       ``.codex/hooks.json`` hooks.UserPromptSubmit           ``.codex/config.toml`` [mcp_servers.skillforge]
gemini      ``.gemini/settings.json`` hooks.BeforeAgent            same file, mcpServers
cline       executable ``.clinerules/hooks/UserPromptSubmit``      (configured in Cline's UI)
            (user: ``~/Documents/Cline/Hooks/UserPromptSubmit``)
cursor      rule ``.cursor/rules/skillforge.mdc`` (project only)   ``.cursor/mcp.json``
==========  =====================================================  ==================================

and every skill of the library that route would hand out is symlinked into ``.claude/skills/`` and
``.agents/skills/`` (see :func:`skillforge.integrations.files.links_step`).
JSON files are merged key by key (unknown keys kept, order and layout kept, line ends too); the TOML entry is a marked
block appended to the file; every write is atomic; running install twice changes nothing. What install
created or changed (files, folders, JSON containers, links, a file's bytes when its layout cannot be
rewritten exactly) is recorded in ``config.home()/installs/``; ``--uninstall`` finds skillforge's
entries by shape (whatever library they name) and leaves every file as it was before install.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import partial
from pathlib import Path
from typing import Any

from skillforge import config
from skillforge.errors import SkillforgeError, UsageError
from skillforge.fsutil import atomic_write
from skillforge.integrations import entries
from skillforge.integrations.files import Step, file_step, links_step, toml_step
from skillforge.integrations.merge import (
    JsonEdit,
    add_json,
    detect_style,
    dump,
    put_back,
    remove_json,
    value_at,
)
from skillforge.integrations.plan import (
    Action,
    Plan,
    make_dirs,
    read_text,
    remove_created_dirs,
    write_text,
)

AGENTS = ("claude", "codex", "gemini", "cline", "cursor")
RULE = (
    "---\ndescription: Team skill library routing\nalwaysApply: true\n---\n"
    "Before starting a non-trivial task, call the `search_skills` tool of the `skillforge` MCP server "
    'with the task (or run `skillforge route "<task>"`), then read the SKILL.md of the best match.\n'
)
CLINE_MARKER = "# installed by skillforge install cline"


def install(
    agent: str,
    library: Path,
    project: Path,
    *,
    user: bool = False,
    dry_run: bool = False,
    uninstall: bool = False,
) -> list[Action]:
    """Install (or uninstall) skillforge for ``agent``; the actions taken, empty when nothing changed."""
    if agent not in AGENTS:
        raise UsageError(f"unknown agent {agent!r}", f"use one of: {', '.join(AGENTS)}")
    library = library.resolve()
    if not uninstall and not library.is_dir():
        raise SkillforgeError(f"{library}: no such skill library", "pass --library PATH")
    base = Path.home() if user else project.resolve()
    state_file = _state_file(agent, base)
    state = _read_state(state_file)
    known = state_file.exists()
    if not dry_run:  # where install records what it adds, made first: a failure there writes nothing
        try:
            state_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SkillforgeError(
                f"cannot write {state_file.parent}: {exc.strerror or exc}",
                "set SKILLFORGE_HOME to a folder you may write (install records there what it adds)",
            ) from None
    shared = _shared_dirs(agent, base)
    memo: dict[str, Any] = {}  # the dry pass's findings serve the real one
    if not dry_run:  # a dry pass first: a file that cannot be merged stops us before anything is written
        dry = Plan(library, base, user, True, copy.deepcopy(state), [], known, shared_dirs=shared, memo=memo)
        _apply(agent, dry, uninstall)
    before = copy.deepcopy(state)
    plan = Plan(library, base, user, dry_run, state, [], known, shared_dirs=shared, memo=memo)
    try:
        _apply(agent, plan, uninstall)
    except OSError as exc:  # a read-only project, or a file where a folder goes: say where, no traceback
        where = exc.filename or base
        raise SkillforgeError(
            f"cannot write {where}: {exc.strerror or exc}",
            "run it where you may write (or pass --user); skillforge install "
            f"{agent} --uninstall removes anything written before this",
        ) from None
    if not dry_run:
        if uninstall:
            state_file.unlink(missing_ok=True)
        elif plan.state != before or not known:
            # keys in their own order: a replaced entry is put back as it was written
            atomic_write(state_file, json.dumps(plan.state, indent=2) + "\n")
            state_file.chmod(0o600)  # it may hold a copy of a settings file
    return plan.actions


def _apply(agent: str, plan: Plan, uninstall: bool) -> None:
    for step in _steps(agent, plan):
        step(plan, uninstall)


def _steps(agent: str, plan: Plan) -> list[Step]:
    b, lib = plan.base, plan.library
    steps = _settings_steps(agent, plan)
    if agent == "codex":
        steps.append(toml_step(b / ".codex" / "config.toml"))
    if agent == "cline":
        folder = b / "Documents" / "Cline" / "Hooks" if plan.user else b / ".clinerules" / "hooks"
        script = f"#!/bin/sh\n{CLINE_MARKER}\nexec {entries.hook_command('cline', lib)}\n"
        steps.append(
            file_step(folder / "UserPromptSubmit", script, marker=CLINE_MARKER, hook="cline", executable=True)
        )
    if agent == "cursor" and not plan.user:
        steps.append(file_step(b / ".cursor" / "rules" / "skillforge.mdc", RULE))
    for folder in (b / ".claude" / "skills", b / ".agents" / "skills"):
        steps.append(links_step(folder))
    return steps


def _settings_steps(agent: str, plan: Plan) -> list[Step]:
    """The agent's JSON settings: its prompt hook and its MCP server entry, where it has them."""
    b, lib = plan.base, plan.library
    hooks_json = {
        "claude": b / ".claude" / "settings.json",
        "codex": b / ".codex" / "hooks.json",
        "gemini": b / ".gemini" / "settings.json",
    }
    edits: dict[Path, list[JsonEdit]] = {}  # per file (Gemini's one settings.json has both)
    if agent in hooks_json:
        hook: dict[str, Any] = {"type": "command", "command": entries.hook_command(agent, lib)}
        hook |= {"name": "skillforge", "timeout": 10000} if agent == "gemini" else {"timeout": 10}
        event = "BeforeAgent" if agent == "gemini" else "UserPromptSubmit"
        edit = JsonEdit(
            ["hooks", event], {"hooks": [hook]}, True, partial(entries.is_our_hook_group, agent=agent)
        )
        edits.setdefault(hooks_json[agent], []).append(edit)
    mcp_json = {
        "claude": b / (".claude.json" if plan.user else ".mcp.json"),
        "gemini": b / ".gemini" / "settings.json",
        "cursor": b / ".cursor" / "mcp.json",
    }
    if agent in mcp_json:
        edit = JsonEdit(["mcpServers", "skillforge"], entries.mcp_entry(lib), False, entries.is_our_mcp)
        edits.setdefault(mcp_json[agent], []).append(edit)
    return [_json_step(path, edit, together) for path, together in edits.items() for edit in together]


# -- JSON settings -----------------------------------------------------------------------------------


def _json_step(path: Path, edit: JsonEdit, together: list[JsonEdit]) -> Step:
    """Add (or remove) ``edit`` in ``path``; ``together``: every edit install makes to that file."""

    def step(plan: Plan, uninstall: bool) -> None:
        text = read_text(path)
        try:
            data = _parse_json(path, text)
        except SkillforgeError:
            bare = None if text is None else _without_comments(text)
            if bare is None:
                raise
            if not uninstall:
                raise _comments_error(path, together) from None
            ours = [e for e in together if remove_json(copy.deepcopy(bare), e, [])]
            if ours:
                raise _comments_error(path, ours, uninstall=True) from None
            return  # nothing of skillforge's in it: nothing to uninstall
        if uninstall:
            _json_remove(plan, path, edit, text or "", data)
        else:
            _json_add(plan, path, edit, text, data)

    return step


def _json_add(plan: Plan, path: Path, edit: JsonEdit, text: str | None, data: dict[str, Any] | None) -> None:
    new = {} if data is None else data
    unrecorded = (
        str(path) not in plan.recorded
    )  # as earlier installs left it: Gemini's two edits share a file
    previous = copy.deepcopy(value_at(new, edit.keys))
    outcome, created = add_json(new, edit)
    what = ".".join(edit.keys)
    if outcome == "clash":
        plan.act("skip", path, f"{what} exists with other values")
    if outcome in ("clash", "present"):
        return
    record = plan.state.setdefault("json", {}).setdefault(
        str(path), {"created_file": text is None, "created": []}
    )
    detail = f"{outcome} {what}"
    if outcome == "updated" and unrecorded:
        # a skillforge-shaped entry no install of ours recorded: it may be the user's own; uninstall puts it back
        record.setdefault("replaced", {})[what] = previous
        detail = f"replaced {what}, a skillforge entry no install recorded (--uninstall puts it back)"
    if text is not None and dump(_parse_json(path, text), detect_style(text)) != text:
        record.setdefault("original", text)  # a layout that cannot be rewritten exactly: keep its bytes
    record["created"] = sorted({tuple(c) for c in record["created"]} | set(created))
    plan.act("create" if text is None else "merge", path, detail)
    if not plan.dry_run:
        make_dirs(plan, path.parent)
        write_text(path, dump(new, detect_style(text or "")))


def _json_remove(plan: Plan, path: Path, edit: JsonEdit, text: str, data: dict[str, Any] | None) -> None:
    if data is None:
        return
    record = plan.state.get("json", {}).get(str(path)) if plan.known else None
    created = None if record is None else [tuple(c) for c in record.get("created", [])]
    # a skillforge-shaped entry install replaced but had not written goes back where it was
    replaced = (record or {}).get("replaced", {}).get(".".join(edit.keys))
    removed = remove_json(data, edit, created) if replaced is None else put_back(data, edit, replaced)
    if not removed:
        return
    for value in removed:
        plan.libraries.update(lib for lib in [entries.mcp_library(value), *_hook_libraries(value)] if lib)
    created_file = bool(record.get("created_file")) if record is not None else not data
    if created_file and not data and not path.is_symlink():  # a symlinked file is the user's
        plan.act("remove", path, "created by install")
        if not plan.dry_run:
            path.unlink()
            remove_created_dirs(plan, path.parent)
        return
    original = record.get("original") if record is not None else None
    plan.act("merge", path, "removed " + ".".join(edit.keys))
    if plan.dry_run:
        return
    if isinstance(original, str) and _parse_json(path, original) == data:
        write_text(path, original)
    else:
        write_text(path, dump(data, detect_style(text)))


def _hook_libraries(group: Any) -> list[Path | None]:
    return [entries.hook_group_library(group, agent) for agent in AGENTS]


def _parse_json(path: Path, text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys) if text.strip() else {}
    except ValueError as exc:
        raise SkillforgeError(
            f"{path}: not valid JSON ({exc})",
            "fix the file (comments are not supported), then run install again; nothing was changed",
        ) from None
    if not isinstance(data, dict):
        raise SkillforgeError(
            f"{path}: the settings are not a JSON object", "fix the file; nothing was changed"
        )
    return data


_JSONC = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)  # a string, or a comment


def _without_comments(text: str) -> dict[str, Any] | None:
    """The settings of a JSON file with comments (JSONC, which Gemini CLI reads); None when ``text``
    has no comments or is not valid even without them."""
    bare = _JSONC.sub(lambda m: m[0] if m[0].startswith('"') else " ", text)
    try:
        data = json.loads(bare, object_pairs_hook=_unique_keys) if bare != text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _comments_error(path: Path, edits: list[JsonEdit], *, uninstall: bool = False) -> SkillforgeError:
    """Install rewrites a settings file from its data, which would drop the comments (merging into
    the text instead could not promise the exact bytes back): it says what to add or remove by hand."""
    if uninstall:
        where = ", ".join(
            f"the skillforge hook group in {'.'.join(e.keys)}" if e.append else ".".join(e.keys)
            for e in edits
        )
        return SkillforgeError(
            f"{path}: has comments, which uninstall would lose when it rewrites the file",
            f"remove by hand: {where}; or remove the comments and run it again; nothing was changed",
        )
    todo = "; ".join(
        f"add {_compact(e.value)} to the list {'.'.join(e.keys)}"
        if e.append
        else f"set {'.'.join(e.keys)} to {_compact(e.value)}"
        for e in edits
    )
    return SkillforgeError(
        f"{path}: has comments, which install would lose when it rewrites the file",
        f"do it by hand: {todo}; or remove the comments and run install again; nothing was changed",
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing repeated keys (rewriting the file would silently drop all but one)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice")
        seen.add(key)
    return dict(pairs)


def _state_file(agent: str, base: Path) -> Path:
    digest = hashlib.blake2b(str(base).encode(), digest_size=8).hexdigest()
    return config.home() / "installs" / f"{agent}-{digest}.json"


def _shared_dirs(agent: str, base: Path) -> set[str]:
    """The folders that the installs of the other agents into ``base`` recorded as theirs."""
    found: set[str] = set()
    for other in AGENTS:
        dirs = _read_state(_state_file(other, base)).get("dirs") if other != agent else None
        if isinstance(dirs, list):
            found.update(d for d in dirs if isinstance(d, str))
    return found


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
