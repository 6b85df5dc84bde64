"""Fan-out: the items of one listing per key (an account), many keys at once.

Order: grouped by key, keys in the order they were given, each key's pages in
page order: the same sequence a plain loop over the keys would give, so two runs
over the same data produce the same file. The scheduling and its two budgets
(requests in flight, pages held) are `vapay._schedule`'s.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from typing import TypeVar

from vapay._models import Page
from vapay._schedule import Scheduler
from vapay._validate import check_int
from vapay._walk import MAX_REWALKS, Changes, Key, PageSource, Seen, item_id, logger

T = TypeVar("T")
K = TypeVar("K")


def default_buffer(concurrency: int) -> int:
    """Pages that may be held ahead of the consumer when no `buffer=` is given."""
    return concurrency


def fan_out(
    source: Iterable[K] | AsyncIterable[K],
    listing: Callable[[K], PageSource[T]],
    *,
    concurrency: int,
    buffer: int | None = None,
    dedupe: bool = False,
    key: Key[T] = item_id,
) -> AsyncGenerator[T, None]:
    """Every item of `listing(key)` for each key of *source*, in key order.

    `listing(key)` returns the `PageSource` of that key's listing (and may raise
    for a bad key, which then surfaces in order). *key* tells items apart, for
    *dedupe* (drop items already yielded, across every listing) and for the
    walk's checks. *buffer*: pages that may be held ahead of the consumer on top
    of those in flight (default: `concurrency`).

    Raises:
        ValueError: *concurrency* below 1 or *buffer* below 0 (at once).
    """
    check_int(concurrency, name="concurrency", minimum=1)
    if buffer is not None:
        check_int(buffer, name="buffer", minimum=0)
    schedule = functools.partial(
        Scheduler,
        concurrency=concurrency,
        buffer=default_buffer(concurrency) if buffer is None else buffer,
        key=key,
    )
    if not dedupe:
        return _items(schedule(source, listing).pages(), None)
    return _exactly_once(source, listing, schedule, Seen(key))


async def _exactly_once(
    source: Iterable[K] | AsyncIterable[K],
    listing: Callable[[K], PageSource[T]],
    schedule: Callable[..., Scheduler[K, T]],
    seen: Seen[T],
) -> AsyncGenerator[T, None]:
    """Every item once: listings that changed while walked are walked again, at the end."""
    changes: Changes[K] = Changes()

    def watched(key: K) -> PageSource[T]:
        return changes.watch(key, listing(key))

    keys: Iterable[K] | AsyncIterable[K] = source
    for rewalk in range(MAX_REWALKS + 1):
        async with contextlib.aclosing(_items(schedule(keys, watched).pages(), seen)) as items:
            async for item in items:
                yield item
        keys = changes.take()
        if not keys:
            return
        if rewalk == MAX_REWALKS:
            logger.warning(
                "%d listing(s) still changed on walk %d; items of the last walk's changes "
                "may be missing: walk them again later",
                len(keys),
                rewalk + 1,
            )
            return
        logger.info("walking %d listing(s) again: they changed while walked", len(keys))


async def _items(
    pages: AsyncGenerator[Page[T], None], seen: Seen[T] | None
) -> AsyncGenerator[T, None]:
    # Closed here and now, not when garbage collected: leaving the loop cancels
    # the requests in flight at once.
    async with contextlib.aclosing(pages):
        async for page in pages:
            for item in page.items if seen is None else seen.unseen(page.items):
                yield item
