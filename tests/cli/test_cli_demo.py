"""`vapay demo`: a day of payments on an embedded sandbox, reconciled and checked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_cli_terminal import screen

from conftest import Run

CATEGORIES = ("matched", "amount_mismatch", "duplicate", "unexpected", "unpaid")


def test_the_demo_finds_exactly_what_it_planted(run: Run) -> None:
    """Piped, the demo prints the JSON report with its check, every category present."""
    result = run("demo", "--accounts", "10", "--invoices", "20", "--seed", "4")

    report = json.loads(result.out)
    assert (result.code, result.err) == (0, "")
    assert report["invoices"] == 200
    assert all(report[name]["count"] > 0 for name in CATEGORIES)
    assert report["checked"].startswith("found exactly the planted discrepancies")
    assert report["received"]["settled"]["count"] > 0
    assert report["received"]["unsettled"]["count"] > 0


def test_the_demo_needs_no_credentials_and_leaves_no_file(run: Run, tmp_path: Path) -> None:
    """No `VAPAY_*` variables, and without --ledger-out no ledger is left behind."""
    before = set(Path(tmp_path).iterdir())

    result = run("demo", "--accounts", "2", "--invoices", "5")

    assert result.code == 0
    assert set(Path(tmp_path).iterdir()) == before


def test_the_demo_keeps_its_ledger_and_writes_discrepancies_on_request(
    run: Run, tmp_path: Path
) -> None:
    """--ledger-out keeps the generated ledger; -o writes the discrepancy rows."""
    ledger, output = tmp_path / "ledger.csv", tmp_path / "out.csv"

    result = run(
        "demo",
        "--accounts",
        "5",
        "--invoices",
        "10",
        "--ledger-out",
        str(ledger),
        "-o",
        str(output),
    )

    report = json.loads(result.out)
    with ledger.open(newline="") as file:
        invoices = list(csv.DictReader(file))
    with output.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(invoices) == 50
    discrepancies = sum(report[name]["count"] for name in CATEGORIES if name != "matched")
    assert len(rows) == discrepancies


def test_the_demo_runs_on_the_live_shapes(run: Run) -> None:
    """`--live` serves the live API's shapes and still finds exactly what was planted."""
    result = run("demo", "--live", "--accounts", "4", "--invoices", "10")

    assert result.code == 0
    assert json.loads(result.out)["checked"].startswith("found exactly")


def test_the_demo_on_a_terminal_shows_the_report_and_the_check(run_tty: Run) -> None:
    """On a terminal: the report table, the verdict and the check line."""
    result = run_tty("demo", "--accounts", "5", "--invoices", "10")

    out, err = screen(result.out), screen(result.err)
    assert result.code == 0
    assert "amount mismatch" in out
    assert "books do not tie out" in out
    assert "checked: found exactly the planted discrepancies" in err


def test_the_demo_with_rows_on_stdout_puts_its_report_on_stderr(run: Run) -> None:
    """`-o -`: stdout is the row stream alone; the report goes to stderr. (Review.)"""
    result = run("demo", "--accounts", "2", "--invoices", "10", "-o", "-")

    rows = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 0
    assert rows
    assert all("category" in row for row in rows)
    assert json.loads(result.err.splitlines()[-1])["checked"].startswith("found exactly")
