"""Install steps that are not JSON merges: Codex's marked TOML block, whole files (Cline's hook script,
Cursor's rule) and the skill links. Each step installs, updates an older skillforge version's entry,
or uninstalls exactly what install added, restoring the file's bytes."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path

from skillforge.errors import SkillforgeError
from skillforge.integrations.entries import mcp_entry, mcp_library, parse_hook
from skillforge.integrations.merge import line_end
from skillforge.integrations.plan import Plan, make_dirs, read_text, remove_created_dirs, write_text

Step = Callable[[Plan, bool], None]
TOML_BEGIN = "# skillforge:begin (managed by `skillforge install codex`; remove with --uninstall)"
TOML_END = "# skillforge:end"


def toml_block(plan: Plan, eol: str = "\n") -> str:
    """The marked block, with the line ends of the file it goes into."""
    entry = mcp_entry(plan.library)
    args = ", ".join(_toml_string(a) for a in entry["args"])
    block = (
        f"{TOML_BEGIN}\n[mcp_servers.skillforge]\ncommand = {_toml_string(entry['command'])}\n"
        f"args = [{args}]\n{TOML_END}\n"
    )
    return block.replace("\n", eol)


def _toml_string(value: str) -> str:
    """A TOML literal string when possible (no escapes: Windows paths stay readable), else basic."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _split_block(text: str) -> tuple[str, str, str] | None:
    """(before, block, after) around skillforge's marked block, or None when there is none."""
    start = text.find(TOML_BEGIN)
    if start < 0 or (start and text[start - 1] != "\n"):
        return None
    end = text.find(TOML_END, start)
    if end < 0:
        return None
    end += len(TOML_END)
    for eol in ("\r\n", "\n"):
        if text.startswith(eol, end):
            end += len(eol)
            break
    return text[:start], text[start:end], text[end:]


def toml_step(path: Path) -> Step:
    def step(plan: Plan, uninstall: bool) -> None:
        text = read_text(path)
        if uninstall:
            _toml_remove(plan, path, text or "")
            return
        eol = line_end(text or "")
        block = toml_block(plan, eol)
        parts = _split_block(text or "")
        if parts is not None:
            if parts[1] != block:  # an older version's block: replace it where it is
                _toml_write(plan, path, parts[0] + block + parts[2], "update")
            return
        current = text or ""
        try:
            existing = tomllib.loads(current)
        except tomllib.TOMLDecodeError as exc:
            raise SkillforgeError(
                f"{path}: not valid TOML ({exc})", "fix the file; nothing was changed"
            ) from None
        servers = existing.get("mcp_servers", {})
        if isinstance(servers, dict) and "skillforge" in servers:
            plan.act("skip", path, "mcp_servers.skillforge exists already")
            return
        sep = "" if not current else (eol if current.endswith("\n") else eol * 2)
        plan.state.setdefault("toml", {})[str(path)] = {"created_file": text is None, "sep": sep}
        _toml_write(plan, path, current + sep + block, "create" if text is None else "merge")

    return step


def _toml_write(plan: Plan, path: Path, new: str, action: str) -> None:
    try:  # e.g. ``mcp_servers = { … }`` inline: an appended table would break the file
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise SkillforgeError(
            f"{path}: cannot append [mcp_servers.skillforge] ({exc})",
            "add the server to the file by hand; nothing was changed",
        ) from None
    plan.act(action, path, ("updated" if action == "update" else "added") + " [mcp_servers.skillforge]")
    if not plan.dry_run:
        make_dirs(plan, path.parent)
        write_text(path, new)


def _toml_remove(plan: Plan, path: Path, text: str) -> None:
    """Cut the marked block out of ``text``, with the separator install put before it (and delete the
    file when install created it and nothing else is in it)."""
    parts = _split_block(text)
    if parts is None:
        return
    head, block, tail = parts
    try:
        entry = tomllib.loads(block).get("mcp_servers", {}).get("skillforge")
        library = mcp_library(entry)
    except (tomllib.TOMLDecodeError, AttributeError):
        library = None
    if library is not None:
        plan.libraries.add(library)
    record = plan.state.get("toml", {}).get(str(path))
    eol = line_end(text)
    if record is not None:  # the separator in the file's line ends now (git may have changed them)
        head = head.removesuffix(str(record.get("sep", "")).replace("\r\n", "\n").replace("\n", eol))
        created = bool(record.get("created_file"))
    else:  # an older version's record, or none
        head = head.removesuffix(eol) if head.endswith(eol * 2) else head
        created = str(path) in plan.state.get("files", []) if plan.known else True
    new = head + tail
    gone = created and not new.strip() and not path.is_symlink()  # a symlinked file is the user's
    plan.act("remove" if gone else "merge", path, "removed [mcp_servers.skillforge]")
    if plan.dry_run:
        return
    if gone:
        path.unlink()
        remove_created_dirs(plan, path.parent)
    else:
        write_text(path, new)


