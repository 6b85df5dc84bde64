"""The token provider and the auth middleware, driven directly with fake handlers."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import time

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import vapay
from vapay._auth import DEFAULT_TOKEN_TIMEOUT, AuthMiddleware, ClientCredentialsTokenProvider
from vapay._signature import token_signature
from vapay._transport import Request, Response

BASE = URL("https://api.example.test")
CLIENT_ID = "a2fca1f4-92f0-474d-a6d5-d92ca830be79"
CLIENT_SECRET = "UAkHVDuPSqHQI17ED9vDXNHq9o6MfcSZ"  # REFERENCE.md's worked example


def answer(request: Request, status: int, body: object) -> Response:
    return Response(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict()),
        body=json.dumps(body).encode(),
        request=request,
    )


class TokenEndpoint:
    """A fake token endpoint: counts requests, hands out tok-1, tok-2, ..."""

    def __init__(self, *, expires_in: object = "3600", delay: float = 0.0) -> None:
        self.requests: list[Request] = []
        self.expires_in = expires_in
        self.delay = delay

    async def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        data = {
            "access_token": f"tok-{len(self.requests)}",
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        return answer(request, 200, {"status": 200, "success": True, "data": data})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def provider(
    endpoint: TokenEndpoint,
    clock: Clock | None = None,
    version: vapay._auth.TokenEndpointVersion = "v1.1",
) -> ClientCredentialsTokenProvider:
    return ClientCredentialsTokenProvider(
        api_key="partner-1",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        base_url=BASE,
        send=endpoint,
        version=version,
        clock=clock or Clock(),
        today=lambda: dt.datetime(2025, 9, 20, 18, 0, tzinfo=dt.timezone.utc),
    )


def test_v11_token_request_is_signed_for_the_jakarta_date() -> None:
    """The v1.1 request carries the HMAC-SHA512 of the worked example's date (WIB)."""
    request = provider(TokenEndpoint()).token_request()

    assert (request.method, str(request.url)) == (
        "POST",
        "https://api.example.test/api/v1.1/access-token/b2b",
    )
    assert request.headers["X-Signature"] == (
        "821aa0ee5293420d4096d087bd0efe26b452760fd45f800e84d5871d05e8c18d"
        "1ffdca800dc6de27457126293dcbb1f9e761e1f9691fc645821480af90d00ee6"
    )
    assert request.headers["X-Signature"] == token_signature(CLIENT_ID, CLIENT_SECRET, "20250921")
    assert request.headers["X-CLIENT-ID"] == CLIENT_ID
    assert request.headers["X-PARTNER-ID"] == "partner-1"
    assert request.json == {"grant_type": "client_credentials"}
    assert "Authorization" not in request.headers


def test_v10_token_request_uses_basic_auth() -> None:
    """The v1.0 request sends Basic base64(client_id:client_secret) and no signature."""
    request = provider(TokenEndpoint(), version="v1.0").token_request()

    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert str(request.url).endswith("/api/v1.0/access-token/b2b")
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert "X-Signature" not in request.headers


async def test_the_token_is_cached() -> None:
    """A fresh token is reused without another token request."""
    endpoint = TokenEndpoint()
    tokens = provider(endpoint)

    first = await tokens.get_token()
    second = await tokens.get_token()

    assert first is second
    assert len(endpoint.requests) == 1


async def test_the_token_is_refreshed_before_it_expires() -> None:
    """Within the margin (60 s) before expiry, a new token is requested."""
    endpoint = TokenEndpoint(expires_in="3600")
    clock = Clock()
    tokens = provider(endpoint, clock)
    first = await tokens.get_token()

    clock.now += 3600 - 61
    still = await tokens.get_token()
    clock.now += 2
    renewed = await tokens.get_token()

    assert still is first
    assert renewed.access_token == "tok-2"
    assert len(endpoint.requests) == 2


