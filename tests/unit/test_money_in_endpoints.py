"""The money-in endpoints send the method, path, query and body MONEY-IN.md gives."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

import vapay

BASE = "https://api.example.test"
VA = {
    "id": "01JB2V7S2W4Q3R5T6Y7U8I9O0P",
    "number": "088810012345678",
    "amount": {"value": "150000.00", "currency": "IDR"},
    "kind": "temporary",
    "status": "active",
    "max_usage": 1,
    "current_usage": 0,
    "expired_at": 1764547200000,
}
TX = {
    "transaction_id": "VA-20251024-0001H9X8ZK",
    "merchant_reff_no": "INV/2025/10/0001",
    "va_number": "88810012345678",
    "status": "paid",
    "fees": {"name": "BRI Virtual Account", "amount": 4500, "currency": "IDR"},
    "amount": {"value": "1234.56", "currency": "IDR"},
    "post_timestamp": "1729748679474",
    "processed_timestamp": "1729748707000",
    "has_settle": True,
    "settle_at": 1729753200000,
}
MONEY = {"value": "1000.00", "currency": "IDR"}
JAN_1 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
JAN_1_MS = 1767225600000


def ok(data: object, **extra: object) -> dict[str, object]:
    return {"status": 200, "success": True, "data": data, **extra}


META = {"meta": {"count": 1, "total": 1, "perPage": 25, "currentPage": 1, "totalPages": 1}}


@pytest.fixture(name="http")
def _http() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


@pytest.fixture(name="client")
async def _client() -> AsyncIterator[vapay.Client]:
    async with vapay.Client(api_key="partner-1", token="tok-1", base_url=BASE) as client:
        yield client


def only_call(http: aioresponses) -> tuple[str, URL, Any]:
    """The one request sent: its method, URL and the keywords it was sent with."""
    (((method, url), (call,)),) = http.requests.items()
    return method, url, call


def body_of(call: Any) -> object:
    data = call.kwargs["data"]
    return None if data is None else json.loads(data, parse_float=Decimal)


async def test_create_posts_the_body_with_exact_amount_and_unix_ms(
    http: aioresponses, client: vapay.Client
) -> None:
    """create() POSTs bank, kind, the amount's exact digits and expired_at in ms."""
    http.post(f"{BASE}/api/v1.0/virtual-accounts/A1", payload=ok(VA))

    va = await client.virtual_accounts.create(
        "A1",
        bank_code="BRI",
        kind="temporary",
        amount=Decimal("150000.10"),
        expired_at=JAN_1,
        merchant_reff_no="INV-1",
        name="Toko Budi",
    )

    method, url, call = only_call(http)
    assert (method, url.path) == ("POST", "/api/v1.0/virtual-accounts/A1")
    assert call.kwargs["data"] == (
        b'{"bank_code":"BRI","kind":"temporary","amount":150000.10,'
        b'"expired_at":1767225600000,"name":"Toko Budi","merchant_reff_no":"INV-1"}'
    )
    assert (va.id, va.account_id, va.number, va.max_usage) == (VA["id"], "A1", VA["number"], 1)


