"""VA transactions: list, show and list-by-number, every filter and sort (MONEY-IN.md §3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import DAY_MS, NOW, Api

from vapay.sandbox import Sandbox, TransactionRecord

TX = "/api/v1.0/va-transactions"
# Two accounts with about 45 rows each: enough for several pages.
MANY: dict[str, Any] = {"accounts": 2, "virtual_accounts_per_account": 30}
BOTH_MODES = pytest.mark.parametrize(
    "sandbox_options", [MANY, {**MANY, "live": True}], ids=["seed", "live"]
)
ROW_KEYS = {
    "transaction_id",
    "merchant_reff_no",
    "va_number",
    "account",
    "bank",
    "notes",
    "status",
    "fees",
    "amount",
    "post_timestamp",
    "processed_timestamp",
    "has_settle",
    "settle_at",
}
BUSINESS_ID = re.compile(r"VA-20[0-9]{6}-[0-9A-HJKMNP-TV-Z]{10}")
NUMERIC_ID = re.compile(r"[0-9]{22}")
YEAR_MS = 365 * DAY_MS


def first_account(api: Api) -> str:
    return api.sandbox.state.accounts[0].id


def records(api: Api, account_id: str) -> list[TransactionRecord]:
    return list(api.sandbox.state.transactions.rows(account_id))


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["transaction_id"] for item in items]


@BOTH_MODES
async def test_the_list_serves_every_row_newest_first(api: Api) -> None:
    """Without parameters: every row of the account, by row id, newest first."""
    account_id = first_account(api)
    by_id = {tx.transaction_id: tx for tx in records(api, account_id)}

    items = await api.walk(f"{TX}/{account_id}")

    assert ids(items) == [
        tx.transaction_id for tx in api.sandbox.state.expected_transactions(account_id)
    ]
    assert sorted(ids(items)) == sorted(by_id)
    row_ids = [by_id[i].row_id for i in ids(items)]
    assert row_ids == sorted(row_ids, reverse=True)


@pytest.mark.parametrize("sandbox_options", [MANY])
@pytest.mark.parametrize("per_page", ["1", "7", "25", "44", "100"])
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
async def test_walking_pages_yields_each_row_once(api: Api, per_page: str, sort_order: str) -> None:
    """Every page size walks the rows exactly once, in order."""
    account_id = api.sandbox.state.accounts[1].id
    expected = api.sandbox.state.expected_transactions(account_id, sort_order=sort_order)

    items = await api.walk(f"{TX}/{account_id}", per_page=per_page, sort_order=sort_order)

    assert len(expected) > 25
    assert ids(items) == [tx.transaction_id for tx in expected]


@BOTH_MODES
async def test_paging_metadata_is_under_meta_in_the_modes_case(api: Api) -> None:
    """The block is `meta`: camelCase keys in seed mode, snake_case in live mode."""
    account_id = first_account(api)
    total = len(api.sandbox.state.expected_transactions(account_id))

    _, body = await api.call("GET", f"{TX}/{account_id}", params={"page": "2", "per_page": "10"})

    assert "pagination" not in body
    meta = body["meta"]
    keys = (
        ("per_page", "current_page", "total_pages")
        if api.sandbox.state.live
        else ("perPage", "currentPage", "totalPages")
    )
    assert (meta["count"], meta["total"]) == (10, total)
    assert [meta[key] for key in keys] == [10, 2, -(-total // 10)]
    assert set(meta["links"]) == {"previous", "next"}


@pytest.mark.parametrize(
    ("route", "per_page"), [("list", 25), ("by-number", 50)], ids=["list", "by-number"]
)
async def test_the_default_page_size_is_documented(api: Api, route: str, per_page: int) -> None:
    """25 rows a page for the list, 50 for the list of one VA."""
    tx = records(api, first_account(api))[0]
    path = f"{TX}/{tx.account_id}"
    if route == "by-number":
        path += f"/detail-by-va-number/{tx.va_number}"

    _, body = await api.call("GET", path)

    assert body["meta"]["perPage"] == per_page


@BOTH_MODES
async def test_rows_have_the_documented_shape(api: Api) -> None:
    """Each row has MONEY-IN.md's keys, nested account and bank objects included."""
    account = api.sandbox.state.accounts[0]

    items = await api.walk(f"{TX}/{account.id}")

    for item in items:
        assert set(item) == ROW_KEYS
        assert set(item["account"]) == {"id", "name", "email", "phone"}
        assert (item["account"]["id"], item["account"]["name"]) == (account.id, account.name)
        assert set(item["bank"]) == {"short_name", "number", "swift_code", "bank_code"}
        assert set(item["fees"]) == {"name", "amount", "currency"}
        assert BUSINESS_ID.fullmatch(item["transaction_id"]) or NUMERIC_ID.fullmatch(
            item["transaction_id"]
        )
        assert isinstance(item["va_number"], str)


