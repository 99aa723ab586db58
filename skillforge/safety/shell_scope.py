"""What a file redirect in a parsed shell snippet applies to: the commands of the statement it ends, found
by their place in the snippet rather than by walking the statement again.

``curl $( curl $( … ) > f ) > f`` nests statements in statements; walking each one's commands again
costs time quadratic in the nesting (a 5 KB snippet took seconds). :class:`CommandIndex` lists every
command of a snippet once, in order, with running counts, so the commands under any node are a range
found by bisection and what the redirect rules ask of them (a download or decode among them, a URL over
plain http, the first network command) is answered in constant or logarithmic time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any, NamedTuple

from skillforge.safety.shell_interpreters import base
from skillforge.safety.shell_rules import NETWORK, host_of, is_decoder, is_downloader

MAX_HOSTS = 16  # the download hosts kept for a written file (provenance), first ones first


class Scope(NamedTuple):
    """What a redirect's statement runs: a download or decode (``fetches``), whether its URLs are over
    plain http or absent (``plain``), their hosts, and its first network command's words."""

    fetches: bool
    plain: bool
    hosts: tuple[str, ...]
    network: list[str] | None


def is_network(ws: list[str]) -> bool:
    return is_downloader(ws) or base(ws[0]) in NETWORK


def scope_of(commands: Iterable[list[str]]) -> Scope:
    """The scope of a few commands' words (a command's own redirects: ``< f nc h 1``)."""
    cmds = [ws for ws in commands if ws]
    urls = [w for ws in cmds for w in ws if "://" in w]
    return Scope(
        any(is_downloader(ws) or is_decoder(ws) for ws in cmds),
        not urls or any(u.startswith("http://") for u in urls),
        tuple(host_of(u) for u in urls[:MAX_HOSTS]),
        next((ws for ws in cmds if is_network(ws)), None),
    )


class CommandIndex:
    """Every command of a snippet (in the order a pre-order walk meets them, so by start byte) and its
    words, listed on the first :meth:`scope` question (most snippets have no redirect: none is asked)."""

    def __init__(self, root: Any, walk: Callable[[Any], Iterable[Any]], words: Callable[[Any], list[str]]):
        self._root, self._walkf, self._wordsf = root, walk, words
        self.starts: list[int] = []
        self.words: list[list[str]] = []
        self._built = False

    def words_of(self, node: Any) -> list[str]:
        """A command node's words."""
        return self._wordsf(node)

    def _build(self) -> None:
        nodes = [n for n in self._walkf(self._root) if n.type == "command"]
        self.starts = [n.start_byte for n in nodes]
        self.words = [self._wordsf(n) for n in nodes]
        fetch = [bool(ws) and (is_downloader(ws) or is_decoder(ws)) for ws in self.words]
        plain = [any(w.startswith("http://") for w in ws) for ws in self.words]
        self._fetch = list(accumulate(fetch, initial=0))
        self._plain = list(accumulate(plain, initial=0))
        self._with_urls = [i for i, ws in enumerate(self.words) if any("://" in w for w in ws)]
        self._network = [i for i, ws in enumerate(self.words) if ws and is_network(ws)]
        self._built = True

    def scope(self, node: Any) -> Scope:
        """The scope of every command within ``node``'s bytes, its substitutions' included."""
        if not self._built:
            self._build()
        lo, hi = bisect_left(self.starts, node.start_byte), bisect_left(self.starts, node.end_byte)
        u_lo, u_hi = bisect_left(self._with_urls, lo), bisect_left(self._with_urls, hi)
        first = self._with_urls[u_lo : min(u_hi, u_lo + MAX_HOSTS)]
        hosts = tuple(host_of(w) for i in first for w in self.words[i] if "://" in w)[:MAX_HOSTS]
        n = bisect_left(self._network, lo)
        network = self._network[n] if n < len(self._network) else hi
        return Scope(
            self._fetch[hi] > self._fetch[lo],
            u_hi == u_lo or self._plain[hi] > self._plain[lo],
            hosts,
            self.words[network] if network < hi else None,
        )
