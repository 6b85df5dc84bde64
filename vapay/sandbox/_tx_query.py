"""The VA-transaction listings' filters and order, read from a query or from keywords.

One `TransactionQuery` serves both the routes (read from the query string, with
Laravel-style 422s) and `SandboxState.expected_transactions` (built from keywords),
so what a test expects is what the routes serve, by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from vapay.sandbox._protocol import Validator
from vapay.sandbox._records import TransactionRecord

SORT_KEYS = ("id", "created_at", "amount", "post_timestamp")
SORT_ORDERS = ("asc", "desc")
TRANSACTION_STATUSES = ("unpaid", "paid", "expired", "failed")
_RANGES = ("post_timestamp", "processed_timestamp", "settle_at")
# The API serves the last 12 months only; the sandbox counts them as 365 days.
WINDOW_MS = 365 * 86_400_000


def _decimal(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@attrs.frozen(kw_only=True)
class TransactionQuery:
    """A transaction listing's filters (the API's query names) and order.

    Substring filters (`transaction_id`, `merchant_reff_no`) ignore case, as the
    gateway's MySQL `LIKE` does; `va_number` and `status` match exactly; amounts
    and the `_from`/`_to` Unix-ms ranges are inclusive. A row without a settle or
    processed time never matches a range on it.
    """

    va_number: str | None = None
    transaction_id: str | None = None
    merchant_reff_no: str | None = None
    status: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(TRANSACTION_STATUSES)),
    )
    amount: Decimal | None = attrs.field(default=None, converter=_decimal)
    amount_min: Decimal | None = attrs.field(default=None, converter=_decimal)
    amount_max: Decimal | None = attrs.field(default=None, converter=_decimal)
    has_settle: bool | None = None
    post_timestamp_from: int | None = None
    post_timestamp_to: int | None = None
    processed_timestamp_from: int | None = None
    processed_timestamp_to: int | None = None
    settle_at_from: int | None = None
    settle_at_to: int | None = None
    sort_by: str = attrs.field(default="id", validator=attrs.validators.in_(SORT_KEYS))
    sort_order: str = attrs.field(default="desc", validator=attrs.validators.in_(SORT_ORDERS))

    def matches(self, tx: TransactionRecord) -> bool:
        """Whether *tx* passes every filter."""
        return (
            _contains(tx.transaction_id, self.transaction_id)
            and _contains(tx.merchant_reff_no, self.merchant_reff_no)
            and self.va_number in (None, tx.va_number)
            and self.status in (None, tx.status)
            and self.has_settle in (None, tx.has_settle)
            and self.amount in (None, tx.amount)
            and _within(tx.amount, self.amount_min, self.amount_max)
            and _within(tx.post_timestamp, self.post_timestamp_from, self.post_timestamp_to)
            and _within(
                tx.processed_timestamp, self.processed_timestamp_from, self.processed_timestamp_to
            )
            and _within(tx.settle_at, self.settle_at_from, self.settle_at_to)
        )

    def select(self, rows: Iterable[TransactionRecord], *, now_ms: int) -> list[TransactionRecord]:
        """The rows of the last 12 months before *now_ms* that match, in order.

        Ties in the sort key keep row order (reversed for `desc`), as the row id
        breaks them.
        """
        since = now_ms - WINDOW_MS
        chosen = [tx for tx in rows if tx.post_timestamp >= since and self.matches(tx)]
        chosen.sort(key=self._sort_key, reverse=self.sort_order == "desc")
        return chosen

    def _sort_key(self, tx: TransactionRecord) -> tuple[Decimal | int, int]:
        if self.sort_by == "amount":
            return tx.amount, tx.row_id
        # The sandbox records a row when its payment is posted: created_at is post time.
        if self.sort_by in {"created_at", "post_timestamp"}:
            return tx.post_timestamp, tx.row_id
        return tx.row_id, tx.row_id


def _contains(value: str | None, part: str | None) -> bool:
    return part is None or (value is not None and part.casefold() in value.casefold())


def _within(
    value: Decimal | int | None, low: Decimal | int | None, high: Decimal | int | None
) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def read_query(validator: Validator, *, va_number: str | None = None) -> TransactionQuery:
    """The filters of a listing's query string; field errors go to *validator*.

    Args:
        validator: Over the query parameters; the caller calls `check()`.
        va_number: The path's number on the list-by-number route, which then
            ignores a `va_number` parameter; `None` on the list route.
    """
    zero = Decimal(0)
    amount_min = validator.number("amount_min", minimum=zero)
    amount_max = validator.number("amount_max", minimum=zero)
    _ordered(validator, "amount", amount_min, amount_max, suffixes=("min", "max"))
    ranges: dict[str, int | None] = {}
    for name in _RANGES:
        low = ranges[f"{name}_from"] = validator.timestamp_ms(f"{name}_from")
        high = ranges[f"{name}_to"] = validator.timestamp_ms(f"{name}_to")
        _ordered(validator, name, low, high, suffixes=("from", "to"))
    return TransactionQuery(
        va_number=validator.string("va_number") if va_number is None else va_number,
        transaction_id=validator.string("transaction_id", max_length=255),
        merchant_reff_no=validator.string("merchant_reff_no", max_length=255),
        status=validator.choice("status", TRANSACTION_STATUSES, required=False),
        amount=validator.number("amount", minimum=zero),
        amount_min=amount_min,
        amount_max=amount_max,
        has_settle=validator.boolean("has_settle"),
        post_timestamp_from=ranges["post_timestamp_from"],
        post_timestamp_to=ranges["post_timestamp_to"],
        processed_timestamp_from=ranges["processed_timestamp_from"],
        processed_timestamp_to=ranges["processed_timestamp_to"],
        settle_at_from=ranges["settle_at_from"],
        settle_at_to=ranges["settle_at_to"],
        sort_by=validator.choice("sort_by", SORT_KEYS, required=False) or "id",
        sort_order=validator.choice("sort_order", SORT_ORDERS, required=False) or "desc",
    )


def _ordered(
    validator: Validator,
    name: str,
    low: Decimal | int | None,
    high: Decimal | int | None,
    *,
    suffixes: tuple[str, str],
) -> None:
    """A 422 on the upper bound when it is below the lower (Laravel's `gte:` rule)."""
    if low is not None and high is not None and high < low:
        label = name.replace("_", " ")
        validator.fail(
            f"{name}_{suffixes[1]}",
            f"The {label} {suffixes[1]} field must be greater than or equal to "
            f"{label} {suffixes[0]}.",
        )
