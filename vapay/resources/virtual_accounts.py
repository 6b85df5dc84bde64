"""Virtual accounts: `client.virtual_accounts`."""

from __future__ import annotations

from vapay._models import VirtualAccount, VirtualAccountKind
from vapay._pagination import AsyncPager
from vapay._paths import api_path, path_segment
from vapay.resources._base import Resource, enum_value, listing_params


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
            per_page: items per page.
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop items already yielded.

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.
        """
        segment = path_segment(account_id, name="account_id")
        return self._client._pager(  # noqa: SLF001 - resources are the client's own
            VirtualAccount,
            api_path("v1.0", "virtual-accounts", segment),
            params=listing_params(
                per_page=per_page,
                kind=None if kind is None else enum_value(kind, name="kind"),
            ),
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
            extra={"account_id": str(account_id)},
        )
