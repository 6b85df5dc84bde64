"""What the Redis-backed classes share: importing redis-py, and surviving without Redis.

`import vapay` never imports redis: the classes that need it call `redis_errors()`
when they are built, which says which extra to install when it is missing.

Redis is an optimisation for a fleet, never a new way to fail: each command runs
under `RedisGuard`, which bounds its time and, when Redis is down or slow, hands
the caller its fallback (a per-process token, budget or seen set), logs one warning
per outage, and leaves Redis alone for a moment before trying it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import redis.asyncio

    Redis = redis.asyncio.Redis

logger = logging.getLogger("vapay")

T = TypeVar("T")
F = TypeVar("F")

DEFAULT_COMMAND_TIMEOUT = 0.5
# After a failure, commands go to the fallback for this long without trying Redis,
# so that a Redis that times out costs one timeout, not one per request.
RETRY_REDIS_AFTER = 1.0


def redis_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "Redis is unavailable"; ImportError naming the extra."""
    try:
        from redis.exceptions import RedisError  # noqa: PLC0415 - redis is optional
    except ImportError as err:
        raise ImportError(
            "vapay's Redis classes need redis-py: pip install 'vapay[redis]'"
        ) from err
    # RuntimeError: a client made under an event loop that has since closed
    # ("Event loop is closed", "attached to a different loop").
    return (RedisError, OSError, asyncio.TimeoutError, RuntimeError)


def text(value: bytes | str | None) -> str | None:
    """A Redis reply as text, whether the client decodes responses or not."""
    return value.decode() if isinstance(value, bytes) else value


class RedisGuard:
    """Runs Redis commands within a time bound, with a fallback when Redis is unavailable.

    Args:
        what: what falls back, for the warning ("the token store").
        fallback: what happens instead, for the warning ("each process gets its own token").
        timeout: seconds a command may take.
        clock: monotonic time, for tests.
    """

    def __init__(
        self,
        what: str,
        fallback: str,
        *,
        timeout: float = DEFAULT_COMMAND_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._errors = redis_errors()
        self._what = what
        self._fallback = fallback
        self._timeout = timeout
        self._clock = clock
        self._skip_until = 0.0
        self._down = False

    @property
    def down(self) -> bool:
        """Whether the last command failed (the fallback is in use)."""
        return self._down

    async def run(self, command: Callable[[], Awaitable[T]], fallback: F) -> T | F:
        """*command*'s result, or *fallback* when Redis fails, times out or failed just now."""
        if self._down and self._clock() < self._skip_until:
            return fallback
        try:
            result = await asyncio.wait_for(command(), self._timeout)
        except self._errors as err:
            self._failed(err)
            return fallback
        if self._down:
            self._down = False
            logger.info("vapay: Redis is back: %s is shared again", self._what)
        return result

    def _failed(self, err: BaseException) -> None:
        self._skip_until = self._clock() + RETRY_REDIS_AFTER
        if not self._down:
            self._down = True
            # The error's class only: a message could carry the Redis URL.
            hint = (
                " (a Redis client belongs to the event loop it was first used in: "
                "create it inside each asyncio.run())"
                if isinstance(err, RuntimeError)
                else ""
            )
            logger.warning(
                "vapay: Redis is unavailable (%s%s): %s is not shared until it is back; %s",
                type(err).__name__,
                hint,
                self._what,
                self._fallback,
            )


# Redis takes PX up to 2**63 - 1 ms; anything past a year is "for good" here, and
# a token whose expires_in says 1e300 must not turn every write into an error.
_LONGEST_MS = 365 * 24 * 3600 * 1000


def px(seconds: float) -> int:
    """*seconds* as Redis's PX milliseconds: at least 1, at most a year."""
    return max(1, min(_LONGEST_MS, int(seconds * 1000)))
