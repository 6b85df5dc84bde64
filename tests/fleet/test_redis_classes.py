"""The Redis classes against a real Redis, and what they do when it is gone (#16)."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from redis_server import free_port

import vapay
from budget_cases import PAUSES, RESERVATIONS
from sdk_clients import client_for
from vapay._redis_budget import GCRA
from vapay.sandbox import Sandbox

KEY = "token:https://api.example.test:v1.1:0123"


@pytest.fixture(name="store", params=["memory", "redis"])
def _store(request: pytest.FixtureRequest, redis: redis.asyncio.Redis) -> vapay.TokenStore:
    """Each store, for the contract every store keeps."""
    if request.param == "memory":
        return vapay.MemoryTokenStore()
    return vapay.RedisTokenStore(redis)


async def test_a_value_lives_for_its_ttl(store: vapay.TokenStore) -> None:
    """set() with a TTL: get() returns it, then None once the TTL has passed."""
    await store.set(KEY, "v1", ttl=0.2)

    assert await store.get(KEY) == "v1"
    await asyncio.sleep(0.25)
    assert await store.get(KEY) is None


async def test_delete_if_deletes_only_the_value_it_names(store: vapay.TokenStore) -> None:
    """Compare-and-delete: another value under the key is left alone."""
    await store.set(KEY, "fresh", ttl=60)

    assert await store.delete_if(KEY, "refused") is False
    assert await store.get(KEY) == "fresh"
    assert await store.delete_if(KEY, "fresh") is True
    assert await store.get(KEY) is None


async def test_the_lock_has_one_owner_until_released(store: vapay.TokenStore) -> None:
    """lock() gives an owner token to one caller; unlock by another owner does nothing."""
    owner = await store.lock(KEY, ttl=60)

    assert owner is not None
    assert await store.lock(KEY, ttl=60) is None
    await store.unlock(KEY, "someone-else")
    assert await store.lock(KEY, ttl=60) is None
    await store.unlock(KEY, owner)
    assert await store.lock(KEY, ttl=60) is not None


async def test_an_abandoned_lock_expires(store: vapay.TokenStore) -> None:
    """A lock its holder never releases is free again after its TTL."""
    assert await store.lock(KEY, ttl=0.1) is not None

    await asyncio.sleep(0.15)

    assert await store.lock(KEY, ttl=0.1) is not None


async def test_the_lock_and_the_value_are_separate_keys(store: vapay.TokenStore) -> None:
    """Taking the lock leaves the stored token readable."""
    await store.set(KEY, "token", ttl=60)

    await store.lock(KEY, ttl=60)

    assert await store.get(KEY) == "token"


@pytest.mark.parametrize(("case", "expected"), RESERVATIONS)
async def test_the_redis_script_reserves_like_the_python_decision(
    redis: redis.asyncio.Redis,
    case: tuple[float, float, float, int, float],
    expected: tuple[float, float] | None,
) -> None:
    """The Lua GCRA gives the same waits and tats as `reserve` on the same literals."""
    tat, now, interval, burst, max_wait = case
    await redis.set("budget", repr(tat))

    reply = await redis.eval(GCRA, 1, "budget", "reserve", interval, burst, max_wait, now)

    stored = float(await redis.get("budget") or 0)
    if expected is None:
        assert (float(reply), stored) == (-1.0, tat)
    else:
        assert (float(reply), stored) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(("case", "expected"), PAUSES)
async def test_the_redis_script_pauses_like_the_python_decision(
    redis: redis.asyncio.Redis, case: tuple[float, float, float, int, float], expected: float
) -> None:
    """The Lua pause moves tat where `paused` does."""
    tat, now, interval, burst, seconds = case
    await redis.set("budget", repr(tat))

    await redis.eval(GCRA, 1, "budget", "pause", interval, burst, seconds, now)

    assert float(await redis.get("budget") or 0) == pytest.approx(expected, abs=1e-6)


async def test_a_429_from_one_process_pauses_the_fleets_budget(
    sandbox: Sandbox, redis: redis.asyncio.Redis
) -> None:
    """A 429 with Retry-After: 1 seen by one client holds back another's next request."""
    account_id = sandbox.state.accounts[0].id
    first = client_for(sandbox, rate_limit=vapay.RedisRateLimit(redis, per_second=100))
    second = client_for(sandbox, rate_limit=vapay.RedisRateLimit(redis, per_second=100))
    async with first, second:
        await second.accounts.get(account_id)  # its token
        sandbox.fail_next(429, route="accounts.get", retry_after=1)
        started = time.monotonic()
        hit = asyncio.ensure_future(first.accounts.get(account_id))  # 429, retried in 1 s
        await asyncio.sleep(0.2)
        await second.accounts.get(account_id)
        waited = time.monotonic() - started
        await hit

    assert waited >= 0.95


