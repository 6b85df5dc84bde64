"""Token providers sharing a store: one token, one refresh, never a fresh token deleted."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import vapay
from vapay._auth import ClientCredentialsTokenProvider
from vapay._stores import StoredToken, decode_token, encode_token, token_key
from vapay._transport import Request, Response

BASE = URL("https://api.example.test")
KEY = token_key(BASE, "client-1", "v1.1")


class TokenEndpoint:
    """Hands out tok-1, tok-2, ... (for an hour each), after *delay* seconds."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.requests = 0
        self.delay = delay

    async def __call__(self, request: Request) -> Response:
        self.requests += 1
        token = f"tok-{self.requests}"
        await asyncio.sleep(self.delay)
        data = {"access_token": token, "token_type": "Bearer", "expires_in": "3600"}
        return Response(
            status=200,
            headers=CIMultiDictProxy(CIMultiDict()),
            body=json.dumps({"status": 200, "success": True, "data": data}).encode(),
            request=request,
        )


class Clocks:
    """A monotonic clock and a wall clock that move together."""

    def __init__(self) -> None:
        self.monotonic = 50.0
        self.wall = 1_700_000_000.0

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += seconds


def provider(
    endpoint: TokenEndpoint,
    store: vapay.TokenStore,
    clocks: Clocks | None = None,
    *,
    token_timeout: float = 30.0,
) -> ClientCredentialsTokenProvider:
    clocks = clocks or Clocks()
    return ClientCredentialsTokenProvider(
        api_key="partner-1",
        client_id="client-1",
        client_secret="secret-1",
        base_url=BASE,
        send=endpoint,
        store=store,
        token_timeout=token_timeout,
        clock=lambda: clocks.monotonic,
        wall_clock=lambda: clocks.wall,
    )


async def test_a_second_provider_takes_the_stored_token() -> None:
    """A provider sharing the store of one that has a token makes no request."""
    endpoint, store = TokenEndpoint(), vapay.MemoryTokenStore()

    first = await provider(endpoint, store).get_token()
    second = await provider(endpoint, store).get_token()

    assert first.access_token == second.access_token == "tok-1"
    assert endpoint.requests == 1


async def test_concurrent_providers_share_one_token_request() -> None:
    """Eight providers starting together on one store make one token request."""
    endpoint, store = TokenEndpoint(delay=0.02), vapay.MemoryTokenStore()
    providers = [provider(endpoint, store) for _ in range(8)]

    tokens = await asyncio.gather(*(p.get_token() for p in providers))

    assert {t.access_token for t in tokens} == {"tok-1"}
    assert endpoint.requests == 1


async def test_a_late_401_does_not_delete_the_token_another_provider_stored() -> None:
    """Two providers refused the same token: the second takes the first's new one."""
    endpoint, store = TokenEndpoint(), vapay.MemoryTokenStore()
    a, b = provider(endpoint, store), provider(endpoint, store)
    await a.get_token()
    await b.get_token()

    renewed_by_a = await a.get_token(force=True)
    renewed_by_b = await b.get_token(force=True)

    assert renewed_by_a.access_token == renewed_by_b.access_token == "tok-2"
    assert endpoint.requests == 2


async def test_a_stale_stored_token_is_refreshed_once() -> None:
    """When the shared token nears expiry, the first provider to notice refreshes it."""
    endpoint, store, clocks = TokenEndpoint(), vapay.MemoryTokenStore(), Clocks()
    a, b = provider(endpoint, store, clocks), provider(endpoint, store, clocks)
    await a.get_token()
    await b.get_token()

    clocks.advance(3600 - 30)
    tokens = await asyncio.gather(a.get_token(), b.get_token())

    assert {t.access_token for t in tokens} == {"tok-2"}
    assert endpoint.requests == 2


async def test_a_stored_token_stale_by_the_wall_clock_is_not_taken() -> None:
    """A token stored long ago (by wall-clock time) is refreshed, not used."""
    endpoint, store = TokenEndpoint(), vapay.MemoryTokenStore()
    old = StoredToken(access_token="old", expires_in=3600.0, issued_at=1_700_000_000.0 - 3590)
    await store.set(KEY, encode_token(old), ttl=3600)

    token = await provider(endpoint, store).get_token()

    assert token.access_token == "tok-1"


async def test_an_unreadable_stored_value_is_replaced() -> None:
    """Whatever else sits under the key is treated as no token."""
    endpoint, store = TokenEndpoint(), vapay.MemoryTokenStore()
    await store.set(KEY, "not json", ttl=60)

    token = await provider(endpoint, store).get_token()

    assert token.access_token == "tok-1"
    assert await store.get(KEY) == encode_token(
        StoredToken(access_token="tok-1", expires_in=3600.0, issued_at=1_700_000_000.0)
    )


async def test_a_lock_held_past_lock_wait_is_bypassed() -> None:
    """When another holds the lock past lock_wait, the provider asks on its own."""
    endpoint, store = TokenEndpoint(), vapay.MemoryTokenStore()
    store.lock_wait = 0.1
    assert await store.lock(KEY, ttl=60) is not None  # a slow or stuck peer
    started = time.monotonic()

    token = await provider(endpoint, store).get_token()

    assert token.access_token == "tok-1"
    assert 0.1 <= time.monotonic() - started < 0.5


async def test_a_dead_holders_lock_expires_and_one_provider_takes_over() -> None:
    """A lock left by a dead holder is taken once its TTL passes, by one provider."""
    endpoint, store = TokenEndpoint(delay=0.05), vapay.MemoryTokenStore()
    assert await store.lock(KEY, ttl=0.2) is not None  # the holder died
    providers = [provider(endpoint, store) for _ in range(4)]
    started = time.monotonic()

    tokens = await asyncio.gather(*(p.get_token() for p in providers))

    assert {t.access_token for t in tokens} == {"tok-1"}
    assert endpoint.requests == 1
    assert 0.2 <= time.monotonic() - started < 0.6


def test_the_key_names_the_api_and_a_hash_of_the_client_id_only() -> None:
    """The key holds the base URL and version, and the client id only hashed."""
    key = token_key(BASE, "client-1", "v1.1")

    assert key.startswith("token:https://api.example.test:v1.1:")
    assert "client-1" not in key


@pytest.mark.parametrize(
    "value",
    [
        "",
        "[]",
        '{"access_token": 5, "expires_in": 1, "issued_at": 1}',
        '{"access_token": "t", "expires_in": "x", "issued_at": 1}',
        '{"access_token": "t", "expires_in": 1, "issued_at": NaN}',
        '{"access_token": "t", "expires_in": 1}',
    ],
    ids=["empty", "list", "token-not-text", "bad-expiry", "nan-time", "no-time"],
)
def test_values_that_are_not_tokens_decode_to_none(value: str) -> None:
    """A stored value that is not a token (another writer, a version skew) is no token."""
    assert decode_token(value) is None


def test_the_stored_value_is_the_token_and_its_expiry() -> None:
    """Exactly three fields: the token, its lifetime, when it was issued."""
    stored = StoredToken(access_token="t", expires_in=60.0, issued_at=1.5)

    assert json.loads(encode_token(stored)) == {
        "access_token": "t",
        "expires_in": 60.0,
        "issued_at": 1.5,
    }
    assert decode_token(encode_token(stored)) == stored
