"""The "scale" section: `list_many` over thousands of accounts at 50 ms, vapay vs hand.

One sandbox process serves `accounts` accounts of `virtual_accounts` VAs each (half
`temporary`, the kind walked) with `--latency-ms`. For each concurrency, each
contender walks every account's temporary VAs once per repetition, each walk in a
fresh process (`_scale_worker.py`), contenders alternating first. Reported per
contender and concurrency, min / median / max over the repetitions: requests/s,
% of ideal (concurrency / latency requests a second), mean requests in flight,
client CPU µs per request, peak RSS. Then the payments row: `va_transactions.list_many`
over the first `payments_accounts` accounts at concurrency 16 vs the plain loop.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _report import Measure, Row, Target
from _sandbox import SandboxSettings, sandbox_process

WORKER = Path(__file__).with_name("_scale_worker.py")
KIND = "temporary"
PAYMENTS_CONCURRENCY = 16


@dataclass(frozen=True)
class ScaleSettings:
    """The sizes of the scale section."""

    accounts: int
    virtual_accounts: int  # per account; half of them are walked (`temporary`)
    concurrencies: tuple[int, ...]
    repetitions: int
    latency: float  # seconds
    per_page: int
    payments_accounts: int


@dataclass
class Runs:
    """The figures of one contender at one concurrency, one entry per repetition."""

    results: list[dict[str, float]] = field(default_factory=list)

    def values(self, figure: Callable[[dict[str, float]], float]) -> list[float]:
        """*figure* of every repetition."""
        return [figure(result) for result in self.results]


def requests_per_second(result: dict[str, float]) -> float:
    """Requests a second of one walk."""
    return result["requests"] / result["seconds"]


def in_flight(result: dict[str, float]) -> float:
    """Mean requests in flight (Little's law: the requests' total time over the wall time)."""
    return result["busy"] / result["seconds"]


def cpu_per_request(result: dict[str, float]) -> float:
    """Client CPU µs per request."""
    return 1e6 * result["cpu"] / result["requests"]


def peak_rss(result: dict[str, float]) -> float:
    """Peak RSS of the walk's process, in bytes."""
    return 1024 * result["peak_rss_kib"]


class WorkerError(RuntimeError):
    """A walk failed, or listed another number of items than the others."""


def walk(
    sandbox: SandboxSettings, contender: str, concurrency: int, accounts: int, per_page: int
) -> dict[str, object]:
    """One walk, in a fresh process: its figures (or `{"skip": reason}`)."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(WORKER),
            contender,
            str(concurrency),
            str(accounts),
            KIND,
            str(per_page),
        ],
        env={**os.environ, **sandbox.env()},
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise WorkerError(f"{contender} c{concurrency} failed:\n{done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ideal(concurrency: int, latency: float) -> float:
    """Requests a second with *concurrency* requests always in flight, each taking *latency*."""
    return concurrency / latency


def run_scale(settings: ScaleSettings) -> tuple[list[Row], list[str]]:
    """The rows for the main table, and the detail table's lines."""
    runs: dict[tuple[str, int], Runs] = {}
    with sandbox_process(
        virtual_accounts=settings.virtual_accounts,
        accounts=settings.accounts,
        latency=settings.latency,
    ) as sandbox:
        for concurrency in settings.concurrencies:
            for repetition in range(settings.repetitions):
                order = ("vapay", "hand") if repetition % 2 == 0 else ("hand", "vapay")
                for contender in order:
                    print(f"  scale: {contender} c{concurrency} #{repetition + 1}", flush=True)
                    result = walk(
                        sandbox, contender, concurrency, settings.accounts, settings.per_page
                    )
                    runs.setdefault((contender, concurrency), Runs()).results.append(result)  # type: ignore[arg-type]
        _check_same_items(runs)
        payments = _payments(sandbox, settings)
    rows = [
        row for concurrency in settings.concurrencies for row in _rows(runs, concurrency, settings)
    ]
    return [*rows, payments], detail_table(runs, settings)


