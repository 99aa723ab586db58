"""Outcome labels from outside the logs (``--labels FILE``).

Accepted, detected by content:

* SWE-bench harness ``report.json`` — either ``{instance_id: {"resolved": bool, …}}`` or, as some
  harness versions write it, the inner object alone inside a folder named after the instance;
* a folder holding such reports (searched recursively; the logs and other JSON beside them are left
  to ingest);
* results summaries: ``{"instances": [{"instance_id", "resolved"}]}``, a list of such objects, or
  ``{"resolved": [ids…], "unresolved"/"failed": [ids…]}`` (SWE-bench experiments ``results.json``);
* a simple JSON object ``{id: outcome}`` or a CSV with columns ``id,outcome`` where outcome is
  success/failure, true/false, resolved/unresolved, pass/fail or 1/0.

A SWE-bench report also says which tests the patch left failing: the issue's own (``FAIL_TO_PASS``) and
those that passed before it (``PASS_TO_PASS``: a regression). :class:`Labels` keeps them per instance
(``Labels.tests``), and ingest puts them on the run (``Trajectory.metadata["failing_tests"]``, read
through ``Trajectory.failing_tests``) for distill to say why a failed run failed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from skillforge.errors import InputError
from skillforge.model import Outcome

_TRUE = {"success", "true", "resolved", "pass", "passed", "1", "yes"}
_FALSE = {"failure", "false", "unresolved", "fail", "failed", "0", "no"}


MAX_TESTS = 5  # failing tests of each kind kept per run (a report can list hundreds)
MAX_ID = 300  # characters kept of each test id (parametrised ids can be long)
LABELS_LIMIT = 16 << 20  # bytes: a JSON file met in a folder and larger is no labels file


class Labels(dict[str, Outcome]):
    """id -> outcome, and ``tests``: id -> {"not_fixed": [...], "broke": [...]}, the issue's tests the
    patch left failing and the tests that passed before it and fail after (from SWE-bench reports)."""

    def __init__(self) -> None:
        super().__init__()
        self.tests: dict[str, dict[str, list[str]]] = {}
        self.files: list[Path] = []  # the files read as labels (a folder's reports; not its logs)

    def merge(self, outcomes: dict[str, Outcome], tests: dict[str, dict[str, list[str]]]) -> None:
        """Add one file's labels: a later file's outcome for an id replaces an earlier one. A later
        SWE-bench report for an id replaces its failing tests too (none listed: none kept); a file of
        outcomes alone keeps them, unless it says the run resolved."""
        self.update(outcomes)
        for key, failing in tests.items():
            if any(failing.values()):
                self.tests[key] = failing
            else:
                self.tests.pop(key, None)
        for key, outcome in outcomes.items():
            if outcome is Outcome.SUCCESS:
                self.tests.pop(key, None)


def load_labels(paths: Iterable[str | Path]) -> tuple[Labels, str]:
    """Merge every label file given; returns the labels and a source tag for ``outcome_source``."""
    labels = Labels()
    names: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            _from_folder(path, labels)
        elif path.is_file():
            labels.merge(*_from_file(path))
            labels.files.append(path)
        else:
            raise InputError(f"{path}: no such labels file or folder", "check the --labels path")
        names.append(path.name)
    return labels, "labels:" + ",".join(names) if names else "labels"


def _from_folder(folder: Path, labels: Labels) -> None:
    """The labels files under ``folder`` (searched recursively), known by their content: the logs and
    other JSON beside them (SWE-bench runs keep reports next to trajectories) are left to ingest."""
    before = len(labels.files)
    for path in sorted(folder.rglob("*.json")):
        doc = _found_doc(path)
        outcomes = _detected(doc, path, named=True) if doc is not None else None
        if outcomes:
            labels.merge(outcomes, _failing_tests(doc, path))
            labels.files.append(path)
    if len(labels.files) == before:
        raise InputError(
            f"{folder}: no labels file in this folder (SWE-bench report, results summary)",
            "pass the report or results file itself with --labels; see docs/formats/README.md#outcome-labels",
        )


def labels_in(path: Path, limit: int = LABELS_LIMIT) -> int:
    """How many outcome labels a JSON file met beside logs holds (a SWE-bench ``report.json``, a results
    summary…), read as ``--labels`` reads it; 0 when it is not such a file, unreadable, or over ``limit``
    bytes. A folder walk passes such files over, saying how to use them, instead of calling them bad logs."""
    doc = _found_doc(path, limit)
    return len(_detected(doc, path) or ()) if doc is not None else 0


def _found_doc(path: Path, limit: int = LABELS_LIMIT) -> Any:
    """A JSON file met in a folder, parsed; None when unreadable, not JSON or over ``limit`` bytes."""
    try:
        if path.stat().st_size > limit:
            return None
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _detected(doc: Any, path: Path, *, named: bool = False) -> dict[str, Outcome] | None:
    """The outcomes of a JSON document met in a folder, when it is a labels file by its shape alone: a
    plain {key: value} map (settings?) is one only in a folder named with --labels (then each value
    must be an outcome), and a list only when each of its rows is a label (an agent's event list has
    an id and a success flag here and there)."""
    plain = isinstance(doc, dict) and "resolved" not in doc and "instances" not in doc
    if plain and not named and not any(isinstance(value, dict) for value in doc.values()):
        return None
    if isinstance(doc, list):
        return _from_rows(doc, strict=True)
    return _from_json(doc, path)


def _from_file(path: Path) -> tuple[dict[str, Outcome], dict[str, dict[str, list[str]]]]:
    """One file's outcomes, and the failing tests its SWE-bench reports list."""
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        return _from_csv(path, data), {}
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"{path}: labels file is not valid JSON ({exc})", "fix the file or pass a CSV"
        ) from None
    labels = _from_json(doc, path)
    if labels is None:
        raise InputError(
            f"{path}: not a labels file I know (SWE-bench report, results summary, or id → outcome)",
            "see docs/formats/README.md#outcome-labels",
        )
    return labels, _failing_tests(doc, path)


