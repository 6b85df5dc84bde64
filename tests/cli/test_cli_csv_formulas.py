"""CSV exports are safe to open in a spreadsheet: text that reads as a formula stays text.

A bank code such as `=HYPERLINK(...)` from a hostile server would run as a
formula when the export is opened (issue #13, item 8). As spreadsheet-safe
exporters do (OWASP, "CSV injection"), such text gets a leading `'`; numbers,
negative amounts included, are written as they are, and JSON Lines is untouched.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Run, ServeData
from vapay.sandbox import Sandbox

FORMULAS = [
    pytest.param('=HYPERLINK("https://evil.example","BRI")', id="equals"),
    pytest.param("+1+cmd|' /C calc'!A0", id="plus"),
    pytest.param("-2+3+cmd|' /C calc'!A0", id="minus"),
    pytest.param("@SUM(1+1)*cmd|' /C calc'!A0", id="at"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("\r=1+1", id="carriage-return"),
]
NEGATIVE_AMOUNTS = [
    pytest.param(Decimal("-500.00"), "-500.00", id="two-decimals"),
    pytest.param(Decimal("-0.5"), "-0.50", id="fraction"),
    pytest.param(Decimal(-11000), "-11000.00", id="whole"),
]


def csv_text(path: Path) -> str:
    """The text of a CSV file, its line ends as written."""
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def first_account_rows(text: str, sandbox: Sandbox) -> list[dict[str, str]]:
    """The CSV rows of the sandbox's first account (whose fields the test set)."""
    account_id = sandbox.state.accounts[0].id
    return [row for row in csv.DictReader(io.StringIO(text)) if row["account_id"] == account_id]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_text_gets_a_leading_quote(
    run: Run, serve_data: ServeData, tmp_path: Path, formula: str
) -> None:
    """A text field starting with = + - @ tab or CR is written with a leading '."""
    sandbox = serve_data(virtual_account={"bank_code": formula})
    output = tmp_path / "vas.csv"

    result = run("virtual-accounts", "export", "-o", str(output))

    rows = first_account_rows(csv_text(output), sandbox)
    assert result.code == 0
    assert rows
    assert {row["bank"] for row in rows} == {f"'{formula}"}


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_text_gets_a_leading_quote_on_stdout(
    run: Run, serve_data: ServeData, formula: str
) -> None:
    """CSV written to stdout is neutralized the same way."""
    sandbox = serve_data(virtual_account={"bank_code": formula})

    result = run("virtual-accounts", "export", "-o", "-", "--format", "csv")

    assert {row["bank"] for row in first_account_rows(result.out, sandbox)} == {f"'{formula}"}


@pytest.mark.parametrize(("amount", "written"), NEGATIVE_AMOUNTS)
def test_negative_amounts_stay_numbers(
    run: Run, serve_data: ServeData, tmp_path: Path, amount: Decimal, written: str
) -> None:
    """A negative amount is written as a number, without the leading '."""
    sandbox = serve_data(virtual_account={"amount": amount})
    output = tmp_path / "vas.csv"

    run("virtual-accounts", "export", "-o", str(output))

    rows = first_account_rows(csv_text(output), sandbox)
    assert rows
    assert {row["amount"] for row in rows} == {written}


@pytest.mark.parametrize("text", ["-12", "+62812", "-0.5"], ids=["negative", "plus", "fraction"])
def test_numeric_text_stays_a_number(
    run: Run, serve_data: ServeData, tmp_path: Path, text: str
) -> None:
    """Text that is just a signed number is written as it is: it runs nothing."""
    sandbox = serve_data(virtual_account={"bank_code": text})
    output = tmp_path / "vas.csv"

    run("virtual-accounts", "export", "-o", str(output))

    rows = first_account_rows(csv_text(output), sandbox)
    assert {row["bank"] for row in rows} == {text}


@pytest.mark.parametrize("formula", FORMULAS)
def test_jsonl_keeps_formula_text_as_sent(
    run: Run, serve_data: ServeData, tmp_path: Path, formula: str
) -> None:
    """JSON Lines exports carry the exact string, with no quote added."""
    sandbox = serve_data(virtual_account={"bank_code": formula})
    output = tmp_path / "vas.jsonl"

    run("virtual-accounts", "export", "-o", str(output))

    account_id = sandbox.state.accounts[0].id
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert {row["bank"] for row in rows if row["account_id"] == account_id} == {formula}
