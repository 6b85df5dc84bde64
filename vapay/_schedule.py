"""The page scheduler behind concurrent listings: requests ahead, pages handed over in order.

It walks the listings of a sequence of keys (one key for a single listing's pager,
one per account for `list_many`) and hands their admitted pages over in order:
keys in the order they came, each listing's pages in page order, the sequence a
plain loop over the keys would give.

Two budgets, kept apart:

- at most `concurrency` page requests are in flight, always;
- the window, pages requested but not yet handed over (in flight, or fetched
  and held), is at most `concurrency + buffer`. The listing being consumed may
  always keep `concurrency` pages of its own in the window, so pages fetched
  ahead for later keys never starve it: memory stays within
  `2 * concurrency + buffer` pages, whatever the number of keys or pages.

Requests are scheduled from each request's completion (a done callback), not
from the consumer: a listing's pages 2..n are requested the moment its first
page has told how many there are. The next request goes to the listing being
consumed, then to listings in key order that have pages left to request, then
to the next key's first page. Every event costs O(1): counters, a dict of each
listing's requested pages, a deque of the listings with pages left.
"""

from __future__ import annotations

import asyncio
import collections
import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
)
from typing import Any, Generic, TypeVar

from vapay._models import Page
from vapay._walk import FetchPage, Key, PageSource, Walk, item_id

T = TypeVar("T")
K = TypeVar("K")

_END = object()


class _Listing(Generic[T]):
    """One key's listing: the pages requested and not yet handed over, and what is known."""

    __slots__ = (
        "closed",
        "decode",
        "last_number",
        "next_number",
        "queued",
        "requested",
        "send",
        "taken",
        "walk",
    )

    def __init__(self, source: PageSource[T], first: int, key: Key[T]) -> None:
        if source.send is not None and source.decode is not None:
            self.send, self.decode = source.send, source.decode
        else:
            self.send, self.decode = source.fetch, _as_is
        self.walk: Walk[T] = Walk(source.where, key)
        self.requested: dict[int, asyncio.Task[Page[T]]] = {}
        self.next_number = first  # the next page to request
        # The last page known to exist: the first page until it tells the total.
        self.last_number = first
        self.taken = first  # the next page to hand over
        self.queued = False  # in the scheduler's deque of listings with pages left
        self.closed = False

    @property
    def has_more(self) -> bool:
        """Whether a page of this listing may be requested now."""
        return not self.closed and self.next_number <= self.last_number


