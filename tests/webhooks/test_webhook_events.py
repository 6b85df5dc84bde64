"""The typed events: the documented payment, settlements, expirations, and everything else."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from webhook_helpers import PAYMENT, dump

import vapay

JAKARTA = dt.timezone(dt.timedelta(hours=7))
PAID = vapay.webhooks.parse(dump(PAYMENT))


def with_transaction(**changes: Any) -> dict[str, Any]:
    """The documented payment with fields of `data.transaction` replaced."""
    body = copy.deepcopy(PAYMENT)
    body["data"]["transaction"].update(changes)
    return body


def test_the_documented_payment_decodes_to_every_field() -> None:
    """The sample va-transaction event gives its payment, field by field."""
    assert isinstance(PAID, vapay.VATransactionEvent)
    assert (PAID.event, PAID.transaction_id, PAID.merchant_reff_no) == (
        "va-transaction",
        "3211120250926133543246",
        "INV-2026-001",
    )
    assert PAID.status is vapay.VATransactionStatus.PAID
    assert PAID.amount == vapay.Money(value=Decimal(100000), currency="IDR")
    assert PAID.fees == vapay.Fee(amount=vapay.Money(value=Decimal(1500)), name="VA Maybank")
    assert (PAID.va_number, PAID.va_name) == ("7872955146576837", "Toko Budi")
    assert PAID.bank == vapay.Bank(
        short_name="Maybank", number="016", swift_code="IBBKIDJA", bank_code="MAYBANK"
    )
    assert PAID.amount_type is vapay.AmountType.CLOSED
    assert (PAID.transaction_type, PAID.payment_method) == ("va", "va")


def test_text_times_are_jakarta_wall_clock() -> None:
    """`26 Dec 2025 13:35:43` is 13:35:43 in Jakarta, 06:35:43 UTC."""
    assert isinstance(PAID, vapay.VATransactionEvent)
    assert PAID.post_timestamp == dt.datetime(2025, 12, 26, 13, 35, 43, tzinfo=JAKARTA)
    assert PAID.post_timestamp.utcoffset() == dt.timedelta(hours=7)
    assert PAID.processed_timestamp == dt.datetime(2025, 12, 26, 6, 35, 45, tzinfo=dt.timezone.utc)
    assert PAID.timestamp == PAID.processed_timestamp


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("1 Jan 2026 00:00:00", dt.datetime(2026, 1, 1, tzinfo=JAKARTA)),
        ("01 jan 2026 00:00:00", dt.datetime(2026, 1, 1, tzinfo=JAKARTA)),
        ("29 FEB 2028 23:59:59", dt.datetime(2028, 2, 29, 23, 59, 59, tzinfo=JAKARTA)),
        ("1766730945000", dt.datetime(2025, 12, 26, 6, 35, 45, tzinfo=dt.timezone.utc)),
        (1766730945000, dt.datetime(2025, 12, 26, 6, 35, 45, tzinfo=dt.timezone.utc)),
    ],
    ids=["one-digit-day", "lower-case-month", "upper-case-month", "ms-text", "ms-number"],
)
def test_a_payment_time_is_read_in_either_form(sent: object, expected: dt.datetime) -> None:
    """The text form in any case of month, and the REST rows' Unix ms, both decode."""
    event = vapay.webhooks.parse(dump(with_transaction(post_timestamp=sent)))

    assert isinstance(event, vapay.VATransactionEvent)
    assert event.post_timestamp == expected


@pytest.mark.parametrize(
    "sent",
    ["31 Feb 2026 10:00:00", "26 Dez 2025 13:35:45", "2025-12-26 13:35:45", "26 Dec 2025", ""],
    ids=["no-such-day", "german-month", "iso", "no-time", "empty"],
)
def test_a_payment_time_in_no_known_form_is_bad_body(sent: str) -> None:
    """A payment time that is neither form is refused, naming the field."""
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        vapay.webhooks.parse(dump(with_transaction(post_timestamp=sent)))

    assert caught.value.reason == "bad_body"
    assert "$.data.transaction.post_timestamp" in caught.value.message


def test_an_amount_as_text_with_a_scale_is_exact() -> None:
    """`"1234.50"` keeps its scale, as in REST rows."""
    event = vapay.webhooks.parse(dump(with_transaction(amount={"value": "1234.50"})))

    assert isinstance(event, vapay.VATransactionEvent)
    assert str(event.amount.value) == "1234.50"
    assert event.amount.currency == "IDR"


def test_an_amount_as_a_fraction_is_exact() -> None:
    """A JSON number with a fraction becomes the exact Decimal it spells."""
    event = vapay.webhooks.parse(
        dump(with_transaction(amount={"value": Decimal("275000.10"), "currency": "IDR"}))
    )

    assert isinstance(event, vapay.VATransactionEvent)
    assert str(event.amount.value) == "275000.10"


def test_a_numeric_transaction_id_stays_a_string() -> None:
    """An id sent as a JSON number is its digits, as a string."""
    event = vapay.webhooks.parse(dump(with_transaction(transaction_id=3211120250926133543246)))

    assert isinstance(event, vapay.VATransactionEvent)
    assert event.transaction_id == "3211120250926133543246"


def test_an_unknown_status_passes_through() -> None:
    """A status this version does not know comes through as its string."""
    event = vapay.webhooks.parse(dump(with_transaction(status="partially_paid")))

    assert isinstance(event, vapay.VATransactionEvent)
    assert event.status == "partially_paid"