async def test_a_short_lived_token_is_used_for_half_its_life() -> None:
    """The margin is never longer than the token's life: a 10 s token is kept 5 s."""
    endpoint = TokenEndpoint(expires_in=10)
    clock = Clock()
    tokens = provider(endpoint, clock)
    first = await tokens.get_token()

    clock.now += 4.9
    assert await tokens.get_token() is first
    clock.now += 0.2
    assert (await tokens.get_token()).access_token == "tok-2"


async def test_force_gets_a_new_token() -> None:
    """get_token(force=True) asks the endpoint even when the token is fresh."""
    endpoint = TokenEndpoint()
    tokens = provider(endpoint)
    await tokens.get_token()

    forced = await tokens.get_token(force=True)

    assert forced.access_token == "tok-2"


async def test_100_concurrent_callers_with_an_expired_token_share_one_request() -> None:
    """However many tasks find the token stale at once, one token request is made."""
    endpoint = TokenEndpoint(delay=0.01)
    clock = Clock()
    tokens = provider(endpoint, clock)
    await tokens.get_token()
    clock.now += 7200

    results = await asyncio.gather(*(tokens.get_token() for _ in range(100)))

    assert {t.access_token for t in results} == {"tok-2"}
    assert len(endpoint.requests) == 2


async def test_100_concurrent_forced_refreshes_after_a_401_share_one_request() -> None:
    """Tasks that all saw a 401 with the same token get one new token between them."""
    endpoint = TokenEndpoint(delay=0.01)
    tokens = provider(endpoint)
    await tokens.get_token()

    results = await asyncio.gather(*(tokens.get_token(force=True) for _ in range(100)))

    assert {t.access_token for t in results} == {"tok-2"}
    assert len(endpoint.requests) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, vapay.AuthenticationError), (403, vapay.PermissionDeniedError)],
    ids=["401", "403"],
)
async def test_token_endpoint_refusals_raise_typed_errors(
    status: int, error: type[vapay.APIStatusError]
) -> None:
    """A 401/403 from the token endpoint raises its class with the server's message."""
    message = "Your IP address (1.2.3.4) is not registered"

    async def refuse(request: Request) -> Response:
        body = {"status": status, "success": False, "error": {"code": status, "message": message}}
        return answer(request, status, body)

    tokens = provider(TokenEndpoint())
    tokens._send = refuse

    with pytest.raises(error) as caught:
        await tokens.get_token()

    assert caught.value.message == message
    assert CLIENT_SECRET not in str(caught.value)


