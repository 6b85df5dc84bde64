"""An oversized token answer and a base_url with a password leak nothing (#13 items 9, 10)."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import vapay
from vapay._transport import MAX_RESPONSE_BYTES

ACCESS_TOKEN = "at_Q7m2Zx9Lk4Vb8Nc3Rt6Wy1Pd5"


async def _huge_token_answer(request: web.Request) -> web.StreamResponse:
    # Chunked, so the size is only found while reading: the first bytes are read
    # (and were quoted) before the limit is passed.
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    head = b'{"status":200,"success":true,"data":{"access_token":"' + ACCESS_TOKEN.encode()
    await response.write(head + b'","expires_in":"3600","pad":"')
    chunk = b"x" * (1024 * 1024)
    for _ in range(MAX_RESPONSE_BYTES // len(chunk) + 1):
        await response.write(chunk)
    await response.write(b'"}}')
    await response.write_eof()
    return response


@pytest.fixture(name="server")
async def _server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/api/v1.1/access-token/b2b", _huge_token_answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_oversized_token_answer_does_not_quote_the_token(server: str) -> None:
    """The size error of a token answer hides its body, like every token error."""
    async with vapay.Client(api_key="k", client_id="c", client_secret="s", base_url=server) as c:
        with pytest.raises(vapay.APIResponseValidationError) as caught:
            await c.accounts.get("1")

    error = caught.value
    shown = "".join(traceback.format_exception(error)) + repr(error.body) + repr(vars(error))
    assert "larger than" in error.message
    assert ACCESS_TOKEN[:12] not in shown


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://user:PW_s3cr3t_42@host.test",
        "user:PW_s3cr3t_42@host.test",
        "//user:PW_s3cr3t_42@host.test",
        "https://user:PW_s3cr3t_42@host.test",
        "https://user:PW_s3cr3t_42@",
        "http://user:PW_s3cr3t_42@api.example.test",
    ],
    ids=["ftp", "no-scheme", "no-scheme-slashes", "https", "no-host", "http-remote"],
)
def test_a_base_url_with_a_password_is_refused_without_echoing_it(base_url: str) -> None:
    """Whatever else is wrong with it, the error never shows the userinfo."""
    with pytest.raises(ValueError, match="user name or password") as caught:
        vapay.Client(api_key="k", token="t", base_url=base_url)

    assert "PW_s3cr3t" not in "".join(traceback.format_exception(caught.value))
