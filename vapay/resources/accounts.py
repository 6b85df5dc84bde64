"""Sub-accounts: `client.accounts`."""

from __future__ import annotations

from vapay._errors import NotFoundError
from vapay._models import Account, AccountStatus
from vapay._pagination import AsyncPager
from vapay._paths import api_path, path_segment
from vapay.resources import _params
from vapay.resources._base import Resource

_ACCOUNTS = api_path("v1.0", "accounts")
# The API's documented largest page of accounts (REFERENCE.md, Pagination).
MAX_PER_PAGE = 100
# The statuses the update-status page lets a caller set.
SETTABLE_STATUSES = (AccountStatus.ACTIVE.value, AccountStatus.INACTIVE.value)
# The seed page's route, and the one the live API answers on instead (MONEY-IN.md §2).
_STATUS_ROUTES = {"seed": "update-status", "live": "update"}


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
            per_page: items per page (the API's default is 25, its maximum 100;
                a larger one is a ValueError).
            concurrency: pages in flight once the first page has told the total.
            dedupe: drop accounts already yielded (for listings that change
                while they are walked).

        Returns:
            An `AsyncPager` at once; nothing is requested until you iterate it.
        """
        return self._list(
            Account,
            _ACCOUNTS,
            params=_params.listing(per_page=per_page, max_per_page=MAX_PER_PAGE),
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
        return await self._get(
            Account, f"{_ACCOUNTS}/{path_segment(account_id, name='account_id')}"
        )

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
        _params.text(name, name="name")
        payload = {k: v for k, v in body.items() if v is not None}
        return await self._post(Account, _ACCOUNTS, json=payload)

    async def update_status(self, account_id: str | int, status: AccountStatus | str) -> Account:
        """Set a sub-account's status: "active" or "inactive" (or the `AccountStatus` members).

        Sent to the seed page's `PATCH /api/v1.0/accounts/update-status/{id}`; when
        that route answers 404, to the live API's `PATCH /api/v1.0/accounts/update/{id}`,
        and the client then remembers which route works. Setting a status twice is
        harmless, so this is retried like a read.

        Raises:
            ValueError: an empty *account_id*, or a status other than the two settable ones.
            NotFoundError: no such account (on whichever route answers).
        """
        segment = path_segment(account_id, name="account_id")
        body = {"status": _params.choice(status, SETTABLE_STATUSES, name="status")}
        discoveries = self._api.discoveries
        known = discoveries.status_route
        if known is not None:
            return await self._patch(Account, self._status_path(known, segment), json=body)
        try:
            account = await self._patch(Account, self._status_path("seed", segment), json=body)
        except NotFoundError:
            # The seed route is missing on the live API, or the account is: the
            # live route tells which (its 404 is the account's).
            account = await self._patch(Account, self._status_path("live", segment), json=body)
            discoveries.status_route = "live"
            return account
        discoveries.status_route = "seed"
        return account

    @staticmethod
    def _status_path(route: str, segment: str) -> str:
        return api_path("v1.0", "accounts", _STATUS_ROUTES[route], segment)