def wire_rows(state: Any) -> list[dict[str, Any]]:
    """Every seeded row as the sandbox encodes it."""
    import json  # noqa: PLC0415

    return [
        json.loads(state.transaction_json(tx))
        for account in state.accounts
        for tx in state.transactions.rows(account.id)
    ]


def kinds(values: list[Any]) -> set[str]:
    return {type(v).__name__ for v in values}


@pytest.mark.parametrize("seed", range(3))
def test_seeded_rows_carry_the_wire_drift(seed: int) -> None:
    """Times as ms strings, settle_at int or null, fees int or "x.00", amounts str or number."""
    rows = wire_rows(Sandbox(seed=seed, **MANY).state)

    assert kinds([r["post_timestamp"] for r in rows]) == {"str"}
    assert kinds([r["processed_timestamp"] for r in rows]) == {"str"}
    assert all(r["post_timestamp"].isdigit() and len(r["post_timestamp"]) == 13 for r in rows)
    assert kinds([r["settle_at"] for r in rows]) == {"int", "NoneType"}
    assert kinds([r["fees"]["amount"] for r in rows]) == {"int", "str"}
    assert all(
        re.fullmatch(r"[0-9]+\.[0-9]{2}", r["fees"]["amount"])
        for r in rows
        if isinstance(r["fees"]["amount"], str)
    )
    assert kinds([r["amount"]["value"] for r in rows]) >= {"str", "int"}
    assert any(BUSINESS_ID.fullmatch(r["transaction_id"]) for r in rows)
    assert any(NUMERIC_ID.fullmatch(r["transaction_id"]) for r in rows)


@pytest.mark.parametrize("live", [False, True], ids=["seed", "live"])
@pytest.mark.parametrize("seed", range(5))
def test_the_default_sandbox_has_every_kind_of_payment(seed: int, live: bool) -> None:
    """3 accounts x 5 VAs hold paid settled, paid unsettled and expired rows."""
    state = Sandbox(seed=seed, live=live, clock=lambda: NOW).state
    rows = [tx for a in state.accounts for tx in state.transactions.rows(a.id)]

    assert {(tx.status, tx.has_settle) for tx in rows} == {
        ("paid", True),
        ("paid", False),
        ("expired", False),
    }


@pytest.mark.parametrize("live", [False, True], ids=["seed", "live"])
def test_each_va_has_as_many_paid_rows_as_its_current_usage(live: bool) -> None:
    """Seeded history agrees with the VAs: paid rows per VA == current_usage."""
    state = Sandbox(live=live, **MANY).state

    for account in state.accounts:
        paid = [
            tx.virtual_account_id
            for tx in state.transactions.rows(account.id)
            if tx.status == "paid"
        ]
        for va in state.virtual_accounts[account.id]:
            assert paid.count(va.id) == va.current_usage


