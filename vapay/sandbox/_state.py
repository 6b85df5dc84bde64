"""What the sandbox knows: its data, the issued tokens, the request log, the faults."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from vapay.sandbox._data import created_account, encode_account, encode_virtual_account
from vapay.sandbox._faults import FaultPlan
from vapay.sandbox._records import AccountRecord, VirtualAccountRecord
from vapay.sandbox._tokens import TokenStore


@attrs.define(kw_only=True, eq=False)
class RecordedRequest:
    """One request the sandbox received, faulted or not.

    Attributes:
        method: HTTP method.
        path: URL path, percent-decoded.
        query: Query parameters (the first value of each).
        headers: Request headers as received (case-insensitive lookups).
        body: Raw request body.
        json: The body parsed as JSON, or `None` if empty or not JSON.
        route: Route name (`"token"`, `"accounts.list"`, ...), `"unknown"` if none.
        fault: Kind of the fault applied to it (`"status"`, `"drop"`, ...), if any.
        status: HTTP status answered; `None` while in flight or if dropped.
        received_at: `time.monotonic()` when it arrived (to measure request rates).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    json: Any
    route: str
    fault: str | None = None
    status: int | None = None
    received_at: float = attrs.field(factory=time.monotonic)


@attrs.define(kw_only=True, eq=False, repr=False)
class SandboxState:
    """The sandbox's state, shared by its routes and readable by tests.

    `accounts` and `virtual_accounts` are in the order the list endpoints serve
    them; treat them as read-only and change data through the API, because the
    encoded wire form of each record is cached next to them.

    Attributes:
        seed: Seed every piece of data derives from.
        live: Whether the live API's newer shapes are served.
        api_key: Expected `X-PARTNER-ID`.
        client_id: Expected client id.
        client_secret: Expected client secret.
        latency: Seconds added to every non-token response.
        clock: Time source (unix seconds) for token expiry and the signature date.
        tokens: Issued tokens.
        accounts: Account records, in served order.
        virtual_accounts: Account id to its virtual accounts, all kinds, in order.
        faults: Pending faults.
        requests: Every request received, in arrival order (if `record_requests`).
        record_requests: Whether to keep `requests`; counts are kept regardless.
    """

    seed: int
    live: bool
    api_key: str
    client_id: str
    client_secret: str
    latency: float
    clock: Callable[[], float]
    tokens: TokenStore
    accounts: list[AccountRecord]
    virtual_accounts: dict[str, list[VirtualAccountRecord]]
    faults: FaultPlan = attrs.Factory(FaultPlan)
    requests: list[RecordedRequest] = attrs.Factory(list)
    record_requests: bool = True
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)
    _account_json: list[str] = attrs.field(init=False, factory=list)
    _account_index: dict[str, int] = attrs.field(init=False, factory=dict)
    # (account id, kind or None for all kinds) -> encoded items, so serving a page
    # is a slice and a join, whatever the total.
    _va_json: dict[tuple[str, str | None], list[str]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        for account in self.accounts:
            self._add_account(account)
        for account_id, records in self.virtual_accounts.items():
            encoded = [encode_virtual_account(va, seed=self.seed, live=self.live) for va in records]
            self._va_json[account_id, None] = encoded
            for kind in {va.kind for va in records}:
                self._va_json[account_id, kind] = [
                    item for item, va in zip(encoded, records, strict=True) if va.kind == kind
                ]

    def __repr__(self) -> str:
        # Short: the data can be 100,000 records, and the credentials stay out.
        total = sum(len(records) for records in self.virtual_accounts.values())
        return (
            f"<SandboxState seed={self.seed} live={self.live} "
            f"accounts={len(self.accounts)} virtual_accounts={total} "
            f"requests={sum(self._counts.values())}>"
        )

    def _add_account(self, account: AccountRecord) -> None:
        self._account_index[account.id] = len(self._account_json)
        self._account_json.append(encode_account(account, seed=self.seed, live=self.live))

    @property
    def token_requests(self) -> int:
        """How many requests reached either token endpoint."""
        return self._counts["token"]

    def count(self, route: str) -> int:
        """How many requests reached *route* (faulted ones included)."""
        return self._counts[route]

    def record(self, request: RecordedRequest) -> None:
        """Count *request* against its route, and log it if recording."""
        if self.record_requests:
            self.requests.append(request)
        self._counts[request.route] += 1

    def find_account(self, account_id: str) -> AccountRecord | None:
        """The account with *account_id*, or `None`."""
        index = self._account_index.get(account_id)
        return None if index is None else self.accounts[index]

    def expected_virtual_accounts(
        self, account_id: str, kind: str | None = None
    ) -> list[VirtualAccountRecord]:
        """The virtual accounts a full listing of *account_id* returns, in order.

        Args:
            account_id: The account's id.
            kind: `"temporary"` or `"permanent"` to filter as the `kind` query
                parameter does; `None` for all kinds.

        Raises:
            KeyError: No account has that id.
        """
        if account_id not in self._account_index:
            raise KeyError(account_id)
        records = self.virtual_accounts.get(account_id, [])
        return [va for va in records if kind is None or va.kind == kind]

    def account_json(self, account_id: str) -> str | None:
        """The encoded account, or `None` if there is none with that id."""
        index = self._account_index.get(account_id)
        return None if index is None else self._account_json[index]

    def accounts_json(self) -> list[str]:
        """Every encoded account, in served order (not a copy: do not mutate)."""
        return self._account_json

    def virtual_accounts_json(self, account_id: str, kind: str | None) -> list[str]:
        """The encoded virtual accounts of a known account (not a copy)."""
        return self._va_json.get((account_id, kind), [])

    def create_account(
        self,
        *,
        name: str,
        email: str | None = None,
        phone: str | None = None,
        account_type: str | None = None,
        invite_members: list[str] | None = None,
    ) -> AccountRecord:
        """Create and append an account, as `POST /accounts` does."""
        account = created_account(
            self.seed,
            len(self.accounts),
            live=self.live,
            name=name,
            email=email,
            phone=phone,
            account_type=account_type,
            invite_members=invite_members,
        )
        self.accounts.append(account)
        self.virtual_accounts[account.id] = []
        self._add_account(account)
        return account

    def set_account_status(self, account: AccountRecord, status: str) -> None:
        """Change a known account's status, as `PATCH .../update-status` does."""
        account.status = status
        self._account_json[self._account_index[account.id]] = encode_account(
            account, seed=self.seed, live=self.live
        )
