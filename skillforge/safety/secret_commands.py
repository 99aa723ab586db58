"""Passwords on command lines, for :mod:`skillforge.safety.secret_rules`: a tool's password option
(``redis-cli -a``, ``mongosh -p``, ``keytool -storepass``, ``gpg --passphrase``, ``zip -P``, ``sqlcmd
-P``, ``ldapsearch -w``), a password
given as an argument (``htpasswd -b``, ``rabbitmqctl add_user``, ``lftp -u user,PW``, ``smbclient -U
user%PW``, ``net use … /user:X PW``), a value written into a secret manager (``aws ssm put-parameter
--value``, ``--secret-string``), and a value echoed or here-string'd into a command that reads a secret
from its input (``sudo -S``, ``chpasswd``, ``gh secret set``, ``wrangler secret put``, ``vercel env
add``, ``gcloud secrets``, ``--password-stdin``). Each rule starts with its command's literal, so clean
text costs a substring test.
"""

import re

from skillforge.safety.prefilter import line_matches
from skillforge.safety.secret_checks import Rule, _cli_password, _mixed, shannon_entropy

# the value, to its closing quote, a space or a shell operator (quotes JSON-escaped or not: \"PW\")
_VALUE = r"(?:\\*[\"'])?(?P<s>[^\s\"'\\|;&<>]+)"
_ARG = r"[ \t]+(?:\\*[\"'])?[^\s\"'|;&<>]+(?:\\*[\"'])?"  # one more argument (a file, a user name)


def _value(text: str, m: re.Match[str]) -> str | None:
    """:func:`_cli_password`, and not the next option nor a path (a password file, /persistent:yes)."""
    if m.group("s").startswith(("-", "/", "~", "./")):
        return None
    return _cli_password(text, m)


def _literal(text: str, m: re.Match[str]) -> str | None:
    """:func:`_value` of a command whose name starts a word (``psql``, not ``libpsql``)."""
    at = m.start()
    if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
        return None
    return _value(text, m)


def _tokenish(text: str, m: re.Match[str]) -> str | None:
    """A word after a flag that takes none (``psql -W``: the next word is normally the database): a
    password only when it reads as random (mixed case and digits)."""
    value = m.group("s")
    if not (len(value) >= 8 and _mixed(value) and shannon_entropy(value) >= 3.0):
        return None
    return _literal(text, m)


def _htpasswd(text: str, m: re.Match[str]) -> str | None:
    """``htpasswd -b [-c] FILE USER PW`` or ``htpasswd -nb USER PW``: the batch flag puts the password on
    the command line; the rule's pattern names the form (``n`` takes no file)."""
    flags = m.group("f")
    if "b" not in flags or ("n" in flags) != (m.re.groupindex.get("nofile") is not None):
        return None
    return _literal(text, m)


# a command that reads a secret from its standard input: what is echoed into it is that secret
_SINK = (
    r"(?:sudo(?:[ \t]+-[A-Za-z]+)*[ \t]+-[A-Za-z]*S|chpasswd|passwd[ \t]+--stdin|gh[ \t]+secret[ \t]+set|"
    r"(?:npx[ \t]+)?wrangler[ \t]+secret[ \t]+put|vercel[ \t]+env[ \t]+add|gcloud[ \t]+secrets|"
    r"docker[ \t]+secret[ \t]+create|netlify[ \t]+env:set|firebase[ \t]+functions:secrets:set|"
    r"[^\n|;&]{0,80}?--password-stdin|[^\n|;&]{0,80}?--with-token)"
)

