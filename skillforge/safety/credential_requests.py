"""Requests for credentials: a sensitive file (``~/.ssh``, ``.env``, ``~/.aws/credentials``) with a verb
that reads or sends it, and asks to print, dump or send the environment, tokens or keys. High confidence
only when the request also sends what it reads somewhere (a URL, a pull request, the answer) or leads a
step ("First print all env …"), and is not negated; otherwise low (prose about credentials). Yields raw
findings for :func:`skillforge.safety.injection.find_injections`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillforge.safety.context import Context
from skillforge.safety.phrasing import NEGATED, sentence_line
from skillforge.safety.prefilter import contains_any, finditer_from
from skillforge.safety.urls import Raw, quote

_SENSITIVE = re.compile(
    r"~/\.ssh\b|\.ssh/|id_rsa|id_ed25519|\.env\b|\.aws/credentials|\bcredentials(?:\.json)?\b|"
    r"\.netrc|\.npmrc|\.pypirc|\.git-credentials|/etc/shadow|\.kube/config|\.docker/config\.json|keychain"
)
_SENSITIVE_KEYS = (
    ".ssh",
    "id_rsa",
    "id_ed25519",
    ".env",
    "credentials",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "shadow",
    ".kube",
    ".docker",
    "keychain",
)
_SENSITIVE_STARTS = (  # every match of _SENSITIVE starts with one of these
    "~/.ssh",
    ".ssh/",
    "id_rsa",
    "id_ed25519",
    ".env",
    ".aws/credentials",
    "credentials",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    "/etc/shadow",
    ".kube/config",
    ".docker/config.json",
    "keychain",
)
_READ_VERB = re.compile(
    r"\b(?:cat|less|more|head|tail|read|print|type|open|show|upload|send|post|exfiltrate|copy|scp|"
    r"display|dump|base64|curl|include|paste|share|attach)\b"
)
_KEY_FILE = re.compile(
    r"~/\.ssh|\.ssh/|id_rsa|id_ed25519|\.aws/credentials|\.netrc|\.git-credentials|/etc/shadow|"
    r"\.pypirc|\.npmrc|\.kube/config|\.docker/config"
)
# where a sentence ends: "Share your screen. Keep ~/.ssh/id_rsa private." is not one request
_SENTENCE_END = re.compile(r"(?<=[\w)\]`'\"])[.;!?][ \t\r\n]")  # after a word, not "COPY . ."
_DISCLOSE = re.compile(r"cat|print|paste|upload|send|post|exfiltrate|share|dump|display|base64|scp|curl|copy")
# a credential file named as where something is written ("add it to `.env`", "save them into ~/.netrc"):
# the user's own value stored locally, not the file read out
_DESTINATION = re.compile(r"\b(?:to|into)\s+(?:(?:the|your|a|an|this)\s+)?[`'\"]?(?:~/)?$")
_SINK = re.compile(  # where a disclosed secret goes: a URL, a public place or the answer
    r"\b(?:to|into|in|on|via|with)\s+(?:(?:the|a|your|this|an)\s+)?(?:https?://|pr\b|pull request|issue|comment|"
    r"answer|response|reply|chat|reviewer|email|slack|channel|webhook|gist|pastebin|output|log)"
    r"|\b(?:send|post|upload|exfiltrate|paste|share|forward|transmit)\b|\|\s*(?:curl|wget|nc|netcat)\b"
)


def _exfiltrates(low: str, start: int, end: int, ordered_ok: bool = True, prose: bool = True) -> bool:
    """The clause that asks for secrets also sends them somewhere, and does not say "never". A clause
    ends at ". " or a line break that ends its sentence (in ``prose``, a paragraph's other breaks are
    spaces; in a code block every line break ends it)."""
    line = sentence_line(low, start, end, prose)
    if line is None:
        return False
    lo = max(line[0], low.rfind(". ", line[0], start) + 1)
    dot = low.find(". ", end, line[1])
    hi = line[1] if dot == -1 else dot
    if NEGATED.search(low, lo, start):
        return False
    lead = low[lo:start].strip(" \t-*>#`0123456789.)")
    ordered = ordered_ok and all(
        w in _LEADS for w in lead.replace(",", " ").split()
    )  # "First print all env …"
    return ordered or bool(_SINK.search(low, start, min(hi, end + 200)))


_LEADS = frozenset(
    {"first", "then", "and", "please", "now", "also", "next", "always", "finally", "step", "to", "start"}
)


_AGENT_SECRETS = re.compile(  # what the agent holds: its environment, keys and tokens (not "credentials" talk)
    r"\benv\b|printenv|environment|api[ _-]?keys?|tokens?\b|secrets?\b|private\s+keys?|\byour\s+(?:credentials|passwords?)"
)
ASK_SECRETS = re.compile(  # the look-ahead only speeds the search up: every branch starts a word
    r"(?=[a-z])(?:\b(?:print|dump|echo|send|post|upload|share|reveal|leak|output|list|show)\s+"
    r"(?:out\s+)?(?:(?:the|all|your|any|every|my)\s+)*(?:env(?:ironment)?\s+variables|environment\b|env\b|"
    r"(?:api|access|auth|bearer|github|session|oauth)[ _-]?tokens?\b|api[ _-]?keys?\b|secrets?\b|"
    r"credentials\b|passwords?\b|private\s+keys?\b)"
    r"|\b(?:print|dump|echo|send|post|upload|share|reveal|leak|output|show)\s+(?:out\s+)?(?:the|all|your|any|every|my)\s+"
    r"(?:\w+\s+)?tokens?\b"
    r"|\b(?:export|send|post|upload|forward|transmit|exfiltrate)\s+(?:(?:the|all|your|any|every|my)\s+)*"
    r"(?:api[ _-]?keys?|tokens?|secrets?|credentials|passwords?|env(?:ironment)?(?:\s+variables)?)\s+to\s+(?:https?://|\S+@)"
    r"|\b(?:run|execute)\s+`?(?:printenv|env|set)`?\s+and\s+(?:include|paste|post|send|attach|add|share)\b"
    r"|\b(?:send|post|upload|forward|transmit|exfiltrate)\s+(?:the\s+(?:value|contents?)\s+of\s+)?"
    r"\$\{?(?=[a-z0-9_]{0,64}?(?:token|secret|password|api_?key|access_key|private_key))[a-z0-9_]++\}?\s+to\s+(?:https?://|\S+@)"
    r"|\b(?:printenv|env|set)\s*\|\s*(?:curl|wget|nc|netcat)\b)"
)
ASK_KEYS = ("env", "token", "key", "secret", "credential", "password")
ASK_STARTS = (  # every match of _ASK_SECRETS starts with one of these ("printenv" with "print")
    *("print", "dump", "echo", "send", "post", "upload", "share", "reveal", "leak", "output", "list"),
    *("show", "export", "forward", "transmit", "exfiltrate", "env", "set", "run", "execute"),
)


def credential_files(text: str, low: str, ctx: Context, phrases: str) -> Iterator[Raw]:
    """A sensitive file (``~/.ssh``, ``.env``, credentials) with a verb that reads or sends it before it
    in the same sentence line (a paragraph's line breaks inside a sentence are spaces). The file is found
    in ``low``, the words around it read in ``phrases`` (the same text, quote markers blanked)."""
    if not contains_any(low, _SENSITIVE_KEYS):
        return
    for m in finditer_from(_SENSITIVE, low, _SENSITIVE_STARTS):
        prose = ctx.prose(m.start())
        line = sentence_line(phrases, m.start(), m.end(), prose, 80)  # a bounded look-back: linear
        lo = max(0, m.start() - 80) if line is None else line[0]
        lo = max([lo, *(e.end() for e in _SENTENCE_END.finditer(phrases, lo, m.start()))])  # its sentence
        verb = _READ_VERB.search(phrases, lo, m.start())
        if verb:
            snippet = text[verb.start() : m.end()]
            strong = (
                _KEY_FILE.search(phrases, m.start(), m.end() + 1)
                and _DISCLOSE.match(phrases, verb.start())
                and _exfiltrates(phrases, verb.start(), m.end(), prose=prose)
            )  # "Then cat ~/.ssh/id_rsa", not "options dump"
            conf = (
                "low"
                if ctx.illustrative(verb.start()) or NEGATED.search(phrases, lo, verb.start())
                else "high"
            )
            if not (
                strong
                or (
                    m.group(0) != "credentials" and _exfiltrates(phrases, verb.start(), m.end(), False, prose)
                )
            ) or _DESTINATION.search(phrases, max(verb.end(), m.start() - 24), m.start()):
                conf = "low"  # "credentials" in prose, a read with no place to send it, or a file written to
            yield "credential-request", m.start(), f"asks for credentials or secrets: {quote(snippet)}", conf


def request_confidence(low: str, start: int, end: int, prose: bool) -> str:
    """The confidence of an ``ASK_SECRETS`` match that is not illustrative: high when it sends the
    agent's own secrets somewhere and is a command (``send\nthe value``, not ``print(…)`` in code)."""
    if (
        _exfiltrates(low, start, end, prose=prose)
        and _AGENT_SECRETS.search(low, start, end)
        and low[start : end + 1].split(None, 1)[0].isalpha()
    ):
        return "high"
    return "low"  # prose about credentials, or print(...) in code
