"""`vapay reconcile --ledger FILE --from DATE --to DATE` against the sandbox, end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from test_cli_terminal import screen

import vapay
from conftest import Run
from vapay._cli._reconcile import DISCREPANCY_COLUMNS, invoice_row
from vapay._signature import JAKARTA
from vapay.reconcile import Duplicate, Invoice, Reconciler, jakarta_days
from vapay.sandbox import Sandbox, TransactionRecord

TODAY = dt.datetime.now(JAKARTA).date()
# The sandbox's seeded payments lie in the 45 days before today.
FIRST = TODAY - dt.timedelta(days=46)
WINDOW = ("--from", FIRST.isoformat(), "--to", TODAY.isoformat())


@attrs.frozen
class Books:
    """A ledger written for the sandbox's seeded payments, and what reconciling it must find."""

    path: Path
    expected: dict[str, int]


def paid_by_reference(sandbox: Sandbox) -> dict[str, list[TransactionRecord]]:
    """The seeded paid payments of the window, by reference, in account order."""
    start, end = jakarta_days(FIRST, TODAY)
    found: dict[str, list[TransactionRecord]] = defaultdict(list)
    for account in sandbox.state.accounts:
        for record in sandbox.state.expected_transactions(
            account.id, status="paid", processed_timestamp_from=start, processed_timestamp_to=end
        ):
            found[record.merchant_reff_no or ""].append(record)
    return found


def write_books(sandbox: Sandbox, path: Path) -> Books:
    """A ledger with one invoice per paid reference, and a planted discrepancy of each kind.

    The first single-paid reference is invoiced 1.00 short (an amount mismatch),
    the second is left out (its payment is unexpected), and one invoice is never
    paid; references the sandbox paid several times are duplicates.
    """
    paid = paid_by_reference(sandbox)
    singles = [ref for ref, records in paid.items() if len(records) == 1]
    mismatched, missing = singles[0], singles[1]
    with path.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(["merchant_reff_no", "amount", "account_id"])
        for reference, records in paid.items():
            if reference == missing:
                continue
            amount = records[0].amount - (1 if reference == mismatched else 0)
            out.writerow([reference, f"{amount:f}", records[0].account_id])
        out.writerow(["INV-NEVER-PAID", "15000.00", ""])
    duplicates = sum(1 for records in paid.values() if len(records) > 1)
    return Books(
        path=path,
        expected={
            "matched": len(singles) - 2,
            "amount_mismatch": 1,
            "duplicate": duplicates,
            "unexpected": 1,
            "unpaid": 1,
        },
    )


@pytest.fixture(name="books")
def _books(credentials: Sandbox, tmp_path: Path) -> Books:
    return write_books(credentials, tmp_path / "ledger.csv")


