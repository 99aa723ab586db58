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

and every skill of the library is symlinked into ``.claude/skills/`` and ``.agents/skills/``.
JSON files are merged key by key (unknown keys kept, order kept); the TOML entry is a marked block
appended to the file; every write is atomic; running install twice changes nothing. What install
created (files, folders, JSON containers) is recorded in ``config.home()/installs/`` so that
``--uninstall`` removes exactly that and leaves everything else as it was.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge import config
from skillforge.errors import SkillforgeError
from skillforge.fsutil import atomic_write
from skillforge.integrations.merge import JsonEdit, add_json, remove_json

AGENTS = ("claude", "codex", "gemini", "cline", "cursor")
TOML_BEGIN = "# skillforge:begin (managed by `skillforge install codex`; remove with --uninstall)"
TOML_END = "# skillforge:end"
RULE = ("---\ndescription: Team skill library routing\nalwaysApply: true\n---\n"
        "Before starting a non-trivial task, call the `search_skills` tool of the `skillforge` MCP server "
        "with the task (or run `skillforge route \"<task>\"`), then read the SKILL.md of the best match.\n")


@dataclass(slots=True)
class Action:
    action: str  # merge | create | link | remove | unlink | skip
    path: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"action": self.action, "path": self.path, "detail": self.detail}


@dataclass(slots=True)
class Plan:
    library: Path
    base: Path  # the project folder, or the home folder for --user
    user: bool
    dry_run: bool
    state: dict[str, Any]
    actions: list[Action]

    def hook_command(self, agent: str) -> str:
        return f"skillforge route --hook {agent} --library {shlex.quote(str(self.library))}"

    def mcp_entry(self) -> dict[str, Any]:
        return {"command": "skillforge", "args": ["serve", "--library", str(self.library)]}


def install(agent: str, library: Path, project: Path, *, user: bool = False, dry_run: bool = False,
            uninstall: bool = False) -> list[Action]:
    if agent not in AGENTS:
        raise SkillforgeError(f"unknown agent {agent!r}", f"use one of: {', '.join(AGENTS)}")
    library = library.resolve()
    if not uninstall and not library.is_dir():
        raise SkillforgeError(f"{library}: no such skill library", "pass --library PATH")
    base = Path.home() if user else project.resolve()
    state_file = _state_file(agent, base)
    state = _read_state(state_file)
    if not dry_run:  # a dry pass first: a file that cannot be merged stops us before anything is written
        _apply(agent, Plan(library, base, user, True, copy.deepcopy(state), []), uninstall)
    plan = Plan(library, base, user, dry_run, state, [])
    _apply(agent, plan, uninstall)
    if not dry_run:
        if uninstall:
            state_file.unlink(missing_ok=True)
        else:
            atomic_write(state_file, json.dumps(plan.state, indent=2, sort_keys=True) + "\n")
    return plan.actions


def _apply(agent: str, plan: Plan, uninstall: bool) -> None:
    for step in _steps(agent, plan):
        step(plan, uninstall)


def _steps(agent: str, plan: Plan) -> list[Any]:
    b = plan.base
    hooks_json = {"claude": b / ".claude" / "settings.json", "codex": b / ".codex" / "hooks.json",
                  "gemini": b / ".gemini" / "settings.json"}
    steps: list[Any] = []
    if agent in ("claude", "codex"):
        entry = {"hooks": [{"type": "command", "command": plan.hook_command(agent), "timeout": 10}]}
        steps.append(_json_step(hooks_json[agent], ["hooks", "UserPromptSubmit"], entry, append=True))
    if agent == "gemini":
        entry = {"hooks": [{"type": "command", "command": plan.hook_command(agent), "name": "skillforge",
                            "timeout": 10000}]}
        steps.append(_json_step(hooks_json[agent], ["hooks", "BeforeAgent"], entry, append=True))
    mcp_json = {"claude": b / (".claude.json" if plan.user else ".mcp.json"),
                "gemini": b / ".gemini" / "settings.json", "cursor": b / ".cursor" / "mcp.json"}
    if agent in mcp_json:
        steps.append(_json_step(mcp_json[agent], ["mcpServers", "skillforge"], plan.mcp_entry(), append=False))
    if agent == "codex":
        steps.append(_toml_step(b / ".codex" / "config.toml"))
    if agent == "cline":
        folder = b / "Documents" / "Cline" / "Hooks" if plan.user else b / ".clinerules" / "hooks"
        script = f"#!/bin/sh\n# installed by skillforge install cline\nexec {plan.hook_command('cline')}\n"
        steps.append(_file_step(folder / "UserPromptSubmit", script, executable=True))
    if agent == "cursor" and not plan.user:
        steps.append(_file_step(b / ".cursor" / "rules" / "skillforge.mdc", RULE))
    for folder in (b / ".claude" / "skills", b / ".agents" / "skills"):
        steps.append(_links_step(folder))
    return steps


