"""The gateway's callback events as frozen attrs models, and the one function that picks one.

The models keep the rules of `_models` (a field is required, or optional with
the default None) and are decoded by the same converter as REST rows: exact
`Decimal` amounts, ids as `str`, unknown enum values as plain strings. Each
model is flat: `event_from` lifts its fields out of the body's nesting with the
tables below, so the wire layout lives in one place. Every event keeps the
decoded body in `.raw` (numbers with a fraction as exact `Decimal`).
"""

# No `from __future__ import annotations`: see `_models` (cattrs resolves the
# annotations of classes that the package re-homes to `vapay`).
import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias, TypeVar

import attrs

from vapay._convert import DecodeError, structure
from vapay._models import AmountType, Bank, Fee, Money, VATransactionStatus


@attrs.frozen(kw_only=True)
class VATransactionEvent:
    """A payment into a virtual account (the `va-transaction` event).

    `transaction_id` is the key to dedupe repeated deliveries on;
    `merchant_reff_no` is the reference given when the VA was created (the
    event's `reff_no`). The text times (`d M Y H:i:s`) are aware datetimes on
    Jakarta time (UTC+7).
    """

    event: str
    transaction_id: str
    status: VATransactionStatus | str
    amount: Money
    raw: Mapping[str, object] = attrs.field(repr=False)
    merchant_reff_no: str | None = None
    va_number: str | None = None
    va_name: str | None = None
    bank: Bank | None = None
    fees: Fee | None = None
    amount_type: AmountType | str | None = None
    transaction_type: str | None = None
    payment_method: str | None = None
    post_timestamp: dt.datetime | None = None
    processed_timestamp: dt.datetime | None = None
    timestamp: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class SettlementEvent:
    """A settlement of paid payments: `settlement.completed`, `.refunded`, `.refund_cancelled`.

    It lists no transactions: to book a payment as settled, read that payment
    back (`has_settle`, `settle_at`). Amounts are exact, in `currency`; the
    dates are kept as sent (their format is undocumented).
    """

    event: str
    raw: Mapping[str, object] = attrs.field(repr=False)
    settlement_id: str | None = None
    reference_no: str | None = None
    status: str | None = None
    settlement_type: str | None = None
    settlement_method: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    amount: Decimal | None = None
    total_admin_fee: Decimal | None = None
    total_vendor_fee: Decimal | None = None
    settlement_fee: Decimal | None = None
    total_to_transfer: Decimal | None = None
    total_refunded: Decimal | None = None
    currency: str | None = None
    transfer_status: str | None = None
    total_transactions: int | None = None
    timestamp: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class ExpirationEvent:
    """A batch of expirations (`transaction-expiration`, older docs `transaction_expiration`).

    The lists hold the expired items as sent (any may be empty); `summary` is
    the batch's summary object.
    """

    event: str
    virtual_account_transactions: tuple[Mapping[str, object], ...]
    payment_link_histories: tuple[Mapping[str, object], ...]
    qris_histories: tuple[Mapping[str, object], ...]
    raw: Mapping[str, object] = attrs.field(repr=False)
    summary: Mapping[str, object] | None = None
    timestamp: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """Any other event, passed through: other products' events, new ones, the dashboard's test.

    `event` is None when the body names none, as in the dashboard's unsigned
    test body (whose `data` is "VA Payment Notification testing").
    """

    event: str | None = None
    data: object = None
    raw: Mapping[str, object] = attrs.field(repr=False)


Event: TypeAlias = VATransactionEvent | SettlementEvent | ExpirationEvent | UnknownEvent

SETTLEMENT_EVENTS = frozenset(
    {"settlement.completed", "settlement.refunded", "settlement.refund_cancelled"}
)
EXPIRATION_EVENTS = frozenset({"transaction-expiration", "transaction_expiration"})