@pytest.mark.parametrize(
    ("amount", "wire"),
    [
        (Decimal("11000.00"), b"11000.00"),
        (99000, b"99000"),
        (Decimal("12345678901234567.80"), b"12345678901234567.80"),
    ],
    ids=["scale-kept", "int", "past-a-double"],
)
async def test_amounts_go_out_as_their_exact_text(
    http: aioresponses, client: vapay.Client, amount: Decimal | int, wire: bytes
) -> None:
    """An amount is a JSON number with exactly its digits, never through a float."""
    http.post(f"{BASE}/api/v1.0/virtual-accounts/A1", payload=ok(VA))

    await client.virtual_accounts.create("A1", bank_code="BCA", kind="permanent", amount=amount)

    _, _, call = only_call(http)
    assert b'"amount":' + wire + b"}" in call.kwargs["data"]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"kind": "temporary", "amount": 10_000}, "expired_at is required"),
        ({"kind": "permanent"}, "amount is required for a closed"),
        ({"kind": "permanent", "amount_type": "closed"}, "amount is required for a closed"),
        ({"kind": "temp", "amount": 10_000}, "kind must be one of 'temporary', 'permanent'"),
        ({"kind": "permanent", "amount_type": "any"}, "amount_type must be one of"),
        ({"kind": "permanent", "amount": 10_000.5}, "pass a Decimal"),
        ({"kind": "permanent", "amount": "10000"}, "amount must be a Decimal or an int"),
        ({"kind": "permanent", "amount": -1}, "amount must be a finite amount >= 0"),
        ({"kind": "permanent", "amount": Decimal("NaN")}, "finite"),
        ({"kind": "permanent", "amount": True}, "amount must be a Decimal"),
        (
            {"kind": "temporary", "amount": 1, "expired_at": dt.datetime(2026, 1, 1)},  # noqa: DTZ001
            "naive",
        ),
        ({"kind": "temporary", "amount": 1, "expired_at": "2026-01-01"}, "Unix milliseconds"),
        ({"kind": "temporary", "amount": 1, "expired_at": -5}, "expired_at must be an integer"),
        ({"kind": "permanent", "amount": 1, "max_usage": 0}, "max_usage must be an integer >= 1"),
        (
            {"kind": "permanent", "amount": 1, "max_usage": 256},
            "max_usage must be an integer <= 255",
        ),
        (
            {"kind": "permanent", "amount_type": "open", "min_amount": 50, "max_amount": 10},
            r"max_amount \(10\) must be >= min_amount \(50\)",
        ),
        ({"kind": "permanent", "amount": 1, "merchant_reff_no": "x" * 256}, "at most 255"),
        ({"kind": "permanent", "amount": 1, "currency": "RP"}, "three letters"),
        ({"kind": "permanent", "amount": 1, "currency": "ÄÖÜ"}, "three letters"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, str) else None,
)
async def test_create_refuses_bad_arguments_before_sending(
    http: aioresponses, client: vapay.Client, arguments: dict[str, Any], match: str
) -> None:
    """A missing or bad create argument is a ValueError naming it, and nothing is sent."""
    with pytest.raises(ValueError, match=match):
        await client.virtual_accounts.create("A1", bank_code="BRI", **arguments)

    assert http.requests == {}


async def test_an_open_va_needs_no_amount(http: aioresponses, client: vapay.Client) -> None:
    """amount_type="open" with a range is sent without an amount."""
    http.post(f"{BASE}/api/v1.0/virtual-accounts/A1", payload=ok(VA))

    await client.virtual_accounts.create(
        "A1", bank_code="BNI", kind="permanent", amount_type="open", min_amount=10_000
    )

    _, _, call = only_call(http)
    assert body_of(call) == {
        "bank_code": "BNI",
        "kind": "permanent",
        "amount_type": "open",
        "min_amount": 10_000,
    }


async def test_get_reads_one_va_with_its_account(http: aioresponses, client: vapay.Client) -> None:
    """get(account, va) is GET /api/v1.0/virtual-accounts/{account}/{va}."""
    http.get(f"{BASE}/api/v1.0/virtual-accounts/A1/V%2F1", payload=ok(VA))

    va = await client.virtual_accounts.get("A1", "V/1")

    assert va.account_id == "A1"
    method, url, _ = only_call(http)
    assert (method, url.raw_path) == ("GET", "/api/v1.0/virtual-accounts/A1/V%2F1")


async def test_update_puts_the_full_replacement(http: aioresponses, client: vapay.Client) -> None:
    """update() PUTs status and the given settings."""
    http.put(f"{BASE}/api/v1.0/virtual-accounts/A1/V1", payload=ok(VA))

    await client.virtual_accounts.update(
        "A1",
        "V1",
        status=vapay.VirtualAccountStatus.INACTIVE,
        amount=Decimal("1.50"),
        expired_at=JAN_1_MS,
        max_usage=3,
    )

    method, _, call = only_call(http)
    assert method == "PUT"
    assert call.kwargs["data"] == (
        b'{"status":"inactive","amount":1.50,"expired_at":1767225600000,"max_usage":3}'
    )


