"""Settings, and where each value came from.

Precedence, highest first (the same for every key):

1. a command-line option (passed in as ``overrides`` to :meth:`Settings.load`);
2. an environment variable ``SKILLFORGE_<KEY>`` (upper case), then, for API keys and servers, the
   SDKs' own variables (``ANTHROPIC_API_KEY``, ``OPENAI_BASE_URL``, …);
3. the library's config file ``<library>/skillforge.toml`` (written by ``skillforge init``);
4. the user's config file ``$SKILLFORGE_HOME/config.toml``;
5. the built-in default below.

A library is data, not configuration: the keys in :data:`UNTRUSTED_LIBRARY_KEYS` (which provider and
server receive the user's API key, which templates run, which hosts validate trusts: the skills it
judges and the library's config come in the same pull request) are ignored in a library's committed
``skillforge.toml`` unless the user opts in with ``trust_library_config`` (a command-line option,
``SKILLFORGE_TRUST_LIBRARY_CONFIG=1`` or the user's own config file, never the library's); each
ignored key is listed in ``Settings.ignored`` and warned about once.

A ``library`` written with ``~`` (in a config file, the environment or a quoted option, which no shell
expands) is expanded here, once, for every command.

``skillforge config`` prints every resolved value with its source. ``SKILLFORGE_HOME`` (default
``~/.skillforge``) relocates all of skillforge's own state (cache, logs, user config), so a test or a CI
job can isolate itself by setting one variable.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from skillforge.errors import ConfigError

LIBRARY_CONFIG = "skillforge.toml"


def _setting(default: Any, doc: str, *env: str, secret: bool = False) -> Any:
    """One row of the settings table: its default, meaning, extra environment variables read after
    ``SKILLFORGE_<KEY>`` (the SDKs' own names for keys and servers), and whether it is a secret."""
    return field(default=default, repr=not secret, metadata={"doc": doc, "env": env, "secret": secret})


DEFAULT_MIN_SUPPORT = 2  # runs a lesson needs (distill's run ids leave this default out)


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved once by :meth:`load` (the application layer calls it; the core receives
    the result and never reads the environment itself). ``explain()`` lists each value's source."""

    library: str = _setting(".", "the skill library (a git repository holding skills/)")
    provider: str = _setting(
        "", "LLM provider: anthropic, openai, openai-compatible or offline (empty: auto)"
    )
    model: str = _setting("", "model name (empty: the provider's default)")
    base_url: str = _setting(
        "", "base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio)"
    )
    anthropic_api_key: str = _setting("", "Anthropic API key", "ANTHROPIC_API_KEY", secret=True)
    openai_api_key: str = _setting("", "OpenAI (or compatible server) API key", "OPENAI_API_KEY", secret=True)
    anthropic_base_url: str = _setting("", "Anthropic API server (empty: the SDK's)", "ANTHROPIC_BASE_URL")
    openai_base_url: str = _setting("", "OpenAI API server (empty: the SDK's)", "OPENAI_BASE_URL")
    workers: int = _setting(8, "parallel LLM calls")
    timeout: float = _setting(120.0, "seconds per LLM call")
    max_retries: int = _setting(4, "SDK retries per LLM call (429/5xx/timeouts, honouring Retry-After)")
    max_cost: float = _setting(0.0, "stop before spending more than this many dollars (0: no limit)")
    max_tokens: int = _setting(0, "stop before using more than this many tokens (0: no limit)")
    min_support: int = _setting(
        DEFAULT_MIN_SUPPORT,
        "runs a lesson needs before it becomes part of a skill (a subagent counts with its session)",
    )
    base_branch: str = _setting("", "branch that review branches start from (empty: the current branch)")
    author_name: str = _setting("skillforge", "author of skillforge's commits")
    author_email: str = _setting("skillforge@localhost", "author e-mail of skillforge's commits")
    templates: str = _setting("", "folder of jinja2 templates that override the built-in ones")
    rpm: int = _setting(0, "LLM requests per minute across all workers (0: no limit)")
    tpm: int = _setting(0, "LLM tokens per minute across all workers (0: no limit)")
    merge_fanout: int = _setting(8, "lessons or drafts per LLM merge call in consolidation")
    merge_levels: int = _setting(3, "levels of the LLM merge tree in consolidation")
    analyst_steps: int = _setting(12, "tool calls (read_step/search) an LLM analyst may make per trajectory")
    transcript_tokens: int = _setting(
        6000, "token budget of the compact transcript index an analyst receives"
    )
    route_k: int = _setting(3, "skills returned by route")
    route_max_tokens: int = _setting(1500, "token budget of route's output")
    allowed_hosts: str = _setting(
        "", "extra hosts skills may link to, comma-separated (validate's URL allowlist)"
    )
    trust_library_config: bool = _setting(
        False,
        "use provider, base_url, model, templates and allowed_hosts from a library's "
        "skillforge.toml (never read from the library itself)",
    )
    # provenance: key -> "option", "env SKILLFORGE_X", "<path>" or "default"
    sources: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    ignored: list[str] = field(default_factory=list, compare=False)  # library keys not used

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, library: Path | None = None) -> Settings:
        """Resolve every setting: option > env > library file > user file > default."""
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        unknown = sorted(set(given) - DEFAULTS.keys())
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}", f"use one of: {', '.join(DEFAULTS)}")
        lib = library or Path(str(given.get("library") or os.environ.get("SKILLFORGE_LIBRARY", ".")))
        files, ignored = _files(lib.expanduser(), given)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key in DEFAULTS:
            values[key], sources[key] = _resolve(key, given, files)
        values["library"] = os.path.expanduser(values["library"])  # the one home of `~/skills`'s expansion
        return cls(**values, sources=sources, ignored=ignored)

    def explain(self) -> list[Resolved]:
        """Each setting, its value (secrets masked) and where it came from."""
        rows = []
        for key, (_, _, desc) in DEFAULTS.items():
            value = getattr(self, key)
            if key in SECRET_KEYS:
                value = "(set)" if value else ""
            rows.append(Resolved(key, value, self.sources.get(key, "default"), desc))
        return rows

    def require_templates(self) -> None:
        """Check the templates folder, for the commands that render templates (distill, init, prune,
        route --rerank): a folder that is not there would leave the built-ins in use without a word.
        Checked there, not on load: route, validate, serve and the hook render none, and must not
        stop over it."""
        if self.templates:
            source = self.sources.get("templates", "option")
            label = "--templates" if source in ("option", "default") else source.removeprefix("env ")
            _check_folder("templates", self.templates, label)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with some values replaced (their source: option)."""
        return replace(self, **values, sources={**self.sources, **dict.fromkeys(values, "option")})


# key -> (default, type, description), generated from the dataclass above
DEFAULTS: dict[str, tuple[Any, type, str]] = {
    f.name: (f.default, type(f.default), f.metadata["doc"]) for f in fields(Settings) if f.metadata
}
SECRET_KEYS = frozenset(f.name for f in fields(Settings) if f.metadata.get("secret"))
_EXTRA_ENV: dict[str, tuple[str, ...]] = {f.name: f.metadata["env"] for f in fields(Settings) if f.metadata}
UNTRUSTED_LIBRARY_KEYS = frozenset(
    {
        "allowed_hosts",  # validate's verdict: a pull request could allow its own hosts (see the docstring)
        "provider",
        "base_url",
        "model",
        "templates",
        "trust_library_config",
        "anthropic_base_url",
        "openai_base_url",
    }
)


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


_Files = list[tuple[Path, dict[str, Any]]]


def _files(lib: Path, given: Mapping[str, Any]) -> tuple[_Files, list[str]]:
    """The config files that apply, highest first, and the library keys left out (not opted in).
    Secrets are never read from a library's file: a library is committed and shared."""
    files: _Files = []
    ignored: list[str] = []
    user = _read_toml(home() / "config.toml")
    library_data = _read_toml(lib / LIBRARY_CONFIG)
    if library_data is not None:
        for key in SECRET_KEYS & library_data.keys():
            library_data.pop(key)
        files.append((lib / LIBRARY_CONFIG, library_data))
    if user is not None:
        files.append((home() / "config.toml", user))
    if library_data and not _trusts_library(given, user):
        for key in sorted(UNTRUSTED_LIBRARY_KEYS & library_data.keys()):
            library_data.pop(key)
            ignored.append(key)
        _warn_ignored(lib / LIBRARY_CONFIG, ignored)
    return files, ignored


