"""`vapay transactions list` against the sandbox's seeded payments."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from cli_money import JAKARTA, api_requests, from_ms, ms, pay, screen

from conftest import Run
from vapay.sandbox import Sandbox, TransactionRecord

TXS = "/api/v1.0/va-transactions"


@pytest.fixture(name="wide")
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough for a row of 22-digit ids without folding."""
    monkeypatch.setenv("COLUMNS", "160")


def jsonl(text: str) -> list[dict[str, Any]]:
    """Printed JSON Lines."""
    return [json.loads(line) for line in text.splitlines()]


def jakarta_day(tx: TransactionRecord) -> dt.date:
    """The calendar day, in Jakarta, on which *tx* was processed."""
    assert tx.processed_timestamp is not None
    return from_ms(tx.processed_timestamp).astimezone(JAKARTA).date()


def test_piped_rows_are_the_accounts_payments(run: Run, credentials: Sandbox) -> None:
    """JSON Lines, one per payment, in the API's order, every drifting type decoded."""
    account = credentials.state.accounts[0].id

    result = run("transactions", "list", account, "--per-page", "5")

    expected = credentials.state.expected_transactions(account)
    printed = jsonl(result.out)
    assert result.code == 0
    assert len(expected) > 5  # several pages
    assert [
        (
            tx["transaction_id"],
            tx["account_id"],
            tx["status"],
            Decimal(tx["amount"]["value"]),
            Decimal(tx["fees"]["amount"]["value"]),
            tx["va_number"],
            tx["merchant_reff_no"],
            tx["has_settle"],
            tx["settle_at"],
            tx["processed_timestamp"],
        )
        for tx in printed
    ] == [
        (
            e.transaction_id,
            account,
            e.status,
            e.amount,
            e.fee,
            e.va_number,
            e.merchant_reff_no,
            e.has_settle,
            None if e.settle_at is None else from_ms(e.settle_at).isoformat(),
            None if e.processed_timestamp is None else from_ms(e.processed_timestamp).isoformat(),
        )
        for e in expected
    ]
    assert all(isinstance(tx["amount"]["value"], str) for tx in printed)


def test_filters_are_sent_under_the_apis_names(run: Run, credentials: Sandbox) -> None:
    """Every filter flag becomes its query parameter; the rows are the filtered ones."""
    account = credentials.state.accounts[0].id
    some = credentials.state.expected_transactions(account, status="paid")[0]

    result = run(
        "transactions",
        "list",
        account,
        "--status",
        "paid",
        "--va-number",
        some.va_number,
        "--merchant-reff-no",
        "INV",
        "--has-settle",
        "yes" if some.has_settle else "no",
        "--sort-by",
        "amount",
        "--sort-order",
        "asc",
        "--per-page",
        "7",
    )

    (request,) = api_requests(credentials)
    assert (request.method, request.path) == ("GET", f"{TXS}/{account}")
    assert request.query == {
        "status": "paid",
        "va_number": some.va_number,
        "merchant_reff_no": "INV",
        "has_settle": "1" if some.has_settle else "0",
        "sort_by": "amount",
        "sort_order": "asc",
        "per_page": "7",
        "page": "1",
    }
    expected = credentials.state.expected_transactions(
        account,
        status="paid",
        va_number=some.va_number,
        merchant_reff_no="INV",
        has_settle=some.has_settle,
        sort_by="amount",
        sort_order="asc",
    )
    assert [tx["transaction_id"] for tx in jsonl(result.out)] == [
        e.transaction_id for e in expected
    ]


