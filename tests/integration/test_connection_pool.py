"""The connection pool follows the concurrency a listing asks for; a borrowed one is warned about.

A small aiohttp app on 127.0.0.1 answers every account's one-page listing of
virtual accounts after a short wait and counts the requests it holds at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import vapay

ACCOUNTS = [f"acct-{n}" for n in range(12)]


class CountingServer:
    """Holds each request a moment; records the most it held at once."""

    def __init__(self) -> None:
        self.holding = 0
        self.most = 0

    async def virtual_accounts(self, request: web.Request) -> web.Response:
        self.holding += 1
        self.most = max(self.most, self.holding)
        try:
            await asyncio.sleep(0.05)
        finally:
            self.holding -= 1
        account = request.match_info["account"]
        item = {"id": account, "number": "1", "amount": {"value": "1.00"}, "status": "active"}
        block = {"currentPage": 1, "totalPages": 1, "total": 1, "perPage": 25}
        return web.json_response(
            {"status": 200, "success": True, "data": [item], "pagination": block}
        )


@pytest.fixture(name="server")
async def _server() -> AsyncIterator[tuple[CountingServer, str]]:
    counting = CountingServer()
    app = web.Application()
    app.router.add_get("/api/v1.0/virtual-accounts/{account}", counting.virtual_accounts)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield counting, f"http://127.0.0.1:{server.port}"
    await server.close()


async def walk(client: vapay.Client, concurrency: int) -> list[str]:
    stream = client.virtual_accounts.list_many(ACCOUNTS, concurrency=concurrency)
    return [va.id async for va in stream]


@pytest.mark.parametrize("opened_first", [False, True], ids=["unopened", "already-open"])
async def test_a_listing_above_the_connection_limit_raises_the_client_s_own_limit(
    server: tuple[CountingServer, str], opened_first: bool
) -> None:
    """connection_limit=2 and concurrency=8: 8 requests in flight, not 2."""
    counting, url = server
    async with vapay.Client(
        api_key="k", token="t", base_url=url, connection_limit=2, max_retries=0
    ) as client:
        if opened_first:  # the pool exists already, at 2 connections
            await walk(client, 1)
            counting.most = 0

        ids = await walk(client, 8)

    assert ids == ACCOUNTS
    assert counting.most == 8


async def test_a_borrowed_session_s_smaller_pool_is_warned_about_once(
    server: tuple[CountingServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    """A session passed by the caller keeps its limit, and the shortfall is said once."""
    counting, url = server
    connector = aiohttp.TCPConnector(limit=2)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        vapay.Client(api_key="k", token="t", base_url=url, session=session) as client,
    ):
        with caplog.at_level(logging.WARNING, logger="vapay"):
            await walk(client, 8)
            await walk(client, 8)

    assert counting.most == 2
    assert caplog.text.count("concurrency=8 asks for more requests in flight") == 1


async def test_a_listing_within_the_limit_leaves_it_alone(
    server: tuple[CountingServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    """concurrency at or under the limit: no warning, at most that many in flight."""
    counting, url = server
    async with vapay.Client(
        api_key="k", token="t", base_url=url, connection_limit=4, max_retries=0
    ) as client:
        with caplog.at_level(logging.WARNING, logger="vapay"):
            await walk(client, 3)

    assert counting.most == 3
    assert caplog.text == ""
