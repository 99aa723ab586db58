"""Jinja2 templates shipped with skillforge (prompts, skill bodies, pull-request bodies).

``render(name, **context)`` looks first in the folder given by ``--templates`` / ``SKILLFORGE_TEMPLATES``
(so users can override any template by file name), then in the built-in templates. With an override folder the
templates render in jinja2's sandbox (:class:`~jinja2.sandbox.SandboxedEnvironment`): a template
from outside skillforge cannot reach Python internals or run code, and one that tries (or fails to
render) is a one-line :class:`~skillforge.errors.ConfigError`, not a traceback. ``digest(name)`` is the
template's content hash, part of every cache key so that editing a prompt invalidates its cache.

The built-in templates live in the project's top-level ``templates/`` folder, where users find them to
copy for ``--templates``; the wheel ships that folder inside the package as ``skillforge/templates/builtin``
(hatch ``force-include``), and a source checkout or editable install reads it in place.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from skillforge.errors import ConfigError


def _builtin() -> Path:
    shipped = Path(__file__).parent / "builtin"  # an installed wheel
    return shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / "templates"


BUILTIN = _builtin()


@cache
def _env(override: str) -> Environment:
    folders = [str(Path(override).expanduser())] if override else []
    folders.append(str(BUILTIN))
    kind = SandboxedEnvironment if override else Environment
    return kind(
        loader=FileSystemLoader(folders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(name: str, override: str = "", **context: Any) -> str:
    if not override:
        return _env(override).get_template(name).render(**context)
    try:  # a template from outside skillforge: the sandbox's refusal or any mistake is one line
        return _env(override).get_template(name).render(**context)
    except Exception as exc:  # TemplateError, or what its code raised (1/0), or bytes that are not UTF-8
        raise _template_error(name, override, exc) from None


def source(name: str, override: str = "") -> str:
    env = _env(override)
    assert env.loader is not None
    try:
        text, _, _ = env.loader.get_source(env, name)
    except (OSError, UnicodeError) as exc:
        raise _template_error(name, override, exc) from None
    return text


def _template_error(name: str, override: str, exc: Exception) -> ConfigError:
    return ConfigError(
        f"template {name} (templates folder {override or 'built-in'}): {type(exc).__name__}: {exc}",
        "fix the template, or unset templates (--templates, SKILLFORGE_TEMPLATES, skillforge.toml) to use the built-ins",
    )


def digest(name: str, override: str = "") -> str:
    return hashlib.blake2b(source(name, override).encode(), digest_size=8).hexdigest()