@pytest.mark.parametrize("status", ["disabled", "ACTIVE", "", None])
async def test_update_refuses_a_status_the_api_does_not_have(
    http: aioresponses, client: vapay.Client, status: object
) -> None:
    """update(status=) is one of active, inactive, expired; anything else sends nothing."""
    with pytest.raises(ValueError, match="status must be one of 'active', 'expired', 'inactive'"):
        await client.virtual_accounts.update("A1", "V1", status=status)  # type: ignore[arg-type]

    assert http.requests == {}


async def test_update_is_retried_like_a_read(http: aioresponses, client: vapay.Client) -> None:
    """A PUT that met a 503 is sent again: a full replace is safe to repeat."""
    url = f"{BASE}/api/v1.0/virtual-accounts/A1/V1"
    http.put(url, status=503, payload={"status": 503, "success": False})
    http.put(url, payload=ok(VA))

    await client.with_options(max_retries=1).virtual_accounts.update("A1", "V1", status="active")

    assert len(http.requests[("PUT", URL(url))]) == 2


async def test_create_is_not_replayed_after_a_5xx(http: aioresponses, client: vapay.Client) -> None:
    """A create that met a 503 is not sent again: it may have opened the VA."""
    url = f"{BASE}/api/v1.0/virtual-accounts/A1"
    http.post(url, status=503, payload={"status": 503, "success": False})

    with pytest.raises(vapay.InternalServerError):
        await client.with_options(max_retries=3).virtual_accounts.create(
            "A1", bank_code="BRI", kind="permanent", amount=1
        )

    assert len(http.requests[("POST", URL(url))]) == 1


async def test_delete_returns_none(http: aioresponses, client: vapay.Client) -> None:
    """delete() is DELETE .../{account}/{va} and returns None."""
    url = f"{BASE}/api/v1.0/virtual-accounts/A1/V1"
    http.delete(url, payload=ok({"message": "Virtual Account delete successfully"}))

    assert await client.virtual_accounts.delete("A1", "V1") is None
    assert ("DELETE", URL(url)) in http.requests


async def test_a_404_on_a_delete_retry_means_it_was_deleted(
    http: aioresponses, client: vapay.Client
) -> None:
    """After a 503, a 404 on the retry means the first attempt deleted the VA."""
    url = f"{BASE}/api/v1.0/virtual-accounts/A1/V1"
    http.delete(url, status=503, payload={"status": 503, "success": False})
    http.delete(url, status=404, payload={"status": 404, "success": False})

    assert await client.with_options(max_retries=1).virtual_accounts.delete("A1", "V1") is None


async def test_a_404_on_the_first_delete_is_not_found(
    http: aioresponses, client: vapay.Client
) -> None:
    """A 404 on the first attempt is a NotFoundError."""
    url = f"{BASE}/api/v1.0/virtual-accounts/A1/V1"
    http.delete(url, status=404, payload={"status": 404, "success": False})

    with pytest.raises(vapay.NotFoundError):
        await client.virtual_accounts.delete("A1", "V1")


async def test_deleting_a_paid_va_is_permission_denied(
    http: aioresponses, client: vapay.Client
) -> None:
    """The API's 403 for a VA with payments is a PermissionDeniedError."""
    body = {
        "status": 403,
        "success": False,
        "error": {"code": 403, "message": "This Virtual Account has have transactions"},
    }
    http.delete(f"{BASE}/api/v1.0/virtual-accounts/A1/V1", status=403, payload=body)

    with pytest.raises(vapay.PermissionDeniedError, match="has have transactions"):
        await client.virtual_accounts.delete("A1", "V1")


async def test_va_listing_sends_the_reference_filter(
    http: aioresponses, client: vapay.Client
) -> None:
    """virtual_accounts.list(merchant_reff_no=) is a query parameter."""
    http.get(re.compile(r".*"), payload=ok([VA], **META))

    await client.virtual_accounts.list("A1", merchant_reff_no="INV-1").collect()

    _, _, call = only_call(http)
    assert call.kwargs["params"] == {"merchant_reff_no": "INV-1", "page": "1"}


