"""Fixtures for the sandbox's own tests: a sandbox, a session, an HTTP helper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sandbox_helpers import Api, FakeClock

from vapay.sandbox import Sandbox


@pytest.fixture(name="clock")
def _clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="sandbox_options")
def _sandbox_options() -> dict[str, Any]:
    return {}


@pytest.fixture(name="sandbox")
async def _sandbox(sandbox_options: dict[str, Any], clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(**{"clock": clock, **sandbox_options}) as sandbox:
        yield sandbox


@pytest.fixture(name="session")
async def _session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        # aiohttp resends an idempotent request once after a dropped connection,
        # which would hide drop faults; its own TestClient turns this off the same way.
        session._retry_connection = False
        yield session


@pytest.fixture(name="api")
def _api(sandbox: Sandbox, session: aiohttp.ClientSession) -> Api:
    return Api(sandbox, session)