def test_from_is_one_jakarta_day(run: Run, credentials: Sandbox) -> None:
    """`--from DAY` alone: that calendar day in Jakarta, 00:00 to 23:59:59.999 WIB."""
    account = credentials.state.accounts[0].id
    rows = credentials.state.expected_transactions(account)
    day = jakarta_day(rows[len(rows) // 2])

    result = run("transactions", "list", account, "--from", day.isoformat())

    midnight = dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA)
    (request,) = api_requests(credentials)
    assert request.query == {
        "processed_timestamp_from": str(ms(midnight)),
        "processed_timestamp_to": str(ms(midnight + dt.timedelta(days=1)) - 1),
        "page": "1",
    }
    assert {tx["transaction_id"] for tx in jsonl(result.out)} == {
        tx.transaction_id for tx in rows if jakarta_day(tx) == day
    }


def test_from_to_is_inclusive(run: Run, credentials: Sandbox) -> None:
    """`--from A --to B`: every payment processed on A, B or a day between, in Jakarta."""
    account = credentials.state.accounts[0].id
    rows = credentials.state.expected_transactions(account)
    first, last = sorted({jakarta_day(rows[-1]), jakarta_day(rows[len(rows) // 2])})

    result = run(
        "transactions", "list", account, "--from", first.isoformat(), "--to", last.isoformat()
    )

    printed = {tx["transaction_id"] for tx in jsonl(result.out)}
    assert printed == {tx.transaction_id for tx in rows if first <= jakarta_day(tx) <= last}
    assert len(printed) >= 2


def test_to_alone_is_an_upper_bound(run: Run, credentials: Sandbox) -> None:
    """`--to DAY` without `--from`: everything processed up to the end of DAY."""
    account = credentials.state.accounts[0].id
    rows = credentials.state.expected_transactions(account)
    day = jakarta_day(rows[len(rows) // 2])

    result = run("transactions", "list", account, "--to", day.isoformat())

    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=JAKARTA)
    assert api_requests(credentials)[0].query == {
        "processed_timestamp_to": str(ms(end) - 1),
        "page": "1",
    }
    assert {tx["transaction_id"] for tx in jsonl(result.out)} == {
        tx.transaction_id for tx in rows if jakarta_day(tx) <= day
    }


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2026-02-30"),
        ("--from", "28-11-2026"),
        ("--from", "2026-11-28T00:00"),
        ("--to", "yesterday"),
        ("--from", "2026-11-28", "--to", "2026-11-27"),
        ("--to", "2026-11-27", "--from", "2026-11-28"),
        ("--status", "settled"),
        ("--has-settle", "true"),
        ("--sort-order", "up"),
        ("--per-page", "0"),
    ],
    ids=" ".join,
)
def test_bad_flags_are_usage_errors(run: Run, credentials: Sandbox, args: tuple[str, ...]) -> None:
    """A bad date, a `--to` before `--from` or an unknown value exits 2, sending nothing."""
    result = run("transactions", "list", credentials.state.accounts[0].id, *args)

    assert (result.code, result.out) == (2, "")
    assert "usage: vapay transactions list" in result.err
    assert credentials.state.requests == []


def test_table_shows_jakarta_times(run_tty: Run, credentials: Sandbox, wide: None) -> None:
    """On a terminal: a row per payment, amounts grouped, times in WIB (UTC+7)."""
    account = credentials.state.accounts[0].id
    rows = credentials.state.expected_transactions(account)

    shown = screen(run_tty("transactions", "list", account).out)

    assert f"{len(rows)} payments into the virtual accounts of account {account}" in shown
    assert "Processed (WIB)" in shown
    for tx in rows:
        assert tx.processed_timestamp is not None
        processed = from_ms(tx.processed_timestamp).astimezone(JAKARTA)
        assert f"{processed:%Y-%m-%d %H:%M:%S}" in shown
        assert f"{tx.amount:,.2f}" in shown
        assert tx.transaction_id in shown


def test_references_are_shown_inert(run_tty: Run, credentials: Sandbox, wide: None) -> None:
    """A reference holding escape sequences is shown escaped on a terminal, exact in JSON."""
    account = credentials.state.accounts[0].id
    hostile = "\x1b]0;pwned\x07INV-\u202e9"
    created = run_tty(
        "--json",
        "virtual-accounts",
        "create",
        account,
        "--bank-code",
        "BCA",
        "--kind",
        "permanent",
        "--amount",
        "25000",
        "--merchant-reff-no",
        hostile,
    )
    number = json.loads(created.out)["number"]
    pay(credentials, account, number)

    shown = run_tty("transactions", "list", account, "--va-number", number).out
    piped = run_tty("--json", "transactions", "list", account, "--va-number", number).out

    assert "\x1b]" not in shown
    assert "\u202e" not in shown
    assert "\\x1b]0;pwned\\x07INV-\\u202e9" in screen(shown)
    assert [tx["merchant_reff_no"] for tx in jsonl(piped)] == [hostile]


def test_rows_stream_as_pages_arrive(run: Run, credentials: Sandbox) -> None:
    """Piped, each page is printed as it arrives: a failure on page 2 leaves page 1 out."""
    account = credentials.state.accounts[0].id
    credentials.fault_schedule("va_transactions.list", ["ok", 500])

    result = run("--max-retries", "0", "transactions", "list", account, "--per-page", "2")

    first_page = credentials.state.expected_transactions(account)[:2]
    assert result.code == 1
    assert [tx["transaction_id"] for tx in jsonl(result.out)] == [
        tx.transaction_id for tx in first_page
    ]
    assert result.err.startswith("vapay: error: server error (HTTP 500)")


def test_unknown_account_is_not_found(run: Run, credentials: Sandbox) -> None:
    """An account the merchant does not have: the 404 as one line."""
    result = run("transactions", "list", "404404")

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("vapay: error: not found (HTTP 404): ")
