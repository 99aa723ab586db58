"""Building the route index (only when the cache does not match the library).

Each SKILL.md is read with :mod:`skillforge.route.skillfile`; a skill whose text has secret or
prompt-injection findings is indexed but marked ``blocked`` so route never injects it (findings are
cached by content hash). Skills whose SKILL.md is unchanged since the last build reuse their parsed
record and their term ids (:mod:`skillforge.route.terms`); the BM25 matrices are then rebuilt with
numpy (:mod:`skillforge.route.matrix`).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

from skillforge.route.index import (
    ARRAYS,
    MAX_TASKS,
    PROVENANCE,
    WORDS,
    Index,
    Postings,
    array_bytes,
    body_tokens,
    built_by,
    meta_tokens,
    publish,
    skills_root,
)
from skillforge.route.repo import aliases
from skillforge.route.topic import skill_words
from skillforge.skills.findings_cache import FindingsCache, content_key
from skillforge.text import tokenize

FINDINGS_VERSION = "2"  # bump when the rules that withhold skills change meaning (part of the key)


def build(library: Path, key: str, entries: list[tuple[str, int, int]], folder: Path) -> Index:
    """Parse what changed, rebuild the matrices, publish the cache folder and return the index."""
    import numpy as np

    from skillforge.route.terms import previous

    prev = previous(folder, built_by())
    problems: list[str] = []
    records, fresh = _records(skills_root(library), entries, prev, problems)
    stamp = _stamp(library / PROVENANCE)
    names = sorted(records)
    tasks, task_skill, sets = _matrices(
        names,
        records,
        fresh,
        prev,
        read_provenance(library),
        same_tasks=bool(stamp) and stamp == prev.provenance,
    )
    meta, body, task = (sets[part][0] for part in ("meta", "body", "task"))
    doc = _document(key, names, records, tasks, problems, meta, task, body)
    skill_of_task = np.asarray(task_skill, dtype=np.int32)
    task_ptr = np.searchsorted(skill_of_task, np.arange(len(names) + 1)).astype(np.int64)
    words = _word_df(names, records, fresh, prev)
    try:
        publish(folder, {**_files(doc, records, stamp, sets, skill_of_task, task_ptr), WORDS: words})
    except OSError:  # a cache folder that cannot be written only costs speed (as validate's)
        folder = Path()
    return Index(
        key=key,
        names=names,
        descriptions=doc["descriptions"],
        paths=doc["paths"],
        scopes=doc["scopes"],
        blocked=doc["blocked"],
        tasks=tasks,
        task_skill=skill_of_task,
        meta=meta,
        task=task,
        problems=problems,
        task_ptr=task_ptr,
        aliases=doc["aliases"],
        body=body,
        folder=str(folder) if folder.parts else "",
        words=words,
    )


def _word_df(names: list[str], records: dict[str, Any], fresh: Any, prev: Any) -> dict[str, int]:
    """How many skills use each raw word (for :mod:`skillforge.route.topic`): the previous build's
    counts with the changed and removed skills' words taken out and the changed and new ones' put in,
    else counted afresh."""
    if prev.words is None or not prev.records:
        df: dict[str, int] = {}
        for name in names:
            _count(df, records[name].get("words", ""), 1)
        return df
    df = dict(prev.words)
    for name, old in prev.records.items():
        if name in fresh or name not in records:
            _count(df, old.get("words", ""), -1)
    for name in fresh:
        _count(df, records[name].get("words", ""), 1)
    return df


def _count(df: dict[str, int], words: Any, step: int) -> None:
    if not isinstance(words, str):  # a damaged record of an earlier build: its words are not known
        return
    for word in words.split():
        count = df.get(word, 0) + step
        if count > 0:
            df[word] = count
        else:
            df.pop(word, None)


def _files(
    doc: dict[str, Any],
    records: dict[str, Any],
    stamp: str,
    sets: dict[str, tuple[Postings, Any, Any]],
    skill_of_task: Any,
    task_ptr: Any,
) -> dict[str, Any]:
    """The cache folder's files: index.json, records.json (for the next build) and the arrays."""
    files: dict[str, Any] = {
        "index.json": doc,
        "records.json": {
            "key": doc["key"],
            "version": built_by(),
            "records": records,
            "names": doc["names"],
            "meta_vocab": doc["meta_vocab"],
            "task_vocab": doc["task_vocab"],
            "body_vocab": doc["body_vocab"],
            "provenance": stamp,
        },
        "task_skill.bin": array_bytes(skill_of_task, "task_skill"),
        "task_ptr.bin": array_bytes(task_ptr, "task_ptr"),
    }
    for prefix, (post, ids, lens) in sets.items():
        files[f"{prefix}_ids.bin"] = array_bytes(ids, "indices")
        files[f"{prefix}_lens.bin"] = array_bytes(lens, "indptr")
        for name in ARRAYS:
            files[f"{prefix}_{name}.bin"] = array_bytes(getattr(post, name), name)
    return files


