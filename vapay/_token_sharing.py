"""One token for every process sharing a store: read it, or fetch it under a lock.

The default provider runs `SharedToken.obtain` once per refresh (its own single
flight covers the tasks of one process); this covers the processes:

1. after a 401, delete the refused token from the store, only if it is still the
   one stored (compare-and-delete: never a fresh one another process just stored);
2. read the store: a token other than the one this process found stale or refused,
   and fresh, is used as it is;
3. else take the store's lock (it expires by itself after `lock_ttl`, longer than
   a token request may take), read again (another process may have stored one
   between 2 and 3), and only then ask the token endpoint and store the answer;
4. a process that cannot have the lock polls 2 and 3 until `lock_wait` has
   passed, then asks on its own: a slow or dead peer delays the fleet by at most
   that, and a dead holder's lock expires before that by default.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

import attrs

from vapay._stores import StoredToken, TokenStore, decode_token, encode_token
from vapay._token import Token, is_fresh, refresh_margin

logger = logging.getLogger("vapay")

# Time for the holder to store the token once its request has ended.
LOCK_TTL_SLACK = 1.0
# How often a process waiting for another's token looks again.
LOCK_POLL = 0.05
# How long a token of unknown lifetime stays in the store (it is used until a 401).
UNKNOWN_LIFETIME_TTL = 24 * 3600.0


def default_lock_wait(lock_ttl: float) -> float:
    """Long enough for a dead holder's lock to expire and the next holder to finish."""
    return 2 * lock_ttl


@attrs.frozen(kw_only=True)
class Held:
    """A token and the exact value the store holds for it (for compare-and-delete)."""

    token: Token
    value: str


@attrs.frozen(kw_only=True)
class SharedToken:
    """How one process gets the fleet's token from a store.

    Attributes:
        store: where the token is shared.
        key: its key in the store (`vapay._stores.token_key`).
        lock_ttl: seconds the lock lives at most: longer than a token request.
        margin: the refresh margin (see `vapay._token.refresh_margin`).
        clock: this process's monotonic clock (tokens' `issued_at`).
        wall_clock: Unix time, which processes share (stored tokens' `issued_at`).
        sleep: how to wait between polls.
        timer: the monotonic time *sleep* follows, for the wait for the lock.
    """

    store: TokenStore
    key: str
    lock_ttl: float
    margin: float
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    timer: Callable[[], float] = time.monotonic

    async def obtain(
        self,
        fetch: Callable[[], Awaitable[Token]],
        *,
        known: Held | None,
        refused: bool,
    ) -> Held:
        """A usable token: another process's, or one *fetch* got and stored.

        Args:
            fetch: asks the token endpoint.
            known: the token this process holds (stale or refused): never reused.
            refused: whether the API refused *known* (a 401).
        """
        if refused and known is not None:
            await self.store.delete_if(self.key, known.value)
        wait = self.store.lock_wait
        give_up_at = self.timer() + (default_lock_wait(self.lock_ttl) if wait is None else wait)
        while True:
            found = await self._stored(known)
            if found is not None:
                return found
            owner = await self.store.lock(self.key, ttl=self.lock_ttl)
            if owner is not None:
                try:
                    # Checked again: the last holder may have stored one just now.
                    return await self._stored(known) or await self._fetch(fetch)
                finally:
                    await self.store.unlock(self.key, owner)
            if self.timer() >= give_up_at:
                logger.warning(
                    "vapay: the token lock stayed taken past lock_wait: "
                    "asking for a token without it"
                )
                return await self._fetch(fetch)
            await self.sleep(LOCK_POLL)

    async def _stored(self, known: Held | None) -> Held | None:
        value = await self.store.get(self.key)
        if value is None:
            return None
        stored = decode_token(value)
        if stored is None or (known and stored.access_token == known.token.access_token):
            return None
        # Its age by the shared wall clock, placed on this process's own clock.
        age = self.wall_clock() - stored.issued_at
        token = Token(
            access_token=stored.access_token,
            expires_in=stored.expires_in,
            issued_at=self.clock() - age,
        )
        if not is_fresh(token, now=self.clock(), margin=self.margin):
            return None
        return Held(token=token, value=value)

    async def _fetch(self, fetch: Callable[[], Awaitable[Token]]) -> Held:
        token = await fetch()
        age = self.clock() - token.issued_at
        value = encode_token(
            StoredToken(
                access_token=token.access_token,
                expires_in=token.expires_in,
                issued_at=self.wall_clock() - age,
            )
        )
        await self.store.set(self.key, value, ttl=self._store_ttl(token))
        return Held(token=token, value=value)

    def _store_ttl(self, token: Token) -> float:
        """Until peers should refresh it: past that no process takes it from the store."""
        if token.expires_in is None or math.isinf(token.expires_in):
            return UNKNOWN_LIFETIME_TTL
        return token.expires_in - refresh_margin(token.expires_in, self.margin)
