"""What happens outside the API: payers pay, attempts lapse, banks call late, money settles.

Plain functions over a `SandboxState`, shared by `Sandbox`'s methods (from the
`MoneyActions` base class at the bottom) and the `/_sandbox/` routes. Each reads
the sandbox clock once and changes the state in one synchronous step, so
concurrent requests never see half a payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from vapay.sandbox._data import seeded_rng
from vapay.sandbox._records import TransactionRecord, VirtualAccountRecord
from vapay.sandbox._state import SandboxState
from vapay.sandbox._transactions import amount_range, new_transaction_id, payment_fields

RefusalReason = Literal["inactive", "expired", "used_up", "amount"]


class SandboxError(Exception):
    """A sandbox action could not be done.

    Attributes:
        reason: Why, as a short word (`"not_found"`, `"not_expired"`, or a
            `PaymentRefusedError` reason).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class RecordNotFoundError(SandboxError, LookupError):
    """No account, virtual account or transaction has the given id or number."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="not_found")


class PaymentRefusedError(SandboxError):
    """The virtual account cannot take this payment, as the gateway would refuse it.

    Attributes:
        reason: `"inactive"` (status inactive), `"expired"` (status expired, or a
            temporary VA past its `expired_at` on the sandbox clock), `"used_up"`
            (`current_usage >= max_usage`) or `"amount"` (an open VA without an
            amount or outside its range, or a closed VA paid another amount).
    """

    reason: RefusalReason

    def __init__(self, message: str, *, reason: RefusalReason) -> None:
        super().__init__(message, reason=reason)


def _virtual_account(state: SandboxState, account_id: str, va_number: str) -> VirtualAccountRecord:
    if state.find_account(account_id) is None:
        raise RecordNotFoundError(f"no account {account_id!r}")
    va = state.find_virtual_account_by_number(account_id, va_number)
    if va is None:
        raise RecordNotFoundError(f"account {account_id!r} has no virtual account {va_number!r}")
    return va


def _decimal(amount: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(amount)
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValueError(f"amount must be a finite number, not {amount!r}")
    return value


def _payable_amount(
    va: VirtualAccountRecord, amount: Decimal | int | str | None, now_ms: int
) -> Decimal:
    """The amount *va* takes now, or why it refuses."""
    where = f"virtual account {va.number}"
    if va.status == "inactive":
        raise PaymentRefusedError(f"{where} is inactive", reason="inactive")
    # The gateway's sweep lags: an active temporary VA past expired_at is expired too.
    lapsed = va.kind == "temporary" and va.expired_at is not None and va.expired_at <= now_ms
    if va.status == "expired" or lapsed:
        raise PaymentRefusedError(f"{where} has expired", reason="expired")
    if va.max_usage is not None and (va.current_usage or 0) >= va.max_usage:
        raise PaymentRefusedError(
            f"{where} is used up ({va.current_usage} of {va.max_usage})", reason="used_up"
        )
    given = None if amount is None else _decimal(amount)
    if va.amount_type != "open":
        if given is not None and given != va.amount:
            raise PaymentRefusedError(
                f"{where} is closed: it takes exactly {va.amount}, not {given}", reason="amount"
            )
        return va.amount
    low, high = amount_range(va)
    if given is None or not low <= given <= high:
        raise PaymentRefusedError(
            f"{where} is open: it needs an amount in [{low}, {high}], not {given}",
            reason="amount",
        )
    return given


def _record(
    state: SandboxState,
    va: VirtualAccountRecord,
    amount: Decimal,
    *,
    status: str,
    notes: str | None,
    now: int,
) -> TransactionRecord:
    ledger = state.transactions
    row_id = ledger.next_row_id()
    rng = seeded_rng(state.seed, "recorded-transaction", row_id)
    tx = TransactionRecord(
        transaction_id=new_transaction_id(rng, now, ledger),
        status=status,
        post_timestamp=now,
        processed_timestamp=now,
        has_settle=False,
        settle_at=None,
        row_id=row_id,
        **payment_fields(va, amount, notes),
    )
    ledger.add(tx)
    return tx


def _count_use(state: SandboxState, va: VirtualAccountRecord) -> None:
    state.replace_virtual_account(attrs.evolve(va, current_usage=(va.current_usage or 0) + 1))


def record_payment(
    state: SandboxState,
    account_id: str,
    va_number: str,
    amount: Decimal | int | str | None = None,
    notes: str | None = None,
) -> TransactionRecord:
    """Record a paid payment into a VA now (see `MoneyActions.pay`)."""
    now = state.now_ms()
    va = _virtual_account(state, account_id, va_number)
    paid = _payable_amount(va, amount, now)
    tx = _record(state, va, paid, status="paid", notes=notes, now=now)
    _count_use(state, va)
    return tx


def record_expired_attempt(
    state: SandboxState,
    account_id: str,
    va_number: str,
    amount: Decimal | int | str | None = None,
    notes: str | None = None,
) -> TransactionRecord:
    """Record a payment attempt that lapsed unpaid (see `MoneyActions.expire_attempt`).

    Its post and processed times are both now: the sandbox does not wait for the
    attempt's window to pass.
    """
    now = state.now_ms()
    va = _virtual_account(state, account_id, va_number)
    asked = _payable_amount(va, amount, now)
    return _record(state, va, asked, status="expired", notes=notes, now=now)


def record_late_payment(state: SandboxState, transaction_id: str) -> TransactionRecord:
    """Turn an expired transaction into a paid one now (see `MoneyActions.pay_late`)."""
    tx = state.transactions.find(transaction_id)
    if tx is None:
        raise RecordNotFoundError(f"no transaction {transaction_id!r}")
    if tx.status != "expired":
        raise SandboxError(
            f"transaction {transaction_id} is {tx.status}: only an expired one can be paid late",
            reason="not_expired",
        )
    paid = attrs.evolve(tx, status="paid", processed_timestamp=state.now_ms())
    state.transactions.replace(paid)
    va = state.find_virtual_account(tx.account_id, tx.virtual_account_id)
    if va is not None:  # the money arrived at the bank whatever the VA's state is now
        _count_use(state, va)
    return paid


def settle_payments(state: SandboxState, account_id: str | None = None) -> list[TransactionRecord]:
    """Settle every paid, unsettled payment now (see `MoneyActions.settle`)."""
    if account_id is None:
        account_ids = [account.id for account in state.accounts]
    elif state.find_account(account_id) is None:
        raise RecordNotFoundError(f"no account {account_id!r}")
    else:
        account_ids = [account_id]
    now = state.now_ms()
    settled = [
        attrs.evolve(tx, has_settle=True, settle_at=now)
        for each in account_ids
        for tx in state.transactions.rows(each)
        if tx.status == "paid" and not tx.has_settle
    ]
    for tx in settled:
        state.transactions.replace(tx)
    return settled


class MoneyActions:
    """What payers, banks and the gateway do, which no API call does: `Sandbox`'s
    money methods.

    They are coroutines so that they can grow (a later change sends the webhooks
    these events cause) without changing how they are called.
    """

    state: SandboxState

    async def pay(
        self,
        account_id: str,
        va_number: str,
        amount: Decimal | int | str | None = None,
        *,
        notes: str | None = None,
    ) -> TransactionRecord:
        """A payer pays into a virtual account now (on the sandbox clock).

        Records a `paid`, unsettled row, adds one to the VA's `current_usage`, and
        adds the net (amount - fee) to the account's pending balance.

        Args:
            account_id: The account that owns the virtual account.
            va_number: The virtual account's number.
            amount: What is paid. `None` for a closed VA pays its own amount (any
                other amount is refused); an open VA needs one within its
                `min_amount`/`max_amount` (else its bank's limits).
            notes: The row's `notes`.

        Returns:
            The recorded row.

        Raises:
            RecordNotFoundError: No such account, or no VA with that number in it.
            PaymentRefusedError: The VA is inactive, expired (by status, or a
                temporary VA past `expired_at`), used up (`current_usage >=
                max_usage`), or the amount does not fit (`.reason` says which).
            ValueError: *amount* is not a finite number.
        """
        return record_payment(self.state, account_id, va_number, amount, notes)

    async def expire_attempt(
        self,
        account_id: str,
        va_number: str,
        amount: Decimal | int | str | None = None,
        *,
        notes: str | None = None,
    ) -> TransactionRecord:
        """A payment attempt that lapsed unpaid: records an `expired` row now.

        Nothing is paid: `current_usage` and the balances stay. `pay_late` can
        turn the row into a payment afterwards. The VA must be payable now and the
        amount is checked as by `pay`.

        Returns:
            The recorded row.

        Raises:
            RecordNotFoundError: No such account, or no VA with that number in it.
            PaymentRefusedError: As for `pay`.
        """
        return record_expired_attempt(self.state, account_id, va_number, amount, notes)

    async def pay_late(self, transaction_id: str) -> TransactionRecord:
        """The late bank callback (MONEY-IN.md §3): an expired row becomes `paid` now.

        The row keeps its id and `post_timestamp`; its `processed_timestamp` becomes
        now, so a reconciliation re-pulling a trailing window on processing time
        finds it. The VA's `current_usage` grows by one whatever its state (the
        bank has the money), and the net is added to the pending balance.

        Returns:
            The changed row.

        Raises:
            RecordNotFoundError: No transaction has that id.
            SandboxError: The transaction is not `expired` (`.reason` is
                `"not_expired"`).
        """
        return record_late_payment(self.state, transaction_id)

    async def settle(self, account_id: str | None = None) -> list[TransactionRecord]:
        """Settle every paid, unsettled payment now: `has_settle` and `settle_at` set,
        their net moved from the pending to the available balance.

        Args:
            account_id: Only this account's payments; `None` for every account.

        Returns:
            The settled rows, by account then in recording order (empty if none).

        Raises:
            RecordNotFoundError: No account has that id.
        """
        return settle_payments(self.state, account_id)