class StubProvider:
    """Hands out the tokens it is given, one per forced refresh."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.forced = 0

    async def get_token(self, *, force: bool = False) -> vapay.Token:
        if force:
            self.forced += 1
            if len(self.tokens) > 1:
                self.tokens.pop(0)
        return vapay.Token(access_token=self.tokens[0])


class API:
    """A fake API: answers 401 to any token in `rejected`."""

    def __init__(self, *rejected: str) -> None:
        self.rejected = set(rejected)
        self.seen: list[str] = []

    async def __call__(self, request: Request) -> Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        self.seen.append(token)
        status = 401 if token in self.rejected else 200
        return answer(request, status, {"status": status, "success": status == 200})


REQUEST = Request(method="GET", url=BASE / "api/v1.0/accounts")


async def test_the_middleware_sends_the_bearer_token() -> None:
    """Every request goes out with Authorization: Bearer <token>."""
    api = API()

    response = await AuthMiddleware(StubProvider("t1"))(REQUEST, api)

    assert response.status == 200
    assert api.seen == ["t1"]


async def test_a_401_refreshes_once_and_replays_once() -> None:
    """After a 401 the request is replayed once with a new token."""
    api = API("t1")
    tokens = StubProvider("t1", "t2")

    response = await AuthMiddleware(tokens)(REQUEST, api)

    assert response.status == 200
    assert api.seen == ["t1", "t2"]
    assert tokens.forced == 1


async def test_a_second_401_is_final() -> None:
    """When the new token is refused too, the 401 is returned: no loop."""
    api = API("t1", "t2", "t3")
    tokens = StubProvider("t1", "t2", "t3")

    response = await AuthMiddleware(tokens)(REQUEST, api)

    assert response.status == 401
    assert api.seen == ["t1", "t2"]


async def test_no_replay_when_the_provider_has_nothing_new() -> None:
    """A static token that gets a 401 is not sent a second time."""
    api = API("static")

    response = await AuthMiddleware(vapay.StaticToken("static"))(REQUEST, api)

    assert response.status == 401
    assert api.seen == ["static"]


def test_tokens_and_providers_hide_secrets_in_repr() -> None:
    """Neither a Token nor a provider shows a secret in its repr."""
    token = vapay.Token(access_token="s3cr3t-token", expires_in=60)
    tokens = provider(TokenEndpoint())

    assert "s3cr3t-token" not in repr(token)
    assert "s3cr3t" not in repr(vapay.StaticToken("s3cr3t"))
    assert CLIENT_SECRET not in repr(tokens)
    assert CLIENT_ID not in repr(tokens)


async def test_a_401_after_another_task_refreshed_uses_that_token() -> None:
    """A late 401 with an old token reuses the token another task already got."""
    endpoint = TokenEndpoint()
    tokens = provider(endpoint)
    old = await tokens.get_token()
    await tokens.get_token(force=True)  # another task's refresh: tok-2
    api = API(old.access_token)

    class Stale:
        async def get_token(self, *, force: bool = False) -> vapay.Token:
            return old if not force and not api.seen else await tokens.get_token(force=force)

    response = await AuthMiddleware(Stale())(REQUEST, api)

    assert response.status == 200
    assert api.seen == ["tok-1", "tok-2"]
    assert len(endpoint.requests) == 2


class FailingEndpoint(TokenEndpoint):
    """A token endpoint that is down: every request fails after a short wait."""

    async def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        raise vapay.APIConnectionError("connection reset")


async def test_concurrent_callers_share_one_failing_token_request() -> None:
    """20 tasks needing a token from a dead endpoint cause one request and all get its error."""
    endpoint = FailingEndpoint(delay=0.01)
    tokens = provider(endpoint)

    results = await asyncio.gather(*(tokens.get_token() for _ in range(20)), return_exceptions=True)

    assert len(endpoint.requests) == 1
    assert all(isinstance(r, vapay.APIConnectionError) for r in results)


async def test_a_cancelled_caller_does_not_cancel_the_shared_token_request() -> None:
    """One waiter's cancellation leaves the token request running for the others."""
    endpoint = TokenEndpoint(delay=0.02)
    tokens = provider(endpoint)
    first = asyncio.ensure_future(tokens.get_token())
    second = asyncio.ensure_future(tokens.get_token())
    await asyncio.sleep(0.005)

    first.cancel()
    token = await second

    assert token.access_token == "tok-1"
    assert len(endpoint.requests) == 1


async def test_the_deadline_bounds_the_wait_for_a_token() -> None:
    """A call with a deadline gives up waiting for a slow token endpoint in time."""
    endpoint = TokenEndpoint(delay=1.0)
    request = Request(
        method="GET", url=BASE / "api/v1.0/accounts", deadline=time.monotonic() + 0.05
    )

    with pytest.raises(vapay.APITimeoutError, match="deadline"):
        await AuthMiddleware(provider(endpoint))(request, API())


async def test_the_token_request_is_bounded_without_a_timeout() -> None:
    """With timeout=None the token request still carries a deadline token_timeout ahead."""
    endpoint = TokenEndpoint()
    tokens = provider(endpoint)
    before = time.monotonic()

    await tokens.get_token()

    (sent,) = endpoint.requests
    assert sent.timeout is None
    assert sent.deadline is not None
    assert before + 29 < sent.deadline <= time.monotonic() + DEFAULT_TOKEN_TIMEOUT


@pytest.mark.parametrize(
    "bad", ["tok en", "tok\r\nX-Evil: 1", "tök", ""], ids=["space", "crlf", "non-ascii", "empty"]
)
def test_a_static_token_that_cannot_be_a_header_is_refused(bad: str) -> None:
    """A token that would break the header is a ValueError at construction, never sent."""
    with pytest.raises(ValueError, match="token"):
        vapay.StaticToken(bad)
