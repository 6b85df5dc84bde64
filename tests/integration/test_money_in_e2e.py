"""Money in against the sandbox over loopback: VA lifecycle, payments, balances.

Each test pins what the sandbox received (method, path, query, body from its
request log) or what it counted, so nothing here is a mock's opinion.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

import vapay
from sdk_clients import client_for
from vapay.reconcile import jakarta_days
from vapay.sandbox import Sandbox, TransactionRecord

TOMORROW = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)


def sent(sandbox: Sandbox, route: str) -> list[Any]:
    """The requests the sandbox received on *route*, in order."""
    return [r for r in sandbox.state.requests if r.route == route]


def api_requests(sandbox: Sandbox) -> list[Any]:
    """Every request but the token's."""
    return [r for r in sandbox.state.requests if r.route != "token"]


async def open_temporary(
    client: vapay.Client, account_id: str, **fields: Any
) -> vapay.VirtualAccount:
    settings: dict[str, Any] = {
        "bank_code": "BRI",
        "kind": "temporary",
        "amount": Decimal("150000.50"),
        "expired_at": TOMORROW,
        **fields,
    }
    return await client.virtual_accounts.create(account_id, **settings)


def assert_decoded(tx: vapay.VATransaction, record: TransactionRecord) -> None:
    """*tx* is *record* as the API sent it, drift absorbed: exact amounts, aware times."""
    assert tx.transaction_id == record.transaction_id
    assert tx.status == record.status
    assert (tx.amount.value, tx.amount.currency) == (record.amount, record.currency)
    assert tx.fees is not None
    assert tx.fees.amount.value == record.fee
    assert tx.va_number == record.va_number
    assert tx.merchant_reff_no == record.merchant_reff_no
    assert tx.has_settle is record.has_settle
    for name in ("post_timestamp", "processed_timestamp", "settle_at"):
        millis = getattr(record, name)
        when = getattr(tx, name)
        assert (None if when is None else round(when.timestamp() * 1000)) == millis
        assert when is None or when.tzinfo is dt.timezone.utc


@pytest.fixture(name="live_sandbox")
async def _live_sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(accounts=4, virtual_accounts_per_account=6, seed=11, live=True) as sandbox:
        yield sandbox


