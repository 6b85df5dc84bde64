"""A hung token request, a token wait and a closing client, over real loopback sockets (#13)."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import vapay
from sdk_clients import client_for
from vapay.sandbox import Sandbox


async def test_a_hung_token_request_is_abandoned_after_token_timeout(sandbox: Sandbox) -> None:
    """With timeout=None, a token request that hangs ends at token_timeout; the next call
    starts a new one and succeeds."""
    sandbox.delay_next(30.0, route="token")
    account_id = sandbox.state.accounts[0].id
    async with client_for(sandbox, timeout=None, deadline=2.0, token_timeout=0.3) as client:
        with pytest.raises(vapay.APITimeoutError):
            await client.accounts.get(account_id)

        account = await client.accounts.get(account_id)

    assert account.id == account_id
    assert sandbox.state.token_requests == 2


async def test_the_deadline_covers_the_wait_for_a_token(sandbox: Sandbox) -> None:
    """A slow token (0.6 s) then a slow answer (0.8 s) with deadline=1 fail at about 1 s."""
    sandbox.delay_next(0.6, route="token")
    sandbox.delay_next(0.8, route="accounts.get")
    started = time.monotonic()
    async with client_for(sandbox, deadline=1.0, max_retries=0) as client:
        with pytest.raises(vapay.APITimeoutError):
            await client.accounts.get(sandbox.state.accounts[0].id)

    assert time.monotonic() - started < 1.2


async def test_closing_the_client_fails_calls_waiting_for_a_connection(sandbox: Sandbox) -> None:
    """Calls queued for a connection when the client closes raise the closed-client
    RuntimeError, never end as bare cancelled tasks."""
    account_id = sandbox.state.accounts[0].id
    client = client_for(sandbox, connection_limit=2, max_retries=0)
    await client.accounts.get(account_id)  # the token, before the pool is full
    sandbox.delay_next(1.0, times=6, route="accounts.get")
    calls = [asyncio.ensure_future(client.accounts.get(account_id)) for _ in range(6)]
    await asyncio.sleep(0.2)

    await client.close()
    results = await asyncio.gather(*calls, return_exceptions=True)

    assert not [r for r in results if isinstance(r, asyncio.CancelledError)]
    closed = [r for r in results if isinstance(r, RuntimeError)]
    assert len(closed) >= 4
    assert all("client has been closed" in str(r) for r in closed)
    assert all(isinstance(r, (RuntimeError, vapay.APIConnectionError)) for r in results)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup is Python 3.11+")
async def test_closed_client_errors_surface_in_a_task_group(sandbox: Sandbox) -> None:
    """In a TaskGroup, the waiting calls' errors reach the group: none vanishes."""
    account_id = sandbox.state.accounts[0].id
    client = client_for(sandbox, connection_limit=2, max_retries=0)
    await client.accounts.get(account_id)
    sandbox.delay_next(1.0, times=6, route="accounts.get")

    async def close_soon() -> None:
        await asyncio.sleep(0.2)
        await client.close()

    # ExceptionGroup is a builtin from 3.11, which the skipif above ensures.
    with pytest.raises(ExceptionGroup) as caught:  # noqa: PT012, F821
        async with asyncio.TaskGroup() as group:
            for _ in range(6):
                group.create_task(client.accounts.get(account_id))
            group.create_task(close_soon())

    assert len(caught.value.exceptions) == 6