# Field -> where the body has it (dotted keys), the first present one winning.
_PAYMENT: dict[str, tuple[str, ...]] = {
    "event": ("event",),
    "timestamp": ("timestamp",),
    "transaction_id": ("data.transaction.transaction_id",),
    "merchant_reff_no": ("data.transaction.reff_no", "data.transaction.merchant_reff_no"),
    "transaction_type": ("data.transaction.type",),
    "status": ("data.transaction.status",),
    "amount": ("data.transaction.amount",),
    "amount_type": ("data.transaction.amount_type",),
    "post_timestamp": ("data.transaction.post_timestamp",),
    "processed_timestamp": ("data.transaction.processed_timestamp",),
    "payment_method": ("data.payment.method",),
    "va_number": ("data.payment.additional_info.va_number",),
    "va_name": ("data.payment.additional_info.va_name",),
    "bank": ("data.payment.additional_info.bank",),
    "fees": ("data.payment.additional_info.fees",),
}
_SETTLEMENT: dict[str, tuple[str, ...]] = {
    "event": ("event",),
    "timestamp": ("timestamp",),
    "settlement_id": ("data.settlement.id",),
    **{
        name: (f"data.settlement.{name}",)
        for name in (
            "reference_no",
            "status",
            "settlement_type",
            "settlement_method",
            "start_date",
            "end_date",
            "amount",
            "total_admin_fee",
            "total_vendor_fee",
            "settlement_fee",
            "total_to_transfer",
            "total_refunded",
            "currency",
            "transfer_status",
        )
    },
    "total_transactions": ("data.total_transactions", "data.settlement.total_transactions"),
}
_EXPIRATION: dict[str, tuple[str, ...]] = {
    "event": ("event",),
    "timestamp": ("timestamp",),
    "summary": ("data.summary", "summary"),
    **{
        name: (f"data.{name}", name)
        for name in ("virtual_account_transactions", "payment_link_histories", "qris_histories")
    },
}
_LISTS = ("virtual_account_transactions", "payment_link_histories", "qris_histories")

E = TypeVar("E", VATransactionEvent, SettlementEvent, ExpirationEvent)


def event_from(body: object) -> Event:
    """The event a callback body stands for; it keeps *body* as `.raw`.

    Args:
        body: the decoded body, as `_webhook_signing.load` reads it.

    Raises:
        DecodeError: a known event whose fields are not its documented types
            (a payment without `transaction_id`, an amount that is no number).
    """
    if not isinstance(body, dict):
        raise DecodeError("expected an object @ $")
    sent = body.get("event")
    name = sent if isinstance(sent, str) else None  # an odd name is no known event
    if name == "va-transaction":
        return _decode(body, _PAYMENT, VATransactionEvent)
    if name in SETTLEMENT_EVENTS:
        return _decode(body, _SETTLEMENT, SettlementEvent)
    if name in EXPIRATION_EVENTS:
        return _decode(body, _EXPIRATION, ExpirationEvent)
    return UnknownEvent(event=name, data=body.get("data"), raw=body)


def _decode(body: Mapping[str, object], table: Mapping[str, tuple[str, ...]], cls: type[E]) -> E:
    fields: dict[str, object] = {"raw": body}
    for field, places in table.items():
        value = _first(body, places)
        if value is not None:
            fields[field] = value
    if cls is ExpirationEvent:
        for name in _LISTS:
            fields.setdefault(name, [])
    try:
        return structure(fields, cls, path="$")
    except DecodeError as err:
        # The message names the model's field ("@ $.amount.value"); say where
        # the body has it instead ("@ $.data.transaction.amount.value").
        where = re.sub(r"@ \$\.(\w+)", lambda m: f"@ $.{table.get(m[1], (m[1],))[0]}", str(err))
        raise DecodeError(f"the {body['event']} event: {where}") from None


def _first(body: Mapping[str, object], places: tuple[str, ...]) -> object:
    """The first value that is not None at one of *places* (dotted keys) in *body*."""
    for place in places:
        value: object = body
        for key in place.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            return value
    return None
