"""The reconciliation core: payments matched to invoices, every invoice in one category."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vapay
from vapay.reconcile import (
    AmountMismatch,
    Duplicate,
    Invoice,
    Matched,
    Reconciler,
    Unpaid,
    jakarta_days,
    reconcile,
)


def payment(
    transaction_id: str,
    reference: str | None,
    amount: str | int,
    *,
    status: str = "paid",
    currency: str = "IDR",
    fee: str | int | None = None,
    settled: bool = False,
    account_id: str = "A1",
) -> vapay.VATransaction:
    return vapay.VATransaction(
        transaction_id=transaction_id,
        status=status,
        amount=vapay.Money(value=Decimal(amount), currency=currency),
        merchant_reff_no=reference,
        account_id=account_id,
        fees=None if fee is None else vapay.Fee(amount=vapay.Money(value=Decimal(fee))),
        has_settle=settled,
    )


def invoice(reference: str, amount: str | int, **fields: str) -> Invoice:
    return Invoice(reference=reference, amount=Decimal(amount), **fields)


def run(invoices: list[Invoice], payments: list[vapay.VATransaction]) -> vapay.reconcile.Report:
    reconciler = Reconciler(invoices)
    for each in payments:
        reconciler.add(each)
    return reconciler.report(with_matched=True)


def test_one_exact_payment_matches_its_invoice() -> None:
    """A paid payment with the invoice's reference, amount and currency is matched."""
    report = run([invoice("INV-1", "150000.00")], [payment("T1", "INV-1", "150000")])

    assert report.matched.entries == (
        Matched(invoice=invoice("INV-1", "150000.00"), transaction_id="T1"),
    )
    assert (report.matched.count, report.needs_action) == (1, False)


@pytest.mark.parametrize(
    ("paid", "direction", "difference"),
    [("149999.99", "under", Decimal("-0.01")), ("150001", "over", Decimal(1))],
)
def test_one_payment_of_another_amount_is_a_mismatch_saying_which_way(
    paid: str, direction: str, difference: Decimal
) -> None:
    """Under or over the invoice: an amount_mismatch with the exact difference."""
    report = run([invoice("INV-1", "150000")], [payment("T1", "INV-1", paid)])

    (entry,) = report.amount_mismatch.entries
    assert isinstance(entry, AmountMismatch)
    assert (entry.direction, entry.difference, entry.paid.value) == (
        direction,
        difference,
        Decimal(paid),
    )
    assert report.needs_action


def test_a_payment_in_another_currency_is_a_currency_mismatch() -> None:
    """The same number in USD against an IDR invoice is a mismatch, not compared."""
    report = run([invoice("INV-1", "100")], [payment("T1", "INV-1", "100", currency="USD")])

    (entry,) = report.amount_mismatch.entries
    assert isinstance(entry, AmountMismatch)
    assert (entry.direction, entry.difference) == ("currency", None)
    assert report.amount_mismatch.totals == {"USD": Decimal(100)}


def test_two_payments_for_one_invoice_are_a_duplicate() -> None:
    """A second paid payment makes the invoice a duplicate: a refund to make."""
    report = run(
        [invoice("INV-1", "50000")],
        [payment("T1", "INV-1", "50000"), payment("T2", "INV-1", "50000")],
    )

    (entry,) = report.duplicate.entries
    assert entry == Duplicate(
        invoice=invoice("INV-1", "50000"),
        transaction_ids=("T1", "T2"),
        paid={"IDR": Decimal(100000)},
        split=False,
    )
    assert report.duplicate.totals == {"IDR": Decimal(100000)}


def test_an_invoice_paid_in_two_parts_is_a_split_duplicate() -> None:
    """Two parts adding up exactly to the invoice: a duplicate marked split (no refund)."""
    report = run(
        [invoice("INV-1", "100000")],
        [payment("T1", "INV-1", "60000"), payment("T2", "INV-1", "40000")],
    )

    (entry,) = report.duplicate.entries
    assert isinstance(entry, Duplicate)
    assert entry.split


