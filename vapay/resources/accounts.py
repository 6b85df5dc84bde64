"""Sub-accounts: `client.accounts`."""

from __future__ import annotations

from vapay._models import Account, AccountStatus
from vapay._pagination import AsyncPager
from vapay._paths import api_path, path_segment
from vapay.resources._base import Resource, enum_value, listing_params

_ACCOUNTS = api_path("v1.0", "accounts")


class Accounts(Resource):
    """List, read, create and (de)activate sub-accounts."""

    def list(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        concurrency: int = 1,
        dedupe: bool = False,
    ) -> AsyncPager[Account]:
        """Every sub-account, page by page (`GET /api/v1.0/accounts`).

        Args:
            page: the page to start at (to resume a walk).
            per_page: items per page (the API's default is 25, its maximum 100).
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop accounts already yielded (for listings that change
                while they are walked).

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.
        """
        return self._client._pager(  # noqa: SLF001 - resources are the client's own
            Account,
            _ACCOUNTS,
            params=listing_params(per_page=per_page),
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
        )

    async def get(self, account_id: str | int) -> Account:
        """One sub-account (`GET /api/v1.0/accounts/{account_id}`).

        Raises:
            ValueError: an empty *account_id*.
            NotFoundError: no such account.
        """
        path = f"{_ACCOUNTS}/{path_segment(account_id, name='account_id')}"
        return await self._client._fetch(Account, "GET", path)  # noqa: SLF001

    async def create(
        self, *, name: str, email: str | None = None, phone: str | None = None
    ) -> Account:
        """Open a sub-account (`POST /api/v1.0/accounts`); unset fields are not sent.

        Never retried once it may have reached the API: a second attempt could
        open a second account.

        Raises:
            ValueError: *name* is empty, or a field is not a string.
            UnprocessableEntityError: the API rejected a field (see `.errors`).
        """
        body = {"name": name, "email": email, "phone": phone}
        for field, value in body.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{field} must be a string, got {type(value).__name__}")
        if not name or not name.strip():
            raise ValueError("name must not be empty")
        payload = {k: v for k, v in body.items() if v is not None}
        return await self._client._fetch(Account, "POST", _ACCOUNTS, json=payload)  # noqa: SLF001

    async def update_status(self, account_id: str | int, status: AccountStatus | str) -> Account:
        """Set a sub-account's status, e.g. `AccountStatus.INACTIVE` or "active".

        `PATCH /api/v1.0/accounts/update-status/{account_id}`. Setting a status
        twice is harmless, so this is retried like a read.
        """
        path = api_path(
            "v1.0",
            "accounts",
            "update-status",
            path_segment(account_id, name="account_id"),
        )
        return await self._client._fetch(  # noqa: SLF001
            Account,
            "PATCH",
            path,
            json={"status": enum_value(status, name="status")},
            idempotent=True,
        )
