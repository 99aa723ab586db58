"""The offline distiller: miners that find lessons in logs without an LLM (error → recovery,
environment recipes, failed-vs-resolved contrast, wasted loops, workflow skeletons, code locations
with tree-sitter) and a consolidator that turns lessons into skill edits from templates."""

from skillforge.distill.offline.consolidate import OfflineConsolidator
from skillforge.distill.offline.mapper import MINER_VERSION, OfflineMapper

__all__ = ["MINER_VERSION", "OfflineConsolidator", "OfflineMapper"]