def test_an_invoice_without_a_paid_payment_is_unpaid_with_its_attempts() -> None:
    """No paid payment: unpaid, listing the expired attempts; unpaid alone needs no action."""
    report = run(
        [invoice("INV-1", "75000")],
        [
            payment("T1", "INV-1", "75000", status="expired"),
            payment("T2", "INV-1", "1", status="failed"),
        ],
    )

    assert report.unpaid.entries == (
        Unpaid(invoice=invoice("INV-1", "75000"), attempts=("T1", "T2")),
    )
    assert report.unpaid.totals == {"IDR": Decimal(75000)}
    assert not report.needs_action


def test_a_paid_payment_no_invoice_expects_is_unexpected_and_streamed() -> None:
    """A paid payment with an unknown reference is unexpected and handed over at once."""
    found: list[str] = []
    reconciler = Reconciler([], on_unexpected=lambda tx: found.append(tx.transaction_id))

    reconciler.add(payment("T1", "INV-404", "10000"))
    reconciler.add(payment("T2", None, "20000"))
    report = reconciler.report()

    assert found == ["T1", "T2"]
    assert (report.unexpected.count, report.unexpected.totals) == (2, {"IDR": Decimal(30000)})
    assert report.unexpected.entries == ()
    assert report.needs_action


def test_an_invoice_with_an_account_ignores_other_accounts_payments() -> None:
    """A payment of another sub-account does not pay an account-bound invoice: unexpected."""
    report = run(
        [invoice("INV-1", "100", account_id="A1")],
        [payment("T1", "INV-1", "100", account_id="A2")],
    )

    assert (report.unpaid.count, report.unexpected.count) == (1, 1)


def test_a_late_callback_turns_an_expired_attempt_paid() -> None:
    """Seen expired, then paid under the same id: matched once, no attempt left over."""
    report = run(
        [invoice("INV-1", "100")],
        [payment("T1", "INV-1", "100", status="expired"), payment("T1", "INV-1", "100")],
    )

    assert report.matched.count == 1
    assert report.payments == 1


def test_a_paid_payment_seen_twice_counts_once() -> None:
    """A payment listed twice (a listing that grew) is neither a duplicate nor counted twice."""
    report = run(
        [invoice("INV-1", "100")],
        [payment("T1", "INV-1", "100", fee=5), payment("T1", "INV-1", "100", fee=5)],
    )

    assert (report.matched.count, report.duplicate.count) == (1, 0)
    assert report.received.gross == {"IDR": Decimal(100)}


def test_paid_wins_over_a_later_expired_sighting() -> None:
    """An expired row after the paid one for the same id does not unpay the invoice."""
    report = run(
        [invoice("INV-1", "100")],
        [payment("T1", "INV-1", "100"), payment("T1", "INV-1", "100", status="expired")],
    )

    assert report.matched.count == 1


@pytest.mark.parametrize(
    ("ledger", "wire", "matched"),
    [
        ("INV-1", "  INV-1 ", True),
        (" INV-1\t", "INV-1", True),
        ("INV-1", "inv-1", False),
    ],
    ids=["payment-padded", "ledger-padded", "case-differs"],
)
def test_references_match_trimmed_and_case_sensitive(ledger: str, wire: str, matched: bool) -> None:
    """Surrounding whitespace is ignored; case is not (a near miss is left for a human)."""
    report = run([invoice(ledger, "1")], [payment("T1", wire, "1")])

    assert report.matched.count == (1 if matched else 0)
    assert report.unexpected.count == (0 if matched else 1)


def test_received_sums_gross_fees_net_and_settlement_per_currency() -> None:
    """Gross, fees and net per currency; settled and unsettled split, all exact."""
    report = run(
        [],
        [
            payment("T1", "a", "1234.56", fee="4500", settled=True),
            payment("T2", "b", "0.44", fee=0),
            payment("T3", "c", "10", currency="USD"),
            payment("T4", "d", "99", status="expired", fee=1),
        ],
    )

    received = report.received
    assert received.gross == {"IDR": Decimal("1235.00"), "USD": Decimal(10)}
    assert received.fees == {"IDR": Decimal(4500)}
    assert received.net == {"IDR": Decimal("-3265.00"), "USD": Decimal(10)}
    assert (received.settled.count, received.settled.totals) == (1, {"IDR": Decimal("1234.56")})
    assert received.unsettled.totals == {"IDR": Decimal("0.44"), "USD": Decimal(10)}


