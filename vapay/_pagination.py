"""Auto-pagination: `AsyncPager` walks a page-numbered listing, in order, once per loop.

The walk follows the pagination block's numbers when the API sends them (stop at
`total_pages`; a page that is not the one asked for is an error). Without a
usable block it walks until an empty page, and stops without yielding anything
twice when a page repeats the previous one. With `concurrency=N`, once the first
page has told the total, up to N page requests are in flight; items still come
out in page order and only the pages in flight are held in memory.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

import attrs

from vapay._errors import APIResponseValidationError
from vapay._models import Page
from vapay._validate import check_int

T = TypeVar("T")

FetchPage = Callable[[int], Awaitable[Page[T]]]


@attrs.frozen
class PageSource(Generic[T]):
    """A listing: how to fetch its page n, and its name for messages ("GET /api/...")."""

    fetch: FetchPage[T]
    where: str = ""


logger = logging.getLogger("vapay")


def check_page(page: Page[T], *, first: Page[T] | None, where: str = "") -> str | None:
    """Whether *page* fits the listing *first* began; a warning to log, or None.

    *where* names the listing ("GET /api/v1.0/accounts") in messages.

    Raises:
        APIResponseValidationError: the page is not the one asked for, or its
            page size differs from the first page's: going on could skip or
            repeat items.
    """
    block = page.pagination
    if block is None:
        return None
    prefix = f"{where}: " if where else ""
    if block.current_page != page.number:
        raise APIResponseValidationError(
            f"{prefix}asked for page {page.number}, the API answered page {block.current_page}",
            status=200,
        )
    start = first.pagination if first is not None else None
    if start is None or start is block:
        return None
    if start.per_page is not None and block.per_page not in (None, start.per_page):
        raise APIResponseValidationError(
            f"{prefix}page {page.number} has {block.per_page} items per page, "
            f"page {first.number if first else '?'} had {start.per_page}",
            status=200,
        )
    if (start.total, start.total_pages) != (block.total, block.total_pages):
        return (
            f"{prefix}the listing changed while it was walked (page {page.number}: total "
            f"{start.total} -> {block.total}, pages {start.total_pages} -> "
            f"{block.total_pages}); items may have moved between pages: "
            "pass dedupe=True to drop repeats"
        )
    return None


def item_id(item: object) -> Hashable:
    """What tells two items apart: the `id` of a model, else the item itself."""
    return getattr(item, "id", item)


class Walk(Generic[T]):
    """The rules of one walk over a listing, as data: which pages to yield."""

    def __init__(self, where: str = "", key: Callable[[T], Hashable] = item_id) -> None:
        self._where = where
        self._key = key
        # Only the first page's block is kept, not its items.
        self._first: Page[T] | None = None
        self._seen: set[Hashable] | None = None
        self._warned: tuple[int | None, int] | None = None

    def admit(self, page: Page[T]) -> bool:
        """Whether to yield *page*; False ends the walk.

        Without page numbers the walk cannot know where the listing ends, so it
        stops at a page that brings nothing new: a server that ignores `page`
        answers the same items (or pages it already sent) again and again.

        Raises:
            APIResponseValidationError: the page contradicts the listing (see
                `check_page`).
        """
        if self._first is None:
            self._first = Page(items=[], pagination=page.pagination, number=page.number)
        warning = check_page(page, first=self._first, where=self._where)
        # Said once per change, not again for every page after it.
        shape = (
            None
            if page.pagination is None
            else (page.pagination.total, page.pagination.total_pages)
        )
        if warning and shape != self._warned:
            logger.warning(warning)
            self._warned = shape
        if page.pagination is not None:
            return True
        ids = {self._key(item) for item in page.items}
        if self._seen is not None and ids <= self._seen:
            return False
        self._seen = ids if self._seen is None else self._seen | ids
        return True


class AsyncPager(Generic[T]):
    """A listing, walked lazily: no request is made until you iterate.

    `async for item in pager` walks every page from the start page (each loop
    walks afresh); `pager.pages()` yields `Page` objects; `await pager.collect()`
    returns every item in a list. After a walk stops (an error, a break),
    `resume_page` is the page to pass as `page=` to carry on where it stopped.
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        *,
        page: int = 1,
        concurrency: int = 1,
        dedupe: bool = False,
        key: Callable[[T], Hashable] = item_id,
        where: str = "",
    ) -> None:
        check_int(page, name="page", minimum=1)
        check_int(concurrency, name="concurrency", minimum=1)
        self._fetch = fetch
        self._start = page
        self._concurrency = concurrency
        self._dedupe = dedupe
        self._key = key
        self._where = where
        self.resume_page: int | None = page
        """The first page not yet fully consumed, or None once the walk finished."""

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        seen: set[Hashable] = set()
        # Closed here and now, not when garbage collected, so that leaving the
        # loop cancels the requests in flight at once.
        async with contextlib.aclosing(self.pages()) as pages:
            async for page in pages:
                items = self._unseen(page.items, seen)
                last = len(items) - 1
                for position, item in enumerate(items):
                    if position == last:
                        # Handing over the last item finishes the page: a loop
                        # left on it resumes at the next page.
                        self.resume_page = page.next_page()
                    yield item

    def _unseen(self, items: list[T], seen: set[Hashable]) -> list[T]:
        """*items*, less those already handed over when deduplicating (noted in *seen*)."""
        if not self._dedupe:
            return items
        unseen = []
        for item in items:
            key = self._key(item)
            if key not in seen:
                seen.add(key)
                unseen.append(item)
        return unseen

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        """Every page, in order, from the start page."""
        self.resume_page = self._start
        walk: Walk[T] = Walk(self._where, self._key)
        first = await self._fetch(self._start)
        stream = self._following(first)
        try:
            page: Page[T] | None = first
            while page is not None and walk.admit(page):
                self.resume_page = page.number
                yield page
                self.resume_page = page.next_page()
                if self.resume_page is None:
                    break
                page = await anext(stream, None)
        finally:
            await stream.aclose()
        self.resume_page = None

    async def _following(self, first: Page[T]) -> AsyncGenerator[Page[T], None]:
        """The pages after *first*, fetched up to `concurrency` at a time."""
        if self._concurrency == 1 or first.pagination is None:
            page = first
            while (number := page.next_page()) is not None:
                page = await self._fetch(number)
                yield page
            return
        prefetched = self._prefetched(first.pagination.total_pages, first.number)
        async with contextlib.aclosing(prefetched) as pages:
            async for page in pages:
                yield page

    async def _prefetched(self, total_pages: int, after: int) -> AsyncGenerator[Page[T], None]:
        in_flight: collections.deque[asyncio.Task[Page[T]]] = collections.deque()
        scheduled = after
        try:
            while True:
                while len(in_flight) < self._concurrency and scheduled < total_pages:
                    scheduled += 1
                    in_flight.append(asyncio.ensure_future(self._fetch(scheduled)))
                if not in_flight:
                    return
                page = await in_flight.popleft()
                if page.pagination is not None:
                    # The listing may grow while it is walked: follow its newest total.
                    total_pages = max(page.pagination.total_pages, page.number)
                yield page
        finally:
            await cancel_all(in_flight)

    async def collect(self) -> list[T]:
        """Every item of the listing, in a list."""
        # A page at a time: the same items as `async for`, without a resumption
        # of the item generator per item.
        items: list[T] = []
        seen: set[Hashable] = set()
        async with contextlib.aclosing(self.pages()) as pages:
            async for page in pages:
                items += self._unseen(page.items, seen)
        return items

    def __repr__(self) -> str:
        return (
            f"<AsyncPager start={self._start} concurrency={self._concurrency}"
            f" resume_page={self.resume_page}>"
        )


async def cancel_all(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel *tasks* and wait until each has ended, whatever it ends with."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
