"""Fan-out: the items of one listing per key (an account), many keys at once.

Order: grouped by key, keys in the order they were given, each key's pages in
page order: the same sequence a plain loop over the keys would give, so two runs
over the same data produce the same file.

One bound, `concurrency`, covers every page request in flight *and* every page
fetched but not yet consumed, so memory stays at `concurrency` pages whatever the
number of keys. The key being consumed always keeps one slot of it, so work
started ahead for later keys can never starve the one the consumer waits on.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable
from typing import Any, Generic, TypeVar, cast

from vapay._models import Page
from vapay._pagination import FetchPage, PageSource, Walk, cancel_all
from vapay._validate import check_int

T = TypeVar("T")
K = TypeVar("K")


class _Listing(Generic[T]):
    """One key's walk: its scheduled page requests, and what it knows so far."""

    def __init__(self, source: PageSource[T]) -> None:
        self.fetch = source.fetch
        self.tasks: collections.deque[asyncio.Task[Page[T]]] = collections.deque()
        self.walk: Walk[T] = Walk(source.where)
        self.scheduled = 0  # the highest page number requested so far
        self.total_pages: int | None = None  # known once the first page is in
        self.sequential = False  # no page numbers: ask one page at a time

    def schedule(self) -> None:
        self.scheduled += 1
        self.tasks.append(asyncio.ensure_future(self.fetch(self.scheduled)))

    def peek_first(self) -> None:
        """Learn the total from the first page as soon as it has arrived."""
        if self.total_pages is None and not self.sequential and self.scheduled == 1:
            first = self.tasks[0]
            if first.done() and not first.cancelled() and first.exception() is None:
                self.learn(first.result())

    def learn(self, first: Page[T]) -> None:
        if first.pagination is None:
            self.sequential = True
        else:
            self.total_pages = first.pagination.total_pages

    @property
    def can_prefetch(self) -> bool:
        """Whether pages past the first may be requested now (the total is known)."""
        return self.total_pages is not None and self.scheduled < self.total_pages


async def _keys(source: Iterable[K] | AsyncIterable[K]) -> AsyncGenerator[K, None]:
    if isinstance(source, AsyncIterable):
        async for key in source:
            yield key
    else:
        for key in source:
            yield key


class _FanOut(Generic[K, T]):
    """The scheduler behind `fan_out`: which page to request next, and when."""

    def __init__(
        self,
        source: Iterable[K] | AsyncIterable[K],
        listing: Callable[[K], PageSource[T]],
        concurrency: int,
    ) -> None:
        self._keys = _keys(source)
        self._listing = listing
        self._slots = concurrency
        self._open: collections.deque[_Listing[T]] = collections.deque()
        self._exhausted = False
        # The next key, being fetched: keys may come from a slow listing, which
        # must not hold back pages that have already arrived.
        self._next_key: asyncio.Future[object] | None = None

    def _used(self) -> int:
        return sum(len(each.tasks) for each in self._open)

    def _prefetch_one(self) -> bool:
        """Schedule one more page of an open listing, where the bound allows."""
        for index, each in enumerate(self._open):
            each.peek_first()
            # Later keys may use all slots but one: the head must always get one.
            limit = self._slots if index == 0 else self._slots - 1
            if each.can_prefetch and self._used() < limit:
                each.schedule()
                return True
        return False

    async def _open_one(self) -> bool:
        """Start the next key's listing, where the bound allows and keys remain.

        While the head's next page is on its way too, whichever comes first
        wins: a page that has arrived is never held back waiting for a key.
        """
        reserve = 1 if self._open else 0
        if self._exhausted or self._used() >= self._slots - reserve:
            return False
        if self._next_key is None:
            self._next_key = asyncio.ensure_future(anext(self._keys, _END))
        head = self._open[0].tasks[0] if self._open and self._open[0].tasks else None
        if head is not None and not self._next_key.done():
            racing: set[asyncio.Future[Any]] = {head, self._next_key}
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
            if not self._next_key.done():
                return False
        pending, self._next_key = self._next_key, None
        # A failure to get the next key, or to list it, is raised in its turn,
        # after the items of the keys before it, as a plain loop would.
        try:
            key = await pending
            if key is _END:
                self._exhausted = True
                return False
            source = self._listing(cast("K", key))
        except Exception as err:  # noqa: BLE001
            self._exhausted = True
            source = PageSource(_failing(err))
        started = _Listing(source)
        self._open.append(started)
        started.schedule()
        return True

    async def _next_page(self) -> tuple[_Listing[T], Page[T]] | None:
        """The head listing's next page, once everything that may start has started."""
        while self._prefetch_one() or await self._open_one():
            pass
        if not self._open:
            return None
        head = self._open[0]
        if not head.tasks:
            head.schedule()  # a listing without page numbers: one page at a time
        page = await head.tasks.popleft()
        if page.number == 1:
            head.learn(page)
        return head, page

    async def items(self) -> AsyncGenerator[T, None]:
        try:
            while (step := await self._next_page()) is not None:
                head, page = step
                admitted = head.walk.admit(page)
                if admitted:
                    for item in page.items:
                        yield item
                if not admitted or page.next_page() is None:
                    # Requests past a listing's end (an early empty page) are reaped.
                    await cancel_all(self._open.popleft().tasks)
        finally:
            await cancel_all(task for each in self._open for task in each.tasks)
            if self._next_key is not None:
                await cancel_all([self._next_key])
            await self._keys.aclose()


def fan_out(
    source: Iterable[K] | AsyncIterable[K],
    listing: Callable[[K], PageSource[T]],
    *,
    concurrency: int,
) -> AsyncGenerator[T, None]:
    """Every item of `listing(key)` for each key of *source*, in key order.

    `listing(key)` returns the `PageSource` of that key's listing
    (and may raise for a bad key, which then surfaces in order).
    """
    check_int(concurrency, name="concurrency", minimum=1)
    return _FanOut(source, listing, concurrency).items()


def _failing(err: Exception) -> FetchPage[T]:
    async def fetch(_: int) -> Page[T]:
        raise err

    return fetch


_END = object()
