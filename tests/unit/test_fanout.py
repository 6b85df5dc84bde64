"""fan_out: many listings at once, in key order, within one bound, cleaned up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import vapay
from vapay._fanout import fan_out
from vapay._models import Page, Pagination
from vapay._pagination import PageSource


class Listings:
    """Fake listings: key "k" has `sizes[k]` items, `per_page` a page."""

    def __init__(self, sizes: dict[str, int], *, per_page: int = 2, paginate: bool = True):
        self.sizes = sizes
        self.per_page = per_page
        self.paginate = paginate
        self.delay = 0.001
        self.in_flight = 0
        self.most_in_flight = 0
        self.fetched = 0
        self.consumed_pages = 0
        self.most_held = 0
        self.fail: tuple[str, int] | None = None

    def expected(self) -> list[str]:
        return [f"{k}:{i}" for k, n in self.sizes.items() for i in range(n)]

    def __call__(self, key: str) -> PageSource[str]:
        if key == "bad":
            raise ValueError("account_id must not be empty")

        async def fetch(number: int) -> Page[str]:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.delay)
                if self.fail == (key, number):
                    raise vapay.InternalServerError("boom", status=500)
            finally:
                self.in_flight -= 1
            self.fetched += 1
            self.most_held = max(self.most_held, self.fetched - self.consumed_pages)
            size = self.sizes[key]
            total_pages = max(1, -(-size // self.per_page))
            start = (number - 1) * self.per_page
            items = [f"{key}:{i}" for i in range(start, min(size, start + self.per_page))]
            block = Pagination(current_page=number, total_pages=total_pages, total=size)
            return Page(items=items, pagination=block if self.paginate else None, number=number)

        return PageSource(fetch, f"GET /{key}")


async def consume(
    listings: Listings, items: AsyncIterator[str], *, pause: float = 0.0
) -> list[str]:
    """Drain *items*, telling *listings* when each page starts being consumed."""
    out: list[str] = []
    last = None
    async for item in items:
        page_key = (item.split(":")[0], int(item.split(":")[1]) // listings.per_page)
        if page_key != last:
            listings.consumed_pages += 1
            last = page_key
        out.append(item)
        if pause:
            await asyncio.sleep(pause)
    return out


SIZES = {"a": 7, "b": 0, "c": 1, "d": 12, "e": 5, "f": 2}


@pytest.mark.parametrize("concurrency", [1, 2, 5, 16])
async def test_items_come_grouped_by_key_in_the_order_given(concurrency: int) -> None:
    """The sequence equals a plain loop over the keys, whatever the concurrency."""
    listings = Listings(SIZES)

    items = await consume(listings, fan_out(list(SIZES), listings, concurrency=concurrency))

    assert items == listings.expected()


@pytest.mark.parametrize("concurrency", [1, 3, 8])
async def test_requests_in_flight_never_exceed_the_bound(concurrency: int) -> None:
    """At most `concurrency` page requests run at once, across every key."""
    listings = Listings({str(k): 9 for k in range(20)})

    await consume(listings, fan_out(list(listings.sizes), listings, concurrency=concurrency))

    assert listings.most_in_flight <= concurrency
    if concurrency > 1:
        assert listings.most_in_flight > 1


@pytest.mark.parametrize(("concurrency", "buffer"), [(1, 0), (4, 0), (4, 4), (3, 10)])
async def test_pages_held_stay_within_the_documented_bound(concurrency: int, buffer: int) -> None:
    """For a slow consumer, pages in flight or held stay within 2 x concurrency + buffer."""
    listings = Listings({str(k): 9 for k in range(30)})

    await consume(
        listings,
        fan_out(list(listings.sizes), listings, concurrency=concurrency, buffer=buffer),
        pause=0.001,
    )

    assert listings.most_held <= 2 * concurrency + buffer + 1  # + the page being consumed


async def test_requests_go_on_while_the_consumer_waits() -> None:
    """Pages are requested as requests complete, not as the consumer asks: the window fills."""
    listings = Listings({str(k): 9 for k in range(30)})
    items = fan_out(list(listings.sizes), listings, concurrency=4, buffer=6)

    await anext(items)
    for _ in range(100):
        await asyncio.sleep(0.002)
    await items.aclose()

    assert listings.fetched >= 4 + 6
    assert listings.most_in_flight == 4


async def test_a_listing_s_pages_are_requested_once_its_first_page_arrives() -> None:
    """With one key of many pages, page 1 tells the total and pages 2.. go out at once."""
    listings = Listings({"a": 40})
    items = fan_out(["a"], listings, concurrency=8, buffer=0)

    await anext(items)
    await asyncio.sleep(0.02)
    await items.aclose()

    assert listings.most_in_flight == 8


@pytest.mark.parametrize("buffer", [-1, "2", True], ids=["negative", "str", "bool"])
def test_a_bad_buffer_is_a_value_error(buffer: object) -> None:
    """buffer= must be an integer >= 0, checked when the listing is made."""
    with pytest.raises(ValueError, match="buffer"):
        fan_out(["a"], Listings({"a": 1}), concurrency=2, buffer=buffer)  # type: ignore[arg-type]


async def test_an_async_iterable_of_keys_is_accepted() -> None:
    """Keys may come from an async iterator, such as an accounts listing."""
    listings = Listings(SIZES)

    async def keys() -> AsyncIterator[str]:
        for key in SIZES:
            await asyncio.sleep(0)
            yield key

    items = await consume(listings, fan_out(keys(), listings, concurrency=4))

    assert items == listings.expected()


async def test_listings_without_page_numbers_are_walked_one_page_at_a_time() -> None:
    """Keys whose listing has no pagination block still give every item once."""
    listings = Listings(SIZES, paginate=False)

    items = await consume(listings, fan_out(list(SIZES), listings, concurrency=4))

    assert items == listings.expected()


async def test_a_bad_key_raises_in_its_turn() -> None:
    """A key that cannot be listed raises after the keys before it are yielded."""
    listings = Listings({"a": 3, "bad": 0, "c": 2})
    seen: list[str] = []

    async def drain() -> None:
        async for item in fan_out(["a", "bad", "c"], listings, concurrency=8):
            seen.append(item)  # noqa: PERF401 - what came before the error is the point

    with pytest.raises(ValueError, match="account_id"):
        await drain()

    assert seen == ["a:0", "a:1", "a:2"]


def pending() -> set[asyncio.Task[object]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


async def test_an_error_cancels_every_outstanding_request() -> None:
    """A failing page surfaces in order and nothing is left running."""
    listings = Listings({str(k): 9 for k in range(10)})
    listings.fail = ("3", 2)

    with pytest.raises(vapay.InternalServerError):
        await consume(listings, fan_out(list(listings.sizes), listings, concurrency=8))

    assert pending() == set()
    assert listings.in_flight == 0


async def test_break_cancels_every_outstanding_request() -> None:
    """Leaving the loop early leaves no page request running."""
    listings = Listings({str(k): 9 for k in range(10)})
    listings.delay = 0.01
    items = fan_out(list(listings.sizes), listings, concurrency=8)

    async for item in items:
        if item == "1:0":
            break
    await items.aclose()

    assert pending() == set()
    assert listings.in_flight == 0


async def test_cancelling_the_consumer_reaps_every_request() -> None:
    """Cancelling the consuming task leaves nothing behind."""
    listings = Listings({str(k): 9 for k in range(10)})
    listings.delay = 0.05
    task = asyncio.ensure_future(
        consume(listings, fan_out(list(listings.sizes), listings, concurrency=8))
    )
    await asyncio.sleep(0.08)
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert pending() == set()
    assert listings.in_flight == 0


async def test_a_slow_key_source_does_not_hold_back_pages_already_fetched() -> None:
    """Items of the first key come out while the second key is still on its way."""
    listings = Listings({"a": 2, "b": 2})
    listings.delay = 0
    second_key_sent = asyncio.Event()

    async def keys() -> AsyncIterator[str]:
        yield "a"
        await second_key_sent.wait()  # a listing page that takes long to arrive
        yield "b"

    items = fan_out(keys(), listings, concurrency=4)
    first = await asyncio.wait_for(anext(items), timeout=1)
    second_key_sent.set()
    rest = [item async for item in items]

    assert [first, *rest] == ["a:0", "a:1", "b:0", "b:1"]


async def test_an_error_from_the_key_source_comes_after_the_items_before_it() -> None:
    """A failing key source raises in its turn, as a plain loop over it would."""
    listings = Listings({"a": 3})
    seen: list[str] = []

    async def keys() -> AsyncIterator[str]:
        yield "a"
        raise vapay.APIConnectionError("the accounts listing broke")

    async def drain() -> None:
        async for item in fan_out(keys(), listings, concurrency=4):
            seen.append(item)  # noqa: PERF401 - what came before the error is the point

    with pytest.raises(vapay.APIConnectionError, match="accounts listing"):
        await drain()

    assert seen == ["a:0", "a:1", "a:2"]
    assert pending() == set()
