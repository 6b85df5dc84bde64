"""The ledger reader of `vapay reconcile --ledger`: CSV or JSON Lines, every row checked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from vapay._cli._ledger import LedgerError, read_ledger
from vapay.reconcile import Invoice


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


CSV = """merchant_reff_no,amount,currency,account_id,note
INV-1,150000.00,IDR,A1,first
INV-2,99000,,,

 INV-3 , 0.10 ,usd,,
"""
JSONL = """{"merchant_reff_no": "INV-1", "amount": 150000.00, "currency": "IDR", "account_id": "A1"}
{"merchant_reff_no": "INV-2", "amount": "99000"}

{"merchant_reff_no": " INV-3 ", "amount": 0.10, "currency": "usd"}
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [("ledger.csv", CSV), ("ledger.jsonl", JSONL), ("ledger.txt", JSONL)],
    ids=["csv", "jsonl", "sniffed-jsonl"],
)
def test_a_ledger_reads_into_exact_invoices(tmp_path: Path, name: str, text: str) -> None:
    """Amounts stay exact, currency defaults to IDR, references are trimmed."""
    invoices = read_ledger(write(tmp_path, name, text))

    assert invoices == [
        Invoice(reference="INV-1", amount=Decimal("150000.00"), currency="IDR", account_id="A1"),
        Invoice(reference="INV-2", amount=Decimal(99000)),
        Invoice(reference="INV-3", amount=Decimal("0.10"), currency="USD"),
    ]


def test_a_csv_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    """A spreadsheet's UTF-8 BOM does not hide the first column's name."""
    path = write(tmp_path, "l.csv", "\ufeffmerchant_reff_no,amount\nINV-1,5\n".encode())

    assert read_ledger(path) == [Invoice(reference="INV-1", amount=Decimal(5))]


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        (
            "l.csv",
            "reference,amount\nINV-1,5\n",
            "must name merchant_reff_no, amount; missing merchant_reff_no",
        ),
        ("l.csv", "merchant_reff_no,amount\n,5\n", "line 2: no merchant_reff_no"),
        ("l.csv", "merchant_reff_no,amount\nINV-1,\n", "line 2: no amount"),
        (
            "l.csv",
            "merchant_reff_no,amount\nINV-1,abc\n",
            "line 2: the amount 'abc' is not a number",
        ),
        (
            "l.csv",
            "merchant_reff_no,amount\nINV-1,1E+999999999\n",
            "line 2: the amount .* is not a number",
        ),
        (
            "l.csv",
            "merchant_reff_no,amount\nINV-1,-5\n",
            "line 2: the amount '-5' is not an amount >= 0",
        ),
        (
            "l.csv",
            "merchant_reff_no,amount\nINV-1,NaN\n",
            "line 2: the amount 'NaN' is not an amount",
        ),
        (
            "l.csv",
            "merchant_reff_no,amount,currency\nINV-1,5,RP\n",
            "line 2: currency 'RP' is not three letters",
        ),
        (
            "l.csv",
            "merchant_reff_no,amount\nINV-1,5\nINV-2,6\n INV-1,7\n",
            "line 4: the reference 'INV-1' is already on line 2",
        ),
        (
            "l.jsonl",
            '{"merchant_reff_no": "INV-1", "amount": 5}\n[1]\n',
            "line 2: not a JSON object",
        ),
        (
            "l.jsonl",
            '{"merchant_reff_no": "INV-1", "amount": 5.5.5}\n',
            "line 1: not a JSON object",
        ),
        ("l.jsonl", '{"merchant_reff_no": "INV-1", "amount": true}\n', "line 1: no amount"),
        (
            "l.jsonl",
            '{"merchant_reff_no": 7, "amount": [5]}\n',
            "line 1: the amount .* is not a number",
        ),
        ("l.csv", b"merchant_reff_no,amount\nINV-\xff,5\n", "not UTF-8 text"),
    ],
    ids=[
        "no-reference-column",
        "blank-reference",
        "blank-amount",
        "text-amount",
        "huge-amount",
        "negative",
        "nan",
        "bad-currency",
        "repeated-reference",
        "jsonl-not-object",
        "jsonl-bad-json",
        "jsonl-bool-amount",
        "jsonl-list-amount",
        "not-utf8",
    ],
)
def test_a_bad_ledger_is_refused_naming_the_line(
    tmp_path: Path, name: str, text: str | bytes, match: str
) -> None:
    """Each kind of bad row is a LedgerError with its line number and what is wrong."""
    with pytest.raises(LedgerError, match=match):
        read_ledger(write(tmp_path, name, text))


def test_a_missing_ledger_file_is_a_ledger_error(tmp_path: Path) -> None:
    """A path that does not exist is a LedgerError naming it."""
    with pytest.raises(LedgerError, match="No such file"):
        read_ledger(str(tmp_path / "missing.csv"))


def test_a_jsonl_ledger_keeps_line_separators_inside_strings(tmp_path: Path) -> None:
    """U+2028 raw inside a JSON string is not a line break. (Review.)"""
    text = (
        '{"merchant_reff_no": "INV\u2028A", "amount": 1}\n{"merchant_reff_no": "B", "amount": 2}\n'
    )

    invoices = read_ledger(write(tmp_path, "l.jsonl", text))

    assert [i.reference for i in invoices] == ["INV\u2028A", "B"]


def test_a_csv_ledger_with_a_repeated_column_is_refused(tmp_path: Path) -> None:
    """Two `amount` columns: refused, rather than the last one silently winning. (Review.)"""
    with pytest.raises(LedgerError, match="line 1: the column 'amount' appears twice"):
        read_ledger(write(tmp_path, "l.csv", "merchant_reff_no,amount,amount\nINV-1,100,999\n"))
