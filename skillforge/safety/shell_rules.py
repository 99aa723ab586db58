"""The per-command rules of the shell check: what downloads, decodes or interprets, TLS switched off,
untrusted package indexes, credentials uploaded. Each takes a command's words (see
:func:`skillforge.safety.shell.words`) and yields (rule, message, confidence).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

DOWNLOADERS = frozenset(
    {
        "curl",
        "wget",
        "fetch",
        "http",
        "https",
        "aria2c",
        "iwr",
        "irm",
        "invoke-webrequest",
        "invoke-restmethod",
        "lwp-download",
        "xh",
    }
)
INTERPRETERS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "fish",
        "ash",
        "csh",
        "tcsh",
        "python",
        "python2",
        "python3",
        "perl",
        "ruby",
        "node",
        "php",
        "pwsh",
        "powershell",
        "iex",
        "invoke-expression",
        "eval",
        "source",
        ".",
        "deno",
        "bun",
        "$shell",  # curl … | "$SHELL"
        "${shell}",
    }
)
WRAPPERS = frozenset(
    {"sudo", "doas", "env", "exec", "command", "nohup", "time", "xargs", "builtin", "nice"}
    | {"timeout", "stdbuf", "setsid", "unbuffer", "ionice", "busybox"}
)
_VALUED = ("-u", "-g", "-n", "-I")  # sudo -u user, env -u NAME, nice -n 5, xargs -n 1, xargs -I {}
WRAPPER_VALUES = {  # a wrapper's options whose value is the next word
    "timeout": frozenset({*_VALUED, "-s", "-k"}),  # timeout -s KILL -k 5 30 cmd
    "stdbuf": frozenset({*_VALUED, "-i", "-o", "-e"}),  # stdbuf -o L cmd
    "ionice": frozenset({*_VALUED, "-c", "-p"}),
}
DEFAULT_VALUES = frozenset(_VALUED)
DURATION = re.compile(r"\d+(?:\.\d+)?[smhd]?")  # timeout's first argument: 30, 1.5m
_DECODE_FLAGS = frozenset({"-d", "--decode", "-D", "-r", "-revert"})
_SENSITIVE = re.compile(
    r"\.ssh(?:/|\b)|id_rsa|id_ed25519|id_ecdsa|\.aws/credentials|\.netrc|\.git-credentials|\.npmrc|"
    r"\.pypirc|\.docker/config|\.kube/config|/etc/shadow|\.env\b|credentials\.json"
)
_SECRET_VAR = re.compile(
    r"\$\{?[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY)[A-Z0-9_]*"
)
_KNOWN_INDEXES = (
    "download.pytorch.org",
    "pypi.nvidia.com",
    "pypi.org",
    "files.pythonhosted.org",
    "data.pyg.org",
    "storage.googleapis.com/jax-releases",
    "registry.npmjs.org",
)


def base(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def is_downloader(ws: list[str]) -> bool:
    return bool(ws) and base(ws[0]) in DOWNLOADERS


def is_decoder(ws: list[str]) -> bool:
    if not ws:
        return False
    name = base(ws[0])
    if name in ("base64", "base32", "xxd", "uudecode", "gunzip", "zcat"):
        return name in ("uudecode", "gunzip", "zcat") or any(w in _DECODE_FLAGS for w in ws[1:])
    return name == "openssl" and "-d" in ws and any("base64" in w or w == "-a" for w in ws)


def is_interpreter(ws: list[str]) -> bool:
    if not ws:
        return False
    name = base(ws[0])
    if name in INTERPRETERS:
        return not any(w in ("--version", "-V", "--help") for w in ws[1:])
    return False


_TLS_OFF_ENV = frozenset(
    {
        "NODE_TLS_REJECT_UNAUTHORIZED=0",
        "PYTHONHTTPSVERIFY=0",
        "CURL_CA_BUNDLE=",
        "REQUESTS_CA_BUNDLE=",
    }
)
_TLS_OFF_ANY_VALUE = frozenset({"GIT_SSL_NO_VERIFY"})  # git reads its presence, whatever the value
_INDEX_ENV = (
    *("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX"),
    *("NPM_CONFIG_REGISTRY", "YARN_REGISTRY", "POETRY_REPOSITORIES_"),
)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def plain_http_remote(url: str) -> bool:
    """A plain-http URL to another machine (``http://localhost.evil.com`` is one; ``HTTP://`` too)."""
    low = url.lower()
    return low.startswith("http://") and host_of(low).rsplit("@", 1)[-1].split(":")[0] not in _LOCAL_HOSTS


def env_setting(assignment: str) -> Iterator[tuple[str, str, str]]:
    """``NAME=value`` (a prefix or an ``export``) that turns TLS verification off or points installs
    at a plain-http index or a trusted host, for the command or for every later one."""
    name, _, value = assignment.replace('"', "").replace("'", "").partition("=")
    upper = f"{name.upper()}={value.upper()}"
    if upper in _TLS_OFF_ENV or (name.upper() in _TLS_OFF_ANY_VALUE and value):
        yield "tls-disabled", f"turns TLS verification off ({upper})", "high"
    elif name.upper() in ("PIP_TRUSTED_HOST", "UV_INSECURE_HOST") and value:
        yield "untrusted-index", f"installs while trusting host {value!r} without TLS ({name})", "high"
    elif name.upper().startswith(_INDEX_ENV) and plain_http_remote(value):
        yield "untrusted-index", f"installs from a plain-http index ({host_of(value)}, {name})", "high"


def sensitive(word: str) -> bool:
    """A credential file or folder (``~/.ssh``, ``~/.aws/credentials``, ``.netrc`` …)."""
    return bool(_SENSITIVE.search(word))


_COPY_VALUED = frozenset({"-i", "-F", "-o", "-P", "-c", "-l", "-S", "-J", "-e", "--rsh", "--password-file"})


def _sources(ws: list[str]) -> Iterator[str]:
    """The files a copy command sends: not its options, nor their values (``scp -i ~/.ssh/key`` logs in
    with the key), nor public keys."""
    skip = False
    for w in ws[1:-1]:
        if skip or w.startswith("-"):
            skip = not skip and w in _COPY_VALUED
            continue
        if not w.endswith(".pub"):
            yield w


def copies_out(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """``scp ~/.ssh/id_rsa user@host:``: a credential file copied to another machine."""
    if base(ws[0]) not in ("scp", "rsync", "sftp") or len(ws) < 3:
        return
    target = ws[-1]
    if ":" in target and not target.startswith(("/", "~", ".")) and any(sensitive(w) for w in _sources(ws)):
        yield "credential-upload", f"copies a credential file to {target.split(':', 1)[0]}", "high"


def tls_off(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    name = base(ws[0])
    low = [w.lower() for w in ws]
    joined = " ".join(low)
    if name == "git" and re.search(r"\bhttp\.(?:[^\s=]*\.)?sslverify[= ](?:false|0|no|off)\b", joined):
        yield "tls-disabled", "turns git's TLS verification off (http.sslVerify false)", "high"
    elif name in ("npm", "yarn", "pnpm") and "strict-ssl" in joined and "false" in joined:
        yield "tls-disabled", f"turns {name}'s TLS verification off (strict-ssl false)", "high"
    elif name == "export":
        for w in ws[1:]:
            yield from env_setting(w)
    elif name == "conda" and "ssl_verify" in joined and re.search(r"ssl_verify[ =](?:false|no|0)\b", joined):
        yield "tls-disabled", "turns conda's TLS verification off (ssl_verify false)", "high"
    elif name == "curl" and ("-k" in ws or "--insecure" in ws):
        yield "tls-disabled", "curl without TLS verification (-k)", "low"
    elif name == "wget" and "--no-check-certificate" in ws:
        yield "tls-disabled", "wget without TLS verification", "low"


_PYTHON = re.compile(r"python[\d.]*|py")
_INSTALLERS = re.compile(r"pip[\d.]*|uv|pipx|npm|yarn|pnpm|poetry|conda")


_PYTHON_VALUED = frozenset({"-X", "-W"})  # python's options that take the next word (-X utf8, -W ignore)


def tool_words(ws: list[str]) -> list[str]:
    """The words of the tool a command runs: ``python3.11 -X utf8 -m pip install …`` runs ``pip install …``."""
    if ws and _PYTHON.fullmatch(base(ws[0])):
        skip = False
        for i, w in enumerate(ws[1:-1], 1):
            if skip:
                skip = False
            elif w == "-m":
                return ws[i + 1 :]
            elif not w.startswith("-"):
                break
            else:
                skip = w in _PYTHON_VALUED
    return ws


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
    }
)


def untrusted_index(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    ws = tool_words(ws)
    name = base(ws[0])
    if not _INSTALLERS.fullmatch(name):
        return
    yield from _config_index(name, ws)
    for i, w in enumerate(ws):
        flag, _, value = w.partition("=")
        if not value and i + 1 < len(ws):
            value = ws[i + 1]
        if flag in ("--trusted-host", "--allow-insecure-host"):
            yield "untrusted-index", f"installs while trusting host {value!r} without TLS", "high"
        elif flag in _SOURCE_FLAGS:
            if plain_http_remote(value):
                yield "untrusted-index", f"installs from a plain-http index ({host_of(value)})", "high"
            elif value.startswith("https://") and not any(k in value for k in _KNOWN_INDEXES):
                yield "untrusted-index", f"installs from a non-default index ({host_of(value)})", "low"


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


def host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def uploads(commands: list[list[str]]) -> Iterator[tuple[str, str, str]]:
    """The environment or a credential file piped into a network command (one pass: the first such
    source before the first network command after it, so a long pipeline costs linear time)."""
    source = ""
    for ws in commands:
        name = base(ws[0]) if ws else ""
        if source and ws and (is_downloader(ws) or name in ("nc", "ncat", "netcat", "socat")):
            yield "credential-upload", f"sends {source} output to the network ({name})", "high"
            return
        if not source and (
            name in ("env", "printenv", "set", "export")
            or (name in ("cat", "base64", "tar", "gzip") and any(_SENSITIVE.search(w) for w in ws[1:]))
        ):
            source = name


def upload_args(ws: list[str]) -> str | None:
    """Why a curl/wget command sends credentials (a credential file or a secret variable), or None."""
    data_flags = (
        "-d",
        "--data",
        "--data-binary",
        "--data-raw",
        "--data-urlencode",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "--post-data",
        "--post-file",
        "--body-file",
    )
    for i, w in enumerate(ws[:-1]):
        flag = w.split("=", 1)[0]
        if flag in data_flags:
            value = ws[i + 1] if "=" not in w or flag == w else w.split("=", 1)[1]
            sends_file = flag in ("-T", "--upload-file", "--post-file", "--body-file") or "@" in value
            if sends_file and _SENSITIVE.search(value):
                return "uploads a credential file"
            if _SECRET_VAR.search(value):
                return "sends a secret variable"
    return None


_CODE_RUNNERS = re.compile(r"python[\d.]*|node|perl|ruby|php|deno|bun|pwsh|powershell")
_EVALUATES = re.compile(
    r"\b(?:exec|eval|execfile|compile|Function)\s*\(|\beval\s+[\w$]|\.then\(\s*eval\b|instance_eval"
)
_CODE_URL = re.compile(r"https?://[^\s\"'`)]+")


def fetches_and_evaluates(ws: list[str]) -> Iterator[tuple[str, str, str]]:
    """Inline code (``python -c``, ``node -e``, ``perl -e`` …) that fetches a URL and evaluates what it
    got: a download run by an interpreter, as ``curl … | python`` (high over plain http, else low)."""
    if not ws or not _CODE_RUNNERS.fullmatch(base(ws[0])):
        return
    for code in ws[1:]:
        urls = _CODE_URL.findall(code)
        if urls and _EVALUATES.search(code):
            conf = "high" if any(plain_http_remote(u) for u in urls) else "low"
            yield "pipe-to-shell", f"{base(ws[0])} evaluates code it downloads ({host_of(urls[0])})", conf
            return


_URL_INSTALLERS = re.compile(
    r"pip[\d.]*|uv|uvx|pipx|npm|npx|pnpm|pnpx|yarn|bun|bunx|deno|gem|cargo|go|poetry|conda|composer"
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
    for i, w in enumerate(words[1:], 1):
        if words[i - 1] in _SOURCE_FLAGS or w.partition("=")[0] in _SOURCE_FLAGS:
            continue  # an index: untrusted_index's
        url = _URL_PREFIX.sub("", w, count=1)
        if plain_http_remote(url):
            yield "untrusted-index", f"installs code from a plain-http URL ({host_of(url)})", "high"
            return
