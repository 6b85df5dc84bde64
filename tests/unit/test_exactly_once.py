"""`dedupe=True` over a listing that shrinks while walked: every item exactly once.

An item that leaves a page-numbered listing mid-walk moves the items after it up
a place; one crosses the page boundary the walk has passed and is never served.
With `dedupe=True` a listing whose total changed is walked again, handing over
only what it has not handed over yet.
"""

from __future__ import annotations

import logging

import pytest

from vapay._fanout import fan_out
from vapay._models import Page, Pagination
from vapay._pagination import AsyncPager
from vapay._walk import MAX_REWALKS, PageSource


class Shrinking:
    """A listing of items "0".."n-1", 2 a page, losing item "0" after page *after* is served."""

    def __init__(self, size: int = 6, *, after: int | None = 1, leaves: str = "0") -> None:
        self.items = [str(n) for n in range(size)]
        self.after = after
        self.leaves = leaves
        self.served = 0

    def source(self, _: object = None) -> PageSource[str]:
        async def fetch(number: int) -> Page[str]:
            start = (number - 1) * 2
            page = self.items[start : start + 2]
            total = len(self.items)
            self.served += 1
            if self.served == self.after and self.leaves in self.items:
                self.items.remove(self.leaves)  # e.g. a payment paid late leaves the window
            block = Pagination(
                current_page=number, total_pages=max(1, -(-total // 2)), total=total, per_page=2
            )
            return Page(items=page, pagination=block, number=number)

        return PageSource(fetch, "GET /payments")


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_without_dedupe_a_shrinking_listing_skips_an_item(concurrency: int) -> None:
    """The documented hazard: item 2 moves onto page 1, already walked, and is lost."""
    listing = Shrinking()

    items = await AsyncPager(listing.source(), concurrency=concurrency).collect()

    assert "2" not in items


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_dedupe_walks_a_changed_listing_again_for_what_it_skipped(concurrency: int) -> None:
    """With dedupe, the pager hands over every item that was in the listing, once."""
    listing = Shrinking()

    items = await AsyncPager(listing.source(), concurrency=concurrency, dedupe=True).collect()

    assert sorted(items) == ["0", "1", "2", "3", "4", "5"]


async def test_dedupe_over_an_unchanged_listing_walks_it_once() -> None:
    """No change, no second walk: the requests are the listing's pages."""
    listing = Shrinking(after=None)

    items = [item async for item in AsyncPager(listing.source(), dedupe=True)]

    assert (items, listing.served) == (["0", "1", "2", "3", "4", "5"], 3)


async def test_list_many_dedupe_walks_only_the_changed_listing_again() -> None:
    """Across keys: the changed key is walked again after the others; the rest once."""
    listings = {"a": Shrinking(after=None), "b": Shrinking(), "c": Shrinking(after=None)}

    items = [
        (key, item)
        async for key, item in fan_out(
            ["a", "b", "c"],
            lambda key: _tagged(key, listings[key].source()),
            concurrency=4,
            dedupe=True,
            key=lambda pair: pair,
        )
    ]

    assert sorted(items) == sorted((k, str(n)) for k in "abc" for n in range(6))
    assert items[-1] == ("b", "2")  # what the first walk of b skipped comes last
    assert (listings["a"].served, listings["c"].served) == (3, 3)


async def test_a_listing_that_never_settles_stops_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Walked again at most MAX_REWALKS times, then a warning, not an endless walk."""

    class Restless(Shrinking):
        def source(self, _: object = None) -> PageSource[str]:
            inner = super().source()

            async def fetch(number: int) -> Page[str]:
                page = await inner.fetch(number)
                self.items.append(f"new{self.served}")  # grows on every page
                return page

            return PageSource(fetch, "GET /payments")

    listing = Restless(after=None)
    caplog.set_level(logging.WARNING, logger="vapay")

    items = await AsyncPager(listing.source(), dedupe=True).collect()

    assert len(items) == len(set(items))
    assert any("still changed on walk" in r.message for r in caplog.records)
    assert listing.served <= 4 * (MAX_REWALKS + 1) * 10


def _tagged(key: str, source: PageSource[str]) -> PageSource[tuple[str, str]]:
    async def fetch(number: int) -> Page[tuple[str, str]]:
        page = await source.fetch(number)
        return Page(
            items=[(key, item) for item in page.items], pagination=page.pagination, number=number
        )

    return PageSource(fetch, source.where)
