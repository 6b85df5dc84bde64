"""The sandbox's data as Python values: what a correct client decodes from the wire.

Each record holds the fields the sandbox serves in its mode, normalised (ids, phone
and VA numbers as `str`, amounts as exact `Decimal`, times as unix milliseconds).
A field the mode does not serve is `None`: live-mode records have no `email`,
`phone`, `bank_code` or `created_at`. Seed-mode virtual accounts carry the live
fields too, because the money-in routes (show, create, update) serve the live
shape in both modes; the seed page's list route leaves them out.
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
    max_usage: int | None = None
    expired_at: int | None = None


@attrs.frozen(kw_only=True)
class TransactionRecord:
    """One payment (or payment attempt) into a virtual account: a VA-transaction row.

    A snapshot: paying late or settling replaces the stored record, so one you hold
    keeps the values it had when you got it.

    Attributes:
        transaction_id: The business id, `VA-20251024-0001H9X8ZK` or 22 digits.
        account_id: The account the virtual account belongs to.
        virtual_account_id: The paid virtual account's id.
        va_number: The paid virtual account's number.
        merchant_reff_no: The virtual account's `merchant_reff_no` when paid.
        status: `"paid"` or `"expired"` (a late callback turns expired into paid).
        amount: The amount paid (or asked, for an expired attempt).
        currency: The amount's currency.
        bank_code: The bank code (`"BRI"`); `bank` is its bank object.
        bank: The bank's `short_name`, `number` and `swift_code`.
        fee_name: `fees.name`.
        fee: `fees.amount`, the gateway's fee; the net received is `amount - fee`.
        notes: Free text, or `None`.
        post_timestamp: When the payment was posted, Unix ms.
        processed_timestamp: When it reached its status (paid or expired), Unix ms.
        has_settle: Whether it has been settled.
        settle_at: When it was settled, Unix ms, or `None`.
        row_id: The gateway's internal row number, in the order rows were recorded:
            what `sort_by=id` orders by. Not on the wire.
    """

    transaction_id: str
    account_id: str
    virtual_account_id: str
    va_number: str
    merchant_reff_no: str | None
    status: str
    amount: Decimal
    currency: str
    bank_code: str
    bank: BankRecord
    fee_name: str
    fee: Decimal
    notes: str | None
    post_timestamp: int
    processed_timestamp: int | None
    has_settle: bool
    settle_at: int | None
    row_id: int

    @property
    def net(self) -> Decimal:
        """What the merchant receives: `amount - fee`."""
        return self.amount - self.fee


@attrs.frozen(kw_only=True)
class BalanceRecord:
    """A balance as `GET /balance-inquiry[/{account_id}]` serves it.

    The sandbox's model: a paid, unsettled payment adds its net (amount - fee) to
    `pending`; settling moves it to `available`; nothing is ever held; `balance` is
    `available + pending`. The merchant's balance sums every account's.

    Attributes:
        account_id: The account, or `None` for the merchant.
        balance: `available + pending`.
        available: Settled net receipts.
        pending: Paid but unsettled net receipts.
        held: Always 0 in the sandbox.
        currency: `"IDR"`.
    """

    account_id: str | None
    balance: Decimal
    available: Decimal
    pending: Decimal
    held: Decimal
    currency: str
