"""Virtual accounts: `client.virtual_accounts`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Iterable

from vapay._fanout import fan_out
from vapay._models import Account, VirtualAccount, VirtualAccountKind
from vapay._pagination import AsyncPager, PageSource
from vapay._paths import api_path, path_segment
from vapay._validate import check_int
from vapay.resources._base import Resource, enum_value, listing_params

AccountRef = str | int | Account


class VirtualAccounts(Resource):
    """List the virtual accounts of sub-accounts."""

    def list(
        self,
        account_id: str | int,
        *,
        kind: VirtualAccountKind | str | None = None,
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
            page: the page to start at (to resume a walk).
            per_page: items per page (the API's default is 25, its maximum 25).
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop items already yielded.

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.
        """
        source = self._source(account_id, kind=kind, per_page=per_page)
        return AsyncPager(
            source.fetch,
            where=source.where,
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
        )

    def list_many(
        self,
        account_ids: Iterable[AccountRef] | AsyncIterable[AccountRef],
        *,
        kind: VirtualAccountKind | str | None = None,
        per_page: int | None = None,
        concurrency: int = 16,
    ) -> AsyncGenerator[VirtualAccount, None]:
        """The virtual accounts of many sub-accounts, fetched concurrently.

        For reconciliation: `client.virtual_accounts.list_many(client.accounts.list())`.

        Args:
            account_ids: ids, or `Account` objects, as any iterable or async
                iterable (an accounts listing can be piped straight in).
            kind: as for `list()`.
            per_page: items per page (the API's default is 25, its maximum 25).
            concurrency: page requests in flight at once, across all accounts;
                it also bounds the pages held in memory.

        Returns:
            An async iterator of `VirtualAccount`, each with `account_id` set,
            grouped by account in the order the ids came, pages in order: the
            same sequence as looping over `list()` for each id. Leaving the loop,
            cancelling, or an error cancels every outstanding request.
        """
        check_int(concurrency, name="concurrency", minimum=1)
        kind_value = None if kind is None else enum_value(kind, name="kind")
        listing_params(per_page=per_page)  # fail now, not at the first page

        def listing(ref: AccountRef) -> PageSource[VirtualAccount]:
            return self._source(getattr(ref, "id", ref), kind=kind_value, per_page=per_page)

        return fan_out(account_ids, listing, concurrency=concurrency)

    def _source(
        self,
        account_id: object,
        *,
        kind: VirtualAccountKind | str | None,
        per_page: int | None,
    ) -> PageSource[VirtualAccount]:
        segment = path_segment(account_id, name="account_id")
        return self._client._page_source(  # noqa: SLF001 - resources are the client's own
            VirtualAccount,
            api_path("v1.0", "virtual-accounts", segment),
            params=listing_params(
                per_page=per_page,
                kind=None if kind is None else enum_value(kind, name="kind"),
            ),
            extra={"account_id": str(account_id)},
        )
