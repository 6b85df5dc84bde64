"""`RedisSeenStore`: webhook deliveries taken by any replica, so a retried one is handled once.

The gateway retries a delivery for minutes, possibly to another replica behind the
load balancer; an in-process store cannot tell that replica. One `SET key 1 NX PX
ttl` per delivery can: it is atomic, so of replicas receiving the same
`transaction_id` at once exactly one takes it. It is a `vapay.webhooks.SeenStore`,
so it plugs into the webhook recipes where `MemorySeenStore` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vapay._redis import DEFAULT_COMMAND_TIMEOUT, RedisGuard, px
from vapay._seen import MemorySeenStore
from vapay._validate import check_int, check_positive

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_SEEN_TTL = 24 * 3600.0
_UNAVAILABLE = object()


class RedisSeenStore:
    """A `SeenStore` shared by every process using *redis*: keys remembered *ttl* seconds.

        seen = vapay.RedisSeenStore(redis, ttl=24 * 3600)
        if not await seen.claim(event.transaction_id):
            return web.Response(text="duplicate")      # another replica has it
        try:
            await handle(event)
        except Exception:
            await seen.release(event.transaction_id)   # let the gateway's retry in
            raise

    If Redis is down or slow, deliveries are deduplicated within this process
    only (a `MemorySeenStore` of at most *local_limit* keys) and one warning is
    logged on the `vapay` logger.

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
            "the webhook seen store",
            "deliveries are deduplicated within each process only",
            timeout=check_positive(command_timeout, name="command_timeout"),
        )
        self._redis = redis
        self._ttl = check_positive(ttl, name="ttl")
        self._prefix = prefix
        self._local = MemorySeenStore(
            max_keys=check_int(local_limit, name="local_limit", minimum=1), ttl=self._ttl
        )

    async def claim(self, key: str) -> bool:
        """Take *key*: True the first time (within the ttl), False after.

        Of several processes taking a new key at once, exactly one gets True.
        """
        created = await self._guard.run(
            lambda: self._redis.set(f"{self._prefix}:{key}", "1", nx=True, px=px(self._ttl)),
            _UNAVAILABLE,
        )
        if created is _UNAVAILABLE:
            return await self._local.claim(key)
        return bool(created)

    async def release(self, key: str) -> None:
        """Forget *key*, so that its next delivery is taken (after handling it failed)."""
        await self._local.release(key)
        await self._guard.run(lambda: self._redis.delete(f"{self._prefix}:{key}"), None)

    def __repr__(self) -> str:
        return f"<RedisSeenStore prefix={self._prefix!r} ttl={self._ttl!r}>"
