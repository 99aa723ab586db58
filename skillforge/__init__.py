"""skillforge: turn coding agents' past sessions into a reviewed library of Agent Skills.

The public Python API is re-exported here and loaded lazily, so ``import skillforge`` stays cheap
(the ``route`` path runs on every prompt from an agent hook).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillforge.version import DISTRIBUTION, __version__

__all__ = ["DISTRIBUTION", "Router", "SkillforgeError", "Trajectory", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from skillforge.errors import SkillforgeError
    from skillforge.model import Trajectory
    from skillforge.route import Router


def __getattr__(name: str) -> Any:
    if name == "Router":
        from skillforge.route import Router

        return Router
    if name == "SkillforgeError":
        from skillforge.errors import SkillforgeError

        return SkillforgeError
    if name == "Trajectory":
        from skillforge.model import Trajectory

        return Trajectory
    raise AttributeError(name)
