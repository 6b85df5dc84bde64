"""The reconciliation's totals: counts and exact amounts by status, kind and bank."""

from __future__ import annotations

import decimal
from decimal import Decimal

import attrs
from rich.table import Table
from rich.text import Text

from vapay._cli._output import bank_of, decimal_text, text
from vapay._cli._render import amount_text, status_cell
from vapay._cli._render import cell as value_cell
from vapay._cli._terminal import printable
from vapay._models import VirtualAccount

DIMENSIONS = ("status", "kind", "bank")
_NONE = "(none)"
_ZERO = Decimal(0)
# At this precision an addition can never round: totals stay exact however
# many amounts go in, and keep the API's scale ("11000.00" + "5.50" = "11005.50").
_EXACT = decimal.Context(prec=decimal.MAX_PREC)


@attrs.define
class Totals:
    """A count and, per currency, the exact sum of the amounts."""

    count: int = 0
    amounts: dict[str, Decimal] = attrs.Factory(dict)

    def add(self, value: Decimal, currency: str, count: int = 1) -> None:
        """Count *count* amounts summing to *value*."""
        self.count += count
        self.amounts[currency] = _EXACT.add(self.amounts.get(currency, _ZERO), value)

    def to_json(self) -> dict[str, object]:
        """`{"count": 3, "amounts": {"IDR": "33000.00"}}`."""
        return {
            "count": self.count,
            "amounts": {
                currency: decimal_text(value) for currency, value in sorted(self.amounts.items())
            },
        }


@attrs.define
class _Cell:
    """The virtual accounts of one status, kind, bank and currency."""

    count: int = 0
    value: Decimal = _ZERO


# Status, kind, bank, currency.
_CellKey = tuple[str, str, str, str]


@attrs.define
class Summary:
    """What a reconciliation saw: totals overall and per status, kind and bank.

    Each virtual account is counted once, in the cell of its status, kind, bank
    and currency; `total` and `groups` add the cells up. `groups` maps each
    dimension to its values' totals, e.g. `groups["status"]["active"]`; a
    missing value is counted as "(none)".

    `page_requests` counts every attempt at a page, retries included. It is not
    called "API requests" because token requests are not in it: they bypass the
    middlewares, where the CLI counts.
    """

    accounts: int = 0
    elapsed: float = 0.0
    page_requests: int = 0
    _cells: dict[_CellKey, _Cell] = attrs.Factory(dict)

    def add(
        self, *, status: object, kind: object, bank: object, value: Decimal, currency: object
    ) -> None:
        """Count one virtual account."""
        key = (text(status) or _NONE, text(kind) or _NONE, text(bank) or _NONE, text(currency))
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = _Cell()
        cell.count += 1
        cell.value = _EXACT.add(cell.value, value)

    def add_virtual_account(self, va: VirtualAccount) -> None:
        """Count *va*."""
        self.add(
            status=va.status,
            kind=va.kind,
            bank=bank_of(va),
            value=va.amount.value,
            currency=va.amount.currency,
        )

    @property
    def total(self) -> Totals:
        """Every virtual account counted."""
        total = Totals()
        for (*_, currency), cell in self._cells.items():
            total.add(cell.value, currency, cell.count)
        return total

    @property
    def groups(self) -> dict[str, dict[str, Totals]]:
        """Per dimension, each value's totals."""
        groups: dict[str, dict[str, Totals]] = {dimension: {} for dimension in DIMENSIONS}
        for (*keys, currency), cell in self._cells.items():
            for dimension, key in zip(DIMENSIONS, keys, strict=True):
                groups[dimension].setdefault(key, Totals()).add(cell.value, currency, cell.count)
        return groups

    @property
    def items_per_second(self) -> float:
        """Virtual accounts per second of wall time (0 before any time passed)."""
        return self.total.count / self.elapsed if self.elapsed > 0 else 0.0

    def to_json(self) -> dict[str, object]:
        """The summary as one JSON object; amounts are exact decimal strings."""
        groups = self.groups
        return {
            "accounts": self.accounts,
            "virtual_accounts": self.total.count,
            "page_requests": self.page_requests,
            "elapsed_seconds": round(self.elapsed, 3),
            "items_per_second": round(self.items_per_second, 1),
            "total": self.total.to_json(),
            **{
                f"by_{dimension}": {
                    key: totals.to_json() for key, totals in sorted(groups[dimension].items())
                }
                for dimension in DIMENSIONS
            },
        }

    def throughput(self) -> str:
        """One line for people: how many, how fast."""
        return (
            f"{self.total.count:,} virtual accounts of {self.accounts:,} accounts"
            f" in {self.elapsed:.2f} s: {self.items_per_second:,.0f} per second,"
            f" {self.page_requests:,} page requests"
        )


def _amount(totals: Totals, currency: str) -> Text:
    value = totals.amounts.get(currency)
    return Text("") if value is None else amount_text(value)


def summary_table(summary: Summary, title: str = "Reconciliation summary") -> Table:
    """Counts and amounts per status, kind and bank, the totals as the footer."""
    total, groups = summary.total, summary.groups
    currencies = sorted(total.amounts)
    table = Table(
        title=title,
        title_justify="left",
        show_footer=True,
        header_style="bold",
        footer_style="bold",
    )
    table.add_column("By", footer="Total", style="bold")
    table.add_column("Value")
    # Figures fold onto a second line on a narrow terminal: cut short, they lie.
    table.add_column("Count", justify="right", footer=f"{total.count:,}", overflow="fold")
    for currency in currencies:
        table.add_column(
            printable(f"Amount {currency}".rstrip()),
            justify="right",
            footer=_amount(total, currency),
            overflow="fold",
        )
    for dimension in DIMENSIONS:
        rows = sorted(groups[dimension].items())
        for index, (key, totals) in enumerate(rows):
            table.add_row(
                dimension if index == 0 else "",
                status_cell(key) if dimension == "status" else value_cell(key),
                f"{totals.count:,}",
                *(_amount(totals, currency) for currency in currencies),
                end_section=index == len(rows) - 1,
            )
    return table
