"""The API's objects as frozen attrs value objects, and its enums.

Models hold data only: no session, no client, no I/O. Fields the live API added
since the seed pages are optional attributes; seed fields it dropped are None when
absent. Enum-typed fields hold the plain string when the API sends a value this
version does not know.

The rule every model here keeps: a field is either required (no default) or
optional with the default None, and nothing else (no other defaults, validators or
converters). The listing fast path (`_fastpath`) builds instances by setting slots
on that assumption; a model that breaks it is decoded by plain cattrs instead
(`_fastpath.supports` decides), which is correct but slower. `Money` is the one
exception, on purpose: its currency defaults to the API's "IDR", and the converter
has a hand-written hook for it.
"""

# No `from __future__ import annotations` here: the package re-homes these classes
# to `vapay` for readable reprs, and cattrs resolves string annotations in the
# class's module, where `dt` and `Decimal` would then not be found.
import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Generic, TypeVar

import attrs


class _WireEnum(str, enum.Enum):
    """A string enum whose str() is the value the API sends ("active")."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class AccountStatus(_WireEnum):
    """Status of a sub-account."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"
    REJECTED = "rejected"


class AccountType(_WireEnum):
    """Kind of sub-account (live API field `account_type`)."""

    OWNED = "owned"
    PERSONAL_MANAGED = "personal_managed"
    BUSINESS_MANAGED = "business_managed"


class VirtualAccountKind(_WireEnum):
    """A temporary VA is for one payment; a permanent one takes many."""

    TEMPORARY = "temporary"
    PERMANENT = "permanent"


class VirtualAccountStatus(_WireEnum):
    """Status of a virtual account (`inactive` is the live API's addition)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    INACTIVE = "inactive"


class VATransactionStatus(_WireEnum):
    """Status of a payment into a virtual account.

    An unpaid payment ends `expired`; a late bank callback can still turn an
    expired one `paid` (re-read a trailing window when reconciling).
    """

    UNPAID = "unpaid"
    PAID = "paid"
    EXPIRED = "expired"
    FAILED = "failed"


class AmountType(_WireEnum):
    """Whether a VA takes any amount (`open`) or exactly one (`closed`)."""

    OPEN = "open"
    CLOSED = "closed"


DEFAULT_CURRENCY = "IDR"


@attrs.frozen(kw_only=True)
class Money:
    """An exact amount: `value` keeps the scale the API sent ("11000.00").

    `currency` is the API's three letters; when the API leaves it out (or sends
    null) it is its documented default, "IDR".
    """

    value: Decimal
    currency: str = DEFAULT_CURRENCY


@attrs.frozen(kw_only=True)
class Bank:
    """The bank behind a virtual account or a payment (live API)."""

    short_name: str | None = None
    number: str | None = None
    swift_code: str | None = None
    bank_code: str | None = None


@attrs.frozen(kw_only=True)
class Fee:
    """The gateway's fee on a payment; net received is `amount.value - fee.amount.value`."""

    amount: Money
    name: str | None = None


@attrs.frozen(kw_only=True)
class Account:
    """A sub-account of the merchant."""

    id: str
    name: str | None = None
    status: AccountStatus | str | None = None
    # Seed fields; the live API no longer sends them.
    email: str | None = None
    phone: str | None = None
    # Live API fields.
    account_number: str | None = None
    account_type: AccountType | str | None = None
    kyb_status: str | None = None
    invite_members: object = None


@attrs.frozen(kw_only=True)
class VirtualAccount:
    """A virtual account (a bank account number that receives payments).

    `account_id` is the sub-account the listing was asked for, so items of
    `list_many` say where they belong.
    """

    id: str
    number: str
    amount: Money
    status: VirtualAccountStatus | str
    kind: VirtualAccountKind | str | None = None
    account_id: str | None = None
    # Seed fields; the live API no longer sends them.
    bank_code: str | None = None
    created_at: dt.datetime | None = None
    # Live API fields.
    name: str | None = None
    merchant_reff_no: str | None = None
    code: str | None = None
    bank: Bank | None = None
    amount_type: AmountType | str | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    current_usage: int | None = None
    max_usage: int | None = None
    expired_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class VATransaction:
    """A payment (or an attempt at one) into a virtual account.

    `transaction_id` is the gateway's business id (the key to store and dedupe
    on); `merchant_reff_no` is the reference given when the VA was created, the
    key to match payments to invoices. `account_id` is the sub-account the
    listing (or `get`) was asked for. Times are aware UTC datetimes.
    """

    transaction_id: str
    status: VATransactionStatus | str
    amount: Money
    account_id: str | None = None
    merchant_reff_no: str | None = None
    va_number: str | None = None
    fees: Fee | None = None
    bank: Bank | None = None
    notes: str | None = None
    has_settle: bool | None = None
    settle_at: dt.datetime | None = None
    post_timestamp: dt.datetime | None = None
    processed_timestamp: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class Balance:
    """A balance inquiry's answer: the merchant's, or one sub-account's.

    `account_id` is None for the merchant's own balance.
    """

    balance: Money
    available_balance: Money
    pending_balance: Money
    held_balance: Money | None = None
    account_id: str | None = None


@attrs.frozen(kw_only=True)
class Pagination:
    """A list page's pagination block, under either spelling or name.

    A block without `current_page` and `total_pages` is not usable and decodes
    to no Pagination at all.
    """

    current_page: int
    total_pages: int
    count: int | None = None
    total: int | None = None
    per_page: int | None = None
    links: Mapping[str, str | None] = attrs.field(factory=dict)


T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its items and, when the API sent one, its block."""

    items: list[T]
    pagination: Pagination | None = None
    number: int = 1
    """The page number that was asked for."""

    def next_page(self) -> int | None:
        """The number of the page after this one, or None when this is the last.

        Without a usable pagination block the answer is only a guess (the next
        number while this page has items); the pager then also stops when a page
        repeats the previous one.
        """
        if self.pagination is None:
            return self.number + 1 if self.items else None
        if not self.items or self.pagination.current_page >= self.pagination.total_pages:
            return None
        return self.pagination.current_page + 1

    def __repr__(self) -> str:
        if self.pagination is None:
            return f"<Page {self.number} items={len(self.items)}>"
        return (
            f"<Page {self.pagination.current_page}/{self.pagination.total_pages}"
            f" items={len(self.items)}>"
        )
