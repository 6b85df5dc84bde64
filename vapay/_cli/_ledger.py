"""The merchant's ledger for `vapay reconcile --ledger FILE`: CSV or JSON Lines invoices.

A CSV has a header row with at least `merchant_reff_no` and `amount` (optional
`currency` and `account_id`; other columns are ignored); JSON Lines has one
object per line with the same keys. Every row is checked before anything is
sent: a bad row stops the command with its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

from vapay._cli._terminal import shown
from vapay._json import loads
from vapay._models import DEFAULT_CURRENCY
from vapay._numbers import decimal_from_string
from vapay.reconcile import Invoice, reference_key

REQUIRED = ("merchant_reff_no", "amount")
# A ledger is the merchant's own file; one far past this is a mistake (a dump of
# something else), and reading it whole would take the memory with it.
MAX_LEDGER_BYTES = 512 * 1024 * 1024
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class LedgerError(ValueError):
    """A ledger that cannot be read, or a row in it that is not an invoice."""


def read_ledger(path: str) -> list[Invoice]:
    """The invoices in the ledger file at *path* (CSV, or JSON Lines by extension).

    Raises:
        LedgerError: the file cannot be read, has no usable header, or a row is
            bad (missing reference, unparseable or negative amount, bad currency,
            a reference already on an earlier line), naming the line.
    """
    file = Path(path)
    try:
        if file.stat().st_size > MAX_LEDGER_BYTES:
            raise LedgerError(f"{path}: larger than {MAX_LEDGER_BYTES // 2**20} MiB")
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise LedgerError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise LedgerError(f"{path}: {err.strerror or err}") from None
    rows = _jsonl_rows(text, path) if _is_jsonl(path, text) else _csv_rows(text, path)
    invoices: list[Invoice] = []
    lines: dict[str, int] = {}
    for line, row in rows:
        invoice = _invoice(row, f"{path} line {line}")
        key = reference_key(invoice.reference)
        if key in lines:
            raise LedgerError(
                f"{path} line {line}: the reference {_shown(key)} is already on line {lines[key]}"
            )
        lines[key] = line
        invoices.append(invoice)
    return invoices


def _is_jsonl(path: str, text: str) -> bool:
    if path.lower().endswith(_JSONL_SUFFIXES):
        return True
    if path.lower().endswith(".csv"):
        return False
    return text.lstrip().startswith("{")


def _csv_rows(text: str, path: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as err:
        raise LedgerError(f"{path} line 1: {err}") from None
    names = [name.strip() for name in header]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise LedgerError(f"{path} line 1: the column {repeated[0]!r} appears twice")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise LedgerError(
            f"{path}: the header row must name {', '.join(REQUIRED)}; missing {', '.join(missing)}"
        )
    reader.fieldnames = names
    try:
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # a blank line
            yield reader.line_num, row
    except csv.Error as err:
        raise LedgerError(f"{path} line {reader.line_num}: {err}") from None


def _jsonl_rows(text: str, path: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    # "\n" only: U+2028 and other line breaks str.splitlines() knows may sit
    # unescaped inside a JSON string.
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = loads(raw)
        except (ValueError, RecursionError):
            raise LedgerError(f"{path} line {line}: not a JSON object") from None
        if not isinstance(row, dict):
            raise LedgerError(f"{path} line {line}: not a JSON object")
        yield line, row


def _invoice(row: Mapping[str, object], where: str) -> Invoice:
    reference = _text(row.get("merchant_reff_no"))
    if not reference:
        raise LedgerError(f"{where}: no merchant_reff_no")
    currency = _text(row.get("currency")) or DEFAULT_CURRENCY
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):  # noqa: PLR2004
        raise LedgerError(f"{where}: currency {_shown(currency)} is not three letters")
    return Invoice(
        reference=reference,
        amount=_amount(row.get("amount"), where),
        currency=currency.upper(),
        account_id=_text(row.get("account_id")) or None,
    )


def _amount(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise LedgerError(f"{where}: no amount")
    try:
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, int):
            amount = Decimal(value)
        elif isinstance(value, str):
            amount = decimal_from_string(value.strip())
        else:
            raise ValueError  # noqa: TRY301 - one message for every unusable value
    except ValueError:
        raise LedgerError(f"{where}: the amount {_shown(value)} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise LedgerError(f"{where}: the amount {_shown(value)} is not an amount >= 0")
    return amount


def _text(value: object) -> str:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _shown(value: object) -> str:
    return shown(repr(value if isinstance(value, str) else str(value)))
