"""How many times a failing request is really sent: `max_retries` + 1, where it is safe.

Counted by the sandbox, which sees every request that reaches it: neither a retry
around the token request's own retries nor aiohttp's own resend may add attempts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from resilience_helpers import client_for

import vapay
from vapay.sandbox import Sandbox


@pytest.fixture(name="sandbox")
async def _sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(accounts=2, virtual_accounts_per_account=4, seed=5) as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    ("inject", "options"),
    [
        (lambda sb: sb.fail_next(503, times=100, route="token"), {}),
        (lambda sb: sb.html_next(times=100, route="token"), {}),
        pytest.param(lambda sb: sb.drop_next(times=100, route="token"), {}),
        pytest.param(
            lambda sb: sb.delay_next(0.5, times=100, route="token"),
            {"timeout": 0.05},
        ),
    ],
    ids=["503", "html-502", "dropped", "timeout"],
)
async def test_a_failing_token_endpoint_is_tried_max_retries_plus_one_times(
    sandbox: Sandbox, inject: Callable[[Sandbox], object], options: dict[str, object]
) -> None:
    """A token endpoint that keeps failing gets max_retries + 1 requests per call, no more."""
    inject(sandbox)

    async with client_for(sandbox, max_retries=2, **options) as client:
        with pytest.raises(vapay.VapayError):
            await client.accounts.get(sandbox.state.accounts[0].id)

    assert sandbox.state.token_requests == 3


@pytest.mark.parametrize(
    "max_retries",
    [0, 2],
    ids=["no-retries", "two-retries"],
)
async def test_a_dropped_read_is_sent_max_retries_plus_one_times(
    sandbox: Sandbox, max_retries: int
) -> None:
    """A GET whose connection always drops is sent max_retries + 1 times."""
    sandbox.drop_next(times=100, route="accounts.get")

    async with client_for(sandbox, max_retries=max_retries) as client:
        with pytest.raises(vapay.APIConnectionError):
            await client.accounts.get(sandbox.state.accounts[0].id)

    assert sandbox.state.count("accounts.get") == max_retries + 1


async def test_a_dropped_status_change_is_sent_max_retries_plus_one_times(
    sandbox: Sandbox,
) -> None:
    """The status PATCH is safe to repeat: a dropped one is sent max_retries + 1 times."""
    sandbox.drop_next(times=100, route="accounts.update_status")

    async with client_for(sandbox, max_retries=2) as client:
        with pytest.raises(vapay.APIConnectionError):
            await client.accounts.update_status(sandbox.state.accounts[0].id, "inactive")

    assert sandbox.state.count("accounts.update_status") == 3


@pytest.mark.parametrize(
    "inject",
    [
        lambda sb: sb.drop_next(times=100, route="accounts.create"),
        lambda sb: sb.fail_next(503, times=100, route="accounts.create"),
        lambda sb: sb.truncate_next(times=100, route="accounts.create"),
    ],
    ids=["dropped", "503", "truncated"],
)
async def test_a_create_that_may_have_reached_the_api_is_sent_once(
    sandbox: Sandbox, inject: Callable[[Sandbox], object]
) -> None:
    """A POST that may have been carried out is never replayed: one account at most."""
    inject(sandbox)

    async with client_for(sandbox, max_retries=6) as client:
        with pytest.raises(vapay.VapayError):
            await client.accounts.create(name="Dhany Ahmad")

    assert sandbox.state.count("accounts.create") == 1
    assert len(sandbox.state.accounts) <= 3


async def test_a_create_turned_away_with_429_is_sent_again(sandbox: Sandbox) -> None:
    """A 429 means the API did not process the create, so it is replayed, and lands once."""
    sandbox.fail_next(429, times=2, route="accounts.create", retry_after=0)

    async with client_for(sandbox, max_retries=2) as client:
        account = await client.accounts.create(name="Dhany Ahmad")

    assert sandbox.state.count("accounts.create") == 3
    assert [a.name for a in sandbox.state.accounts].count("Dhany Ahmad") == 1
    assert account.id == sandbox.state.accounts[-1].id
