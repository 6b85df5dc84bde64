"""The report: rows of "contender A vs contender B", their ratio, and the target."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

HEADERS = ("row", "contender A", "contender B", "ratio A/B", "per-round A/B", "target", "result")


@dataclass(frozen=True)
class Measure:
    """One contender's figure: a label, its value, and how to show it."""

    label: str
    value: float
    unit: str  # "it/s" (higher is better) or "B" (bytes, lower is better)

    def text(self) -> str:
        """`label: value unit`, the value scaled for reading."""
        return f"{self.label}: {format_value(self.value, self.unit)}"


@dataclass(frozen=True)
class Target:
    """A bound on a ratio: `>= 0.9` or `< 1.3`."""

    op: str
    bound: float

    def met(self, ratio: float) -> bool:
        """Whether *ratio* meets the bound."""
        return ratio >= self.bound if self.op == ">=" else ratio < self.bound

    def __str__(self) -> str:
        return f"{self.op} {self.bound:g}x"


@dataclass(frozen=True)
class Row:
    """One line of the table. Without a target, a row is information only."""

    name: str
    a: Measure | None
    b: Measure | None
    target: Target | None = None
    paired: Sequence[float] = field(default_factory=tuple)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """A / B, or None when a contender is missing."""
        if self.a is None or self.b is None or self.b.value == 0:
            return None
        return self.a.value / self.b.value

    @property
    def result(self) -> str:
        """PASS, FAIL, info (no target), or SKIP (a contender is missing)."""
        ratio = self.ratio
        if ratio is None:
            return "SKIP"
        if self.target is None:
            return "info"
        return "PASS" if self.target.met(ratio) else "FAIL"

    def cells(self) -> tuple[str, ...]:
        """The row's cells, in `HEADERS` order."""
        ratio = self.ratio
        spread = spread_text(self.paired)
        return (
            self.name,
            self.a.text() if self.a else self.note,
            self.b.text() if self.b else ("" if self.a is None else self.note),
            "" if ratio is None else f"{ratio:.2f}x",
            spread,
            str(self.target) if self.target else "-",
            self.result,
        )


def format_value(value: float, unit: str) -> str:
    """123456 it/s -> `123.5k it/s`; 1234567 B -> `1.18 MiB`."""
    if unit == "B":
        return f"{value / 2**20:.2f} MiB" if value >= 2**20 else f"{value / 2**10:.0f} KiB"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M {unit}"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k {unit}"
    return f"{value:.1f} {unit}"


def spread_text(paired: Sequence[float]) -> str:
    """The per-round ratios' spread: quartiles from 4 rounds on, else the range."""
    if len(paired) >= 4:
        low, _, high = statistics.quantiles(paired, n=4)
        return f"IQR {low:.2f}-{high:.2f}"
    return f"{min(paired):.2f}-{max(paired):.2f}" if paired else ""


def median(values: Sequence[float]) -> float:
    """The median of *values* (which must not be empty)."""
    return statistics.median(values)


def render_plain(rows: Sequence[Row]) -> str:
    """The table as aligned plain text (what benchmarks/README.md records)."""
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[col]) for line in table) for col in range(len(HEADERS))]
    rule = tuple("-" * width for width in widths)
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [table[0], rule, *table[1:]]
    ]
    return "\n".join(line.rstrip() for line in lines)


def render_rich(rows: Sequence[Row]) -> bool:
    """Print the table with rich; False when rich is not installed."""
    try:
        from rich.console import Console  # noqa: PLC0415 - optional
        from rich.table import Table  # noqa: PLC0415 - optional
    except ImportError:
        return False
    table = Table(*HEADERS)
    style = {"PASS": "green", "FAIL": "bold red", "SKIP": "yellow", "info": "dim"}
    for row in rows:
        *cells, result = row.cells()
        table.add_row(*cells, f"[{style[result]}]{result}[/]")
    Console(width=200).print(table)
    return True


def summary(rows: Sequence[Row]) -> str:
    """One line: how many targets pass, and which fail or were skipped."""
    targeted = [row for row in rows if row.target is not None]
    passed = [row for row in targeted if row.result == "PASS"]
    failed = [row.name for row in targeted if row.result == "FAIL"]
    skipped = [row.name for row in targeted if row.result == "SKIP"]
    text = f"SUMMARY: {len(passed)}/{len(targeted)} targets pass"
    if failed:
        text += "; FAIL: " + "; ".join(failed)
    if skipped:
        text += "; SKIPPED: " + "; ".join(skipped)
    return text
