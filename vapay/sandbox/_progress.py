"""A count that only grows, and a way to wait until it reaches a number."""

from __future__ import annotations

import asyncio


class Progress:
    """Counts what has happened (deliveries ended, events received) for waiters.

    `advance` is synchronous, so the code that counts needs no lock and no await.
    """

    def __init__(self) -> None:
        self.count = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def advance(self) -> None:
        """Count one more, and wake whoever waits for the count reached."""
        self.count += 1
        for waiter in [w for w in self._waiters if w[0] <= self.count]:
            self._waiters.remove(waiter)
            if not waiter[1].done():
                waiter[1].set_result(None)

    async def reach(self, count: int, timeout: float) -> bool:
        """Whether the count reached *count* within *timeout* seconds."""
        if self.count >= count:
            return True
        waiter = (count, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter[1], timeout)
        except asyncio.TimeoutError:
            return False
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return True
