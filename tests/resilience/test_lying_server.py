"""A server whose pagination blocks contradict its pages: a typed error naming the page and
the listing, or the exact result; never a silently short walk, never an endless one.

A small aiohttp app on 127.0.0.1 serves accounts, one account's virtual accounts and its
payments from a script: page number -> (items, block). Every listing is walked every way
(`async for`, `collect()`, `pages()`, `list_many`) at concurrency 1 and 16, and the pages
the server answered are recorded: a walk that ends without an error has yielded every
item of every page it was served up to its end, and said so when it left any out.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import vapay

PER_PAGE = 2
ACCOUNT = "acct-1"
# A wide pool, so that 16 requests in flight never wait on a connection.
CONCURRENCIES = [1, 16]


@attrs.frozen
class Served:
    """One page as the script serves it: its item numbers and its block."""

    items: range
    block: dict[str, object] | None


Script = Callable[[int], Served]


def honest(total: int) -> Script:
    """The listing of *total* items as an honest server pages it."""
    pages = max(1, -(-total // PER_PAGE))

    def page(number: int) -> Served:
        start = (number - 1) * PER_PAGE
        return Served(range(start, min(total, start + PER_PAGE)), block(number, pages, total))

    return page


def block(current: int, total_pages: int, total: int) -> dict[str, object]:
    return {
        "currentPage": current,
        "totalPages": total_pages,
        "total": total,
        "perPage": PER_PAGE,
        "count": PER_PAGE,
    }


def empty_page_before_the_end(number: int) -> Served:
    """Page 3 of 5 is empty; its block still says 5 pages and 10 items."""
    served = honest(10)(number)
    return attrs.evolve(served, items=range(0)) if number == 3 else served


def too_few_pages(number: int) -> Served:
    """Every block says 1 page, but also 6 items at 2 a page; pages 2 and 3 hold them."""
    served = honest(6)(number)
    return attrs.evolve(served, block=block(number, 1, 6))


def echoes_the_page_number(number: int) -> Served:
    """Every page number answers the first page's items (totalPages 10**12)."""
    return Served(range(2), block(number, 10**12, 2 * 10**12))


def grows(number: int) -> Served:
    """From page 2 on, the listing has one more page: the walk follows it."""
    return honest(6 if number == 1 else 8)(number)


def shrinks(number: int) -> Served:
    """From page 3 on, the listing has 3 pages instead of 5: the walk stops there."""
    return honest(10 if number < 3 else 6)(number)


