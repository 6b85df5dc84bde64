"""The request budget: at most N requests a second, for one process or a fleet.

The algorithm is GCRA (the generic cell rate algorithm), a token bucket kept as
one number: the theoretical arrival time `tat` of the next request at the steady
rate. Each request *reserves* the next slot, `max(tat, now) - (burst - 1) * T`
(`T = 1 / per_second`), and waits until then; a reservation that would wait past
the caller's bound is refused and changes nothing. Reserving in arrival order is
what makes the wait fair and bounded; at most one waiting reservation per process
is outstanding, so a process with many tasks cannot queue ahead of the others.

Bound: the granted times of any window of W seconds number at most
`per_second * W + burst` (at most `per_second + burst - 1` in a one-second window
`[s, s + 1)`). Requests reach the API a little after their slot, each by its own
delay (sleep wake-up, connection, network); if those delays differ by up to J
seconds, a one-second window at the API sees at most `per_second * (1 + J) +
burst` (with J = 10 ms at 100/s: 101 + burst). A 429 with `Retry-After: s` moves
`tat` so that no slot is granted before `now + s`, for every process sharing the
budget.

The same two decisions (`reserve`, `paused`) run in Python for `vapay.RateLimit`
and in a Redis script for `vapay.RedisRateLimit` (see `vapay._redis_budget`).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from vapay._errors import APITimeoutError
from vapay._retry import Sleep, parse_retry_after
from vapay._transport import Handler, Request, Response
from vapay._validate import check_int, check_positive

# The longest a 429's Retry-After pauses the budget (the retry policy's default cap).
MAX_PAUSE = 60.0
DEFAULT_MAX_WAIT = 30.0
_TOO_MANY_REQUESTS = 429


def reserve(
    tat: float, now: float, *, interval: float, burst: int, max_wait: float
) -> tuple[float, float] | None:
    """GCRA: reserve the next slot. (seconds to wait, new tat), or None past *max_wait*."""
    tat = max(tat, now)
    wait = max(0.0, tat - (burst - 1) * interval - now)
    if wait > max_wait:
        return None
    return wait, tat + interval


def paused(tat: float, now: float, *, interval: float, burst: int, seconds: float) -> float:
    """The tat after a `Retry-After: seconds`: the next slot is no earlier than now + seconds."""
    return max(tat, now + seconds + (burst - 1) * interval)


def check_rate(per_second: float, burst: int, max_wait: float) -> None:
    """Raises ValueError for a rate, burst or wait bound that cannot work."""
    check_positive(per_second, name="per_second")
    check_int(burst, name="burst", minimum=1)
    check_positive(max_wait, name="max_wait", zero=True)


@runtime_checkable
class RequestBudget(Protocol):
    """A budget of requests a second shared by everything holding it (`Client(rate_limit=)`).

    `vapay.RateLimit` is one in this process, `vapay.RedisRateLimit` one for a fleet.
    """

    async def acquire(self, *, timeout: float | None = None) -> bool:
        """Wait for a slot; False (and no slot taken) when none comes within *timeout*."""
        ...

    async def pause(self, seconds: float) -> None:
        """Grant no slot for *seconds* (the API answered 429 with Retry-After)."""
        ...


Reserve = Callable[[float], Awaitable["float | None"]]


class Turns:
    """One waiting reservation at a time per process, each sleeping until its slot.

    Tasks take turns in arrival order (asyncio.Lock is FIFO); across processes the
    budget's own order applies, so each process gets its share however many tasks
    it runs. A slot free at once is taken without a turn.
    """

    def __init__(
        self,
        max_wait: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        # One lock per event loop: a lock binds to the loop it first waits in, and a
        # client may be used under one asyncio.run() after another.
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._turns.get(loop)
        if lock is None:
            lock = self._turns[loop] = asyncio.Lock()
        return lock

    async def take(self, reserve: Reserve, timeout: float | None) -> bool:
        """A slot from *reserve* within *timeout* (and `max_wait`), slept until."""
        turn = self._lock()
        # A slot free right now needs no turn: turns are for sharing the waits, and
        # taking one for every request would queue the reservations' round trips.
        if not turn.locked() and await reserve(0.0) is not None:
            return True
        bound = self.max_wait if timeout is None else max(0.0, min(timeout, self.max_wait))
        give_up_at = self._clock() + bound
        try:
            await asyncio.wait_for(turn.acquire(), bound)
        except asyncio.TimeoutError:
            return False
        try:
            wait = await reserve(max(0.0, give_up_at - self._clock()))
            if wait is None:
                return False
            if wait > 0:
                await self._sleep(wait)
            return True
        finally:
            turn.release()


class RateLimit:
    """At most *per_second* requests a second from this process (`Client(rate_limit=)`).

    Share one instance between clients to give them one budget. For a fleet of
    processes, use `vapay.RedisRateLimit`, which decides the same way in Redis.

    Args:
        per_second: the steady rate.
        burst: requests that may go at once after a quiet spell (1: evenly spaced).
        max_wait: the longest a request waits for its slot (its call's deadline
            may cut it shorter); past it the call fails with `APITimeoutError`.
        clock: monotonic time, for tests.
        sleep: how to wait for a slot, for tests.

    Raises:
        ValueError: a rate, burst or max_wait that cannot work.
    """

    def __init__(
        self,
        per_second: float,
        *,
        burst: int = 1,
        max_wait: float = DEFAULT_MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        check_rate(per_second, burst, max_wait)
        self.per_second = per_second
        self.burst = burst
        self._interval = 1.0 / per_second
        self._clock = clock
        self._tat = 0.0
        self._turns = Turns(max_wait, clock=clock, sleep=sleep)

    async def acquire(self, *, timeout: float | None = None) -> bool:
        """Wait for a slot; False (and no slot taken) when none comes within *timeout*."""
        return await self._turns.take(self.reserve, timeout)

    async def reserve(self, max_wait: float) -> float | None:
        """Reserve the next slot without waiting: seconds until it, or None past *max_wait*."""
        grant = reserve(
            self._tat, self._clock(), interval=self._interval, burst=self.burst, max_wait=max_wait
        )
        if grant is None:
            return None
        wait, self._tat = grant
        return wait

    async def pause(self, seconds: float) -> None:
        """Grant no slot for *seconds*."""
        self._tat = paused(
            self._tat, self._clock(), interval=self._interval, burst=self.burst, seconds=seconds
        )

    def __repr__(self) -> str:
        return f"RateLimit(per_second={self.per_second!r}, burst={self.burst!r})"


class BudgetMiddleware:
    """Takes a slot of the budget before each attempt; a 429's Retry-After pauses it."""

    def __init__(
        self, budget: RequestBudget, *, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._budget = budget
        self._wall_clock = wall_clock

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        """Send *request* in its slot of the budget."""
        timeout = None if request.deadline is None else request.deadline - time.monotonic()
        if not await self._budget.acquire(timeout=timeout):
            raise _no_slot(request)
        response = await call_next(request)
        if response.status == _TOO_MANY_REQUESTS:
            seconds = parse_retry_after(response.headers.get("Retry-After"), now=self._wall_clock())
            if seconds:
                await self._budget.pause(min(seconds, MAX_PAUSE))
        return response


def _no_slot(request: Request) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {request.path}: no slot in the request budget before its "
        "deadline or the budget's max_wait",
        method=request.method,
        path=request.path,
        # It was never sent: safe to send again, whatever the method.
        may_have_reached_server=False,
    )