# -- JSON settings -----------------------------------------------------------------------------------


def _json_step(path: Path, keys: list[str], value: Any, *, append: bool) -> Any:
    def step(plan: Plan, uninstall: bool) -> None:
        data = _read_json(path)
        record = plan.state.setdefault("json", {}).setdefault(str(path), {"created_file": data is None,
                                                                          "created": []})
        edit = JsonEdit(keys, value, append)
        if uninstall:
            if data is None:
                return
            changed = remove_json(data, edit, [tuple(c) for c in record.get("created", [])])
            if not changed:
                return
            if record.get("created_file") and not data:
                plan.actions.append(Action("remove", str(path), "created by install"))
                if not plan.dry_run:
                    path.unlink()
                    _remove_created_dirs(plan, path.parent)
                return
            plan.actions.append(Action("merge", str(path), "removed " + ".".join(keys)))
        else:
            data = {} if data is None else data
            created, clash = add_json(data, edit)
            if clash:
                plan.actions.append(Action("skip", str(path), f"{'.'.join(keys)} exists with other values"))
                return
            if created is None:
                return  # already installed
            record["created"] = sorted({tuple(c) for c in record.get("created", [])} | {tuple(c) for c in created})
            plan.actions.append(Action("merge" if path.exists() else "create", str(path),
                                       "added " + ".".join(keys)))
            if not plan.dry_run:
                _make_dirs(plan, path.parent)
        if not plan.dry_run:
            atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    return step


