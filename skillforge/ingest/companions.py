"""What a folder walk meets beside agent logs that is not one: the files agents and other tools keep next
to the logs (the Entire CLI's checkpoint ``metadata.json`` and the rest of a checkpoint folder, Gemini
CLI's ``logs.json`` and checkpoints, SWE-agent's ``all_preds.jsonl``), outcome labels (SWE-bench ``report.json`` files, results summaries:
read with ``--labels``), Markdown that is not an Aider history, binary files and any other file without
a log suffix. Such files are passed over and counted by reason; they are neither listed
one by one nor make a run partial.
"""

from __future__ import annotations

from pathlib import Path

from skillforge.ingest.base import is_binary
from skillforge.ingest.harbor import TRIAL_FILES
from skillforge.ingest.harbor import companion_reason as harbor_companion
from skillforge.ingest.labels import labels_in

ENTIRE = "Entire checkpoint metadata"
ENTIRE_FILES = {"prompt.txt", "context.md", "content_hash.txt"}  # beside an Entire checkpoint's metadata
LABELS = "outcome labels (SWE-bench reports, results): pass them with --labels"
PREDICTIONS = "SWE-bench predictions (the patches the runs submitted, also in their trajectories)"


def companion_reason(path: Path) -> str | None:
    """Files that agents' tools keep beside the logs: the Entire CLI's checkpoint ``metadata.json``
    (recognised by its content) and the other files of such a checkpoint folder."""
    name = path.name
    if name == "metadata.json":
        try:
            with path.open("rb") as fh:
                head = fh.read(4096)
        except OSError:
            return None
        if head.lstrip()[:1] == b"{" and b'"checkpoint_id"' in head:
            return ENTIRE
    elif name in ENTIRE_FILES and companion_reason(path.with_name("metadata.json")):
        return ENTIRE
    elif name == "logs.json" or (name.startswith("checkpoint") and name.endswith(".json")):
        return _gemini_file(path)
    elif name in TRIAL_FILES or path.parent.name == "verifier":
        return harbor_companion(path)
    return None


def _gemini_file(path: Path) -> str | None:
    """Gemini CLI's ``logs.json`` (the typed prompts, also in the sessions) and its ``/chat save`` and
    ``/restore`` checkpoints (copies of a conversation's history) beside the ``chats/`` folder."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip()
    except OSError:
        return None
    if path.name == "logs.json" and head[:1] == b"[" and b'"messageId"' in head and b'"sessionId"' in head:
        return "Gemini CLI prompt log (the prompts are in the sessions)"
    if (
        path.name != "logs.json"
        and head[:1] in (b"{", b"[")
        and (b'"history"' in head or b'"clientHistory"' in head or b'"parts"' in head)
    ):
        return "Gemini CLI checkpoint (a copy of a session's history)"
    return None


def pass_over_reason(path: Path, log_suffix: bool) -> str | None:
    """Why a file that no reader recognised is not a log, or None when it is named like one (a
    damaged log or an unknown format: reported, not passed over)."""
    reason = companion_reason(path)
    if reason is not None:
        return reason
    suffix = path.suffix.lower()
    if suffix == ".md":  # the one text log in Markdown is Aider's, recognised before this
        return "Markdown, not an Aider chat history"
    if suffix == ".json" and labels_in(path):
        return LABELS
    if suffix in (".json", ".jsonl") and _predictions(path):
        return PREDICTIONS
    if log_suffix:
        return None
    try:
        with path.open("rb") as fh:
            binary = is_binary(fh.read(8192))
    except OSError:
        return "unreadable file"
    return "binary file" if binary else "not a log (content not recognised, no log suffix)"


def _predictions(path: Path) -> bool:
    """SWE-bench predictions, as SWE-agent writes them beside its trajectories (``all_preds.jsonl``, one
    record a line; ``preds.json``, records by instance id): ``instance_id`` and ``model_patch`` in its
    first record, read up to its first line's end (a patch of kilobytes may come first), at most 1 MiB."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip()
            if head[:1] != b"{":
                return False
            while not (b'"instance_id"' in head and b'"model_patch"' in head):
                more = fh.read(65536) if b"\n" not in head and len(head) < _PREDICTION_HEAD else b""
                if not more:
                    return False
                head += more
    except OSError:
        return False
    return True


_PREDICTION_HEAD = 1 << 20
