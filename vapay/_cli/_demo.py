"""`vapay demo`: a day of payments on an embedded sandbox, reconciled, then checked.

Needs no credentials and no network. The demo plays merchant and payers at once:
it opens one virtual account per invoice through the SDK (concurrently, as a
merchant's backend would), has the sandbox's payers pay them, with a few
discrepancies of every kind planted on purpose, settles some accounts, writes
the merchant's ledger, and runs exactly what `vapay reconcile --ledger` runs.
Then it checks that the report found the planted discrepancies, no more and no
fewer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs

from vapay._cli._export import STDOUT
from vapay._cli._output import CliError, Streams
from vapay._cli._reconcile import Window, load_invoices, run_reconciliation, show_report
from vapay._client import Client
from vapay._models import VirtualAccount
from vapay._signature import JAKARTA
from vapay.reconcile import Report
from vapay.sandbox import Sandbox

# How the demo's invoices turn out, in shares of all invoices; the rest are paid
# exactly. Each is planted on purpose, so the check knows what the report must say.
PLANTED = {
    "amount_mismatch": 0.03,  # paid through an open VA, under or over
    "duplicate": 0.02,  # an open VA paid twice
    "unpaid": 0.06,  # never paid; every other one with an expired attempt
    "late": 0.03,  # an expired attempt, then the bank's late callback: matched
    "unexpected": 0.02,  # a walk-in payment under a reference the ledger lacks
}
_BANKS = ("BRI", "BCA", "BNI", "MANDIRI", "PERMATA")


@attrs.frozen(kw_only=True)
class Plan:
    """One invoice of the demo: what the ledger says, and what the payer will do."""

    account_id: str
    reference: str
    amount: Decimal
    bank_code: str
    outcome: str  # "exact" or a key of PLANTED


def plan_invoices(account_ids: list[str], per_account: int, seed: int) -> list[Plan]:
    """The demo's invoices and planted outcomes, the same for the same seed."""
    rng = random.Random(f"vapay-demo/{seed}")
    plans = []
    for account_number, account_id in enumerate(account_ids, start=1):
        for invoice in range(1, per_account + 1):
            roll, outcome = rng.random(), "exact"
            for name, share in PLANTED.items():
                if roll < share:
                    outcome = name
                    break
                roll -= share
            plans.append(
                Plan(
                    account_id=account_id,
                    reference=f"INV/{account_number:04d}/{invoice:05d}",
                    # >= 11,000: an under-payment of 500 stays above the banks' minimum.
                    amount=Decimal(rng.randrange(22, 10_000) * 500) + Decimal(rng.choice((0, 50))),
                    bank_code=rng.choice(_BANKS),
                    outcome=outcome,
                )
            )
    return plans


async def _open_va(client: Client, plan: Plan, expires: dt.datetime) -> VirtualAccount:
    """The VA a plan needs: closed for an exact payment, open where the amount will differ."""
    reference = plan.reference if plan.outcome != "unexpected" else f"WALK-IN/{plan.reference}"
    if plan.outcome in ("amount_mismatch", "duplicate"):
        return await client.virtual_accounts.create(
            plan.account_id,
            bank_code=plan.bank_code,
            kind="permanent",
            amount_type="open",
            min_amount=10_000,
            max_amount=20_000_000,  # within every bank's limits (BCA: 20 million)
            max_usage=2,
            merchant_reff_no=reference,
        )
    return await client.virtual_accounts.create(
        plan.account_id,
        bank_code=plan.bank_code,
        kind="temporary",
        amount=plan.amount,
        expired_at=expires,
        merchant_reff_no=reference,
    )


async def _pay(sandbox: Sandbox, plan: Plan, va: VirtualAccount, index: int) -> None:
    """What the payer (and the bank) do for *plan*."""
    account_id, number = plan.account_id, va.number
    if plan.outcome in ("exact", "unexpected"):
        await sandbox.pay(account_id, number)
    elif plan.outcome == "amount_mismatch":
        await sandbox.pay(account_id, number, plan.amount + (500 if index % 2 else -500))
    elif plan.outcome == "duplicate":
        await sandbox.pay(account_id, number, plan.amount)
        await sandbox.pay(account_id, number, plan.amount)
    elif plan.outcome == "late":
        attempt = await sandbox.expire_attempt(account_id, number)
        await sandbox.pay_late(attempt.transaction_id)
    elif index % 2:  # unpaid: every other one tried and let the VA lapse
        await sandbox.expire_attempt(account_id, number)


