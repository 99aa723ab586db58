"""Redacting a whole trajectory in place before anything else reads it: every text field (the task,
the working folder, each step's text, tool input and typed action, metadata) scrubbed of secrets and
home folders, then every value found as a secret anywhere masked wherever else the run repeats it
(:class:`~skillforge.safety.echoes.Echoes`). :mod:`skillforge.safety.redact` holds the rules on one text.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from skillforge.safety.echoes import Echoes, strings
from skillforge.safety.redact import note_secret, redact, redacted_key, scrub, secret_spans

if TYPE_CHECKING:  # the route path imports the redaction rules: no msgspec or model package at import time
    from collections.abc import Callable

    from skillforge.model import Action, Trajectory


def redact_trajectory(traj: object) -> Counter[str]:
    """Redact every step's text and input in place (before any LLM call, file write or commit).

    Secrets become typed placeholders and home folders ``~``; then every value found as a secret
    anywhere in the trajectory is removed wherever else it occurs in it (``CF_API_TOKEN=V`` names V a
    secret; the error line that prints V bare is masked too, see :class:`Echoes`). Returns the count
    per kind."""
    from skillforge.model import Trajectory

    assert isinstance(traj, Trajectory)
    found: dict[str, str] = {}
    total = _scrub_fields(traj, found)
    echoes = Echoes(found)
    if echoes:
        total.update(_mask_fields(traj, echoes))
    return total


def trajectory_redactor(traj: object) -> Callable[[Any], Any]:
    """:func:`redact_tree` for what is written of a trajectory not yet redacted (``ingest --json`` and
    ``--to atif`` redact each part as they write it), and every value found as a secret anywhere in the
    trajectory masked wherever else it occurs, an earlier step included. The trajectory's strings are
    scanned once here: a string found clean is not scanned again when it is written."""
    from skillforge.model import Trajectory

    assert isinstance(traj, Trajectory)
    found: dict[str, str] = {}
    clean: set[str] = set()
    texts = [traj.task, traj.cwd, traj.repository, traj.source, *strings(traj.metadata)]
    for step in traj.steps:
        texts.extend((step.text, step.tool_name, *strings(step.input)))
    for text in texts:
        if not text or text in clean:
            continue
        spans = secret_spans(text)
        if not spans:
            clean.add(text)
        for start, end, kind in spans:
            note_secret(found, text[start:end], kind)
    echoes = Echoes(found)

    def one(text: str) -> str:
        cleaned = text if text in clean else redact(text)[0]
        return echoes.mask(cleaned)[0] if echoes else cleaned

    def tree(value: Any) -> Any:
        if isinstance(value, str):
            return one(value)
        if isinstance(value, dict):
            return {
                echoes.mask_tree(redacted_key(k)) if isinstance(k, str) else k: tree(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [tree(v) for v in value]
        return value

    return tree


def _scrub_fields(traj: Trajectory, found: dict[str, str]) -> Counter[str]:
    """Scrub the trajectory's fields in place, collecting the secrets found (value -> kind)."""
    total: Counter[str] = Counter()
    traj.task, counts = scrub(traj.task, found)
    total.update(counts)
    known = {traj.cwd: scrub(traj.cwd)[0]} if traj.cwd else {}  # shell actions carry the session's cwd
    for attr in ("cwd", "repository", "source"):  # a token in a remote URL, a user name in a path
        value = getattr(traj, attr)
        if value:
            cleaned, counts = scrub(value, found)
            setattr(traj, attr, cleaned)
            total.update(counts)
    files: dict[str, str] = {}
    for step in traj.steps:  # evidence cites step.source: no user names in committed file paths
        if step.source is not None and step.source.file:
            if step.source.file not in files:
                files[step.source.file] = scrub(step.source.file)[0]
            step.source.file = files[step.source.file]
    for step in traj.steps:
        original = step.text
        step.text, counts = scrub(step.text, found)
        if step.input is not None:
            counts.update(_redact_input(step, found))
        if step.tool_name:  # shown to the model and cited in evidence: a name the log chose
            step.tool_name, named = scrub(step.tool_name, found)
            counts.update(named)
        total.update(counts)
        if step.action is not None:  # the typed action repeats the command, path or patch text
            step.action = _redact_action(step.action, {**known, original: step.text})
    if traj.metadata:  # e.g. the submitted diff, run configs: miners and prompts read them too
        traj.metadata = _scrub_value(traj.metadata, total, found)
    return total