async def test_transactions_list_sends_every_filter_under_its_api_name(
    http: aioresponses, client: vapay.Client
) -> None:
    """Each filter goes in the query under the API's name, in its wire form."""
    http.get(re.compile(r".*"), payload=ok([TX], **META))

    await client.va_transactions.list(
        "A1",
        va_number="888",
        status=vapay.VATransactionStatus.PAID,
        merchant_reff_no="INV",
        transaction_id="VA-2025",
        has_settle=False,
        amount=Decimal("1234.56"),
        amount_min=0,
        amount_max=10**6,
        sort_by="post_timestamp",
        sort_order="asc",
        post_timestamp_from=JAN_1,
        post_timestamp_to=JAN_1_MS + 1,
        processed_timestamp_from=JAN_1_MS,
        processed_timestamp_to=JAN_1 + dt.timedelta(days=1),
        settle_at_from=0,
        settle_at_to=JAN_1_MS,
        per_page=50,
    ).collect()

    method, url, call = only_call(http)
    assert (method, url.path) == ("GET", "/api/v1.0/va-transactions/A1")
    assert call.kwargs["params"] == {
        "per_page": "50",
        "va_number": "888",
        "status": "paid",
        "merchant_reff_no": "INV",
        "transaction_id": "VA-2025",
        "has_settle": "0",
        "amount": "1234.56",
        "amount_min": "0",
        "amount_max": "1000000",
        "sort_by": "post_timestamp",
        "sort_order": "asc",
        "post_timestamp_from": str(JAN_1_MS),
        "post_timestamp_to": str(JAN_1_MS + 1),
        "processed_timestamp_from": str(JAN_1_MS),
        "processed_timestamp_to": str(JAN_1_MS + 86_400_000),
        "settle_at_from": "0",
        "settle_at_to": str(JAN_1_MS),
        "page": "1",
    }


@pytest.mark.parametrize(
    ("filters", "error", "match"),
    [
        ({"status": "settled"}, ValueError, "status must be one of 'unpaid', 'paid'"),
        ({"status": "PAID"}, ValueError, "status must be one of"),
        ({"sort_order": "newest"}, ValueError, "sort_order must be one of 'asc', 'desc'"),
        ({"sort_by": "date"}, ValueError, "sort_by must be one of"),
        ({"has_settle": "yes"}, ValueError, "has_settle must be True or False"),
        ({"has_settle": 1}, ValueError, "has_settle must be True or False"),
        ({"amount_min": -1}, ValueError, "amount_min must be a finite amount >= 0"),
        ({"amount_max": 1.5}, ValueError, "pass a Decimal"),
        ({"amount_min": 10, "amount_max": 5}, ValueError, "amount_max .* is before amount_min"),
        ({"settle_at_from": dt.datetime(2026, 1, 1)}, ValueError, "naive"),  # noqa: DTZ001
        (
            {"processed_timestamp_from": JAN_1_MS, "processed_timestamp_to": JAN_1_MS - 1},
            ValueError,
            "processed_timestamp_to .* is before processed_timestamp_from",
        ),
        ({"stauts": "paid"}, TypeError, "unknown filter 'stauts'"),
    ],
    ids=lambda value: None if isinstance(value, (dict, type)) else str(value)[:30],
)
async def test_transaction_filters_are_checked_before_sending(
    http: aioresponses,
    client: vapay.Client,
    filters: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    """A bad filter fails at list() time, naming it, and nothing is sent."""
    with pytest.raises(error, match=match):
        client.va_transactions.list("A1", **filters)

    assert http.requests == {}


async def test_transactions_decode_the_wire_drift(http: aioresponses, client: vapay.Client) -> None:
    """ms strings and ints become aware datetimes, a flat int fee a Money, the account set."""
    http.get(re.compile(r".*"), payload=ok([TX], **META))

    (tx,) = await client.va_transactions.list("A1").collect()

    assert tx == vapay.VATransaction(
        transaction_id="VA-20251024-0001H9X8ZK",
        status=vapay.VATransactionStatus.PAID,
        amount=vapay.Money(value=Decimal("1234.56"), currency="IDR"),
        account_id="A1",
        merchant_reff_no="INV/2025/10/0001",
        va_number="88810012345678",
        fees=vapay.Fee(amount=vapay.Money(value=Decimal(4500)), name="BRI Virtual Account"),
        has_settle=True,
        settle_at=dt.datetime(2024, 10, 24, 7, 0, tzinfo=dt.timezone.utc),
        post_timestamp=dt.datetime(2024, 10, 24, 5, 44, 39, 474000, tzinfo=dt.timezone.utc),
        processed_timestamp=dt.datetime(2024, 10, 24, 5, 45, 7, tzinfo=dt.timezone.utc),
    )


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (
            {"fees": {"name": "f", "amount": "1500.00"}, "settle_at": None},
            (Decimal("1500.00"), None),
        ),
        (
            {"fees": {"name": "f", "amount": {"value": 99, "currency": "IDR"}}, "settle_at": "0"},
            (Decimal(99), dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)),
        ),
        (
            {"fees": None, "settle_at": 1729753200000},
            (None, dt.datetime(2024, 10, 24, 7, tzinfo=dt.timezone.utc)),
        ),
    ],
    ids=["fee-as-text", "fee-as-money", "no-fee"],
)
async def test_fees_and_settlement_decode_in_every_form(
    http: aioresponses,
    client: vapay.Client,
    wire: dict[str, object],
    expected: tuple[Decimal | None, dt.datetime | None],
) -> None:
    """fees.amount as int, text or money object; settle_at null, text or int."""
    http.get(re.compile(r".*"), payload=ok([{**TX, **wire}], **META))

    (tx,) = await client.va_transactions.list("A1").collect()

    assert ((tx.fees.amount.value if tx.fees else None), tx.settle_at) == expected


