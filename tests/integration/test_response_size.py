"""The transport reads a body only up to its limit, over a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import vapay
from vapay._transport import AiohttpTransport, Request

LIMIT = 1000


async def _declared(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * int(request.query["size"]))


async def _chunked(request: web.Request) -> web.StreamResponse:
    # No Content-Length: the size is only known by reading.
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(int(request.query["size"]) // 100):
        await response.write(b"y" * 100)
    await response.write_eof()
    return response


@pytest.fixture(name="server")
async def _server() -> AsyncIterator[URL]:
    app = web.Application()
    app.router.add_get("/declared", _declared)
    app.router.add_get("/chunked", _chunked)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield URL(f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


@pytest.fixture(name="transport")
async def _transport() -> AsyncIterator[AiohttpTransport]:
    async with aiohttp.ClientSession() as session:
        yield AiohttpTransport(lambda: session, max_body=LIMIT)


@pytest.mark.parametrize("path", ["/declared", "/chunked"])
async def test_body_at_the_limit_is_read_whole(
    server: URL, transport: AiohttpTransport, path: str
) -> None:
    """A body of exactly the limit comes back whole, declared or chunked."""
    response = await transport(
        Request(method="GET", url=server / path.lstrip("/"), params={"size": str(LIMIT)})
    )

    assert len(response.body) == LIMIT


@pytest.mark.parametrize(
    ("path", "declared"),
    [("/declared", " (1100 declared)"), ("/chunked", "")],
    ids=["declared", "chunked"],
)
async def test_body_past_the_limit_is_a_validation_error(
    server: URL, transport: AiohttpTransport, path: str, declared: str
) -> None:
    """A body past the limit is refused, saying so, instead of being read whole."""
    request = Request(method="GET", url=server / path.lstrip("/"), params={"size": "1100"})

    with pytest.raises(vapay.APIResponseValidationError) as info:
        await transport(request)

    assert (
        info.value.message
        == f"GET {path}: the response body is larger than {LIMIT} bytes{declared}"
    )
    assert info.value.status == 200
    assert len(info.value.body) <= 203


async def test_session_serves_the_next_request_after_a_refused_body(
    server: URL, transport: AiohttpTransport
) -> None:
    """The cut connection is dropped, not pooled: the next request gets a clean answer."""
    with pytest.raises(vapay.APIResponseValidationError):
        await transport(Request(method="GET", url=server / "chunked", params={"size": "5000"}))

    response = await transport(
        Request(method="GET", url=server / "declared", params={"size": "10"})
    )

    assert response.body == b"x" * 10
