"""Error texts as a user meets them, over loopback: what happened and what to check."""

from __future__ import annotations

import re
import socket
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

import vapay
from sdk_clients import client_for
from vapay.sandbox import Sandbox

TOKEN = "POST /api/v1.1/access-token/b2b"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_too_short_name_shows_the_field_error(client: vapay.Client) -> None:
    """A create refused for its name says so in str(), field message included."""
    with pytest.raises(vapay.UnprocessableEntityError) as caught:
        await client.accounts.create(name="ab")

    assert str(caught.value) == (
        "POST /api/v1.0/accounts -> HTTP 422: Validation error "
        "(name: The name field must be at least 3 characters.)"
    )
    assert (caught.value.method, caught.value.path) == ("POST", "/api/v1.0/accounts")


async def test_a_missing_kind_shows_the_field_error(client: vapay.Client, sandbox: Sandbox) -> None:
    """The seed API's 422 for a listing without kind names the field."""
    account_id = sandbox.state.accounts[0].id

    with pytest.raises(vapay.UnprocessableEntityError) as caught:
        await client.virtual_accounts.list(account_id).collect()

    assert str(caught.value) == (
        f"GET /api/v1.0/virtual-accounts/{account_id} -> HTTP 422: Validation error "
        "(kind: The kind field is required.)"
    )


async def test_a_missing_account_names_the_request(client: vapay.Client) -> None:
    """A 404 says method and path and the API's message."""
    with pytest.raises(vapay.NotFoundError) as caught:
        await client.accounts.get("nope")

    assert str(caught.value).startswith("GET /api/v1.0/accounts/nope -> HTTP 404: ")
    assert caught.value.path == "/api/v1.0/accounts/nope"


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("client_secret", "wrong-secret-value", "Invalid signature. Check the client secret"),
        ("client_id", "wrong-client-id", "Invalid client id. Check the client id"),
        ("api_key", "wrong-api-key", "Invalid partner id. Check the API key"),
    ],
    ids=["secret", "client-id", "api-key"],
)
async def test_a_refused_token_request_names_the_setting(
    sandbox: Sandbox, setting: str, value: str, expected: str
) -> None:
    """A wrong credential fails the token call, which the text says, naming the setting."""
    async with client_for(sandbox, **{setting: value}) as client:
        with pytest.raises(vapay.AuthenticationError) as caught:
            await client.accounts.list().collect()

    text = str(caught.value)
    assert text.startswith(f"Could not get an access token: {TOKEN} -> HTTP 401: {expected}")
    assert value not in text


async def test_a_403_from_the_token_endpoint_names_the_ip_allow_list(sandbox: Sandbox) -> None:
    """The token endpoint's 403 says the call failed and points at the IP allow-list."""
    sandbox.fail_next(403, route="token")

    async with client_for(sandbox) as client:
        with pytest.raises(vapay.PermissionDeniedError) as caught:
            await client.accounts.list().collect()

    assert str(caught.value).startswith(f"Could not get an access token: {TOKEN} -> HTTP 403")
    assert "IP allow-list" in str(caught.value)


async def test_a_base_url_ending_in_api_is_explained(sandbox: Sandbox) -> None:
    """`base_url=.../api` fails with a text that says to drop /api."""
    async with client_for(sandbox, base_url=sandbox.url + "/api") as client:
        with pytest.raises(vapay.NotFoundError) as caught:
            await client.accounts.get("1")

    assert "/api/api/v1.1/access-token/b2b -> HTTP 404" in str(caught.value)
    assert "without the trailing /api" in str(caught.value)


async def test_a_retried_503_says_how_many_attempts(client: vapay.Client, sandbox: Sandbox) -> None:
    """A read that kept failing says it gave up after its three attempts."""
    sandbox.fail_next(503, times=3, route="accounts.get")

    with pytest.raises(vapay.InternalServerError) as caught:
        await client.accounts.get(sandbox.state.accounts[0].id)

    assert str(caught.value).endswith("Gave up after 3 attempts.")


async def test_a_refused_connection_names_host_and_port() -> None:
    """Nothing listening: the text names the host and port tried."""
    port = closed_port()
    client = vapay.Client(
        api_key="k", token="t", base_url=f"http://127.0.0.1:{port}", max_retries=0
    )
    async with client:
        with pytest.raises(vapay.APIConnectionError) as caught:
            await client.accounts.get("1")

    assert str(caught.value).startswith(
        f"GET /api/v1.0/accounts/1: could not connect to 127.0.0.1:{port}: "
    )
    assert caught.value.may_have_reached_server is False
    assert (caught.value.method, caught.value.path) == ("GET", "/api/v1.0/accounts/1")


