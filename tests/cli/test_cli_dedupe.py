"""`vapay virtual-accounts export --dedupe`: a listing that grows while walked, once per VA.

A small aiohttp app on 127.0.0.1 lists one account whose virtual accounts gain one at
the front after page 1 has been served, so the last VA of page 1 is served again on
page 2. The command runs in a worker thread (its own event loop), the app on the test's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from vapay.cli import main

PER_PAGE = 2


def envelope(data: object, **extra: object) -> web.Response:
    return web.json_response({"status": 200, "success": True, "data": data, **extra})


def block(page: int, total: int) -> dict[str, int]:
    pages = -(-total // PER_PAGE)
    return {"currentPage": page, "totalPages": pages, "total": total, "perPage": PER_PAGE}


def virtual_account(n: int) -> dict[str, object]:
    return {"id": f"va{n}", "number": f"88{n}", "amount": {"value": "5.00"}, "status": "active"}


async def token(_: web.Request) -> web.Response:
    return envelope({"access_token": "t", "token_type": "Bearer", "expires_in": 900})


async def accounts(_: web.Request) -> web.Response:
    return envelope([{"id": "acct-1", "name": "x"}], pagination=block(1, 1))


async def growing_virtual_accounts(request: web.Request) -> web.Response:
    page = int(request.query.get("page", "1"))
    # Page 1 is served before VA 100 is opened; every later page after.
    listing = list(range(6)) if page == 1 else [100, *range(6)]
    start = (page - 1) * PER_PAGE
    items = [virtual_account(n) for n in listing[start : start + PER_PAGE]]
    return envelope(items, pagination=block(page, len(listing)))


@pytest.fixture(name="server_url")
async def _server_url(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/api/v1.1/access-token/b2b", token)
    app.router.add_get("/api/v1.0/accounts", accounts)
    app.router.add_get("/api/v1.0/virtual-accounts/{account}", growing_virtual_accounts)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = f"http://127.0.0.1:{server.port}"
    for name, value in (
        ("VAPAY_API_KEY", "k"),
        ("VAPAY_CLIENT_ID", "c"),
        ("VAPAY_CLIENT_SECRET", "s"),
        ("VAPAY_BASE_URL", url),
    ):
        monkeypatch.setenv(name, value)
    yield url
    await server.close()


@pytest.mark.parametrize(
    ("flags", "ids"),
    [
        (["--dedupe"], ["va0", "va1", "va2", "va3", "va4", "va5"]),
        ([], ["va0", "va1", "va1", "va2", "va3", "va4", "va5"]),
    ],
    ids=["dedupe", "plain"],
)
@pytest.mark.usefixtures("server_url")
async def test_export_dedupe_exports_a_moved_virtual_account_once(
    tmp_path: Path, flags: list[str], ids: list[str]
) -> None:
    """With --dedupe a VA served on two pages is one row; without, the repeat shows."""
    output = tmp_path / "vas.jsonl"
    argv = ["virtual-accounts", "export", "-o", str(output), "--concurrency", "4", *flags]

    code = await asyncio.to_thread(main, argv)

    assert code == 0
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [row["id"] for row in rows] == ids