def _trusts_library(given: Mapping[str, Any], user: dict[str, Any] | None) -> bool:
    """The opt-in, from an option, the environment or the user's own config only."""
    if "trust_library_config" in given:
        value = given["trust_library_config"]
    elif "SKILLFORGE_TRUST_LIBRARY_CONFIG" in os.environ:
        value = os.environ["SKILLFORGE_TRUST_LIBRARY_CONFIG"]
    else:
        value = (user or {}).get("trust_library_config", False)
    return bool(_coerce("trust_library_config", value, bool, "trust_library_config"))


def _resolve(key: str, given: Mapping[str, Any], files: _Files) -> tuple[Any, str]:
    default, typ, _ = DEFAULTS[key]
    if key in given:
        return _coerce(key, given[key], typ, "--" + key.replace("_", "-")), "option"
    own = f"SKILLFORGE_{key.upper()}"
    if own in os.environ:
        return _coerce(key, os.environ[own], typ, own), f"env {own}"
    for env_name in _EXTRA_ENV[key]:  # the SDKs' own variables count when set and not empty
        if os.environ.get(env_name):
            return _coerce(key, os.environ[env_name], typ, env_name), f"env {env_name}"
    for path, data in files:
        if key in data:
            return _coerce(key, _relative_to(path, key, data[key]), typ, str(path)), str(path)
    return default, "default"


