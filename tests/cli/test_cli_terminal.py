"""Human output: tables on a terminal, progress on a terminal stderr, JSON otherwise."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import Run
from vapay.sandbox import Sandbox

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def screen(text: str) -> str:
    """*text* without terminal escape codes."""
    return ANSI.sub("", text)


def test_accounts_list_is_a_table(run_tty: Run, credentials: Sandbox) -> None:
    """On a terminal, `accounts list` draws a table with a row per account."""
    result = run_tty("accounts", "list")

    shown = screen(result.out)
    assert result.code == 0
    assert "┃ ID" in shown
    assert "Status" in shown
    for account in credentials.state.accounts:
        assert f"│ {account.id} " in shown


def test_json_flag_wins_on_a_terminal(run_tty: Run, credentials: Sandbox) -> None:
    """`--json` prints JSON Lines even on a terminal."""
    result = run_tty("--json", "accounts", "list")

    assert [json.loads(line)["id"] for line in result.out.splitlines()] == [
        a.id for a in credentials.state.accounts
    ]


def test_account_is_a_field_table(run_tty: Run, credentials: Sandbox) -> None:
    """On a terminal, `accounts get` shows one field per row."""
    account = credentials.state.accounts[0]

    shown = screen(run_tty("accounts", "get", account.id).out)

    assert f"Account {account.id}" in shown
    assert re.search(rf"│ name\s+│ {account.name}\s+│", shown)


def test_names_are_not_markup(run_tty: Run, credentials: Sandbox) -> None:
    """Brackets in API data are printed as they are, never as rich markup."""
    run_tty("accounts", "create", "--name", "[bold]Budi[/bold]")

    shown = screen(run_tty("accounts", "list").out)

    assert "[bold]Budi[/bold]" in shown


def test_virtual_accounts_table_shows_exact_amounts(run_tty: Run, credentials: Sandbox) -> None:
    """The virtual-account table shows each amount with thousands separators."""
    account = credentials.state.accounts[0]
    expected = credentials.state.expected_virtual_accounts(account.id, "temporary")

    shown = screen(run_tty("virtual-accounts", "list", account.id, "--kind", "temporary").out)

    for va in expected:
        assert f"{va.amount:,}" in shown


def test_export_draws_progress_and_summary(
    run_tty: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """On a terminal: progress rows on stderr, the summary table on stdout."""
    output = tmp_path / "vas.csv"

    result = run_tty("virtual-accounts", "export", "-o", str(output))

    progress, summary = screen(result.err), screen(result.out)
    total = sum(len(v) for v in credentials.state.virtual_accounts.values())
    accounts = len(credentials.state.accounts)
    assert result.code == 0
    assert re.search(rf"temporary VAs\s+━+\s+{accounts}/{accounts} accounts", progress)
    assert re.search(rf"permanent VAs\s+━+\s+{accounts}/{accounts} accounts", progress)
    assert f"wrote {total:,} rows to {output} (csv)" in progress
    for heading in ("Virtual accounts summary", "Count", "Amount IDR", "status", "kind", "bank"):
        assert heading in summary
    assert re.search(rf"│ Total\s+│\s+│\s+{total} │", summary)
    assert f"{total:,} virtual accounts of {accounts} accounts in " in summary


def test_throughput_line_names_its_request_figure(
    run_tty: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """On a terminal the line after the table calls its figure page requests."""
    result = run_tty("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    state = credentials.state
    pages = len(state.requests) - state.token_requests
    assert screen(result.out).rstrip().endswith(f" per second, {pages} page requests")


def test_no_progress_when_stderr_is_not_a_terminal(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """Piped, reconcile writes nothing to stderr: no bar, no notes."""
    result = run("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    assert (result.code, result.err) == (0, "")