@pytest.mark.parametrize(
    ("invoices", "match"),
    [
        ([invoice("INV-1", 1), invoice(" INV-1", 2)], "on two invoices"),
        ([invoice("  ", 1)], "blank reference"),
        ([invoice("INV-1", -1)], "must be >= 0"),
    ],
    ids=["repeated", "blank", "negative"],
)
def test_a_bad_ledger_is_refused(invoices: list[Invoice], match: str) -> None:
    """Repeated or blank references and negative amounts are ValueErrors up front."""
    with pytest.raises(ValueError, match=match):
        Reconciler(invoices)


async def test_reconcile_takes_an_async_iterable() -> None:
    """reconcile() consumes a listing as list_many gives it."""

    async def listing() -> AsyncIterator[vapay.VATransaction]:
        yield payment("T1", "INV-1", "100")

    report = await reconcile(listing(), [invoice("INV-1", "100")])

    assert report.matched.count == 1


def test_the_json_report_has_every_category_with_its_count() -> None:
    """to_json() holds the five categories with counts, totals as exact strings."""
    report = run(
        [invoice("INV-1", "100"), invoice("INV-2", "5")],
        [payment("T1", "INV-1", "100.50"), payment("T9", "X", "1")],
    )

    data = report.to_json()

    assert {
        name: data[name]["count"]
        for name in ("matched", "amount_mismatch", "duplicate", "unexpected", "unpaid")  # type: ignore[index]
    } == {
        "matched": 0,
        "amount_mismatch": 1,
        "duplicate": 0,
        "unexpected": 1,
        "unpaid": 1,
    }
    assert data["amount_mismatch"] == {
        "count": 1,
        "totals": {"IDR": "100.50"},
        "entries": [
            {
                "category": "amount_mismatch",
                "merchant_reff_no": "INV-1",
                "account_id": None,
                "due": "100",
                "currency": "IDR",
                "transaction_ids": ["T1"],
                "paid": {"IDR": "100.50"},
                "direction": "over",
                "difference": "0.50",
            }
        ],
    }
    assert data["needs_action"] is True


def utc_ms(*fields: int) -> int:
    return int(dt.datetime(*fields, tzinfo=dt.timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            dt.date(2026, 11, 28),
            None,
            (utc_ms(2026, 11, 27, 17), utc_ms(2026, 11, 28, 17) - 1),
        ),
        (
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 2),
            (utc_ms(2025, 12, 31, 17), utc_ms(2026, 1, 2, 17) - 1),
        ),
    ],
    ids=["one-day", "two-days-across-a-year"],
)
def test_jakarta_days_are_utc_plus_seven_inclusive(
    first: dt.date, last: dt.date | None, expected: tuple[int, int]
) -> None:
    """A Jakarta day starts at 17:00 UTC the day before and ends 1 ms before the next one."""
    assert jakarta_days(first, last) == expected


