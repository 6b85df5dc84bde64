"""Balances: `client.balance`."""

from __future__ import annotations

from vapay._models import Balance as BalanceModel
from vapay._paths import api_path, path_segment
from vapay.resources._base import Resource


class Balance(Resource):
    """What the merchant, or one sub-account, holds."""

    async def get(self, account_id: str | int | None = None) -> BalanceModel:
        """The merchant's balance, or one sub-account's.

        `GET /api/v1.0/balance-inquiry` or `GET /api/v1.0/balance-inquiry/{account_id}`.
        A sub-account's balance has `account_id` set; the merchant's has None.

        Raises:
            NotFoundError: no such account.
        """
        if account_id is None:
            return await self._get(BalanceModel, api_path("v1.0", "balance-inquiry"))
        path = api_path("v1.0", "balance-inquiry", path_segment(account_id, name="account_id"))
        return await self._get(BalanceModel, path, extra={"account_id": str(account_id)})