COMMAND_RULES = [
    Rule(
        "cli-password",
        re.compile(r"redis-cli\b[^\n|;]{0,200}?\s(?:-a|--pass)(?:[ \t]+|=)" + _VALUE),
        ("redis-cli",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(
            r"(?:mongosh|mongo|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n|;]{0,200}?"
            r"\s(?:-p|--password)(?:[ \t]+|=)" + _VALUE
        ),
        ("mongo",),
        _literal,
    ),
    Rule(  # keytool, jarsigner: -storepass:env NAME and -storepass:file F name no password
        "cli-password",
        re.compile(r"-(?:src|dest|new)?(?:storepass|keypass)[ \t]+" + _VALUE),
        ("storepass", "keypass"),
        _literal,
    ),
    Rule(  # gpg, duplicity, restic… (--passphrase-file and --passphrase-fd name no password)
        "cli-password",
        re.compile(r"--passphrase(?:[ \t]+|=)" + _VALUE),
        ("--passphrase",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(r"(?:zip|unzip|zipcloak)\b[^\n|;]{0,200}?\s-P[ \t]*" + _VALUE),
        ("zip",),
        _literal,
        starts=("zip", "unzip"),
    ),
    Rule(
        "cli-password",
        re.compile(r"7za?\b[^\n|;]{0,200}?\s-p(?=[^\s-])" + _VALUE),
        ("7z",),
        _literal,
    ),
    Rule("cli-password", re.compile(r"psql\b[^\n|;]{0,200}?\s-W[ \t]+" + _VALUE), ("psql",), _tokenish),
    Rule(  # SQL Server's sqlcmd, bcp, osql: -P PASSWORD (without -P they prompt or use -E)
        "cli-password",
        re.compile(r"(?:sqlcmd|bcp|osql)\b[^\n|;]{0,200}?\s-P(?:[ \t]+|(?=[^\s-]))" + _VALUE),
        ("sqlcmd", "bcp", "osql"),
        _literal,
    ),
    Rule(  # OpenLDAP's clients: -w PASSWORD (-W prompts, -y names a file)
        "cli-password",
        re.compile(
            r"ldap(?:search|modify|add|delete|modrdn|passwd|whoami|compare|exop)\b[^\n|;]{0,200}?"
            r"\s-w(?:[ \t]+|(?=[^\s-]))" + _VALUE
        ),
        ("ldap",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(r"htpasswd(?P<f>(?:[ \t]+-[A-Za-z]+)+)" + _ARG + _ARG + r"[ \t]+" + _VALUE),
        ("htpasswd",),
        _htpasswd,
    ),
    Rule(
        "cli-password",
        re.compile(r"htpasswd(?P<f>(?:[ \t]+-[A-Za-z]+)+)(?P<nofile>" + _ARG + r")[ \t]+" + _VALUE),
        ("htpasswd",),
        _htpasswd,
    ),
    Rule(
        "cli-password",
        re.compile(
            r"rabbitmqctl(?:[ \t]+-\S+)*[ \t]+(?:add_user|change_password|authenticate_user)"
            + _ARG
            + r"[ \t]+"
            + _VALUE
        ),
        ("rabbitmqctl",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(r"lftp\b[^\n|;]{0,200}?\s-u[ \t]+[\"']?[^\s,\"']+," + _VALUE),
        ("lftp",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(r"smbclient\b[^\n|;]{0,200}?\s(?:-U|--user)(?:[ \t]+|=)?[\"']?[^\s%\"']+%" + _VALUE),
        ("smbclient",),
        _literal,
    ),
    Rule(
        "cli-password",
        re.compile(r"(?i)net[ \t]+use\b[^\n|;]{0,200}?/user:\S+[ \t]+" + _VALUE),
        ("net use",),
        _literal,
    ),
    Rule(  # a secret manager's value: aws ssm put-parameter --value, aws secretsmanager --secret-string
        "secret",
        re.compile(
            r"(?:put-parameter\b[^\n|;]{0,300}?\s--value|--secret-(?:string|binary))(?:[ \t]+|=)"
            r"(?![\"']?(?:\{|file://|fileb://))" + _VALUE
        ),
        ("put-parameter", "--secret-"),
        _literal,
    ),
    Rule(
        "secret",
        re.compile(r"gh[ \t]+secret[ \t]+set\b[^\n|;]{0,200}?\s(?:--body|-b)(?:[ \t]+|=)" + _VALUE),
        ("gh secret",),
        _literal,
    ),
    Rule(  # echo 'PW' | sudo -S …, echo "u:PW" | chpasswd, printf '%s' V | wrangler secret put X
        "secret",
        re.compile(
            r"(?:echo|printf)(?:[ \t]+-[neE]+)*(?:[ \t]+(?P<f>[\"'])%s(?:\\n)?(?P=f))?[ \t]+"
            r"(?P<q>\\*[\"']?)(?P<s>[^\s\"'\\|;&<>]+)(?P=q)[ \t]*\|[ \t]*" + _SINK
        ),
        ("sudo", "passwd", "secret", "env add", "env:set", "--password-stdin", "--with-token"),
        _value,
        starts=("echo", "printf"),
    ),
    Rule(  # gcloud secrets versions add X --data-file=- <<< V, vercel env add X production <<< V
        "secret",
        re.compile(_SINK + r"[^\n|;<]{0,200}<<<[ \t]*" + _VALUE),
        ("<<<",),
        _value,
        finder=lambda pattern, text: line_matches(pattern, text, "<<<"),  # a match is one line's
    ),
]
