"""Whether a name holds a secret, for the assignment scanner (:mod:`skillforge.safety.secret_checks`)
and the XML rules (:mod:`skillforge.safety.secret_formats`): a name that says so (password, secret,
token, API key, credential); a name ending in ``_PASS`` or ``_PW`` (``DB_PASS``) unless its value is a
count or a status (``e2e_pass=41/41``, ``SECOND_PASS=completed``: a pass of a test or a process); a
name ending in ``_KEY`` or ``Key`` (``RAILS_MASTER_KEY``, ``appKey``) when its value reads as key
material and the name is not one of data (``S3_OBJECT_KEY``, ``IDEMPOTENCY_KEY``, ``row_key``,
Comet's ``experiment_key``, a public, sort or cache key).
"""

from __future__ import annotations

import math
import re
from collections import Counter

_SECRET_KEY = re.compile(
    r"(?i)password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"auth[_-]?key|credentials?|session[_-]?key|signing[_-]?key|encryption[_-]?key"
)
_DOTTED_IDENT = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")
_WORDISH = re.compile(r"[a-z]{4,}|[A-Z][a-z]{3,}")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z_]*$")


def _letters_and_digits(v: str) -> bool:
    return any(c.isdigit() for c in v) and any(c.isalpha() for c in v)


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# a name whose last word says it holds a password (DB_PASS, SMTP_PW), or a key (RAILS_MASTER_KEY, appKey)
# (after "_" only: "PASS:" in test output, "low-pass", "bypass" and "encompass" name no password)
_PASS_NAME = re.compile(r"(?i:_(?:pass|pw))$|[a-z0-9](?:Pass|Pw)$")
_KEY_NAME = re.compile(r"(?i:[_-]key)$|[a-z0-9]Key$")
_PUBLIC = re.compile(r"(?i)public|publishable|(?:^|[_.-])pub(?:[_.-]|$)|primary|foreign|sort|partition|cache")
# a word of the name that says the key names data: a stored object, a row, a request's idempotency,
# a record to look up or deduplicate, a message's route, an experiment (Comet), a commit or an ETag
_DATA_KEY_WORDS = frozenset(
    {"object", "row", "hash", "range", "group", "commit", "etag", "lookup", "dedup", "dedupe", "idempotency"}
    | {"experiment", "routing", "index", "shard", "bucket"}
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PUBLIC_KEY_VALUE = re.compile(r"^(?:ssh-|ecdsa-|sk-ssh-|sk-ecdsa-|age1|npub1|pk_)")
# a relative path whose first folder is a lowercase word (uploads/2024/a1b2.png), or any ending in a
# file's extension (a key's base64 holds "+" or "=", no "." nor a lowercase folder word before its "/")
_PATH = re.compile(r"^(?:[a-z]{3}[a-z0-9_-]{0,40}/[\w./-]*|[\w./-]*/[\w-]+\.[A-Za-z0-9]{1,5})$")
_NAMED_ID = re.compile(r"^[a-z]{3,}(?:[-_:.](?:\d+|[a-z]+))+$")  # order-2024-000123, user:1234:profile
_COUNT = re.compile(r"^\d+(?:[./:]\d+)*(?:%|s|ms)?$")  # 41/41, 98.5%, 3.2s
_STATUS = re.compile(
    r"(?i)^(?:completed?|done|ok|okay|passed|failed|failure|success|successful|succeeded|skipped|pending|"
    r"running|started|finished|true|false|yes|no|on|off|enabled|disabled)$"
)


def _reads_as_key(value: str) -> bool:
    """A value under a ``*_KEY`` name that reads as key material, whatever its alphabet (hex, base64
    with ``/``): 8 characters or more, letters and digits, not a path, URL, name, id or words."""
    return (
        len(value) >= 8
        and _letters_and_digits(value)
        and shannon_entropy(value) >= 3.0
        and "://" not in value
        and not value.startswith(("/", "~", "."))
        and not _PUBLIC_KEY_VALUE.match(value)
        and not (_IDENT.match(value) or _DOTTED_IDENT.match(value))
        and not (_PATH.match(value) or _NAMED_ID.match(value))
        and sum(len(w) for w in _WORDISH.findall(value)) <= 0.4 * len(value)
    )


def _names_data(key: str) -> bool:
    """A ``*_KEY`` name for data, not a secret: public, sort or cache keys, and the words above."""
    return bool(_PUBLIC.search(key)) or any(w.lower() in _DATA_KEY_WORDS for w in _NAME_WORDS.findall(key))


def is_secret_name(key: str, value: str) -> bool:
    """Whether ``key`` names a secret (a password, secret, token, API key, credential), or holds one:
    ending in ``_PASS`` or ``_PW``, a value that is no count nor status; ending in ``_KEY``, a value that
    reads as key material under a name that is not one of data."""
    if _SECRET_KEY.search(key):
        return True
    if _PASS_NAME.search(key):
        return not (_COUNT.match(value) or _STATUS.match(value))
    return bool(_KEY_NAME.search(key)) and not _names_data(key) and _reads_as_key(value)
