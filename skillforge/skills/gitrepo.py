"""Git plumbing for the skill library: read committed files, build a new tree from a base tree plus
changed paths, commit it with explicit identities, create refs atomically, and git trailers.

Everything here works on git *objects*, never on a working tree or an index: a tree is rebuilt only
along the paths that change (``O(changes × depth)``), objects are written to the object database,
and a branch appears only when ``git update-ref`` creates it with an expected old value of "absent".
A writer killed half-way therefore leaves at most unreferenced objects that ``git gc`` collects.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO

import git
from git.objects.fun import tree_to_stream
from gitdb.base import IStream

from skillforge.errors import LibraryError

ZERO = "0" * 40
MODE_FILE = 0o100644
MODE_EXEC = 0o100755
MODE_TREE = 0o040000
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): ?(.*)$")


def resolve_commit(repo: git.Repo, ref: str) -> git.Commit | None:
    """The commit ``ref`` names (branch, tag, sha), or None when it does not exist."""
    try:
        return repo.commit(ref)
    except (git.BadName, ValueError, git.GitCommandError):
        return None


def subtree(root: git.Tree, path: str) -> git.Tree | None:
    """The tree at ``path`` inside ``root`` ("" = root itself), or None."""
    if not path:
        return root
    try:
        obj = root / path
    except KeyError:
        return None
    return obj if isinstance(obj, git.Tree) else None


def read_blob(root: git.Tree, path: str) -> bytes | None:
    try:
        obj = root / path
    except KeyError:
        return None
    return obj.data_stream.read() if isinstance(obj, git.Blob) else None


def store_blob(repo: git.Repo, data: bytes) -> bytes:
    return bytes(repo.odb.store(IStream(git.Blob.type, len(data), BytesIO(data))).binsha)


@dataclass(frozen=True)
class FileChange:
    """New content for one path (None deletes the path, and with it a whole folder)."""

    data: bytes | None
    executable: bool = False


def build_tree(repo: git.Repo, base: git.Tree | None, changes: Mapping[str, FileChange]) -> str:
    """Write the tree ``base`` + ``changes`` (repository-relative POSIX paths) and return its hex sha."""
    nested: dict[str, object] = {}
    for path, change in changes.items():
        parts = [p for p in path.split("/") if p]
        if not parts or any(p in (".", "..", ".git") for p in parts):
            raise LibraryError(f"refusing to write path {path!r} into the library", "use a relative path")
        node = nested
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a file replaced by a folder
                child = node[part] = {}
            node = child
        node[parts[-1]] = change
    return _write(repo, base, nested).hex()


def _entries(tree: git.Tree | None) -> dict[str, tuple[bytes, int]]:
    if tree is None:
        return {}
    return {item.name: (bytes(item.binsha), int(item.mode)) for item in tree}


def _write(repo: git.Repo, base: git.Tree | None, nested: dict[str, object]) -> bytes:
    entries = _entries(base)
    for name, change in nested.items():
        if isinstance(change, FileChange):
            if change.data is None:
                entries.pop(name, None)
            else:
                mode = MODE_EXEC if change.executable else MODE_FILE
                entries[name] = (store_blob(repo, change.data), mode)
            continue
        assert isinstance(change, dict)
        old = entries.get(name)
        old_tree = git.Tree(repo, old[0], MODE_TREE, name) if old and stat.S_ISDIR(old[1]) else None
        sha = _write(repo, old_tree, change)
        if sha == _EMPTY_TREE:
            entries.pop(name, None)
        else:
            entries[name] = (sha, MODE_TREE)
    ordered = sorted(entries.items(), key=lambda kv: _sort_key(kv[0], kv[1][1]))
    stream = BytesIO()
    tree_to_stream([(sha, mode, name) for name, (sha, mode) in ordered], stream.write)
    data = stream.getvalue()
    if not data:
        return _EMPTY_TREE
    return bytes(repo.odb.store(IStream(git.Tree.type, len(data), BytesIO(data))).binsha)


_EMPTY_TREE = bytes.fromhex("4b825dc642cb6eb9a060e54bf8d69288fbee4904")


def _sort_key(name: str, mode: int) -> bytes:
    """git orders tree entries by name, comparing a folder's name as if it ended with '/'."""
    raw = name.encode("utf-8", "surrogateescape")
    return raw + b"/" if stat.S_ISDIR(mode) else raw


def commit_tree(
    repo: git.Repo, tree_sha: str, message: str, parents: list[git.Commit], actor: git.Actor
) -> git.Commit:
    """Create a commit object (no ref moves) with ``actor`` as author and committer."""
    tree = git.Tree(repo, bytes.fromhex(tree_sha), MODE_TREE, "")
    commit = git.Commit.create_from_tree(
        repo, tree, message, parent_commits=parents, head=False, author=actor, committer=actor
    )
    return repo.commit(commit.hexsha)


def create_ref(repo: git.Repo, ref: str, sha: str, old: str = ZERO, reason: str = "skillforge") -> None:
    """Point ``ref`` at ``sha`` only if it currently is ``old`` (ZERO = does not exist yet)."""
    try:
        repo.git.update_ref("-m", reason, ref, sha, old)
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        raise LibraryError(
            f"could not update {ref} in {repo.working_tree_dir}: {detail[-1] if detail else exc}",
            "another program changed it at the same time; run the command again",
        ) from None


def format_message(message: str, trailers: list[tuple[str, str]]) -> str:
    """``message`` followed by one ``Key: value`` trailer per pair (values folded onto one line)."""
    lines = [f"{key}: {' '.join(str(value).split())}" for key, value in trailers]
    body = message.strip() or "skillforge run"
    return f"{body}\n\n" + "\n".join(lines) + "\n" if lines else body + "\n"


def parse_trailers(message: str) -> list[tuple[str, str]]:
    """The trailers of a commit message: the ``Key: value`` lines of its last paragraph."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return []
    out: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line.strip())
        if not match:
            return []
        out.append((match.group(1), match.group(2).strip()))
    return out


def trailer(message: str, key: str) -> str | None:
    return next((v for k, v in parse_trailers(message) if k.lower() == key.lower()), None)


def trailer_values(message: str, key: str) -> list[str]:
    return [v for k, v in parse_trailers(message) if k.lower() == key.lower()]
