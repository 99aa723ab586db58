"""Settings, and where each value came from.

Precedence, highest first (the same for every key):

1. a command-line option (passed in as ``overrides``);
2. an environment variable ``SKILLFORGE_<KEY>`` (upper case);
3. the library's config file ``<library>/skillforge.toml`` (written by ``skillforge init``);
4. the user's config file ``$SKILLFORGE_HOME/config.toml``;
5. the built-in default below.

A library is data, not configuration: the keys in :data:`UNTRUSTED_LIBRARY_KEYS` (which provider and
server receive the user's API key, which templates run) are ignored in a library's committed
``skillforge.toml`` unless the user opts in with ``trust_library_config`` (a command-line option,
``SKILLFORGE_TRUST_LIBRARY_CONFIG=1`` or the user's own config file, never the library's); each
ignored key is listed in ``Settings.ignored`` and warned about once.

``skillforge config`` prints every resolved value with its source. ``SKILLFORGE_HOME`` (default
``~/.skillforge``) relocates all of skillforge's own state (cache, logs, user config), so a test or a CI
job can isolate itself by setting one variable.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillforge.errors import ConfigError

LIBRARY_CONFIG = "skillforge.toml"

# key -> (default, type, description)
DEFAULTS: dict[str, tuple[Any, type, str]] = {
    "library": (".", str, "the skill library (a git repository holding skills/)"),
    "provider": ("", str, "LLM provider: anthropic, openai, openai-compatible or offline (empty: auto)"),
    "model": ("", str, "model name (empty: the provider's default)"),
    "base_url": ("", str, "base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio)"),
    "workers": (8, int, "parallel LLM calls"),
    "timeout": (120.0, float, "seconds per LLM call"),
    "max_retries": (4, int, "SDK retries per LLM call (429/5xx/timeouts, honouring Retry-After)"),
    "max_cost": (0.0, float, "stop before spending more than this many dollars (0: no limit)"),
    "max_tokens": (0, int, "stop before using more than this many tokens (0: no limit)"),
    "min_support": (2, int, "trajectories a lesson needs before it becomes part of a skill"),
    "base_branch": ("", str, "branch that review branches start from (empty: the current branch)"),
    "author_name": ("skillforge", str, "author of skillforge's commits"),
    "author_email": ("skillforge@localhost", str, "author e-mail of skillforge's commits"),
    "templates": ("", str, "folder of jinja2 templates that override the built-in ones"),
    "rpm": (0, int, "LLM requests per minute across all workers (0: no limit)"),
    "tpm": (0, int, "LLM tokens per minute across all workers (0: no limit)"),
    "merge_fanout": (8, int, "lessons or drafts per LLM merge call in consolidation"),
    "merge_levels": (3, int, "levels of the LLM merge tree in consolidation"),
    "analyst_steps": (12, int, "tool calls (read_step/search) an LLM analyst may make per trajectory"),
    "transcript_tokens": (6000, int, "token budget of the compact transcript index an analyst receives"),
    "route_k": (3, int, "skills returned by route"),
    "route_max_tokens": (1500, int, "token budget of route's output"),
    "allowed_hosts": ("", str, "extra hosts skills may link to, comma-separated (validate's URL allowlist)"),
    "trust_library_config": (
        False,
        bool,
        "use provider, base_url, model and templates from a library's "
        "skillforge.toml (never read from the library itself)",
    ),
}
UNTRUSTED_LIBRARY_KEYS = frozenset({"provider", "base_url", "model", "templates", "trust_library_config"})


def home() -> Path:
    """skillforge's own state folder (cache, logs, user config)."""
    env = os.environ.get("SKILLFORGE_HOME")
    return Path(env).expanduser() if env else Path.home() / ".skillforge"


def cache_dir() -> Path:
    return home() / "cache"


def log_dir() -> Path:
    return home() / "logs"


@dataclass(frozen=True)
class Resolved:
    key: str
    value: Any
    source: str  # "option", "env SKILLFORGE_X", "<path>", "default"
    description: str


class Settings:
    """Resolved settings. ``settings.workers`` returns the value; ``settings.explain()`` all sources."""

    def __init__(self, overrides: dict[str, Any] | None = None, library: Path | None = None):
        self._overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        lib = library or Path(
            str(self._overrides.get("library") or os.environ.get("SKILLFORGE_LIBRARY", "."))
        )
        self._files: list[tuple[Path, dict[str, Any]]] = []
        self.ignored: list[str] = []  # library keys not used (the user has not opted in)
        user = _read_toml(home() / "config.toml")
        library_data = _read_toml(lib / LIBRARY_CONFIG)
        if library_data is not None:
            self._files.append((lib / LIBRARY_CONFIG, library_data))
        if user is not None:
            self._files.append((home() / "config.toml", user))
        if library_data and not self._trusts_library(user):
            for key in sorted(UNTRUSTED_LIBRARY_KEYS & library_data.keys()):
                library_data.pop(key)
                self.ignored.append(key)
            _warn_ignored(lib / LIBRARY_CONFIG, self.ignored)
        self._resolved = {key: self._resolve(key) for key in DEFAULTS}

    def _trusts_library(self, user: dict[str, Any] | None) -> bool:
        """The opt-in, from an option, the environment or the user's own config only."""
        if "trust_library_config" in self._overrides:
            value = self._overrides["trust_library_config"]
        elif "SKILLFORGE_TRUST_LIBRARY_CONFIG" in os.environ:
            value = os.environ["SKILLFORGE_TRUST_LIBRARY_CONFIG"]
        else:
            value = (user or {}).get("trust_library_config", False)
        return bool(_coerce("trust_library_config", value, bool, "trust_library_config"))

    def _resolve(self, key: str) -> Resolved:
        default, typ, desc = DEFAULTS[key]
        if key in self._overrides:
            return Resolved(key, _coerce(key, self._overrides[key], typ, "option"), "option", desc)
        env_name = f"SKILLFORGE_{key.upper()}"
        if env_name in os.environ:
            return Resolved(key, _coerce(key, os.environ[env_name], typ, env_name), f"env {env_name}", desc)
        for path, data in self._files:
            if key in data:
                return Resolved(key, _coerce(key, data[key], typ, str(path)), str(path), desc)
        return Resolved(key, default, "default", desc)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._resolved[key].value
        except KeyError:
            raise AttributeError(key) from None

    def explain(self) -> list[Resolved]:
        return list(self._resolved.values())


_WARNED: set[tuple[str, tuple[str, ...]]] = set()


def _warn_ignored(path: Path, keys: list[str]) -> None:
    if not keys or (str(path), tuple(keys)) in _WARNED:
        return
    _WARNED.add((str(path), tuple(keys)))
    from skillforge import console

    console.warn(
        f"{path}: ignored {', '.join(keys)} (a library's config cannot choose the provider, server "
        "or templates); to use them, pass --trust-library-config to distill, set "
        "SKILLFORGE_TRUST_LIBRARY_CONFIG=1, or set trust_library_config = true in your own "
        "~/.skillforge/config.toml"
    )


def _read_toml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", "fix or delete the file") from None
    section = data.get("skillforge", data)
    return section if isinstance(section, dict) else {}


def _coerce(key: str, value: Any, typ: type, source: str) -> Any:
    try:
        if typ is bool and isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return typ(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {key!r} from {source} must be a {typ.__name__}, got {value!r}",
            f"fix {source}",
        ) from None
