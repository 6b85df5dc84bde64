"""The report of a reconciliation: its categories, entries and JSON (see `vapay.reconcile`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Literal

import attrs

from vapay._models import DEFAULT_CURRENCY, Money

_ZERO = Decimal(0)


@attrs.frozen(kw_only=True)
class Invoice:
    """A payment the merchant expects: its reference, amount and (optionally) account.

    Attributes:
        reference: the `merchant_reff_no` the VA was created with.
        amount: the gross amount due.
        currency: three letters; the API's default, "IDR", when not given.
        account_id: when set, only this sub-account's payments can pay it.
    """

    reference: str
    amount: Decimal
    currency: str = DEFAULT_CURRENCY
    account_id: str | None = None


@attrs.frozen(kw_only=True)
class Matched:
    """An invoice paid exactly once, with its amount and currency."""

    invoice: Invoice
    transaction_id: str


@attrs.frozen(kw_only=True)
class AmountMismatch:
    """An invoice paid once, but not its amount.

    Attributes:
        direction: "under" or "over" the invoice's amount, or "currency" when
            paid in another currency (the amounts are then not compared).
        difference: paid minus due (negative when under); None for "currency".
    """

    invoice: Invoice
    transaction_id: str
    paid: Money
    direction: Literal["under", "over", "currency"]
    difference: Decimal | None


@attrs.frozen(kw_only=True)
class Duplicate:
    """An invoice paid more than once: a refund to make, unless `split`.

    Attributes:
        transaction_ids: every paid payment for it, in the order they came.
        paid: the total paid per currency.
        split: the payments add up exactly to the invoice, in its currency (the
            payer paid in parts; nothing to refund, but a closed VA took two).
    """

    invoice: Invoice
    transaction_ids: tuple[str, ...]
    paid: Mapping[str, Decimal]
    split: bool


@attrs.frozen(kw_only=True)
class Unpaid:
    """An invoice with no paid payment; `attempts` are its expired or failed payments."""

    invoice: Invoice
    attempts: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Category:
    """How many fell in a category, and their exact amounts per currency.

    `totals` are gross amounts paid, except for `unpaid`, where they are the
    amounts due. `entries` is empty for `matched` unless asked for and always
    for `unexpected` (those are streamed to `on_unexpected`).
    """

    count: int
    totals: Mapping[str, Decimal]
    entries: tuple[Matched | AmountMismatch | Duplicate | Unpaid, ...] = ()


@attrs.frozen(kw_only=True)
class Received:
    """What the paid payments brought in, per currency.

    Attributes:
        gross: the sum of the payments' amounts.
        fees: the sum of the gateway's fees on them.
        net: gross minus fees, per currency.
        settled: count and gross of the payments already settled.
        unsettled: count and gross of those not settled yet.
    """

    gross: Mapping[str, Decimal]
    fees: Mapping[str, Decimal]
    net: Mapping[str, Decimal]
    settled: Category
    unsettled: Category


@attrs.frozen(kw_only=True)
class Report:
    """The outcome of a reconciliation (see the module's rules).

    `matched`, `amount_mismatch`, `duplicate` and `unpaid` partition the invoices;
    `unexpected` counts the paid payments no invoice accounts for.
    """

    invoices: int
    payments: int
    matched: Category
    amount_mismatch: Category
    duplicate: Category
    unexpected: Category
    unpaid: Category
    received: Received

    @property
    def needs_action(self) -> bool:
        """Whether money does not tie out: a mismatch, a duplicate or an unexpected payment.

        Unpaid invoices alone are normal (customers pay late) and do not count.
        """
        return bool(self.amount_mismatch.count or self.duplicate.count or self.unexpected.count)

    def discrepancies(self) -> Iterator[AmountMismatch | Duplicate | Unpaid]:
        """Every invoice that is not matched: mismatches, duplicates, then unpaid."""
        for category in (self.amount_mismatch, self.duplicate, self.unpaid):
            for entry in category.entries:
                if not isinstance(entry, Matched):
                    yield entry

    def to_json(self, *, entries: bool = True) -> dict[str, object]:
        """The report as JSON-ready data (amounts as exact decimal strings); see the README.

        Args:
            entries: list each category's entries (off: counts and totals only).
        """

        def category(each: Category) -> dict[str, object]:
            data: dict[str, object] = {"count": each.count, "totals": _amounts_json(each.totals)}
            if entries and each.entries:
                data["entries"] = [entry_json(entry) for entry in each.entries]
            return data

        return {
            "invoices": self.invoices,
            "payments": self.payments,
            "needs_action": self.needs_action,
            "matched": category(self.matched),
            "amount_mismatch": category(self.amount_mismatch),
            "duplicate": category(self.duplicate),
            "unexpected": category(self.unexpected),
            "unpaid": category(self.unpaid),
            "received": {
                "gross": _amounts_json(self.received.gross),
                "fees": _amounts_json(self.received.fees),
                "net": _amounts_json(self.received.net),
                "settled": category(self.received.settled),
                "unsettled": category(self.received.unsettled),
            },
        }


class Tally:
    """A category being counted: a count, per-currency totals and, if kept, the entries."""

    def __init__(self, *, keep: bool = False) -> None:
        self.count = 0
        self.totals: dict[str, Decimal] = {}
        self._entries: list[Matched | AmountMismatch | Duplicate | Unpaid] | None = (
            [] if keep else None
        )

    def add(self, amount: Money) -> None:
        self.count += 1
        self.totals[amount.currency] = self.totals.get(amount.currency, _ZERO) + amount.value

    def add_entry(self, entry: Matched | AmountMismatch | Duplicate | Unpaid) -> None:
        self.count += 1
        for currency, value in _amounts_of(entry).items():
            self.totals[currency] = self.totals.get(currency, _ZERO) + value
        if self._entries is not None:
            self._entries.append(entry)

    def category(self) -> Category:
        entries = () if self._entries is None else tuple(self._entries)
        return Category(count=self.count, totals=dict(self.totals), entries=entries)


def outcome_category(entry: Matched | AmountMismatch | Duplicate | Unpaid) -> str:
    """The category an invoice's outcome belongs to ("matched", "unpaid", ...)."""
    return _CATEGORY_OF[type(entry)]


_CATEGORY_OF: dict[type, str] = {
    Matched: "matched",
    AmountMismatch: "amount_mismatch",
    Duplicate: "duplicate",
    Unpaid: "unpaid",
}


def _amounts_of(entry: Matched | AmountMismatch | Duplicate | Unpaid) -> Mapping[str, Decimal]:
    """What *entry* adds to its category's totals (paid, or due when unpaid)."""
    if isinstance(entry, (Matched, Unpaid)):
        return {entry.invoice.currency: entry.invoice.amount}
    if isinstance(entry, AmountMismatch):
        return {entry.paid.currency: entry.paid.value}
    return entry.paid


def _amounts_json(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    return {currency: _text(value) for currency, value in sorted(amounts.items())}


def _text(value: Decimal) -> str:
    """An amount's exact digits, positional ("100000", never "1E+5")."""
    return f"{value:f}"


def entry_json(entry: Matched | AmountMismatch | Duplicate | Unpaid) -> dict[str, object]:
    """One invoice's outcome as JSON-ready data (the rows `vapay reconcile -o` writes)."""
    invoice = entry.invoice
    data: dict[str, object] = {
        "category": outcome_category(entry),
        "merchant_reff_no": invoice.reference,
        "account_id": invoice.account_id,
        "due": _text(invoice.amount),
        "currency": invoice.currency,
    }
    if isinstance(entry, Matched):
        data["transaction_ids"] = [entry.transaction_id]
    elif isinstance(entry, AmountMismatch):
        data |= {
            "transaction_ids": [entry.transaction_id],
            "paid": {entry.paid.currency: _text(entry.paid.value)},
            "direction": entry.direction,
            "difference": None if entry.difference is None else _text(entry.difference),
        }
    elif isinstance(entry, Duplicate):
        data |= {
            "transaction_ids": list(entry.transaction_ids),
            "paid": _amounts_json(entry.paid),
            "split": entry.split,
        }
    else:
        data["attempts"] = list(entry.attempts)
    return data
