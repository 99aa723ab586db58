"""The shell check's rules about where packages and downloads come from: TLS verification switched off
(a tool's option, config or environment variable), a package index or registry over plain http or
trusted without TLS, a package installed straight from a plain-http URL. Each takes a command's words
(see :func:`skillforge.safety.shell_tree.words`) and yields (rule, message, confidence).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.shell_interpreters import base, module
from skillforge.safety.shell_rules import host_of, plain_http_remote

_TLS_OFF_ENV = frozenset(
    {
        "NODE_TLS_REJECT_UNAUTHORIZED=0",
        "PYTHONHTTPSVERIFY=0",
        "CURL_CA_BUNDLE=",
        "REQUESTS_CA_BUNDLE=",
    }
)
_TLS_OFF_ANY_VALUE = frozenset({"GIT_SSL_NO_VERIFY"})  # git reads its presence, whatever the value
# a tool's TLS switch set false through its environment (npm reads npm_config_* in any case)
_TLS_SWITCH_ENV = frozenset(
    {"NPM_CONFIG_STRICT_SSL", "YARN_ENABLE_STRICT_SSL", "YARN_STRICT_SSL", "CONDA_SSL_VERIFY"}
)
_FALSE = frozenset({"FALSE", "0", "NO", "OFF"})
_INDEX_ENV = (
    *("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX"),
    *("NPM_CONFIG_REGISTRY", "YARN_REGISTRY", "POETRY_REPOSITORIES_", "PIPENV_PYPI_MIRROR", "PDM_PYPI_URL"),
    *("BUN_CONFIG_REGISTRY", "YARN_NPM_REGISTRY_SERVER"),
)


def env_setting(assignment: str) -> Iterator[tuple[str, str, str]]:
    """``NAME=value`` (a prefix or an ``export``) that turns TLS verification off or points installs
    at a plain-http index or a trusted host, for the command or for every later one."""
    name, _, value = assignment.replace('"', "").replace("'", "").partition("=")
    upper = f"{name.upper()}={value.upper()}"
    go = _go_setting(name.upper(), value)
    if go is not None:
        yield go
    elif (
        upper in _TLS_OFF_ENV
        or (name.upper() in _TLS_OFF_ANY_VALUE and value)
        or (name.upper() in _TLS_SWITCH_ENV and value.upper() in _FALSE)
    ):
        yield "tls-disabled", f"turns TLS verification off ({upper})", "high"
    elif name.upper() in ("PIP_TRUSTED_HOST", "UV_INSECURE_HOST") and value:
        yield "untrusted-index", f"installs while trusting host {value!r} without TLS ({name})", "high"
    elif name.upper().startswith(_INDEX_ENV) and plain_http_remote(value):
        yield "untrusted-index", f"installs from a plain-http index ({host_of(value)}, {name})", "high"


def _go_setting(name: str, value: str) -> tuple[str, str, str] | None:
    """Go's module fetching made insecure: ``GOINSECURE`` (plain http, no certificate check, for the
    modules it names), ``GOFLAGS=-insecure``, and the checksum database off for every module
    (``GOSUMDB=off``, ``GONOSUMDB=*``, ``GONOSUMCHECK=1``); a private module path in ``GONOSUMDB`` is
    the documented way to skip it for one's own code, and is none."""
    if name == "GOINSECURE" and value:
        return "tls-disabled", f"fetches Go modules without TLS ({name}={value})", "high"
    if name == "GOFLAGS" and re.search(r"(?:^|\s)-insecure\b", value):
        return "tls-disabled", "fetches Go modules without TLS (GOFLAGS=-insecure)", "high"
    if (
        (name == "GOSUMDB" and value.lower() == "off")
        or (name in ("GONOSUMDB", "GOPRIVATE", "GONOSUMCHECK") and value.strip(",") in ("*", "*/*"))
        or (name in ("GONOSUMCHECK", "GONOSUMDB") and value in ("1", "true"))
    ):
        return (
            "untrusted-index",
            f"installs Go modules without checksum verification ({name}={value})",
            "high",
        )
    return None