class LyingServer:
    """The app: accounts, VAs and payments of ACCOUNT from *script*; records what it served."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.served: dict[int, Served] = {}

    def page(self, request: web.Request) -> Served:
        number = int(request.query.get("page", "1"))
        served = self.served[number] = self.script(number)
        return served

    def envelope(self, served: Served, item: Callable[[int], dict[str, Any]]) -> web.Response:
        data = [item(n) for n in served.items]
        body: dict[str, object] = {"status": 200, "success": True, "data": data}
        if served.block is not None:
            body["pagination"] = served.block
        return web.json_response(body)

    async def accounts(self, request: web.Request) -> web.Response:
        return self.envelope(self.page(request), lambda n: {"id": f"a{n}", "name": "x"})

    async def virtual_accounts(self, request: web.Request) -> web.Response:
        return self.envelope(
            self.page(request),
            lambda n: {
                "id": f"va{n}",
                "number": f"99{n}",
                "amount": {"value": "10.00", "currency": "IDR"},
                "status": "active",
            },
        )

    async def payments(self, request: web.Request) -> web.Response:
        return self.envelope(
            self.page(request),
            lambda n: {"transaction_id": f"tx{n}", "status": "paid", "amount": {"value": 1}},
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1.0/accounts", self.route("accounts"))
        app.router.add_get("/api/v1.0/virtual-accounts/{account}", self.route("virtual_accounts"))
        app.router.add_get("/api/v1.0/va-transactions/{account}", self.route("payments"))
        return app

    def route(self, name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        """The handler named *name*, looked up per request (a test may replace it)."""

        async def handle(request: web.Request) -> web.Response:
            response: web.Response = await getattr(self, name)(request)
            return response

        return handle

    def items_served(self, *, up_to: int) -> list[int]:
        """Item numbers of every page served, pages 1..*up_to*, in order."""
        return [n for number in range(1, up_to + 1) for n in self.served[number].items]


Walker = Callable[[vapay.Client, int, bool], Awaitable[list[str]]]


async def accounts_async_for(client: vapay.Client, concurrency: int, dedupe: bool) -> list[str]:
    return [a.id async for a in client.accounts.list(concurrency=concurrency, dedupe=dedupe)]


async def accounts_collect(client: vapay.Client, concurrency: int, dedupe: bool) -> list[str]:
    pager = client.accounts.list(concurrency=concurrency, dedupe=dedupe)
    return [a.id for a in await pager.collect()]


async def accounts_pages(client: vapay.Client, concurrency: int, dedupe: bool) -> list[str]:
    pager = client.accounts.list(concurrency=concurrency, dedupe=dedupe)
    return [a.id async for page in pager.pages() for a in page.items]


async def virtual_accounts_many(client: vapay.Client, concurrency: int, dedupe: bool) -> list[str]:
    stream = client.virtual_accounts.list_many([ACCOUNT], concurrency=concurrency, dedupe=dedupe)
    return [va.id async for va in stream]


async def payments_many(client: vapay.Client, concurrency: int, dedupe: bool) -> list[str]:
    stream = client.va_transactions.list_many([ACCOUNT], concurrency=concurrency, dedupe=dedupe)
    return [tx.transaction_id async for tx in stream]


WALKERS: dict[str, tuple[Walker, str, str]] = {
    # walker, the listing's name in messages, the items' id prefix
    "list-async-for": (accounts_async_for, "GET /api/v1.0/accounts", "a"),
    "list-collect": (accounts_collect, "GET /api/v1.0/accounts", "a"),
    "list-pages": (accounts_pages, "GET /api/v1.0/accounts", "a"),
    "va-list-many": (virtual_accounts_many, f"GET /api/v1.0/virtual-accounts/{ACCOUNT}", "va"),
    "payments-list-many": (payments_many, f"GET /api/v1.0/va-transactions/{ACCOUNT}", "tx"),
}


@pytest.fixture(name="serve")
async def _serve() -> AsyncIterator[
    Callable[[Script], Awaitable[tuple[LyingServer, vapay.Client]]]
]:
    servers: list[TestServer] = []
    clients: list[vapay.Client] = []

    async def serve(script: Script) -> tuple[LyingServer, vapay.Client]:
        lying = LyingServer(script)
        server = TestServer(lying.app(), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        client = vapay.Client(
            api_key="k", token="t", base_url=f"http://127.0.0.1:{server.port}", max_retries=0
        )
        clients.append(client)
        return lying, client

    yield serve
    for client in clients:
        await client.close()
    for server in servers:
        await server.close()


Serve = Callable[[Script], Awaitable[tuple[LyingServer, vapay.Client]]]


def walks() -> list[Any]:
    return [
        pytest.param(walker, concurrency, id=f"{name}-c{concurrency}")
        for name, walker in WALKERS.items()
        for concurrency in CONCURRENCIES
    ]


@pytest.mark.parametrize(("walker", "concurrency"), walks())
@pytest.mark.parametrize(
    ("script", "page_named"),
    [(empty_page_before_the_end, "page 3 is empty"), (too_few_pages, "page 1 says there are 1")],
    ids=["empty-page-before-the-end", "total-pages-below-total"],
)
async def test_a_page_contradicting_its_block_is_an_error_naming_page_and_listing(
    serve: Serve,
    walker: tuple[Walker, str, str],
    concurrency: int,
    script: Script,
    page_named: str,
) -> None:
    """An empty page before the announced end, or too few pages for the total: an error."""
    walk, listing, _ = walker
    _, client = await serve(script)

    with pytest.raises(vapay.APIResponseValidationError) as caught:
        await walk(client, concurrency, False)

    assert page_named in str(caught.value)
    assert listing in str(caught.value)


@pytest.mark.parametrize(("walker", "concurrency"), walks())
@pytest.mark.parametrize("dedupe", [False, True], ids=["plain", "dedupe"])
async def test_a_page_repeating_the_previous_one_is_an_error_naming_both(
    serve: Serve, walker: tuple[Walker, str, str], concurrency: int, dedupe: bool
) -> None:
    """A server echoing `page` but serving the same items ends in an error, not a loop."""
    walk, listing, _ = walker
    lying, client = await serve(echoes_the_page_number)

    with pytest.raises(vapay.APIResponseValidationError) as caught:
        await walk(client, concurrency, dedupe)

    assert "page 2 repeats the items of page 1" in str(caught.value)
    assert listing in str(caught.value)
    assert len(lying.served) <= 2 + concurrency


@pytest.mark.parametrize(("walker", "concurrency"), walks())
async def test_a_listing_that_grows_is_followed_to_its_new_end(
    serve: Serve, walker: tuple[Walker, str, str], concurrency: int
) -> None:
    """A total that grows between pages: every item of the larger listing, in order."""
    walk, _, prefix = walker
    lying, client = await serve(grows)

    ids = await walk(client, concurrency, False)

    assert ids == [f"{prefix}{n}" for n in range(8)]
    assert ids == [f"{prefix}{n}" for n in lying.items_served(up_to=4)]


@pytest.mark.parametrize(("walker", "concurrency"), walks())
async def test_a_listing_that_shrinks_stops_at_its_new_end_and_says_so(
    serve: Serve,
    walker: tuple[Walker, str, str],
    concurrency: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A total that shrinks between pages: the walk ends there, with one warning."""
    walk, _, prefix = walker
    lying, client = await serve(shrinks)

    with caplog.at_level(logging.WARNING, logger="vapay"):
        ids = await walk(client, concurrency, False)

    assert ids == [f"{prefix}{n}" for n in lying.items_served(up_to=3)]
    assert caplog.text.count("the listing changed while it was walked") == 1


