"""The events the sandbox's gateway sends, as the gateway writes them (MONEY-IN.md §5).

Bodies are what PHP's `json_encode` prints by default: compact, keys in the
documented order, `/` escaped as `\\/` and non-ASCII as `\\u` escapes. So a handler
that hashes its own re-encoding of the body, rather than verifying the bytes it
received, fails here as it would against the gateway. Amounts are numbers
(integers when whole, else the double's shortest form, as PHP prints them); times
are text, `d M Y H:i:s` on Jakarta's wall clock with no zone.

`announce_payment` and `announce_settlement` hand the events of an action to the
state's `WebhookSender`; with no webhook URL they build nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from decimal import Decimal

from vapay.sandbox._records import TransactionRecord, VirtualAccountRecord
from vapay.sandbox._state import SandboxState

PAYMENT_EVENT = "va-transaction"
SETTLEMENT_EVENT = "settlement.completed"

_JAKARTA_OFFSET_S = 7 * 3600  # UTC+7 all year
# English whatever the locale: strftime's %b would follow setlocale().
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def wall_clock(ms: int) -> str:
    """Unix ms as the gateway's event text: `26 Dec 2025 13:35:45`, Jakarta time."""
    when = time.gmtime(ms // 1000 + _JAKARTA_OFFSET_S)
    month = _MONTHS[when.tm_mon - 1]
    return f"{when.tm_mday:02d} {month} {when.tm_year} {time.strftime('%H:%M:%S', when)}"


def _jakarta_day(ms: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000 + _JAKARTA_OFFSET_S))


def _number(value: Decimal) -> int | float:
    # PHP prints a float's shortest round-trip form: 150000.5, never 150000.50.
    return int(value) if value == value.to_integral_value() else float(value)


def php_json(value: object) -> bytes:
    """*value* encoded as PHP's `json_encode` does by default."""
    # "/" occurs only inside JSON strings, so escaping every one is exact.
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def _envelope(event: str, data: dict[str, object], *, now_ms: int) -> bytes:
    body = {"status": 200, "success": True, "event": event, "timestamp": wall_clock(now_ms)}
    return php_json({**body, "data": data})


def payment_event(tx: TransactionRecord, va: VirtualAccountRecord | None, *, now_ms: int) -> bytes:
    """The `va-transaction` event of a paid transaction, sent at *now_ms*.

    *va* is the paid virtual account (for its name and amount type), or `None` if it
    is gone.
    """
    processed = tx.processed_timestamp
    transaction = {
        "reff_no": tx.merchant_reff_no,
        "transaction_id": tx.transaction_id,
        "type": "va",
        "status": tx.status,
        "amount": {"value": _number(tx.amount), "currency": tx.currency},
        "amount_type": None if va is None else va.amount_type,
        "tip": None,
        "post_timestamp": wall_clock(tx.post_timestamp),
        "processed_timestamp": None if processed is None else wall_clock(processed),
    }
    bank = tx.bank
    info = {
        "va_number": tx.va_number,
        "va_name": None if va is None else va.name,
        "bank": {
            "short_name": bank.short_name,
            "number": bank.number,
            "swift_code": bank.swift_code,
            "bank_code": tx.bank_code,
        },
        "fees": {"name": tx.fee_name, "amount": _number(tx.fee), "currency": tx.currency},
    }
    data = {"transaction": transaction, "payment": {"method": "va", "additional_info": info}}
    return _envelope(PAYMENT_EVENT, data, now_ms=now_ms)


def settlement_event(
    settled: Sequence[TransactionRecord], *, settlement_id: int, now_ms: int
) -> bytes:
    """The `settlement.completed` event of *settled* (one account's, one currency), now.

    It carries the documented totals and `total_transactions`, but, as the
    gateway's, no list of the payments covered.
    """
    amount = sum((tx.amount for tx in settled), Decimal(0))
    admin_fee = sum((tx.fee for tx in settled), Decimal(0))
    processed = [tx.processed_timestamp or tx.post_timestamp for tx in settled]
    settlement = {
        "id": settlement_id,
        "reference_no": f"STL-{_jakarta_day(now_ms).replace('-', '')}-{settlement_id:04d}",
        "status": "completed",
        "settlement_type": "auto",
        "settlement_method": "bank_transfer",
        "start_date": _jakarta_day(min(processed)),
        "end_date": _jakarta_day(max(processed)),
        "amount": _number(amount),
        "total_admin_fee": _number(admin_fee),
        "total_vendor_fee": 0,
        "settlement_fee": 0,
        "total_to_transfer": _number(amount - admin_fee),
        "total_refunded": 0,
        "currency": settled[0].currency,
        "transfer_status": "success",
    }
    data = {"settlement": settlement, "total_transactions": len(settled)}
    return _envelope(SETTLEMENT_EVENT, data, now_ms=now_ms)


def announce_payment(state: SandboxState, tx: TransactionRecord) -> None:
    """Send the `va-transaction` event of *tx*, just paid (on time or late)."""
    if state.webhooks.target is None:
        return
    va = state.find_virtual_account(tx.account_id, tx.virtual_account_id)
    state.webhooks.send(PAYMENT_EVENT, payment_event(tx, va, now_ms=state.now_ms()))


def announce_settlement(state: SandboxState, settled: Sequence[TransactionRecord]) -> None:
    """Send one `settlement.completed` event per account and currency in *settled*."""
    if state.webhooks.target is None:
        return
    batches: dict[tuple[str, str], list[TransactionRecord]] = {}
    for tx in settled:
        batches.setdefault((tx.account_id, tx.currency), []).append(tx)
    for batch in batches.values():
        state.settlements += 1
        body = settlement_event(batch, settlement_id=state.settlements, now_ms=state.now_ms())
        state.webhooks.send(SETTLEMENT_EVENT, body)
