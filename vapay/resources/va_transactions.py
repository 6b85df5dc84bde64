"""Payments into virtual accounts: `client.va_transactions`."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypedDict

from vapay._models import Account, VATransaction, VATransactionStatus
from vapay._pagination import AsyncPager, PageSource
from vapay._paths import api_path, path_segment
from vapay.resources import _params
from vapay.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

AccountRef = str | int | Account
SORT_FIELDS = ("id", "created_at", "amount", "post_timestamp")
SORT_ORDERS = ("asc", "desc")
_RANGES = ("post_timestamp", "processed_timestamp", "settle_at")


class TransactionFilters(TypedDict, total=False):
    """The API's filters of a payment listing, under its query names; all optional.

    Times are aware datetimes or Unix milliseconds, each range inclusive; amounts
    are `Decimal` or `int`. Unset filters are not sent (the API then applies its
    defaults: newest first, sorted by id).
    """

    status: VATransactionStatus | str
    merchant_reff_no: str
    transaction_id: str
    has_settle: bool
    amount: Decimal | int
    amount_min: Decimal | int
    amount_max: Decimal | int
    sort_by: Literal["id", "created_at", "amount", "post_timestamp"]
    sort_order: Literal["asc", "desc"]
    post_timestamp_from: dt.datetime | int
    post_timestamp_to: dt.datetime | int
    processed_timestamp_from: dt.datetime | int
    processed_timestamp_to: dt.datetime | int
    settle_at_from: dt.datetime | int
    settle_at_to: dt.datetime | int


_FILTER_NAMES = frozenset(TransactionFilters.__annotations__)


transaction_key: Callable[[VATransaction], str] = operator.attrgetter("transaction_id")
"""A payment's identity, for `dedupe=`: the gateway's transaction id."""


def _path(account_id: object, *rest: str) -> str:
    return api_path("v1.0", "va-transactions", path_segment(account_id, name="account_id"), *rest)


def _owner(account_id: object) -> dict[str, object]:
    return {"account_id": str(account_id)}


class VATransactions(Resource):
    """Payments into the virtual accounts of sub-accounts: list, find, read."""

    def list(
        self,
        account_id: str | int,
        *,
        va_number: str | None = None,
        page: int = 1,
        per_page: int | None = None,
        concurrency: int = 1,
        dedupe: bool = False,
        **filters: Unpack[TransactionFilters],
    ) -> AsyncPager[VATransaction]:
        """The payments into one sub-account's VAs (`GET /api/v1.0/va-transactions/{id}`).

        Args:
            account_id: the sub-account; each item's `account_id` is set to it.
            va_number: only payments into this VA number.
            page: the page to start at (to resume a walk).
            per_page: items per page (the API's default is 25).
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop payments already yielded (by `transaction_id`).
            **filters: see `TransactionFilters`: `status=`, `merchant_reff_no=`,
                `processed_timestamp_from=` ..., all checked before anything is sent.

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.

        Raises:
            ValueError: a bad filter value (named, with the allowed values).
            TypeError: a filter the API does not have.
        """
        params = _query(filters, per_page, va_number=va_number)
        return self._list(
            VATransaction,
            _path(account_id),
            params=params,
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
            extra=_owner(account_id),
            key=transaction_key,
        )

    def list_by_va_number(
        self,
        account_id: str | int,
        va_number: str | int,
        *,
        page: int = 1,
        per_page: int | None = None,
        concurrency: int = 1,
        dedupe: bool = False,
        **filters: Unpack[TransactionFilters],
    ) -> AsyncPager[VATransaction]:
        """The payments into one VA, by its number.

        `GET /api/v1.0/va-transactions/{account_id}/detail-by-va-number/{va_number}`
        (the API's default page size here is 50). Arguments as for `list()`.
        """
        path = _path(account_id, "detail-by-va-number", path_segment(va_number, name="va_number"))
        return self._list(
            VATransaction,
            path,
            params=_query(filters, per_page),
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
            extra=_owner(account_id),
            key=transaction_key,
        )

    def list_many(
        self,
        account_ids: Iterable[AccountRef] | AsyncIterable[AccountRef],
        *,
        va_number: str | None = None,
        per_page: int | None = None,
        concurrency: int = 16,
        buffer: int | None = None,
        dedupe: bool = False,
        **filters: Unpack[TransactionFilters],
    ) -> AsyncGenerator[VATransaction, None]:
        """The payments of many sub-accounts, fetched concurrently.

        `client.va_transactions.list_many(client.accounts.list(), status="paid")`:
        every paid payment of every account, each with `account_id` set, grouped
        by account in the order the ids came, pages in order. At most
        `concurrency` page requests are in flight across all accounts, and at
        most `buffer` pages (default: `concurrency`) are held on top of them;
        leaving the loop, cancelling, or an error cancels every outstanding
        request. `dedupe=True` drops payments already yielded (by
        `transaction_id`, across all accounts). Filters and checks as for `list()`.
        """
        params = _query(filters, per_page, va_number=va_number)

        def listing(ref: AccountRef) -> PageSource[VATransaction]:
            account_id = ref.id if isinstance(ref, Account) else ref
            return self._source(
                VATransaction, _path(account_id), params=params, extra=_owner(account_id)
            )

        return self._list_many(
            account_ids,
            listing,
            concurrency=concurrency,
            buffer=buffer,
            dedupe=dedupe,
            key=transaction_key,
        )

    async def get(self, account_id: str | int, transaction_id: str) -> VATransaction:
        """One payment, by the gateway's `transaction_id`.

        `GET /api/v1.0/va-transactions/{account_id}/{transaction_id}`.

        Raises:
            NotFoundError: no such account or payment.
        """
        path = _path(account_id, path_segment(transaction_id, name="transaction_id"))
        return await self._get(VATransaction, path, extra=_owner(account_id))


def _query(
    filters: Mapping[str, object], per_page: int | None, *, va_number: str | None = None
) -> dict[str, str]:
    """The checked query of a payment listing."""
    unknown = sorted(set(filters) - _FILTER_NAMES)
    if unknown:
        raise TypeError(
            f"unknown filter {unknown[0]!r}; the filters are: {', '.join(sorted(_FILTER_NAMES))}"
        )
    query = _params.listing(per_page=per_page)
    if va_number is not None:
        query["va_number"] = _params.text(va_number, name="va_number")
    for name, value in filters.items():
        if value is not None:
            query[name] = _filter_value(name, value)
    _check_order(query, "amount_min", "amount_max", Decimal)
    for prefix in _RANGES:
        _check_order(query, f"{prefix}_from", f"{prefix}_to", int)
    return query


_CHOICES: dict[str, type[VATransactionStatus] | tuple[str, ...]] = {
    "status": VATransactionStatus,
    "sort_by": SORT_FIELDS,
    "sort_order": SORT_ORDERS,
}


def _filter_value(name: str, value: object) -> str:
    allowed = _CHOICES.get(name)
    if allowed is not None:
        return _params.choice(value, allowed, name=name)
    if name == "has_settle":
        return _params.flag(value, name=name)
    if name.startswith("amount"):
        return str(_params.amount(value, name=name))
    if name.endswith(("_from", "_to")):
        return str(_params.unix_ms(value, name=name))
    return _params.text(value, name=name)


def _check_order(
    query: Mapping[str, str], low: str, high: str, number: type[Decimal | int]
) -> None:
    if low in query and high in query and number(query[high]) < number(query[low]):
        raise ValueError(f"{high} ({query[high]}) is before {low} ({query[low]})")
