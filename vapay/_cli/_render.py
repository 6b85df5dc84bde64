"""Tables of accounts and virtual accounts, for people at a terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from vapay._cli._output import bank_of, cents, text
from vapay._cli._terminal import printable
from vapay._models import Account, VirtualAccount

# Colour says "needs a look" without making people read the word.
_STATUS_STYLES = {
    "active": "green",
    "inactive": "yellow",
    "pending": "cyan",
    "expired": "dim",
    "rejected": "red",
    "paid": "green",
    "unpaid": "cyan",
    "failed": "red",
}


def cell(value: object, style: str = "") -> Text:
    """A table cell: never parsed as markup, its control characters escaped.

    Every value from the API enters a table through here, whatever the column.
    """
    return Text(printable(text(value)), style=style)


def status_cell(status: object) -> Text:
    """A status, coloured by what it means."""
    return cell(status, style=_STATUS_STYLES.get(text(status), ""))


def amount_text(value: Decimal) -> Text:
    """An amount for people: thousands separated, at least two decimals.

    The API sends 11000, 11000.5 or "11000.00" for the same kind of amount; the
    padding only appends zeros, so what is shown is still exactly the value.
    """
    return Text(f"{cents(value):,}")


_EXACT_COLUMNS = frozenset(
    {"ID", "Id", "Number", "Account", "Account ID", "Transaction ID", "VA number", "Reference"}
)


def listing_table(title: str, columns: Sequence[str], *, right: Iterable[str] = ()) -> Table:
    """An empty table with a row per item to come; ids and amounts are never cut short."""
    table = Table(title=printable(title), title_justify="left", header_style="bold")
    aligned = set(right)
    for column in columns:
        if column in aligned or column in _EXACT_COLUMNS:
            # An amount or an id cut short is a wrong value, not a narrow one:
            # these fold onto a second line instead, and text columns give way.
            table.add_column(
                column, justify="right" if column in aligned else "left", overflow="fold"
            )
        else:
            table.add_column(column, overflow="ellipsis")
    return table


def accounts_table(accounts: Sequence[Account]) -> Table:
    """One row per account."""
    table = listing_table(f"{len(accounts):,} accounts", ("ID", "Name", "Email", "Phone", "Status"))
    for account in accounts:
        table.add_row(
            cell(account.id),
            cell(account.name),
            cell(account.email),
            cell(account.phone),
            status_cell(account.status),
        )
    return table


def account_table(account: Account) -> Table:
    """One account, a field per row; fields the API did not send are left out."""
    table = Table(title=printable(f"Account {account.id}"), title_justify="left", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    for name in (
        "id",
        "name",
        "email",
        "phone",
        "status",
        "account_number",
        "account_type",
        "kyb_status",
    ):
        value = getattr(account, name)
        if value is not None:
            shown = status_cell(value) if name == "status" else cell(value)
            table.add_row(name, shown)
    return table


def virtual_accounts_table(account_id: str, items: Sequence[VirtualAccount]) -> Table:
    """One row per virtual account, amounts right-aligned."""
    table = listing_table(
        f"{len(items):,} virtual accounts of account {account_id}",
        ("ID", "Number", "Kind", "Status", "Bank", "Amount", "Currency", "Created (UTC)"),
        right=("Amount",),
    )
    for va in items:
        created = None if va.created_at is None else va.created_at.astimezone(dt.timezone.utc)
        table.add_row(
            cell(va.id),
            cell(va.number),
            cell(va.kind),
            status_cell(va.status),
            cell(bank_of(va)),
            amount_text(va.amount.value),
            cell(va.amount.currency),
            cell(None if created is None else f"{created:%Y-%m-%d %H:%M:%S}"),
        )
    return table
