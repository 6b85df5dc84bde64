"""What a virtual-account create or update body must hold (MONEY-IN.md §1).

Each function reads a JSON body into the record fields it sets, collecting
Laravel-style field errors, and raises the one 422 if any field failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from vapay.sandbox._banks import BANK_CODES, BANK_TERMS, bank_code_of
from vapay.sandbox._data import CURRENCY, DEFAULT_MAX_USAGE, KINDS
from vapay.sandbox._protocol import Validator
from vapay.sandbox._records import VirtualAccountRecord

AMOUNT_TYPES = ("closed", "open")
VA_STATUSES = ("active", "inactive", "expired")
_MAX_TEXT = 255
_CURRENCY = re.compile(r"[A-Z]{3}")


def _within_bank(validator: Validator, field: str, value: Decimal | None, bank: str | None) -> None:
    """A 422 on *field* when *value* is outside the bank's amount limits."""
    terms = BANK_TERMS.get(bank or "")
    if value is None or terms is None:
        return
    low, high = terms.min_amount, terms.max_amount
    if not low <= value <= high:
        label = field.replace("_", " ")
        validator.fail(field, f"The {label} field must be between {low} and {high}.")


def _amounts(
    validator: Validator, *, closed: bool, bank: str | None, required_message: str | None
) -> dict[str, Any]:
    """`amount` for a closed VA; optional `min_amount`/`max_amount` for an open one."""
    zero = Decimal(0)
    if closed:
        amount = validator.number(
            "amount", required=True, required_message=required_message, minimum=zero
        )
        _within_bank(validator, "amount", amount, bank)
        return {"amount": amount, "min_amount": None, "max_amount": None}
    low = validator.number("min_amount", minimum=zero)
    high = validator.number("max_amount", minimum=zero)
    _within_bank(validator, "min_amount", low, bank)
    _within_bank(validator, "max_amount", high, bank)
    if low is not None and high is not None and high < low:
        validator.fail(
            "max_amount", "The max amount field must be greater than or equal to min amount."
        )
    # An open VA's own amount is not used; it is served as 0, like a seed permanent VA.
    return {"amount": zero, "min_amount": low, "max_amount": high}


def read_create(body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new virtual account, from a create body.

    Raises:
        ApiError: 422 with every failed field.
    """
    validator = Validator(body)
    bank_code = validator.choice("bank_code", BANK_CODES, required=True)
    kind = validator.choice("kind", KINDS, required=True)
    amount_type = validator.choice("amount_type", AMOUNT_TYPES, required=False) or "closed"
    fields = _amounts(
        validator, closed=amount_type == "closed", bank=bank_code, required_message=None
    )
    max_usage = validator.whole("max_usage", minimum=1, maximum=DEFAULT_MAX_USAGE)
    currency = validator.string(
        "currency",
        pattern=_CURRENCY,
        pattern_message="The {label} field must be 3 capital letters.",
    )
    fields |= {
        "bank_code": bank_code,
        "kind": kind,
        "amount_type": amount_type,
        "expired_at": validator.timestamp_ms("expired_at", required=kind == "temporary"),
        "max_usage": DEFAULT_MAX_USAGE if max_usage is None else max_usage,
        "name": validator.string("name", max_length=_MAX_TEXT),
        "merchant_reff_no": validator.string("merchant_reff_no", max_length=_MAX_TEXT),
        "currency": currency or CURRENCY,
    }
    validator.check()
    return fields


def read_update(body: Mapping[str, Any], va: VirtualAccountRecord) -> dict[str, Any]:
    """The fields an update (a full replace) sets on *va*.

    `status`, the amounts, `expired_at` and `max_usage` are replaced: left out, an
    optional one goes back to its default. `name` and `merchant_reff_no` change
    only when sent; the bank, kind, amount type and currency are fixed at create.
    The messages of the required fields are the gateway's own ("Amount is required").

    Raises:
        ApiError: 422 with every failed field.
    """
    validator = Validator(body)
    temporary = va.kind == "temporary"
    fields: dict[str, Any] = {"status": validator.choice("status", VA_STATUSES, required=True)}
    fields |= _amounts(
        validator,
        closed=va.amount_type != "open",
        bank=bank_code_of(va),
        required_message="Amount is required",
    )
    expired_at = validator.timestamp_ms(
        "expired_at", required=temporary, required_message="Expired at is required"
    )
    max_usage = validator.whole(
        "max_usage",
        minimum=1,
        maximum=DEFAULT_MAX_USAGE,
        required=temporary,
        required_message="Max usage is required",
    )
    fields |= {
        "expired_at": expired_at,
        "max_usage": DEFAULT_MAX_USAGE if max_usage is None else max_usage,
    }
    for optional in ("name", "merchant_reff_no"):
        if optional in body:
            fields[optional] = validator.string(optional, max_length=_MAX_TEXT)
    validator.check()
    return fields