def _from_json(doc: Any, path: Path) -> dict[str, Outcome] | None:
    if isinstance(doc, list):
        return _from_rows(doc)
    if not isinstance(doc, dict):
        return None
    if "instances" in doc and isinstance(doc["instances"], list):
        return _from_rows(doc["instances"])
    if "resolved" in doc and isinstance(doc["resolved"], bool):  # a bare report.json inside <iid>/
        return {path.parent.name: Outcome.SUCCESS if doc["resolved"] else Outcome.FAILURE}
    if isinstance(doc.get("resolved"), list):  # results.json: lists of ids
        lists = {
            str(i): Outcome.FAILURE
            for key in ("unresolved", "failed", "error", "no_generation")
            for i in doc.get(key, []) or []
        }
        lists.update({str(i): Outcome.SUCCESS for i in doc["resolved"]})
        return lists
    out: dict[str, Outcome] = {}
    for key, value in doc.items():
        if isinstance(value, dict) and isinstance(value.get("resolved"), bool):
            out[str(key)] = Outcome.SUCCESS if value["resolved"] else Outcome.FAILURE
        else:
            outcome = _outcome(value)
            if outcome is None:
                return None
            out[str(key)] = outcome
    return out


def _failing_tests(doc: Any, path: Path) -> dict[str, dict[str, list[str]]]:
    """instance id -> the tests a SWE-bench report lists as failing after the patch, by kind (empty
    lists: none failed); only instances whose report has ``tests_status`` (a report.json, bare or
    keyed by instance)."""
    if not isinstance(doc, dict):
        return {}
    reports = {path.parent.name: doc} if "tests_status" in doc else doc
    out: dict[str, dict[str, list[str]]] = {}
    for iid, report in reports.items():
        status = report.get("tests_status") if isinstance(report, dict) else None
        if isinstance(status, dict):
            out[str(iid)] = {
                "not_fixed": _failures(status.get("FAIL_TO_PASS")),
                "broke": _failures(status.get("PASS_TO_PASS")),
            }
    return out


def _failures(kind: Any) -> list[str]:
    failed = kind.get("failure") if isinstance(kind, dict) else None
    ids = [t for t in failed if isinstance(t, str)] if isinstance(failed, list) else []
    return [t[:MAX_ID] for t in ids[:MAX_TESTS]]


def _from_rows(rows: list[Any], *, strict: bool = False) -> dict[str, Outcome] | None:
    """id -> outcome of a list of result rows; a row without both is skipped, or (``strict``) makes
    the list no labels at all."""
    out: dict[str, Outcome] = {}
    for row in rows:
        if not isinstance(row, dict):
            return None
        key = row.get("instance_id") or row.get("id") or row.get("trajectory_id") or row.get("task_id")
        value = row.get("resolved", row.get("outcome", row.get("success")))
        outcome = _outcome(value)
        if key is None or outcome is None:
            if strict:
                return None
            continue
        out[str(key)] = outcome
    return out


def _from_csv(path: Path, data: bytes) -> dict[str, Outcome]:
    out: dict[str, Outcome] = {}
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")))
    for lineno, row in enumerate(reader, 1):
        if len(row) < 2:
            continue
        outcome = _outcome(row[1])
        if outcome is None:
            if lineno == 1:
                continue  # header
            raise InputError(f"{path}:{lineno}: outcome {row[1]!r} is not success/failure", "fix the row")
        out[row[0].strip()] = outcome
    return out


def _outcome(value: Any) -> Outcome | None:
    if isinstance(value, bool):
        return Outcome.SUCCESS if value else Outcome.FAILURE
    if isinstance(value, int | float):
        return Outcome.SUCCESS if value > 0 else Outcome.FAILURE
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return Outcome.SUCCESS
        if v in _FALSE:
            return Outcome.FAILURE
        if v == "unknown":
            return Outcome.UNKNOWN
    return None
