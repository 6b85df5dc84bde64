"""Fan-out: the items of one listing per key (an account), many keys at once.

Order: grouped by key, keys in the order they were given, each key's pages in
page order: the same sequence a plain loop over the keys would give, so two runs
over the same data produce the same file. The scheduling and its two budgets
(requests in flight, pages held) are `vapay._schedule`'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from typing import TypeVar

from vapay._models import Page
from vapay._schedule import Scheduler
from vapay._validate import check_int
from vapay._walk import Key, PageSource, Seen, item_id

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
    scheduler = Scheduler(
        source,
        listing,
        concurrency=concurrency,
        buffer=default_buffer(concurrency) if buffer is None else buffer,
        key=key,
    )
    return _items(scheduler.pages(), Seen(key) if dedupe else None)


async def _items(
    pages: AsyncGenerator[Page[T], None], seen: Seen[T] | None
) -> AsyncGenerator[T, None]:
    # Closed here and now, not when garbage collected: leaving the loop cancels
    # the requests in flight at once.
    async with contextlib.aclosing(pages):
        async for page in pages:
            for item in page.items if seen is None else seen.unseen(page.items):
                yield item