def _document(
    key: str,
    names: list[str],
    records: dict[str, Any],
    tasks: list[str],
    problems: list[str],
    meta: Postings,
    task: Postings,
    body: Postings,
) -> dict[str, Any]:
    """index.json: what query time reads besides the arrays."""
    return {
        "key": key,
        "names": names,
        "descriptions": [records[n]["description"] for n in names],
        "paths": [records[n]["path"] for n in names],
        "scopes": [records[n]["scopes"] for n in names],
        "blocked": [records[n]["blocked"] for n in names],
        "aliases": [records[n].get("aliases", []) for n in names],
        "tasks": tasks,
        "problems": problems,
        "meta_vocab": meta.vocab,
        "meta_docs": meta.num_docs,
        "task_vocab": task.vocab,
        "task_docs": task.num_docs,
        "body_vocab": body.vocab,
        "body_docs": body.num_docs,
    }


def _records(
    root: Path, entries: list[tuple[str, int, int]], prev: Any, problems: list[str]
) -> tuple[dict[str, Any], dict[str, tuple[list[str], list[str]]]]:
    """Each skill's record (reused when its SKILL.md is unchanged), and the (meta, body) tokens of those
    parsed now."""
    records: dict[str, Any] = {}
    fresh: dict[str, tuple[list[str], list[str]]] = {}
    for name, mtime, size in entries:
        old = prev.records.get(name)
        if old and old.get("mtime") == mtime and old.get("size") == size and name in prev.meta:
            records[name] = old
            continue
        record = _parse(root / name, problems)
        if record is not None:
            record.update(mtime=mtime, size=size)
            fresh[name] = (record.pop("tokens"), record.pop("body_tokens"))
            records[name] = record
    FINDINGS.save()
    return records, fresh


def _matrices(
    names: list[str],
    records: dict[str, Any],
    fresh: dict[str, tuple[list[str], list[str]]],
    prev: Any,
    provenance: dict[str, list[str]],
    *,
    same_tasks: bool,
) -> tuple[list[str], list[int], dict[str, tuple[Postings, Any, Any]]]:
    """Past task texts, their skills, and the (postings, ids, lengths) of skill metas, skill bodies
    and past tasks, by part."""
    from skillforge.route.matrix import bm25_from_ids, compact
    from skillforge.route.terms import Documents

    meta_docs, task_docs = Documents(dict(prev.meta_vocab)), Documents(dict(prev.task_vocab))
    body_docs = Documents(dict(prev.body_vocab))
    tasks: list[str] = []
    task_skill: list[int] = []
    for i, name in enumerate(names):
        if name in fresh:
            meta_docs.add_tokens(fresh[name][0])
            body_docs.add_tokens(fresh[name][1])
        else:
            meta_docs.add_ids(prev.meta[name])
            body_docs.add_ids(prev.body[name])
        texts = provenance.get(name, [])[:MAX_TASKS]
        old_tasks = (prev.tasks.get(name), prev.task_lens.get(name)) if name not in fresh else (None, None)
        _add_tasks(task_docs, records[name], texts, *old_tasks, same=same_tasks)
        tasks += texts
        task_skill += [i] * len(texts)
    parts = {"meta": meta_docs, "body": body_docs, "task": task_docs}
    return tasks, task_skill, {part: _postings(docs, bm25_from_ids, compact) for part, docs in parts.items()}


def _stamp(path: Path) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_mtime_ns}:{st.st_size}"


def _postings(docs: Any, bm25_from_ids: Any, compact: Any) -> tuple[Postings, Any, Any]:
    """The BM25 matrix of ``docs``, and its (renumbered) term ids and lengths for the next build."""
    ids, lengths = docs.arrays()
    vocab, ids = compact(docs.vocab, ids)
    return bm25_from_ids(vocab, ids, lengths), ids, lengths


def _add_tasks(
    docs: Any, record: dict[str, Any], texts: list[str], old: Any, old_lens: Any, *, same: bool
) -> None:
    """A skill's past tasks: the previous build's ids while the texts are the same (``same``: the
    provenance file is untouched, so they are), else tokenised."""
    if not texts:
        return
    if same and old is not None and len(old_lens) == len(texts):
        docs.add_ids(old, old_lens)
        return
    key = hashlib.blake2b("\0".join(texts).encode("utf-8", "replace"), digest_size=12).hexdigest()
    if old is not None and record.get("task_key") == key and len(old_lens) == len(texts):
        docs.add_ids(old, old_lens)
        return
    record["task_key"] = key
    for text in texts:
        docs.add_tokens(tokenize(text))