async def test_create_sends_exact_json_and_returns_the_va(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """create() POSTs the amount's exact digits and expired_at in ms; get() reads it back."""
    account_id = sandbox.state.accounts[0].id

    va = await open_temporary(client, account_id, merchant_reff_no="INV-1", max_usage=1)

    (request,) = sent(sandbox, "virtual_accounts.create")
    assert (request.method, request.path) == ("POST", f"/api/v1.0/virtual-accounts/{account_id}")
    body = json.loads(request.body, parse_float=Decimal)
    assert body == {
        "bank_code": "BRI",
        "kind": "temporary",
        "amount": Decimal("150000.50"),
        "expired_at": (TOMORROW - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
        // dt.timedelta(milliseconds=1),
        "max_usage": 1,
        "merchant_reff_no": "INV-1",
    }
    assert b'"amount":150000.50' in request.body
    assert (va.account_id, va.amount.value, va.max_usage) == (account_id, Decimal("150000.50"), 1)
    assert await client.virtual_accounts.get(account_id, va.id) == va


async def test_a_bank_the_api_refuses_is_a_422_with_its_field(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """An unknown bank code is the server's to refuse; its message names the field."""
    with pytest.raises(vapay.UnprocessableEntityError) as caught:
        await open_temporary(client, sandbox.state.accounts[0].id, bank_code="NOPE")

    assert "bank_code" in caught.value.errors


@pytest.mark.parametrize(
    "fault",
    ["status", "drop", "delay"],
    ids=["503", "dropped-connection", "timeout"],
)
async def test_a_create_is_never_replayed_once_it_may_have_arrived(
    sandbox: Sandbox, fault: str
) -> None:
    """After a 5xx, a dropped connection or a timeout, create is sent exactly once."""
    if fault == "status":
        sandbox.fail_next(503, route="virtual_accounts.create")
    elif fault == "drop":
        sandbox.drop_next(route="virtual_accounts.create")
    else:
        sandbox.delay_next(1.0, route="virtual_accounts.create")
    async with client_for(sandbox, max_retries=3, timeout=0.3) as client:
        with pytest.raises((vapay.InternalServerError, vapay.APIConnectionError)):
            await open_temporary(client, sandbox.state.accounts[0].id)

    assert sandbox.state.count("virtual_accounts.create") == 1


async def test_a_create_whose_answer_was_lost_is_found_by_its_reference(
    live_sandbox: Sandbox,
) -> None:
    """The README's advice: list by merchant_reff_no to learn whether a create landed."""
    sandbox = live_sandbox
    account_id = sandbox.state.accounts[0].id
    sandbox.truncate_next(route="virtual_accounts.create")  # created, answer cut

    async with client_for(sandbox) as client:
        with pytest.raises(vapay.APIResponseValidationError):
            await open_temporary(client, account_id, merchant_reff_no="INV-LOST")
        found = await client.virtual_accounts.list(
            account_id, merchant_reff_no="INV-LOST"
        ).collect()

    assert [va.merchant_reff_no for va in found] == ["INV-LOST"]
    (listing,) = sent(sandbox, "virtual_accounts.list")
    assert listing.query == {"merchant_reff_no": "INV-LOST", "page": "1"}


async def test_local_refusals_send_nothing(sandbox: Sandbox, client: vapay.Client) -> None:
    """Bad arguments fail before any request reaches the sandbox."""
    account_id = sandbox.state.accounts[0].id
    refusals = [
        client.virtual_accounts.create(account_id, bank_code="BRI", kind="temporary", amount=1),
        client.virtual_accounts.create(
            account_id,
            bank_code="BRI",
            kind="permanent",
            amount=1,
            expired_at=dt.datetime(2026, 1, 1),  # noqa: DTZ001
        ),
        client.virtual_accounts.update(account_id, "V1", status="disabled"),
        client.accounts.update_status(account_id, "ACTIVE"),
    ]
    for call in refusals:
        with pytest.raises(ValueError):  # noqa: PT011 - each message is pinned in the unit tests
            await call
    with pytest.raises(ValueError, match="status must be one of"):
        client.va_transactions.list(account_id, status="settled")

    assert api_requests(sandbox) == []


async def test_update_puts_a_full_replace_and_is_retried(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """update() is a PUT of absolute values: after a 503 it is sent again and lands once."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)
    sandbox.fail_next(503, route="virtual_accounts.update")

    updated = await client.virtual_accounts.update(
        account_id,
        va.id,
        status="inactive",
        amount=Decimal("150000.50"),
        expired_at=TOMORROW,
        max_usage=3,
    )

    first, second = sent(sandbox, "virtual_accounts.update")
    assert (second.method, second.path) == (
        "PUT",
        f"/api/v1.0/virtual-accounts/{account_id}/{va.id}",
    )
    assert first.body == second.body
    assert (updated.status, updated.max_usage) == (vapay.VirtualAccountStatus.INACTIVE, 3)


async def test_an_update_missing_a_field_for_its_kind_is_the_servers_422(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Only status for a closed VA: the API names the missing amount."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)

    with pytest.raises(vapay.UnprocessableEntityError) as caught:
        await client.virtual_accounts.update(account_id, va.id, status="active")

    assert caught.value.errors["amount"] == ["Amount is required"]


async def test_delete_removes_an_unpaid_va(sandbox: Sandbox, client: vapay.Client) -> None:
    """delete() returns None and the VA is gone."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)

    assert await client.virtual_accounts.delete(account_id, va.id) is None

    with pytest.raises(vapay.NotFoundError):
        await client.virtual_accounts.get(account_id, va.id)


async def test_a_delete_retried_after_a_lost_answer_succeeds(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """The first DELETE deletes but its answer is cut; the retry's 404 means done."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)
    sandbox.fault_schedule("virtual_accounts.delete", ["drop"])

    assert await client.virtual_accounts.delete(account_id, va.id) is None
    assert sandbox.state.count("virtual_accounts.delete") == 2


async def test_deleting_a_paid_va_is_permission_denied(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """A VA with payments cannot be deleted: PermissionDeniedError."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)
    await sandbox.pay(account_id, va.number)

    with pytest.raises(vapay.PermissionDeniedError, match="has have transactions"):
        await client.virtual_accounts.delete(account_id, va.id)


@pytest.mark.parametrize("live", [False, True], ids=["seed", "live"])
async def test_listed_payments_decode_every_drifting_type(live: bool) -> None:
    """Seeded rows (ms strings and ints, int and text fees, null settle_at) decode exactly."""
    sandbox = Sandbox(accounts=3, virtual_accounts_per_account=6, seed=5, live=live)
    async with sandbox, client_for(sandbox) as client:
        for account in sandbox.state.accounts:
            expected = sandbox.state.expected_transactions(account.id)
            txs = await client.va_transactions.list(account.id, per_page=4).collect()

            assert len(txs) == len(expected)
            for tx, record in zip(txs, expected, strict=True):
                assert_decoded(tx, record)
                assert tx.account_id == account.id


async def test_the_transaction_listing_sends_its_filters(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Filters reach the sandbox under the API's names, and it answers exactly its rows."""
    account_id = sandbox.state.accounts[1].id
    today = dt.datetime.now(dt.timezone.utc).date()
    start, end = jakarta_days(today - dt.timedelta(days=60), today)
    filters: dict[str, Any] = {
        "status": "paid",
        "has_settle": False,
        "amount_min": Decimal(10_000),
        "processed_timestamp_from": start,
        "processed_timestamp_to": end,
        "sort_order": "asc",
    }

    txs = await client.va_transactions.list(account_id, per_page=3, **filters).collect()

    first = sent(sandbox, "va_transactions.list")[0]
    assert first.query == {
        "per_page": "3",
        "status": "paid",
        "has_settle": "0",
        "amount_min": "10000",
        "processed_timestamp_from": str(start),
        "processed_timestamp_to": str(end),
        "sort_order": "asc",
        "page": "1",
    }
    expected = sandbox.state.expected_transactions(account_id, **filters)
    assert [tx.transaction_id for tx in txs] == [r.transaction_id for r in expected]
    assert expected


async def test_a_paid_va_shows_its_payment_everywhere(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """After sandbox.pay(): get, list by number and the balance all see the payment."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)
    before = await client.balance.get(account_id)

    record = await sandbox.pay(account_id, va.number)
    tx = await client.va_transactions.get(account_id, record.transaction_id)
    by_number = await client.va_transactions.list_by_va_number(account_id, va.number).collect()
    after = await client.balance.get(account_id)

    assert_decoded(tx, record)
    assert [t.transaction_id for t in by_number] == [record.transaction_id]
    assert after.pending_balance.value - before.pending_balance.value == record.net
    assert (after.account_id, (await client.balance.get()).account_id) == (account_id, None)
    (by_number_request,) = sent(sandbox, "va_transactions.list_by_va_number")
    assert by_number_request.path == (
        f"/api/v1.0/va-transactions/{account_id}/detail-by-va-number/{va.number}"
    )


async def test_a_late_callback_turns_an_expired_payment_paid(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """The same transaction_id reads expired, then paid after the late callback."""
    account_id = sandbox.state.accounts[0].id
    va = await open_temporary(client, account_id)
    attempt = await sandbox.expire_attempt(account_id, va.number)

    before = await client.va_transactions.get(account_id, attempt.transaction_id)
    await sandbox.pay_late(attempt.transaction_id)
    after = await client.va_transactions.get(account_id, attempt.transaction_id)

    assert (before.status, after.status) == (
        vapay.VATransactionStatus.EXPIRED,
        vapay.VATransactionStatus.PAID,
    )


async def test_balances_decode_as_money(sandbox: Sandbox, client: vapay.Client) -> None:
    """The merchant's and a sub-account's balances are exactly what the sandbox holds."""
    account_id = sandbox.state.accounts[2].id

    merchant = await client.balance.get()
    mine = await client.balance.get(account_id)

    for balance, record in (
        (merchant, sandbox.state.expected_balance()),
        (mine, sandbox.state.expected_balance(account_id)),
    ):
        assert balance.balance.value == record.balance
        assert balance.available_balance.value == record.available
        assert balance.pending_balance.value == record.pending
    assert [r.path for r in sent(sandbox, "balance.get")] == [
        "/api/v1.0/balance-inquiry",
        f"/api/v1.0/balance-inquiry/{account_id}",
    ]


@pytest.mark.parametrize(
    ("status_route", "routes"),
    [
        ("seed", ["accounts.update_status", "accounts.update_status"]),
        ("live", ["unknown", "accounts.update", "accounts.update"]),
    ],
    ids=["seed-route-served", "seed-route-404s"],
)
async def test_update_status_finds_the_route_the_server_serves(
    status_route: str, routes: list[str]
) -> None:
    """Seed route first; when it 404s, the live route, remembered for the next call."""
    async with Sandbox(accounts=2, status_route=status_route) as sandbox:  # type: ignore[arg-type]
        account_id = sandbox.state.accounts[0].id
        async with client_for(sandbox) as client:
            first = await client.accounts.update_status(account_id, "inactive")
            second = await client.accounts.update_status(account_id, "active")

        assert (first.status, second.status) == ("inactive", "active")
        assert [r.route for r in api_requests(sandbox)] == routes


@pytest.mark.parametrize("status_route", ["seed", "live"])
async def test_an_unknown_account_is_not_found_on_either_route(status_route: str) -> None:
    """Whichever route the server serves, a missing account is a NotFoundError."""
    sandbox = Sandbox(accounts=1, status_route=status_route)  # type: ignore[arg-type]
    async with sandbox, client_for(sandbox) as client:
        with pytest.raises(vapay.NotFoundError):
            await client.accounts.update_status("no-such-account", "inactive")


async def test_list_many_payments_under_faults_is_complete_and_in_order(
    live_sandbox: Sandbox,
) -> None:
    """Every payment of every account exactly once, each with its account, despite faults."""
    sandbox = live_sandbox
    for kind in ("status", "drop", "html"):
        sandbox.fault_rate(kind, 0.08, seed=len(kind), route="va_transactions.list")  # type: ignore[arg-type]
    account_ids = [a.id for a in sandbox.state.accounts]

    async with client_for(sandbox, max_retries=8) as client:
        txs = [
            tx
            async for tx in client.va_transactions.list_many(
                client.accounts.list(), per_page=2, concurrency=4
            )
        ]

    expected = [
        (account_id, record.transaction_id)
        for account_id in account_ids
        for record in sandbox.state.expected_transactions(account_id)
    ]
    assert [(tx.account_id, tx.transaction_id) for tx in txs] == expected
    assert sum(1 for r in sent(sandbox, "va_transactions.list") if r.fault) > 0


async def test_a_404_after_a_429_is_not_taken_for_a_deletion(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """A 429 was never processed: the retry's 404 means there is no such VA. (Review.)"""
    account_id = sandbox.state.accounts[0].id
    sandbox.fail_next(429, route="virtual_accounts.delete", retry_after=0)

    with pytest.raises(vapay.NotFoundError):
        await client.virtual_accounts.delete(account_id, "01NOSUCHVA0000000000000000")

    assert sandbox.state.count("virtual_accounts.delete") == 2


@pytest.mark.parametrize("call", ["get", "update", "delete"])
@pytest.mark.parametrize("va_id", [None, "", " "], ids=["none", "empty", "blank"])
async def test_a_missing_va_id_is_refused_not_dropped(
    sandbox: Sandbox, client: vapay.Client, call: str, va_id: object
) -> None:
    """No VA id is a ValueError; the call never goes to the account's collection. (Review.)"""
    method = getattr(client.virtual_accounts, call)
    arguments = {"status": "inactive"} if call == "update" else {}

    with pytest.raises(ValueError, match="virtual_account_id"):
        await method(sandbox.state.accounts[0].id, va_id, **arguments)

    assert api_requests(sandbox) == []


async def test_a_create_that_timed_out_waiting_for_a_token_says_it_never_left(
    sandbox: Sandbox,
) -> None:
    """The deadline passed before the create was sent: may_have_reached_server is False."""
    sandbox.delay_next(1.0, route="token")
    async with client_for(sandbox, deadline=0.3) as client:
        with pytest.raises(vapay.APITimeoutError) as timed_out:
            await client.virtual_accounts.create(
                sandbox.state.accounts[0].id, bank_code="BRI", kind="permanent", amount=150_000
            )

    assert sandbox.state.count("virtual_accounts.create") == 0
    assert timed_out.value.may_have_reached_server is False
