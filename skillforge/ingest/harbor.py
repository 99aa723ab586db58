"""Harbor's trial folders around an ATIF trajectory: where the outcome of a trial is written, and the
files beside the trajectory that are not logs.

A trial is ``jobs/<job>/<trial>/`` with ``agent/trajectory.json`` (read by ``atif``), ``result.json``
(``verifier_result.rewards{reward: …}``, ``exception_info``, ``agent_info``), ``verifier/reward.txt``
or ``verifier/reward.json`` (what the verifier wrote: the reward as text, or ``{"reward": …}``, which
Harbor's verifier reads either of), ``config.json`` and ``trial.log``; the job folder above holds its own
``result.json`` and ``config.json``. A reward above 0 is a success and 0 a failure (Terminal-Bench
rewards are 0 or 1; a fractional reward is kept in ``metadata.reward``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from skillforge.model import Outcome, Trajectory

TRIAL_FILES = {"result.json", "config.json", "trial.log", "job.log"}
MAX_RESULT = 16 * 1024 * 1024


def apply_outcome(trajectory_path: Path, traj: Trajectory) -> None:
    """Set a trial's outcome from ``result.json`` (``harbor:result.json``), else ``verifier/reward.txt``
    or ``verifier/reward.json`` (``harbor:reward``), when the trajectory sits in a trial's ``agent/`` folder and has none yet."""
    if trajectory_path.parent.name != "agent" or traj.outcome is not Outcome.UNKNOWN:
        return
    trial = trajectory_path.parent.parent
    result = _load(trial / "result.json")
    reward = _reward(result)
    source = "harbor:result.json"
    if isinstance(result, dict) and isinstance(result.get("exception_info"), dict):
        kind = result["exception_info"].get("exception_type")
        traj.metadata["harbor_exception"] = kind if isinstance(kind, str) else "exception"
    if reward is None:
        reward, source = _reward_txt(trial / "verifier" / "reward.txt"), "harbor:reward"
    if reward is None:
        reward = _reward({"verifier_result": {"rewards": _load(trial / "verifier" / "reward.json")}})
    if reward is None:
        return
    traj.outcome = Outcome.SUCCESS if reward > 0 else Outcome.FAILURE
    traj.outcome_source = source
    traj.metadata["reward"] = reward


def _load(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > MAX_RESULT:
            return None
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _reward(result: Any) -> float | None:
    if not isinstance(result, dict) or not isinstance(result.get("verifier_result"), dict):
        return None
    rewards = result["verifier_result"].get("rewards")
    if not isinstance(rewards, dict) or not rewards:
        return None
    value = rewards.get("reward", next(iter(rewards.values())) if len(rewards) == 1 else None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _reward_txt(path: Path) -> float | None:
    try:
        return float(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def companion_reason(path: Path) -> str | None:
    """A trial's or job's own files (``result.json``, ``config.json``, logs, what its verifier wrote) met
    in a folder walk."""
    folder = path.parent
    if folder.name == "verifier" and (folder.parent / "agent").is_dir():
        return "Harbor trial or job file (the trajectory is in agent/)"
    if path.name not in TRIAL_FILES:
        return None
    if (
        (folder / "agent").is_dir()
        or (folder / "verifier").is_dir()
        or any((child / "agent").is_dir() for child in _subfolders(folder))
    ):
        return "Harbor trial or job file (the trajectory is in agent/)"
    return None


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()][:50]
    except OSError:
        return []
