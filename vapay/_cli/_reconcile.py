"""`vapay reconcile --ledger FILE --from DATE --to DATE`: payments against invoices.

The ledger is read and checked first, before any request. Then every account is
listed, and the payments of the window (calendar days in Jakarta time, on
`processed_timestamp`) of all of them are walked with `va_transactions.list_many`:
oldest first, so that payments arriving during the walk land after it instead of
shifting pages; with `dedupe=True`, so that an account whose payments change
during the walk (a late callback moves a row out of the window, and the rows after
it up a place) is walked again. `vapay.reconcile.Reconciler` counts each
`transaction_id` once, the most advanced status winning. Unexpected payments are
written to `-o` as they are found; the invoices that do not tie out follow.

Exit status: 0 when nothing needs action, 3 when a mismatch, a duplicate or an
unexpected payment exists (unpaid invoices alone are normal), 1 for errors, 2
for a bad command line or ledger.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

import attrs
from rich.progress import Progress, TaskID
from rich.table import Table

from vapay._cli._connect import RequestCounter, connect
from vapay._cli._export import STDOUT, RowWriter, export_format, open_export
from vapay._cli._ledger import read_ledger
from vapay._cli._output import CliError, Streams, cents, decimal_text, write_json
from vapay._cli._progress import make_progress
from vapay._cli._render import cell
from vapay._cli._va_export import list_account_ids
from vapay._client import Client
from vapay._models import VATransaction
from vapay.reconcile import (
    AmountMismatch,
    Category,
    Duplicate,
    Invoice,
    Reconciler,
    Report,
    Unpaid,
    jakarta_days,
)

EXIT_NEEDS_ACTION = 3
DISCREPANCY_COLUMNS = (
    "category",
    "merchant_reff_no",
    "account_id",
    "currency",
    "due",
    "paid",
    "difference",
    "direction",
    "transaction_ids",
    "attempts",
)


class LedgerUsageError(CliError):
    """A ledger that cannot be used: a usage error (exit 2), named with its line."""


@attrs.frozen(kw_only=True)
class Window:
    """The payments' window: calendar days in Jakarta time, and their Unix-ms range."""

    first: dt.date
    last: dt.date
    start_ms: int
    end_ms: int

    @classmethod
    def of(cls, first: dt.date, last: dt.date | None) -> Window:
        """The window from *first* to *last* (or *first* alone), both included."""
        last = first if last is None else last
        start_ms, end_ms = jakarta_days(first, last)
        return cls(first=first, last=last, start_ms=start_ms, end_ms=end_ms)

    def to_json(self) -> dict[str, object]:
        """The window as the summary's JSON shows it."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "time_zone": "Asia/Jakarta",
            "processed_timestamp_from": self.start_ms,
            "processed_timestamp_to": self.end_ms,
        }


def invoice_row(entry: AmountMismatch | Duplicate | Unpaid) -> tuple[str | None, ...]:
    """An invoice that does not tie out, in `DISCREPANCY_COLUMNS` order."""
    invoice = entry.invoice
    due = decimal_text(invoice.amount)
    if isinstance(entry, AmountMismatch):
        difference = None if entry.difference is None else decimal_text(entry.difference)
        return (
            "amount_mismatch",
            invoice.reference,
            invoice.account_id,
            entry.paid.currency,
            due,
            decimal_text(entry.paid.value),
            difference,
            entry.direction,
            entry.transaction_id,
            None,
        )
    if isinstance(entry, Duplicate):
        paid = entry.paid.get(invoice.currency)
        return (
            "duplicate",
            invoice.reference,
            invoice.account_id,
            invoice.currency,
            due,
            None if paid is None else decimal_text(paid),
            None if paid is None else decimal_text(paid - invoice.amount),
            _duplicate_direction(entry, paid),
            " ".join(entry.transaction_ids),
            None,
        )
    return (
        "unpaid",
        invoice.reference,
        invoice.account_id,
        invoice.currency,
        due,
        None,
        None,
        None,
        None,
        " ".join(entry.attempts) or None,
    )


def _duplicate_direction(entry: Duplicate, paid: Decimal | None) -> str:
    """ "split" when the parts add up to the invoice, else whether they are under or over."""
    if entry.split:
        return "split"
    if paid is None:
        return "currency"
    return "under" if paid < entry.invoice.amount else "over"


def unexpected_row(payment: VATransaction) -> tuple[str | None, ...]:
    """A paid payment no invoice accounts for, in `DISCREPANCY_COLUMNS` order."""
    return (
        "unexpected",
        payment.merchant_reff_no,
        payment.account_id,
        payment.amount.currency,
        None,
        decimal_text(payment.amount.value),
        None,
        None,
        payment.transaction_id,
        None,
    )


@contextlib.contextmanager
def _discrepancy_rows(args: argparse.Namespace, streams: Streams) -> Iterator[RowWriter | None]:
    if args.output is None:
        yield None
        return
    fmt = export_format(args.output, args.format, default="jsonl")
    with open_export(args.output, fmt, streams.stdout, DISCREPANCY_COLUMNS) as rows:
        yield rows


async def _walk_payments(
    client: Client,
    account_ids: Sequence[str],
    window: Window,
    reconciler: Reconciler,
    *,
    args: argparse.Namespace,
    display: Progress,
    task: TaskID,
) -> None:
    # Oldest first: a payment recorded during the walk is appended at the end
    # instead of pushing earlier rows onto later pages.
    payments = client.va_transactions.list_many(
        account_ids,
        processed_timestamp_from=window.start_ms,
        processed_timestamp_to=window.end_ms,
        sort_order="asc",
        per_page=args.per_page,
        concurrency=args.concurrency,
        # A late callback can move a payment out of the window mid-walk, shifting
        # the rows after it: a listing that changed is walked again.
        dedupe=True,
    )
    position = {account_id: index for index, account_id in enumerate(account_ids)}
    display.start_task(task)
    seen, done, current = 0, 0, None
    async with contextlib.aclosing(payments) as stream:
        async for payment in stream:
            reconciler.add(payment)
            seen += 1
            if payment.account_id != current:
                current = payment.account_id
                done = position.get(current or "", done)
            display.update(task, completed=done, items=seen)
    display.update(task, completed=len(account_ids), items=seen)
    display.stop_task(task)


async def run_reconciliation(
    client: Client,
    invoices: Sequence[Invoice],
    window: Window,
    *,
    args: argparse.Namespace,
    streams: Streams,
) -> Report:
    """List, match and write the discrepancies; the report."""
    display = make_progress(streams.console(streams.stderr), enabled=streams.human(streams.stderr))
    with _discrepancy_rows(args, streams) as rows, display:

        def write_unexpected(payment: VATransaction) -> None:
            if rows is not None:
                rows.write(unexpected_row(payment))

        reconciler = Reconciler(invoices, on_unexpected=write_unexpected)
        account_ids = await list_account_ids(
            client, per_page=None, concurrency=args.concurrency, progress=display
        )
        task = display.add_task(
            "payments", total=len(account_ids), start=False, items=0, unit="payments"
        )
        await _walk_payments(
            client, account_ids, window, reconciler, args=args, display=display, task=task
        )
        report = reconciler.report()
        if rows is not None:
            for entry in report.discrepancies():
                rows.write(invoice_row(entry))
    return report


def _totals(amounts: Mapping[str, Decimal]) -> str:
    return ", ".join(f"{currency} {cents(value):,}" for currency, value in sorted(amounts.items()))


def report_table(report: Report, window: Window) -> Table:
    """The report for people: one row per category, then what was received."""
    days = f"{window.first}" + ("" if window.last == window.first else f" to {window.last}")
    table = Table(title=f"Payments of {days}", title_justify="left", header_style="bold")
    table.add_column("Jakarta time")
    table.add_column("Count", justify="right", overflow="fold")
    table.add_column("Amounts", justify="right", overflow="fold")
    categories: dict[str, Category] = {
        "matched": report.matched,
        "amount mismatch": report.amount_mismatch,
        "duplicate": report.duplicate,
        "unexpected": report.unexpected,
        "unpaid (due)": report.unpaid,
    }
    needs_action = {"amount mismatch", "duplicate", "unexpected"}
    for index, (name, category) in enumerate(categories.items()):
        style = "bold red" if name in needs_action and category.count else ""
        table.add_row(
            cell(name, style=style),
            f"{category.count:,}",
            cell(_totals(category.totals)),
            end_section=index == len(categories) - 1,
        )
    received = report.received
    for name, amounts in (
        ("gross", received.gross),
        ("fees", received.fees),
        ("net", received.net),
    ):
        table.add_row(name, "", cell(_totals(amounts)))
    for name, category in (("settled", received.settled), ("not settled", received.unsettled)):
        table.add_row(name, f"{category.count:,}", cell(_totals(category.totals)))
    return table


def show_report(
    report: Report,
    window: Window,
    streams: Streams,
    *,
    extra: Mapping[str, object],
    to_stderr: bool,
) -> None:
    """The report as a table for a person, else as one JSON object."""
    stream = streams.stderr if to_stderr else streams.stdout
    if streams.human(stream):
        console = streams.console(stream)
        console.print(report_table(report, window))
        verdict = (
            "books do not tie out: see the categories in red"
            if report.needs_action
            else "every paid payment ties out"
        )
        console.print(verdict, style="bold red" if report.needs_action else "bold green")
    else:
        data = report.to_json(entries=False) | {"window": window.to_json()} | dict(extra)
        write_json(stream, data)
        stream.flush()


def load_invoices(path: str) -> list[Invoice]:
    """The ledger's invoices, or a usage error naming the bad line."""
    try:
        return read_ledger(path)
    except ValueError as err:
        raise LedgerUsageError(str(err)) from None


async def reconcile_command(args: argparse.Namespace, streams: Streams) -> int:
    """`vapay reconcile --ledger FILE --from DATE [--to DATE] [-o PATH]`."""
    invoices = load_invoices(args.ledger)
    window = Window.of(args.first_day, args.last_day)
    counter = RequestCounter()
    started = time.perf_counter()
    async with connect(args, [counter]) as client:
        report = await run_reconciliation(client, invoices, window, args=args, streams=streams)
    extra = {
        "ledger": args.ledger,
        "output": args.output,
        "page_requests": counter.count,
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    show_report(report, window, streams, extra=extra, to_stderr=args.output == STDOUT)
    if args.output not in (None, STDOUT):
        rows = report.unexpected.count + sum(
            c.count for c in (report.amount_mismatch, report.duplicate, report.unpaid)
        )
        streams.note(f"wrote {rows:,} discrepancy rows to {args.output}")
    return EXIT_NEEDS_ACTION if report.needs_action else 0
