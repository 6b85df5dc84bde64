"""`RedisTokenStore`: one access token for every process that shares a Redis.

redis-py's `redis/asyncio/lock.py` is the model of the lock: `SET key owner NX PX
ttl` with a random owner token, and a Lua compare-and-delete to release it, so a
process whose lock expired can never release the next holder's. It is not used
as such because the provider waits its own way (re-reading the token between
tries, `vapay._token_sharing`), and because the same compare-and-delete script
also invalidates a refused token.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from vapay._redis import DEFAULT_COMMAND_TIMEOUT, RedisGuard, px, text
from vapay._validate import check_positive

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

# KEYS[1]: a key; ARGV[1]: the value it must hold. 1 if it held it and is deleted.
COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

# Granted when Redis is unavailable: this process's own single flight is the lock.
_LOCAL_OWNER = "local"
_UNAVAILABLE = object()


class RedisTokenStore:
    """A token store in Redis (`Client(token_store=vapay.RedisTokenStore(redis))`).

    Every client with the same base URL and client id, in any process, then uses
    one token, and one of them refreshes it. Keys are `{prefix}:token:{base URL}:
    {version}:{hash of the client id}` and the same with `:lock`; the value holds
    the access token and its expiry, never the client secret or the API key.

    If Redis is down or slow, each process gets its own token (as without a store)
    and one warning is logged on the `vapay` logger; sharing resumes when it is back.

    Args:
        redis: a `redis.asyncio.Redis` client (decoding responses or not).
        prefix: the first part of every key.
        lock_wait: seconds a process waits for another's token request before it
            asks on its own. Default: twice the lock's life, the token request's
            `token_timeout` plus 1 s (so a dead holder's lock expires first).
        command_timeout: seconds a Redis command may take before Redis counts as down.

    Raises:
        ImportError: redis-py is not installed (`pip install 'vapay[redis]'`).
        ValueError: a wait or timeout that is not a positive number.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "vapay",
        lock_wait: float | None = None,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        self.lock_wait = None if lock_wait is None else check_positive(lock_wait, name="lock_wait")
        self._guard = RedisGuard(
            "the access token",
            "each process asks for its own",
            timeout=check_positive(command_timeout, name="command_timeout"),
        )
        self._redis = redis
        self._prefix = prefix
        self._compare_and_delete: AsyncScript = redis.register_script(COMPARE_AND_DELETE)

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    async def get(self, key: str) -> str | None:
        """The value under *key*, or None (also when Redis is unavailable)."""
        return text(await self._guard.run(lambda: self._redis.get(self._key(key)), None))

    async def set(self, key: str, value: str, *, ttl: float) -> None:
        """Store *value* under *key* for *ttl* seconds (nothing when Redis is unavailable)."""
        await self._guard.run(lambda: self._redis.set(self._key(key), value, px=px(ttl)), None)

    async def delete_if(self, key: str, value: str) -> bool:
        """Delete *key* only if it still holds *value*."""
        deleted = await self._guard.run(
            lambda: self._compare_and_delete(keys=[self._key(key)], args=[value]), 0
        )
        return bool(deleted)

    async def lock(self, key: str, *, ttl: float) -> str | None:
        """`SET {key}:lock owner NX PX ttl`: the owner token, or None when it is held."""
        owner = secrets.token_hex(16)
        taken = await self._guard.run(
            lambda: self._redis.set(self._key(key) + ":lock", owner, nx=True, px=px(ttl)),
            _UNAVAILABLE,
        )
        if taken is _UNAVAILABLE:
            return _LOCAL_OWNER
        return owner if taken else None

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock if *owner* still holds it (a compare-and-delete)."""
        if owner != _LOCAL_OWNER:
            await self.delete_if(key + ":lock", owner)

    def __repr__(self) -> str:
        return f"<RedisTokenStore prefix={self._prefix!r}>"
