"""AsyncPager over a fake listing: order, stopping rules, resume, concurrency, cleanup."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

import vapay
from vapay import AsyncPager, Page, Pagination


def block(
    number: int, total_pages: int, *, total: int | None = None, per_page: int = 2
) -> Pagination:
    return Pagination(
        current_page=number,
        total_pages=total_pages,
        total=total if total is not None else total_pages * per_page,
        per_page=per_page,
        count=per_page,
    )


class Listing:
    """A fake paginated endpoint over `items`, `per_page` a page; counts what it serves."""

    def __init__(self, count: int, *, per_page: int = 2, paginate: bool = True) -> None:
        self.items = [f"id-{i}" for i in range(count)]
        self.per_page = per_page
        self.paginate = paginate
        self.asked: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.delay = 0.0
        self.fail_on: int | None = None

    @property
    def total_pages(self) -> int:
        return max(1, -(-len(self.items) // self.per_page))

    async def __call__(self, number: int) -> Page[str]:
        self.asked.append(number)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if number == self.fail_on:
                raise vapay.InternalServerError("boom", status=503)
            start = (number - 1) * self.per_page
            items = self.items[start : start + self.per_page]
            pagination = (
                block(number, self.total_pages, total=len(self.items), per_page=self.per_page)
                if self.paginate
                else None
            )
            return Page(items=items, pagination=pagination, number=number)
        finally:
            self.in_flight -= 1


async def drain(pager: AsyncPager[str], *, into: list[str]) -> None:
    """Iterate *pager* into *into*, keeping what came before an error."""
    async for item in pager:
        into.append(item)  # noqa: PERF401 - the items before the error are the point


async def test_walks_every_page_in_order() -> None:
    """Items of every page come out in order, each page asked once."""
    listing = Listing(7)

    items = await AsyncPager(listing).collect()

    assert items == listing.items
    assert listing.asked == [1, 2, 3, 4]


async def test_each_loop_walks_afresh() -> None:
    """A pager can be iterated twice; each walk starts at the start page."""
    listing = Listing(3)
    pager = AsyncPager(listing)

    first = [i async for i in pager]
    second = [i async for i in pager]

    assert first == second == listing.items


async def test_page_resumes_from_a_later_page() -> None:
    """page=3 starts the walk at page 3."""
    listing = Listing(7)

    items = await AsyncPager(listing, page=3).collect()

    assert items == listing.items[4:]
    assert listing.asked == [3, 4]


async def test_pages_yields_page_objects() -> None:
    """pages() yields Page objects with their blocks."""
    listing = Listing(5)

    pages = [p async for p in AsyncPager(listing).pages()]

    assert [p.pagination.current_page for p in pages if p.pagination] == [1, 2, 3]
    assert repr(pages[0]) == "<Page 1/3 items=2>"


async def test_a_page_other_than_the_one_asked_is_an_error() -> None:
    """A server that ignores `page` but says so in its block cannot loop the pager."""

    async def always_page_one(number: int) -> Page[str]:
        return Page(items=["a"], pagination=block(1, 5), number=number)

    with pytest.raises(vapay.APIResponseValidationError, match="asked for page 2"):
        await AsyncPager(always_page_one).collect()


async def test_without_a_block_the_walk_ends_at_an_empty_page() -> None:
    """With no pagination block, pages are walked until one is empty."""
    listing = Listing(5, paginate=False)

    items = await AsyncPager(listing).collect()

    assert items == listing.items
    assert listing.asked == [1, 2, 3, 4]


async def test_without_a_block_a_repeated_page_ends_the_walk() -> None:
    """A server that ignores `page` entirely yields its one page once."""
    asked: list[int] = []

    async def ignores_page(number: int) -> Page[str]:
        asked.append(number)
        return Page(items=["a", "b"], pagination=None, number=number)

    items = await AsyncPager(ignores_page).collect()

    assert items == ["a", "b"]
    assert asked == [1, 2]


async def test_an_empty_first_page_yields_nothing() -> None:
    """An empty listing is one request and no items."""
    listing = Listing(0)

    assert await AsyncPager(listing).collect() == []
    assert listing.asked == [1]


async def test_resume_page_points_at_the_page_that_failed() -> None:
    """After an error on page 3, resume_page is 3 and page=3 carries on."""
    listing = Listing(8)
    listing.fail_on = 3
    pager = AsyncPager(listing)
    seen: list[str] = []

    with pytest.raises(vapay.InternalServerError):
        await drain(pager, into=seen)
    listing.fail_on = None
    rest = await AsyncPager(listing, page=pager.resume_page or 1).collect()

    assert pager.resume_page == 3
    assert seen + rest == listing.items


async def test_resume_page_is_none_after_a_full_walk() -> None:
    """A finished walk has nothing to resume."""
    pager = AsyncPager(Listing(3))

    await pager.collect()

    assert pager.resume_page is None


async def test_a_changed_total_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """When the total changes mid-walk the walk goes on and says so."""

    async def growing(number: int) -> Page[str]:
        pagination = block(number, 2, total=number + 2)
        return Page(items=[str(number)], pagination=pagination, number=number)

    with caplog.at_level(logging.WARNING, logger="vapay"):
        items = await AsyncPager(growing).collect()

    assert items == ["1", "2"]
    assert "the listing changed while it was walked" in caplog.text


async def test_a_changed_page_size_is_an_error() -> None:
    """Page boundaries that move mid-walk could skip items: that is an error."""

    async def resized(number: int) -> Page[str]:
        return Page(items=["x"], pagination=block(number, 3, per_page=number), number=number)

    with pytest.raises(vapay.APIResponseValidationError, match="items per page"):
        await AsyncPager(resized).collect()


async def iterate(pager: AsyncPager[str]) -> list[str]:
    return [item async for item in pager]


async def collect(pager: AsyncPager[str]) -> list[str]:
    return await pager.collect()


@pytest.mark.parametrize("consume", [iterate, collect], ids=["async-for", "collect"])
async def test_dedupe_drops_items_already_seen(
    consume: Callable[[AsyncPager[str]], Awaitable[list[str]]],
) -> None:
    """dedupe=True yields each key once, first occurrence kept, however it is consumed."""

    async def shifted(number: int) -> Page[str]:
        pages = {1: ["a", "b"], 2: ["b", "c"], 3: ["c", "d"]}
        return Page(items=pages[number], pagination=block(number, 3), number=number)

    items = await consume(AsyncPager(shifted, dedupe=True, key=str))

    assert items == ["a", "b", "c", "d"]


@pytest.mark.parametrize("consume", [iterate, collect], ids=["async-for", "collect"])
async def test_failed_walk_resumes_at_the_failed_page(
    consume: Callable[[AsyncPager[str]], Awaitable[list[str]]],
) -> None:
    """After page 3 fails, `resume_page` is 3, whether items or a list were asked for."""
    listing = Listing(10)
    listing.fail_on = 3
    pager = AsyncPager(listing)

    with pytest.raises(vapay.InternalServerError):
        await consume(pager)

    assert pager.resume_page == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"page": 0}, "page"),
        ({"page": "2"}, "page"),
        ({"page": True}, "page"),
        ({"concurrency": 0}, "concurrency"),
    ],
    ids=["page-0", "page-str", "page-bool", "concurrency-0"],
)
def test_bad_arguments_are_value_errors(kwargs: dict[str, object], match: str) -> None:
    """Bad pager arguments fail at once with a ValueError naming them."""
    with pytest.raises(ValueError, match=match):
        AsyncPager(Listing(1), **kwargs)  # type: ignore[arg-type]


async def test_concurrency_keeps_order_and_the_exact_item_set() -> None:
    """With pages in flight, items still come out in page order, each once."""
    listing = Listing(101, per_page=3)
    listing.delay = 0.001

    items = await AsyncPager(listing, concurrency=8).collect()

    assert items == listing.items
    assert sorted(listing.asked) == list(range(1, listing.total_pages + 1))


async def test_concurrency_bounds_the_requests_in_flight() -> None:
    """No more than `concurrency` page requests run at once."""
    listing = Listing(60, per_page=2)
    listing.delay = 0.002

    await AsyncPager(listing, concurrency=5).collect()

    assert listing.most_in_flight == 5


@pytest.mark.parametrize("buffer", [0, 3])
async def test_concurrency_holds_at_most_the_pages_in_flight_and_the_buffer(buffer: int) -> None:
    """Pages fetched ahead of the consumer never exceed `concurrency + buffer`."""
    listing = Listing(40, per_page=2)
    pager = AsyncPager(listing, concurrency=4, buffer=buffer)
    ahead: list[int] = []

    async for page in pager.pages():
        await asyncio.sleep(0.005)  # a slow consumer: let prefetch run as far as it may
        ahead.append(len(listing.asked) - page.number)

    # The one listing is always the one being consumed: it may keep `concurrency`
    # pages in flight even when the buffer is full.
    assert max(ahead) <= 2 * 4 + buffer
    assert max(ahead) >= 4 + buffer


def pending_tasks() -> set[asyncio.Task[object]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


async def settle(predicate: Callable[[], bool]) -> None:
    for _ in range(50):
        if predicate():
            return
        await asyncio.sleep(0)


async def test_break_cancels_every_outstanding_request() -> None:
    """Leaving the loop early leaves no page request running."""
    listing = Listing(100, per_page=2)
    listing.delay = 0.01
    pager = AsyncPager(listing, concurrency=8)

    async for item in pager:
        if item == "id-3":
            break
    await settle(lambda: not pending_tasks())

    assert pending_tasks() == set()
    assert listing.in_flight == 0


async def test_an_error_cancels_the_other_requests() -> None:
    """A failing page raises in order and the pages after it are cancelled."""
    listing = Listing(100, per_page=2)
    listing.delay = 0.005
    listing.fail_on = 4
    seen: list[str] = []

    with pytest.raises(vapay.InternalServerError):
        await drain(AsyncPager(listing, concurrency=8), into=seen)

    assert seen == listing.items[:6]
    assert pending_tasks() == set()
    assert listing.in_flight == 0


async def test_cancelling_the_consumer_reaps_every_request() -> None:
    """Cancelling the task that walks the listing leaves nothing behind."""
    listing = Listing(100, per_page=2)
    listing.delay = 0.05

    task = asyncio.ensure_future(AsyncPager(listing, concurrency=8).collect())
    await asyncio.sleep(0.07)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert pending_tasks() == set()
    assert listing.in_flight == 0


async def test_without_a_block_a_server_ignoring_page_stops_even_if_fields_change() -> None:
    """The same ids again (even with other field values) end the walk: no endless loop."""
    asked: list[int] = []

    async def ignores_page(number: int) -> Page[tuple[str, int]]:
        asked.append(number)
        # (id, a counter that changes on every request), keyed by the id
        return Page(items=[("a", number), ("b", number)], pagination=None, number=number)

    items = await AsyncPager(ignores_page, key=lambda item: item[0]).collect()

    assert items == [("a", 1), ("b", 1)]
    assert asked == [1, 2]


async def test_without_a_block_alternating_pages_stop_once_nothing_is_new() -> None:
    """A server cycling A, B, A, B ... is walked A, B and then stops."""

    async def cycles(number: int) -> Page[str]:
        items = ["a1", "a2"] if number % 2 else ["b1", "b2"]
        return Page(items=items, pagination=None, number=number)

    assert await AsyncPager(cycles).collect() == ["a1", "a2", "b1", "b2"]


async def test_resume_page_after_a_break_on_a_pages_last_item_is_the_next_page() -> None:
    """Leaving the loop after a page's last item resumes at the page after it."""
    listing = Listing(6)
    pager = AsyncPager(listing)

    async for item in pager:
        if item == "id-1":  # the last item of page 1
            break

    assert pager.resume_page == 2


async def test_closing_the_item_iterator_cancels_requests_at_once() -> None:
    """aclose() on the iterator reaps the prefetch before it returns, not at GC time."""
    listing = Listing(100, per_page=2)
    listing.delay = 0.01
    items = aiter(AsyncPager(listing, concurrency=8))

    await anext(items)
    await items.aclose()

    assert pending_tasks() == set()
    assert listing.in_flight == 0


async def test_a_changed_total_is_warned_about_once_per_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pages 2 to 4 all showing the same new total give one warning, not three."""

    async def grown_once(number: int) -> Page[str]:
        pagination = block(number, 4, total=8 if number == 1 else 7)
        return Page(items=[str(number)], pagination=pagination, number=number)

    with caplog.at_level(logging.WARNING, logger="vapay"):
        await AsyncPager(grown_once).collect()

    assert caplog.text.count("the listing changed while it was walked") == 1
