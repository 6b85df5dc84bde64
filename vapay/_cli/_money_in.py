"""`vapay virtual-accounts create|get|update|delete`, `transactions list`, `balance`.

One SDK call each, shown as today's commands show theirs (`show_one`,
`show_listing`): a table on a terminal, JSON otherwise. Times in tables are
Jakarta time, the gateway's day and the one `--from`/`--to` select on, each
column saying so; JSON keeps ISO 8601 UTC like every other command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from vapay._cli._commands import show_listing, show_one
from vapay._cli._output import CliError, Streams, bank_of, cents, write_json
from vapay._cli._render import cell, listing_table, status_cell
from vapay._cli._terminal import printable
from vapay._client import Client
from vapay._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    VapayError,
)
from vapay._models import Balance, Money, VATransaction, VirtualAccount
from vapay._signature import JAKARTA
from vapay.reconcile import jakarta_days
from vapay.resources.va_transactions import TransactionFilters

_REQUEST_TIMEOUT = 408


def _jakarta(when: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> Text:
    return cell(None if when is None else when.astimezone(JAKARTA).strftime(fmt))


def _iso_jakarta(when: dt.datetime | None) -> Text | None:
    # With its offset, as `--expired-at` takes it: copied into `update` as it is.
    return None if when is None else cell(when.astimezone(JAKARTA).isoformat())


def _amount(value: Decimal) -> Text:
    return cell(f"{cents(value):,}")


def _money(money: Money | None) -> Text | None:
    return None if money is None else cell(f"{cents(money.value):,} {money.currency}")


def _fields(title: str, rows: Iterable[tuple[str, Text | None]]) -> Table:
    """One field per row; fields the API did not send are left out."""
    table = Table(title=printable(title), title_justify="left", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    for name, value in rows:
        if value is not None and value.plain:
            table.add_row(name, value)
    return table


def virtual_account_table(va: VirtualAccount) -> Table:
    """One virtual account, a field per row, times in Jakarta time with their offset."""
    return _fields(
        f"Virtual account {va.id}",
        (
            ("id", cell(va.id)),
            ("number", cell(va.number)),
            ("account_id", cell(va.account_id)),
            ("name", cell(va.name)),
            ("merchant_reff_no", cell(va.merchant_reff_no)),
            ("status", status_cell(va.status)),
            ("kind", cell(va.kind)),
            ("bank", cell(bank_of(va))),
            ("code", cell(va.code)),
            ("amount_type", cell(va.amount_type)),
            ("amount", _money(va.amount)),
            ("min_amount", _money(va.min_amount)),
            ("max_amount", _money(va.max_amount)),
            ("current_usage", cell(va.current_usage)),
            ("max_usage", cell(va.max_usage)),
            ("expired_at", _iso_jakarta(va.expired_at)),
            ("created_at", _iso_jakarta(va.created_at)),
        ),
    )


def balance_table(balance: Balance) -> Table:
    """A balance: one row per kind of money, amounts right-aligned."""
    owner = "The merchant" if balance.account_id is None else f"Account {balance.account_id}"
    table = Table(title=printable(f"{owner}'s balance"), title_justify="left")
    table.add_column("")
    table.add_column("Amount", justify="right", overflow="fold")
    table.add_column("Currency")
    for name, money in (
        ("balance", balance.balance),
        ("available", balance.available_balance),
        ("pending", balance.pending_balance),
        ("held", balance.held_balance),
    ):
        if money is not None:
            table.add_row(name, _amount(money.value), cell(money.currency))
    return table


def _settled(tx: VATransaction) -> Text:
    if tx.settle_at is not None:
        return _jakarta(tx.settle_at, "%Y-%m-%d")
    return cell({True: "yes", False: "no", None: None}[tx.has_settle])


def _fee(tx: VATransaction) -> Text:
    if tx.fees is None:
        return cell(None)
    fee = tx.fees.amount
    # A fee in another currency than the payment's says so.
    suffix = "" if fee.currency == tx.amount.currency else f" {fee.currency}"
    return cell(f"{cents(fee.value):,}{suffix}")


def transactions_table(title: str, items: Sequence[VATransaction]) -> Table:
    """One row per payment, amounts right-aligned, times in Jakarta time (WIB, UTC+7).

    WIB is how the gateway's merchants write it, and short enough that a row of
    22-digit ids fits 150 columns.
    """
    table = listing_table(
        f"{len(items):,} {title}",
        (
            "Transaction ID",
            "Reference",
            "VA number",
            "Status",
            "Amount",
            "Fee",
            "Currency",
            "Settled (WIB)",
            "Processed (WIB)",
        ),
        right=("Amount", "Fee"),
    )
    for tx in items:
        table.add_row(
            cell(tx.transaction_id),
            cell(tx.merchant_reff_no),
            cell(tx.va_number),
            status_cell(tx.status),
            _amount(tx.amount.value),
            _fee(tx),
            cell(tx.amount.currency),
            _settled(tx),
            _jakarta(tx.processed_timestamp),
        )
    return table


def may_have_landed(err: VapayError) -> bool:
    """Whether a create that failed with *err* may have opened the VA all the same."""
    if isinstance(err, APIConnectionError):
        return err.may_have_reached_server
    if isinstance(err, APIResponseValidationError):
        return True  # the server answered, in a shape nobody expected
    return isinstance(err, APIStatusError) and (
        err.status >= 500 or err.status == _REQUEST_TIMEOUT  # noqa: PLR2004 - 5xx
    )


def _look_up_hint(args: argparse.Namespace) -> str:
    # With --kind, which the seed API requires and the live one accepts.
    command = ["vapay", "virtual-accounts", "list", args.account_id, "--kind", args.kind]
    if args.merchant_reff_no is not None:
        command += ["--merchant-reff-no", args.merchant_reff_no]
    return f"look for it with `{shlex.join(command)}` before trying again"


async def virtual_accounts_create(
    client: Client, args: argparse.Namespace, streams: Streams
) -> int:
    """`vapay virtual-accounts create ACCOUNT --bank-code B --kind K ...`: the new VA.

    Raises:
        CliError: the create failed in a way that may have reached the server;
            the message says how to look for the VA before trying again.
    """
    try:
        va = await client.virtual_accounts.create(
            args.account_id,
            bank_code=args.bank_code,
            kind=args.kind,
            amount=args.amount,
            expired_at=args.expired_at,
            amount_type=args.amount_type,
            min_amount=args.min_amount,
            max_amount=args.max_amount,
            max_usage=args.max_usage,
            name=args.name,
            merchant_reff_no=args.merchant_reff_no,
            currency=args.currency,
        )
    except VapayError as err:
        if not may_have_landed(err):
            raise
        raise CliError(
            f"the create may have reached the server ({err}): the virtual account may "
            f"exist; {_look_up_hint(args)}"
        ) from err
    return show_one(streams, va, virtual_account_table)


async def virtual_accounts_get(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay virtual-accounts get ACCOUNT VA_ID`."""
    va = await client.virtual_accounts.get(args.account_id, args.virtual_account_id)
    return show_one(streams, va, virtual_account_table)


