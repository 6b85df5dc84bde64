"""The SDK against the sandbox over loopback: every endpoint, end to end."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

import vapay
from vapay.sandbox import Sandbox


async def test_accounts_list_returns_every_seeded_account_in_order(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Listing accounts over several pages gives exactly the seeded ids, in order."""
    accounts = await client.accounts.list(per_page=4).collect()

    assert [a.id for a in accounts] == [a.id for a in sandbox.state.accounts]


async def test_accounts_get_returns_the_account(sandbox: Sandbox, client: vapay.Client) -> None:
    """get(id) returns the seeded account with its fields normalized."""
    seeded = sandbox.state.accounts[2]

    account = await client.accounts.get(seeded.id)

    assert (account.id, account.name, account.phone) == (seeded.id, seeded.name, seeded.phone)
    assert account.status == seeded.status


async def test_an_unknown_account_is_not_found(client: vapay.Client) -> None:
    """get() of an id the API does not know raises NotFoundError."""
    with pytest.raises(vapay.NotFoundError) as caught:
        await client.accounts.get("no-such-account")

    assert caught.value.status == 404


async def test_create_opens_an_account_that_then_lists(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """create() opens exactly one account, which get() and list() then see."""
    created = await client.accounts.create(name="Dhany Ahmad", phone="082371268163823")

    assert created.phone == "082371268163823"
    assert created.email is None
    assert (await client.accounts.get(created.id)).name == "Dhany Ahmad"
    assert [a.id for a in await client.accounts.list().collect()][-1] == created.id
    assert sandbox.state.count("accounts.create") == 1


async def test_an_invalid_create_is_unprocessable_with_field_messages(
    client: vapay.Client,
) -> None:
    """The API's 422 surfaces as UnprocessableEntityError with its field messages."""
    with pytest.raises(vapay.UnprocessableEntityError) as caught:
        await client.accounts.create(name="ab")

    assert "name" in caught.value.errors


@pytest.mark.parametrize(
    "status", [vapay.AccountStatus.INACTIVE, "inactive"], ids=["enum", "string"]
)
async def test_update_status_changes_the_status(
    sandbox: Sandbox, client: vapay.Client, status: vapay.AccountStatus | str
) -> None:
    """update_status() sets the status, as a later get() shows."""
    account_id = sandbox.state.accounts[0].id

    updated = await client.accounts.update_status(account_id, status)

    assert updated.status is vapay.AccountStatus.INACTIVE
    assert (await client.accounts.get(account_id)).status is vapay.AccountStatus.INACTIVE


@pytest.mark.parametrize("kind", ["temporary", "permanent"])
async def test_virtual_accounts_list_matches_the_seed_exactly(
    sandbox: Sandbox, client: vapay.Client, kind: str
) -> None:
    """Every VA of an account and kind, in order, with exact amounts."""
    account_id = sandbox.state.accounts[1].id
    expected = sandbox.state.expected_virtual_accounts(account_id, kind=kind)

    vas = await client.virtual_accounts.list(account_id, kind=kind, per_page=4).collect()

    assert [v.id for v in vas] == [e.id for e in expected]
    assert [v.amount.value for v in vas] == [e.amount for e in expected]
    assert {v.account_id for v in vas} == {account_id}
    assert sum((v.amount.value for v in vas), Decimal(0)) == sum(
        (e.amount for e in expected), Decimal(0)
    )


async def test_a_missing_kind_is_unprocessable_on_the_seed_api(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """The seed API requires kind: without it, a typed 422."""
    with pytest.raises(vapay.UnprocessableEntityError):
        await client.virtual_accounts.list(sandbox.state.accounts[0].id).collect()


async def test_the_live_api_shapes_decode(make_client: Callable[..., vapay.Client]) -> None:
    """ULID ids, the `meta` block and the bank object of the live API all decode."""
    sandbox = Sandbox(accounts=2, virtual_accounts_per_account=9, live=True)
    async with sandbox, make_client(sandbox) as client:
        accounts = await client.accounts.list().collect()
        vas = await client.virtual_accounts.list(accounts[0].id, per_page=2).collect()

    expected = sandbox.state.expected_virtual_accounts(accounts[0].id)
    assert [v.id for v in vas] == [e.id for e in expected]
    assert all(len(v.id) == 26 for v in vas)
    assert all(v.bank is not None and v.bank_code is None for v in vas)
    assert all(a.account_type is not None and a.email is None for a in accounts)


async def test_wrong_credentials_are_an_authentication_error(
    sandbox: Sandbox, make_client: Callable[..., vapay.Client]
) -> None:
    """A bad client secret makes the signed token request fail with 401."""
    async with make_client(sandbox, client_secret="wrong") as client:
        with pytest.raises(vapay.AuthenticationError):
            await client.accounts.get(sandbox.state.accounts[0].id)


async def test_the_v10_basic_token_endpoint_works(
    sandbox: Sandbox, make_client: Callable[..., vapay.Client]
) -> None:
    """token_endpoint="v1.0" authenticates with Basic credentials."""
    async with make_client(sandbox, token_endpoint="v1.0") as client:
        account = await client.accounts.get(sandbox.state.accounts[0].id)

    assert account.id == sandbox.state.accounts[0].id
    assert sandbox.state.requests[0].path == "/api/v1.0/access-token/b2b"


async def test_a_listing_with_concurrency_equals_the_sequential_one(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """concurrency=8 yields the same sequence as a sequential walk."""
    account_id = sandbox.state.accounts[3].id

    sequential = await client.virtual_accounts.list(
        account_id, kind="temporary", per_page=2
    ).collect()
    concurrent = await client.virtual_accounts.list(
        account_id, kind="temporary", per_page=2, concurrency=8
    ).collect()

    assert [v.id for v in concurrent] == [v.id for v in sequential]


async def test_list_many_gives_every_va_of_every_account_once(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Piping the accounts listing into list_many yields the seed's VAs, grouped in order."""
    expected = [
        (a.id, v.id)
        for a in sandbox.state.accounts
        for v in sandbox.state.expected_virtual_accounts(a.id, kind="permanent")
    ]

    got = [
        (v.account_id, v.id)
        async for v in client.virtual_accounts.list_many(
            client.accounts.list(), kind="permanent", per_page=4, concurrency=8
        )
    ]

    assert got == expected
