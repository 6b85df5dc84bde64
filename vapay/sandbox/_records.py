"""The sandbox's data as Python values: what a correct client decodes from the wire.

Each record holds the fields the sandbox serves in its mode, normalised (ids, phone
and VA numbers as `str`, amounts as exact `Decimal`, times as unix milliseconds).
A field the mode does not serve is `None`: seed-mode records have no live-only
fields, live-mode records have no `email`, `phone`, `bank_code` or `created_at`.
"""

from __future__ import annotations

from decimal import Decimal

import attrs


@attrs.define(kw_only=True)
class AccountRecord:
    """One sub-account, as the list and show endpoints serve it.

    Mutable because `PATCH .../update-status/{id}` changes `status` in place.
    """

    id: str
    name: str
    status: str
    email: str | None = None
    phone: str | None = None
    # Live-API fields (None in seed mode).
    account_number: str | None = None
    account_type: str | None = None
    kyb_status: str | None = None
    invite_members: list[str] | None = None


@attrs.frozen(kw_only=True)
class BankRecord:
    """The live API's `bank` object of a virtual account."""

    short_name: str
    number: str
    swift_code: str


@attrs.frozen(kw_only=True)
class VirtualAccountRecord:
    """One virtual account of an account.

    `amount` is the exact value behind whichever wire form (string, int or float)
    the sandbox sends, so totals can be compared with `==`.
    """

    id: str
    account_id: str
    number: str
    amount: Decimal
    currency: str
    kind: str
    status: str
    # Seed-API fields (None in live mode).
    bank_code: str | None = None
    created_at: int | None = None
    # Live-API fields (None in seed mode).
    merchant_reff_no: str | None = None
    code: str | None = None
    bank: BankRecord | None = None
    amount_type: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    name: str | None = None
    current_usage: int | None = None
    expired_at: int | None = None
