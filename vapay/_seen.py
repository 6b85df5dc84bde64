"""Which callback deliveries were already taken, so that a repeated one is dropped.

The gateway repeats a delivery it thinks failed, so a handler sees some
payments twice; `transaction_id` is the key. `SeenStore` is the seam: the
memory store here serves one process, and a shared store (Redis `SET NX EX`,
a database's unique key) serves a fleet behind one callback URL.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class SeenStore(Protocol):
    """Remembers the keys of deliveries taken, for a while."""

    async def claim(self, key: str) -> bool:
        """Take *key*: True the first time, False while it is remembered."""
        ...

    async def release(self, key: str) -> None:
        """Forget *key*, so that a redelivery is taken again (after a failure to queue it)."""
        ...


class MemorySeenStore:
    """A `SeenStore` in this process's memory: at most *max_keys* keys, each for *ttl* seconds.

    Past *max_keys*, the oldest keys are forgotten early; a delivery repeated
    after its key is forgotten is taken again, so the code behind the queue
    should still be idempotent (a unique `transaction_id` in your database).

    Args:
        max_keys: the most keys remembered at once.
        ttl: seconds a key is remembered. The gateway's retries of one delivery
            span minutes; the default day covers them many times over.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        *,
        max_keys: int = 100_000,
        ttl: float = 86_400.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, got {max_keys}")
        if not (ttl > 0 and math.isfinite(ttl)):
            raise ValueError(f"ttl must be a positive number of seconds, got {ttl}")
        self.max_keys = max_keys
        self.ttl = ttl
        self._clock = clock
        # Key -> when it is forgotten. With one ttl, insertion order is expiry
        # order: the expired keys are always at the front.
        self._expiries: OrderedDict[str, float] = OrderedDict()

    async def claim(self, key: str) -> bool:
        """Take *key*: True the first time, False while it is remembered."""
        now = self._clock()
        self._forget_expired(now)
        if key in self._expiries:
            return False
        self._expiries[key] = now + self.ttl
        while len(self._expiries) > self.max_keys:
            self._expiries.popitem(last=False)
        return True

    async def release(self, key: str) -> None:
        """Forget *key*, so that a redelivery is taken again."""
        self._expiries.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        while self._expiries:
            key, expiry = next(iter(self._expiries.items()))
            if expiry > now:
                return
            del self._expiries[key]

    def __len__(self) -> int:
        return len(self._expiries)

    def __repr__(self) -> str:
        return f"<MemorySeenStore keys={len(self)}/{self.max_keys} ttl={self.ttl:g}s>"
