"""The rules of a walk over one listing, as data: which pages fit, when it ends.

A listing is walked by its pagination block's numbers when it has them: stop at
`total_pages`, and refuse a page that contradicts them (not the page asked for,
another page size, an empty page before the announced last one, fewer pages than
its own `total` needs, the previous page's items again). A total that changes
between pages is followed, with a warning. Without a usable block the walk goes
on until an empty page, and stops at a page that brings nothing new.

Everything here is synchronous and I/O-free: the pager and the fan-out scheduler
feed it the pages in order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

import attrs

from vapay._errors import APIResponseValidationError
from vapay._models import Page, Pagination

T = TypeVar("T")

FetchPage = Callable[[int], Awaitable[Page[T]]]
Key = Callable[[T], Hashable]

logger = logging.getLogger("vapay")


@attrs.frozen
class PageSource(Generic[T]):
    """A listing: how to fetch its page n, and its name for messages ("GET /api/...").

    A source may also give `fetch` in its two steps, `send(n)` (the request: its
    raw answer) then `decode(answer, n)` (a plain call): a scheduler then counts
    only the request as in flight, as a hand-written semaphore around the request
    would, and decodes after the request's slot is free.
    """

    fetch: FetchPage[T]
    where: str = ""
    send: Callable[[int], Awaitable[object]] | None = None
    decode: Callable[[object, int], Page[T]] | None = None


def item_id(item: object) -> Hashable:
    """What tells two items apart: the `id` of a model, else the item itself."""
    return getattr(item, "id", item)


def _invalid(where: str, message: str) -> APIResponseValidationError:
    prefix = f"{where}: " if where else ""
    return APIResponseValidationError(prefix + message, status=200)


def contradiction(page: Page[T]) -> str | None:
    """How *page* contradicts its own pagination block, or None when it does not.

    An empty page before the last page its block announces, or a block whose
    `total_pages` is fewer than its `total` at `per_page` items a page needs:
    stopping there would be a silently short result.
    """
    block = page.pagination
    if block is None:
        return None
    if not page.items and block.current_page < block.total_pages:
        return (
            f"page {page.number} is empty, but its pagination block announces "
            f"{block.total_pages} pages"
        )
    if block.total is not None and block.per_page and block.per_page > 0:
        needed = -(-block.total // block.per_page)
        if block.total_pages < needed:
            return (
                f"page {page.number} says there are {block.total_pages} pages, but its "
                f"total of {block.total} items at {block.per_page} a page needs {needed}"
            )
    return None


def check_page(page: Page[T], *, first: Page[T] | None, where: str = "") -> str | None:
    """Whether *page* fits the listing *first* began; a warning to log, or None.

    *where* names the listing ("GET /api/v1.0/accounts") in messages.

    Raises:
        APIResponseValidationError: the page is not the one asked for, contradicts
            its own block (see `contradiction`), or its page size differs from
            the first page's: going on could skip or repeat items.
    """
    block = page.pagination
    if block is None:
        return None
    if block.current_page != page.number:
        raise _invalid(
            where, f"asked for page {page.number}, the API answered page {block.current_page}"
        )
    if (problem := contradiction(page)) is not None:
        raise _invalid(where, problem)
    start = first.pagination if first is not None else None
    if first is None or start is None or start is block:
        return None
    if start.per_page is not None and block.per_page not in (None, start.per_page):
        raise _invalid(
            where,
            f"page {page.number} has {block.per_page} items per page, "
            f"page {first.number} had {start.per_page}",
        )
    if (start.total, start.total_pages) != (block.total, block.total_pages):
        prefix = f"{where}: " if where else ""
        return (
            f"{prefix}the listing changed while it was walked (page {page.number}: total "
            f"{start.total} -> {block.total}, pages {start.total_pages} -> "
            f"{block.total_pages}); items may have moved between pages: "
            "pass dedupe=True to walk it again and get every item exactly once"
        )
    return None


class Walk(Generic[T]):
    """One walk over a listing: fed its pages in order, says which to yield."""

    def __init__(self, where: str = "", key: Key[T] = item_id) -> None:
        self._where = where
        self._key = key
        # Only the first page's block is kept, not its items.
        self._first: Page[T] | None = None
        self._previous: tuple[int, set[Hashable]] | None = None
        self._seen: set[Hashable] | None = None
        self._warned: tuple[int | None, int] | None = None

    def admit(self, page: Page[T]) -> bool:
        """Whether to yield *page*; False ends the walk.

        Without page numbers the walk cannot know where the listing ends, so it
        stops at a page that brings nothing new: a server that ignores `page`
        answers the same items (or pages it already sent) again and again.

        Raises:
            APIResponseValidationError: the page contradicts the listing (see
                `check_page`), or repeats the previous page's items.
        """
        block = page.pagination
        if self._first is None:
            self._first = Page(items=[], pagination=block, number=page.number)
        warning = check_page(page, first=self._first, where=self._where)
        if warning:
            self._warn(warning, block)
        ids = {self._key(item) for item in page.items}
        if block is None:
            if self._seen is not None and ids <= self._seen:
                return False
            self._seen = ids if self._seen is None else self._seen | ids
            return True
        self._check_not_repeated(page.number, ids)
        return True

    def _check_not_repeated(self, number: int, ids: set[Hashable]) -> None:
        """A numbered page holding only the previous page's items is a server
        that echoes `page` but ignores it: walking on would never end."""
        previous = self._previous
        self._previous = (number, ids)
        if previous is not None and ids and previous[0] == number - 1 and ids <= previous[1]:
            raise _invalid(
                self._where,
                f"page {number} repeats the items of page {previous[0]}: the API "
                "seems to ignore the page number",
            )

    def _warn(self, warning: str, block: Pagination | None) -> None:
        # Said once per change, not again for every page after it.
        shape = None if block is None else (block.total, block.total_pages)
        if shape != self._warned:
            logger.warning(warning)
            self._warned = shape


class Seen(Generic[T]):
    """The identities handed over so far, for `dedupe=True`: drops repeats."""

    def __init__(self, key: Key[T] = item_id) -> None:
        self._key = key
        self._seen: set[Hashable] = set()

    def unseen(self, items: list[T]) -> list[T]:
        """*items* less those already handed over (which it notes)."""
        seen, key, unseen = self._seen, self._key, []
        for item in items:
            identity = key(item)
            if identity not in seen:
                seen.add(identity)
                unseen.append(item)
        return unseen


K = TypeVar("K")

# Passes over a listing that keeps changing, for `dedupe=True`: the first walk,
# then at most this many walks of the listings that changed during the one before.
MAX_REWALKS = 3


class Changes(Generic[K]):
    """Which listings' totals changed while they were walked, for `dedupe=True`.

    A listing that shrinks while it is walked (a payment paid late leaves a
    window) moves later items towards the start: one can cross a page boundary
    the walk has passed, and never be served. A listing that grows moves items
    the other way (repeats). `dedupe=True` walks such a listing again, handing
    over only what it has not handed over yet, so every item comes exactly once.
    """

    def __init__(self) -> None:
        # Per listing watched: its key, and the totals its pages showed this walk.
        self._watched: list[tuple[K, list[tuple[int | None, int]]]] = []

    def watch(self, key: K, source: PageSource[T]) -> PageSource[T]:
        """*source*, its pages' totals noted (a change flags *key* for `take`)."""
        totals: list[tuple[int | None, int]] = []
        self._watched.append((key, totals))

        def observe(page: Page[T]) -> Page[T]:
            block = page.pagination
            if block is not None:
                shape = (block.total, block.total_pages)
                if shape not in totals:
                    totals.append(shape)
            return page

        async def fetch(number: int) -> Page[T]:
            return observe(await source.fetch(number))

        decode = source.decode
        return PageSource(
            fetch,
            source.where,
            send=source.send,
            decode=None if decode is None else lambda answer, n: observe(decode(answer, n)),
        )

    def take(self) -> list[K]:
        """The keys whose listings changed since the last call, in the order watched.

        Every listing watched so far starts afresh: a walk again sees only its own pages.
        """
        changed = [key for key, totals in self._watched if len(totals) > 1]
        for _, totals in self._watched:
            totals.clear()
        return changed