def test_unknown_fields_are_ignored_and_kept_in_raw() -> None:
    """New fields do not break decoding; .raw still has them."""
    body = with_transaction(loyalty_points=12)
    body["brand_new"] = {"nested": [1, 2]}

    event = vapay.webhooks.parse(dump(body))

    assert isinstance(event, vapay.VATransactionEvent)
    assert event.raw["brand_new"] == {"nested": [1, 2]}


def test_a_payment_with_only_the_required_fields_decodes() -> None:
    """transaction_id, status and amount are enough; the rest is None."""
    body = {
        "event": "va-transaction",
        "data": {
            "transaction": {"transaction_id": "T1", "status": "paid", "amount": {"value": 10000}}
        },
    }

    event = vapay.webhooks.parse(dump(body))

    assert isinstance(event, vapay.VATransactionEvent)
    assert (event.va_number, event.bank, event.fees, event.post_timestamp) == (None,) * 4


@pytest.mark.parametrize(
    "name",
    ["settlement.completed", "settlement.refunded", "settlement.refund_cancelled"],
)
def test_a_settlement_event_has_exact_totals(name: str) -> None:
    """The settlement's documented fields decode, amounts as exact Decimals."""
    body = {
        "event": name,
        "timestamp": "27 Dec 2025 09:00:00",
        "data": {
            "settlement": {
                "id": 981,
                "reference_no": "STL-20251227-0001",
                "status": "completed",
                "settlement_type": "auto",
                "settlement_method": "bank_transfer",
                "start_date": "2025-12-26",
                "end_date": "2025-12-26",
                "amount": "1250000.00",
                "total_admin_fee": 4500,
                "total_vendor_fee": Decimal("0.00"),
                "settlement_fee": 2500,
                "total_to_transfer": "1243000.00",
                "total_refunded": 0,
                "currency": "IDR",
                "transfer_status": "success",
            },
            "total_transactions": 3,
        },
    }

    event = vapay.webhooks.parse(dump(body))

    assert isinstance(event, vapay.SettlementEvent)
    assert (event.event, event.settlement_id, event.reference_no) == (
        name,
        "981",
        "STL-20251227-0001",
    )
    assert str(event.amount) == "1250000.00"
    assert str(event.total_to_transfer) == "1243000.00"
    assert str(event.total_vendor_fee) == "0.00"
    assert (event.total_admin_fee, event.total_transactions) == (Decimal(4500), 3)
    assert event.timestamp == dt.datetime(2025, 12, 27, 9, tzinfo=JAKARTA)


@pytest.mark.parametrize("name", ["transaction-expiration", "transaction_expiration"])
def test_an_expiration_batch_keeps_its_lists(name: str) -> None:
    """Both spellings decode; the lists keep their items, absent ones are empty."""
    body = {
        "event": name,
        "data": {
            "virtual_account_transactions": [{"transaction_id": "T1", "status": "expired"}],
            "qris_histories": [],
            "summary": {"total": 1},
        },
    }

    event = vapay.webhooks.parse(dump(body))

    assert isinstance(event, vapay.ExpirationEvent)
    assert event.event == name
    assert event.virtual_account_transactions == ({"transaction_id": "T1", "status": "expired"},)
    assert (event.qris_histories, event.payment_link_histories) == ((), ())
    assert event.summary == {"total": 1}


def test_an_expiration_summary_sent_as_php_empty_array_is_empty() -> None:
    """PHP's `[]` for an empty summary reads as an empty object."""
    event = vapay.webhooks.parse(b'{"event": "transaction-expiration", "data": {"summary": []}}')

    assert isinstance(event, vapay.ExpirationEvent)
    assert event.summary == {}


@pytest.mark.parametrize(
    ("body", "event_name"),
    [
        (b'{"event": "qris-acquirer-transaction", "data": {"x": 1}}', "qris-acquirer-transaction"),
        (b'{"event": "payment-link-transaction", "data": {"x": 1}}', "payment-link-transaction"),
        (
            b'{"event": "ewallet-native-transaction", "data": {"x": 1}}',
            "ewallet-native-transaction",
        ),
        (b'{"event": "va-transaction.v2", "data": {"x": 1}}', "va-transaction.v2"),
        (b'{"event": 7, "data": {"x": 1}}', None),
        (b'{"event": {"name": "x"}, "data": {"x": 1}}', None),
        (b'{"data": {"x": 1}}', None),
    ],
    ids=["qris", "payment-link", "ewallet", "new-event", "number", "object", "no-event"],
)
def test_any_other_event_passes_through(body: bytes, event_name: str | None) -> None:
    """Other products' events, new ones and odd names are UnknownEvents, never errors."""
    event = vapay.webhooks.parse(body)

    assert isinstance(event, vapay.UnknownEvent)
    assert event.event == event_name
    assert event.data == {"x": 1}


def test_the_dashboard_test_body_parses() -> None:
    """The dashboard's unsigned test body is an UnknownEvent without a name."""
    body = b'{"status":200,"success":true,"data":"VA Payment Notification testing"}'

    event = vapay.webhooks.parse(body)

    assert event == vapay.UnknownEvent(
        event=None,
        data="VA Payment Notification testing",
        raw={"status": 200, "success": True, "data": "VA Payment Notification testing"},
    )


def test_an_event_keeps_the_decoded_body() -> None:
    """.raw is the whole body as decoded."""
    assert PAID.raw == PAYMENT


def test_an_event_repr_leaves_out_the_body() -> None:
    """The repr shows the fields, not the whole body again."""
    assert "raw=" not in repr(PAID)
    assert repr(PAID).startswith("VATransactionEvent(event='va-transaction'")


def test_events_are_frozen() -> None:
    """An event cannot be changed after decoding."""
    with pytest.raises(AttributeError):
        PAID.transaction_id = "other"  # type: ignore[misc]
