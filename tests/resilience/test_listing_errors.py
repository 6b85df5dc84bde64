"""Listings from a server that paginates wrongly: a typed error naming the request, or a
clean stop; never a loop, never an item twice.

A small aiohttp app on 127.0.0.1 serves `GET /api/v1.0/accounts` in the chosen way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import vapay

Page = Callable[[int], dict[str, object]]


def accounts(page: int, per_page: int = 2) -> list[dict[str, object]]:
    first = (page - 1) * per_page
    return [{"id": str(1000 + n), "name": f"Account {n}"} for n in range(first, first + per_page)]


def envelope(data: object, **extra: object) -> dict[str, object]:
    return {"status": 200, "success": True, "data": data, **extra}


def block(current: int, total_pages: int, per_page: int = 2) -> dict[str, object]:
    return {"currentPage": current, "totalPages": total_pages, "perPage": per_page}


@pytest.fixture(name="serve")
async def _serve() -> AsyncIterator[Callable[[Page], Awaitable[vapay.Client]]]:
    servers: list[TestServer] = []
    clients: list[vapay.Client] = []

    async def serve(page: Page) -> vapay.Client:
        async def handle(request: web.Request) -> web.Response:
            return web.json_response(page(int(request.query.get("page", "1"))))

        app = web.Application()
        app.router.add_get("/api/v1.0/accounts", handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        client = vapay.Client(
            api_key="k", token="t", base_url=f"http://127.0.0.1:{server.port}", max_retries=0
        )
        clients.append(client)
        return client

    yield serve
    for client in clients:
        await client.close()
    for server in servers:
        await server.close()


async def test_a_page_that_is_not_the_one_asked_for_is_an_error_naming_the_request(
    serve: Callable[[Page], Awaitable[vapay.Client]],
) -> None:
    """A server that answers page 1 to every page: a validation error naming the listing."""
    client = await serve(lambda _: envelope(accounts(1), pagination=block(1, 3)))

    with pytest.raises(vapay.APIResponseValidationError) as caught:
        await client.accounts.list().collect()

    assert "asked for page 2" in str(caught.value)
    assert "GET /api/v1.0/accounts" in str(caught.value)


async def test_a_page_that_is_not_the_one_asked_for_stops_the_walk(
    serve: Callable[[Page], Awaitable[vapay.Client]],
) -> None:
    """A server that answers page 1 to every page: APIResponseValidationError, no loop."""
    client = await serve(lambda _: envelope(accounts(1), pagination=block(1, 3)))

    with pytest.raises(vapay.APIResponseValidationError, match="asked for page 2"):
        await client.accounts.list().collect()


@pytest.mark.parametrize("concurrency", [1, 4], ids=["sequential", "concurrent"])
async def test_a_server_ignoring_page_without_a_block_yields_each_item_once(
    serve: Callable[[Page], Awaitable[vapay.Client]], concurrency: int
) -> None:
    """No block and the same items for every page: one page's items, then a clean stop."""
    client = await serve(lambda _: envelope(accounts(1)))

    items = await client.accounts.list(concurrency=concurrency).collect()

    assert [a.id for a in items] == ["1000", "1001"]


@pytest.mark.parametrize(
    "empty_block", [{}, [], None], ids=["empty-object", "empty-list", "no-block"]
)
async def test_a_listing_without_page_numbers_is_walked_until_an_empty_page(
    serve: Callable[[Page], Awaitable[vapay.Client]], empty_block: object
) -> None:
    """Without usable page numbers: every page until the first empty one, in order."""

    def page(number: int) -> dict[str, object]:
        data = accounts(number) if number <= 3 else []
        return envelope(data) if empty_block is None else envelope(data, pagination=empty_block)

    client = await serve(page)

    items = await client.accounts.list().collect()

    assert [a.id for a in items] == [str(1000 + n) for n in range(6)]


async def test_a_page_size_that_changes_mid_walk_is_an_error(
    serve: Callable[[Page], Awaitable[vapay.Client]],
) -> None:
    """Page 2 with another per_page than page 1 could skip or repeat items: an error."""

    def page(number: int) -> dict[str, object]:
        per_page = 2 if number == 1 else 3
        return envelope(accounts(number, per_page), pagination=block(number, 3, per_page))

    client = await serve(page)

    with pytest.raises(vapay.APIResponseValidationError, match="per page"):
        await client.accounts.list().collect()
