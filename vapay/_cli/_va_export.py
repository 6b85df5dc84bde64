"""`vapay virtual-accounts export`: every virtual account of every account, exported and totalled.

The accounts are listed first (their count sizes the progress bars), then each
kind is walked across all accounts with `list_many`, whose fan-out keeps
`--concurrency` page requests in flight and yields accounts in order, so the
export is the same file on every run over the same data.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Sequence

import attrs
from rich.progress import Progress, TaskID

from vapay._cli._args import KINDS
from vapay._cli._connect import RequestCounter, connect
from vapay._cli._export import (
    STDOUT,
    VA_COLUMNS,
    RowWriter,
    export_format,
    open_export,
    va_row,
)
from vapay._cli._output import Streams, write_json
from vapay._cli._progress import make_progress
from vapay._cli._summary import Summary, summary_table
from vapay._client import Client
from vapay._errors import UnprocessableEntityError


@attrs.frozen(kw_only=True)
class Plan:
    """What to walk and where the rows go."""

    output: str
    format: str
    kinds: tuple[str | None, ...]
    """The kinds to walk one by one; `(None,)`: every kind, in one walk where the API
    allows it."""
    concurrency: int
    per_page: int | None
    dedupe: bool = False
    """Drop virtual accounts already walked (by id), for listings that change meanwhile."""

    @classmethod
    def from_args(cls, args: argparse.Namespace, *, output: str, default_format: str) -> Plan:
        """The plan the command line asks for, writing to *output*."""
        kind = getattr(args, "kind", None)
        return cls(
            output=output,
            format=export_format(output, args.format, default=default_format),
            kinds=(None,) if kind is None else (kind,),
            concurrency=args.concurrency,
            per_page=args.per_page,
            dedupe=getattr(args, "dedupe", False),
        )

    def to_json(self) -> dict[str, object]:
        """Where the rows went, for the summary's JSON."""
        return {"output": self.output, "format": self.format}


async def list_account_ids(
    client: Client, *, per_page: int | None, concurrency: int, progress: Progress
) -> list[str]:
    """Every account's id, once each, in the API's order, counted on *progress*."""
    task = progress.add_task("account list", total=None)
    # An account that moves to a later page while the listing is walked would
    # otherwise come twice, and its items be listed twice.
    ids: dict[str, None] = {}
    pager = client.accounts.list(per_page=per_page, concurrency=concurrency)
    async with contextlib.aclosing(pager.pages()) as pages:
        async for page in pages:
            ids.update(dict.fromkeys(account.id for account in page.items))
            total = None if page.pagination is None else page.pagination.total
            progress.update(task, completed=len(ids), total=total)
    progress.update(task, total=len(ids))
    progress.stop_task(task)
    return list(ids)


async def _walk_kind(
    client: Client,
    account_ids: Sequence[str],
    kind: str | None,
    *,
    plan: Plan,
    rows: RowWriter,
    summary: Summary,
    display: Progress,
    task: TaskID,
) -> None:
    # Items come grouped by account, in order: an account is done once the next
    # one's items arrive, which is all the progress bar needs to know.
    position = {account_id: index for index, account_id in enumerate(account_ids)}
    display.start_task(task)
    items, done, current = 0, 0, None
    stream = client.virtual_accounts.list_many(
        account_ids,
        kind=kind,
        per_page=plan.per_page,
        concurrency=plan.concurrency,
        dedupe=plan.dedupe,
    )
    async with contextlib.aclosing(stream) as virtual_accounts:
        async for va in virtual_accounts:
            rows.write(va_row(va))
            summary.add_virtual_account(va)
            items += 1
            if va.account_id is not None and va.account_id != current:
                current = va.account_id
                done = position.get(current, done)
            display.update(task, completed=done, items=items)
    display.update(task, completed=len(account_ids), items=items)
    display.stop_task(task)


async def _kinds_to_walk(
    client: Client, account_ids: Sequence[str], plan: Plan
) -> tuple[str | None, ...]:
    """The kinds to walk, one walk each.

    Without `--kind`, one walk with no kind filter is tried first: the live API
    lists every kind that way, including kinds this version does not know, which
    a walk per known kind would silently leave out. The seed API requires `kind`
    and answers 422 without it: then each known kind is walked in turn.
    """
    if plan.kinds != (None,) or not account_ids:
        return plan.kinds
    probe = client.virtual_accounts.list(account_ids[0], per_page=1)
    try:
        async with contextlib.aclosing(probe.pages()) as pages:
            await anext(pages, None)
    except UnprocessableEntityError:
        return KINDS
    return (None,)


async def export_virtual_accounts(
    client: Client, plan: Plan, rows: RowWriter, progress: Progress
) -> Summary:
    """Walk every virtual account of every account into *rows*; their totals.

    Raises:
        VapayError: the API failed (after the client's retries).
    """
    started = time.perf_counter()
    account_ids = await list_account_ids(
        client, per_page=plan.per_page, concurrency=plan.concurrency, progress=progress
    )
    summary = Summary(accounts=len(account_ids))
    kinds = await _kinds_to_walk(client, account_ids, plan)
    # Every kind's row is on screen from the start, waiting its turn.
    tasks = {
        kind: progress.add_task(
            f"{kind or 'all'} VAs", total=len(account_ids), start=False, items=0
        )
        for kind in kinds
    }
    for kind in kinds:
        await _walk_kind(
            client,
            account_ids,
            kind,
            plan=plan,
            rows=rows,
            summary=summary,
            display=progress,
            task=tasks[kind],
        )
    summary.elapsed = time.perf_counter() - started
    return summary


async def export(client: Client, plan: Plan, streams: Streams, counter: RequestCounter) -> Summary:
    """Reconcile into the plan's output with a progress display; the summary."""
    display = make_progress(streams.console(streams.stderr), enabled=streams.human(streams.stderr))
    with open_export(plan.output, plan.format, streams.stdout, VA_COLUMNS) as rows, display:
        summary = await export_virtual_accounts(client, plan, rows, display)
    summary.page_requests = counter.count
    return summary


def show_summary(
    summary: Summary, plan: Plan, streams: Streams, *, title: str = "Virtual accounts summary"
) -> None:
    """The summary as a table for a person, else as one JSON object.

    It goes to stdout, unless the rows went there: then to stderr, so that
    stdout stays one clean stream of rows.
    """
    stream = streams.stderr if plan.output == STDOUT else streams.stdout
    if streams.human(stream):
        console = streams.console(stream)
        console.print(summary_table(summary, title))
        console.print(summary.throughput(), style="bold")
    else:
        write_json(stream, summary.to_json() | plan.to_json())
        stream.flush()


async def export_command(args: argparse.Namespace, streams: Streams) -> int:
    """`vapay virtual-accounts export -o PATH`."""
    plan = Plan.from_args(args, output=args.output, default_format="jsonl")
    counter = RequestCounter()
    async with connect(args, [counter]) as client:
        summary = await export(client, plan, streams, counter)
    show_summary(summary, plan, streams)
    if plan.output != STDOUT:
        streams.note(f"wrote {summary.total.count:,} rows to {plan.output} ({plan.format})")
    return 0