async def test_list_by_va_number_uses_its_own_path(
    http: aioresponses, client: vapay.Client
) -> None:
    """list_by_va_number() is GET .../{account}/detail-by-va-number/{number}."""
    http.get(re.compile(r".*"), payload=ok([TX], **META))

    await client.va_transactions.list_by_va_number("A1", "0888", status="expired").collect()

    _method, url, call = only_call(http)
    assert url.path == "/api/v1.0/va-transactions/A1/detail-by-va-number/0888"
    assert call.kwargs["params"] == {"status": "expired", "page": "1"}


async def test_transaction_get_reads_one_payment(http: aioresponses, client: vapay.Client) -> None:
    """get(account, transaction_id) is GET .../{account}/{transaction_id}."""
    http.get(f"{BASE}/api/v1.0/va-transactions/A1/VA-1", payload=ok(TX))

    tx = await client.va_transactions.get("A1", "VA-1")

    assert (tx.transaction_id, tx.account_id) == ("VA-20251024-0001H9X8ZK", "A1")


async def test_transaction_dedupe_keys_on_the_transaction_id(
    http: aioresponses, client: vapay.Client
) -> None:
    """dedupe=True drops a payment whose transaction_id was already yielded."""
    block = {"currentPage": 1, "totalPages": 2, "perPage": 2, "total": 4}
    http.get(
        re.compile(r".*page=1.*"), payload=ok([TX, {**TX, "transaction_id": "T2"}], meta=block)
    )
    http.get(
        re.compile(r".*page=2.*"),
        payload=ok(
            [{**TX, "transaction_id": "T2"}, {**TX, "transaction_id": "T3"}],
            meta={**block, "currentPage": 2},
        ),
    )

    txs = await client.va_transactions.list("A1", dedupe=True).collect()

    assert [tx.transaction_id for tx in txs] == ["VA-20251024-0001H9X8ZK", "T2", "T3"]


@pytest.mark.parametrize(
    ("account_id", "path", "expected_account"),
    [(None, "/api/v1.0/balance-inquiry", None), ("A1", "/api/v1.0/balance-inquiry/A1", "A1")],
    ids=["merchant", "sub-account"],
)
async def test_balance_reads_the_merchant_or_a_sub_account(
    http: aioresponses,
    client: vapay.Client,
    account_id: str | None,
    path: str,
    expected_account: str | None,
) -> None:
    """balance.get() and .get(account_id) read the two balance routes."""
    data = {
        "balance": MONEY,
        "available_balance": MONEY,
        "pending_balance": {"value": 0},
        "held_balance": None,
    }
    http.get(f"{BASE}{path}", payload=ok(data))

    balance = await client.balance.get(account_id)

    assert balance == vapay.Balance(
        balance=vapay.Money(value=Decimal("1000.00")),
        available_balance=vapay.Money(value=Decimal("1000.00")),
        pending_balance=vapay.Money(value=Decimal(0)),
        account_id=expected_account,
    )