async def test_a_key_is_claimed_once_then_again_once_released(
    redis: redis.asyncio.Redis,
) -> None:
    """A key is taken the first time, refused afterwards, taken again once released."""
    seen = vapay.RedisSeenStore(redis, ttl=60)

    assert await seen.claim("tx-1") is True
    assert await seen.claim("tx-1") is False
    assert await seen.claim("tx-2") is True
    await seen.release("tx-1")
    assert await seen.claim("tx-1") is True


async def test_of_replicas_seeing_one_delivery_exactly_one_handles_it(
    redis_server: object, redis: redis.asyncio.Redis
) -> None:
    """Ten stores on ten connections claiming at once: one True, nine False."""
    url = redis.connection_pool.connection_kwargs
    clients = [
        redis.__class__(host=url["host"], port=url["port"], db=url.get("db", 0)) for _ in range(10)
    ]
    try:
        answers = await asyncio.gather(
            *(vapay.RedisSeenStore(c).claim("tx-retried") for c in clients)
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))

    assert sorted(answers) == [False] * 9 + [True]


async def test_a_seen_key_is_forgotten_after_its_ttl(redis: redis.asyncio.Redis) -> None:
    """The TTL bounds the store: a key is taken again after it."""
    seen = vapay.RedisSeenStore(redis, ttl=0.1)
    await seen.claim("tx-1")

    await asyncio.sleep(0.15)

    assert await seen.claim("tx-1") is True


@pytest.fixture(name="dead_redis")
async def _dead_redis() -> AsyncIterator[redis.asyncio.Redis]:
    """A client of a port where no Redis listens."""
    client = redis.asyncio.Redis(host="127.0.0.1", port=free_port())
    try:
        yield client
    finally:
        await client.aclose()


def warnings_about_redis(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Redis is unavailable" in r.getMessage()]


async def test_without_redis_the_client_works_and_warns_once(
    sandbox: Sandbox, dead_redis: redis.asyncio.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down: calls succeed on a per-process token and budget; one warning each."""
    caplog.set_level(logging.WARNING, logger="vapay")
    account_id = sandbox.state.accounts[0].id
    client = client_for(
        sandbox,
        token_store=vapay.RedisTokenStore(dead_redis),
        rate_limit=vapay.RedisRateLimit(dead_redis, per_second=200),
    )
    async with client:
        for _ in range(20):
            await client.accounts.get(account_id)
        sandbox.expire_tokens()
        await client.accounts.get(account_id)

    assert sandbox.state.token_requests == 2
    assert len(warnings_about_redis(caplog)) == 2  # the token store's and the budget's


async def test_without_redis_the_budget_still_holds_in_the_process(
    dead_redis: redis.asyncio.Redis,
) -> None:
    """Redis down: the budget falls back to the same rate in this process."""
    budget = vapay.RedisRateLimit(dead_redis, per_second=20)
    assert await budget.acquire()  # finds Redis down (within command_timeout)
    started = time.monotonic()

    for _ in range(5):
        assert await budget.acquire()

    assert 0.25 - 0.02 <= time.monotonic() - started < 0.45


async def test_without_redis_deliveries_are_deduplicated_in_the_process(
    dead_redis: redis.asyncio.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down: the store remembers keys in this process, with one warning."""
    caplog.set_level(logging.WARNING, logger="vapay")
    seen = vapay.RedisSeenStore(dead_redis, local_limit=2)

    answers = [await seen.claim(key) for key in ("a", "a", "b", "c", "a")]

    assert answers == [True, False, True, True, True]  # "a" was the oldest of three
    assert len(warnings_about_redis(caplog)) == 1


async def test_a_slow_redis_counts_as_down(redis: redis.asyncio.Redis) -> None:
    """A command slower than command_timeout falls back instead of holding the call."""
    store = vapay.RedisTokenStore(redis, command_timeout=0.05)
    await store.set(KEY, "v", ttl=60)
    blocker = redis.__class__(connection_pool=redis.connection_pool)
    pause = asyncio.ensure_future(blocker.execute_command("CLIENT", "PAUSE", 300, "ALL"))
    await asyncio.sleep(0.02)
    started = time.monotonic()

    value = await store.get(KEY)

    assert value is None
    assert time.monotonic() - started < 0.2
    await pause


def test_the_redis_classes_name_the_extra_when_redis_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without redis-py, building one says which extra to install."""
    monkeypatch.setitem(sys.modules, "redis.exceptions", None)

    with pytest.raises(ImportError, match=r"vapay\[redis\]"):
        vapay.RedisSeenStore(object())  # type: ignore[arg-type]


async def test_a_token_living_longer_than_a_year_is_still_shared(
    redis: redis.asyncio.Redis,
) -> None:
    """`expires_in` 1e300: stored for a year, not refused by Redis (and sharing kept). (Review.)"""
    store = vapay.RedisTokenStore(redis)

    await store.set(KEY, "v", ttl=1e300)

    assert await store.get(KEY) == "v"
    assert 0 < await redis.pttl(store._key(KEY)) <= 365 * 24 * 3600 * 1000
