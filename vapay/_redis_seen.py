"""`RedisSeenSet`: webhook deliveries seen by any replica, so a retried one is handled once.

The gateway retries a delivery for minutes, possibly to another replica behind the
load balancer; an in-process "seen" set cannot tell that replica. One `SET key 1
NX PX ttl` per delivery can: it is atomic, so of replicas receiving the same
`transaction_id` at once exactly one is told it is new.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from vapay._redis import DEFAULT_COMMAND_TIMEOUT, RedisGuard
from vapay._validate import check_int, check_positive

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_SEEN_TTL = 24 * 3600.0
_UNAVAILABLE = object()


class RedisSeenSet:
    """Keys (webhook `transaction_id`s) seen by any process sharing *redis*, for *ttl* seconds.

        seen = vapay.RedisSeenSet(redis, ttl=24 * 3600)
        if await seen.seen(event.transaction_id):
            return web.Response(text="duplicate")      # another replica has it
        try:
            await handle(event)
        except Exception:
            await seen.forget(event.transaction_id)    # let the gateway's retry in
            raise

    If Redis is down or slow, deliveries are deduplicated within this process
    only (at most *local_limit* keys, the oldest dropped first) and one warning
    is logged on the `vapay` logger.

    Args:
        redis: a `redis.asyncio.Redis` client.
        ttl: seconds a key is remembered: longer than the gateway retries.
        prefix: the first part of every key (`{prefix}:{key}`).
        command_timeout: seconds a Redis command may take before Redis counts as down.
        local_limit: keys remembered in this process while Redis is unavailable.

    Raises:
        ImportError: redis-py is not installed (`pip install 'vapay[redis]'`).
        ValueError: a ttl, timeout or limit that cannot work.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        ttl: float = DEFAULT_SEEN_TTL,
        prefix: str = "vapay:seen",
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
        local_limit: int = 100_000,
    ) -> None:
        self._guard = RedisGuard(
            "the webhook seen set",
            "deliveries are deduplicated within each process only",
            timeout=check_positive(command_timeout, name="command_timeout"),
        )
        self._redis = redis
        self._ttl = check_positive(ttl, name="ttl")
        self._prefix = prefix
        self._local_limit = check_int(local_limit, name="local_limit", minimum=1)
        # key -> monotonic expiry, oldest first (one ttl for all, so also soonest first).
        self._local: OrderedDict[str, float] = OrderedDict()

    async def seen(self, key: str) -> bool:
        """Whether *key* was seen before (within the ttl); either way it is seen now.

        Of several processes asking about a new key at once, exactly one gets False.
        """
        created = await self._guard.run(
            lambda: self._redis.set(
                f"{self._prefix}:{key}", "1", nx=True, px=max(1, int(self._ttl * 1000))
            ),
            _UNAVAILABLE,
        )
        if created is _UNAVAILABLE:
            return self._seen_here(key)
        return not created

    async def forget(self, key: str) -> None:
        """Unsee *key*, so that its next delivery is handled (after handling it failed)."""
        self._local.pop(key, None)
        await self._guard.run(lambda: self._redis.delete(f"{self._prefix}:{key}"), None)

    def _seen_here(self, key: str) -> bool:
        now = time.monotonic()
        while self._local and next(iter(self._local.values())) <= now:
            self._local.popitem(last=False)
        if key in self._local:
            return True
        if len(self._local) >= self._local_limit:
            self._local.popitem(last=False)
        self._local[key] = now + self._ttl
        return False

    def __repr__(self) -> str:
        return f"<RedisSeenSet prefix={self._prefix!r} ttl={self._ttl!r}>"
