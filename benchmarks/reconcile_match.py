"""The reconciliation matching step alone: payments per second, and its memory.

    python benchmarks/reconcile_match.py            # 100,000 payments x 100,000 invoices
    python benchmarks/reconcile_match.py --quick    # 10,000 x 10,000, a smoke check

No network and no sandbox: `vapay.reconcile.Reconciler` is fed a prebuilt list
of `VATransaction`s (so only matching is timed) against a ledger of invoices.
The mix: 90% of invoices paid exactly, 3% under or over, 2% paid twice, 5%
unpaid with an expired attempt, plus 2% unexpected payments; one fee each.

Memory is measured with tracemalloc in two fresh processes: one holding the
ledger alone (the invoices, keyed as the reconciler keys them), one running the
whole reconciliation over a *generated* stream (payments made one at a time and
dropped, as a listing streams them). The target is the second peak within 2x
the first: memory grows with the ledger and a set of transaction ids, never
with the payments streamed through.

Targets (issue #12): >= 200,000 payments/s, memory ratio <= 2.0.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal

import vapay
from _report import Measure, Row, Target
from vapay.reconcile import Invoice, Reconciler

TARGET_RATE = 200_000.0

FEE = vapay.Fee(amount=vapay.Money(value=Decimal(4500)), name="BRI Virtual Account")


def ledger(size: int) -> list[Invoice]:
    """*size* invoices with amounts like the gateway's (two decimals)."""
    return [
        Invoice(
            reference=f"INV/2026/{n:07d}", amount=Decimal(f"{10_000 + n % 9_000}.{n % 100:02d}")
        )
        for n in range(size)
    ]


def payments(invoices: list[Invoice]) -> Iterator[vapay.VATransaction]:
    """The payment stream of the mix described above, made one at a time."""
    serial = 0

    def make(reference: str, amount: Decimal, status: str = "paid") -> vapay.VATransaction:
        nonlocal serial
        serial += 1
        return vapay.VATransaction(
            transaction_id=f"VA-20261128-{serial:010d}",
            status=status,
            amount=vapay.Money(value=amount),
            account_id="01JB2V7S2W4Q3R5T6Y7U8I9O0P",
            merchant_reff_no=reference,
            va_number="88810012345678",
            fees=FEE,
            has_settle=serial % 3 == 0,
        )

    for n, invoice in enumerate(invoices):
        bucket = n % 100
        if bucket < 90:
            yield make(invoice.reference, invoice.amount)
        elif bucket < 93:
            yield make(invoice.reference, invoice.amount + (1 if bucket % 2 else -1))
        elif bucket < 95:
            yield make(invoice.reference, invoice.amount)
            yield make(invoice.reference, invoice.amount)
        else:
            yield make(invoice.reference, invoice.amount, "expired")
        if bucket < 2:
            yield make(f"UNKNOWN/{n}", Decimal(12_345))


def throughput(size: int, rounds: int) -> tuple[int, list[float]]:
    """Payments matched per second over *rounds* runs (a prebuilt list, only matching timed)."""
    invoices = ledger(size)
    stream = list(payments(invoices))
    rates = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        reconciler = Reconciler(invoices, on_unexpected=lambda _: None)
        for payment in stream:
            reconciler.add(payment)
        reconciler.report()
        rates.append(len(stream) / (time.perf_counter() - started))
    return len(stream), rates


def peak(mode: str, size: int) -> int:
    """tracemalloc's peak in this process for *mode* ("ledger" or "reconcile")."""
    tracemalloc.start()
    invoices = ledger(size)
    if mode == "ledger":
        held = {invoice.reference.strip(): invoice for invoice in invoices}
        del invoices
        _, top = tracemalloc.get_traced_memory()
        del held
    else:
        reconciler = Reconciler(invoices, on_unexpected=lambda _: None)
        del invoices
        for payment in payments(list(reconciler._invoices.values())):  # noqa: SLF001
            reconciler.add(payment)
        reconciler.report()
        _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def peak_in_fresh_process(mode: str, size: int) -> int:
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--peak", mode, "--size", str(size)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(json.loads(out)["peak"])


def rows(size: int, rounds: int) -> list[Row]:
    """The report rows: payments/s against the 200,000 target, and the memory ratio."""
    count, rates = throughput(size, rounds)
    ledger_peak = peak_in_fresh_process("ledger", size)
    run_peak = peak_in_fresh_process("reconcile", size)
    shape = f"{count:,} payments vs {size:,} invoices"
    return [
        Row(
            f"reconcile matching: payments/s ({shape})",
            Measure("vapay", statistics.median(rates), "it/s"),
            Measure("target", TARGET_RATE, "it/s"),
            Target(">=", 1.0),
            paired=[rate / TARGET_RATE for rate in rates],
        ),
        Row(
            "reconcile matching: peak memory vs the ledger alone",
            Measure("reconciliation", run_peak, "B"),
            Measure("ledger alone", ledger_peak, "B"),
            Target("<", 2.0),
        ),
    ]


def main() -> int:
    """Print throughput and the memory ratio, with the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=100_000, help="invoices (and about as many payments)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--peak", choices=("ledger", "reconcile"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = 10_000 if args.quick else args.size
    if args.peak:
        print(json.dumps({"peak": peak(args.peak, size)}))
        return 0
    count, rates = throughput(size, 2 if args.quick else args.rounds)
    ledger_peak = peak_in_fresh_process("ledger", size)
    run_peak = peak_in_fresh_process("reconcile", size)
    print(f"reconcile matching: {size:,} invoices, {count:,} payments, {len(rates)} rounds")
    print(
        f"  payments/s  min {min(rates):>10,.0f}  median {statistics.median(rates):>10,.0f}"
        f"  max {max(rates):>10,.0f}   target >= 200,000"
    )
    print(
        f"  peak memory: ledger alone {ledger_peak / 2**20:.1f} MiB, reconciliation "
        f"{run_peak / 2**20:.1f} MiB, ratio {run_peak / ledger_peak:.2f}   target <= 2.00"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