def file_step(
    path: Path, content: str, *, marker: str | None = None, hook: str | None = None, executable: bool = False
) -> Step:
    """A whole file that install writes; ``marker``: a line that marks older versions' copies as ours;
    ``hook``: the agent whose hook command the file runs (uninstall notes the library it names)."""

    def ours(text: str | None) -> bool:
        return text == content or (text is not None and marker is not None and marker in text.splitlines())

    def step(plan: Plan, uninstall: bool) -> None:
        text = None if path.is_dir() else read_text(path)
        if uninstall:
            if ours(text):
                if hook is not None:
                    found = (
                        parse_hook(line.removeprefix("exec "), hook)[1] for line in (text or "").splitlines()
                    )
                    plan.libraries.update(lib for lib in found if lib)
                plan.act("remove", path, "created by install")
                if not plan.dry_run:
                    path.unlink()
                    remove_created_dirs(plan, path.parent)
            return
        if text == content:
            return
        if path.exists() and not ours(text):
            plan.act("skip", path, "exists with other content; not replaced")
            return
        plan.act("update" if path.exists() else "create", path, "executable hook" if executable else "")
        if not plan.dry_run:
            make_dirs(plan, path.parent)
            write_text(path, content)
            if executable:
                path.chmod(0o755)

    return step


def links_step(folder: Path) -> Step:
    """Link the library's skills into ``folder``, where agents load skills natively: only the skills
    route would hand out (a skill it withholds for safety findings, or refuses to read, is not
    linked, and a link to one is removed); a link an earlier install made follows the library."""

    def step(plan: Plan, uninstall: bool) -> None:
        if uninstall:
            _unlink(plan, folder)
            return
        from skillforge.route.index import skills_root

        if "servable" not in plan.memo:  # once per install: two skill folders, a dry pass and a real one
            plan.memo["servable"] = _servable(plan.library)
        served, refused = plan.memo["servable"]
        links: dict[str, str] = plan.state.setdefault("links", {})
        root = skills_root(plan.library).resolve()
        for name, reason in sorted(refused.items()):
            _refuse(plan, folder / name, reason, links, root)
        for name, target in sorted(served.items()):
            _link(plan, folder / name, target, links)
        for key, target in sorted(links.items()):  # recorded links to skills the library no longer has
            link = Path(key)
            if link.parent == folder and link.name not in served and link.name not in refused:
                _drop(plan, link, target, links, "no such skill in the library")

    return step


def _servable(library: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> skill folder) of the skills route hands out, and (name -> why) of the skill folders
    it does not: withheld for findings, or not read at all (e.g. a SKILL.md linked from elsewhere)."""
    from skillforge.route.index import load_or_build, skills_root
    from skillforge.route.resources import problems
    from skillforge.skills.document import iter_skill_dirs

    index = load_or_build(library, plain=True)
    served: dict[str, str] = {}
    refused: dict[str, str] = {}
    for path, blocked in zip(index.paths, index.blocked, strict=True):
        folder = Path(path).parent
        if blocked:
            refused[folder.name] = f"withheld: {blocked}"
        else:
            served[folder.name] = str(folder.resolve())
    for skill in iter_skill_dirs(skills_root(library).resolve()):
        if skill.name not in served and skill.name not in refused:
            refused[skill.name] = "route does not serve it (see skillforge validate)"
    for name, why in problems({n: Path(f) for n, f in served.items()}, library).items():
        del served[name]
        refused[name] = why if why.startswith("holds a link") else f"withheld: {why}"
    return served, refused


def _link(plan: Plan, link: Path, target: str, links: dict[str, str]) -> None:
    current = os.readlink(link) if link.is_symlink() else None
    if current == target:
        if plan.adopt_links:  # an older version made it, without recording it
            links[str(link)] = target
        return
    if current is not None and links.get(str(link)) == current:  # ours, into another library
        plan.act("update", link, target)
        if not plan.dry_run:
            link.unlink()
            link.symlink_to(target, target_is_directory=True)
        links[str(link)] = target
        return
    if link.exists() or link.is_symlink():
        plan.act("skip", link, "exists; not replaced")
        return
    plan.act("link", link, target)
    links[str(link)] = target
    if not plan.dry_run:
        make_dirs(plan, link.parent)
        link.symlink_to(target, target_is_directory=True)


def _refuse(plan: Plan, link: Path, reason: str, links: dict[str, str], root: Path) -> None:
    """A skill route does not serve is not linked; a link to it that install made (recorded, or any
    link into the library's skills, which only install makes) is removed."""
    if not link.is_symlink():
        plan.act("skip", link, f"not linked: {reason}")
        return
    target = os.readlink(link)
    ours = links.get(str(link)) == target or (link.parent / target).resolve() == root / link.name
    if ours:
        _drop(plan, link, target, links, f"not linked: {reason}")
    else:
        plan.act("skip", link, f"not linked: {reason}; exists, not ours")


def _drop(plan: Plan, link: Path, target: str, links: dict[str, str], reason: str) -> None:
    links.pop(str(link), None)
    if link.is_symlink() and os.readlink(link) == target:
        plan.act("unlink", link, reason)
        if not plan.dry_run:
            link.unlink()


def _unlink(plan: Plan, folder: Path) -> None:
    """Remove the links install made: those recorded, or (no record) those into the libraries that
    the removed hook and MCP entries named, or that ``--library`` names."""
    from skillforge.route.index import skills_root

    recorded: dict[str, str] | None = plan.state.get("links")
    libraries = {lib.resolve() for lib in {*plan.libraries, plan.library} if lib.is_dir()} - {plan.base}
    roots = {skills_root(lib).resolve() for lib in libraries}
    for link in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not link.is_symlink():
            continue
        target = os.readlink(link)
        if recorded is not None:
            ours = recorded.get(str(link)) == target
        else:
            ours = (link.parent / target).resolve().parent in roots
        if ours:
            plan.act("unlink", link)
            if not plan.dry_run:
                link.unlink()
    if not plan.dry_run:
        remove_created_dirs(plan, folder)