def _read_text(path: Path) -> str:
    """The file's text ("" when it does not exist); a one-line error when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SkillforgeError(f"{path}: cannot read it ({exc})",
                              "fix its permissions or encoding (UTF-8), then run install again; "
                              "nothing was changed") from None


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text, object_pairs_hook=_unique_keys) if text.strip() else {}
    except (ValueError, OSError) as exc:
        raise SkillforgeError(f"{path}: not valid JSON ({exc})", "fix the file (comments are not supported), "
                              "then run install again; nothing was changed") from None
    if not isinstance(data, dict):
        raise SkillforgeError(f"{path}: the settings are not a JSON object", "fix the file; nothing was changed")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing repeated keys (rewriting the file would silently drop all but one)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice")
        seen.add(key)
    return dict(pairs)


# -- TOML (Codex) ------------------------------------------------------------------------------------


def _toml_step(path: Path) -> Any:
    def step(plan: Plan, uninstall: bool) -> None:
        text = _read_text(path)
        if uninstall:
            _toml_remove(plan, path, text)
            return
        if TOML_BEGIN in text:
            return
        try:
            existing = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SkillforgeError(f"{path}: not valid TOML ({exc})", "fix the file; nothing was changed") from None
        servers = existing.get("mcp_servers", {})
        if isinstance(servers, dict) and "skillforge" in servers:
            plan.actions.append(Action("skip", str(path), "mcp_servers.skillforge exists already"))
            return
        args = ", ".join(json.dumps(a) for a in plan.mcp_entry()["args"])
        block = f'{TOML_BEGIN}\n[mcp_servers.skillforge]\ncommand = "skillforge"\nargs = [{args}]\n{TOML_END}\n'
        sep = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        try:  # e.g. ``mcp_servers = { … }`` inline: an appended table would break the file
            tomllib.loads(text + sep + block)
        except tomllib.TOMLDecodeError as exc:
            raise SkillforgeError(f"{path}: cannot append [mcp_servers.skillforge] ({exc})",
                                  "add the server to the file by hand; nothing was changed") from None
        if not text:
            plan.state.setdefault("files", []).append(str(path))
        plan.actions.append(Action("merge" if text else "create", str(path), "added [mcp_servers.skillforge]"))
        if not plan.dry_run:
            _make_dirs(plan, path.parent)
            atomic_write(path, text + sep + block)

    return step


def _toml_remove(plan: Plan, path: Path, text: str) -> None:
    """Cut the marked block out of ``text`` (and delete the file when install created it)."""
    if TOML_BEGIN not in text:
        return
    head, _, rest = text.partition(TOML_BEGIN)
    _, _, tail = rest.partition(TOML_END + "\n")
    new = head.removesuffix("\n") + tail if head.endswith("\n\n") else head + tail
    created = str(path) in plan.state.get("files", [])
    plan.actions.append(Action("remove" if created and not new.strip() else "merge", str(path),
                               "removed [mcp_servers.skillforge]"))
    if plan.dry_run:
        return
    if created and not new.strip():
        path.unlink()
        _remove_created_dirs(plan, path.parent)
    else:
        atomic_write(path, new)


# -- whole files and links ---------------------------------------------------------------------------


def _file_step(path: Path, content: str, *, executable: bool = False) -> Any:
    def step(plan: Plan, uninstall: bool) -> None:
        ours = path.is_file() and _read_text(path) == content
        if uninstall:
            if ours:
                plan.actions.append(Action("remove", str(path), "created by install"))
                if not plan.dry_run:
                    path.unlink()
                    _remove_created_dirs(plan, path.parent)
            return
        if ours:
            return
        if path.exists():
            plan.actions.append(Action("skip", str(path), "exists with other content; not replaced"))
            return
        plan.actions.append(Action("create", str(path), "executable hook" if executable else ""))
        if not plan.dry_run:
            _make_dirs(plan, path.parent)
            atomic_write(path, content)
            if executable:
                path.chmod(0o755)

    return step


def _links_step(folder: Path) -> Any:
    def step(plan: Plan, uninstall: bool) -> None:
        from skillforge.route.index import skills_root
        from skillforge.skills.document import iter_skill_dirs

        root = skills_root(plan.library).resolve()
        if uninstall:
            for link in sorted(folder.iterdir()) if folder.is_dir() else []:
                if link.is_symlink() and Path(os.readlink(link)).resolve().parent == root:
                    plan.actions.append(Action("unlink", str(link), ""))
                    if not plan.dry_run:
                        link.unlink()
            if not plan.dry_run:
                _remove_created_dirs(plan, folder)
            return
        for skill in iter_skill_dirs(root):
            link = folder / skill.name
            if link.is_symlink() and Path(os.readlink(link)).resolve() == skill.resolve():
                continue
            if link.exists() or link.is_symlink():
                plan.actions.append(Action("skip", str(link), "exists; not replaced"))
                continue
            plan.actions.append(Action("link", str(link), str(skill.resolve())))
            if not plan.dry_run:
                _make_dirs(plan, folder)
                link.symlink_to(skill.resolve(), target_is_directory=True)

    return step


def _make_dirs(plan: Plan, folder: Path) -> None:
    missing = []
    current = folder
    while not current.exists() and current != plan.base and current != current.parent:
        missing.append(str(current))
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    dirs = plan.state.setdefault("dirs", [])
    dirs.extend(d for d in missing if d not in dirs)


def _remove_created_dirs(plan: Plan, folder: Path) -> None:
    created = set(plan.state.get("dirs", []))
    current = folder
    while str(current) in created and current.is_dir() and not any(current.iterdir()):
        current.rmdir()
        current = current.parent


def _state_file(agent: str, base: Path) -> Path:
    digest = hashlib.blake2b(str(base).encode(), digest_size=8).hexdigest()
    return config.home() / "installs" / f"{agent}-{digest}.json"


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
