"""VA transactions: seeded payment history, business ids, and the wire rows.

Seeded payments are the recent past of the sandbox's clock: they fall in the
`SEEDED_HISTORY_DAYS` days before midnight UTC of the day the sandbox was built,
so they stay inside the API's 12-month window, and two sandboxes built on one day
with one seed hold the same history. Per virtual account: as many paid payments as
its `current_usage` (settled T+1 or T+3 when older than a few days, unsettled when
recent), and now and then an attempt that expired unpaid.
"""

from __future__ import annotations

import random
import time
from collections.abc import Container, Mapping, Sequence
from decimal import Decimal
from typing import Any

from vapay.sandbox._banks import BANK_TERMS, bank_code_of
from vapay.sandbox._data import CROCKFORD, draw_amount, dumps, money_wire, pick, seeded_rng
from vapay.sandbox._ledger import Ledger
from vapay.sandbox._records import (
    AccountRecord,
    BalanceRecord,
    TransactionRecord,
    VirtualAccountRecord,
)

DAY_MS = 86_400_000
SEEDED_HISTORY_DAYS = 45
_HOUR_MS = 3_600_000
_SETTLED_SHARE = 0.6  # of seeded paid payments; the rest are recent and unsettled
_EXPIRED_ATTEMPT_SHARE = 0.3  # of seeded virtual accounts
_LATE_SHARE = 0.1  # of seeded settled payments: a bank callback a day or two late
_NOTES_SHARE = 0.5
_JAKARTA_OFFSET_S = 7 * 3600  # the gateway's calendar, UTC+7 all year