@pytest.mark.parametrize(("walker", "concurrency"), walks())
async def test_an_honest_listing_yields_every_item_served(
    serve: Serve, walker: tuple[Walker, str, str], concurrency: int
) -> None:
    """The control: the same server telling the truth gives every item, each once."""
    walk, _, prefix = walker
    lying, client = await serve(honest(11))

    ids = await walk(client, concurrency, False)

    assert ids == [f"{prefix}{n}" for n in range(11)]
    assert sorted(lying.served) == [1, 2, 3, 4, 5, 6]


async def test_pages_fetched_after_a_lying_page_are_not_dropped_without_an_error(
    serve: Serve,
) -> None:
    """At concurrency 4, pages 4 and 5 are fetched after page 3 lies: the walk raises."""
    lying, client = await serve(empty_page_before_the_end)
    seen: list[str] = []

    async def drain() -> None:
        async for account in client.accounts.list(concurrency=4):
            seen.append(account.id)  # noqa: PERF401 - what came before the error is the point

    with pytest.raises(vapay.APIResponseValidationError, match="page 3 is empty"):
        await drain()

    assert seen == ["a0", "a1", "a2", "a3"]
    assert set(lying.served) == {1, 2, 3, 4, 5}


def gains_an_item_at_the_front(number: int) -> Served:
    """After page 1, a new item (number 100) is listed first: item 1 moves to page 2."""
    if number == 1:
        return honest(6)(1)
    shifted = [100, *range(6)]
    start = (number - 1) * PER_PAGE
    return Served(shifted[start : start + PER_PAGE], block(number, 4, 7))  # type: ignore[arg-type]


MANY = {name: WALKERS[name] for name in ("va-list-many", "payments-list-many")}


@pytest.mark.parametrize("concurrency", CONCURRENCIES)
@pytest.mark.parametrize("walker", MANY.values(), ids=MANY.keys())
@pytest.mark.parametrize(
    ("dedupe", "expected"),
    [(True, [0, 1, 2, 3, 4, 5]), (False, [0, 1, 1, 2, 3, 4, 5])],
    ids=["dedupe", "plain"],
)
async def test_list_many_dedupe_drops_an_item_that_moved_to_the_next_page(
    serve: Serve,
    walker: tuple[Walker, str, str],
    concurrency: int,
    dedupe: bool,
    expected: list[int],
) -> None:
    """A listing that grows while walked: dedupe=True yields each item once, by its id."""
    walk, _, prefix = walker
    _, client = await serve(gains_an_item_at_the_front)

    ids = await walk(client, concurrency, dedupe)

    assert ids == [f"{prefix}{n}" for n in expected]


async def test_payments_without_page_numbers_stop_when_the_same_payments_come_back(
    serve: Serve,
) -> None:
    """No block, every page the same payments with a changed field: keyed by transaction_id."""
    asked: list[int] = []

    async def payments(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        asked.append(number)
        status = "paid" if number % 2 else "unpaid"  # the same payments, changing
        data = [
            {"transaction_id": f"tx{n}", "status": status, "amount": {"value": 1}} for n in range(2)
        ]
        return web.json_response({"status": 200, "success": True, "data": data})

    lying, client = await serve(honest(0))
    lying.payments = payments  # type: ignore[method-assign]
    stream = client.va_transactions.list_many([ACCOUNT], concurrency=4)

    ids = [tx.transaction_id async for tx in stream]

    assert ids == ["tx0", "tx1"]
    assert asked == [1, 2]
