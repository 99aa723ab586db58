"""Secrets in file formats, headers and code, for :mod:`skillforge.safety.secret_rules`: an
``Authorization`` header's credential whatever its scheme (``SSWS``, ``ApiKey``, ``DeepL-Auth-Key``), a
session cookie, an XML element or ``key=``/``value=`` attribute pair named for a secret (Maven's
``<password>``, on its line or its own), a Terraform output marked ``"sensitive": true`` (one line or
indented), a PuTTY ``.ppk`` private key, a SQL password (``WITH PASSWORD '…'``, ``IDENTIFIED [WITH
plugin] BY '…'``, ``SET PASSWORD``), a password as a Python call's second argument (``auth=(user, pw)``,
``HTTPBasicAuth(u, pw)``, ``smtp.login(u, pw)``), an API key in a URL's ``appid=`` query and a signed
URL's signature.
"""

import re

from skillforge.safety.secret_checks import (
    Check,
    Rule,
    _cli_password,
    is_secret_name,
)
from skillforge.safety.secret_names import _letters_and_digits


def _credential(kind: str) -> Check:
    """A header's or cookie's value: letters and digits (a scheme's name alone is not one), no
    placeholder nor reference (``$TOKEN``, ``<token>``)."""

    def check(text: str, m: re.Match[str]) -> str | None:
        if not _letters_and_digits(m.group("s")) or _cli_password(text, m) is None:
            return None
        return kind

    return check


def _element(text: str, m: re.Match[str]) -> str | None:
    """An XML element named for a secret (``<password>``, ``<apiKey>``; not a plist's ``<key>``)."""
    tag = m.group("tag").rsplit(":", 1)[-1]
    if tag.lower() == "key" or _CAPS.match(m.group("s")) or not is_secret_name(tag, m.group("s")):
        return None
    if _cli_password(text, m) is None:
        return None
    return "password" if "pass" in tag.lower() or "pw" in tag.lower() else "secret"


def _literal(kind: str) -> Check:
    """A value that is no placeholder nor reference (``'%s'``, ``'${PW}'``, ``'<password>'``)."""

    def check(text: str, m: re.Match[str]) -> str | None:
        return kind if _cli_password(text, m) is not None else None

    return check


_CAPS = re.compile(r"^[A-Z][A-Z_]*$")  # <Password>HASH</Password>: a placeholder in capitals
_GAP = r"(?:\s|\\+[nrt])*+"  # spaces and line breaks, also JSON-escaped (a pretty-printed settings.xml)
_AUTH = r"(?i)authorization\\?[\"']?\s*[:=]\s*\\?[\"']?"
_COOKIE = r"(?i)(?:cookie\\?[\"']?\s*[:=]|(?<!\S)(?:-b|--cookie)[ \t=]+)"