@functools.lru_cache(maxsize=64)
def _real(folder: Path) -> str:
    return str(folder.resolve())


def _parse(folder: Path, problems: list[str]) -> dict[str, Any] | None:
    from skillforge.route.skillfile import read
    from skillforge.skills.document import DocumentError

    if _surrogates(folder.name):  # a folder name that is not UTF-8: no skill name can equal it
        shown = os.fsencode(folder).decode("utf-8", "backslashreplace")
        problems.append(f"{shown}: the folder name is not UTF-8 text; rename it to the skill's name")
        return None
    try:
        skill = read(folder)
    except (DocumentError, OSError) as exc:
        problems.append(str(exc))
        return None
    name = skill.name or folder.name
    scopes = [s.strip() for s in skill.scope.replace(";", ",").split(",") if s.strip()]
    return {
        "name": name,
        "description": skill.description,
        "scopes": scopes,
        "path": os.path.join(
            _real(folder.parent), folder.name, "SKILL.md"
        ),  # regular folders: the path joins
        "blocked": _checked(skill.description + "\n" + skill.body, folder, problems),
        "tokens": meta_tokens(name, skill.description),
        "body_tokens": body_tokens(skill.body),
        # the folder's name, as the index names the skill (route.topic reads index.names)
        "words": " ".join(skill_words(folder.name, skill.description, skill.body)),
        "aliases": [
            a
            for s in scopes
            if s.startswith("repository:")
            for a in aliases(s.partition(":")[2].strip(), skill.body)
        ],
    }


def _surrogates(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _checked(text: str, folder: Path, problems: list[str]) -> str:
    """``safety_findings`` of ``text``, cached by content hash (the same text is checked once, whichever
    library or rebuild meets it); a skill is withheld (and reported) if the checker itself fails."""
    key = content_key("route", FINDINGS_VERSION, text)
    cached = FINDINGS.get(key)
    if isinstance(cached, str):
        return cached
    try:
        found = safety_findings(text, os.path.join(folder, "SKILL.md"))
    except Exception as exc:  # a checker bug must not stop the whole index build
        problems.append(
            f"{os.path.join(folder, 'SKILL.md')}: safety check failed ({type(exc).__name__}); skill withheld"
        )
        return "findings: check failed"
    FINDINGS.put(key, found)
    return found


FINDINGS = FindingsCache("route")


def safety_findings(text: str, where: str = "SKILL.md") -> str:
    """ "" when ``text`` may be injected into an agent, else a short reason: the validator's errors
    (a secret of a known token shape, an injected instruction, an unsafe command). Warnings (a keyword
    guess such as ``password = …``) do not withhold a skill; what is served is redacted anyway."""
    from skillforge.safety.redact import find_secrets
    from skillforge.skills.validate import check_text

    secrets = sorted({s.kind for s in find_secrets(text) if s.confidence == "high"})
    if secrets:  # the kinds, never the values
        return "secrets: " + ", ".join(secrets)
    try:
        findings = [f for f in check_text(text, where) if _is_blocking(f)]
    except Exception as exc:  # content no rule foresaw: withhold this skill, route the rest
        return f"findings: a rule could not check it ({type(exc).__name__})"
    # rule names only: the reason is shown to agents, so it must not quote the offending text
    kinds = sorted({str(getattr(f, "name", "") or getattr(f, "rule", "") or "finding") for f in findings})
    return ("findings: " + ", ".join(kinds)) if kinds else ""


def _is_blocking(finding: Any) -> bool:
    level = str(getattr(finding, "severity", getattr(finding, "level", "error"))).lower()
    return "warn" not in level and "info" not in level


def read_provenance(library: Path) -> dict[str, list[str]]:
    """skill name -> past task texts, from ``<library>/.skillforge/provenance.json`` (if readable)."""
    path = library / PROVENANCE
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    skills = data.get("skills") if isinstance(data, dict) else None
    if not isinstance(skills, dict):
        return {}
    out: dict[str, list[str]] = {}
    for name, entry in skills.items():
        tasks = entry.get("tasks") if isinstance(entry, dict) else None
        if isinstance(tasks, list):
            out[str(name)] = [
                t[:1000] if isinstance(t, str) else str(t)[:1000]
                for t in tasks
                if not isinstance(t, str) or t.strip()
            ]
    return out


def bm25_postings(corpus: list[list[str]]) -> Postings:
    """The BM25 matrix of ``corpus`` (see :mod:`skillforge.route.matrix`)."""
    from skillforge.route.matrix import bm25_matrix

    return bm25_matrix(corpus)