def counts(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    return {name: summary[name]["count"] for name in ("matched", "amount_mismatch", "duplicate",
                                                       "unexpected", "unpaid")}  # fmt: skip


def test_the_report_counts_every_category_and_exits_3(run: Run, books: Books) -> None:
    """Piped, one JSON object with every category's count; planted discrepancies: exit 3."""
    result = run("reconcile", "--ledger", str(books.path), *WINDOW)

    summary = json.loads(result.out)
    assert result.code == 3, result.err
    assert counts(summary) == books.expected
    assert summary["needs_action"] is True
    assert summary["window"]["from"] == FIRST.isoformat()


def test_payments_are_listed_oldest_first_within_the_window(
    run: Run, books: Books, credentials: Sandbox
) -> None:
    """Every account's payments are asked for by processed_timestamp range, ascending."""
    start, end = jakarta_days(FIRST, TODAY)

    run("reconcile", "--ledger", str(books.path), *WINDOW, "--per-page", "5")

    listings = [r for r in credentials.state.requests if r.route == "va_transactions.list"]
    assert {r.path.rsplit("/", 1)[1] for r in listings} == {
        a.id for a in credentials.state.accounts
    }
    assert {(r.query["processed_timestamp_from"], r.query["processed_timestamp_to"],
             r.query["sort_order"], r.query["per_page"]) for r in listings} == {
        (str(start), str(end), "asc", "5")
    }  # fmt: skip


def test_a_day_with_only_unpaid_invoices_needs_no_action(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """Unpaid invoices alone are normal: exit 0."""
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text('{"merchant_reff_no": "INV-A", "amount": 10000}\n')
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()

    result = run("reconcile", "--ledger", str(ledger), "--from", tomorrow)

    assert result.code == 0, result.err
    assert counts(json.loads(result.out))["unpaid"] == 1


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_discrepancy_rows_go_to_the_output_file(
    run: Run, books: Books, tmp_path: Path, suffix: str
) -> None:
    """`-o` holds one row per discrepancy: unexpected payments, then the invoices."""
    output = tmp_path / f"discrepancies.{suffix}"

    run("reconcile", "--ledger", str(books.path), *WINDOW, "-o", str(output))

    if suffix == "csv":
        with output.open(newline="") as file:
            rows = list(csv.DictReader(file))
    else:
        rows = [json.loads(line) for line in output.read_text().splitlines()]
    by_category: dict[str, int] = defaultdict(int)
    for row in rows:
        by_category[row["category"]] += 1
    expected = {k: v for k, v in books.expected.items() if k != "matched"}
    assert dict(by_category) == expected
    (mismatch,) = [row for row in rows if row["category"] == "amount_mismatch"]
    assert (mismatch["direction"], Decimal(mismatch["difference"])) == ("over", 1)
    assert Decimal(mismatch["paid"]) - Decimal(mismatch["due"]) == 1


def test_on_a_terminal_the_report_is_a_table(run_tty: Run, books: Books) -> None:
    """On a terminal: a table of the categories and what was received, and the verdict."""
    result = run_tty("reconcile", "--ledger", str(books.path), *WINDOW)

    out = screen(result.out)
    assert result.code == 3
    for label in ("matched", "amount mismatch", "duplicate", "unexpected", "unpaid (due)",
                  "gross", "fees", "net", "settled", "not settled"):  # fmt: skip
        assert label in out
    assert "books do not tie out" in out


@pytest.mark.parametrize(
    ("ledger", "message"),
    [
        ("merchant_reff_no,amount\nINV-1,abc\n", "line 2: the amount 'abc' is not a number"),
        ("merchant_reff_no,amount\nINV-1,5\nINV-1,6\n", "line 3: the reference 'INV-1' is already"),
        ("reference,amount\nINV-1,5\n", "missing merchant_reff_no"),
    ],
    ids=["bad-amount", "repeated-reference", "no-reference-column"],
)
def test_a_bad_ledger_is_refused_before_any_request(
    run: Run, credentials: Sandbox, tmp_path: Path, ledger: str, message: str
) -> None:
    """A bad ledger row is a usage error (exit 2) naming its line, and nothing is sent."""
    path = tmp_path / "ledger.csv"
    path.write_text(ledger)

    result = run("reconcile", "--ledger", str(path), *WINDOW)

    assert result.code == 2
    assert message in result.err
    assert credentials.state.requests == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--ledger", "l.csv"), "reconcile needs --from DATE"),
        (("--ledger", "l.csv", "--from", "2026-13-01"), "not a date YYYY-MM-DD: '2026-13-01'"),
        (("--ledger", "l.csv", "--from", "2026-02-02", "--to", "2026-02-01"), "is before --from"),
    ],
    ids=["no-from", "bad-date", "reversed"],
)
def test_a_bad_window_is_a_usage_error(run: Run, arguments: tuple[str, ...], message: str) -> None:
    """Missing, malformed or reversed dates exit 2."""
    result = run("reconcile", *arguments)

    assert result.code == 2
    assert message in result.err


def test_an_unreachable_api_is_exit_1(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection failure is an error (exit 1), told apart from books that do not tie out."""
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("merchant_reff_no,amount\nINV-1,5\n")
    for name in ("VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("VAPAY_BASE_URL", "http://127.0.0.1:9")

    result = run("--max-retries", "0", "reconcile", "--ledger", str(ledger), *WINDOW)

    assert result.code == 1
    assert "vapay: error:" in result.err


@pytest.mark.parametrize("day", ["9999-12-31", "1970-01-01"])
def test_a_day_unix_ms_cannot_express_is_a_usage_error(run: Run, day: str) -> None:
    """The calendar's ends are refused by the grammar (exit 2), never a traceback. (Review.)"""
    result = run("reconcile", "--ledger", "l.csv", "--from", day)

    assert result.code == 2
    assert "must be from 1970-01-02 to 9999-12-30" in result.err


def test_a_duplicate_paid_short_says_under() -> None:
    """Two parts short of the invoice: the `-o` row says under, with a negative difference."""
    reconciler = Reconciler([Invoice(reference="INV-1", amount=Decimal(100))])
    for number in (1, 2):
        reconciler.add(
            vapay.VATransaction(
                transaction_id=f"T{number}",
                status="paid",
                amount=vapay.Money(value=Decimal(30)),
                merchant_reff_no="INV-1",
            )
        )
    (entry,) = reconciler.report().duplicate.entries
    assert isinstance(entry, Duplicate)

    row = dict(zip(DISCREPANCY_COLUMNS, invoice_row(entry), strict=True))

    assert (row["direction"], row["difference"], row["paid"]) == ("under", "-40", "60")