async def virtual_accounts_update(
    client: Client, args: argparse.Namespace, streams: Streams
) -> int:
    """`vapay virtual-accounts update ACCOUNT VA_ID --status S ...`: the updated VA."""
    va = await client.virtual_accounts.update(
        args.account_id,
        args.virtual_account_id,
        status=args.status,
        amount=args.amount,
        expired_at=args.expired_at,
        max_usage=args.max_usage,
        min_amount=args.min_amount,
        max_amount=args.max_amount,
        name=args.name,
    )
    return show_one(streams, va, virtual_account_table)


async def virtual_accounts_delete(
    client: Client, args: argparse.Namespace, streams: Streams
) -> int:
    """`vapay virtual-accounts delete ACCOUNT VA_ID`: a line saying so, or its JSON."""
    await client.virtual_accounts.delete(args.account_id, args.virtual_account_id)
    if streams.human(streams.stdout):
        line = f"Deleted virtual account {args.virtual_account_id} of account {args.account_id}."
        print(printable(line), file=streams.stdout)
    else:
        deleted = {"deleted": True, "account_id": args.account_id, "id": args.virtual_account_id}
        write_json(streams.stdout, deleted)
    return 0


def payment_filters(args: argparse.Namespace) -> TransactionFilters:
    """The SDK filters of `transactions list`'s flags; `--from`/`--to` as Unix ms."""
    filters: TransactionFilters = {}
    if args.status is not None:
        filters["status"] = args.status
    if args.merchant_reff_no is not None:
        filters["merchant_reff_no"] = args.merchant_reff_no
    if args.has_settle is not None:
        filters["has_settle"] = args.has_settle == "yes"
    if args.sort_by is not None:
        filters["sort_by"] = args.sort_by
    if args.sort_order is not None:
        filters["sort_order"] = args.sort_order
    if args.from_day is not None:
        first, last = jakarta_days(args.from_day, args.to_day)
        filters["processed_timestamp_from"] = first
        filters["processed_timestamp_to"] = last
    elif args.to_day is not None:
        filters["processed_timestamp_to"] = jakarta_days(args.to_day)[1]
    return filters


def _listing_title(args: argparse.Namespace) -> str:
    title = f"payments into the virtual accounts of account {args.account_id}"
    first, last = args.from_day, args.to_day
    if first is not None:
        days = first if last is None or last == first else f"{first} to {last}"
        title += f", processed {days} (Jakarta time)"
    elif last is not None:
        title += f", processed up to {last} (Jakarta time)"
    return title


async def transactions_list(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay transactions list ACCOUNT [filters]`: a table, or JSON Lines streamed."""
    pager = client.va_transactions.list(
        args.account_id,
        va_number=args.va_number,
        per_page=args.per_page,
        **payment_filters(args),
    )
    title = _listing_title(args)
    return await show_listing(streams, pager, lambda items: transactions_table(title, items))


async def balance_show(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay balance [ACCOUNT]`: the merchant's balance, or a sub-account's."""
    return show_one(streams, await client.balance.get(args.account_id), balance_table)
