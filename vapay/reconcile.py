"""Payment reconciliation: match the gateway's payments against the merchant's invoices.

Pure: no client, no network, no files. Feed it `VATransaction`s from
`client.va_transactions.list_many(...)`, a database or a test, and the invoices
you expect to be paid; read the report.

    invoices = [Invoice(reference="INV-1", amount=Decimal("150000"))]
    report = await reconcile(client.va_transactions.list_many(accounts, ...), invoices)
    report.needs_action        # True when a payment does not tie out
    report.to_json()           # the schema in the README

Rules (the gateway's own advice: match on `merchant_reff_no`, store the
`transaction_id`):

- An invoice is keyed by its reference, trimmed of surrounding whitespace and
  otherwise exact (case matters: "inv-1" is not "INV-1"). A payment matches the
  invoice whose reference equals its `merchant_reff_no`, trimmed the same way;
  an invoice with an `account_id` matches only that sub-account's payments.
- Only `paid` payments count as money. Other statuses (`expired`, `failed`,
  `unpaid`) are attempts, listed under the invoice when it ends up unpaid.
- A payment is counted once per `transaction_id`; the most advanced status wins
  (a late bank callback turns an `expired` payment `paid`; a `paid` one stays).
- Every invoice lands in exactly one category: `matched` (one paid payment, same
  gross amount and currency), `amount_mismatch` (one paid payment, under or over
  the invoice, or in another currency), `duplicate` (more than one paid payment:
  a refund to make; `split` says whether the parts add up to the invoice
  exactly), or `unpaid`. A paid payment whose reference is in no invoice (or
  whose invoice belongs to another account) is `unexpected`: it is handed to
  `on_unexpected` as it is found and only counted here.

Memory grows with the invoices and the set of transaction ids seen, never with
the payments streamed through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, Callable, Iterable
from decimal import Decimal

import attrs

from vapay._models import Money, VATransaction
from vapay._reconcile_report import (
    AmountMismatch,
    Category,
    Duplicate,
    Invoice,
    Matched,
    Received,
    Report,
    Tally,
    Unpaid,
    entry_json,
    outcome_category,
)
from vapay._signature import JAKARTA

__all__ = [
    "AmountMismatch",
    "Category",
    "Duplicate",
    "Invoice",
    "Matched",
    "Received",
    "Reconciler",
    "Report",
    "Unpaid",
    "entry_json",
    "jakarta_days",
    "reconcile",
    "reference_key",
]

_PAID = "paid"
_ZERO = Decimal(0)


def checked_invoice(invoice: Invoice) -> Invoice:
    """*invoice* with its amount a `Decimal` and its currency in capitals, or why not.

    Raises:
        TypeError: a reference that is not a string, an amount that is not a
            `Decimal` or an `int`, an account id that is not a string.
        ValueError: a blank reference, a negative or non-finite amount, a currency
            that is not three letters.
    """
    # Read as plain objects: invoices come from users' data, whatever their annotations say.
    reference: object = invoice.reference
    amount: object = invoice.amount
    currency: object = invoice.currency
    account_id: object = invoice.account_id
    if not isinstance(reference, str):
        raise TypeError(f"an invoice reference must be a string, got {reference!r:.40}")
    key = reference_key(reference)
    if not key:
        raise ValueError("an invoice has a blank reference")
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(
            f"invoice {key!r}: the amount must be a Decimal or an int, got {amount!r:.40}"
        )
    exact = amount if type(amount) is Decimal else Decimal(amount)
    if not exact.is_finite() or exact < 0:
        raise ValueError(f"invoice {key!r}: the amount must be >= 0, got {exact}")
    if not (
        isinstance(currency, str)
        and len(currency) == _CURRENCY_LENGTH
        and currency.isascii()
        and currency.isalpha()
    ):
        raise ValueError(
            f"invoice {key!r}: the currency must be three letters, got {currency!r:.20}"
        )
    if account_id is not None and not isinstance(account_id, str):
        raise TypeError(f"invoice {key!r}: the account id must be a string or None")
    if type(amount) is Decimal and currency.isupper():
        return invoice  # the common case: no copy of a large ledger
    return attrs.evolve(invoice, amount=exact, currency=currency.upper())


_CURRENCY_LENGTH = 3


def reference_key(reference: str) -> str:
    """How references are compared: trimmed of surrounding whitespace, otherwise exact."""
    return reference.strip()


class Reconciler:
    """Matches payments to invoices one at a time; synchronous and pure.

    For a stream you drive yourself: `add()` each payment, then `report()`.
    `reconcile()` does both for an iterable or async iterable.

    Args:
        invoices: the expected payments; references must be unique once trimmed.
        on_unexpected: called with each paid payment no invoice accounts for,
            as soon as it is seen (write it out; it is not kept).

    Raises:
        ValueError: a blank or repeated reference, a negative amount, a bad currency.
        TypeError: a reference, amount or account id of the wrong type (see
            `checked_invoice`; an `int` amount is taken as a `Decimal`).
    """

    def __init__(
        self,
        invoices: Iterable[Invoice],
        *,
        on_unexpected: Callable[[VATransaction], object] | None = None,
    ) -> None:
        self._invoices: dict[str, Invoice] = {}
        for given in invoices:
            invoice = checked_invoice(given)
            key = reference_key(invoice.reference)
            if key in self._invoices:
                raise ValueError(f"the reference {key!r} is on two invoices")
            self._invoices[key] = invoice
        self._on_unexpected = on_unexpected
        # Per invoice key: its paid payments, flat (id, amount, currency, id, ...):
        # one small tuple per invoice in the common case, as ledgers are large.
        self._paid: dict[str, tuple[str | Decimal, ...]] = {}
        self._attempts: dict[str, list[str]] = {}
        self._seen_paid: set[str] = set()
        self._gross: dict[str, Decimal] = {}
        self._fees: dict[str, Decimal] = {}
        self._settled = Tally()
        self._unsettled = Tally()
        self._unexpected = Tally()

    def add(self, payment: VATransaction) -> None:
        """Take one payment into account (a repeat of a paid one is ignored)."""
        transaction_id = payment.transaction_id
        reference = payment.merchant_reff_no
        key = None if reference is None else reference_key(reference)
        if payment.status != _PAID:
            if key is not None and key in self._invoices:
                self._attempts.setdefault(key, []).append(transaction_id)
            return
        if transaction_id in self._seen_paid:
            return
        self._seen_paid.add(transaction_id)
        amount = payment.amount
        currency = amount.currency.upper()  # "idr" on the wire is IDR
        if currency != amount.currency:
            amount = Money(value=amount.value, currency=currency)
        gross = self._gross
        gross[currency] = gross.get(currency, _ZERO) + amount.value
        fee = payment.fees
        if fee is not None:
            fees = self._fees
            fee_currency = fee.amount.currency.upper()
            fees[fee_currency] = fees.get(fee_currency, _ZERO) + fee.amount.value
        (self._settled if payment.has_settle else self._unsettled).add(amount)
        invoice = None if key is None else self._invoices.get(key)
        if key is None or invoice is None or invoice.account_id not in (None, payment.account_id):
            self._unexpected.add(amount)
            if self._on_unexpected is not None:
                self._on_unexpected(payment)
            return
        self._paid[key] = (*self._paid.get(key, ()), transaction_id, amount.value, currency)

    def report(self, *, with_matched: bool = False) -> Report:
        """The report of everything added so far.

        Args:
            with_matched: also list each matched invoice in `matched.entries`
                (one entry per invoice; off by default, as a ledger can be large).
        """
        buckets = {
            "matched": Tally(keep=with_matched),
            "amount_mismatch": Tally(keep=True),
            "duplicate": Tally(keep=True),
            "unpaid": Tally(keep=True),
        }
        for key, invoice in self._invoices.items():
            entry = self._outcome(key, invoice)
            buckets[outcome_category(entry)].add_entry(entry)

        def category(name: str) -> Category:
            return buckets[name].category()

        net = {c: v - self._fees.get(c, _ZERO) for c, v in self._gross.items()}
        net |= {c: -v for c, v in self._fees.items() if c not in self._gross}
        return Report(
            invoices=len(self._invoices),
            payments=len(self._seen_paid),
            matched=category("matched"),
            amount_mismatch=category("amount_mismatch"),
            duplicate=category("duplicate"),
            unexpected=self._unexpected.category(),
            unpaid=category("unpaid"),
            received=Received(
                gross=dict(self._gross),
                fees=dict(self._fees),
                net=net,
                settled=self._settled.category(),
                unsettled=self._unsettled.category(),
            ),
        )

    def _outcome(self, key: str, invoice: Invoice) -> Matched | AmountMismatch | Duplicate | Unpaid:
        flat = self._paid.get(key)
        if not flat:
            attempts = self._attempts.get(key, ())
            # A late callback may have turned an expired attempt paid elsewhere.
            late = self._seen_paid
            # Once each, however often an attempt was listed.
            unique = dict.fromkeys(t for t in attempts if t not in late)
            return Unpaid(invoice=invoice, attempts=tuple(unique))
        paid = [
            (str(flat[i]), Decimal(flat[i + 1]), str(flat[i + 2])) for i in range(0, len(flat), 3)
        ]
        if len(paid) > 1:
            by_currency: dict[str, Decimal] = {}
            for _, value, currency in paid:
                by_currency[currency] = by_currency.get(currency, _ZERO) + value
            return Duplicate(
                invoice=invoice,
                transaction_ids=tuple(t for t, _, _ in paid),
                paid=by_currency,
                split=by_currency == {invoice.currency: invoice.amount},
            )
        ((transaction_id, value, currency),) = paid
        if currency == invoice.currency and value == invoice.amount:
            return Matched(invoice=invoice, transaction_id=transaction_id)
        same_currency = currency == invoice.currency
        return AmountMismatch(
            invoice=invoice,
            transaction_id=transaction_id,
            paid=Money(value=value, currency=currency),
            direction=("under" if value < invoice.amount else "over")
            if same_currency
            else "currency",
            difference=value - invoice.amount if same_currency else None,
        )


async def reconcile(
    payments: Iterable[VATransaction] | AsyncIterable[VATransaction],
    invoices: Iterable[Invoice],
    *,
    on_unexpected: Callable[[VATransaction], object] | None = None,
    with_matched: bool = False,
) -> Report:
    """Match every payment of *payments* against *invoices* and report (async).

    Args:
        payments: `VATransaction`s, as any iterable or async iterable (such as
            `client.va_transactions.list_many(...)`); consumed once, not kept.
        invoices: the expected payments (see `Invoice`).
        on_unexpected: called with each unexpected paid payment as it is found.
        with_matched: list matched invoices in `report.matched.entries` too.

    Returns:
        The `Report`.

    Raises:
        ValueError, TypeError: a bad invoice, as `Reconciler` says (before any
            payment is read).
    """
    reconciler = Reconciler(invoices, on_unexpected=on_unexpected)
    if isinstance(payments, AsyncIterable):
        async for payment in payments:
            reconciler.add(payment)
    else:
        for payment in payments:
            reconciler.add(payment)
    return reconciler.report(with_matched=with_matched)


_DAY = dt.timedelta(days=1)
_MILLISECOND = dt.timedelta(milliseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def jakarta_days(first: dt.date, last: dt.date | None = None) -> tuple[int, int]:
    """The Unix-millisecond range, both ends inclusive, of calendar days in Jakarta time.

    The gateway's day is Asia/Jakarta's (UTC+7, no daylight saving). Pass the
    range as `processed_timestamp_from` / `_to` to list a day's payments:
    `jakarta_days(date(2026, 11, 28))` is 2026-11-28 00:00:00.000 to
    23:59:59.999 WIB.

    Raises:
        ValueError: *last* is before *first*, or a day outside 1970-01-02 to
            9999-12-30 (Unix milliseconds start in the middle of Jakarta's
            1970-01-01).
    """
    last = first if last is None else last
    if last < first:
        raise ValueError(f"the last day ({last}) is before the first ({first})")
    if first < FIRST_DAY or last > LAST_DAY:
        raise ValueError(f"days must be from {FIRST_DAY} to {LAST_DAY}, got {first} to {last}")
    start = dt.datetime.combine(first, dt.time(), tzinfo=JAKARTA)
    end = dt.datetime.combine(last, dt.time(), tzinfo=JAKARTA) + _DAY
    return (start - _EPOCH) // _MILLISECOND, (end - _EPOCH) // _MILLISECOND - 1


FIRST_DAY = dt.date(1970, 1, 2)
LAST_DAY = dt.date(9999, 12, 30)


# Tracebacks and reprs name the public module, not where the classes live.
for _cls in (AmountMismatch, Category, Duplicate, Invoice, Matched, Received, Report, Unpaid):
    _cls.__module__ = __name__
del _cls
