"""`vapay balance [ACCOUNT]` against the sandbox's balances."""

from __future__ import annotations

import json
from decimal import Decimal

from cli_money import only_request, pay, screen

from conftest import Run
from vapay.sandbox import BalanceRecord, Sandbox

FIELDS = ("balance", "available_balance", "pending_balance", "held_balance")


def amounts(printed: dict[str, dict[str, str]]) -> list[tuple[Decimal, str]]:
    """The four amounts of a printed balance, exact, with their currencies."""
    return [(Decimal(printed[name]["value"]), printed[name]["currency"]) for name in FIELDS]


def expected(record: BalanceRecord) -> list[tuple[Decimal, str]]:
    """The sandbox's balance in the same form."""
    values = (record.balance, record.available, record.pending, record.held)
    return [(value, record.currency) for value in values]


def test_merchant_balance(run: Run, credentials: Sandbox) -> None:
    """Without an account: the merchant's balance, from `GET /balance-inquiry`."""
    result = run("balance")

    printed = json.loads(result.out)
    request = only_request(credentials)
    assert (request.method, request.path, request.query) == (
        "GET",
        "/api/v1.0/balance-inquiry",
        {},
    )
    assert amounts(printed) == expected(credentials.state.expected_balance())
    assert printed["account_id"] is None
    assert isinstance(printed["balance"]["value"], str)


def test_account_balance(run: Run, credentials: Sandbox) -> None:
    """With an account: that sub-account's balance, its id on the object."""
    account = credentials.state.accounts[1].id

    result = run("balance", account)

    printed = json.loads(result.out)
    assert only_request(credentials).path == f"/api/v1.0/balance-inquiry/{account}"
    assert amounts(printed) == expected(credentials.state.expected_balance(account))
    assert printed["account_id"] == account


def test_balance_table(run_tty: Run, credentials: Sandbox) -> None:
    """On a terminal: one row per kind of money, grouped, with its currency."""
    account = credentials.state.accounts[1].id
    record = credentials.state.expected_balance(account)

    shown = screen(run_tty("balance", account).out)

    assert f"Account {account}'s balance" in shown
    for name, value in (
        ("balance", record.balance),
        ("available", record.available),
        ("pending", record.pending),
        ("held", record.held),
    ):
        assert f"│ {name} " in shown
        assert f" {value:,.2f} │ {record.currency} " in shown


def test_merchant_table_says_whose(run_tty: Run, credentials: Sandbox) -> None:
    """The merchant's table is titled as the merchant's."""
    assert "The merchant's balance" in screen(run_tty("balance").out)


def test_a_payment_moves_the_pending_balance(run: Run, credentials: Sandbox) -> None:
    """After a payment, the account's pending balance grows by its net (amount - fee)."""
    account = credentials.state.accounts[0].id
    before = Decimal(json.loads(run("balance", account).out)["pending_balance"]["value"])
    created = run(
        "virtual-accounts",
        "create",
        account,
        "--bank-code",
        "BNI",
        "--kind",
        "permanent",
        "--amount",
        "50000.25",
    )
    paid = pay(credentials, account, json.loads(created.out)["number"])

    after = Decimal(json.loads(run("balance", account).out)["pending_balance"]["value"])

    assert after - before == paid.net == Decimal("50000.25") - paid.fee


def test_unknown_account_is_not_found(run: Run, credentials: Sandbox) -> None:
    """An account the merchant does not have: the 404 as one line."""
    result = run("balance", "404404")

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("vapay: error: not found (HTTP 404): ")