FORMAT_RULES = [
    Rule(  # Authorization: SSWS …, ApiKey …, DeepL-Auth-Key …, or a credential with no scheme
        "auth-header",
        re.compile(
            _AUTH + r"(?:[A-Za-z][A-Za-z0-9._-]{1,30}[ \t]+)?(?P<s>[A-Za-z0-9._~+/:%-]{16,1024}={0,2})"
            r"(?![A-Za-z0-9._~+/:%=-])"
        ),
        ("authorization",),
        _credential("auth-header"),
        starts=("authorization",),
    ),
    Rule(  # curl -b "sessionid=…", Cookie: connect.sid=s%3A…
        "session-cookie",
        re.compile(
            _COOKIE + r"[ \t]*\\?[\"']?(?:[^\n\"']{0,200}?[;\s])?"
            r"(?:sessionid|session_id|sessid|phpsessid|jsessionid|connect\.sid|[A-Za-z_]*_session|session|sid)"
            r"=(?P<s>[A-Za-z0-9%._~+/=-]{16,1024})"
        ),
        ("cookie", "-b "),
        _credential("session-cookie"),
        starts=("cookie", "-b", "--cookie"),
    ),
    Rule(  # <password>…</password> (Maven settings.xml), <apiKey>…</apiKey>, <ns:secret>…</ns:secret>
        "secret",
        re.compile(rf"<(?P<tag>[A-Za-z][\w.:-]{{0,40}})>{_GAP}(?P<s>[^<>\s]{{3,512}}?){_GAP}</(?P=tag)>"),
        ("password>", "passwd>", "passphrase>", "pass>", "secret>", "token>", "key>", "pw>", "pwd>"),
        _element,
    ),
    Rule(  # <add key="Password" value="…"/> (.NET config), <property name="password" value="…"/> (Ant)
        "secret",
        re.compile(
            r"\b(?:key|name)\s*=\s*\\?\"(?P<tag>[A-Za-z][\w.:-]{0,40})\\?\"\s+value=\\?\"(?P<s>[^\"\\\s]{3,512})\\?\""
        ),
        ("value=",),
        _element,
    ),
    Rule(  # terraform output -json, one line or indented: {"sensitive": true, "type": "string", "value": "…"}
        "secret",
        re.compile(
            r"\\?\"sensitive\\?\"\s*:\s*true\s*,[^{}]{0,300}?"
            r"\\?\"value\\?\"\s*:\s*\\?\"(?P<s>[^\"\\\n]{1,2000})"
        ),
        ("sensitive",),
        _literal("secret"),
        starts=('\\"sensitive', '"sensitive'),
    ),
    Rule(  # ... and the other order: {"value": "…", "sensitive": true}
        "secret",
        re.compile(
            r"\\?\"value\\?\"\s*:\s*\\?\"(?P<s>[^\"\\\n]{1,2000})\\?\"\s*,[^{}]{0,300}?"
            r"\\?\"sensitive\\?\"\s*:\s*true"
        ),
        ("sensitive",),
        _literal("secret"),
        starts=('\\"value', '"value'),
    ),
    Rule(  # PuTTY .ppk: the lines after "Private-Lines: N" (base64, 64 to a line)
        "private-key",
        re.compile(
            r"Private-Lines:[ \t]*\d+[ \t]*(?:\r?\n|\\+r\\+n|\\+n)"
            r"(?P<s>(?:[A-Za-z0-9+/=]{4,100}(?:\r?\n|\\+r\\+n|\\+n))*[A-Za-z0-9+/=]{4,100})(?![A-Za-z0-9+/=-])"
        ),
        ("private-lines",),
    ),
    Rule(  # ALTER USER … WITH [ENCRYPTED] PASSWORD '…', ALTER ROLE app PASSWORD '…', CREATE USER …
        "password",  # IDENTIFIED [WITH mysql_native_password] BY '…', SET PASSWORD FOR u = '…'; ' or "
        re.compile(
            r"(?i)\b(?:(?:(?:with|login|encrypted|unencrypted)[ \t]+password|(?:user|role)[ \t]+[^\s;'\"]{1,64}"
            r"[ \t]+password|identified(?:[ \t]+(?:with|via)[ \t]+\w{1,40})?[ \t]+(?:by|using))[ \t]+|"
            r"set[ \t]+password(?:[ \t]+for[ \t]+[^\s=;]{1,100})?[ \t]*=[ \t]*)"
            r"(?P<q>\\?['\"])(?P<s>[^'\"\\\n]{3,200})(?P=q)"
        ),
        (" password", "identified"),
        _literal("password"),
        starts=("with", "login", "encrypted", "unencrypted", "user", "role", "identified", "set"),
    ),
    Rule(  # requests auth=(user, "pw"), HTTPBasicAuth(u, "pw"), smtp.login(u, "pw"), ftp.login(u, "pw")
        "password",
        re.compile(
            r"(?:\bauth\s*=\s*\(|\b(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|DigestAuth)\(|\.login\()"
            r"\s*[^,()\n]{1,100},\s*(?P<q>\\?[\"'])(?P<s>[^\"'\\\n]{3,200})(?P=q)\s*\)"
        ),
        ("auth", "login("),
        _literal("password"),
        starts=("auth", "httpbasicauth(", "httpdigestauth(", "basicauth(", "digestauth(", ".login("),
    ),
    Rule(  # an API key in a URL query: ?appid=<32 hex> (OpenWeatherMap)
        "url-key",
        re.compile(r"[?&]appid=(?P<s>[A-Za-z0-9]{16,64})(?![A-Za-z0-9])"),
        ("appid=",),
        lambda text, m: "url-key" if _letters_and_digits(m.group("s")) else None,
    ),
    Rule(  # a signed URL's signature: Google Maps &signature=, S3 X-Amz-Signature=, CloudFront Signature=
        "url-signature",  # (whoever holds the URL may replay it until it expires)
        re.compile(r"(?i)[?&](?:x-amz-|x-goog-)?signature=(?P<s>[A-Za-z0-9%_~.+/=-]{20,2048})"),
        ("signature=",),
        lambda text, m: "url-signature" if _letters_and_digits(m.group("s")) else None,
    ),
]
