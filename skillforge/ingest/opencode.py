"""OpenCode sessions, from any of its storage generations under ``$XDG_DATA_HOME/opencode``
(``~/.local/share/opencode``):

- up to 1.1, a JSON tree ``storage/session/<project>/<ses>.json``, ``storage/message/<ses>/<msg>.json``
  and ``storage/part/<msg>/<prt>.json``: the ``storage`` folder is read as one log (or one session file
  when named); it is passed over when an ``opencode.db`` beside it already holds its sessions;
- 1.2 to 1.x, ``opencode.db`` (SQLite) tables ``session``, ``message`` and ``part`` (``data`` = the JSON
  of the tree without its id fields);
- 2.x, the same database with a ``session_message`` table (rows ordered by ``seq``; sessions in
  ``session_v2`` when it exists). Exactly one generation is read per database, so rows migrated from the
  v1 tables are not counted twice.

Databases are opened without locking them (``sqlite_store``). Messages are ordered by creation time and id,
parts by id (ids ascend with time); ``opencode_steps`` turns them into steps. Child sessions (the ``task``
tool's subagents) name their parent in ``parentID``, which becomes ``parent_id``.
"""

from __future__ import annotations

import operator
import os
import sqlite3
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import orjson

from skillforge.ingest.base import ParseContext, as_dict
from skillforge.ingest.opencode_steps import OpenCodeSteps, decode_part, ms_time
from skillforge.ingest.reading import digest_id, new_digest, read_json_doc
from skillforge.ingest.sqlite_store import is_sqlite, snapshot, tables
from skillforge.model import Trajectory

FORMAT = "opencode"
AGENT = "opencode"
OPENS = b"{"  # detect() is False for content that starts otherwise
_TREE = {"session", "message", "part"}


def detect(path: Path, head: bytes) -> bool:
    """A session file of the JSON tree: an ``ses_`` id and a ``projectID`` near the start."""
    start = head[:2048]
    return (
        start.lstrip()[:1] == b"{"
        and b'"ses_' in start
        and b'"projectID"' in start
        and b'"role"' not in start
    )


FOLDER_FILES: frozenset[str] | None = None  # the storage folder is one log, whole
DIR_NAMES = frozenset({"storage"})  # only a folder named storage is one (see detect_dir)


def detect_dir(path: Path, names: Collection[str] | None) -> bool:
    if path.name != "storage":
        return False
    if names is None:
        try:
            names = {p.name for p in path.iterdir()}
        except OSError:
            return False
    return set(names) >= _TREE


def detect_binary(path: Path, head: bytes) -> bool:
    if not is_sqlite(head):
        return False
    found = tables(path)
    return "session_message" in found or found >= _TREE


