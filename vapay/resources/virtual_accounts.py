"""Virtual accounts: `client.virtual_accounts`."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterable, Iterable
from decimal import Decimal

from vapay._models import (
    Account,
    AmountType,
    VirtualAccount,
    VirtualAccountKind,
    VirtualAccountStatus,
)
from vapay._pagination import AsyncPager, PageSource
from vapay._paths import api_path, path_segment
from vapay.resources import _params
from vapay.resources._base import Resource

AccountRef = str | int | Account
"""An account: its id, or the `Account` itself (as `accounts.list()` yields them)."""

Amount = Decimal | int
When = dt.datetime | int
"""An aware datetime, or Unix milliseconds."""

# The API's documented largest page of virtual accounts (REFERENCE.md, Pagination).
MAX_PER_PAGE = 25
# MONEY-IN.md §1: at most 255 payments into one VA, and the reference's length.
MAX_USAGE = 255
MAX_REFERENCE_LENGTH = 255


def _path(account_id: object) -> str:
    return api_path("v1.0", "virtual-accounts", path_segment(account_id, name="account_id"))


def _va_path(account_id: object, va_id: object) -> str:
    # The VA's id is checked like any id: None or "" is refused, never dropped
    # (which would send the call to the account's collection instead).
    return f"{_path(account_id)}/{path_segment(va_id, name='virtual_account_id')}"


def _owner(account_id: object) -> dict[str, object]:
    # Items say which sub-account they belong to, whatever the body carries.
    return {"account_id": str(account_id)}


class VirtualAccounts(Resource):
    """Open, read, change, close and list the virtual accounts of sub-accounts."""

    def list(
        self,
        account_id: str | int,
        *,
        kind: VirtualAccountKind | str | None = None,
        merchant_reff_no: str | None = None,
        page: int = 1,
        per_page: int | None = None,
        concurrency: int = 1,
        dedupe: bool = False,
    ) -> AsyncPager[VirtualAccount]:
        """The virtual accounts of one sub-account (`GET /api/v1.0/virtual-accounts/{id}`).

        Args:
            account_id: the sub-account; each item's `account_id` is set to it.
            kind: "temporary" or "permanent"; sent only when given (the seed API
                requires it and answers 422 without it).
            merchant_reff_no: only VAs whose reference contains this text: how to
                find out whether a create that may have reached the server opened one.
            page: the page to start at (to resume a walk).
            per_page: items per page (the API's default is 25, its maximum 25).
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop items already yielded.

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.
        """
        return self._list(
            VirtualAccount,
            _path(account_id),
            params=_listing_params(kind, merchant_reff_no, per_page),
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
            extra=_owner(account_id),
        )

    def list_many(
        self,
        account_ids: Iterable[AccountRef] | AsyncIterable[AccountRef],
        *,
        kind: VirtualAccountKind | str | None = None,
        merchant_reff_no: str | None = None,
        per_page: int | None = None,
        concurrency: int = 16,
        buffer: int | None = None,
        dedupe: bool = False,
    ) -> AsyncGenerator[VirtualAccount, None]:
        """The virtual accounts of many sub-accounts, fetched concurrently.

        For reconciliation: `client.virtual_accounts.list_many(client.accounts.list())`.

        Args:
            account_ids: ids, or `Account` objects, as any iterable or async
                iterable (an accounts listing can be piped straight in).
            kind: as for `list()`.
            merchant_reff_no: as for `list()`.
            per_page: items per page (the API's default is 25, its maximum 25).
            concurrency: page requests in flight at once, across all accounts.
            buffer: pages fetched ahead and held on top of those in flight
                (default: `concurrency`), so that a slow consumer bounds memory.
            dedupe: drop VAs already yielded, across all accounts (for
                listings that grow while walked).

        Returns:
            An async iterator of `VirtualAccount`, each with `account_id` set,
            grouped by account in the order the ids came, pages in order: the
            same sequence as looping over `list()` for each id. Leaving the loop,
            cancelling, or an error cancels every outstanding request.
        """
        params = _listing_params(kind, merchant_reff_no, per_page)

        def listing(ref: AccountRef) -> PageSource[VirtualAccount]:
            account_id = ref.id if isinstance(ref, Account) else ref
            return self._source(
                VirtualAccount, _path(account_id), params=params, extra=_owner(account_id)
            )

        return self._list_many(
            account_ids, listing, concurrency=concurrency, buffer=buffer, dedupe=dedupe
        )

    async def get(self, account_id: str | int, virtual_account_id: str) -> VirtualAccount:
        """One virtual account, by its `id` (not its number).

        `GET /api/v1.0/virtual-accounts/{account_id}/{virtual_account_id}`.

        Raises:
            ValueError: an empty id.
            NotFoundError: no such account or virtual account.
        """
        return await self._get(
            VirtualAccount, _va_path(account_id, virtual_account_id), extra=_owner(account_id)
        )

    async def create(
        self,
        account_id: str | int,
        *,
        bank_code: str,
        kind: VirtualAccountKind | str,
        amount: Amount | None = None,
        expired_at: When | None = None,
        amount_type: AmountType | str | None = None,
        min_amount: Amount | None = None,
        max_amount: Amount | None = None,
        max_usage: int | None = None,
        name: str | None = None,
        merchant_reff_no: str | None = None,
        currency: str | None = None,
    ) -> VirtualAccount:
        """Open a virtual account (`POST /api/v1.0/virtual-accounts/{account_id}`).

        Unset arguments are not sent (the API applies its defaults: a closed VA,
        255 uses, IDR). Amounts go out as exact JSON numbers, `expired_at` as
        Unix milliseconds.

        Never sent twice once it may have reached the server: the API has no
        idempotency key, and a second VA would take real payments. When a create
        fails with `APIConnectionError.may_have_reached_server` (or a 5xx), look
        for it with `list(account_id, merchant_reff_no=...)` before trying again.

        Args:
            account_id: the sub-account that owns the VA.
            bank_code: "BRI", "BCA", ... (the API refuses codes it does not serve).
            kind: "temporary" (one payment window; needs `expired_at`) or "permanent".
            amount: the amount of a closed VA (required for one).
            expired_at: an aware datetime or Unix milliseconds (required for a
                temporary VA).
            amount_type: "closed" (the default: exactly `amount`) or "open" (any
                amount in [`min_amount`, `max_amount`]).
            min_amount: an open VA's smallest amount.
            max_amount: an open VA's largest amount.
            max_usage: payments the VA takes, 1..255.
            name: shown to the payer.
            merchant_reff_no: your reference, at most 255 characters; it comes
                back on every payment and webhook: use your invoice number.
            currency: three letters (the API's default is IDR).

        Raises:
            ValueError: a missing or bad argument (named), before anything is sent.
            UnprocessableEntityError: the API refused a field (see `.errors`).
        """
        body = _va_body(
            amount=amount,
            expired_at=expired_at,
            max_usage=max_usage,
            name=name,
            merchant_reff_no=merchant_reff_no,
            currency=currency,
            min_amount=min_amount,
            max_amount=max_amount,
        )
        kind_value = _params.choice(kind, VirtualAccountKind, name="kind")
        type_value = (
            AmountType.CLOSED.value
            if amount_type is None
            else _params.choice(amount_type, AmountType, name="amount_type")
        )
        if type_value == AmountType.CLOSED.value and amount is None:
            raise ValueError("amount is required for a closed virtual account")
        if kind_value == VirtualAccountKind.TEMPORARY.value and expired_at is None:
            raise ValueError("expired_at is required for a temporary virtual account")
        body = {
            "bank_code": _params.text(bank_code, name="bank_code"),
            "kind": kind_value,
            **({} if amount_type is None else {"amount_type": type_value}),
            **body,
        }
        return await self._post(
            VirtualAccount, _path(account_id), json=body, extra=_owner(account_id)
        )

    async def update(
        self,
        account_id: str | int,
        virtual_account_id: str,
        *,
        status: VirtualAccountStatus | str,
        amount: Amount | None = None,
        expired_at: When | None = None,
        max_usage: int | None = None,
        min_amount: Amount | None = None,
        max_amount: Amount | None = None,
        name: str | None = None,
    ) -> VirtualAccount:
        """Replace a virtual account's settings (`PUT .../{account_id}/{virtual_account_id}`).

        A full replace: send every setting the VA's kind needs (a closed VA's
        `amount`; a temporary VA's `expired_at` and `max_usage`), or the API
        answers 422 naming what is missing. Setting the same values twice is
        harmless, so this is retried like a read.

        Raises:
            ValueError: a bad argument (named), before anything is sent.
            UnprocessableEntityError: the API refused a field, or one is missing
                for the VA's kind (see `.errors`).
            NotFoundError: no such account or virtual account.
        """
        body = {
            "status": _params.choice(status, VirtualAccountStatus, name="status"),
            **_va_body(
                amount=amount,
                expired_at=expired_at,
                max_usage=max_usage,
                name=name,
                min_amount=min_amount,
                max_amount=max_amount,
            ),
        }
        return await self._put(
            VirtualAccount,
            _va_path(account_id, virtual_account_id),
            json=body,
            extra=_owner(account_id),
        )

    async def delete(self, account_id: str | int, virtual_account_id: str) -> None:
        """Delete a virtual account that has taken no payment.

        `DELETE .../{account_id}/{virtual_account_id}`; retried like a read. A 404
        after an attempt that may have reached the server (a 5xx, a timeout, a
        connection lost after sending) means that attempt deleted it: not an error.

        Raises:
            PermissionDeniedError: the VA has payments (deactivate it instead:
                `update(..., status="inactive", ...)`).
            NotFoundError: no such account or virtual account.
        """
        await self._delete(_va_path(account_id, virtual_account_id))


def _listing_params(
    kind: VirtualAccountKind | str | None, merchant_reff_no: str | None, per_page: int | None
) -> dict[str, str]:
    return _params.listing(
        per_page=per_page,
        max_per_page=MAX_PER_PAGE,
        kind=None if kind is None else _params.choice(kind, VirtualAccountKind, name="kind"),
        merchant_reff_no=None
        if merchant_reff_no is None
        else _params.text(merchant_reff_no, name="merchant_reff_no"),
    )


def _va_body(
    *,
    amount: Amount | None,
    expired_at: When | None,
    max_usage: int | None,
    name: str | None,
    min_amount: Amount | None,
    max_amount: Amount | None,
    merchant_reff_no: str | None = None,
    currency: str | None = None,
) -> dict[str, object]:
    """The checked wire form of the given VA settings (unset ones left out)."""
    body: dict[str, object] = {}
    for field, value in (
        ("amount", amount),
        ("min_amount", min_amount),
        ("max_amount", max_amount),
    ):
        if value is not None:
            body[field] = _params.amount(value, name=field)
    low, high = body.get("min_amount"), body.get("max_amount")
    if isinstance(low, Decimal) and isinstance(high, Decimal) and high < low:
        raise ValueError(f"max_amount ({high}) must be >= min_amount ({low})")
    if expired_at is not None:
        body["expired_at"] = _params.unix_ms(expired_at, name="expired_at")
    if max_usage is not None:
        body["max_usage"] = _params.bounded(
            max_usage, name="max_usage", minimum=1, maximum=MAX_USAGE
        )
    if name is not None:
        body["name"] = _params.text(name, name="name")
    if merchant_reff_no is not None:
        body["merchant_reff_no"] = _params.text(
            merchant_reff_no, name="merchant_reff_no", max_length=MAX_REFERENCE_LENGTH
        )
    if currency is not None:
        text = _params.text(currency, name="currency")
        if not (len(text) == 3 and text.isascii() and text.isalpha()):  # noqa: PLR2004
            raise ValueError(f"currency must be three letters, like 'IDR', got {currency!r:.20}")
        body["currency"] = text
    return body