def go_env(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """``go env -w GOINSECURE='*' GOSUMDB=off``: settings written for every later go command."""
    if len(ws) > 3 and base(ws[0]) == "go" and ws[1] == "env" and "-w" in ws:
        for w in ws[ws.index("-w") + 1 :]:
            if "=" in w:
                yield from env_setting(w)


_RPMS = frozenset({"yum", "dnf", "microdnf", "zypper", "rpm", "tdnf"})
_NO_SIGNATURE = frozenset({"--nogpgcheck", "--nosignature", "--no-gpg-checks", "--nodigest"})
_APTS = frozenset({"apt", "apt-get", "aptitude"})
_APT_UNSIGNED = re.compile(
    r"--allow-unauthenticated|--allow-insecure-repositories|"
    r"(?:allowunauthenticated|allowinsecurerepositories|allowdowngradetoinsecurerepositories)[= ]\"?(?:true|1|yes)"
)
_TRUSTED_SOURCE = re.compile(r"\bdeb(?:-src)?\s+\[[^\]]*\btrusted\s*=\s*yes\b")


def unsigned_package(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """A system package installed without its signature checked: ``yum/dnf install --nogpgcheck``,
    ``rpm -i --nosignature``, ``apt-get install --allow-unauthenticated``, an apt source marked
    ``[trusted=yes]`` (written by ``echo … | tee``, or given to ``add-apt-repository``); an error from
    a plain-http URL or for an apt source (every later install trusts it), else a warning (a local
    package built on the machine)."""
    name = base(ws[0])
    low = " ".join(w.lower() for w in ws)
    if _TRUSTED_SOURCE.search(low):
        yield "untrusted-index", "adds an apt source trusted without a signature ([trusted=yes])", "high"
    elif name in _APTS and _APT_UNSIGNED.search(low):
        yield "untrusted-index", f"lets {name} install unsigned packages", "high"
    elif name in _RPMS:
        urls = [w for w in ws[1:] if "://" in w]
        plain = [u for u in urls if plain_http_remote(u)]
        if plain:
            yield "untrusted-index", f"installs a package from a plain-http URL ({host_of(plain[0])})", "high"
        elif any(w.lower() in _NO_SIGNATURE for w in ws[1:]):
            conf = "high" if urls else "low"
            yield "untrusted-index", f"{name} installs without checking package signatures", conf


_INSECURE_CODE = re.compile(
    r"\bverify\s*=\s*False\b|rejectUnauthorized\s*:\s*false|_create_unverified_context|CERT_NONE|"
    r"VERIFY_NONE|verify_mode\s*=\s*OpenSSL::SSL::VERIFY_NONE"
)


def insecure_code(ws: list[str], codes: list[str]) -> Iterator[tuple[str, str, str]]:
    """Inline code (``python -c "…requests.get(url, verify=False)…"``) that fetches with its TLS check
    off: a warning, as ``curl -k``."""
    if any(_INSECURE_CODE.search(code) for code in codes):
        yield "tls-disabled", f"{base(ws[0])} fetches without TLS verification", "low"


_APT_NO_VERIFY = re.compile(r"acquire::https?::(?:\S+::)?verify-(?:peer|host)[= ]\"?(?:false|0|no|off)\b")
_CURL_VALUED = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")  # curl's short options that take a value


def _curl_insecure(ws: list[str]) -> bool:
    """curl's ``-k``, alone or in a group of short options (``-sSfLk``; a group ends at an option that
    takes a value: ``-so-k`` writes to a file named ``-k``)."""
    for w in ws[1:]:
        if w == "--insecure":
            return True
        if len(w) > 1 and w[0] == "-" and w[1] != "-":
            for letter in w[1:]:
                if letter == "k":
                    return True
                if letter in _CURL_VALUED:
                    break
    return False


def tls_off(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    name = base(ws[0])
    low = [w.lower() for w in ws]
    joined = " ".join(low)
    if name == "git" and re.search(r"\bhttp\.(?:[^\s=]*\.)?sslverify[= ](?:false|0|no|off)\b", joined):
        yield "tls-disabled", "turns git's TLS verification off (http.sslVerify false)", "high"
    elif name in ("npm", "yarn", "pnpm", "bun") and "strict-ssl" in joined and "false" in joined:
        yield "tls-disabled", f"turns {name}'s TLS verification off (strict-ssl false)", "high"
    elif name == "yarn" and "enablestrictssl" in joined and re.search(r"\b(?:false|0)\b", joined):
        yield "tls-disabled", "turns yarn's TLS verification off (enableStrictSsl false)", "high"
    elif name == "export":
        for w in ws[1:]:
            yield from env_setting(w)
    elif name in _CONDAS and re.search(r"ssl_verify[ =](?:false|no|0)\b", joined):
        yield "tls-disabled", f"turns {name}'s TLS verification off (ssl_verify false)", "high"
    elif name in _CONDAS and ("--insecure" in ws or "-k" in ws):
        yield "tls-disabled", f"{name} without TLS verification (--insecure)", "high"
    elif name in ("apt", "apt-get", "aptitude") and _APT_NO_VERIFY.search(joined):
        yield "tls-disabled", f"turns {name}'s TLS verification off (Verify-Peer false)", "high"
    elif name == "composer" and re.search(
        r"\bsecure-http[ =](?:false|0)\b|\bdisable-tls[ =](?:true|1)\b", joined
    ):
        yield "tls-disabled", "lets composer download over plain http (secure-http false)", "high"
    elif name == "curl" and _curl_insecure(ws):
        yield "tls-disabled", "curl without TLS verification (-k)", "low"
    elif name in ("wget", "wget2") and "--no-check-certificate" in ws:
        yield "tls-disabled", "wget without TLS verification", "low"


_CONDAS = frozenset({"conda", "mamba", "micromamba"})
_CHANNELED = _CONDAS | {"pixi"}  # installers whose source is a channel: -c URL, --channel URL, --channel=URL
_CHANNEL_FLAGS = frozenset({"-c", "--channel"})
_PIPS = re.compile(r"pip[\d.]*")
_INSTALLERS = re.compile(
    r"pip[\d.]*|uv|uvx|pipx|pdm|pipenv|npm|npx|yarn|pnpm|pnpx|bun|bunx|poetry|conda|mamba|micromamba|pixi"
)


def tool_words(ws: list[str]) -> list[str]:
    """The words of the tool a command runs: ``python3.11 -X utf8 -m pip install …`` and ``python3 -Im
    pip install …`` run ``pip install …``."""
    return (module(ws) or ws) if ws else ws


# the flags that name where an installer fetches packages from (an index, a registry, a links page)
_SOURCE_FLAGS = frozenset(
    {
        "--index-url",
        "-i",
        "--extra-index-url",
        "--registry",
        "--index",
        "--default-index",
        "--find-links",
        "-f",
        "--pypi-mirror",
    }
)
_GLUED = frozenset({"-i", "-f"})  # pip's (and uv's, pdm's) short source options: -ihttp://… is -i http://…
# pip's long options (pip install --help): optparse takes any unique prefix (--trusted, --extra-index)
_PIP_OPTIONS = [
    "--abi",
    "--break-system-packages",
    "--cache-dir",
    "--cert",
    "--check-build-dependencies",
    "--client-cert",
    "--compile",
    "--config-settings",
    "--constraint",
    "--debug",
    "--disable-pip-version-check",
    "--dry-run",
    "--editable",
    "--exists-action",
    "--extra-index-url",
    "--find-links",
    "--force-reinstall",
    "--global-option",
    "--group",
    "--hash",
    "--help",
    "--ignore-installed",
    "--ignore-requires-python",
    "--implementation",
    "--index-url",
    "--isolated",
    "--keyring-provider",
    "--log",
    "--no-binary",
    "--no-build-isolation",
    "--no-cache-dir",
    "--no-clean",
    "--no-color",
    "--no-compile",
    "--no-deps",
    "--no-index",
    "--no-input",
    "--no-python-version-warning",
    "--no-use-pep517",
    "--no-warn-conflicts",
    "--no-warn-script-location",
    "--only-binary",
    "--platform",
    "--pre",
    "--prefer-binary",
    "--prefix",
    "--progress-bar",
    "--proxy",
    "--python",
    "--python-version",
    "--quiet",
    "--report",
    "--require-hashes",
    "--require-virtualenv",
    "--requirement",
    "--resume-retries",
    "--retries",
    "--root",
    "--root-user-action",
    "--src",
    "--target",
    "--timeout",
    "--trusted-host",
    "--upgrade",
    "--upgrade-strategy",
    "--use-deprecated",
    "--use-feature",
    "--use-pep517",
    "--user",
    "--verbose",
    "--version",
]
_PIP_TARGETS = ("--trusted-host", *(f for f in _SOURCE_FLAGS if f.startswith("--")))


def _pip_option(flag: str) -> str:
    """A pip long option in full: ``--trusted`` is ``--trusted-host`` (the only one it starts)."""
    if not flag.startswith("--") or len(flag) < 4 or flag in _PIP_OPTIONS:
        return flag
    matches = [o for o in _PIP_OPTIONS if o.startswith(flag)]
    return matches[0] if len(matches) == 1 and matches[0] in _PIP_TARGETS else flag


def _options(name: str, ws: list[str]) -> Iterator[tuple[str, str]]:
    """(flag, value) of each word of an install command, pip's abbreviations spelled out, a glued short
    source option split (``-ihttp://…``) and a named index's name dropped (uv's ``--index n=URL``)."""
    pip = bool(_PIPS.fullmatch(name))
    glued = _GLUED | {"-c"} if name in _CHANNELED else _GLUED
    for i, w in enumerate(ws):
        flag, _, value = w.partition("=")
        if pip:
            flag = _pip_option(flag)
        if w[:2] in glued and len(w) > 2:
            flag, value = w[:2], w[2:]
        if not value and i + 1 < len(ws):
            value = ws[i + 1]
        named, eq, url = value.partition("=")
        if eq and "://" in url and "://" not in named:
            value = url
        yield flag, value


def untrusted_index(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    ws = tool_words(ws)
    name = base(ws[0])
    if not _INSTALLERS.fullmatch(name):
        return
    yield from _config_index(name, ws)
    for flag, value in _options(name, ws):
        if flag in ("--trusted-host", "--allow-insecure-host"):
            yield "untrusted-index", f"installs while trusting host {value!r} without TLS", "high"
        elif flag in _SOURCE_FLAGS:
            if plain_http_remote(value):
                yield "untrusted-index", f"installs from a plain-http index ({host_of(value)})", "high"
            elif value.startswith("https://") and not any(k in value for k in _KNOWN_INDEXES):
                yield "untrusted-index", f"installs from a non-default index ({host_of(value)})", "low"
        elif name in _CHANNELED and flag in _CHANNEL_FLAGS and plain_http_remote(value):
            yield "untrusted-index", f"installs from a plain-http channel ({host_of(value)})", "high"


_KNOWN_INDEXES = (
    "download.pytorch.org",
    "pypi.nvidia.com",
    "pypi.org",
    "files.pythonhosted.org",
    "data.pyg.org",
    "storage.googleapis.com/jax-releases",
    "registry.npmjs.org",
)
_CONFIG_VALUED = frozenset({"--location", "-L", "--userconfig", "--globalconfig", "--cwd", "--editor"})


def _operands(ws: list[str]) -> list[str]:
    """A tool's words that are not options nor their values (``npm config set --location global k v``)."""
    out: list[str] = []
    skip = False
    for w in ws[1:]:
        if skip or w.startswith("-"):
            skip = not skip and w in _CONFIG_VALUED
            continue
        out.append(w)
    return out


def _config_index(name: str, ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """``pip config set global.index-url http://…``, ``npm set registry http://…`` (npm's and pnpm's
    alias), yarn's ``npmRegistryServer``: every later install trusts the source."""
    words = _operands(ws)
    if words[:2] == ["config", "set"]:
        setting = words[2:]
    elif words[:1] == ["set"] and name in ("npm", "pnpm"):
        setting = words[1:]
    else:
        return
    key, _, value = (setting[0] if setting else "").partition("=")
    value = value or (setting[1] if len(setting) > 1 else "")
    if key.lower().endswith("trusted-host"):
        yield "untrusted-index", f"sets {name} to trust host {value!r} without TLS", "high"
    elif key.lower().endswith(("index-url", "registry", "registryserver")) and plain_http_remote(value):
        yield "untrusted-index", f"sets {name}'s index to plain http ({host_of(value)})", "high"


_URL_INSTALLERS = re.compile(
    r"pip[\d.]*|uv|uvx|pipx|pdm|pipenv|npm|npx|pnpm|pnpx|yarn|bun|bunx|deno|gem|cargo|go|poetry|conda|mamba|"
    r"micromamba|composer"
)
_URL_PREFIX = re.compile(r"^(?:--(?:from|spec|git|url)=)?(?:[\w.-]+\s*@\s*)?(?:git\+)?")
_RUNNERS = frozenset({"npx", "pnpx", "bunx", "uvx"})  # the first word that is not a flag is the package
_RUN_VERBS = frozenset({"run", "x", "exec", "dlx"})  # deno run URL, pipx run URL, npm exec URL
_INSTALL_VERBS = frozenset({"install", "i", "add", "get", "require", "inject", "upgrade", "update"})
_NOT_SOURCE_FLAGS = frozenset({"--proxy", "--http-proxy", "--https-proxy", "--cert", "--client-cert"})


def _package_words(ws: list[str]) -> list[str]:
    """The words of an install or run command that can name what it installs or runs: after the verb
    (``pip install``, ``uv pip install``, ``deno run``), up to the first word that is not a flag of a
    runner (``npx wait-on http://…`` passes the URL to wait-on); [] for other verbs (``npm config``)."""
    args = ws[1:]
    runner = base(ws[0]) in _RUNNERS
    if not runner:
        verbs = [i for i, w in enumerate(args[:3]) if not w.startswith("-")]
        if verbs and args[verbs[0]] in ("pip", "tool") and len(verbs) > 1:  # uv pip install, uv tool run
            verbs = verbs[1:]
        if not verbs or args[verbs[0]] not in _RUN_VERBS | _INSTALL_VERBS:
            return []
        runner = args[verbs[0]] in _RUN_VERBS
        args = args[verbs[0] + 1 :]
    out: list[str] = []
    for i, w in enumerate(args):
        if w == "--":
            break
        if (args[i - 1] if i else "") in _NOT_SOURCE_FLAGS or w.partition("=")[0] in _NOT_SOURCE_FLAGS:
            continue  # a proxy or certificate, not a package
        out.append(w)
        if runner and not w.startswith("-"):
            break  # the package run (or a flag's value, checked all the same): then its own arguments
    return out


def plain_http_install(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """A package installed or run straight from a plain-http URL (``pip install git+http://…``,
    ``npx http://…/pkg.tgz``, ``deno run http://…``): code anyone on the path can replace. Only the
    words that name a package count: not a proxy, nor an argument given to the package run."""
    ws = tool_words(ws)
    if not ws or not _URL_INSTALLERS.fullmatch(base(ws[0])):
        return
    words = [ws[0], *_package_words(ws)]
    sources = _SOURCE_FLAGS | _CHANNEL_FLAGS if base(ws[0]) in _CHANNELED else _SOURCE_FLAGS
    for i, w in enumerate(words[1:], 1):
        if words[i - 1] in sources or w.partition("=")[0] in sources:
            continue  # an index or a channel: untrusted_index's
        url = _URL_PREFIX.sub("", w, count=1)
        if plain_http_remote(url):
            yield "untrusted-index", f"installs code from a plain-http URL ({host_of(url)})", "high"
            return