def parse(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    if path.is_dir():
        yield from _tree(path, None, ctx)
        return
    binary = is_sqlite(ctx.start(16))
    if binary:
        yield from _database(path, ctx)
    elif len(path.parents) >= 3 and path.parents[1].name == "session":
        yield from _tree(path.parents[2], path, ctx)
    else:
        ctx.fail(
            "an OpenCode session file outside its storage/session/<project>/ folder (name the storage folder)"
        )


def _tree(storage: Path, only: Path | None, ctx: ParseContext) -> Iterator[Trajectory]:
    db = storage.parent / "opencode.db"
    if only is None and db.is_file() and tables(db) >= _TREE:
        ctx.ignore("JSON storage already imported into opencode.db (read there)")
        return
    files = [only] if only is not None else sorted((storage / "session").glob("*/*.json"))
    for file in files:
        loaded = read_json_doc(file, ctx)
        if loaded is None or not isinstance(loaded[1], dict) or not isinstance(loaded[1].get("id"), str):
            ctx.skip("session file without an id", None, str(file))
            continue
        info = loaded[1]
        digest = new_digest()
        digest.update(loaded[0])
        steps = OpenCodeSteps(str(file), ctx, subagent=bool(info.get("parentID")))
        for msg_file, msg_id in _json_names(storage / "message" / info["id"]):
            msg = read_json_doc(msg_file, ctx)
            if msg is None or not isinstance(msg[1], dict):
                ctx.skip("message file that is not an object", None, msg_file)
                continue
            digest.update(msg[0])
            parts = []
            for part_file, _ in _json_names(storage / "part" / msg_id):
                part = read_json_doc(part_file, ctx)
                if part is not None:
                    digest.update(part[0])
                    parts.append(part[1])
            steps.v1_message(msg[1], parts, msg_id)
        yield _trajectory(str(file), digest_id(digest), info, steps)


def _json_names(folder: Path) -> list[tuple[str, str]]:
    """``(path, stem)`` of the ``*.json`` entries of a folder in name order (none when it is missing):
    what ``sorted(folder.glob("*.json"))`` gives, without building a Path per file (a tree holds
    thousands)."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if os.path.normcase(e.name).endswith(".json")]
        names.sort(key=os.path.normcase)  # as Path sorts: case-blind on Windows
    except OSError:
        return []
    base = str(folder)
    return [(os.path.join(base, name), name[:-5]) for name in names]


def _database(path: Path, ctx: ParseContext) -> Iterator[Trajectory]:
    found = tables(path)
    try:
        with snapshot(path) as db:
            v2 = _v2_sessions(db, found)
            order = _message_order(db, found)
            seen: set[str] = set()
            for info in _sessions(db, found, ctx):
                if info["id"] in seen:
                    continue
                seen.add(info["id"])
                digest = new_digest()
                digest.update(orjson.dumps(info, default=repr))
                steps = OpenCodeSteps(str(path), ctx, subagent=bool(info.get("parentID")))
                if info["id"] in v2 or not found >= _TREE:
                    _v2_rows(db, info["id"], order, (steps, digest, ctx))
                else:
                    _v1_rows(db, info["id"], steps, digest, ctx)
                yield _trajectory(str(path), digest_id(digest), info, steps)
    except sqlite3.Error as exc:
        ctx.fail(f"cannot read the OpenCode database ({exc}); is it an opencode.db?")


def _sessions(db: sqlite3.Connection, found: Collection[str], ctx: ParseContext) -> Iterator[dict[str, Any]]:
    """Every session row, from ``session_v2`` and then ``session`` when a database has both (a session
    in both is read once, as ``session_v2`` has it); a row without a text id is skipped and counted."""
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    for table in [t for t in ("session_v2", "session") if t in found]:
        for row in cursor.execute(f"SELECT * FROM {table}").fetchall():
            info = _session_info(row)
            if isinstance(info.get("id"), str) and info["id"]:
                yield info
            else:
                ctx.skip("session without a text id", None, f"{table} row ignored")


def _message_order(db: sqlite3.Connection, found: Collection[str]) -> str:
    """How ``session_message`` rows are ordered: ``seq`` (2.x), else creation time and id (1.x), else
    the order they were written in."""
    columns = _columns(db, "session_message") if "session_message" in found else set()
    if "seq" in columns:
        return "seq"
    return "time_created, id" if {"time_created", "id"} <= columns else "rowid"


def _session_info(row: sqlite3.Row) -> dict[str, Any]:
    """A session row as the JSON tree's session object (the fields the trajectory uses)."""
    cols = row.keys()
    data = _loads(row["data"]) if "data" in cols else {}
    info = as_dict(data)
    info.setdefault("id", row["id"])
    for col, key in (
        ("parent_id", "parentID"),
        ("directory", "directory"),
        ("title", "title"),
        ("version", "version"),
    ):
        if col in cols and row[col] is not None:
            info.setdefault(key, row[col])
    if "time_created" in cols:
        info.setdefault(
            "time",
            {
                "created": row["time_created"],
                "updated": row["time_updated"] if "time_updated" in cols else None,
            },
        )
    return info


def _v1_rows(
    db: sqlite3.Connection, session: str, steps: OpenCodeSteps, digest: Any, ctx: ParseContext
) -> None:
    parts: dict[str, list[Any]] = {}
    query = "SELECT id, message_id, CAST(data AS BLOB) FROM part WHERE session_id = ?"
    for _, message, data in _ordered(db.execute(query, (session,)).fetchall(), 0):
        digest.update(data or b"")
        part = decode_part(data) if data else None
        parts.setdefault(message, []).append(
            part if part is not None else _loads(data, ctx, f"part of {message}")
        )
    query = "SELECT time_created, id, CAST(data AS BLOB) FROM message WHERE session_id = ?"
    for _, message, data in _ordered(db.execute(query, (session,)).fetchall(), 0, 1):
        digest.update(data or b"")
        info = _loads(data, ctx, message)
        if isinstance(info, dict):
            steps.v1_message(info, parts.get(message, []), _row_name(message))


def _v2_sessions(db: sqlite3.Connection, found: Collection[str]) -> set[Any]:
    """The sessions that have ``session_message`` rows: each is read from them, any other from the v1
    ``message``/``part`` tables (a database of a version that writes both holds sessions of each)."""
    if "session_message" not in found:
        return set()
    return {row[0] for row in db.execute("SELECT DISTINCT session_id FROM session_message")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _v2_rows(db: sqlite3.Connection, session: str, order: str, into: tuple[Any, Any, Any]) -> None:
    """A session's ``session_message`` rows in order: by ``seq`` where the table has it (2.x), else by
    creation time and id (the 1.x table, ``id, session_id, type, time_created, time_updated, data``)."""
    steps, digest, ctx = into
    query = f"SELECT {order}, id, type, CAST(data AS BLOB) FROM session_message WHERE session_id = ?"
    keys = order.count(",") + 1
    for row in _ordered(db.execute(query, (session,)).fetchall(), *range(keys + 1)):
        row_id, kind, raw = row[keys], row[keys + 1], row[keys + 2]  # not *_: a list per row
        digest.update(raw or b"")
        data = _loads(raw, ctx, row_id)
        if isinstance(data, dict):
            steps.v2_row(kind or data.get("type"), data, _row_name(row_id))


def _row_name(value: Any) -> str:
    """A row's id as the text a step's source names (an id column may hold a number or a BLOB)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _ordered(rows: list[Any], *cols: int) -> list[Any]:
    """``rows`` in the order ``ORDER BY`` those columns gives, sorted here: SQLite's sorter copies every
    row's ``data`` into a temporary tree, which cost a third of the fetch."""
    try:  # values of one kind (ids, numbers) compare as SQLite compares them
        rows.sort(key=operator.itemgetter(*cols))
    except TypeError:  # NULLs, or text beside numbers: rank them as SQLite does
        rows.sort(key=lambda row: tuple(_sql_rank(row[c]) for c in cols))
    return rows


def _sql_rank(value: Any) -> tuple[int, Any]:
    """Where SQLite sorts a value: NULL, then numbers, then text (UTF-8 byte order is code point order),
    then blobs."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, value) if isinstance(value, str) else (3, value)


def _loads(value: Any, ctx: ParseContext | None = None, record: str = "") -> Any:
    """A row's JSON ``data``; a value that is not JSON is skipped and counted (None)."""
    try:
        return orjson.loads(value) if value is not None else None
    except (orjson.JSONDecodeError, TypeError):
        if ctx is not None:
            ctx.skip("row whose data is not JSON", None, record)
        return None


def _trajectory(source: str, traj_id: str, info: dict[str, Any], steps: OpenCodeSteps) -> Trajectory:
    created = as_dict(info.get("time"))
    traj = Trajectory(
        id=traj_id,
        source=source,
        format=FORMAT,
        agent=AGENT,
        steps=steps.out.steps,
        native_id=info["id"],
        agent_version=_s(info.get("version")),
        model=steps.model,
        task=steps.task,
        cwd=_s(info.get("directory")),
        started_at=ms_time(created.get("created")),
        ended_at=ms_time(created.get("updated")),
        parent_id=_s(info.get("parentID")),
    )
    if _s(info.get("title")):
        traj.metadata["title"] = info["title"]
    if traj.parent_id:
        traj.metadata["subagent"] = "task"
    if steps.children:
        traj.metadata["subagents"] = steps.children
    return traj


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
