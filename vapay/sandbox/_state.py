"""What the sandbox knows: its data, the issued tokens, the request log, the faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from vapay.sandbox._data import (
    created_account,
    created_virtual_account,
    encode_account,
    encode_virtual_account,
)
from vapay.sandbox._faults import FaultPlan
from vapay.sandbox._ledger import Ledger
from vapay.sandbox._records import (
    AccountRecord,
    BalanceRecord,
    TransactionRecord,
    VirtualAccountRecord,
)
from vapay.sandbox._tokens import TokenStore
from vapay.sandbox._transactions import encode_transaction
from vapay.sandbox._tx_query import TransactionQuery

StatusRoute = Literal["seed", "live", "both"]


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


@attrs.define(kw_only=True, eq=False, repr=False)
class SandboxState:
    """The sandbox's state, shared by its routes and readable by tests.

    `accounts` and `virtual_accounts` are in the order the list endpoints serve
    them; treat them (and `transactions`) as read-only and change data through the
    API or the `Sandbox` actions, because the encoded wire form of each record is
    cached next to them.

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
        transactions: Every VA transaction (payment), seeded or recorded since.
        status_route: Which account status route is served: `"seed"`
            (`update-status/{id}`), `"live"` (`update/{id}`) or `"both"`.
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
    transactions: Ledger = attrs.Factory(Ledger)
    status_route: StatusRoute = "both"
    faults: FaultPlan = attrs.Factory(FaultPlan)
    requests: list[RecordedRequest] = attrs.Factory(list)
    record_requests: bool = True
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)
    _account_json: list[str] = attrs.field(init=False, factory=list)
    _account_index: dict[str, int] = attrs.field(init=False, factory=dict)
    # (account id, kind or None for all kinds) -> encoded items, so serving a page
    # is a slice and a join, whatever the total.
    _va_json: dict[tuple[str, str | None], list[str]] = attrs.field(init=False, factory=dict)
    _created_virtual_accounts: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        for account in self.accounts:
            self._add_account(account)
        for account_id, records in self.virtual_accounts.items():
            self._va_json[account_id, None] = [self._encode(va) for va in records]
            self._split_by_kind(account_id)

    def _encode(self, va: VirtualAccountRecord) -> str:
        return encode_virtual_account(va, seed=self.seed, live=self.live)

    def _split_by_kind(self, account_id: str) -> None:
        """Rebuild the per-kind caches of an account from its all-kinds cache."""
        records = self.virtual_accounts[account_id]
        encoded = self._va_json[account_id, None]
        for kind in ("temporary", "permanent"):
            self._va_json[account_id, kind] = [
                item for item, va in zip(encoded, records, strict=True) if va.kind == kind
            ]

    def __repr__(self) -> str:
        # Short: the data can be 100,000 records, and the credentials stay out.
        total = sum(len(records) for records in self.virtual_accounts.values())
        return (
            f"<SandboxState seed={self.seed} live={self.live} "
            f"accounts={len(self.accounts)} virtual_accounts={total} "
            f"transactions={len(self.transactions)} requests={sum(self._counts.values())}>"
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

    def now_ms(self) -> int:
        """The sandbox clock, in Unix milliseconds."""
        return int(self.clock() * 1000)

    def expected_virtual_accounts(
        self, account_id: str, kind: str | None = None, merchant_reff_no: str | None = None
    ) -> list[VirtualAccountRecord]:
        """The virtual accounts a full listing of *account_id* returns, in order.

        Args:
            account_id: The account's id.
            kind: `"temporary"` or `"permanent"` to filter as the `kind` query
                parameter does; `None` for all kinds.
            merchant_reff_no: A substring (any case) of `merchant_reff_no` to filter
                as the query parameter does; `None` for no filter.

        Raises:
            KeyError: No account has that id.
        """
        if account_id not in self._account_index:
            raise KeyError(account_id)
        records = self.virtual_accounts.get(account_id, [])
        return [
            va
            for va in records
            if (kind is None or va.kind == kind) and _has_reff(va, merchant_reff_no)
        ]

    def expected_transactions(self, account_id: str, **filters: Any) -> list[TransactionRecord]:
        """The transactions a full listing of *account_id* returns, in order.

        Args:
            account_id: The account's id.
            **filters: The listing's query parameters, by their API names and with
                Python values (`status="paid"`, `has_settle=False`,
                `amount_min=Decimal(10_000)`, `post_timestamp_from=<int ms>`,
                `va_number=...` for the list-by-number route, `sort_by`,
                `sort_order`), as `TransactionQuery` takes them. The 12-month
                window applies on the sandbox clock, as on the routes.

        Raises:
            KeyError: No account has that id.
            TypeError: An unknown filter name.
            ValueError: A value outside a documented set (a status, a sort).
        """
        if account_id not in self._account_index:
            raise KeyError(account_id)
        query = TransactionQuery(**filters)
        return query.select(self.transactions.rows(account_id), now_ms=self.now_ms())

    def expected_balance(self, account_id: str | None = None) -> BalanceRecord:
        """The balance `GET /balance-inquiry[/{account_id}]` answers now.

        Args:
            account_id: A sub-account's id, or `None` for the merchant (the sum of
                every account's).

        Raises:
            KeyError: No account has that id.
        """
        if account_id is None:
            return self.transactions.balance(None, [a.id for a in self.accounts])
        if account_id not in self._account_index:
            raise KeyError(account_id)
        return self.transactions.balance(account_id, [account_id])

    def account_json(self, account_id: str) -> str | None:
        """The encoded account, or `None` if there is none with that id."""
        index = self._account_index.get(account_id)
        return None if index is None else self._account_json[index]

    def accounts_json(self) -> list[str]:
        """Every encoded account, in served order (not a copy: do not mutate)."""
        return self._account_json

    def virtual_accounts_json(
        self, account_id: str, kind: str | None, merchant_reff_no: str | None = None
    ) -> list[str]:
        """The encoded virtual accounts of a known account (not a copy if unfiltered)."""
        encoded = self._va_json.get((account_id, kind), [])
        if merchant_reff_no is None:
            return encoded
        records = self.expected_virtual_accounts(account_id, kind)
        return [
            item
            for item, va in zip(encoded, records, strict=True)
            if _has_reff(va, merchant_reff_no)
        ]

    def find_virtual_account(self, account_id: str, va_id: str) -> VirtualAccountRecord | None:
        """The virtual account *va_id* of account *account_id*, or `None`."""
        records = self.virtual_accounts.get(account_id, [])
        return next((va for va in records if va.id == va_id), None)

    def find_virtual_account_by_number(
        self, account_id: str, number: str
    ) -> VirtualAccountRecord | None:
        """The virtual account numbered *number* of account *account_id*, or `None`."""
        records = self.virtual_accounts.get(account_id, [])
        return next((va for va in records if va.number == number), None)

    def virtual_account_live_json(self, va: VirtualAccountRecord) -> str:
        """The live shape of a virtual account, which the money-in routes serve."""
        return encode_virtual_account(va, seed=self.seed, live=True)

    def create_virtual_account(
        self, account_id: str, fields: dict[str, Any]
    ) -> VirtualAccountRecord:
        """Create and append a virtual account, as `POST /virtual-accounts/{id}` does."""
        va = created_virtual_account(
            self.seed,
            self._created_virtual_accounts,
            account_id,
            fields,
            live=self.live,
            now_ms=self.now_ms(),
            taken_numbers={va.number for va in self.virtual_accounts[account_id]},
        )
        self._created_virtual_accounts += 1
        self.virtual_accounts[account_id].append(va)
        self._va_json.setdefault((account_id, None), []).append(self._encode(va))
        self._split_by_kind(account_id)
        return va

    def _position(self, va: VirtualAccountRecord) -> int:
        records = self.virtual_accounts[va.account_id]
        return next(i for i, old in enumerate(records) if old.id == va.id)

    def replace_virtual_account(self, va: VirtualAccountRecord) -> None:
        """Store a changed virtual account in place (an update, a payment)."""
        position = self._position(va)
        self.virtual_accounts[va.account_id][position] = va
        self._va_json[va.account_id, None][position] = self._encode(va)
        self._split_by_kind(va.account_id)

    def delete_virtual_account(self, va: VirtualAccountRecord) -> None:
        """Remove a virtual account, as `DELETE /virtual-accounts/{id}/{va_id}` does."""
        position = self._position(va)
        del self.virtual_accounts[va.account_id][position]
        del self._va_json[va.account_id, None][position]
        self._split_by_kind(va.account_id)

    def transaction_json(self, tx: TransactionRecord) -> str:
        """The wire row of a transaction."""
        return encode_transaction(tx, self.find_account(tx.account_id), seed=self.seed)

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


def _has_reff(va: VirtualAccountRecord, part: str | None) -> bool:
    """Whether *part* is in the VA's `merchant_reff_no`, ignoring case (MySQL's LIKE)."""
    if part is None:
        return True
    return va.merchant_reff_no is not None and part.casefold() in va.merchant_reff_no.casefold()
