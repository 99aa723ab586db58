"""Integrations with coding agents: ``skillforge install`` (hooks, MCP registration, skill links)."""
