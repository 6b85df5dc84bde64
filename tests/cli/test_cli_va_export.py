"""`vapay reconcile`: the export's rows and the summary's totals, exactly."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from cli_expected import expected_rows, exported, jsonl, totals

from conftest import Run, ThreadedSandbox
from vapay.sandbox import Sandbox


def read_csv(path: Path) -> list[dict[str, object]]:
    """The rows of a CSV export, empty fields as None (as JSON Lines has them)."""
    with path.open(newline="", encoding="utf-8") as f:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(f)]


def test_csv_export_is_exactly_the_sandboxs_data(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """A .csv output holds every virtual account once, by kind then account."""
    output = tmp_path / "vas.csv"

    result = run("virtual-accounts", "export", "-o", str(output))

    assert result.code == 0
    assert [exported(row) for row in read_csv(output)] == expected_rows(credentials.state)


def test_jsonl_export_is_exactly_the_sandboxs_data(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """A .jsonl output holds the same rows, one JSON object each."""
    output = tmp_path / "vas.jsonl"

    result = run(
        "virtual-accounts", "export", "-o", str(output), "--concurrency", "3", "--per-page", "2"
    )

    assert result.code == 0
    assert [exported(r) for r in jsonl(output.read_text())] == expected_rows(credentials.state)


def test_format_flag_overrides_the_extension(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """`--format csv` writes CSV whatever the file is called."""
    output = tmp_path / "vas.txt"

    run("virtual-accounts", "export", "-o", str(output), "--format", "csv")

    assert output.read_text().splitlines()[0] == (
        "account_id,id,number,kind,status,bank,amount,currency,created_at"
    )


def test_kind_flag_exports_one_kind(run: Run, credentials: Sandbox, tmp_path: Path) -> None:
    """`--kind permanent` exports the permanent virtual accounts only."""
    output = tmp_path / "vas.jsonl"

    run("virtual-accounts", "export", "-o", str(output), "--kind", "permanent")

    rows = [exported(r) for r in jsonl(output.read_text())]
    assert rows == expected_rows(credentials.state, ("permanent",))


def test_summary_totals_are_exact(run: Run, credentials: Sandbox, tmp_path: Path) -> None:
    """The JSON summary's counts and Decimal totals equal the sandbox's, per group."""
    result = run("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    summary = json.loads(result.out)
    state = credentials.state
    for group, field in (("by_status", "status"), ("by_kind", "kind"), ("by_bank", "bank_code")):
        assert {
            key: (value["count"], Decimal(value["amounts"]["IDR"]))
            for key, value in summary[group].items()
        } == totals(state, field)
    every = [va for records in state.virtual_accounts.values() for va in records]
    assert summary["total"] == {
        "count": len(every),
        "amounts": {"IDR": summary["total"]["amounts"]["IDR"]},
    }
    assert Decimal(summary["total"]["amounts"]["IDR"]) == sum(va.amount for va in every)
    assert (summary["accounts"], summary["format"]) == (len(state.accounts), "csv")


def test_page_requests_are_every_request_but_the_token_requests(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """`page_requests` counts what the sandbox served, retries in, token requests out."""
    credentials.fail_next(status=429, route="token", retry_after=0)
    credentials.fail_next(status=429, route="virtual_accounts.list", retry_after=0)

    result = run("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    state = credentials.state
    assert state.token_requests == 2
    assert json.loads(result.out)["page_requests"] == len(state.requests) - state.token_requests


def test_stdout_output_keeps_stdout_for_rows(run: Run, credentials: Sandbox) -> None:
    """With `-o -` the rows go to stdout and the summary to stderr."""
    result = run("virtual-accounts", "export", "-o", "-")

    assert result.code == 0
    assert [exported(r) for r in jsonl(result.out)] == expected_rows(credentials.state)
    assert json.loads(result.err)["virtual_accounts"] == len(expected_rows(credentials.state))


def test_unwritable_output_is_one_line_error(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """A path in a missing directory exits 1 before any request is sent."""
    target = tmp_path / "missing" / "vas.csv"

    result = run("virtual-accounts", "export", "-o", str(target))

    assert result.code == 1
    assert result.err == f"vapay: error: cannot write {target}: No such file or directory\n"
    assert credentials.state.count("accounts.list") == 0


def test_failed_run_leaves_no_file(run: Run, credentials: Sandbox, tmp_path: Path) -> None:
    """An API failure mid-walk leaves neither the output nor a partial file."""
    credentials.fail_next(status=500, times=10, route="virtual_accounts.list")

    result = run(
        "--max-retries", "0", "virtual-accounts", "export", "-o", str(tmp_path / "vas.csv")
    )

    assert result.code == 1
    assert result.err.startswith("vapay: error: server error (HTTP 500)")
    assert list(tmp_path.iterdir()) == []


def test_failed_run_keeps_an_earlier_export(run: Run, credentials: Sandbox, tmp_path: Path) -> None:
    """A failed run never replaces a complete export with a partial one."""
    output = tmp_path / "vas.csv"
    output.write_text("earlier\n")
    credentials.fail_next(status=500, times=10, route="virtual_accounts.list")

    run("--max-retries", "0", "virtual-accounts", "export", "-o", str(output))

    assert output.read_text() == "earlier\n"


@pytest.mark.parametrize("flag", ["--concurrency", "--per-page"])
def test_zero_is_a_usage_error(run: Run, flag: str) -> None:
    """Counts below 1 are refused by the parser (exit 2)."""
    result = run("virtual-accounts", "export", "-o", "-", flag, "0")

    assert result.code == 2
    assert "must be >= 1, got 0" in result.err


def test_output_is_required(run: Run) -> None:
    """`reconcile` without `-o` is a usage error."""
    assert run("virtual-accounts", "export").code == 2


def test_ctrl_c_stops_cleanly(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C mid-walk exits 130 with one line, cancels the walk, leaves no file."""
    with ThreadedSandbox(accounts=40, virtual_accounts_per_account=4, latency=0.05) as slow:
        for name, value in (
            ("VAPAY_API_KEY", slow.api_key),
            ("VAPAY_CLIENT_ID", slow.client_id),
            ("VAPAY_CLIENT_SECRET", slow.client_secret),
            ("VAPAY_BASE_URL", slow.url),
        ):
            monkeypatch.setenv(name, value)
        timer = threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            result = run(
                "virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"), "--concurrency", "2"
            )
        finally:
            timer.cancel()
        listed = slow.state.count("virtual_accounts.list")

    assert (result.code, result.out, result.err) == (130, "", "vapay: interrupted\n")
    assert 0 < listed < 80
    assert list(tmp_path.iterdir()) == []


def test_an_output_symlink_keeps_pointing_at_the_replaced_file(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """-o through a symlink replaces the file it points to; the link stays a link."""
    target = tmp_path / "target.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)

    result = run("virtual-accounts", "export", "-o", str(link))

    assert result.code == 0, result.err
    assert link.is_symlink()
    assert target.read_text().startswith("account_id,")


def test_exported_amounts_all_have_two_decimals_at_least(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """99000, 99000.5 and "99000.00" from the API all export as 99000.00-style text."""
    output = tmp_path / "vas.csv"

    assert run("virtual-accounts", "export", "-o", str(output)).code == 0

    amounts = [str(row["amount"]) for row in read_csv(output)]
    assert amounts
    assert all("." in a and len(a.split(".")[1]) >= 2 for a in amounts)


def test_reconcile_without_a_ledger_says_where_the_export_went(run: Run) -> None:
    """`vapay reconcile -o PATH` (the old export) is a usage error naming the new command."""
    result = run("reconcile", "-o", "vas.csv")

    assert result.code == 2
    assert "vapay virtual-accounts export -o PATH" in result.err
