"""Real Redis for the fleet tests: one server per session, flushed for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio
from redis_server import RedisServer, require_redis_server

from vapay.sandbox import Sandbox


@pytest.fixture(scope="session", name="redis_server")
def _redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    require_redis_server()
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="own_redis_server")
def _own_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test's own, which it may stop."""
    require_redis_server()
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _flushed(redis_server: RedisServer) -> None:
    """Every test starts on an empty Redis (no token, budget or seen key of another)."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()


@pytest.fixture(name="redis")
async def _redis(redis_server: RedisServer) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(name="sandbox")
async def _sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(accounts=4, virtual_accounts_per_account=6, seed=16) as sandbox:
        yield sandbox
