"""Auto-pagination: `AsyncPager` walks a page-numbered listing, in order, once per loop.

The walk's rules (stop at `total_pages`, refuse a page that contradicts its block
or repeats the previous one, follow a total that changes) are `vapay._walk`'s.
With `concurrency=N`, once the first page has told the total, up to N page
requests are in flight (`vapay._schedule`, the scheduler `list_many` uses too);
items still come out in page order, and at most `buffer` pages (default N) are
held on top of those in flight.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Generic, TypeVar

from vapay._models import Page
from vapay._schedule import Scheduler, cancel_all
from vapay._validate import check_int
from vapay._walk import (
    MAX_REWALKS,
    Changes,
    FetchPage,
    Key,
    PageSource,
    Seen,
    Walk,
    item_id,
    logger,
)

T = TypeVar("T")

__all__ = ["AsyncPager", "FetchPage", "PageSource", "Walk", "cancel_all", "item_id"]


class AsyncPager(Generic[T]):
    """A listing, walked lazily: no request is made until you iterate.

    `async for item in pager` walks every page from the start page (each loop
    walks afresh); `pager.pages()` yields `Page` objects; `await pager.collect()`
    returns every item in a list. After a walk stops (an error, a break),
    `resume_page` is the page to pass as `page=` to carry on where it stopped.
    """

    def __init__(
        self,
        fetch: FetchPage[T] | PageSource[T],
        *,
        page: int = 1,
        concurrency: int = 1,
        buffer: int | None = None,
        dedupe: bool = False,
        key: Key[T] = item_id,
        where: str = "",
    ) -> None:
        check_int(page, name="page", minimum=1)
        check_int(concurrency, name="concurrency", minimum=1)
        if buffer is not None:
            check_int(buffer, name="buffer", minimum=0)
        # A PageSource may fetch in two steps, which a concurrent walk uses.
        self._source = fetch if isinstance(fetch, PageSource) else PageSource(fetch, where)
        self._start = page
        self._concurrency = concurrency
        self._buffer = concurrency if buffer is None else buffer
        self._dedupe = dedupe
        self._key = key
        self._where = where or self._source.where
        self.resume_page: int | None = page
        """The first page not yet fully consumed, or None once the walk finished."""

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        seen = Seen(self._key) if self._dedupe else None
        # Closed here and now, not when garbage collected, so that leaving the
        # loop cancels the requests in flight at once.
        async with contextlib.aclosing(self._item_pages()) as pages:
            async for page in pages:
                items = page.items if seen is None else seen.unseen(page.items)
                last = len(items) - 1
                for position, item in enumerate(items):
                    if position == last:
                        # Handing over the last item finishes the page: a loop
                        # left on it resumes at the next page.
                        self.resume_page = page.next_page()
                    yield item

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """Every page, in order, from the start page."""
        return self._pages(self._source)

    async def _pages(self, source: PageSource[T]) -> AsyncGenerator[Page[T], None]:
        self.resume_page = self._start
        async with contextlib.aclosing(self._walk(source)) as pages:
            async for page in pages:
                self.resume_page = page.number
                yield page
                self.resume_page = page.next_page()
        self.resume_page = None

    def _item_pages(self) -> AsyncGenerator[Page[T], None]:
        """The pages whose items are handed over: with `dedupe`, of every walk needed."""
        return self._exactly_once() if self._dedupe else self.pages()

    async def _exactly_once(self) -> AsyncGenerator[Page[T], None]:
        # A listing that changed while walked is walked again (see `Changes`); the
        # caller's `Seen` drops what the earlier walks handed over.
        changes: Changes[None] = Changes()
        source = changes.watch(None, self._source)
        for rewalk in range(MAX_REWALKS + 1):
            async with contextlib.aclosing(self._pages(source)) as pages:
                async for page in pages:
                    yield page
            if not changes.take():
                return
            if rewalk == MAX_REWALKS:
                logger.warning(
                    "%s still changed on walk %d: walk it again later", self._where, rewalk + 1
                )
                return
            logger.info("%s: walking it again, it changed while walked", self._where)

    def _walk(self, source: PageSource[T]) -> AsyncGenerator[Page[T], None]:
        """The admitted pages: one request at a time, or through the scheduler."""
        if self._concurrency == 1:
            return self._sequential(source)
        scheduler = Scheduler(
            [None],
            lambda _: source,
            concurrency=self._concurrency,
            buffer=self._buffer,
            first_page=self._start,
            key=self._key,
        )
        return scheduler.pages()

    async def _sequential(self, source: PageSource[T]) -> AsyncGenerator[Page[T], None]:
        # No tasks at all: one request at a time is a plain loop.
        walk: Walk[T] = Walk(self._where, self._key)
        number: int | None = self._start
        while number is not None:
            page = await source.fetch(number)
            if not walk.admit(page):
                return
            yield page
            number = page.next_page()

    async def collect(self) -> list[T]:
        """Every item of the listing, in a list."""
        # A page at a time: the same items as `async for`, without a resumption
        # of the item generator per item.
        items: list[T] = []
        seen = Seen(self._key) if self._dedupe else None
        async with contextlib.aclosing(self._item_pages()) as pages:
            async for page in pages:
                items += page.items if seen is None else seen.unseen(page.items)
        return items

    def __repr__(self) -> str:
        return (
            f"<AsyncPager start={self._start} concurrency={self._concurrency}"
            f" resume_page={self.resume_page}>"
        )