async def _open_all(
    client: Client, plans: list[Plan], concurrency: int, expires: dt.datetime
) -> list[VirtualAccount]:
    """Every plan's VA, *concurrency* creates at a time, in plan order."""
    limit = asyncio.Semaphore(concurrency)

    async def one(plan: Plan) -> VirtualAccount:
        async with limit:
            return await _open_va(client, plan, expires)

    return list(await asyncio.gather(*(one(plan) for plan in plans)))


def expected_counts(plans: list[Plan]) -> dict[str, int]:
    """What the report must say of the planted invoices."""
    outcomes = Counter(plan.outcome for plan in plans)
    return {
        "matched": outcomes["exact"] + outcomes["late"],
        "amount_mismatch": outcomes["amount_mismatch"],
        "duplicate": outcomes["duplicate"],
        "unexpected": outcomes["unexpected"],
        # A walk-in payment's invoice, under its own reference, was never paid.
        "unpaid": outcomes["unpaid"] + outcomes["unexpected"],
    }


def check(report: Report, plans: list[Plan]) -> dict[str, int]:
    """The planted counts, after comparing them with *report*.

    Raises:
        CliError: a category's count differs from what was planted.
    """
    expected = expected_counts(plans)
    found = {name: getattr(report, name).count for name in expected}
    if found != expected:
        raise CliError(f"the reconciliation found {found}, but the demo planted {expected}")
    return expected


def write_ledger(plans: list[Plan], path: Path) -> None:
    """The merchant's ledger, as `vapay reconcile --ledger` reads it."""
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["merchant_reff_no", "amount", "currency", "account_id"])
        for plan in plans:
            out.writerow([plan.reference, f"{plan.amount:f}", "IDR", plan.account_id])


@contextlib.contextmanager
def _ledger_file(args: argparse.Namespace) -> Iterator[Path]:
    """Where the ledger goes: `--ledger-out`, else a temporary directory removed after."""
    if args.ledger_out is not None:
        yield Path(args.ledger_out)
        return
    with tempfile.TemporaryDirectory(prefix="vapay-demo-") as directory:
        yield Path(directory) / "ledger.csv"


async def demo_command(args: argparse.Namespace, streams: Streams) -> int:
    """`vapay demo`: open, pay, settle, reconcile, check."""
    sandbox = Sandbox(
        accounts=args.accounts,
        virtual_accounts_per_account=0,  # the demo opens its own, for today
        seed=args.seed,
        latency=args.latency,
        live=args.live,
        record_requests=False,  # a demo never reads the request log
    )
    first_day = dt.datetime.now(JAKARTA).date()
    with _ledger_file(args) as ledger:
        async with (
            sandbox,
            Client(
                **sandbox.client_options(), timeout=args.timeout, max_retries=args.max_retries
            ) as client,
        ):
            plans = plan_invoices([a.id for a in sandbox.state.accounts], args.invoices, args.seed)
            streams.note(
                f"vapay demo: sandbox at {sandbox.url}: opening {len(plans):,} virtual accounts "
                f"for {args.accounts:,} accounts, and paying them (seed {args.seed})"
            )
            expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
            vas = await _open_all(client, plans, args.concurrency, expires)
            for index, (plan, va) in enumerate(zip(plans, vas, strict=True)):
                await _pay(sandbox, plan, va, index)
            for account in sandbox.state.accounts[::2]:
                await sandbox.settle(account.id)
            write_ledger(plans, ledger)
            # From the day the payments began to today: a run that crosses
            # Jakarta's midnight still covers them all.
            window = Window.of(first_day, dt.datetime.now(JAKARTA).date())
            report = await run_reconciliation(
                client, load_invoices(str(ledger)), window, args=args, streams=streams
            )
        planted = check(report, plans)
        checked = "found exactly the planted discrepancies: " + ", ".join(
            f"{count:,} {name.replace('_', ' ')}" for name, count in planted.items()
        )
        show_report(
            report,
            window,
            streams,
            extra={"checked": checked, "ledger": str(ledger) if args.ledger_out else None},
            to_stderr=args.output == STDOUT,
        )
        streams.note(f"checked: {checked}")
    return 0
