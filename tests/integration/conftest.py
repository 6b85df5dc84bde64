"""A sandbox per test and a client wired to it, with retries that do not wait."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

import vapay
from sdk_clients import client_for
from vapay.sandbox import Sandbox


@pytest.fixture(name="sandbox")
async def _sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(accounts=6, virtual_accounts_per_account=30, seed=7) as sandbox:
        yield sandbox


ClientFactory = Callable[..., vapay.Client]


@pytest.fixture(name="make_client")
def _make_client() -> ClientFactory:
    """`make_client(sandbox, **options)`: a client of another sandbox or settings."""
    return client_for


@pytest.fixture(name="client")
async def _client(sandbox: Sandbox) -> AsyncIterator[vapay.Client]:
    async with client_for(sandbox) as client:
        yield client