def _mask_fields(traj: Trajectory, echoes: Echoes) -> Counter[str]:
    """Mask every known secret value wherever it is left in the (scrubbed) trajectory, in place."""
    total: Counter[str] = Counter()

    def mask(text: str) -> str:
        cleaned, counts = echoes.mask(text)
        total.update(counts)
        return cleaned

    traj.task = mask(traj.task)
    for attr in ("cwd", "repository", "source"):
        value = getattr(traj, attr)
        if value:
            setattr(traj, attr, mask(value))
    for step in traj.steps:
        step.text = mask(step.text)
        if step.tool_name:
            step.tool_name = mask(step.tool_name)
        if isinstance(step.input, str):
            step.input = mask(step.input)
        elif step.input is not None and any(echoes.mask(t)[1] for t in strings(step.input)):
            step.input = echoes.mask_tree(step.input)
        if step.action is not None:  # uncounted: it repeats the step's text
            step.action = _mask_action(step.action, echoes)
    if traj.metadata and any(echoes.mask(t)[1] for t in strings(traj.metadata)):
        traj.metadata = echoes.mask_tree(traj.metadata)
    return total


def _mask_action(action: Action, echoes: Echoes) -> Action:
    import msgspec

    changes: dict[str, Any] = {}
    for name in action.__struct_fields__:
        value = getattr(action, name)
        if isinstance(value, str) and value:
            new: Any = echoes.mask(value)[0]
        elif isinstance(value, tuple):
            new = tuple(echoes.mask(v)[0] if isinstance(v, str) else v for v in value)
        else:
            continue
        if new != value:
            changes[name] = new
    return msgspec.structs.replace(action, **changes) if changes else action


def _scrub_value(value: Any, total: Counter[str], found: dict[str, str] | None = None) -> Any:
    """Scrub every string inside a JSON-like value, dict keys too."""
    if isinstance(value, str):
        cleaned, counts = scrub(value, found)
        total.update(counts)
        return cleaned
    if isinstance(value, dict):
        return {_scrub_value(k, total, found): _scrub_value(v, total, found) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v, total, found) for v in value]
    return value


def _redact_action(action: Action, known: dict[str, str]) -> Action:
    """The action with its text fields scrubbed (the same action when nothing changed). Its fields copy
    the step's text or input (and the session's cwd), whose secrets are counted already: a field in
    ``known`` (original -> cleaned) takes the cleaned form; every other string is scrubbed too (a field
    built by transformation, such as a joined argv, may hold a secret in a form the step's text did
    not), uncounted. Nothing is counted twice."""
    import msgspec

    changes: dict[str, Any] = {}
    for name in action.__struct_fields__:
        value = getattr(action, name)
        if isinstance(value, str) and value:
            new: Any = known[value] if value in known else scrub(value)[0]
        elif isinstance(value, tuple):
            new = tuple(scrub(v)[0] if isinstance(v, str) else v for v in value)
        else:
            continue
        if new != value:
            changes[name] = new
    return msgspec.structs.replace(action, **changes) if changes else action


def _redact_input(step: object, found: dict[str, str] | None = None) -> Counter[str]:
    import orjson

    value = step.input  # type: ignore[attr-defined]
    raw = value if isinstance(value, str) else orjson.dumps(value).decode()
    cleaned, counts = scrub(raw, found)
    if counts:
        try:
            step.input = cleaned if isinstance(value, str) else orjson.loads(cleaned)  # type: ignore[attr-defined]
        except orjson.JSONDecodeError:  # a placeholder broke the JSON: keep the text form
            step.input = cleaned  # type: ignore[attr-defined]
    return counts
