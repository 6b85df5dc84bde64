"""`Authorization` never leaves for another origin, and plain http is refused off loopback.

Two aiohttp servers on 127.0.0.1, on different ports (so different origins): the
first answers with redirects to the second, which records anything that reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import vapay

TOKEN = "tok_Rd7Kq2Lm9Xw4Vb8Nc3Zp6"
API_KEY = "pk_Rd3Hs8Jd2Kq7Lw5Mx9Nv4"
CLIENT_ID = "cid_Rd5Tg8Yh2Uj6Ik9Ol3Pq"
CLIENT_SECRET = "cs_Rd2Wq9Er4Ty7Ui1Op5As"
REDIRECTS = [301, 302, 303, 307, 308]
TOKEN_PATH = "/api/v1.1/access-token/b2b"


class Recorder:
    """An aiohttp app that records every request and answers 404 (the 'other origin')."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path, dict(request.headers)))
        return web.json_response({"status": 404, "success": False}, status=404)


class Redirector:
    """An API that issues tokens, and answers *status* with a Location on *target*."""

    def __init__(self, status: int, target: str, *, redirect_token: bool) -> None:
        self.status = status
        self.target = target
        self.redirect_token = redirect_token
        self.requests: list[tuple[str, str]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        if request.path == TOKEN_PATH and not self.redirect_token:
            data = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": "3600"}
            return web.json_response({"status": 200, "success": True, "data": data})
        location = f"{self.target}{request.path_qs}"
        return web.Response(status=self.status, headers={"Location": location})


@pytest.fixture(name="elsewhere")
async def _elsewhere() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    async with TestServer(recorder.app, host="127.0.0.1") as server:
        yield recorder, f"http://127.0.0.1:{server.port}"


async def serve_redirector(redirector: Redirector) -> TestServer:
    server = TestServer(redirector.app, host="127.0.0.1")
    await server.start_server()
    return server


def client_of(base_url: str, **options: object) -> vapay.Client:
    settings: dict[str, object] = {
        "api_key": API_KEY,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "base_url": base_url,
        "retry_policy": vapay.RetryPolicy(initial_delay=0.001, max_delay=0.005),
    }
    settings.update(options)
    return vapay.Client(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", REDIRECTS, ids=[str(s) for s in REDIRECTS])
async def test_a_redirected_call_is_an_error_and_nothing_reaches_the_other_origin(
    elsewhere: tuple[Recorder, str], status: int
) -> None:
    """A 3xx to a call is APIStatusError(status); the other origin never sees a request."""
    recorder, target = elsewhere
    redirector = Redirector(status, target, redirect_token=False)
    server = await serve_redirector(redirector)
    try:
        async with client_of(f"http://127.0.0.1:{server.port}") as client:
            with pytest.raises(vapay.APIStatusError) as caught:
                await client.accounts.get("42")
    finally:
        await server.close()

    assert caught.value.status == status
    assert recorder.requests == []
    # One token request, then the call once: a redirect is not retried either.
    assert redirector.requests == [("POST", TOKEN_PATH), ("GET", "/api/v1.0/accounts/42")]


@pytest.mark.parametrize("status", REDIRECTS, ids=[str(s) for s in REDIRECTS])
async def test_a_redirected_token_request_is_an_error_and_sends_no_credential_away(
    elsewhere: tuple[Recorder, str], status: int
) -> None:
    """A 3xx from the token endpoint is APIStatusError; the signed request stays home."""
    recorder, target = elsewhere
    redirector = Redirector(status, target, redirect_token=True)
    server = await serve_redirector(redirector)
    try:
        async with client_of(f"http://127.0.0.1:{server.port}") as client:
            with pytest.raises(vapay.APIStatusError) as caught:
                await client.accounts.get("42")
    finally:
        await server.close()

    assert caught.value.status == status
    assert recorder.requests == []
    assert redirector.requests == [("POST", TOKEN_PATH)]


@pytest.mark.parametrize("status", [302, 307], ids=["302", "307"])
async def test_a_borrowed_session_does_not_follow_redirects_either(
    elsewhere: tuple[Recorder, str], status: int
) -> None:
    """With the caller's own session (which follows redirects by default): still no hop."""
    recorder, target = elsewhere
    redirector = Redirector(status, target, redirect_token=False)
    server = await serve_redirector(redirector)
    try:
        async with aiohttp.ClientSession() as session:
            client = client_of(f"http://127.0.0.1:{server.port}", token=TOKEN, session=session)
            async with client:
                with pytest.raises(vapay.APIStatusError) as caught:
                    await client.accounts.get("42")
    finally:
        await server.close()

    assert caught.value.status == status
    assert recorder.requests == []


# ---------------------------------------------------------------------------
# Plain http: refused off loopback unless the caller opts in. No request is sent.

NOT_LOOPBACK = [
    "http://api.example.com",
    "http://10.1.2.3:8080",
    "http://192.168.0.10/",
    "http://0.0.0.0:8000",
    "http://[2001:db8::1]:8080",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
]
LOOPBACK = [
    "http://127.0.0.1:8080",
    "http://127.9.9.9",
    "http://localhost:8000",
    "http://LOCALHOST:8000",
    "http://[::1]:9000",
]


@pytest.mark.parametrize("base_url", NOT_LOOPBACK, ids=NOT_LOOPBACK)
def test_plain_http_off_loopback_is_refused(base_url: str) -> None:
    """A plain-http base_url whose host is not loopback is a ValueError naming the opt-in."""
    with pytest.raises(ValueError, match="allow_insecure_http"):
        vapay.Client(api_key=API_KEY, token=TOKEN, base_url=base_url)


@pytest.mark.parametrize("base_url", NOT_LOOPBACK[:3], ids=NOT_LOOPBACK[:3])
def test_plain_http_off_loopback_is_refused_from_the_environment_too(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    """VAPAY_BASE_URL gets the same check as the argument."""
    monkeypatch.setenv("VAPAY_BASE_URL", base_url)

    with pytest.raises(ValueError, match="allow_insecure_http"):
        vapay.Client(api_key=API_KEY, token=TOKEN)


@pytest.mark.parametrize("base_url", NOT_LOOPBACK, ids=NOT_LOOPBACK)
async def test_plain_http_off_loopback_is_accepted_when_opted_in(base_url: str) -> None:
    """allow_insecure_http=True accepts it (construction only: nothing is sent)."""
    client = vapay.Client(api_key=API_KEY, token=TOKEN, base_url=base_url, allow_insecure_http=True)
    await client.close()

    assert client.base_url == base_url.rstrip("/")


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost@example.com", "https://user:secret@api.example.com"],
    ids=["user-looks-like-loopback", "user-and-password"],
)
def test_a_base_url_with_a_user_or_password_is_refused(base_url: str) -> None:
    """Userinfo is refused: `localhost@` must not pass for loopback, nor a password
    ride along in reprs."""
    with pytest.raises(ValueError, match="user name or password") as caught:
        vapay.Client(api_key=API_KEY, token=TOKEN, base_url=base_url, allow_insecure_http=True)

    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("base_url", LOOPBACK, ids=LOOPBACK)
async def test_plain_http_on_loopback_is_accepted(base_url: str) -> None:
    """A loopback host may use plain http without opting in (the sandbox does)."""
    client = vapay.Client(api_key=API_KEY, token=TOKEN, base_url=base_url)
    await client.close()

    assert client.base_url.startswith("http://")


async def test_https_is_accepted_anywhere() -> None:
    """https needs no opt-in, whatever the host."""
    client = vapay.Client(api_key=API_KEY, token=TOKEN, base_url="https://api.example.com")
    await client.close()

    assert client.base_url == "https://api.example.com"
