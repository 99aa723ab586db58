"""What LLM calls cost, and the run's spending limit.

:class:`Prices` reads the price table (``skillforge/data/prices.json``, dollars per million tokens,
merged with the user's ``$SKILLFORGE_HOME/prices.json``). :class:`Budget` is shared by all workers:
``reserve`` checks a call's estimate BEFORE it is sent (raising BudgetExceeded when the limit would be
passed, counting calls still in flight), ``charge`` books the real usage afterwards, per stage. Once
a call was refused, ``stopped`` says why and every later call is refused too: the stage stops there
and keeps what is done (a smaller call that would still fit does not go on with it half-way).
``reopen`` lets the merge stage try its calls after a stop in the analysis, each still checked
against the limit, so that what was analysed becomes skills while the limit allows.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from skillforge.config import home
from skillforge.distill.base import Usage
from skillforge.errors import BudgetExceeded, ConfigError
from skillforge.providers.base import TokenUsage

BUILTIN_PRICES = Path(__file__).resolve().parents[1] / "data" / "prices.json"
USER_PRICES = "prices.json"


@dataclass(frozen=True, slots=True)
class Price:
    input: float = 0.0
    output: float = 0.0
    cache_read: float = 0.0
    cache_write: float = 0.0

    def cost(self, usage: TokenUsage) -> float:
        return (
            usage.input * self.input
            + usage.output * self.output
            + usage.cache_read * self.cache_read
            + usage.cache_write * (self.cache_write or self.input)
        ) / 1_000_000


def price_key(provider: str, model: str) -> str:
    """The price-table name of a model: self-hosted (openai-compatible) models are ``local:<model>``."""
    return f"local:{model}" if provider == "openai-compatible" else model


class Prices:
    def __init__(self, table: dict[str, Price]):
        self.table = table

    @classmethod
    def load(cls, user_file: Path | None = None) -> Prices:
        table = _read(BUILTIN_PRICES)
        user = user_file if user_file is not None else home() / USER_PRICES
        if user.is_file():
            table.update(_read(user))
        return cls(table)

    def for_model(self, model: str) -> Price:
        matches = [k for k in self.table if k != "*" and model.startswith(k)]
        if matches:
            return self.table[max(matches, key=len)]
        return self.table.get("*", Price())

    def cost(self, model: str, usage: TokenUsage) -> float:
        return self.for_model(model).cost(usage)


def _read(path: Path) -> dict[str, Price]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Price(**{k: float(v) for k, v in entry.items()})
            for name, entry in data.get("models", {}).items()
        }
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path}: not a valid price table ({exc})",
            'use {"models": {"<model prefix>": {"input": 3.0, "output": 15.0}}}',
        ) from None


class Budget:
    """Thread-safe spending limit (0 = unlimited) and per-stage usage table."""

    def __init__(self, max_cost: float = 0.0, max_tokens: int = 0, prices: Prices | None = None):
        self.max_cost = float(max_cost or 0)
        self.max_tokens = int(max_tokens or 0)
        self.prices = prices if prices is not None else Prices.load()
        self.usage: dict[str, Usage] = defaultdict(Usage)
        self._held_cost = 0.0
        self._held_tokens = 0
        self._lock = threading.Lock()
        self.stopped = ""  # why the first call was refused ("" while none was)
        self._closed = False  # a call was refused: every later one is, until ``reopen``

    @property
    def total(self) -> Usage:
        total = Usage()
        for u in list(self.usage.values()):
            total.add(u)
        return total

    def reserve(self, model: str, input_tokens: int, output_tokens: int) -> tuple[float, int]:
        """Hold an estimate for a call about to be sent; raise BudgetExceeded if it would not fit."""
        est = TokenUsage(input=input_tokens, output=output_tokens)
        cost, tokens = self.prices.cost(model, est), input_tokens + output_tokens
        with self._lock:
            refused = self._refusal(cost, tokens)
            if refused is not None:
                self.stopped = self.stopped or refused.message
                self._closed = True
                raise refused
            self._held_cost += cost
            self._held_tokens += tokens
        return cost, tokens

    def _refusal(self, cost: float, tokens: int) -> BudgetExceeded | None:
        """Why a call of this estimate may not be sent (None: it may); called under the lock."""
        spent = self.total
        if self._closed:
            return BudgetExceeded(self.stopped, self._hint())
        if self.max_cost and spent.cost + self._held_cost + cost > self.max_cost:
            return BudgetExceeded(
                f"the next LLM call (~${cost:.4f}) would pass --max-cost ${self.max_cost:.2f} "
                f"(spent ${spent.cost:.4f})",
                self._hint(),
            )
        used = spent.input_tokens + spent.output_tokens + spent.cache_read_tokens
        if self.max_tokens and used + self._held_tokens + tokens > self.max_tokens:
            return BudgetExceeded(
                f"the next LLM call (~{tokens} tokens) would pass --max-tokens {self.max_tokens} "
                f"(used {used})",
                self._hint(),
            )
        return None

    def reopen(self) -> None:
        """Check the next calls against the limit again after a refusal (``stopped`` keeps why the
        earlier stage stopped): the merge stage still merges what was analysed if its calls fit."""
        with self._lock:
            self._closed = False

    def _hint(self) -> str:
        limit = "--max-cost" if self.max_cost else "--max-tokens"
        return f"raise {limit}; work done so far is kept"

    def release(self, held: tuple[float, int]) -> None:
        with self._lock:
            self._held_cost -= held[0]
            self._held_tokens -= held[1]

    def charge(
        self,
        stage: str,
        model: str,
        usage: TokenUsage,
        held: tuple[float, int] = (0.0, 0),
        factor: float = 1.0,
    ) -> float:
        """Book a finished call's real usage under ``stage`` and release its estimate; ``factor``
        scales the listed price (batch calls cost ``providers.batch.BATCH_DISCOUNT`` of it)."""
        cost = self.prices.cost(model, usage) * factor
        with self._lock:
            self._held_cost -= held[0]
            self._held_tokens -= held[1]
            self.usage[stage].add(Usage(1, usage.input, usage.output, usage.cache_read, cost))
        return cost