def history_anchor(now_seconds: float) -> int:
    """Midnight UTC of the day of *now_seconds*, in Unix ms: where seeded history ends."""
    return int(now_seconds // 86_400) * DAY_MS


def _between(rng: random.Random, low: int, high: int) -> int:
    """An int in [low, high): `randrange` is several times slower, for 10,000s of rows."""
    return low + int(rng.random() * (high - low))


def new_transaction_id(rng: random.Random, post_ms: int, taken: Container[str]) -> str:
    """A business id not in *taken*: `VA-` and the date, `-` and ten characters, or 22 digits.

    Both carry the posting time on the gateway's (Jakarta) calendar, as the
    documented examples do (`VA-20251024-...`, `32111` + `20250926133543` + `246`).
    """
    when = time.strftime("%Y%m%d%H%M%S", time.gmtime(post_ms // 1000 + _JAKARTA_OFFSET_S))
    while True:
        if rng.random() < 0.5:  # noqa: PLR2004  (half of each kind)
            bits = rng.getrandbits(50)
            suffix = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(45, -1, -5))
            ident = f"VA-{when[:8]}-{suffix}"
        else:
            ident = f"{_between(rng, 10_000, 100_000)}{when}{_between(rng, 0, 1000):03d}"
        if ident not in taken:
            return ident


def payment_fields(va: VirtualAccountRecord, amount: Decimal, notes: str | None) -> dict[str, Any]:
    """What a payment row takes from its virtual account and bank."""
    bank_code = bank_code_of(va)
    terms = BANK_TERMS[bank_code]
    return {
        "account_id": va.account_id,
        "virtual_account_id": va.id,
        "va_number": va.number,
        "merchant_reff_no": va.merchant_reff_no,
        "amount": amount,
        "currency": va.currency,
        "bank_code": bank_code,
        "bank": terms.record,
        "fee_name": terms.fee_name,
        "fee": terms.fee,
        "notes": notes,
    }


def amount_range(va: VirtualAccountRecord) -> tuple[Decimal, Decimal]:
    """What an open VA accepts: its own limits, else its bank's (the merchant's)."""
    terms = BANK_TERMS[bank_code_of(va)]
    low = terms.min_amount if va.min_amount is None else va.min_amount
    high = terms.max_amount if va.max_amount is None else va.max_amount
    return low, high


def _seeded_amount(rng: random.Random, va: VirtualAccountRecord) -> Decimal:
    if va.amount_type != "open":
        return va.amount
    low, high = amount_range(va)
    return min(high, max(low, draw_amount(rng)))


def _seeded_times(rng: random.Random, status: str, anchor: int) -> dict[str, Any]:
    """post, processed and settlement times of a seeded row, all before *anchor*."""
    if status == "expired":  # the attempt lapsed a day after it was posted
        post = anchor - _between(rng, 2 * DAY_MS, SEEDED_HISTORY_DAYS * DAY_MS)
        return {"post_timestamp": post, "processed_timestamp": post + DAY_MS}
    if rng.random() >= _SETTLED_SHARE:  # recent: not settled yet
        post = anchor - _between(rng, _HOUR_MS, 3 * DAY_MS)
        processed = post + _between(rng, 2_000, 40_000)
        return {"post_timestamp": post, "processed_timestamp": processed}
    # Old enough that even a late callback plus T+3 settles before the anchor.
    post = anchor - _between(rng, 8 * DAY_MS, SEEDED_HISTORY_DAYS * DAY_MS)
    late = rng.random() < _LATE_SHARE
    delay = _between(rng, DAY_MS, 2 * DAY_MS) if late else _between(rng, 2_000, 40_000)
    processed = post + delay
    return {
        "post_timestamp": post,
        "processed_timestamp": processed,
        "has_settle": True,
        "settle_at": processed + (1 if rng.random() < 0.5 else 3) * DAY_MS,  # noqa: PLR2004
    }


def _seeded_row(
    rng: random.Random, va: VirtualAccountRecord, status: str, anchor: int
) -> dict[str, Any]:
    reff = va.merchant_reff_no
    notes = f"Pembayaran {reff}" if reff and rng.random() < _NOTES_SHARE else None
    fields = payment_fields(va, _seeded_amount(rng, va), notes)
    unsettled = {"status": status, "has_settle": False, "settle_at": None}
    return unsettled | fields | _seeded_times(rng, status, anchor)


def _seed_account(
    ledger: Ledger,
    seed: int,
    index: int,
    virtual_accounts: Sequence[VirtualAccountRecord],
    *,
    anchor: int,
) -> None:
    """Add the seeded history of the *index*-th account to *ledger*, oldest first."""
    rng = seeded_rng(seed, "transactions", index)
    rows = []
    for va in virtual_accounts:
        rows += [_seeded_row(rng, va, "paid", anchor) for _ in range(va.current_usage or 0)]
        if rng.random() < _EXPIRED_ATTEMPT_SHARE:
            rows.append(_seeded_row(rng, va, "expired", anchor))
    # Row ids grow with time, as a database's would.
    rows.sort(key=lambda row: int(row["post_timestamp"]))
    for row in rows:
        ident = new_transaction_id(rng, row["post_timestamp"], ledger)
        ledger.add(TransactionRecord(transaction_id=ident, row_id=ledger.next_row_id(), **row))


def seed_ledger(
    seed: int,
    virtual_accounts: Mapping[str, Sequence[VirtualAccountRecord]],
    *,
    anchor: int,
) -> Ledger:
    """A ledger holding the seeded history of every account, in account order.

    Args:
        seed: The sandbox's seed.
        virtual_accounts: The seeded virtual accounts of each seeded account.
        anchor: Where history ends, Unix ms (see `history_anchor`).
    """
    ledger = Ledger()
    for index, records in enumerate(virtual_accounts.values()):
        _seed_account(ledger, seed, index, records, anchor=anchor)
    return ledger


def _fee_wire(seed: int, tx: TransactionRecord) -> object:
    """`4500` or `"4500.00"`: MONEY-IN.md shows both."""
    fee = tx.fee
    if fee == fee.to_integral_value() and pick(seed, tx.transaction_id, "fee", 2):
        return int(fee)
    return f"{fee:.2f}"


def encode_transaction(tx: TransactionRecord, account: AccountRecord | None, *, seed: int) -> str:
    """A transaction row as the va-transactions routes serve it (MONEY-IN.md §3)."""
    bank = tx.bank
    processed = tx.processed_timestamp
    return dumps(
        {
            "transaction_id": tx.transaction_id,
            "merchant_reff_no": tx.merchant_reff_no,
            "va_number": tx.va_number,
            "account": {
                "id": tx.account_id,
                "name": None if account is None else account.name,
                "email": None if account is None else account.email,
                "phone": None if account is None else account.phone,
            },
            "bank": {
                "short_name": bank.short_name,
                "number": bank.number,
                "swift_code": bank.swift_code,
                "bank_code": tx.bank_code,
            },
            "notes": tx.notes,
            "status": tx.status,
            "fees": {"name": tx.fee_name, "amount": _fee_wire(seed, tx), "currency": tx.currency},
            "amount": money_wire(seed, tx.transaction_id, "amount", tx.amount, tx.currency),
            # Times drift: these two are strings of ms, settle_at a number.
            "post_timestamp": str(tx.post_timestamp),
            "processed_timestamp": None if processed is None else str(processed),
            "has_settle": tx.has_settle,
            "settle_at": tx.settle_at,
        }
    )


def encode_balance(balance: BalanceRecord) -> str:
    """A balance as `GET /balance-inquiry[/{account_id}]` serves it (MONEY-IN.md §4)."""
    currency = balance.currency
    data: dict[str, object] = (
        {} if balance.account_id is None else {"account_id": balance.account_id}
    )
    for key, value in (
        ("balance", balance.balance),
        ("available_balance", balance.available),
        ("pending_balance", balance.pending),
        ("held_balance", balance.held),
    ):
        data[key] = {"value": f"{value:.2f}", "currency": currency}
    return dumps(data)