def _relative_to(config: Path, key: str, value: Any) -> Any:
    """A relative templates folder in a config file is the file's own folder's (a library's
    ``templates = "tpl"`` is its ``tpl/`` from wherever distill runs), not the current folder's."""
    if key == "templates" and isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
        return str(config.parent / value)
    return value


_WARNED: set[tuple[str, tuple[str, ...]]] = set()


def _warn_ignored(path: Path, keys: list[str]) -> None:
    if not keys or (str(path), tuple(keys)) in _WARNED:
        return
    _WARNED.add((str(path), tuple(keys)))
    from skillforge import console

    console.warn(
        f"{path}: ignored {', '.join(keys)} (a library's config cannot choose the provider, server, "
        "templates or validate's allowed hosts); to use them, pass --trust-library-config to distill, set "
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
        coerced = typ(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{_what(key, source)} must be {_KINDS.get(typ, typ.__name__)}, got {value!r}", f"fix {source}"
        ) from None
    if typ in (int, float) and not coerced >= 0:  # a count, budget or time: -5 or nan means nothing
        raise ConfigError(f"{_what(key, source)} must be 0 or more, got {value!r}", f"fix {source}")
    return coerced


def _check_folder(key: str, value: str, source: str) -> None:
    """A templates folder that is not there would leave the built-ins in use without a word (a typo
    in the path, and custom prompts are skipped): it is an error, naming where the path came from."""
    path = Path(value).expanduser()
    if path.is_dir():
        return
    what = "a file, not a folder" if path.exists() else "no such folder"
    where = value if path.is_absolute() else f"{value} (relative to {Path.cwd()})"
    label = _what(key, source)
    raise ConfigError(
        f"{label} {where}: {what}" if label.startswith("--") else f"{label}: {where}: {what}",
        f"fix {source}: name a folder of .j2 templates (copy the ones to change from skillforge's "
        "templates/), or drop it to use the built-in ones",
    )


_KINDS = {int: "a whole number", float: "a number", str: "text"}


def _what(key: str, source: str) -> str:
    """What a bad value is named by: the option itself (``--max-cost``), else the setting and its source."""
    return source if source.startswith("--") else f"setting {key!r} from {source}"