class _NoDNS(aiohttp.abc.AbstractResolver):
    """A resolver that finds no host, as DNS does offline (no packet leaves)."""

    async def resolve(
        self,
        host: str,  # noqa: ARG002
        port: int = 0,  # noqa: ARG002
        family: socket.AddressFamily = socket.AF_INET,  # noqa: ARG002
    ) -> list[aiohttp.abc.ResolveResult]:
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("environ", "says_unset"),
    [({}, True), ({"VAPAY_BASE_URL": vapay.SANDBOX_URL}, False)],
    ids=["unset", "set"],
)
async def test_an_unresolvable_default_host_is_named(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], *, says_unset: bool
) -> None:
    """A DNS failure names the host and port, and whether VAPAY_BASE_URL was unset."""
    monkeypatch.delenv("VAPAY_BASE_URL", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    connector = aiohttp.TCPConnector(resolver=_NoDNS())
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        vapay.Client(api_key="k", token="t", session=session, max_retries=0) as client,
    ):
        with pytest.raises(vapay.APIConnectionError) as caught:
            await client.accounts.get("1")

    text = str(caught.value)
    assert "could not connect to sandbox-payment-b2b.singapay.id:443: " in text
    assert "Name or service not known" in text
    assert ("VAPAY_BASE_URL is not set" in text) is says_unset


async def test_a_timeout_names_host_port_and_the_setting(sandbox: Sandbox) -> None:
    """An attempt that ran out of time says how long, where, and that timeout= is per attempt."""
    sandbox.delay_next(1.0, route="accounts.get")
    async with client_for(sandbox, timeout=0.2, max_retries=0) as client:
        await client.token_provider.get_token()
        with pytest.raises(vapay.APITimeoutError) as caught:
            await client.accounts.get(sandbox.state.accounts[0].id)

    host = sandbox.url.removeprefix("http://")
    assert f"timed out after 0.2s waiting for {host}" in str(caught.value)
    assert "timeout= is per attempt" in str(caught.value)


Call = Callable[[vapay.Client], Awaitable[object]]

CLOSED_SETS: dict[str, tuple[Call, str]] = {
    "status-disabled": (
        lambda c: c.accounts.update_status("1", "disabled"),
        "status must be one of 'active', 'inactive', got 'disabled'",
    ),
    "status-upper-case": (
        lambda c: c.accounts.update_status("1", "ACTIVE"),
        "status must be one of 'active', 'inactive', got 'ACTIVE' (did you mean 'active'?)",
    ),
    "kind-temp": (
        lambda c: c.virtual_accounts.list("1", kind="temp").collect(),
        "kind must be one of 'temporary', 'permanent', got 'temp' (did you mean 'temporary'?)",
    ),
    "accounts-per-page": (
        lambda c: c.accounts.list(per_page=101).collect(),
        "per_page must be between 1 and 100",
    ),
    "va-per-page": (
        lambda c: c.virtual_accounts.list("1", per_page=26).collect(),
        "per_page must be between 1 and 25",
    ),
    "va-status": (
        lambda c: c.virtual_accounts.update("1", "2", status="closed"),
        "status must be one of 'active', 'expired', 'inactive', got 'closed'",
    ),
    "amount-type": (
        lambda c: c.virtual_accounts.create(
            "1", bank_code="BRI", kind="permanent", amount=1, amount_type="fixed"
        ),
        "amount_type must be one of 'open', 'closed', got 'fixed'",
    ),
    "payment-status": (
        lambda c: c.va_transactions.list("1", status="settled").collect(),  # type: ignore[typeddict-item]
        "status must be one of 'unpaid', 'paid', 'expired', 'failed', got 'settled'",
    ),
    "sort-order": (
        lambda c: c.va_transactions.list("1", sort_order="up").collect(),  # type: ignore[typeddict-item]
        "sort_order must be one of 'asc', 'desc', got 'up'",
    ),
}


@pytest.mark.parametrize("case", list(CLOSED_SETS))
async def test_a_value_outside_a_closed_set_is_refused_before_sending(
    client: vapay.Client, sandbox: Sandbox, case: str
) -> None:
    """A bad closed-set value is a ValueError naming the allowed values; nothing is sent."""
    call, message = CLOSED_SETS[case]

    with pytest.raises(ValueError, match="^" + re.escape(message)):
        await call(client)

    assert sandbox.state.requests == []
