"""`vapay demo`: an embedded sandbox, reconciled and checked, end to end."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from test_cli_terminal import screen

from conftest import Run


def test_demo_writes_and_totals_everything(run: Run, tmp_path: Path) -> None:
    """The demo exports every virtual account and prints an exact JSON summary."""
    output = tmp_path / "demo.csv"

    result = run("demo", "--accounts", "7", "--virtual-accounts", "6", "-o", str(output))

    summary = json.loads(result.out)
    with output.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert (result.code, result.err) == (0, "")
    assert (summary["accounts"], summary["virtual_accounts"]) == (7, 42)
    assert len({row["id"] for row in rows}) == 42
    assert (summary["output"], summary["format"]) == (str(output), "csv")


def test_demo_needs_no_credentials(run: Run, tmp_path: Path) -> None:
    """The demo runs with no `VAPAY_*` variables and no connection flags."""
    result = run("demo", "--accounts", "2", "--virtual-accounts", "2", "-o", str(tmp_path / "d"))

    assert result.code == 0


def test_demo_default_output_is_a_new_temporary_file(run: Run) -> None:
    """Without `-o`, the demo writes a CSV file in a new temporary directory."""
    result = run("demo", "--accounts", "3", "--virtual-accounts", "4")

    path = Path(json.loads(result.out)["output"])
    assert path.name == "virtual-accounts.csv"
    assert path.parent.name.startswith("vapay-demo-")
    assert len(path.read_text().splitlines()) == 1 + 12
    path.unlink()
    path.parent.rmdir()


def test_demo_live_shapes(run: Run, tmp_path: Path) -> None:
    """`--live` reconciles the live API's shapes (ULIDs, `bank.short_name`)."""
    output = tmp_path / "live.jsonl"

    result = run("demo", "--live", "--accounts", "3", "--virtual-accounts", "5", "-o", str(output))

    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert result.code == 0
    assert len(rows) == 15
    assert {row["bank"] for row in rows} <= {"BRI", "BCA", "BNI", "MANDIRI"}


def test_demo_on_a_terminal_shows_summary_and_throughput(run_tty: Run, tmp_path: Path) -> None:
    """On a terminal: the table, the throughput, the check and the file's place."""
    output = tmp_path / "demo.csv"

    result = run_tty("demo", "--accounts", "5", "--virtual-accounts", "4", "-o", str(output))

    out, err = screen(result.out), screen(result.err)
    assert result.code == 0
    assert "vapay demo: reconciliation summary" in out
    assert re.search(r"20 virtual accounts of 5 accounts in [\d.]+ s: [\d,]+ per second", out)
    assert "checked: every count and total matches the sandbox's own data" in err
    assert f"wrote 20 rows to {output} (csv)" in err
