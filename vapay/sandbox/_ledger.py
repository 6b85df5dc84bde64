"""The VA transactions the sandbox holds, and the balances they add up to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from vapay.sandbox._records import BalanceRecord, TransactionRecord

BALANCE_CURRENCY = "IDR"


class Ledger:
    """Every VA transaction, per account in recording order, indexed by business id.

    Records are frozen snapshots: a change (a late payment, a settlement) replaces
    the stored record in place, so the order and the index stay valid.
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[TransactionRecord]] = {}
        self._where: dict[str, tuple[str, int]] = {}
        self._last_row_id = 0

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, transaction_id: object) -> bool:
        return transaction_id in self._where

    def next_row_id(self) -> int:
        """The row id the next recorded transaction takes (ids only grow)."""
        return self._last_row_id + 1

    def add(self, tx: TransactionRecord) -> None:
        """Record a new transaction at the end of its account's rows.

        Raises:
            ValueError: Its business id is taken, or its row id is not the next one.
        """
        if tx.transaction_id in self._where:
            raise ValueError(f"transaction id {tx.transaction_id} is taken")
        if tx.row_id <= self._last_row_id:
            raise ValueError(f"row id {tx.row_id} is not after {self._last_row_id}")
        rows = self._rows.setdefault(tx.account_id, [])
        self._where[tx.transaction_id] = (tx.account_id, len(rows))
        rows.append(tx)
        self._last_row_id = tx.row_id

    def replace(self, tx: TransactionRecord) -> None:
        """Store a changed snapshot of a recorded transaction."""
        account_id, position = self._where[tx.transaction_id]
        self._rows[account_id][position] = tx

    def find(self, transaction_id: str) -> TransactionRecord | None:
        """The transaction with that business id, or `None`."""
        where = self._where.get(transaction_id)
        return None if where is None else self._rows[where[0]][where[1]]

    def rows(self, account_id: str) -> Sequence[TransactionRecord]:
        """An account's transactions in recording order (not a copy: do not mutate)."""
        return self._rows.get(account_id, ())

    def has_rows_for(self, account_id: str, virtual_account_id: str) -> bool:
        """Whether any transaction, whatever its status or age, is on that VA."""
        return any(tx.virtual_account_id == virtual_account_id for tx in self.rows(account_id))

    def balance(self, account_id: str | None, account_ids: Iterable[str]) -> BalanceRecord:
        """The balance of *account_ids* taken together, reported for *account_id*.

        Paid payments in IDR count, whatever their age: their net is pending until
        settled, then available. The sandbox holds nothing back.
        """
        available = pending = Decimal(0)
        for each in account_ids:
            for tx in self.rows(each):
                if tx.status != "paid" or tx.currency != BALANCE_CURRENCY:
                    continue
                if tx.has_settle:
                    available += tx.net
                else:
                    pending += tx.net
        return BalanceRecord(
            account_id=account_id,
            balance=available + pending,
            available=available,
            pending=pending,
            held=Decimal(0),
            currency=BALANCE_CURRENCY,
        )
