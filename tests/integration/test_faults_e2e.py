"""Each fault the sandbox can inject, and the SDK's documented reaction to it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest

import vapay
from vapay.sandbox import Sandbox

ClientFactory = Callable[..., vapay.Client]


@pytest.fixture(name="account_id")
def _account_id(sandbox: Sandbox) -> str:
    return sandbox.state.accounts[0].id


@pytest.mark.parametrize(
    "inject",
    [
        lambda sb: sb.fail_next(503, route="accounts.get"),
        lambda sb: sb.fail_next(500, times=2, route="accounts.get"),
        lambda sb: sb.fail_next(429, route="accounts.get", retry_after=0),
        lambda sb: sb.drop_next(route="accounts.get"),
        lambda sb: sb.html_next(route="accounts.get", status=502),
    ],
    ids=["503", "500-twice", "429-retry-after", "dropped-connection", "html-502"],
)
async def test_a_read_survives_transient_faults(
    sandbox: Sandbox, client: vapay.Client, account_id: str, inject: Callable[[Sandbox], object]
) -> None:
    """GETs are retried through 5xx, 429, dropped connections and HTML error pages."""
    inject(sandbox)

    account = await client.accounts.get(account_id)

    assert account.id == account_id
    assert sandbox.state.count("accounts.get") >= 2


async def test_too_many_failures_surface_the_last_error(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """After max_retries (2) the 503 surfaces as InternalServerError: 3 attempts."""
    sandbox.fail_next(503, times=5, route="accounts.get")

    with pytest.raises(vapay.InternalServerError):
        await client.accounts.get(account_id)

    assert sandbox.state.count("accounts.get") == 3


async def test_a_slow_answer_times_out_and_is_retried(
    sandbox: Sandbox, make_client: ClientFactory, account_id: str
) -> None:
    """An attempt slower than `timeout` is abandoned and the GET tried again."""
    sandbox.delay_next(1.0, route="accounts.get")

    async with make_client(sandbox, timeout=0.2) as client:
        account = await client.accounts.get(account_id)

    assert account.id == account_id


async def test_a_slow_answer_without_retries_is_a_timeout_error(
    sandbox: Sandbox, make_client: ClientFactory, account_id: str
) -> None:
    """With max_retries=0 a slow answer raises APITimeoutError."""
    sandbox.delay_next(1.0, route="accounts.get")

    async with make_client(sandbox, timeout=0.2, max_retries=0) as client:
        with pytest.raises(vapay.APITimeoutError):
            await client.accounts.get(account_id)


async def test_a_truncated_body_is_a_validation_error(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """A 200 whose JSON is cut short raises APIResponseValidationError (not retried)."""
    sandbox.truncate_next(route="accounts.get")

    with pytest.raises(vapay.APIResponseValidationError, match="not JSON"):
        await client.accounts.get(account_id)

    assert sandbox.state.count("accounts.get") == 1


@pytest.mark.parametrize(
    "inject",
    [
        lambda sb: sb.fail_next(503, route="accounts.create"),
        lambda sb: sb.fail_next(500, route="accounts.create"),
        lambda sb: sb.drop_next(route="accounts.create"),
        lambda sb: sb.html_next(route="accounts.create"),
    ],
    ids=["503", "500", "dropped-connection", "html-502"],
)
async def test_a_create_that_may_have_arrived_is_never_replayed(
    sandbox: Sandbox, client: vapay.Client, inject: Callable[[Sandbox], object]
) -> None:
    """A POST that failed after it may have reached the API is sent exactly once."""
    inject(sandbox)

    with pytest.raises((vapay.APIStatusError, vapay.APIConnectionError)) as caught:
        await client.accounts.create(name="Only Once")

    assert sandbox.state.count("accounts.create") == 1
    if isinstance(caught.value, vapay.APIConnectionError):
        assert caught.value.may_have_reached_server


async def test_a_rate_limited_create_is_retried_and_creates_once(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """A 429 means the create was turned away: it is retried, and one account exists."""
    before = len(sandbox.state.accounts)
    sandbox.fail_next(429, route="accounts.create", retry_after=0)

    created = await client.accounts.create(name="Rate Limited")

    assert len(sandbox.state.accounts) == before + 1
    assert sandbox.state.accounts[-1].id == created.id


async def test_an_expired_token_is_refreshed_and_the_call_replayed(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """A 401 for an expired token gets a new token and one replay."""
    await client.accounts.get(account_id)
    sandbox.expire_tokens()

    account = await client.accounts.get(account_id)

    assert account.id == account_id
    assert sandbox.state.token_requests == 2
    assert sandbox.state.count("accounts.get") == 3


async def test_a_token_expiring_mid_listing_loses_no_item(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """Token expiry between pages: the walk refreshes and every item comes once."""
    expected = [v.id for v in sandbox.state.expected_virtual_accounts(account_id, kind="temporary")]
    seen: list[str] = []

    async for va in client.virtual_accounts.list(account_id, kind="temporary", per_page=2):
        seen.append(va.id)
        if len(seen) == 5:
            sandbox.expire_tokens()

    assert seen == expected
    assert sandbox.state.token_requests == 2


async def test_a_second_401_is_final(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """When the replay gets 401 too, AuthenticationError is raised: no loop."""
    await client.accounts.get(account_id)
    sandbox.expire_token_next(times=2, route="accounts.get")

    with pytest.raises(vapay.AuthenticationError):
        await client.accounts.get(account_id)

    assert sandbox.state.token_requests == 2


async def test_100_concurrent_calls_after_expiry_make_one_token_request(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """Many tasks that find the token refused share one refresh."""
    await client.accounts.get(account_id)
    sandbox.expire_tokens()

    results = await asyncio.gather(*(client.accounts.get(account_id) for _ in range(100)))

    assert {a.id for a in results} == {account_id}
    assert sandbox.state.token_requests == 2


async def test_a_token_endpoint_outage_is_retried(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """A 503 from the token endpoint is retried: asking for a token twice is harmless."""
    sandbox.fail_next(503, route="token")

    account = await client.accounts.get(account_id)

    assert account.id == account_id
    assert sandbox.state.token_requests == 2


async def test_a_borrowed_session_that_raises_for_status_still_gets_typed_errors(
    sandbox: Sandbox, make_client: ClientFactory
) -> None:
    """A caller's session with raise_for_status=True does not turn a 404 into a retried
    connection error: vapay reads the status itself."""
    session = aiohttp.ClientSession(raise_for_status=True)
    async with session, make_client(sandbox, session=session) as client:
        with pytest.raises(vapay.NotFoundError):
            await client.accounts.get("no-such-account")

    assert sandbox.state.count("accounts.get") == 1


async def test_a_connection_error_keeps_no_aiohttp_exception_in_its_chain(
    sandbox: Sandbox, client: vapay.Client, account_id: str
) -> None:
    """aiohttp's exception (whose request_info holds the headers) is not chained."""
    sandbox.drop_next(times=5, route="accounts.get")

    with pytest.raises(vapay.APIConnectionError) as caught:
        await client.accounts.get(account_id)

    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
