"""`vapay accounts ...` and `vapay virtual-accounts list`: one SDK call each."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

import attrs
from rich.table import Table

from vapay._cli._output import Streams, to_json, write_json
from vapay._cli._render import account_table, accounts_table, virtual_accounts_table
from vapay._client import Client
from vapay._pagination import AsyncPager

M = TypeVar("M", bound=attrs.AttrsInstance)


def show_one(streams: Streams, item: M, table: Callable[[M], Table]) -> int:
    """*item* as a table on a terminal, else as one JSON object."""
    if streams.human(streams.stdout):
        streams.console(streams.stdout).print(table(item))
    else:
        write_json(streams.stdout, to_json(item))
    return 0


async def show_listing(
    streams: Streams, pager: AsyncPager[M], table: Callable[[list[M]], Table]
) -> int:
    """*pager*'s items as one table on a terminal, else streamed as JSON Lines."""
    if streams.human(streams.stdout):
        streams.console(streams.stdout).print(table(await pager.collect()))
        return 0
    # Streamed: a listing of any size prints as it arrives, in constant memory.
    async for item in pager:
        write_json(streams.stdout, to_json(item))
    return 0


async def accounts_list(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay accounts list`: every account, as a table or JSON Lines."""
    return await show_listing(streams, client.accounts.list(per_page=args.per_page), accounts_table)


async def accounts_get(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay accounts get ID`."""
    return show_one(streams, await client.accounts.get(args.account_id), account_table)


async def accounts_create(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay accounts create --name ...`: the new account."""
    account = await client.accounts.create(name=args.name, email=args.email, phone=args.phone)
    return show_one(streams, account, account_table)


async def accounts_update_status(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay accounts update-status ID STATUS`: the updated account."""
    account = await client.accounts.update_status(args.account_id, args.status)
    return show_one(streams, account, account_table)


async def virtual_accounts_list(client: Client, args: argparse.Namespace, streams: Streams) -> int:
    """`vapay virtual-accounts list ID`: one account's virtual accounts."""
    pager = client.virtual_accounts.list(
        args.account_id,
        kind=args.kind,
        merchant_reff_no=args.merchant_reff_no,
        per_page=args.per_page,
    )
    return await show_listing(
        streams, pager, lambda items: virtual_accounts_table(args.account_id, items)
    )