class Scheduler(Generic[K, T]):
    """Walks `listing(key)` for each key of *keys*; see the module docstring."""

    def __init__(
        self,
        keys: Iterable[K] | AsyncIterable[K],
        listing: Callable[[K], PageSource[T]],
        *,
        concurrency: int,
        buffer: int,
        first_page: int = 1,
        key: Key[T] = item_id,
    ) -> None:
        self._sync_keys: Iterator[K] | None = None
        self._async_keys: AsyncIterator[K] | None = None
        self._own_keys = False
        if isinstance(keys, AsyncIterable):
            self._async_keys = aiter(keys)
            # An iterator made here (a pager's walk) is closed here; one the
            # caller passed is theirs, as it would be after a plain loop.
            self._own_keys = self._async_keys is not keys
        else:
            self._sync_keys = iter(keys)
        self._listing = listing
        self._concurrency = concurrency
        self._window_limit = concurrency + buffer
        self._first_page = first_page
        self._key = key
        self._open: collections.deque[_Listing[T]] = collections.deque()
        self._wanting: collections.deque[_Listing[T]] = collections.deque()
        # The requests in flight: tasks not yet past their request.
        self._sending: set[asyncio.Task[Page[T]]] = set()
        self._window = 0  # requested, not handed over, of open listings
        self._cancelled: set[asyncio.Task[Any]] = set()  # of closed listings, still ending
        self._key_task: asyncio.Task[object] | None = None
        self._keys_done = False
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None

    # Consuming, in order.

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        """Every admitted page of every key's listing, in order."""
        try:
            while (head := await self._head()) is not None:
                page = await self._take(head)
                if not head.walk.admit(page):
                    self._close_head()
                    continue
                yield page
                following = page.next_page()
                if following is None:
                    self._close_head()
                elif following > head.last_number:
                    # No page numbers: the next page is known to be worth asking
                    # for only now, one page at a time.
                    head.last_number = following
                    self._want(head)
        finally:
            await self._shutdown()

    async def _head(self) -> _Listing[T] | None:
        """The listing to hand pages over from; None once every key is walked."""
        while not self._open:
            self._fill()
            if self._open:
                break
            if self._keys_done and self._key_task is None:
                return None
            await self._wait()
        return self._open[0]

    async def _take(self, head: _Listing[T]) -> Page[T]:
        """The head's next page, once it has arrived (its error, raised in order)."""
        number = head.taken
        while (task := head.requested.get(number)) is None:
            # The page the consumer waits on may always be asked for.
            head.last_number = max(head.last_number, number)
            self._want(head)
            self._fill()
            if number not in head.requested:
                await self._wait()
        page = await task
        del head.requested[number]
        head.taken = number + 1
        self._window -= 1
        if len(self._sending) < self._concurrency:  # a slot the window may have held back
            self._fill()
        return page

    def _close_head(self) -> None:
        """The head's walk is over: its requests past the end are cancelled."""
        head = self._open.popleft()
        head.closed = True
        self._window -= len(head.requested)
        # Pages past the end were only asked for because a page handed over
        # announced them: that page's changed total has been warned about.
        for task in head.requested.values():
            if not task.done():
                task.cancel()
                self._cancelled.add(task)
        head.requested.clear()
        self._fill()

    # Scheduling, from every event.

    def _fill(self) -> None:
        """Start every request the budgets allow."""
        while not self._closed and len(self._sending) < self._concurrency:
            listing = self._pick()
            if listing is None:
                return
            self._request(listing)

    def _pick(self) -> _Listing[T] | None:
        room = self._window < self._window_limit
        if self._open:
            head = self._open[0]
            if head.has_more and (room or len(head.requested) < self._concurrency):
                return head
        if not room:
            return None
        wanting = self._wanting
        while wanting:
            if wanting[0].has_more:
                return wanting[0]
            wanting.popleft().queued = False
        return self._open_next()

    def _want(self, listing: _Listing[T]) -> None:
        if not listing.queued:
            listing.queued = True
            self._wanting.append(listing)

    def _request(self, listing: _Listing[T]) -> None:
        number = listing.next_number
        listing.next_number = number + 1
        task = asyncio.ensure_future(self._fetch(listing, number))
        task.add_done_callback(functools.partial(self._landed, listing))
        listing.requested[number] = task
        self._sending.add(task)
        self._window += 1

    async def _fetch(self, listing: _Listing[T], number: int) -> Page[T]:
        try:
            answer = await listing.send(number)
        finally:
            # The request is over: its slot goes to the next one before this
            # page is decoded.
            self._sending.discard(asyncio.current_task())
            self._fill()
        return listing.decode(answer, number)

    def _landed(self, listing: _Listing[T], task: asyncio.Task[Page[T]]) -> None:
        # Still there if it was cancelled before it ever ran.
        self._sending.discard(task)
        self._cancelled.discard(task)
        if not task.cancelled() and task.exception() is None and not listing.closed:
            block = task.result().pagination
            if block is not None and block.total_pages > listing.last_number:
                # The first page tells the total; a later one may tell a larger
                # one (the listing grew). A smaller one is the walk's to judge.
                listing.last_number = block.total_pages
                self._want(listing)
                self._fill()  # (the slot this request held was offered in `_fetch`)
        self._wake()

    # Keys.

    def _open_next(self) -> _Listing[T] | None:
        """The next key's listing, opened; None when none is at hand now."""
        if self._keys_done or self._key_task is not None:
            return None
        if self._sync_keys is None:
            assert self._async_keys is not None  # noqa: S101 - one of the two is set
            self._key_task = asyncio.ensure_future(_next_key(self._async_keys))
            self._key_task.add_done_callback(self._key_arrived)
            return None
        try:
            key = next(self._sync_keys, _END)
        except Exception as err:  # noqa: BLE001 - raised in its turn, after earlier keys
            return self._open_failing(err)
        if key is _END:
            self._keys_done = True
            return None
        return self._open_key(key)  # type: ignore[arg-type]

    def _key_arrived(self, task: asyncio.Task[object]) -> None:
        self._key_task = None
        if task.cancelled() or self._closed:
            return
        err = task.exception()
        if err is not None:
            self._open_failing(err)
        elif (key := task.result()) is not _END:
            self._open_key(key)  # type: ignore[arg-type]
        else:
            self._keys_done = True
        self._fill()
        self._wake()

    def _open_key(self, key: K) -> _Listing[T]:
        try:
            source = self._listing(key)
        except Exception as err:  # noqa: BLE001 - a bad key raises in its turn
            return self._open_failing(err)
        return self._add(_Listing(source, self._first_page, self._key))

    def _open_failing(self, err: BaseException) -> _Listing[T]:
        # After a failing key source nothing more can be read from it.
        self._keys_done = True
        return self._add(_Listing(PageSource(_failing(err)), self._first_page, self._key))

    def _add(self, listing: _Listing[T]) -> _Listing[T]:
        self._open.append(listing)
        self._want(listing)
        return listing

    # Waiting and cleaning up.

    async def _wait(self) -> None:
        """Until a request lands or a key arrives."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _shutdown(self) -> None:
        """Cancel every request and the key fetch, and wait until each has ended."""
        self._closed = True
        tasks: list[asyncio.Future[Any]] = [
            task for listing in self._open for task in listing.requested.values()
        ]
        tasks += self._cancelled
        if self._key_task is not None:
            tasks.append(self._key_task)
        self._open.clear()
        self._wanting.clear()
        await cancel_all(tasks)
        if self._own_keys and isinstance(self._async_keys, AsyncGenerator):
            await self._async_keys.aclose()


def _as_is(page: object, _: int) -> Page[Any]:
    return page  # type: ignore[return-value]  # `fetch` already gave the page


async def _next_key(keys: AsyncIterator[K]) -> object:
    return await anext(keys, _END)


def _failing(err: BaseException) -> FetchPage[T]:
    async def fetch(_: int) -> Page[T]:
        raise err

    return fetch


async def cancel_all(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel *tasks* and wait until each has ended, whatever it ends with."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
