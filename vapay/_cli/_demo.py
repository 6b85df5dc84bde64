"""`vapay demo`: reconcile against an embedded sandbox, then check the result.

Needs no credentials and no network: the sandbox serves seeded data on loopback,
in this process, and knows exactly what a correct reconciliation must total.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vapay._cli._connect import RequestCounter
from vapay._cli._output import CliError, Streams
from vapay._cli._summary import Summary
from vapay._cli._va_export import Plan, export, show_summary
from vapay._client import Client
from vapay.sandbox import Sandbox, SandboxState


@contextlib.contextmanager
def _output(args: argparse.Namespace) -> Iterator[str]:
    """The file to write: `--output`, else one in a new temporary directory,
    removed again if the demo fails before writing it."""
    if args.output is not None:
        yield args.output
        return
    directory = Path(tempfile.mkdtemp(prefix="vapay-demo-"))
    try:
        yield str(directory / f"virtual-accounts.{args.format or 'csv'}")
    except BaseException:
        with contextlib.suppress(OSError):
            directory.rmdir()  # only if empty: a written export stays
        raise


def expected_summary(state: SandboxState) -> Summary:
    """The totals a complete, exact reconciliation of the sandbox's data has."""
    expected = Summary(accounts=len(state.accounts))
    for account in state.accounts:
        for va in state.expected_virtual_accounts(account.id):
            bank = va.bank_code or (None if va.bank is None else va.bank.short_name)
            expected.add(
                status=va.status, kind=va.kind, bank=bank, value=va.amount, currency=va.currency
            )
    return expected


def check(summary: Summary, state: SandboxState) -> None:
    """Compare *summary* with the sandbox's own data.

    Raises:
        CliError: a count or a total differs.
    """
    expected = expected_summary(state)
    if (summary.accounts, summary.total, summary.groups) != (
        expected.accounts,
        expected.total,
        expected.groups,
    ):
        raise CliError(
            f"the reconciliation does not match the sandbox's data: expected "
            f"{expected.total.count:,} virtual accounts of {expected.accounts:,} accounts, "
            f"got {summary.total.count:,} of {summary.accounts:,}, or other totals"
        )


async def demo_command(args: argparse.Namespace, streams: Streams) -> int:
    """`vapay demo`: serve, reconcile, summarise, check."""
    sandbox = Sandbox(
        accounts=args.accounts,
        virtual_accounts_per_account=args.virtual_accounts,
        seed=args.seed,
        latency=args.latency,
        live=args.live,
        # A demo never reads the request log: keep memory flat at any size.
        record_requests=False,
    )
    counter = RequestCounter()
    with _output(args) as output:
        plan = Plan.from_args(args, output=output, default_format="csv")
        async with sandbox:
            streams.note(
                f"vapay demo: sandbox at {sandbox.url} with {args.accounts:,} accounts"
                f" x {args.virtual_accounts:,} virtual accounts (seed {args.seed})"
            )
            async with Client(
                **sandbox.client_options(),
                timeout=args.timeout,
                max_retries=args.max_retries,
                middlewares=[counter],
            ) as client:
                summary = await export(client, plan, streams, counter)
    show_summary(summary, plan, streams, title="vapay demo: reconciliation summary")
    check(summary, sandbox.state)
    streams.note(
        f"checked: every count and total matches the sandbox's own data\n"
        f"wrote {summary.total.count:,} rows to {output} ({plan.format})"
    )
    return 0