def _check_same_items(runs: dict[tuple[str, int], Runs]) -> None:
    counts = {int(items) for each in runs.values() for items in each.values(lambda r: r["items"])}
    if len(counts) != 1:
        raise WorkerError(f"the walks listed different numbers of items: {sorted(counts)}")


def _rows(
    runs: dict[tuple[str, int], Runs], concurrency: int, settings: ScaleSettings
) -> list[Row]:
    ours, theirs = runs[("vapay", concurrency)], runs[("hand", concurrency)]
    rate = statistics.median(ours.values(requests_per_second))
    hand_rate = statistics.median(theirs.values(requests_per_second))
    best = ideal(concurrency, settings.latency)
    name = f"scale c{concurrency}"
    ideal_measure = Measure(f"ideal {concurrency}/{settings.latency * 1000:g} ms", best, "req/s")
    vs_ideal = Row(
        f"{name}: vapay % of ideal",
        Measure("vapay", rate, "req/s"),
        ideal_measure,
        Target(">=", 0.9) if concurrency <= 64 else None,
        [value / best for value in ours.values(requests_per_second)],
    )
    vs_hand = Row(
        f"{name}: vapay vs hand (same connection limit)",
        Measure("vapay", rate, "req/s"),
        Measure("hand", hand_rate, "req/s"),
        Target(">=", 0.8) if concurrency >= 256 else None,
        [
            a / b
            for a, b in zip(
                ours.values(requests_per_second), theirs.values(requests_per_second), strict=True
            )
        ],
    )
    return [vs_ideal, vs_hand]


def _payments(sandbox: SandboxSettings, settings: ScaleSettings) -> Row:
    """`va_transactions.list_many` at concurrency 16 vs the plain loop, or SKIP."""
    name = (
        f"scale payments: list_many c{PAYMENTS_CONCURRENCY} vs sequential "
        f"({settings.payments_accounts} accounts)"
    )
    fast = walk(
        sandbox, "payments", PAYMENTS_CONCURRENCY, settings.payments_accounts, settings.per_page
    )
    if "skip" in fast:
        return Row(name, None, None, note=f"SKIP: {fast['skip']}")
    slow = walk(sandbox, "payments-seq", 1, settings.payments_accounts, settings.per_page)
    if fast["items"] != slow["items"]:
        raise WorkerError(f"payments: list_many listed {fast['items']}, the loop {slow['items']}")
    return Row(
        name,
        Measure(f"c{PAYMENTS_CONCURRENCY}", requests_per_second(fast), "req/s"),  # type: ignore[arg-type]
        Measure("sequential", requests_per_second(slow), "req/s"),  # type: ignore[arg-type]
    )


FIGURES: dict[str, tuple[Callable[[dict[str, float]], float], str]] = {
    "requests/s": (requests_per_second, "{:.0f}"),
    "in flight": (in_flight, "{:.1f}"),
    "CPU µs/req": (cpu_per_request, "{:.0f}"),
    "peak RSS MiB": (lambda r: peak_rss(r) / 2**20, "{:.1f}"),
}


def spread(values: Sequence[float], form: str) -> str:
    """min / median / max of *values*, each formatted with *form*."""
    return " / ".join(form.format(v) for v in (min(values), statistics.median(values), max(values)))


def detail_table(runs: dict[tuple[str, int], Runs], settings: ScaleSettings) -> list[str]:
    """One line per contender and concurrency: every figure as min / median / max."""
    header = ["contender", "% of ideal", *FIGURES]
    lines = [header]
    for (contender, concurrency), each in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        best = ideal(concurrency, settings.latency)
        cells = [
            f"{contender} c{concurrency}",
            spread([100 * v / best for v in each.values(requests_per_second)], "{:.0f}"),
        ]
        cells += [spread(each.values(figure), form) for figure, form in FIGURES.values()]
        lines.append(cells)
    widths = [max(len(line[col]) for line in lines) for col in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
