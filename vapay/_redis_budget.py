"""`RedisRateLimit`: one request budget for every process that shares a Redis.

The decisions are `vapay._budget.reserve` and `paused` (GCRA; the algorithm and its
error bound are described there), run as one Lua script so that reading and
moving the budget's `tat` is atomic, on Redis's own clock (`TIME`) so that hosts'
clocks do not matter. aiolimiter's leaky bucket (`leakybucket.py`) is the model of
the waiting: a bucket level that drains with time, and waiters told how long
until capacity frees up. It is per process; here the level lives in Redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vapay._budget import DEFAULT_MAX_WAIT, RateLimit, Turns, check_rate
from vapay._redis import DEFAULT_COMMAND_TIMEOUT, RedisGuard
from vapay._validate import check_positive

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

# KEYS[1]: the budget's tat, Unix seconds as text.
# ARGV: "reserve" or "pause", the interval (1 / per_second), the burst, the longest
# wait (reserve) or the pause (seconds), and optionally "now" (tests; else TIME).
# Returns the seconds to wait as text, "-1" when that would pass the longest wait.
GCRA = """
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[5])
if not now then
    local time = redis.call('TIME')
    now = tonumber(time[1]) + tonumber(time[2]) / 1000000
end
local interval = tonumber(ARGV[2])
local tau = (tonumber(ARGV[3]) - 1) * interval
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or 0, now)
local wait = 0
if ARGV[1] == 'pause' then
    tat = math.max(tat, now + tonumber(ARGV[4]) + tau)
else
    wait = math.max(0, tat - tau - now)
    if wait > tonumber(ARGV[4]) then
        return '-1'
    end
    tat = tat + interval
end
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return string.format('%.6f', wait)
"""

_UNAVAILABLE = object()


class RedisRateLimit:
    """At most *per_second* requests a second across every process sharing *redis*.

    `Client(rate_limit=vapay.RedisRateLimit(redis, per_second=50))` in every
    worker: together they send at most 50 requests a second (plus the error
    bound in the README), each process getting its share in turn, and a 429 with
    `Retry-After` seen by one pauses them all.

    If Redis is down or slow, each process keeps to *per_second* on its own (the
    fleet may then send up to its number of processes times that) and one warning
    is logged on the `vapay` logger; the shared budget resumes when it is back.

    Args:
        redis: a `redis.asyncio.Redis` client.
        per_second: the fleet's steady rate.
        burst: requests that may go at once after a quiet spell (1: evenly spaced).
        max_wait: the longest a request waits for its slot (its call's deadline
            may cut it shorter); past it the call fails with `APITimeoutError`.
        key: the Redis key of the budget: processes with the same key share it.
        command_timeout: seconds a Redis command may take before Redis counts as down.

    Raises:
        ImportError: redis-py is not installed (`pip install 'vapay[redis]'`).
        ValueError: a rate, burst, wait or timeout that cannot work.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        per_second: float,
        burst: int = 1,
        max_wait: float = DEFAULT_MAX_WAIT,
        key: str = "vapay:budget",
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        check_rate(per_second, burst, max_wait)
        self._guard = RedisGuard(
            "the request budget",
            "each process keeps to per_second on its own",
            timeout=check_positive(command_timeout, name="command_timeout"),
        )
        self.per_second = per_second
        self.burst = burst
        self._interval = 1.0 / per_second
        self._key = key
        self._script: AsyncScript = redis.register_script(GCRA)
        self._turns = Turns(max_wait)
        self._local = RateLimit(per_second, burst=burst, max_wait=max_wait)

    async def acquire(self, *, timeout: float | None = None) -> bool:
        """Wait for a slot; False (and no slot taken) when none comes within *timeout*."""
        return await self._turns.take(self.reserve, timeout)

    async def reserve(self, max_wait: float) -> float | None:
        """Reserve the fleet's next slot: seconds until it, or None past *max_wait*."""
        reply = await self._guard.run(
            lambda: self._script(
                keys=[self._key], args=["reserve", self._interval, self.burst, max_wait]
            ),
            _UNAVAILABLE,
        )
        if not isinstance(reply, (bytes, str)):  # Redis is unavailable
            return await self._local.reserve(max_wait)
        wait = float(reply)
        return None if wait < 0 else wait

    async def pause(self, seconds: float) -> None:
        """Grant no slot to any process for *seconds*."""
        await self._local.pause(seconds)  # so that the fallback honours it too
        await self._guard.run(
            lambda: self._script(
                keys=[self._key], args=["pause", self._interval, self.burst, seconds]
            ),
            None,
        )

    def __repr__(self) -> str:
        return (
            f"RedisRateLimit(per_second={self.per_second!r}, burst={self.burst!r}, "
            f"key={self._key!r})"
        )
