"""A sandbox per test and a client wired to it, with retries that do not wait."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

import vapay
from vapay.sandbox import Sandbox

FAST_RETRIES = vapay.RetryPolicy(initial_delay=0.001, max_delay=0.005)


@pytest.fixture(name="sandbox")
async def _sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(accounts=6, virtual_accounts_per_account=30, seed=7) as sandbox:
        yield sandbox


ClientFactory = Callable[..., vapay.Client]


def client_for(sandbox: Sandbox, **options: object) -> vapay.Client:
    """A client of *sandbox* with fast retries; *options* override any setting."""
    settings: dict[str, object] = {
        "api_key": sandbox.api_key,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "base_url": sandbox.url,
        "retry_policy": FAST_RETRIES,
        "timeout": 5.0,
    }
    settings.update(options)
    return vapay.Client(**settings)  # type: ignore[arg-type]


@pytest.fixture(name="make_client")
def _make_client() -> ClientFactory:
    """`make_client(sandbox, **options)`: a client of another sandbox or settings."""
    return client_for


@pytest.fixture(name="client")
async def _client(sandbox: Sandbox) -> AsyncIterator[vapay.Client]:
    async with client_for(sandbox) as client:
        yield client