def test_jakarta_days_refuse_a_reversed_range() -> None:
    """A last day before the first is a ValueError."""
    with pytest.raises(ValueError, match="before the first"):
        jakarta_days(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


# Property: categories partition the invoices, and the money adds up exactly.
references = st.sampled_from([f"INV-{n}" for n in range(6)] + ["X-1", "X-2"])
amounts = st.sampled_from(["0.01", "100", "100.00", "99.99", "250000.50", "7"])
payments_strategy = st.lists(
    st.builds(
        payment,
        transaction_id=st.sampled_from([f"T{n}" for n in range(12)]),
        reference=references,
        amount=amounts,
        status=st.sampled_from(["paid", "paid", "expired", "failed"]),
        currency=st.sampled_from(["IDR", "IDR", "USD"]),
        fee=st.one_of(st.none(), st.sampled_from(["0", "1500", "2.5"])),
        settled=st.booleans(),
    ),
    max_size=30,
)
ledgers = st.dictionaries(st.sampled_from([f"INV-{n}" for n in range(6)]), amounts, max_size=6).map(
    lambda d: [invoice(ref, amount) for ref, amount in d.items()]
)


@given(ledger=ledgers, stream=payments_strategy)
def test_categories_partition_invoices_and_totals_add_up(
    ledger: list[Invoice], stream: list[vapay.VATransaction]
) -> None:
    """Every invoice is in exactly one category; paid categories and unexpected sum to gross."""
    report = run(ledger, stream)

    outcomes = [
        e.invoice.reference
        for name in ("matched", "amount_mismatch", "duplicate", "unpaid")
        for e in getattr(report, name).entries
    ]
    assert sorted(outcomes) == sorted(i.reference for i in ledger)
    total: dict[str, Decimal] = {}
    for category in (report.matched, report.amount_mismatch, report.duplicate, report.unexpected):
        for currency, value in category.totals.items():
            total[currency] = total.get(currency, Decimal(0)) + value
    assert {c: v for c, v in total.items() if v} == {
        c: v for c, v in report.received.gross.items() if v
    }
    settled, unsettled = report.received.settled, report.received.unsettled
    assert settled.count + unsettled.count == report.payments


def test_a_lower_case_currency_is_the_same_currency() -> None:
    """`idr` on a row or an invoice is IDR: matched, totals under one code. (Review.)"""
    report = run(
        [Invoice(reference="INV-1", amount=Decimal(100), currency="idr")],
        [payment("T1", "INV-1", "100", currency="idr", fee="1")],
    )

    assert (report.matched.count, report.needs_action) == (1, False)
    assert (report.received.gross, report.received.fees) == (
        {"IDR": Decimal(100)},
        {"IDR": Decimal(1)},
    )


def test_an_int_invoice_amount_is_taken_exactly() -> None:
    """`Invoice(amount=150000)` works as the Decimal it means."""
    report = run([Invoice(reference="INV-1", amount=150000)], [payment("T1", "INV-1", "150000.00")])  # type: ignore[arg-type]

    assert report.matched.count == 1


@pytest.mark.parametrize(
    ("fields", "error", "match"),
    [
        ({"reference": "INV-1", "amount": "150000"}, TypeError, "must be a Decimal or an int"),
        ({"reference": "INV-1", "amount": None}, TypeError, "must be a Decimal or an int"),
        ({"reference": "INV-1", "amount": 1.5}, TypeError, "must be a Decimal or an int"),
        ({"reference": 7, "amount": 1}, TypeError, "reference must be a string"),
        ({"reference": "INV-1", "amount": 1, "currency": "RP"}, ValueError, "three letters"),
        ({"reference": "INV-1", "amount": 1, "account_id": 5}, TypeError, "account id"),
    ],
    ids=[
        "text-amount",
        "no-amount",
        "float-amount",
        "int-reference",
        "bad-currency",
        "int-account",
    ],
)
def test_an_invoice_of_the_wrong_types_is_a_clear_error(
    fields: dict[str, object], error: type[Exception], match: str
) -> None:
    """Bad invoice fields are TypeError/ValueError naming them, never an AttributeError."""
    with pytest.raises(error, match=match):
        Reconciler([Invoice(**fields)])  # type: ignore[arg-type]


def test_an_attempt_listed_twice_is_listed_once() -> None:
    """Unpaid's attempts name each transaction once."""
    report = run(
        [invoice("INV-1", "5")],
        [
            payment("E1", "INV-1", "5", status="expired"),
            payment("E1", "INV-1", "5", status="expired"),
        ],
    )

    (entry,) = report.unpaid.entries
    assert isinstance(entry, Unpaid)
    assert entry.attempts == ("E1",)


def test_jakarta_days_refuse_days_unix_ms_cannot_express() -> None:
    """Before 1970-01-02 (Jakarta) or past 9999-12-30: a ValueError, not an OverflowError."""
    for first, last in ((dt.date(1970, 1, 1), None), (dt.date(9999, 12, 31), None)):
        with pytest.raises(ValueError, match="days must be from 1970-01-02 to 9999-12-30"):
            jakarta_days(first, last)