def test_seeded_history_is_the_45_days_before_the_clocks_day() -> None:
    """Rows fall between 45 days before midnight UTC of the sandbox's day and that midnight."""
    midnight = int(NOW // 86_400) * DAY_MS
    state = Sandbox(clock=lambda: NOW, **MANY).state
    rows = [tx for a in state.accounts for tx in state.transactions.rows(a.id)]

    assert all(midnight - 45 * DAY_MS <= tx.post_timestamp < midnight for tx in rows)
    assert all(tx.settle_at is None or tx.settle_at < midnight for tx in rows)
    assert all(
        tx.processed_timestamp is not None and tx.processed_timestamp >= tx.post_timestamp
        for tx in rows
    )


def test_one_seed_and_one_day_give_one_history() -> None:
    """Two sandboxes with one seed and one clock hold equal transactions."""
    one = Sandbox(seed=4, clock=lambda: NOW, **MANY).state
    two = Sandbox(seed=4, clock=lambda: NOW + 3600, **MANY).state

    assert wire_rows(one) == wire_rows(two)


@pytest.mark.parametrize("sandbox_options", [MANY])
async def test_served_rows_match_their_records(api: Api) -> None:
    """Normalised, each served row equals its record, and the totals are exact."""
    account_id = api.sandbox.state.accounts[1].id
    by_id = {tx.transaction_id: tx for tx in records(api, account_id)}

    items = await api.walk(f"{TX}/{account_id}")

    for item in items:
        tx = by_id[item["transaction_id"]]
        assert Decimal(str(item["amount"]["value"])) == tx.amount
        assert Decimal(str(item["fees"]["amount"])) == tx.fee
        assert int(item["post_timestamp"]) == tx.post_timestamp
        assert int(item["processed_timestamp"]) == tx.processed_timestamp
        assert (item["settle_at"], item["has_settle"], item["status"]) == (
            tx.settle_at,
            tx.has_settle,
            tx.status,
        )
        assert (item["va_number"], item["merchant_reff_no"], item["bank"]["bank_code"]) == (
            tx.va_number,
            tx.merchant_reff_no,
            tx.bank_code,
        )
    total = sum(Decimal(str(item["amount"]["value"])) for item in items)
    assert total == sum(tx.amount for tx in by_id.values())


Filter = Callable[[list[TransactionRecord]], tuple[dict[str, str], dict[str, Any]]]


def _paid(_: list[TransactionRecord]) -> tuple[dict[str, str], dict[str, Any]]:
    return {"status": "paid"}, {"status": "paid"}


def _median(rows: list[TransactionRecord], key: Callable[[TransactionRecord], Any]) -> Any:
    return sorted(key(tx) for tx in rows if key(tx) is not None)[len(rows) // 3]


FILTERS: dict[str, Filter] = {
    "status-paid": _paid,
    "status-expired": lambda _: ({"status": "expired"}, {"status": "expired"}),
    "has-settle-true": lambda _: ({"has_settle": "true"}, {"has_settle": True}),
    "has-settle-0": lambda _: ({"has_settle": "0"}, {"has_settle": False}),
    "va-number": lambda rows: ({"va_number": rows[3].va_number}, {"va_number": rows[3].va_number}),
    "transaction-id-prefix": lambda _: (
        {"transaction_id": "va-2025"},
        {"transaction_id": "va-2025"},
    ),
    "transaction-id-digits": lambda rows: (
        {"transaction_id": rows[0].transaction_id[-6:]},
        {"transaction_id": rows[0].transaction_id[-6:]},
    ),
    "merchant-reff-no": lambda _: (
        {"merchant_reff_no": "inv-00001-001"},
        {"merchant_reff_no": "INV-00001-001"},
    ),
    "amount": lambda rows: ({"amount": str(rows[2].amount)}, {"amount": rows[2].amount}),
    "amount-min": lambda rows: (
        {"amount_min": str(_median(rows, lambda t: t.amount))},
        {"amount_min": _median(rows, lambda t: t.amount)},
    ),
    "amount-max": lambda rows: (
        {"amount_max": str(_median(rows, lambda t: t.amount))},
        {"amount_max": _median(rows, lambda t: t.amount)},
    ),
    "amount-range": lambda _: (
        {"amount_min": "100000", "amount_max": "1000000.50"},
        {"amount_min": 100000, "amount_max": Decimal("1000000.50")},
    ),
    "post-from": lambda rows: (
        {"post_timestamp_from": str(rows[5].post_timestamp)},
        {"post_timestamp_from": rows[5].post_timestamp},
    ),
    "post-to": lambda rows: (
        {"post_timestamp_to": str(rows[5].post_timestamp)},
        {"post_timestamp_to": rows[5].post_timestamp},
    ),
    "processed-range": lambda rows: (
        {
            "processed_timestamp_from": str(rows[3].processed_timestamp),
            "processed_timestamp_to": str(rows[12].processed_timestamp),
        },
        {
            "processed_timestamp_from": rows[3].processed_timestamp,
            "processed_timestamp_to": rows[12].processed_timestamp,
        },
    ),
    "settle-from": lambda rows: (
        {"settle_at_from": str(_median(rows, lambda t: t.settle_at))},
        {"settle_at_from": _median(rows, lambda t: t.settle_at)},
    ),
    "settle-to": lambda rows: (
        {"settle_at_to": str(_median(rows, lambda t: t.settle_at))},
        {"settle_at_to": _median(rows, lambda t: t.settle_at)},
    ),
    "status-and-unsettled": lambda _: (
        {"status": "paid", "has_settle": "false"},
        {"status": "paid", "has_settle": False},
    ),
}


@pytest.mark.parametrize("sandbox_options", [MANY])
@pytest.mark.parametrize("name", list(FILTERS))
async def test_each_filter_selects_the_expected_rows(api: Api, name: str) -> None:
    """Each filter serves exactly the rows expected_transactions picks: some, not all."""
    account_id = first_account(api)
    rows = records(api, account_id)
    params, filters = FILTERS[name](rows)
    expected = api.sandbox.state.expected_transactions(account_id, **filters)

    items = await api.walk(f"{TX}/{account_id}", **params)

    assert 0 < len(expected) < len(rows)
    assert ids(items) == [tx.transaction_id for tx in expected]


@pytest.mark.parametrize("sandbox_options", [MANY])
@pytest.mark.parametrize(
    ("params", "holds"),
    [
        ({"status": "expired"}, lambda r: r["status"] == "expired"),
        ({"has_settle": "1"}, lambda r: r["has_settle"] is True and r["settle_at"] is not None),
        ({"has_settle": "false"}, lambda r: r["has_settle"] is False and r["settle_at"] is None),
        ({"amount_min": "1000000"}, lambda r: Decimal(str(r["amount"]["value"])) >= 1000000),
        ({"amount_max": "1000000"}, lambda r: Decimal(str(r["amount"]["value"])) <= 1000000),
        ({"transaction_id": "va-"}, lambda r: r["transaction_id"].startswith("VA-")),
        ({"settle_at_from": "0000000000001"}, lambda r: r["settle_at"] is not None),
    ],
    ids=["expired", "settled", "unsettled", "amount-min", "amount-max", "id-like", "settle-range"],
)
async def test_served_rows_satisfy_their_filter(
    api: Api, params: dict[str, str], holds: Callable[[dict[str, Any]], bool]
) -> None:
    """Checked on the wire rows themselves, not only against expected_transactions."""
    items = await api.walk(f"{TX}/{first_account(api)}", **params)

    assert items
    assert all(holds(item) for item in items)


def sort_value(tx: TransactionRecord, sort_by: str) -> Decimal:
    """What sort_by orders by, read from the record (created_at is the post time)."""
    if sort_by == "amount":
        return tx.amount
    return Decimal(tx.row_id if sort_by == "id" else tx.post_timestamp)


@pytest.mark.parametrize("sandbox_options", [MANY])
@pytest.mark.parametrize("sort_by", ["id", "created_at", "amount", "post_timestamp"])
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
async def test_every_sort_orders_the_rows(api: Api, sort_by: str, sort_order: str) -> None:
    """sort_by and sort_order order the rows; ties keep row order (reversed for desc)."""
    account_id = first_account(api)
    by_id = {tx.transaction_id: tx for tx in records(api, account_id)}
    expected = api.sandbox.state.expected_transactions(
        account_id, sort_by=sort_by, sort_order=sort_order
    )

    items = await api.walk(
        f"{TX}/{account_id}", sort_by=sort_by, sort_order=sort_order, per_page="9"
    )

    assert ids(items) == [tx.transaction_id for tx in expected]
    served = [by_id[i] for i in ids(items)]
    values = [sort_value(tx, sort_by) for tx in served]
    assert values == sorted(values, reverse=sort_order == "desc")


MS = "field must be a Unix timestamp in milliseconds."
GTE = "field must be greater than or equal to"
BAD_QUERIES = [
    ("status=refunded", "status", "The selected status is invalid."),
    ("sort_by=name", "sort_by", "The selected sort by is invalid."),
    ("sort_order=up", "sort_order", "The selected sort order is invalid."),
    ("sort_order=DESC", "sort_order", "The selected sort order is invalid."),
    ("has_settle=yes", "has_settle", "The has settle field must be true or false."),
    ("has_settle=2", "has_settle", "The has settle field must be true or false."),
    ("amount=-1", "amount", "The amount field must be at least 0."),
    ("amount_min=abc", "amount_min", "The amount min field must be a number."),
    ("amount_max=1e5", "amount_max", "The amount max field must be a number."),
    ("amount_min=10&amount_max=9", "amount_max", f"The amount max {GTE} amount min."),
    ("post_timestamp_from=2025-09-01", "post_timestamp_from", f"The post timestamp from {MS}"),
    ("post_timestamp_to=1757000000", "post_timestamp_to", f"The post timestamp to {MS}"),
    (
        "processed_timestamp_from=abc",
        "processed_timestamp_from",
        f"The processed timestamp from {MS}",
    ),
    ("settle_at_to=1757000000000.5", "settle_at_to", f"The settle at to {MS}"),
    (
        "settle_at_from=1757000000001&settle_at_to=1757000000000",
        "settle_at_to",
        f"The settle at to {GTE} settle at from.",
    ),
    ("page=0", "page", "The page field must be at least 1."),
    ("per_page=101", "per_page", "The per page field must not be greater than 100."),
    ("per_page=x", "per_page", "The per page field must be an integer."),
]


@pytest.mark.parametrize(
    ("query", "field", "message"), BAD_QUERIES, ids=[q[0] for q in BAD_QUERIES]
)
@pytest.mark.parametrize("route", ["list", "by-number"])
async def test_bad_query_values_are_a_422(
    api: Api, query: str, field: str, message: str, route: str
) -> None:
    """A bad filter, sort or page value is a 422 naming the parameter."""
    tx = records(api, first_account(api))[0]
    path = f"{TX}/{tx.account_id}"
    if route == "by-number":
        path += f"/detail-by-va-number/{tx.va_number}"

    status, body = await api.call("GET", f"{path}?{query}")

    assert status == 422
    assert body["error"]["errors"] == {field: [message]}


async def test_empty_query_values_count_as_absent(api: Api) -> None:
    """As in Laravel, `status=&sort_by=` fall back to no filter and the default order."""
    account_id = first_account(api)

    items = await api.walk(f"{TX}/{account_id}", status="", sort_by="", has_settle="")

    assert ids(items) == [
        tx.transaction_id for tx in api.sandbox.state.expected_transactions(account_id)
    ]


@pytest.mark.parametrize("sandbox_options", [MANY])
async def test_the_list_by_number_serves_one_virtual_accounts_rows(api: Api) -> None:
    """detail-by-va-number lists that VA's rows only, and ignores a va_number parameter."""
    account_id = first_account(api)
    number = max(records(api, account_id), key=lambda tx: tx.amount).va_number
    expected = api.sandbox.state.expected_transactions(account_id, va_number=number)

    items = await api.walk(
        f"{TX}/{account_id}/detail-by-va-number/{number}", va_number="0000", per_page="1"
    )

    assert expected
    assert ids(items) == [tx.transaction_id for tx in expected]
    assert {item["va_number"] for item in items} == {number}


async def test_the_list_by_number_of_an_unknown_number_is_a_404(api: Api) -> None:
    """A number that is none of the account's VAs answers 404."""
    status, body = await api.call("GET", f"{TX}/{first_account(api)}/detail-by-va-number/123")

    assert status == 404
    assert body["error"]["message"] == "Virtual Account not found"


@pytest.mark.parametrize("kind", ["business", "numeric"])
async def test_show_serves_the_listed_row(api: Api, kind: str) -> None:
    """GET /{account}/{transaction_id} answers the row the list serves, for both id kinds."""
    state = api.sandbox.state
    pattern = BUSINESS_ID if kind == "business" else NUMERIC_ID
    tx = next(
        tx
        for a in state.accounts
        for tx in state.transactions.rows(a.id)
        if pattern.fullmatch(tx.transaction_id)
    )
    listed = await api.walk(f"{TX}/{tx.account_id}", transaction_id=tx.transaction_id)

    status, body = await api.call("GET", f"{TX}/{tx.account_id}/{tx.transaction_id}")

    assert status == 200
    assert [body["data"]] == listed


@pytest.mark.parametrize("where", ["unknown", "other-account", "unknown-account"])
async def test_show_of_a_transaction_not_there_is_a_404(api: Api, where: str) -> None:
    """An unknown id, or another account's transaction, answers 404."""
    state = api.sandbox.state
    other = state.transactions.rows(state.accounts[1].id)[0].transaction_id
    path = {
        "unknown": f"{TX}/{first_account(api)}/VA-20250101-0000000000",
        "other-account": f"{TX}/{first_account(api)}/{other}",
        "unknown-account": f"{TX}/999/{other}",
    }[where]

    status, body = await api.call("GET", path)

    assert status == 404
    assert body["success"] is False


async def test_only_the_last_12_months_are_served(api: Api) -> None:
    """A row is served up to 365 days after it was posted, and not a millisecond longer."""
    clock = api.sandbox.state.clock
    oldest = min(records(api, first_account(api)), key=lambda tx: tx.post_timestamp)
    path = f"{TX}/{oldest.account_id}"

    clock.now = (oldest.post_timestamp + YEAR_MS) / 1000  # type: ignore[attr-defined]
    on_the_edge = ids(await api.walk(path))
    shown, _ = await api.call("GET", f"{path}/{oldest.transaction_id}")
    clock.now += 0.001  # type: ignore[attr-defined]
    past_it = ids(await api.walk(path))
    gone, _ = await api.call("GET", f"{path}/{oldest.transaction_id}")

    assert oldest.transaction_id in on_the_edge
    assert shown == 200
    assert oldest.transaction_id not in past_it
    assert gone == 404
    expected = api.sandbox.state.expected_transactions(oldest.account_id)
    assert [tx.transaction_id for tx in expected] == past_it


async def test_a_year_later_the_history_is_empty_but_new_payments_show(api: Api) -> None:
    """With the clock a year on, the seeded rows are gone; a payment made then is served."""
    state = api.sandbox.state
    va = next(
        va
        for va in state.virtual_accounts[first_account(api)]
        if va.amount_type == "open" and va.status == "active"
    )
    state.clock.now = NOW + 400 * 86_400  # type: ignore[attr-defined]

    tx = await api.sandbox.pay(va.account_id, va.number, 50_000)
    items = await api.walk(f"{TX}/{va.account_id}")

    assert ids(items) == [tx.transaction_id]


async def test_the_listings_of_an_unknown_account_are_a_404(api: Api) -> None:
    """No account, no listing: 404 before the query is validated."""
    status, body = await api.call("GET", f"{TX}/999?status=nonsense")

    assert status == 404
    assert body["error"]["message"] == "Account not found"


def test_expected_transactions_refuses_unknown_filters(sandbox: Sandbox) -> None:
    """A misspelt filter or an undocumented value fails loudly instead of matching all."""
    account_id = sandbox.state.accounts[0].id

    with pytest.raises(TypeError):
        sandbox.state.expected_transactions(account_id, stauts="paid")
    with pytest.raises(ValueError, match="status"):
        sandbox.state.expected_transactions(account_id, status="refunded")
    with pytest.raises(KeyError):
        sandbox.state.expected_transactions("999")
